"""The whole graph's flows as JSON-LD in the W3C Data Privacy Vocabulary (DPV): who controls what, for what.

``dpv_document`` is pure (the graph's records in, a JSON-LD document out). Each flow is a ``dpv:Process``:

- ``dpv:hasDataController``: its controllers (``icsgraph:joint`` true when they act jointly);
- ``dpv:hasDataProcessor``: its processors; ``icsgraph:hasSubProcessor``: its sub-processors;
- ``dpv:hasRecipient``: its recipient controller and, when an organisation, its destination;
  ``dpv:hasRecipientDataController``: its recipient controller;
- ``dpv:hasPurpose``: its purposes; ``dpv:hasPersonalData``: its data categories, with
  ``icsgraph:identifiability`` as received (personal data only when identifiable or pseudonymised);
- ``dpv:hasLegalBasis``: its Art 6 bases and Art 9 conditions as the DPV GDPR extension names them
  (``eu-gdpr:A6-1-e``: the UK GDPR keeps the EU GDPR's numbering) and its common law duty of
  confidentiality basis (``icsgraph:cldc-s251``);
- ``dpv:hasLegalMeasure``: the agreements that govern it (``queries.agreements.governs``: it lists them, or
  their ``covers`` names it or a system at either end), each a ``dpv:LegalMeasure`` with its type, parties
  and dates (``icsgraph:covers`` where its scope names flows or systems);
- ``icsgraph:source`` and ``icsgraph:destination``: the nodes it runs between.

Organisations are ``dpv:LegalEntity`` (or ``dpv:Entity`` for a body that is not one, such as an ICS or a
PCN) with ``dpv:hasName`` and ``dpv:hasIdentifier``, the ODS code (or the register's local id for a body
with none); systems are ``icsgraph:System``. Ids are URNs: ``urn:icsgraph:flow:ID``, ``urn:icsgraph:node:ID``,
``urn:icsgraph:agreement:ID``. Terms the DPV has no word for are in the ``icsgraph:`` namespace, declared in
``CONTEXT`` with the rest, inline, so the document expands with no network access.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import quote

from graph.merge import Contents
from graph.model import Agreement, Flow, Node, Organisation
from queries.agreements import covering, governed_by

DPV = "https://w3id.org/dpv#"
EU_GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"
ICSGRAPH = "urn:icsgraph:vocab:"
CONTEXT: dict[str, Any] = {
    "dpv": DPV,
    "eu-gdpr": EU_GDPR,
    "icsgraph": ICSGRAPH,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "icsgraph:joint": {"@type": "xsd:boolean"},
    "icsgraph:start": {"@type": "xsd:date"},
    "icsgraph:end": {"@type": "xsd:date"},
    "icsgraph:validFrom": {"@type": "xsd:date"},
    "icsgraph:validTo": {"@type": "xsd:date"},
}
ARTICLE = re.compile(r"^([69])\((\d)\)\(([a-j])\)$")


def node_iri(identifier: str) -> str:
    return f"urn:icsgraph:node:{quote(identifier, safe='')}"


def flow_iri(identifier: str) -> str:
    return f"urn:icsgraph:flow:{quote(identifier, safe='')}"


def agreement_iri(identifier: str) -> str:
    return f"urn:icsgraph:agreement:{quote(identifier, safe='')}"


def refs(iris: Iterable[str]) -> list[dict[str, str]]:
    return [{"@id": iri} for iri in dict.fromkeys(iris)]


def legal_basis(article: str) -> str:
    """An Art 6 basis or Art 9 condition as the DPV GDPR extension names it.

    >>> legal_basis("6(1)(e)"), legal_basis("9(2)(h)")
    ('eu-gdpr:A6-1-e', 'eu-gdpr:A9-2-h')
    """
    match = ARTICLE.match(article)
    if match is None:  # the loader stores canonical forms only; anything else is kept as our own term
        return f"icsgraph:article-{quote(article, safe='')}"
    return f"eu-gdpr:A{match[1]}-{match[2]}-{match[3]}"


def process(flow: Flow, nodes: dict[str, Node], measures: Iterable[str]) -> dict[str, Any]:
    """One flow as a ``dpv:Process``; ``measures`` are the agreements that govern it."""
    recipients = [flow.recipient_controller] if flow.recipient_controller else []
    if isinstance(nodes.get(flow.destination), Organisation):
        recipients.append(flow.destination)
    bases = [legal_basis(a) for a in (*flow.art6, *flow.art9)]
    if flow.cldc_basis:
        bases.append(f"icsgraph:cldc-{flow.cldc_basis.value}")
    document: dict[str, Any] = {
        "@id": flow_iri(flow.flow_id),
        "@type": "dpv:Process",
        "dpv:hasName": flow.flow_id,
        "icsgraph:source": {"@id": node_iri(flow.source)},
        "icsgraph:destination": {"@id": node_iri(flow.destination)},
        "dpv:hasDataController": refs(node_iri(c) for c in flow.controllers),
        "icsgraph:joint": flow.joint,
        "dpv:hasDataProcessor": refs(node_iri(p) for p in flow.processors),
        "icsgraph:hasSubProcessor": refs(node_iri(s) for s in flow.sub_processors),
        "dpv:hasRecipient": refs(node_iri(r) for r in recipients),
        "dpv:hasRecipientDataController": refs(
            [node_iri(flow.recipient_controller)] if flow.recipient_controller else []
        ),
        "dpv:hasPurpose": refs(f"icsgraph:purpose-{p.value}" for p in flow.purposes),
        "dpv:hasPersonalData": refs(f"icsgraph:data-{c.value}" for c in flow.data_categories),
        "icsgraph:identifiability": flow.identifiability.value,
        "dpv:hasLegalBasis": refs(bases),
        "dpv:hasLegalMeasure": refs(agreement_iri(a) for a in sorted(measures)),
        "icsgraph:status": flow.status.value,
    }
    if flow.valid_from:
        document["icsgraph:validFrom"] = flow.valid_from.isoformat()
    if flow.valid_to:
        document["icsgraph:validTo"] = flow.valid_to.isoformat()
    return {key: value for key, value in document.items() if value != []}


def entity(node: Node) -> dict[str, Any]:
    """An organisation (a legal entity, or not) or a system."""
    if isinstance(node, Organisation):
        return {
            "@id": node_iri(node.org_id),
            "@type": "dpv:LegalEntity" if node.is_legal_entity else "dpv:Entity",
            "dpv:hasName": node.name,
            "dpv:hasIdentifier": node.org_id,
            "icsgraph:orgType": node.org_type.value,
        }
    document = {
        "@id": node_iri(node.system_id),
        "@type": "icsgraph:System",
        "dpv:hasName": node.name,
        "icsgraph:systemType": node.system_type.value,
        "icsgraph:operator": {"@id": node_iri(node.operator)} if node.operator else None,
        "icsgraph:hostingLocation": node.hosting_location,
    }
    return {key: value for key, value in document.items() if value is not None}


def measure(agreement: Agreement, flows: Iterable[str]) -> dict[str, Any]:
    """An agreement as a ``dpv:LegalMeasure``; ``flows`` tells a flow id in its ``covers`` from a system id."""
    known = set(flows)
    document: dict[str, Any] = {
        "@id": agreement_iri(agreement.agreement_id),
        "@type": "dpv:LegalMeasure",
        "dpv:hasName": agreement.agreement_id,
        "icsgraph:agreementType": agreement.agreement_type.value,
        "icsgraph:party": refs(node_iri(p) for p in agreement.parties),
        "icsgraph:covers": refs(flow_iri(c) if c in known else node_iri(c) for c in agreement.covers),
    }
    if agreement.start:
        document["icsgraph:start"] = agreement.start.isoformat()
    if agreement.end:
        document["icsgraph:end"] = agreement.end.isoformat()
    if agreement.reference:
        document["rdfs:comment"] = agreement.reference
    return {key: value for key, value in document.items() if value != []}


def dpv_document(contents: Contents, as_of: date | None = None) -> dict[str, Any]:
    """Every flow (live at ``as_of``, when given), with the nodes and agreements they name."""
    flows = [f for _, f in sorted(contents.flows.items()) if as_of is None or f.live_at(as_of)]
    covers = covering(contents.agreements.values())
    governed = {flow.flow_id: governed_by(contents.agreements, covers, flow) for flow in flows}
    named: set[str] = set()
    for flow in flows:
        named.update((flow.source, flow.destination, *flow.controllers, *flow.processors, *flow.sub_processors))
        named.update([flow.recipient_controller] if flow.recipient_controller else [])
    agreements = [contents.agreements[a] for a in sorted(set().union(*governed.values()))]
    for agreement in agreements:
        named.update(agreement.parties)
    nodes = contents.nodes
    graph = [process(flow, nodes, governed[flow.flow_id]) for flow in flows]
    graph += [entity(nodes[i]) for i in sorted(named) if i in nodes]
    graph += [measure(agreement, contents.flows) for agreement in agreements]
    return {"@context": CONTEXT, "@graph": graph}
