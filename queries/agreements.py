"""Which agreements govern a flow, and the agreements a flow's page shows, from either store.

The rule is written once, in :func:`governs`; both stores fetch the candidate agreements and judge them
with it, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from graph.codec import from_record
from graph.model import Agreement, Flow
from graph.store import CypherRunner, Row
from graph.view import GraphView


def governs(agreement: Agreement, flow: Flow) -> bool:
    """Whether ``agreement`` governs ``flow``. DOMAIN.md, "Which agreements govern a flow":

        An agreement is paperwork for particular processing, not a blanket licence between two bodies
        [...]. So an agreement **governs a flow** when the flow lists it (``agreements`` column), or
        when the agreement's own scope (``covers`` in agreements.csv: flow ids or system ids; a system
        id covers every flow into or out of that system) names the flow. An agreement that names the
        right parties but governs other processing does not satisfy the processor-contract or
        joint-arrangement checks for this flow.

    The model here has no ``covers`` column yet (agreements.csv gains it with the records-out work), so
    the flow's own list is the whole of an agreement's scope: an agreement governs a flow when the flow
    lists it.

    >>> flow = Flow("f1", "A81001", "shcr", (), (), "identifiable", ("A81001",), agreements=("dsa-1",))
    >>> governs(Agreement("dsa-1", "dsa", ("A81001",)), flow), governs(Agreement("jca", "dsa", ("A81001",)), flow)
    (True, False)
    """
    return agreement.agreement_id in flow.agreements


def parties_of(flow: Flow) -> set[str]:
    """Every organisation holding a role on the flow."""
    return {org for org, _ in flow.roles()}


def bears_on(agreement: Agreement, flow: Flow) -> bool:
    """Whether a flow's page shows ``agreement``: the flow lists it, or it names two or more of the flow's
    role holders, paperwork between the same parties that may govern other processing (the hint an IG
    officer needs when a check finds no contract or arrangement for this flow)."""
    return agreement.agreement_id in flow.agreements or len(parties_of(flow) & set(agreement.parties)) >= 2


def agreement_rows(flow: Flow, agreements: Iterable[Agreement], as_of: date) -> list[Row]:
    """The flow's page's agreements (``bears_on``), those that govern it first.

    Each says whether it governs the flow, whether it is valid at ``as_of``, and which of the flow's
    role holders it names. (A flow cannot list an agreement the graph lacks: the loader refuses it.)
    """
    parties = parties_of(flow)
    shown = [agreement for agreement in agreements if bears_on(agreement, flow)]
    rows: list[Row] = []
    for agreement in sorted(shown, key=lambda a: (not governs(a, flow), a.agreement_id)):
        rows.append(
            {
                "agreement_id": agreement.agreement_id,
                "agreement_type": agreement.agreement_type.value,
                "parties": list(agreement.parties),
                "names": sorted(parties & set(agreement.parties)),
                "start": agreement.start.isoformat() if agreement.start else None,
                "end": agreement.end.isoformat() if agreement.end else None,
                "reference": agreement.reference,
                "valid": agreement.valid_at(as_of),
                "governs": governs(agreement, flow),
            }
        )
    return rows


def flow_agreements_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    flow = view.flows.get(params["flow_id"])
    if flow is None:
        return []
    return agreement_rows(flow, view.agreements.values(), params["as_of"])


FLOW_CYPHER = "MATCH ()-[f:FLOW {flow_id: $flow_id}]->() RETURN properties(f) AS flow"
AGREEMENTS_CYPHER = """
MATCH (x:Agreement)
WHERE x.agreement_id IN $listed OR size([party IN x.parties WHERE party IN $parties]) >= 2
RETURN properties(x) AS agreement
"""


def flow_agreements_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    found = run(FLOW_CYPHER, flow_id=params["flow_id"])
    if not found:
        return []
    flow = from_record(Flow, found[0]["flow"])
    records = run(AGREEMENTS_CYPHER, listed=list(flow.agreements), parties=sorted(parties_of(flow)))
    return agreement_rows(flow, [from_record(Agreement, r["agreement"]) for r in records], params["as_of"])


@dataclass(frozen=True, slots=True)
class FlowAgreements:
    """A lookup, not in the catalogue: ``flow_id`` and ``as_of`` in, agreement rows out."""

    name: str = "lookup:flow-agreements"

    def on_networkx(self, view: GraphView, params: Mapping[str, Any]) -> list[Row]:
        return flow_agreements_networkx(view, params)

    def on_cypher(self, run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
        return flow_agreements_cypher(run, params)


FLOW_AGREEMENTS = FlowAgreements()
