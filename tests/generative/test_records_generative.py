"""Random registers (the strategy of ``test_agreement``) through the records and the exports.

- Export a loaded register (``icsgraph export register``'s writer), load what was written into a fresh
  store: every query of the catalogue gives the same answer, the graph the same counts.
- An organisation's dossier, RoPA and information assets and flows register are identical on both stores.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_agreement import (
    AS_OF,
    EXAMPLES,
    REFERENCE,
    REFERENCE_IDS,
    loaded_on_both,
    neo4j_store,
    outcome,
    params_for,
    registers,
)

import queries
from graph.memory import MemoryStore
from graph.neo4j_store import Neo4jStore
from loaders.register import read_register, validate_together
from loaders.register_writer import write_register
from queries.dossier import DOSSIER
from queries.iafr import IAFR
from queries.ropa import ROPA

__all__ = ["neo4j_store"]  # the module-scoped Neo4j fixture, shared with test_agreement


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_an_exported_register_loads_to_a_graph_that_answers_every_query_alike(
    scratch: Path, data: st.DataObject
) -> None:
    register = data.draw(registers())
    validate_together(REFERENCE, {}, [register])
    original = MemoryStore(REFERENCE, None)
    original.replace([register])
    folder = scratch / "random"
    for name, loaded in original.loaded().items():
        write_register(loaded, scratch / name)
    again = read_register(folder)
    validate_together(REFERENCE, {}, [again])
    reloaded = MemoryStore(REFERENCE, None)
    reloaded.replace([again])
    assert reloaded.counts() == original.counts()
    for query in queries.CATALOGUE.values():
        params = params_for(query, register, data.draw)
        assert outcome(reloaded, query, params) == outcome(original, query, params), f"{query.name} {params}"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_both_stores_give_identical_records(neo4j_store: Neo4jStore, data: st.DataObject) -> None:
    register = data.draw(registers())
    embedded = loaded_on_both(neo4j_store, register)
    org_ids = REFERENCE_IDS + [o.org_id for o in register.organisations]
    for org_id in data.draw(st.lists(st.sampled_from(org_ids), min_size=1, max_size=3, unique=True)):
        params = {"org_id": org_id, "as_of": data.draw(st.sampled_from(AS_OF))}
        for query in (DOSSIER, ROPA, IAFR):
            assert neo4j_store.run(query, params) == embedded.run(query, params), f"{query.name} {params}"
