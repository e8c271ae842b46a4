"""Which agreements govern a flow: the rule, written once, for the networkx view and as Cypher.

The rule, from DOMAIN.md ("Which agreements govern a flow"):

    An agreement is paperwork for particular processing, not a blanket licence between two bodies: the
    shared care record's Art 26 arrangement does not make the same practices joint controllers of a PHM
    platform, and a DSA for population health management is no processor contract for a risk tool. So an
    agreement **governs a flow** when the flow lists it (``agreements`` column), or when the agreement's own
    scope (``covers`` in agreements.csv: flow ids or system ids; a system id covers every flow into or out
    of that system) names the flow.

``governs`` is the rule for one agreement and one flow; ``governing`` (networkx, through an index of
``covers`` built once per graph) and ``governing_list`` (Cypher, over the same index passed as a
parameter) give every agreement that governs a flow without testing every agreement. The IG checks
(``processor-contracts``, ``joint-arrangements``), the records (RoPA, IAFR) and the views use these.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from graph.codec import from_record
from graph.model import Agreement, Flow
from graph.plan import visible
from graph.store import CypherRunner, Row
from graph.view import GraphView


def governs(agreement: Agreement, flow: Flow) -> bool:
    """True when ``agreement`` governs ``flow``: the flow lists it, or its ``covers`` names the flow or a
    system at either end of it ("a system id covers every flow into or out of that system").

    Naming the flow's parties is not enough: an agreement is paperwork for particular processing.

    >>> from graph.vocab import AgreementType, DataCategory, Identifiability, Purpose
    >>> flow = Flow("f1", "A81001", "phm", (DataCategory.PRIMARY_CARE,), (Purpose.RISK_STRATIFICATION,),
    ...             Identifiability.PSEUDONYMISED, ("QOP",))
    >>> shcr = Agreement("shcr-jca", AgreementType.ART26_ARRANGEMENT, ("A81001", "QOP"), covers=("gmcr",))
    >>> phm = Agreement("phm-dsa", AgreementType.DSA, ("A81001", "QOP"), covers=("phm",))
    >>> governs(shcr, flow), governs(phm, flow)
    (False, True)
    """
    if agreement.agreement_id in flow.agreements:
        return True
    scope = agreement.covers
    return flow.flow_id in scope or flow.source in scope or flow.destination in scope


GOVERNS_CYPHER = (
    "({x}.id IN coalesce({f}.agreements, []) OR "
    "any(c IN coalesce({x}.covers, []) WHERE c IN [{f}.flow_id, {f}.source, {f}.destination]))"
)
"""Cypher for ``governs``: agreement node ``x`` governs ``FLOW`` relationship ``f`` (flows carry their
``source`` and ``destination`` ids as properties, agreements their ``covers`` list)."""


def governs_cypher(x: str = "x", f: str = "f") -> str:
    """Cypher: agreement ``x`` governs flow ``f`` (``governs``), for one pair already matched.

    >>> print(governs_cypher("a", "g"))  # doctest: +NORMALIZE_WHITESPACE
    (a.id IN coalesce(g.agreements, []) OR
     any(c IN coalesce(a.covers, []) WHERE c IN [g.flow_id, g.source, g.destination]))
    """
    return GOVERNS_CYPHER.format(x=x, f=f)


# --- every agreement that governs a flow, without testing every agreement --------------------------


def covering(agreements: Iterable[Agreement]) -> dict[str, frozenset[str]]:
    """Each id that some agreement's ``covers`` names (a flow or a system), with those agreements' ids."""
    index: dict[str, set[str]] = defaultdict(set)
    for agreement in agreements:
        for covered in agreement.covers:
            index[covered].add(agreement.agreement_id)
    return {covered: frozenset(ids) for covered, ids in index.items()}


def covering_index(view: GraphView) -> dict[str, frozenset[str]]:
    """``covering`` of the graph's agreements, built once per view."""
    return view.index("covering", lambda v: covering(v.agreements.values()))


def governing(view: GraphView, flow: Flow) -> frozenset[str]:
    """The ids of every agreement that governs ``flow`` (``governs`` true), from an index of the view's
    flows built on first use: the checks ask it of every flow with a processor or joint controllers."""
    index = view.index("governing", governing_index)
    found = index.get(flow.flow_id)
    return found if found is not None else governed_by(view.agreements, covering_index(view), flow)


def governed_by(
    agreements: Mapping[str, Agreement], covers: Mapping[str, frozenset[str]], flow: Flow
) -> frozenset[str]:
    """The agreements governing ``flow``: those it lists (that exist), and those whose ``covers``
    (``covering``'s index of ``agreements``) names it or either end of it."""
    found = {a for a in flow.agreements if a in agreements}
    for key in (flow.flow_id, flow.source, flow.destination):
        found |= covers.get(key, frozenset())
    return frozenset(found)


def governing_index(view: GraphView) -> dict[str, frozenset[str]]:
    """``governed_by`` of every flow of the view, by flow id (built inside ``view.index``, whose lock is not
    re-entrant, so the covers index is built here rather than asked of the view)."""
    covers = covering(view.agreements.values())
    return {flow_id: governed_by(view.agreements, covers, flow) for flow_id, flow in view.flows.items()}


COVERING_CYPHER = (
    f"MATCH (x:Agreement) WHERE x.covers IS NOT NULL AND {visible('x')} UNWIND x.covers AS covered "
    "RETURN covered, collect(x.id) AS agreements"
)


def covering_cypher(run: CypherRunner) -> dict[str, list[str]]:
    """``covering`` read from Neo4j, as a map to pass as the ``$covering`` parameter of ``governing_list``.

    Agreements with a scope are few; reading them once and looking each flow up in the map is a hash
    look-up per flow, where testing ``governs`` against every agreement would scan them all per flow.
    """
    return {row["covered"]: sorted(row["agreements"]) for row in run(COVERING_CYPHER)}


def governing_list(f: str = "f", covering: str = "$covering") -> str:
    """Cypher: the ids of the agreements that govern flow ``f`` (``governing``), given ``covering_cypher``'s
    map as a parameter. An id may appear twice (listed and covered); that does no harm to ``IN`` tests.

    >>> print(governing_list("g"))  # doctest: +NORMALIZE_WHITESPACE
    coalesce(g.agreements, []) + coalesce($covering[g.flow_id], []) + coalesce($covering[g.source], [])
     + coalesce($covering[g.destination], [])
    """
    ends = (f"{f}.flow_id", f"{f}.source", f"{f}.destination")
    return " + ".join([f"coalesce({f}.agreements, [])", *(f"coalesce({covering}[{key}], [])" for key in ends)])


# --- a store query: the agreements governing some flows, by flow id ------------------------------


def governing_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    """For each flow of ``params["ids"]`` in the graph, by flow id: the sorted ids of the agreements that
    govern it."""
    found = (view.flows.get(i) for i in sorted(set(params["ids"])))
    return [
        {"flow_id": flow.flow_id, "agreements": sorted(governing(view, flow))} for flow in found if flow is not None
    ]


GOVERNING_CYPHER = f"""
MATCH ()-[f:FLOW]->() WHERE f.flow_id IN $ids AND {visible("f")}
CALL (f) {{
  UNWIND {governing_list("f")} AS id
  MATCH (x:Agreement {{id: id}}) WHERE {visible("x")}
  RETURN collect(DISTINCT x.id) AS agreements
}}
RETURN f.flow_id AS flow_id, agreements
"""


def governing_on_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    """``governing_networkx`` on Neo4j: the same rows in the same order."""
    rows = run(GOVERNING_CYPHER, ids=sorted(set(params["ids"])), covering=covering_cypher(run))
    return [
        {"flow_id": row["flow_id"], "agreements": sorted(row["agreements"])}
        for row in sorted(rows, key=lambda r: r["flow_id"])
    ]


@dataclass(frozen=True, slots=True)
class Governing:
    """A store query (``store.run(GOVERNING, {"ids": [...]})``): which agreements govern each flow.

    A lookup for the views and the records, not a named question, so it is not in the catalogue.
    """

    name: str = "lookup:governing"

    def on_networkx(self, view: GraphView, params: Mapping[str, Any]) -> list[Row]:
        return governing_networkx(view, params)

    def on_cypher(self, run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
        return governing_on_cypher(run, params)


GOVERNING = Governing()


# --- the agreements a flow's page shows ----------------------------------------------------------


def parties_of(flow: Flow) -> set[str]:
    """Every organisation holding a role on the flow."""
    return {org for org, _ in flow.roles()}


def bears_on(agreement: Agreement, flow: Flow) -> bool:
    """Whether a flow's page shows ``agreement``: it governs the flow, or it names two or more of the flow's
    role holders, paperwork between the same parties that may govern other processing (the hint an IG
    officer needs when a check finds no contract or arrangement for this flow)."""
    return governs(agreement, flow) or len(parties_of(flow) & set(agreement.parties)) >= 2


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


FLOW_CYPHER = f"MATCH ()-[f:FLOW {{flow_id: $flow_id}}]->() WHERE {visible('f')} RETURN properties(f) AS flow"
AGREEMENTS_CYPHER = f"""
MATCH (x:Agreement)
WHERE (x.agreement_id IN $listed
   OR any(c IN coalesce(x.covers, []) WHERE c IN $ends)
   OR size([party IN x.parties WHERE party IN $parties]) >= 2) AND {visible("x")}
RETURN properties(x) AS agreement
"""


def flow_agreements_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    found = run(FLOW_CYPHER, flow_id=params["flow_id"])
    if not found:
        return []
    flow = from_record(Flow, found[0]["flow"])
    ends = [flow.flow_id, flow.source, flow.destination]
    records = run(AGREEMENTS_CYPHER, listed=list(flow.agreements), ends=ends, parties=sorted(parties_of(flow)))
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
