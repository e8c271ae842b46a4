"""The embedded store's state on disk: the loaded registers in ``registers.json``, replaced atomically.

Registers are kept as loaded (validated records, through ``graph.codec``); the graph is rebuilt from the
reference data and the registers. Writes go to a temporary file that is fsynced and renamed over the
old one, so a crash mid-write leaves the previous state, never a half-written one. The Neo4j store keeps
each register's payload in the same record format (``encode``, ``decode``).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graph.codec import from_record, to_record
from graph.model import Agreement, Flow, Organisation, Register, System
from graph.store import RegisterInfo, StoreError

FORMAT = 1
STATE_FILE = "registers.json"


def encode(register: Register, info: RegisterInfo) -> dict[str, Any]:
    """A loaded register and when it was loaded, as one JSON-able record."""
    return {
        "name": register.name,
        "path": register.path,
        "loaded_at": info.loaded_at,
        "organisations": [to_record(o) for o in register.organisations],
        "systems": [to_record(s) for s in register.systems],
        "flows": [to_record(f) for f in register.flows],
        "agreements": [to_record(a) for a in register.agreements],
    }


def decode(record: Mapping[str, Any]) -> tuple[Register, RegisterInfo]:
    """The register and its load information back from ``encode``'s record."""
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


class StateFile:
    """The registers loaded into one data directory, as a single file read whole and replaced whole."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / STATE_FILE

    def read(self) -> list[tuple[Register, RegisterInfo]]:
        """Every register saved, with its load information; none when nothing was ever saved."""
        if not self.path.exists():
            return []
        try:
            state = json.loads(self.path.read_bytes())
            if state.get("format") != FORMAT:
                raise StoreError(f"{self.path}: written by another version of icsgraph (format {state.get('format')})")
            return [decode(record) for record in state["registers"]]
        except (ValueError, KeyError, TypeError) as error:
            raise StoreError(f"{self.path}: unreadable ({error}); move it aside to start empty") from error

    def write(self, registers: Mapping[str, Register], infos: Mapping[str, RegisterInfo]) -> None:
        """Save these registers in place of whatever was saved, as one step."""
        state = {"format": FORMAT, "registers": [encode(registers[name], infos[name]) for name in registers]}
        write_atomically(self.path, json.dumps(state, separators=(",", ":")).encode())
