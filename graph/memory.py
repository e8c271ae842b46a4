"""The embedded store: the merged graph in memory (``graph.view``), persisted to a data directory.

The registers are saved with ``graph.state`` (all-or-nothing writes); the graph is rebuilt from the
reference data and the registers whenever they change, built before it is saved so that a failure of
either leaves the old graph in memory and on disk.

Other processes may write the same data directory: a write holds the directory's ``DataLock`` and starts
from the state on disk, and every read first checks the state file's signature, reading it again when
another process has replaced it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.merge import merge
from graph.model import ReferenceData, Register
from graph.state import LOCK_TIMEOUT, DataLock, Signature, StateFile, sweep
from graph.store import Query, RegisterInfo, Row, StoreError
from graph.view import GraphView


class MemoryStore:
    """The embedded store. ``data_dir`` None keeps everything in memory for one run only."""

    kind = "embedded"

    def __init__(
        self,
        reference: ReferenceData,
        data_dir: Path | None = None,
        *,
        lock_timeout: float = LOCK_TIMEOUT,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.reference = reference
        self.data_dir = data_dir
        self.lock_timeout = lock_timeout
        self.on_wait = on_wait
        self._lock = threading.Lock()
        self._generation = 0
        self._state = StateFile(data_dir) if data_dir is not None else None
        self._data_lock = DataLock.of(data_dir) if data_dir is not None else None
        self._signature: Signature | None = None
        self._registers: dict[str, Register] = {}
        self._infos: dict[str, RegisterInfo] = {}
        self._view = GraphView(merge(reference, []))
        if data_dir is not None:
            sweep(data_dir)  # what a write killed midway left
        self._refresh()

    def _refresh(self) -> None:
        """Read the state again if another process has replaced it since this one last read or wrote it."""
        if self._state is None or self._state.signature() == self._signature:
            return
        with self._lock:
            saved, signature = self._state.read()
            if signature == self._signature:
                return
            registers = {register.name: register for register, _ in saved}
            self._view = GraphView(merge(self.reference, registers.values()))
            self._registers = registers
            self._infos = {info.name: info for _, info in saved}
            self._signature = signature
            self._generation += 1

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the data directory for a read-modify-write, starting from what is on disk now."""
        if self._data_lock is None:
            yield
            return
        with self._data_lock.hold(self.lock_timeout, self.on_wait):
            self._refresh()
            yield

    @property
    def view(self) -> GraphView:
        self._refresh()
        return self._view

    def loaded(self) -> dict[str, Register]:
        self._refresh()
        return dict(self._registers)

    def registers(self) -> list[RegisterInfo]:
        self._refresh()
        return sorted(self._infos.values(), key=lambda info: info.name)

    def replace(self, registers: Sequence[Register]) -> list[RegisterInfo]:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.writing(), self._lock:
            new_registers = dict(self._registers)
            new_infos = dict(self._infos)
            for register in registers:
                new_registers[register.name] = register
                new_infos[register.name] = RegisterInfo(register.name, register.path, now, register.counts())
            self._commit(new_registers, new_infos)
        return [new_infos[register.name] for register in registers]

    def remove(self, names: Sequence[str]) -> None:
        with self.writing(), self._lock:
            unknown = [name for name in names if name not in self._registers]
            if unknown:
                raise StoreError(
                    f"no register named {', '.join(unknown)}; loaded: {', '.join(self._registers) or 'none'}"
                )
            kept = {name: r for name, r in self._registers.items() if name not in names}
            self._commit(kept, {name: self._infos[name] for name in kept})

    def _commit(self, registers: dict[str, Register], infos: dict[str, RegisterInfo]) -> None:
        # Build first and write second: if either fails, memory and disk still hold the old graph.
        view = GraphView(merge(self.reference, registers.values()))
        if self._state is not None:
            self._signature = self._state.write(registers, infos)
        self._registers, self._infos, self._view = registers, infos, view
        self._generation += 1

    def counts(self) -> dict[str, int]:
        return self.view.counts()

    def version(self) -> str:
        self._refresh()
        return f"embedded-{id(self)}-{self._generation}"

    def run(self, query: Query, params: Mapping[str, Any]) -> list[Row]:
        return query.on_networkx(self.view, params)

    def close(self) -> None:
        pass
