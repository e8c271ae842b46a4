"""A register change applied in place of a full rebuild gives the same graph, and the same verdict.

The embedded store applies each change to the graph it holds (graph.ledger), the Neo4j store writes only
what it changes (graph.plan): random sequences of loads and removals, each validated by
``validate_together``, must leave exactly the graph that merging every loaded register afresh gives.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from conftest import neo4j_uri
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import SYSTEMS, register
from test_agreement import EXAMPLES, REFERENCE, registers

import queries
from graph.codec import from_record
from graph.memory import MemoryStore
from graph.merge import merge
from graph.model import Agreement, Flow, Organisation, Register, System
from graph.neo4j_store import Neo4jStore
from graph.plan import visible
from loaders.register import InvalidRegister, validate_together


def renamed(drawn: Register, name: str) -> Register:
    return replace(
        drawn,
        name=name,
        path=name,
        organisations=[replace(o, source=name) for o in drawn.organisations],
        systems=[replace(s, source=name) for s in drawn.systems],
        flows=[replace(f, source_register=name) for f in drawn.flows],
        agreements=[replace(a, source_register=name) for a in drawn.agreements],
    )


def verdict(work: object) -> str:
    try:
        work()  # type: ignore[operator]
    except InvalidRegister:
        return "refused"
    return "accepted"


def neo4j_contents(store: Neo4jStore) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Every node, flow and agreement of the current generation, as records."""
    generation = int(store.version().removeprefix("neo4j-"))
    nodes = {
        r["props"]["id"]: from_record(Organisation if r["organisation"] else System, r["props"])
        for r in store._read("MATCH (n:Node) RETURN properties(n) AS props, n:Organisation AS organisation")
    }
    flows = {
        r["props"]["flow_id"]: from_record(Flow, r["props"])
        for r in store._read(
            f"MATCH ()-[f:FLOW]->() WHERE {visible('f')} RETURN properties(f) AS props", generation=generation
        )
    }
    agreements = {
        r["props"]["id"]: from_record(Agreement, r["props"])
        for r in store._read(
            f"MATCH (a:Agreement) WHERE {visible('a')} RETURN properties(a) AS props", generation=generation
        )
    }
    return nodes, flows, agreements


@pytest.fixture(scope="module")
def neo4j_store() -> Iterator[Neo4jStore]:
    store = Neo4jStore.connect(neo4j_uri(), REFERENCE, database=os.environ.get("NEO4J_DATABASE"))
    yield store
    store.reset()
    store.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_changes_applied_in_place_equal_a_fresh_merge(data, tmp_path_factory):
    changes(data, MemoryStore(REFERENCE, tmp_path_factory.mktemp("data")))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_neo4j_changes_written_in_place_equal_a_fresh_merge(data, neo4j_store):
    neo4j_store.reset()
    changes(data, neo4j_store)


def changes(data: st.DataObject, store: Any) -> None:
    """Random loads and removals, each checked against validate_together and a fresh merge."""
    for _ in range(data.draw(st.integers(1, 5))):
        name = data.draw(st.sampled_from(["r1", "r2", "r3"]))
        loaded = store.loaded()
        if name in loaded and data.draw(st.booleans()):
            remaining = [r for n, r in loaded.items() if n != name]
            expected = verdict(lambda r=remaining: validate_together(REFERENCE, {}, r))
            if expected == "accepted":
                store.remove([name])
        else:
            incoming = renamed(data.draw(registers()), name)
            expected = verdict(lambda i=incoming, loaded=loaded: validate_together(REFERENCE, loaded, [i]))
            if expected == "accepted":
                store.replace([incoming])
        fresh = merge(REFERENCE, store.loaded().values())
        if isinstance(store, MemoryStore):
            view = store.view
            assert (view.nodes, view.flows, view.agreements) == (fresh.nodes, fresh.flows, fresh.agreements)
            assert MemoryStore(REFERENCE, store.data_dir).loaded() == store.loaded()  # and on disk, whole
        else:
            assert neo4j_contents(store) == (fresh.nodes, fresh.flows, fresh.agreements)
            # And every query reading the graph as a whole agrees with the embedded store's answer.
            embedded = MemoryStore(REFERENCE, None)
            embedded.replace(list(store.loaded().values()))
            for national in (False, True):
                for name in ("practices-shcr-only", "icb-shcr-only-summary"):
                    query = queries.get(name)
                    bound = query.bind({"include_national_collections": national})
                    assert store.run(query, bound) == embedded.run(query, bound)
        assert store.counts() == fresh.counts()


def test_an_element_two_registers_define_stays_until_both_are_gone(make_store, ask):
    shared = "org_id,name,org_type\nsup,Shared Supplier,supplier"
    flow = "f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,"
    store = make_store(
        register("one", systems=SYSTEMS, organisations=shared, flows=flow),
        register("two", systems=SYSTEMS, organisations=shared, flows=flow),
    )
    counts = store.counts()
    store.remove(["one"])
    assert store.counts() == counts  # every element is still defined by "two"
    assert [r["practice"] for r in ask(store, "practices-shcr-only", icb="QAA")][:1] == ["A00001"]
    rows = ask(store, "system-controllers", system="shcr")
    assert [(r["organisation"], r["flows"]) for r in rows] == [("A00001", ["f1"])]
    store.remove(["two"])
    assert store.counts()["flows"] == 0 and store.counts()["systems"] == 0
