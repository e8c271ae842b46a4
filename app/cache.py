"""Answers cached per graph version: the graph changes only when a register is loaded or removed.

A small LRU keyed by (store version, query name, parameters). A load bumps the version, so an answer
from before it is never served after it; old entries simply age out.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from graph.store import Query, Row, Store


def _key_part(value: Any) -> Any:
    # Dates, enums and frozen dataclasses (filters) have stable reprs; plain values stay JSON.
    return repr(value)


class AnswerCache:
    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, str, str], list[Row]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def run(self, store: Store, query: Query, params: Mapping[str, Any]) -> list[Row]:
        """The query's rows; callers must treat them as read-only, as they are shared."""
        key = (store.version(), query.name, json.dumps(dict(params), sort_keys=True, default=_key_part))
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
        # Run outside the lock: two misses for one key both compute, which is harmless.
        rows = store.run(query, params)
        with self._lock:
            self.misses += 1
            self._entries[key] = rows
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return rows
