"""Every change to the loaded registers, from the CLI or the API, made one way: locked, validated, stored.

A change is a read-modify-write: validate the registers against what is loaded, then store them. Two
processes doing that at once on one data directory would each validate against, and write back, a graph
without the other's register. So the whole of it holds the data directory's ``DataLock`` (the embedded
store's own directory; for Neo4j, the server's data directory), and the embedded store starts from the
state on disk once it holds it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from app.settings import Settings
from graph.memory import MemoryStore
from graph.model import ReferenceData, Register
from graph.state import DataLock
from graph.store import RegisterInfo, Store, StoreError
from loaders.register import validate_together


class NoSuchRegister(StoreError):
    """A change names a register that is not loaded."""


def lock_dir(store: Store, settings: Settings) -> Path | None:
    """The folder whose lock serialises changes: the embedded store's own, else the settings' data dir."""
    if isinstance(store, MemoryStore):
        return store.data_dir
    return settings.data_dir


class Changes:
    """The write path of one store: ``load`` and ``remove``, each as one locked read-modify-write."""

    def __init__(
        self,
        store: Store,
        reference: ReferenceData,
        settings: Settings,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.reference = reference
        self.timeout = settings.lock_timeout
        self.on_wait = on_wait
        directory = lock_dir(store, settings)
        self.lock = DataLock.of(directory) if directory is not None else None
        self._local = threading.RLock()  # a store kept in memory still takes one change at a time

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """The block as the only writer of the store (waiting up to the timeout for another)."""
        if self.lock is None:
            with self._local:
                yield
            return
        with self.lock.hold(self.timeout, self.on_wait):
            yield

    def load(self, registers: Sequence[Register]) -> list[RegisterInfo]:
        """Validate the registers against everything loaded, then load them as one step."""
        with self.holding():
            validate_together(self.reference, self.store.loaded(), list(registers))
            return self.store.replace(registers)

    def remove(self, names: Sequence[str]) -> None:
        """Remove registers, unless another loaded register names what only they define (``InvalidRegister``)."""
        with self.holding():
            loaded = self.store.loaded()
            unknown = [name for name in names if name not in loaded]
            if unknown:
                raise NoSuchRegister(f"no register named {', '.join(unknown)}; loaded: {', '.join(loaded) or 'none'}")
            validate_together(self.reference, {}, [r for name, r in loaded.items() if name not in names])
            self.store.remove(names)
