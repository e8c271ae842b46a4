"""One fixture runs every spec test on every store, as ehrQL runs its spec tests on every engine."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from browser_support import browser, page  # noqa: F401 - the browser tests' fixtures
from support import tiny_reference

from graph.memory import MemoryStore
from graph.model import ReferenceData, Register
from graph.store import Store
from loaders.register import validate_together

STORES = ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)]

MakeStore = Callable[..., Store]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``neo4j`` every test that needs a Neo4j: the Neo4j side of ``make_store`` is marked where it
    is declared; a test using any other fixture named for Neo4j (``make_neo4j_store``, a module's own
    ``neo4j_store``) is marked here, so ``-m "not neo4j"`` runs the embedded store alone."""
    for item in items:
        if any("neo4j" in name for name in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.neo4j)


def neo4j_uri() -> str:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        if os.environ.get("CI"):
            pytest.fail("NEO4J_URI is not set: Neo4j did not start, and CI must not skip its tests")
        pytest.skip("NEO4J_URI not set: run `make test` to start the project's Neo4j")
    return uri


@pytest.fixture(params=STORES)
def make_store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[MakeStore]:
    """Builds a store of the parametrised kind holding the given registers over a reference graph."""
    yield from _builder(request.param, tmp_path)


@pytest.fixture
def make_neo4j_store(tmp_path: Any) -> Iterator[MakeStore]:
    """For the few tests about the Neo4j store alone."""
    yield from _builder("neo4j", tmp_path)


def _builder(kind: str, tmp_path: Any) -> Iterator[MakeStore]:
    opened: list[Store] = []

    def build(*registers: Register, reference: ReferenceData | None = None) -> Store:
        reference = reference or tiny_reference()
        store: Store
        if kind == "embedded":
            store = MemoryStore(reference, tmp_path / f"data{len(opened)}")
        else:
            from graph.neo4j_store import Neo4jStore

            store = Neo4jStore.connect(neo4j_uri(), reference, database=os.environ.get("NEO4J_DATABASE"))
            store.reset()
        opened.append(store)
        if registers:
            validate_together(reference, {}, list(registers))
            store.replace(registers)
        return store

    yield build
    for store in opened:
        store.close()


def run(store: Store, name: str, **params: Any) -> list[dict[str, Any]]:
    from support import TODAY

    import queries

    query = queries.get(name)
    return store.run(query, query.bind(params, today=TODAY))


@pytest.fixture
def ask() -> Callable[..., list[dict[str, Any]]]:
    return run


def rows_of(rows: Sequence[dict[str, Any]], *columns: str) -> list[tuple[Any, ...]]:
    return [tuple(row[c] for c in columns) for row in rows]
