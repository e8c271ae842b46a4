"""What changed between two versions of a register: records added, removed, and changed field by field.

Pure, on model records. Records are matched by their id within their kind (an organisation by ODS code,
a flow by flow id); a changed record lists every field whose value differs, old and new, as plain JSON
values (dates as ISO strings, lists as lists, an empty cell as null).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from graph.codec import to_record
from graph.history import KINDS
from graph.model import Register


@dataclass(frozen=True, slots=True)
class Entry:
    """One record added, removed or changed: its kind, its id, and for a change each field's old and new."""

    kind: str
    id: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, change: str) -> dict[str, Any]:
        if change == "changed":
            fields = {name: {"old": old, "new": new} for name, (old, new) in self.fields.items()}
            return {"kind": self.kind, "id": self.id, "fields": fields}
        return {"kind": self.kind, "id": self.id, "record": self.record}


@dataclass(frozen=True, slots=True)
class Diff:
    added: list[Entry]
    removed: list[Entry]
    changed: list[Entry]

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "added": [e.as_dict("added") for e in self.added],
            "removed": [e.as_dict("removed") for e in self.removed],
            "changed": [e.as_dict("changed") for e in self.changed],
        }

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def diff(old: Register | None, new: Register | None) -> Diff:
    """What changed from ``old`` to ``new`` (None: an empty register), kind by kind, in id order.

    >>> from graph.model import Organisation, Register
    >>> from graph.vocab import OrgType
    >>> before = Register("r", "r", organisations=[Organisation("X1", "Old name", OrgType.SUPPLIER)])
    >>> after = Register("r", "r", organisations=[Organisation("X1", "New name", OrgType.SUPPLIER)])
    >>> diff(before, after).changed
    [Entry(kind='organisation', id='X1', fields={'name': ('Old name', 'New name')}, record={})]
    """
    added: list[Entry] = []
    removed: list[Entry] = []
    changed: list[Entry] = []
    for kind, table, cls, key in KINDS:
        before = {str(getattr(r, key)): r for r in (getattr(old, table) if old else [])}
        after = {str(getattr(r, key)): r for r in (getattr(new, table) if new else [])}
        names = [f.name for f in dataclasses.fields(cls) if f.compare]
        for identifier in sorted(after.keys() - before.keys()):
            added.append(Entry(kind, identifier, record=to_record(after[identifier])))
        for identifier in sorted(before.keys() - after.keys()):
            removed.append(Entry(kind, identifier, record=to_record(before[identifier])))
        for identifier in sorted(before.keys() & after.keys()):
            if before[identifier] == after[identifier]:
                continue
            was, now = to_record(before[identifier]), to_record(after[identifier])
            fields = {n: (was.get(n), now.get(n)) for n in names if was.get(n) != now.get(n)}
            if fields:
                changed.append(Entry(kind, identifier, fields=fields))
    return Diff(added, removed, changed)
