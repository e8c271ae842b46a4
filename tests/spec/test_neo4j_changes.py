"""Per-register changes on a real Neo4j: only what a register changes is written, invisibly until it is whole.

A change of one register must leave the other registers' nodes, flows and agreements as they were (the
same elements: their element ids unchanged); a change that fails between its batches, or whose writer
dies, must leave the previous graph intact and visible to readers throughout; a second writer waits
for the first; the versions a change makes exist exactly when it is in the graph.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import neo4j_uri
from support import SYSTEMS, register, tiny_reference

import graph.neo4j_writer as writer
import queries
from graph.neo4j_store import Neo4jStore
from graph.store import StoreError

ALPHA_FLOWS = "\n".join(
    [
        "f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,",
        "f2,A00002,phm,primary_care,planning,pseudonymised,QAA,,,",
        *(f"g{i},A0000{1 + i % 3},gp-a,primary_care,direct_care,identifiable,A0000{1 + i % 3},,," for i in range(30)),
    ]
)
ALPHA_ORGANISATIONS = "org_id,name,org_type\nA00002,Renamed Practice,gp_practice\nsup-a,Alpha Supplier,supplier"
BETA = {
    "systems": "epr-b,Beta EPR,epr,,,QBB,UK\nshcr-b,Beta Care Record,shared_care_record,,,QBB,UK",
    "organisations": "org_id,name,org_type\nsup-b,Beta Supplier,supplier",
    "agreements": "agreement_id,agreement_type,parties,start,end\nb1,dsa,B00001;QBB,2020-01-01,",
    "flows": "\n".join(
        [
            "flow_id,source,destination,data_categories,purposes,identifiability,controllers,agreements",
            "t1,B00001,epr-b,acute,direct_care,identifiable,B00001,b1",
            "t2,B00001,shcr-b,primary_care,direct_care,identifiable,B00001,b1",
        ]
    ),
}


def alpha(flows: str = ALPHA_FLOWS, organisations: str = ALPHA_ORGANISATIONS) -> Any:
    return register("alpha", systems=SYSTEMS, organisations=organisations, flows=flows)


def beta() -> Any:
    return register("beta", **BETA)


@pytest.fixture
def reader() -> Iterator[Neo4jStore]:
    """A second connection: what another user of the server sees while a change is written."""
    store = Neo4jStore.connect(neo4j_uri(), tiny_reference(), database=os.environ.get("NEO4J_DATABASE"))
    yield store
    store.close()


def element_ids(store: Neo4jStore) -> dict[str, str]:
    """Every element's id in Neo4j, keyed by what it is ("node:A00001", "flow:t1", "agreement:b1")."""
    with store.driver.session(database=store.database) as session:
        found = {
            f"node:{r['id']}": r["element"]
            for r in session.run("MATCH (n:Node) RETURN n.id AS id, elementId(n) AS element")
        }
        found.update(
            (f"flow:{r['id']}", r["element"])
            for r in session.run("MATCH ()-[f:FLOW]->() RETURN f.flow_id AS id, elementId(f) AS element")
        )
        found.update(
            (f"agreement:{r['id']}", r["element"])
            for r in session.run("MATCH (a:Agreement) RETURN a.id AS id, elementId(a) AS element")
        )
    return found


def seen(store: Neo4jStore) -> tuple[Any, ...]:
    """What a reader sees: registers, counts, every query's answer that reads the whole graph."""
    answers = []
    for name in ("practices-shcr-only", "icb-shcr-only-summary", "lawful-basis", "role-holders", "data-copies"):
        query = queries.get(name)
        raw = {"icb": "QAA", "category": "primary_care"} if name == "data-copies" else {}
        answers.append(store.run(query, query.bind(raw)))
    return sorted(store.loaded()), store.counts(), [i.name for i in store.registers()], answers


def leftovers(store: Neo4jStore) -> dict[str, int]:
    """Anything a change left behind: staged or retired elements, a held lease."""
    with store.driver.session(database=store.database) as session:
        row = session.run(
            "MATCH (m:Meta {key: 'graph'}) "
            "CALL () { MATCH (n) WHERE n:StagedNode OR n:StagedRegister OR n:Retired RETURN count(n) AS nodes } "
            "CALL (m) { MATCH ()-[f:FLOW]->() WHERE NOT 0 <= f.v <= m.generation RETURN count(f) AS flows } "
            "CALL (m) { MATCH (a:Agreement) WHERE NOT 0 <= a.v <= m.generation RETURN count(a) AS agreements } "
            "RETURN nodes, flows, agreements, CASE WHEN m.writer IS NULL THEN 0 ELSE 1 END AS lease"
        ).single()
    assert row is not None
    return dict(row)


NOTHING_LEFT = {"nodes": 0, "flows": 0, "agreements": 0, "lease": 0}


def test_a_change_of_one_register_leaves_every_other_registers_elements_untouched(make_neo4j_store):
    store = make_neo4j_store(alpha(), beta())
    before = element_ids(store)
    beta_own = {key for key in before if key in {"node:epr-b", "node:shcr-b", "node:sup-b", "flow:t1", "flow:t2"}}
    beta_own |= {"agreement:b1", "node:B00001", "node:QBB"}
    assert len(beta_own) == 8
    changed = ALPHA_FLOWS.replace("f2,A00002,phm", "f2,A00003,phm")
    changed += "\nf9,A00003,gpes,primary_care,planning,pseudonymised,QAA,,,"
    store.replace([alpha(flows=changed)])
    after = element_ids(store)
    assert {key: after[key] for key in beta_own} == {key: before[key] for key in beta_own}
    # Only what alpha changed was written: its unchanged flows are the same elements too.
    assert after["flow:f1"] == before["flow:f1"] and after["flow:g7"] == before["flow:g7"]
    assert after["flow:f2"] != before["flow:f2"] and "flow:f9" in after
    store.remove(["alpha"])
    gone = element_ids(store)
    assert {key: gone[key] for key in beta_own} == {key: before[key] for key in beta_own}
    assert not any(key.startswith("flow:g") for key in gone) and "node:sup-a" not in gone
    assert leftovers(store) == NOTHING_LEFT


def test_a_change_failing_between_batches_leaves_the_previous_graph_visible_throughout(make_neo4j_store, reader):
    store = make_neo4j_store(alpha(), beta())
    before, ids = seen(reader), element_ids(store)
    store.batch_size = 4
    observed: list[tuple[str, int]] = []

    def look_then_fail(label: str, sent: int) -> None:
        assert seen(reader) == before, f"a reader saw part of the change after {label} batch {sent}"
        observed.append((label, sent))
        if label == "registers":
            raise RuntimeError("killed midway")

    store.after_batch = look_then_fail
    bigger = ALPHA_FLOWS.replace("planning,pseudonymised", "research,identifiable") + "".join(
        f"\nh{i},A00003,phm,primary_care,planning,pseudonymised,QAA,,," for i in range(12)
    )
    with pytest.raises(RuntimeError, match="killed midway"):
        store.replace([alpha(flows=bigger, organisations="org_id,name,org_type\nsup-c,Gamma,supplier")])
    # It was stopped late: nodes, flows and retirements had all been written in several batches.
    assert {"organisations", "flows", "retire flows"} <= {label for label, _ in observed}
    assert ("flows", 8) in observed
    assert seen(reader) == before and element_ids(store) == ids
    assert leftovers(store) == NOTHING_LEFT

    store.after_batch = None
    store.replace([alpha(flows=bigger)])
    assert seen(reader) != before and reader.counts()["flows"] == store.counts()["flows"] == 32 + 12 + 2


def test_a_removal_failing_between_batches_leaves_the_previous_graph_visible_throughout(make_neo4j_store, reader):
    store = make_neo4j_store(alpha(), beta())
    before, ids = seen(reader), element_ids(store)
    store.batch_size = 5

    def look_then_fail(label: str, sent: int) -> None:
        assert seen(reader) == before
        if label == "retire flows" and sent == 20:
            raise RuntimeError("killed midway")

    store.after_batch = look_then_fail
    with pytest.raises(RuntimeError, match="killed midway"):
        store.remove(["alpha"])
    assert seen(reader) == before and element_ids(store) == ids and leftovers(store) == NOTHING_LEFT
    store.after_batch = None
    store.remove(["alpha"])
    assert reader.counts()["flows"] == 2 and sorted(reader.loaded()) == ["beta"]


def test_a_writer_that_dies_midway_is_cleaned_up_by_the_next(make_neo4j_store, reader, monkeypatch):
    store = make_neo4j_store(alpha(), beta())
    before = seen(reader)
    store.batch_size = 4

    def die(label: str, sent: int) -> None:
        if label == "retire flows":
            raise KeyboardInterrupt  # stands for the process dying: nothing is undone

    monkeypatch.setattr(Neo4jStore, "_undo", staticmethod(lambda change: None))
    store.after_batch = die
    with pytest.raises(KeyboardInterrupt):
        store.replace([alpha(flows=ALPHA_FLOWS.replace("planning", "research"))])
    assert seen(reader) == before  # staged and half-retired, but nothing of it shows
    assert leftovers(reader)["lease"] == 1 and leftovers(reader)["flows"] > 0

    monkeypatch.undo()
    monkeypatch.setattr(writer, "LEASE_MS", 500)  # the dead writer's lease lapses quickly
    store.after_batch = None
    store.replace([alpha(flows=ALPHA_FLOWS.replace("planning", "research"))])
    assert leftovers(reader) == NOTHING_LEFT
    assert reader.counts() == {"organisations": 14, "systems": 7, "flows": 34, "agreements": 1}


def test_a_second_writer_waits_for_the_first_then_gives_up_with_advice(make_neo4j_store, monkeypatch):
    store = make_neo4j_store(beta())
    first = writer.Change(store.driver, store.database, 10)
    first.claim()
    monkeypatch.setattr(writer, "WAIT_SECONDS", 1.0)
    with pytest.raises(StoreError, match="another change is being written"):
        store.replace([alpha()])
    first.release()
    store.replace([alpha()])
    assert sorted(store.loaded()) == ["alpha", "beta"]


def test_a_failed_change_makes_no_version_and_a_made_one_makes_exactly_one(make_neo4j_store, reader):
    store = make_neo4j_store(alpha(), beta())
    versions = [(v.name, v.version) for v in reader.versions()]
    store.batch_size = 4

    def fail(label: str, sent: int) -> None:
        assert [(v.name, v.version) for v in reader.versions()] == versions
        if label == "registers":
            raise RuntimeError("killed midway")

    store.after_batch = fail
    changed = alpha(flows=ALPHA_FLOWS.replace("planning", "research"))
    with pytest.raises(RuntimeError, match="killed midway"):
        store.replace([changed], actor="alice")
    assert [(v.name, v.version) for v in reader.versions()] == versions
    store.after_batch = None
    (info,) = store.replace([changed], actor="alice")
    assert info.version == 2 and [(v.name, v.version) for v in reader.versions("alpha")] == [("alpha", 1), ("alpha", 2)]

    def by_id(flows: Any) -> list[Any]:
        return sorted(flows, key=lambda flow: flow.flow_id)

    assert by_id(reader.version_register("alpha", 2).flows) == by_id(changed.flows)
