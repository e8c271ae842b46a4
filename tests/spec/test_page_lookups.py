"""The pages' lookups on both stores: a flow's agreements (and which govern it) and the search's entries."""

from __future__ import annotations

from datetime import date

from support import SYSTEMS, TODAY, register

from graph.store import Store
from queries.agreements import FLOW_AGREEMENTS
from queries.search import SEARCH_ENTRIES, Entry, SearchIndex

AGREEMENTS = """\
agreement_id,agreement_type,parties,start,end,reference
dsa-f1,dsa,A00001;QAA,2020-01-01,,the flow's own DSA
jca,art26_arrangement,A00001;A00002,2020-01-01,2024-03-31,the ShCR's joint arrangement
art28,art28_contract,QAA;RAA,2020-01-01,,the PHM processor contract
"""
FLOWS = """\
flow_id,source,destination,data_categories,purposes,identifiability,controllers,processors,agreements
f1,A00001,shcr,primary_care,direct_care,identifiable,A00001;A00002,,dsa-f1
f2,shcr,phm,primary_care,population_health_management,pseudonymised,QAA,RAA,
f3,A00003,gp-a,primary_care,direct_care,identifiable,A00003,,
"""


def _store(make_store) -> Store:  # type: ignore[no-untyped-def]
    return make_store(register(systems=SYSTEMS, flows=FLOWS, agreements=AGREEMENTS))


def agreements(store: Store, flow_id: str, as_of: date = TODAY) -> list[dict[str, object]]:
    return store.run(FLOW_AGREEMENTS, {"flow_id": flow_id, "as_of": as_of})


def test_a_flows_own_agreements_govern_it_and_others_naming_its_parties_do_not(make_store):
    store = _store(make_store)
    rows = agreements(store, "f1")
    # Listed, dsa-f1 governs though it names one role holder; jca names both but is not listed.
    assert [(r["agreement_id"], r["governs"], r["valid"], r["names"]) for r in rows] == [
        ("dsa-f1", True, True, ["A00001"]),
        ("jca", False, False, ["A00001", "A00002"]),
    ]
    assert rows[0] == {
        "agreement_id": "dsa-f1",
        "agreement_type": "dsa",
        "parties": ["A00001", "QAA"],
        "names": ["A00001"],
        "start": "2020-01-01",
        "end": None,
        "reference": "the flow's own DSA",
        "valid": True,
        "governs": True,
    }
    # Valid in 2023, before the arrangement ended; it still governs other processing, not f1.
    assert [(r["agreement_id"], r["valid"]) for r in agreements(store, "f1", date(2023, 1, 1))][:2] == [
        ("dsa-f1", True),
        ("jca", True),
    ]


def test_a_processor_contract_naming_the_parties_but_not_listed_does_not_govern(make_store):
    store = _store(make_store)
    # dsa-f1 names QAA alone of f2's role holders: not shown.
    assert [(r["agreement_id"], r["governs"], r["names"]) for r in agreements(store, "f2")] == [
        ("art28", False, ["QAA", "RAA"]),
    ]
    assert agreements(store, "f3") == []
    assert agreements(store, "nope") == []


def test_search_entries_are_the_same_on_both_stores(make_store):
    store = _store(make_store)
    [row] = store.run(SEARCH_ENTRIES, {})
    entries: list[Entry] = row["entries"]
    found = {(e.kind, e.id): e for e in entries}
    assert found[("flow", "f1")] == Entry("flow", "f1", "Practice A00001 → Alpha Care Record", "flow")
    assert found[("organisation", "QAA")] == Entry("organisation", "QAA", "NHS Alpha ICB", "icb", "QAA")
    assert found[("system", "shcr")] == Entry("system", "shcr", "Alpha Care Record", "shared_care_record", "QAA")
    # Every node and flow once, in the index's order (ICBs first, flows last).
    assert len(entries) == len(found) == sum(store.counts()[k] for k in ("organisations", "systems", "flows"))
    assert [e.kind for e in entries][-3:] == ["flow", "flow", "flow"] and entries[0].type == "icb"
    hits = SearchIndex(entries).search("alpha care", 3)
    assert [(h["id"], h["match"]) for h in hits] == [("shcr", "prefix"), ("f2", "prefix"), ("f1", "words")]
