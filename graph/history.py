"""Versions of a register: each load that changes it makes one, numbered 1, 2, 3... per name.

Pure: both stores keep versions (the embedded store in its data directory, Neo4j in ``(:RegisterVersion)``
nodes) and number and compare them with these functions. A version is identified by the sha256 of its
register's canonical form (``canonical``): records sorted by id, keys sorted, without the register's name,
file or load time, so the same rows loaded from another file, or in another order, are the same version.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.codec import from_record, to_record
from graph.model import Agreement, Flow, Organisation, Register, System

# Each kind of record in a register: its table, its model class and the field that identifies it.
KINDS: tuple[tuple[str, str, type, str], ...] = (
    ("organisation", "organisations", Organisation, "org_id"),
    ("system", "systems", System, "system_id"),
    ("flow", "flows", Flow, "flow_id"),
    ("agreement", "agreements", Agreement, "agreement_id"),
)


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a register: its number, content hash, when, who, from which file, how much."""

    name: str
    version: int
    sha256: str
    created_at: str
    actor: str
    source: str
    counts: Mapping[str, int] = field(default_factory=dict)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "sha256": self.sha256,
            "created_at": self.created_at,
            "actor": self.actor,
            "source": self.source,
            "counts": dict(self.counts),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Version:
        return cls(
            name=str(record["name"]),
            version=int(record["version"]),
            sha256=str(record["sha256"]),
            created_at=str(record["created_at"]),
            actor=str(record.get("actor") or ""),
            source=str(record.get("source") or ""),
            counts={str(k): int(v) for k, v in dict(record.get("counts") or {}).items()},
            note=str(record.get("note") or ""),
        )


Tables = dict[str, list[dict[str, Any]]]


def records(register: Register) -> Tables:
    """The register's records as plain JSON, table by table, in the register's order."""
    return {table: [to_record(r) for r in getattr(register, table)] for _, table, _, _ in KINDS}


def canonical(register: Register, tables: Tables | None = None) -> bytes:
    """The register's content as canonical JSON bytes: what its hash is taken of and what a version keeps.
    ``tables``: its ``records`` when the caller has them already (turning records to JSON is most of the
    cost of a large register, and the state file needs them too).

    >>> from graph.model import Register
    >>> canonical(Register("any", "any.csv"))
    b'{"agreements":[],"flows":[],"organisations":[],"systems":[]}'
    """
    tables = records(register) if tables is None else tables
    ordered = {table: sorted(tables[table], key=lambda record: str(record[key])) for _, table, _, key in KINDS}
    return json.dumps(ordered, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(register: Register) -> str:
    """The sha256 of the canonical register, in hex."""
    return hashlib.sha256(canonical(register)).hexdigest()


def pack(data: bytes) -> bytes:
    """A version's content as kept: the canonical register (``canonical``), gzipped. Level 1: a national
    register's canonical form is tens of megabytes, and a load should not wait on squeezing it."""
    return gzip.compress(data, compresslevel=1, mtime=0)


def unpack(version: Version, packed: bytes) -> Register:
    """The register a version holds, named and sourced as the version records."""
    records = json.loads(gzip.decompress(packed))
    register = Register(name=version.name, path=version.source)
    for _, table, cls, _ in KINDS:
        setattr(register, table, [from_record(cls, r) for r in records[table]])
    return register


def current(history: Sequence[Version], loaded: bool) -> Version | None:
    """The version that is in the graph: the last one, while the register is loaded."""
    return history[-1] if history and loaded else None


def next_version(
    history: Sequence[Version], loaded: bool, register: Register, sha: str, *, actor: str, when: str, note: str = ""
) -> Version | None:
    """The version loading ``register`` (whose ``digest`` is ``sha``) makes, or None when it is identical
    to the one in the graph.

    Numbers go on from the last version, even after the register was removed; a rollback makes a new
    version too, so the version in the graph is always the highest.
    """
    now = current(history, loaded)
    if now is not None and now.sha256 == sha:
        return None
    number = history[-1].version + 1 if history else 1
    return Version(register.name, number, sha, when, actor, register.path, register.counts(), note)


def baseline(register: Register, loaded_at: str) -> Version:
    """Version 1 of a register loaded before icsgraph kept versions: what is in the graph now."""
    return Version(
        register.name,
        1,
        digest(register),
        loaded_at,
        "",
        register.path,
        register.counts(),
        "as loaded before icsgraph kept versions",
    )
