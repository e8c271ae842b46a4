"""Spec tests of lineage: a tiny graph, the parameters, the exact rows, on every store."""

from __future__ import annotations

from typing import Any

import pytest
from support import SYSTEMS, Example, register

from graph.model import Register
from queries import ParamError

# A00001 -> gp-a -> shcr -> phm, with a shortcut A00001 -> shcr, a second practice into the ShCR, a
# view of the ShCR back into the practice, and aggregate data from the PHM on to the ICB.
FLOWS = """\
f1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,,
f2,gp-a,shcr,primary_care,direct_care,identifiable,A00001,,,
f3,A00001,shcr,primary_care;demographics,direct_care,identifiable,A00001,,,
f4,shcr,phm,primary_care;acute,population_health_management,pseudonymised,QAA,,,
f5,A00002,shcr,primary_care,direct_care,identifiable,A00002,,,
f6,shcr,A00001,acute,direct_care,identifiable,RAA,,,
f7,phm,QAA,primary_care,planning,aggregate,QAA,,,
"""


def graph() -> Register:
    return register(systems=SYSTEMS, flows=FLOWS)


def hops(rows: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    return [(row["hop"], row["node"], row["flow_id"]) for row in rows]


def test_downstream_rows_in_full(make_store, ask):
    store = make_store(graph())
    rows = ask(store, "lineage", node="A00001", max_depth=2)
    assert rows == [
        {
            "hop": 1,
            "flow_id": "f1",
            "source": "A00001",
            "destination": "gp-a",
            "node": "gp-a",
            "node_name": "Alpha GP system",
            "node_kind": "system",
            "node_type": "gp_clinical_system",
            "data_categories": ["primary_care"],
            "purposes": ["direct_care"],
            "identifiability": "identifiable",
        },
        # A flow between two nodes already reached is listed under its far end's distance.
        {
            "hop": 1,
            "flow_id": "f2",
            "source": "gp-a",
            "destination": "shcr",
            "node": "shcr",
            "node_name": "Alpha Care Record",
            "node_kind": "system",
            "node_type": "shared_care_record",
            "data_categories": ["primary_care"],
            "purposes": ["direct_care"],
            "identifiability": "identifiable",
        },
        {
            "hop": 1,
            "flow_id": "f3",
            "source": "A00001",
            "destination": "shcr",
            "node": "shcr",
            "node_name": "Alpha Care Record",
            "node_kind": "system",
            "node_type": "shared_care_record",
            "data_categories": ["demographics", "primary_care"],
            "purposes": ["direct_care"],
            "identifiability": "identifiable",
        },
        {
            "hop": 2,
            "flow_id": "f4",
            "source": "shcr",
            "destination": "phm",
            "node": "phm",
            "node_name": "Alpha PHM",
            "node_kind": "system",
            "node_type": "phm_platform",
            "data_categories": ["acute", "primary_care"],
            "purposes": ["population_health_management"],
            "identifiability": "pseudonymised",
        },
    ]


def test_default_depth_follows_to_the_end_and_not_back_into_the_start(make_store, ask):
    store = make_store(graph())
    # f6 (the ShCR back into the practice) is left out: the start node is never a row.
    assert hops(ask(store, "lineage", node="A00001")) == [
        (1, "gp-a", "f1"),
        (1, "shcr", "f2"),
        (1, "shcr", "f3"),
        (2, "phm", "f4"),
        (3, "QAA", "f7"),
    ]
    row = ask(store, "lineage", node="A00001")[-1]
    assert (row["node_kind"], row["node_type"], row["node_name"]) == ("organisation", "icb", "NHS Alpha ICB")


def test_max_depth_bounds_the_search(make_store, ask):
    store = make_store(graph())
    assert hops(ask(store, "lineage", node="A00001", max_depth=1)) == [(1, "gp-a", "f1"), (1, "shcr", "f3")]
    assert hops(ask(store, "lineage", node="gp-a", max_depth=2)) == [
        (1, "shcr", "f2"),
        (2, "A00001", "f6"),
        (2, "phm", "f4"),
    ]
    # At depth 3 the nodes at hop 2 are followed on: f3 leads back to the ShCR, at hop 1, and f1 back
    # into the start is left out.
    assert hops(ask(store, "lineage", node="gp-a", max_depth=3)) == [
        (1, "shcr", "f2"),
        (1, "shcr", "f3"),
        (2, "A00001", "f6"),
        (2, "phm", "f4"),
        (3, "QAA", "f7"),
    ]


@pytest.mark.parametrize("depth", [0, -1, 21])
def test_max_depth_out_of_range_is_a_parameter_error(make_store, ask, depth):
    store = make_store(graph())
    with pytest.raises(ParamError, match=r"max_depth.*1 to 20"):
        ask(store, "lineage", node="A00001", max_depth=depth)


def test_upstream_follows_flows_backwards(make_store, ask):
    store = make_store(graph())
    rows = ask(store, "lineage", node="phm", direction="upstream")
    # The far end of an upstream row is the flow's source; source and destination keep the flow's way.
    assert hops(rows) == [
        (1, "shcr", "f4"),
        (1, "shcr", "f6"),
        (2, "A00001", "f1"),
        (2, "A00001", "f3"),
        (2, "A00002", "f5"),
        (2, "gp-a", "f2"),
    ]
    assert (rows[0]["source"], rows[0]["destination"]) == ("shcr", "phm")
    assert hops(ask(store, "lineage", node="phm", direction="upstream", max_depth=1)) == [(1, "shcr", "f4")]


def test_category_filter_follows_only_flows_carrying_it(make_store, ask):
    store = make_store(graph())
    # Acute data: f4 carries it on from the ShCR, but nothing carries it from the practice into the ShCR.
    assert hops(ask(store, "lineage", node="A00001", category="acute")) == []
    assert hops(ask(store, "lineage", node="shcr", category="acute")) == [(1, "A00001", "f6"), (1, "phm", "f4")]
    assert hops(ask(store, "lineage", node="A00001", category="demographics")) == [(1, "shcr", "f3")]


def test_purpose_filter(make_store, ask):
    store = make_store(graph())
    assert hops(ask(store, "lineage", node="A00001", purpose="direct_care")) == [
        (1, "gp-a", "f1"),
        (1, "shcr", "f2"),
        (1, "shcr", "f3"),
    ]
    assert hops(ask(store, "lineage", node="QAA", direction="upstream", purpose="planning")) == [(1, "phm", "f7")]


def test_identifiability_filter(make_store, ask):
    store = make_store(graph())
    assert hops(ask(store, "lineage", node="shcr", identifiability="pseudonymised")) == [(1, "phm", "f4")]
    assert hops(ask(store, "lineage", node="phm", direction="upstream", identifiability="identifiable")) == []
    # Filters combine: every one given must match.
    both = ask(store, "lineage", node="shcr", identifiability="pseudonymised", purpose="direct_care")
    assert both == []


def test_only_flows_live_at_the_date_are_followed(make_store, ask):
    store = make_store(
        register(
            systems=SYSTEMS,
            flows="""f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,live,2020-01-01,2025-03-31
f2,A00001,gp-a,primary_care,direct_care,identifiable,A00001,ceased,,
f3,A00001,epr,primary_care,direct_care,identifiable,A00001,planned,,
f4,A00001,phm,primary_care,planning,pseudonymised,QAA,paused,,
f5,A00001,RAA,primary_care,direct_care,identifiable,A00001,live,2026-11-25,
f6,shcr,phm,primary_care,planning,pseudonymised,QAA,live,,
""",
        )
    )
    assert hops(ask(store, "lineage", node="A00001")) == [(1, "RAA", "f5")]
    assert hops(ask(store, "lineage", node="A00001", as_of="2024-06-30")) == [(1, "shcr", "f1"), (2, "phm", "f6")]


def test_a_node_with_no_flows_reaches_nothing(make_store, ask):
    store = make_store(graph())
    assert ask(store, "lineage", node="B00001") == []
    assert ask(store, "lineage", node="A00002", direction="upstream") == []


def test_unknown_node_is_a_parameter_error_naming_it(make_store, ask):
    store = make_store(graph())
    with pytest.raises(ParamError, match="'X99999'"):
        ask(store, "lineage", node="X99999")


DOC_EXAMPLES = {"lineage": Example(graph, {"node": "A00001", "max_depth": 3})}
