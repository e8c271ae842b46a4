"""The information assets and flows register of one organisation (DSPT evidence item 1.1.2).

The Data Security and Protection Toolkit asks for a register of each use and sharing of personal
information: its purpose, legal basis, categories of data, recipients, where it is held and whether it
leaves the UK, the agreement in place and when it ends, and the systems involved. Here that is one row per
flow live at the date that the organisation sends or receives, that runs into or out of a system it
operates, or on which it holds a role (``queries.dossier``), every flow of any identifiability: an
anonymised extract is still a flow an IG officer accounts for. Cells hold only what the graph holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.model import Flow
from graph.store import CypherRunner, Row
from graph.view import GraphView
from graph.vocab import DataCategory, Purpose
from queries.cells import abroad, findings_text, in_vocabulary_order, joined, location, words
from queries.dossier import Dossier, dossier_cypher, dossier_networkx
from queries.ropa import FINDINGS_COLUMN

IAFR_COLUMNS = (
    "Flow",
    "From",
    "To",
    "Role of the organisation",
    "Purpose",
    "Data categories",
    "Identifiability",
    "Legal basis",
    "Legal instruments",
    "Controllers",
    "Processors",
    "Recipients",
    "Where held",
    "Overseas transfer",
    "Agreements in place",
    "Agreements end",
    "Systems",
    "Valid from",
    "Valid to",
    "Frequency",
    "Transport",
    FINDINGS_COLUMN,
)

IAFR_FILLED_FROM = {
    "Flow": "the flow's id",
    "From": "its source (name and id)",
    "To": "its destination (name and id)",
    "Role of the organisation": "the organisation's roles on it, and whether it (or a system it operates) sends or "
    "receives it",
    "Purpose": "its purposes",
    "Data categories": "its data categories",
    "Identifiability": "its identifiability, as received by the destination",
    "Legal basis": "its Art 6 bases, Art 9 conditions and common law duty of confidentiality basis, each labelled",
    "Legal instruments": "its legal instruments",
    "Controllers": "its controllers",
    "Processors": "its processors, then its sub-processors",
    "Recipients": "its recipient controller, and its destination when an organisation",
    "Where held": "its destination, with its hosting location",
    "Overseas transfer": "where its destination system is hosted, when recorded and not the UK",
    "Agreements in place": "the agreements valid at the date that govern it (listed on it, or covering it)",
    "Agreements end": "when those agreements end, for those with an end date",
    "Systems": "the systems at either end",
    "Valid from": "its valid_from",
    "Valid to": "its valid_to",
    "Frequency": "its frequency",
    "Transport": "its transport",
    FINDINGS_COLUMN: "the IG checks' findings on it, one per line: rule, then reason",
}


def legal_basis(flow: Flow) -> str:
    """The three layers of a flow's legal basis, each labelled; a layer not recorded is left out.

    >>> from graph.vocab import CldcBasis, DataCategory as C, Identifiability as ID, Purpose as P
    >>> legal_basis(Flow("f", "a", "b", (C.ACUTE,), (P.RESEARCH,), ID.PSEUDONYMISED, ("a",), art6=("6(1)(e)",),
    ...                  cldc_basis=CldcBasis.S251))
    'Art 6: 6(1)(e); CLDC: s251'
    """
    layers = [
        f"Art 6: {', '.join(flow.art6)}" if flow.art6 else "",
        f"Art 9: {', '.join(flow.art9)}" if flow.art9 else "",
    ]
    layers.append(f"CLDC: {words(flow.cldc_basis)}" if flow.cldc_basis else "")
    return joined(layers)


def role_of(dossier: Dossier, flow: Flow) -> str:
    """What the organisation is to the flow: its roles, or else whether it (or a system it operates)
    sends or receives it."""
    org_id = dossier.organisation.org_id
    held = [words(role) for holder, role in flow.roles() if holder == org_id]
    operated = {i for i, n in dossier.nodes.items() if n.get("operator") == org_id}
    if flow.source == org_id:
        held.append("sends")
    if flow.destination == org_id:
        held.append("receives")
    held += [f"operates {end}" for end in dict.fromkeys((flow.source, flow.destination)) if end in operated]
    return joined(held)


def iafr_row(dossier: Dossier, flow: Flow) -> dict[str, str]:
    as_of, nodes = dossier.as_of, dossier.nodes
    governing = dossier.governing_of(flow)
    in_place = [a for a in governing if a.valid_at(as_of)]
    recipients = [flow.recipient_controller] if flow.recipient_controller else []
    if nodes.get(flow.destination, {}).get("kind") == "organisation":
        recipients.append(flow.destination)
    systems = [end for end in (flow.source, flow.destination) if nodes.get(end, {}).get("kind") == "system"]
    cells = {
        "Flow": flow.flow_id,
        "From": dossier.name(flow.source),
        "To": dossier.name(flow.destination),
        "Role of the organisation": role_of(dossier, flow),
        "Purpose": joined(words(p) for p in in_vocabulary_order(flow.purposes, Purpose)),
        "Data categories": joined(words(c) for c in in_vocabulary_order(flow.data_categories, DataCategory)),
        "Identifiability": words(flow.identifiability),
        "Legal basis": legal_basis(flow),
        "Legal instruments": joined(flow.legal_instruments),
        "Controllers": joined(dossier.name(c) for c in flow.controllers),
        "Processors": joined(dossier.name(p) for p in (*flow.processors, *flow.sub_processors)),
        "Recipients": joined(dossier.name(r) for r in recipients),
        "Where held": location(flow.destination, nodes, dossier.name(flow.destination)),
        "Overseas transfer": joined(abroad([flow], nodes)),
        "Agreements in place": joined(f"{a.agreement_id} ({words(a.agreement_type)})" for a in in_place),
        "Agreements end": joined(f"{a.agreement_id}: {a.end.isoformat()}" for a in in_place if a.end),
        "Systems": joined(dossier.name(s) for s in systems),
        "Valid from": flow.valid_from.isoformat() if flow.valid_from else "",
        "Valid to": flow.valid_to.isoformat() if flow.valid_to else "",
        "Frequency": flow.frequency or "",
        "Transport": flow.transport or "",
        FINDINGS_COLUMN: findings_text(dossier.findings_for([flow.flow_id])),
    }
    return {column: cells[column] for column in IAFR_COLUMNS}


def iafr(dossier: Dossier) -> Row:
    """The register of the dossier's organisation: who, as of when, and one row per flow."""
    organisation = dossier.organisation
    return {
        "organisation": {"id": organisation.org_id, "name": organisation.name},
        "as_of": dossier.as_of.isoformat(),
        "flows": [iafr_row(dossier, flow) for flow in dossier.flows],
    }


@dataclass(frozen=True, slots=True)
class IafrQuery:
    """``store.run(IAFR, {"org_id": ..., "as_of": ...})``: one row (``iafr``), or none for an unknown
    organisation."""

    name: str = "lookup:iafr"

    def on_networkx(self, view: GraphView, params: Mapping[str, Any]) -> list[Row]:
        return [iafr(Dossier.of(row, params["as_of"])) for row in dossier_networkx(view, params)]

    def on_cypher(self, run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
        return [iafr(Dossier.of(row, params["as_of"])) for row in dossier_cypher(run, params)]


IAFR = IafrQuery()
