"""Answers cached per graph version: the graph changes only when a register is loaded or removed.

A small LRU keyed by (store version, query name, parameters). A load bumps the version, so an answer
from before it is never served after it; old entries simply age out.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from graph.codec import json_default
from graph.store import Query, Row, Store


class AnswerCache:
    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def run(self, store: Store, query: Query, params: Mapping[str, Any]) -> list[Row]:
        """The query's rows; callers must treat them as read-only, as they are shared."""
        rows: list[Row] = self._cached(self._key(store, query, params, "rows"), lambda: store.run(query, params))
        return rows

    def rendered(
        self, store: Store, query: Query, params: Mapping[str, Any], form: str, render: Callable[[list[Row]], bytes]
    ) -> bytes:
        """The answer as ``render`` writes it (JSON or CSV), kept too: a cached answer costs no encoding."""
        key = self._key(store, query, params, form)
        return bytes(self._cached(key, lambda: render(self.run(store, query, params))))

    @staticmethod
    def _key(store: Store, query: Query, params: Mapping[str, Any], form: str) -> tuple[str, ...]:
        return (store.version(), query.name, json.dumps(dict(params), sort_keys=True, default=json_default), form)

    def _cached(self, key: tuple[str, ...], compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
        # Compute outside the lock: two misses for one key both compute, which is harmless.
        value = compute()
        with self._lock:
            self.misses += 1
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value
