"""The embedded store: a networkx graph in memory, persisted to a data directory.

Registers are kept as loaded (validated records) in ``registers.json``; the graph is rebuilt from the
reference data and the registers. Writes go to a temporary file that is fsynced and renamed over the
old one, so a crash mid-write leaves the previous state, never a half-written one.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx

from graph.codec import from_record, to_record
from graph.merge import Contents, merge
from graph.model import Agreement, Flow, Organisation, ReferenceData, Register, System
from graph.store import Query, RegisterInfo, Row, StoreError

FORMAT = 1
STATE_FILE = "registers.json"
T = TypeVar("T")


class GraphView:
    """The merged graph as queries read it: records by id, and a MultiDiGraph of flows.

    Nodes carry their record as ``node``; each flow is an edge keyed by its flow id, carrying ``flow``.
    """

    def __init__(self, contents: Contents) -> None:
        self.nodes = contents.nodes
        self.flows = contents.flows
        self.agreements = contents.agreements
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self.graph.add_nodes_from((identifier, {"node": node}) for identifier, node in self.nodes.items())
        self.graph.add_edges_from(
            (flow.source, flow.destination, flow.flow_id, {"flow": flow}) for flow in self.flows.values()
        )
        self._indexes: dict[Hashable, Any] = {}
        self._indexing = threading.Lock()

    def index(self, key: Hashable, build: Callable[[GraphView], T]) -> T:
        """A structure derived from this graph (flows by category, say), built on first use and kept.

        A view never changes once made (a load makes a new one), so what is built from it stays true;
        concurrent API requests build each index once.
        """
        if key not in self._indexes:
            with self._indexing:
                if key not in self._indexes:
                    self._indexes[key] = build(self)
        return self._indexes[key]  # type: ignore[no-any-return]

    def counts(self) -> dict[str, int]:
        organisations = sum(isinstance(node, Organisation) for node in self.nodes.values())
        return {
            "organisations": organisations,
            "systems": len(self.nodes) - organisations,
            "flows": len(self.flows),
            "agreements": len(self.agreements),
        }


def _encode(register: Register, info: RegisterInfo) -> dict[str, Any]:
    return {
        "name": register.name,
        "path": register.path,
        "loaded_at": info.loaded_at,
        "organisations": [to_record(o) for o in register.organisations],
        "systems": [to_record(s) for s in register.systems],
        "flows": [to_record(f) for f in register.flows],
        "agreements": [to_record(a) for a in register.agreements],
    }


def _decode(record: Mapping[str, Any]) -> tuple[Register, RegisterInfo]:
    register = Register(
        name=record["name"],
        path=record["path"],
        organisations=[from_record(Organisation, o) for o in record["organisations"]],
        systems=[from_record(System, s) for s in record["systems"]],
        flows=[from_record(Flow, f) for f in record["flows"]],
        agreements=[from_record(Agreement, a) for a in record["agreements"]],
    )
    return register, RegisterInfo(register.name, register.path, record["loaded_at"], register.counts())


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a reader or a crash sees the old file or the new, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class MemoryStore:
    """The embedded store. ``data_dir`` None keeps everything in memory for one run only."""

    kind = "embedded"

    def __init__(self, reference: ReferenceData, data_dir: Path | None = None) -> None:
        self.reference = reference
        self.data_dir = data_dir
        self._lock = threading.Lock()
        self._registers: dict[str, Register] = {}
        self._infos: dict[str, RegisterInfo] = {}
        self._generation = 0
        if data_dir is not None:
            self._read_state(data_dir / STATE_FILE)
        self._view = GraphView(merge(reference, self._registers.values()))

    def _read_state(self, path: Path) -> None:
        if not path.exists():
            return
        try:
            state = json.loads(path.read_bytes())
            if state.get("format") != FORMAT:
                raise StoreError(f"{path}: written by another version of icsgraph (format {state.get('format')})")
            for record in state["registers"]:
                register, info = _decode(record)
                self._registers[register.name] = register
                self._infos[register.name] = info
        except (ValueError, KeyError, TypeError) as error:
            raise StoreError(f"{path}: unreadable ({error}); move it aside to start empty") from error

    def _write_state(self, registers: Mapping[str, Register], infos: Mapping[str, RegisterInfo]) -> None:
        if self.data_dir is None:
            return
        state = {"format": FORMAT, "registers": [_encode(registers[name], infos[name]) for name in registers]}
        write_atomically(self.data_dir / STATE_FILE, json.dumps(state, separators=(",", ":")).encode())

    @property
    def view(self) -> GraphView:
        return self._view

    def loaded(self) -> dict[str, Register]:
        return dict(self._registers)

    def registers(self) -> list[RegisterInfo]:
        return sorted(self._infos.values(), key=lambda info: info.name)

    def replace(self, registers: Sequence[Register]) -> list[RegisterInfo]:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            new_registers = dict(self._registers)
            new_infos = dict(self._infos)
            for register in registers:
                new_registers[register.name] = register
                new_infos[register.name] = RegisterInfo(register.name, register.path, now, register.counts())
            self._commit(new_registers, new_infos)
        return [new_infos[register.name] for register in registers]

    def remove(self, names: Sequence[str]) -> None:
        with self._lock:
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
        self._write_state(registers, infos)
        self._registers, self._infos, self._view = registers, infos, view
        self._generation += 1

    def counts(self) -> dict[str, int]:
        return self._view.counts()

    def version(self) -> str:
        return f"embedded-{id(self)}-{self._generation}"

    def run(self, query: Query, params: Mapping[str, Any]) -> list[Row]:
        return query.on_networkx(self._view, params)

    def close(self) -> None:
        pass
