"""The small interface every store implements, and the query shape stores run.

The embedded networkx store (``graph.memory``) is the default and the reference semantics: its queries
read a ``graph.view.GraphView``. The Neo4j store (``graph.neo4j_store``) must give the same answer to
every named query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from graph.history import Version
from graph.model import Register
from graph.neighbourhood import Neighbourhood
from graph.view import GraphView

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RegisterInfo:
    """What is loaded of one register: its name, the file it came from, when it last changed, how much, and
    which of its versions it is (None for a register loaded before icsgraph kept versions)."""

    name: str
    path: str
    loaded_at: str
    counts: Mapping[str, int]
    version: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "loaded_at": self.loaded_at,
            "counts": dict(self.counts),
            "version": self.version,
        }


class Query(Protocol):
    """A named query as a store sees it: one implementation per store, side by side."""

    @property
    def name(self) -> str: ...

    def on_networkx(self, view: GraphView, params: Mapping[str, Any]) -> list[Row]: ...

    def on_cypher(self, run: CypherRunner, params: Mapping[str, Any]) -> list[Row]: ...


class CypherRunner(Protocol):
    """Runs one Cypher statement with parameters and returns its records as dicts."""

    def __call__(self, cypher: str, /, **params: Any) -> list[dict[str, Any]]: ...


class Store(Protocol):
    kind: str

    def loaded(self) -> dict[str, Register]:
        """Every loaded register, by name, as it was loaded."""
        ...

    def registers(self) -> list[RegisterInfo]: ...

    def replace(
        self, registers: Sequence[Register], *, actor: str = "", note: str = "", validated_at: str | None = None
    ) -> list[RegisterInfo]:
        """Load validated registers as one step, replacing any loaded under the same names.

        Either all of it is stored, or nothing changes. Each register that differs from the version in the
        graph becomes its next version (``graph.history``), recorded as made by ``actor``, in the same step;
        one identical to it is left as it is, and keeps its version and load time. ``validated_at``: the
        store's ``version()`` the registers were validated at; if another writer has changed the graph
        since, nothing is written (``ChangedSinceValidated``).
        """
        ...

    def remove(self, names: Sequence[str], *, validated_at: str | None = None) -> None:
        """Take registers out of the graph; their versions are kept. ``validated_at`` as for ``replace``."""
        ...

    def neighbourhood(self, registers: Sequence[Register], removing: Sequence[str] = ()) -> Neighbourhood:
        """What validating a change (loading ``registers``, removing ``removing``) needs of the graph, read
        for the ids it touches only (``graph.neighbourhood``)."""
        ...

    def versions(self, name: str | None = None) -> list[Version]:
        """Every version of the register so named (of every register for None), oldest first."""
        ...

    def version_register(self, name: str, version: int) -> Register:
        """The register as it was at that version (``StoreError`` when there is no such version)."""
        ...

    def counts(self) -> dict[str, int]: ...

    def version(self) -> str:
        """Changes whenever the graph does: answers can be cached per version."""
        ...

    def run(self, query: Query, params: Mapping[str, Any]) -> list[Row]: ...

    def close(self) -> None: ...


class StoreError(Exception):
    """The store could not do what was asked (unreachable database, unreadable data directory)."""


class ChangedSinceValidated(StoreError):
    """Another writer changed the graph between a change's validation and its write: nothing was written."""


def still(validated_at: str | None, version: str) -> None:
    """Raise ``ChangedSinceValidated`` unless the graph is at the version a change was validated at."""
    if validated_at is not None and validated_at != version:
        raise ChangedSinceValidated(
            "another writer changed the graph while this change was being checked: nothing was changed; "
            "send it again to have it checked against the graph as it is now"
        )
