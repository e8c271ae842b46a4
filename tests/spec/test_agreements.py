"""Spec tests of the rule for which agreements govern a flow (``queries.agreements``), on every store.

DOMAIN.md: an agreement governs a flow when the flow lists it, or when the agreement's ``covers`` names
the flow or a system at either end of it; naming the flow's parties is not enough.
"""

from __future__ import annotations

from check_support import ALL_SYSTEMS, flow, flows
from support import header, register

from queries.agreements import GOVERNING, governs, governs_cypher

AGREEMENTS = (
    header("agreements", "agreement_id", "agreement_type", "parties", "covers")
    + "\n"
    + """\
listed,dsa,RAA;QAA,
by-flow,dsa,RAA;QAA,f2
by-source,art26_arrangement,A00001;RAA,epr
by-destination,art28_contract,RAA;QAA,phm
by-other-system,art26_arrangement,A00001;RAA,shcr
by-other-flow,dsa,RAA;QAA,f9
parties-only,dsa,RAA;QAA,
"""
)


def graph() -> object:
    return register(
        systems=ALL_SYSTEMS,
        agreements=AGREEMENTS,
        flows=flows(
            flow("f1", agreements="listed"),  # RAA -> epr
            flow("f2"),  # RAA -> epr
            flow("f3", source="epr", destination="phm", controllers="QAA"),
            flow("f4", source="A00001", destination="gp-a", controllers="A00001"),
            flow("f9", source="A00001", destination="shcr", controllers="A00001"),
        ),
    )


def test_an_agreement_governs_the_flows_that_list_it_or_that_its_covers_names(make_store):
    store = make_store(graph())
    rows = store.run(GOVERNING, {"ids": ["f1", "f2", "f3", "f4", "f9", "no-such-flow"]})
    assert rows == [
        # f1 lists "listed"; every flow into or out of epr is covered by "by-source".
        {"flow_id": "f1", "agreements": ["by-source", "listed"]},
        {"flow_id": "f2", "agreements": ["by-flow", "by-source"]},
        # f3 leaves epr and enters phm: covered by both systems' agreements.
        {"flow_id": "f3", "agreements": ["by-destination", "by-source"]},
        # Nothing governs f4 though "parties-only" and "listed" name organisations of the graph.
        {"flow_id": "f4", "agreements": []},
        {"flow_id": "f9", "agreements": ["by-other-flow", "by-other-system"]},
    ]


class Pairs:
    """Every (agreement, flow) pair for which ``governs`` holds: the pure rule on networkx, its Cypher
    counterpart ``governs_cypher`` on Neo4j."""

    name = "test:governs-pairs"

    def on_networkx(self, view, params):
        pairs = [(a, f) for a in view.agreements.values() for f in view.flows.values()]
        found = [{"agreement": a.agreement_id, "flow": f.flow_id} for a, f in pairs if governs(a, f)]
        return sorted(found, key=lambda row: (row["agreement"], row["flow"]))

    def on_cypher(self, run, params):
        rows = run(
            f"MATCH (x:Agreement), ()-[f:FLOW]->() WHERE {governs_cypher('x', 'f')} "
            "RETURN x.id AS agreement, f.flow_id AS flow"
        )
        return sorted(rows, key=lambda row: (row["agreement"], row["flow"]))


def test_governs_its_cypher_and_the_store_query_agree_on_every_pair(make_store):
    store = make_store(graph())
    pairs = store.run(Pairs(), {})
    governed = store.run(GOVERNING, {"ids": ["f1", "f2", "f3", "f4", "f9"]})
    assert pairs == sorted(
        ({"agreement": agreement, "flow": row["flow_id"]} for row in governed for agreement in row["agreements"]),
        key=lambda pair: (pair["agreement"], pair["flow"]),
    )
    assert "parties-only" not in {pair["agreement"] for pair in pairs}
    assert len(pairs) == 8
