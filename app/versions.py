"""A register's history as the CLI and the API show it: its versions, and what changed between two.

Both read the store (``Store.versions``, ``Store.version_register``) and ``graph.diff``; the CLI prints
the documents these build as tables or JSON, the API returns them.
"""

from __future__ import annotations

from typing import Any

from app.changes import NoSuchRegister
from graph.diff import diff
from graph.history import Version
from graph.store import Store


def history(store: Store, name: str) -> list[Version]:
    """Every version of the register, oldest first; ``NoSuchRegister`` when it never had one."""
    versions = store.versions(name)
    if not versions:
        named = sorted({v.name for v in store.versions()})
        raise NoSuchRegister(
            f"register {name!r} has no versions; registers with versions: {', '.join(named) or 'none'}"
        )
    return versions


def listed(store: Store, name: str) -> list[dict[str, Any]]:
    """The versions as documents, the one in the graph marked ``current``."""
    in_graph = {info.name: info.version for info in store.registers()}.get(name)
    return [{**v.as_dict(), "current": v.version == in_graph} for v in history(store, name)]


def compare(store: Store, name: str, old: int | None = None, new: int | None = None) -> dict[str, Any]:
    """What changed from version ``old`` to version ``new`` of a register. By default ``new`` is the last
    version and ``old`` the one before it (none before version 1: everything is added)."""
    numbers = [v.version for v in history(store, name)]
    new = numbers[-1] if new is None else new
    for number in (old, new):
        if number is not None and number not in numbers:
            raise NoSuchRegister(
                f"register {name!r} has no version {number}; its versions: {', '.join(map(str, numbers))}"
            )
    if old is None:
        earlier = [n for n in numbers if n < new]
        old = earlier[-1] if earlier else None
    before = store.version_register(name, old) if old is not None else None
    changes = diff(before, store.version_register(name, new)).as_dict()
    return {"name": name, "from": old, "to": new, **changes}
