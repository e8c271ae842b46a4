"""The embedded store: the merged graph in memory (``graph.view``), persisted to a data directory.

The registers are saved with ``graph.state`` (all-or-nothing writes); a change is applied to the graph
held (``graph.ledger``: only what it touches is looked at), built before it is saved so that a failure of
either leaves the old graph in memory and on disk. Every version of every register is kept: the index in
the state file, each version's content in ``history/`` (``graph.archive``).

Other processes may write the same data directory: a write holds the directory's ``DataLock`` and starts
from the state on disk, and every read first checks the state file's signature, reading it again when
another process has replaced it.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.archive import Archive
from graph.history import Tables, Version, canonical, next_version, pack, records, unpack
from graph.ledger import Ledger
from graph.merge import merge
from graph.model import ReferenceData, Register
from graph.neighbourhood import Neighbourhood, neighbourhood, touched
from graph.state import LOCK_TIMEOUT, DataLock, LockTimeout, Signature, StateFile, sweep
from graph.store import Query, RegisterInfo, Row, StoreError, still
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
        self._archive = Archive(data_dir) if data_dir is not None else None
        self._data_lock = DataLock.of(data_dir) if data_dir is not None else None
        self._signature: Signature | None = None
        self._registers: dict[str, Register] = {}
        self._infos: dict[str, RegisterInfo] = {}
        self._history: dict[str, list[Version]] = {}
        self._kept: dict[tuple[str, int], bytes] = {}  # versions' contents when there is no data directory
        self._view = GraphView(merge(reference, []))
        self._ledger = Ledger(reference, {})
        self._refresh()
        if data_dir is not None:
            sweep(data_dir)  # what a write killed midway left
            self._prune()

    def _refresh(self) -> None:
        """Read the state again if another process has replaced it since this one last read or wrote it."""
        if self._state is None or self._state.signature() == self._signature:
            return
        with self._lock:
            saved = self._state.read()
            if saved.signature == self._signature:
                return
            registers = {register.name: register for register, _ in saved.registers}
            self._view = GraphView(merge(self.reference, registers.values()))
            self._ledger = Ledger(self.reference, registers)
            self._registers = registers
            self._infos = {info.name: info for _, info in saved.registers}
            self._history = saved.history
            self._signature = saved.signature
            self._generation += 1

    def _prune(self) -> None:
        """Remove version files a killed write left, if no other process is writing now."""
        if self._archive is None or self._data_lock is None or not self._archive.root.is_dir():
            return
        with contextlib.suppress(LockTimeout), self._data_lock.hold(timeout=0):
            self._refresh()
            self._archive.prune(self._history)

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

    def versions(self, name: str | None = None) -> list[Version]:
        self._refresh()
        if name is not None:
            return list(self._history.get(name, []))
        return [v for key in sorted(self._history) for v in self._history[key]]

    def version_register(self, name: str, version: int) -> Register:
        self._refresh()
        found = [v for v in self._history.get(name, []) if v.version == version]
        if not found:
            numbers = ", ".join(str(v.version) for v in self._history.get(name, [])) or "none"
            raise StoreError(f"register {name!r} has no version {version}; its versions: {numbers}")
        if self._archive is not None:
            info = self._infos.get(name)
            if info is not None and info.version == version and not self._archive.has(found[0]):
                return self._registers[name]  # in the graph, and saved before versions had files
            return unpack(found[0], self._archive.read(found[0]))
        return unpack(found[0], self._kept[(name, version)])

    def neighbourhood(self, registers: Sequence[Register], removing: Sequence[str] = ()) -> Neighbourhood:
        """What validating the change needs, from the ledger and the graph for the ids it touches."""
        self._refresh()
        with self._lock:
            new: dict[str, Register | None] = {name: None for name in removing}
            new.update((register.name, register) for register in registers)
            old = {name: self._registers[name] for name in new if name in self._registers}
            contents = self._view.contents()
            current = self._ledger.current(contents, touched(registers, old.values()))
            version = self._version()
            definers = self._ledger.agreements

        def covering(flows: Set[str], changing: Set[str]) -> set[str]:
            return {
                flow_id
                for agreement_id, agreement in contents.agreements.items()
                if any(name not in changing for name in definers.get(agreement_id, ()))
                for flow_id in agreement.covers
                if flow_id in flows
            }

        return neighbourhood(self._ledger.references, current, new, old, version, covering)

    def replace(
        self, registers: Sequence[Register], *, actor: str = "", note: str = "", validated_at: str | None = None
    ) -> list[RegisterInfo]:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.writing(), self._lock:
            still(validated_at, self._version())
            new_registers = dict(self._registers)
            new_infos = dict(self._infos)
            history = {name: list(versions) for name, versions in self._history.items()}
            made: list[tuple[Version, bytes]] = []
            encoded: dict[str, Tables] = {}
            changing: list[Register] = []
            for register in registers:
                versions = history.setdefault(register.name, [])
                tables = records(register)
                data = canonical(register, tables)
                sha = hashlib.sha256(data).hexdigest()
                loaded = register.name in new_registers
                version = next_version(versions, loaded, register, sha, actor=actor, when=now, note=note)
                if version is None:
                    continue  # identical to the version in the graph: nothing to do
                versions.append(version)
                made.append((version, pack(data)))
                encoded[register.name] = tables
                changing.append(register)
                new_registers[register.name] = register
                new_infos[register.name] = RegisterInfo(
                    register.name, register.path, now, register.counts(), version.version
                )
            if made:
                self._commit(new_registers, new_infos, history, made, encoded, changing, ())
        return [new_infos[register.name] for register in registers]

    def remove(self, names: Sequence[str], *, validated_at: str | None = None) -> None:
        with self.writing(), self._lock:
            still(validated_at, self._version())
            unknown = [name for name in names if name not in self._registers]
            if unknown:
                raise StoreError(
                    f"no register named {', '.join(unknown)}; loaded: {', '.join(self._registers) or 'none'}"
                )
            kept = {name: r for name, r in self._registers.items() if name not in names}
            self._commit(kept, {name: self._infos[name] for name in kept}, self._history, [], {}, (), names)

    def _commit(
        self,
        registers: dict[str, Register],
        infos: dict[str, RegisterInfo],
        history: dict[str, list[Version]],
        made: Sequence[tuple[Version, bytes]],
        encoded: Mapping[str, Tables],
        changing: Sequence[Register],
        removing: Sequence[str],
    ) -> None:
        # Build first and write second: if either fails, memory and disk still hold the old graph. Version
        # files go before the state file that lists them, so a crash between leaves only an unlisted file.
        # The new graph is the old one with the change applied (graph.ledger), not every register merged
        # again: a change costs what it changes.
        contents, recorded = self._ledger.change(self._view.contents(), self._registers, changing, removing)
        view = GraphView(contents)
        packed = {(v.name, v.version): content for v, content in made}
        if self._state is not None and self._archive is not None:
            for version, content in made:
                self._archive.write(version, content)
            self._keep_current_files(history)
            self._signature = self._state.write(registers, infos, history, encoded)
            self._archive.prune(history)
        else:
            self._kept.update(packed)
        self._registers, self._infos, self._view, self._history = registers, infos, view, history
        recorded()
        self._generation += 1

    def _keep_current_files(self, history: Mapping[str, Sequence[Version]]) -> None:
        """Write the file of a version in the graph that was saved without one (before versions were kept),
        before it can stop being the version in the graph."""
        assert self._archive is not None
        for name, register in self._registers.items():
            info = self._infos[name]
            for version in history.get(name, []):
                if version.version == info.version and not self._archive.has(version):
                    self._archive.write(version, pack(canonical(register)))

    def counts(self) -> dict[str, int]:
        return self.view.counts()

    def version(self) -> str:
        self._refresh()
        return self._version()

    def _version(self) -> str:
        return f"embedded-{id(self)}-{self._generation}"

    def run(self, query: Query, params: Mapping[str, Any]) -> list[Row]:
        return query.on_networkx(self.view, params)

    def close(self) -> None:
        pass
