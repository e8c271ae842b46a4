"""What the graph holds about one organisation at a date: the material of its records and its page.

An organisation's dossier is every flow live at the date that it sends or receives, that runs into or out
of a system it operates, or on which it holds a role (controller, joint controller, processor,
sub-processor, recipient controller); the nodes those flows and roles name; the agreements that govern
them (``queries.agreements.governing``) or name the organisation as a party; and the IG checks' findings on
those flows. The RoPA (``queries.ropa``), the information assets and flows register (``queries.iafr``) and
the organisation page are built from it, and nothing else: a record holds only what the graph holds.

``DOSSIER`` is a store query (``store.run(DOSSIER, {"org_id": ..., "as_of": ...})``): the networkx and
Cypher sides read the same records in the same JSON shape, so everything built on it is the same on both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.codec import from_record, plain
from graph.model import Agreement, Flow, Organisation, System
from graph.plan import visible
from graph.store import CypherRunner, Row
from graph.view import GraphView
from queries import checks as _checks  # noqa: F401  (declares the checks this module runs)
from queries import checks_destinations as _destinations  # noqa: F401
from queries import checks_roles as _roles  # noqa: F401
from queries.agreements import governing, governing_on_cypher
from queries.flows import live
from queries.records import CypherReader, Record, flow_json, flow_of, ids_in, node_json
from queries.registry import CATALOGUE, NamedQuery


def agreement_json(agreement: Agreement) -> Record:
    """An agreement with every field (None or [] where not recorded), as ``flow_json`` writes a flow."""
    return {f.name: plain(getattr(agreement, f.name)) for f in dataclasses.fields(agreement)}


def concerns(flow: Flow, org_id: str, operated: set[str]) -> bool:
    """Whether ``flow`` is one of the organisation's: it sends or receives it, a system it operates does,
    or it holds a role on it."""
    return (
        flow.source == org_id
        or flow.destination == org_id
        or flow.source in operated
        or flow.destination in operated
        or org_id in flow.controllers
        or org_id in flow.processors
        or org_id in flow.sub_processors
        or flow.recipient_controller == org_id
    )


def checks() -> list[NamedQuery]:
    """Every IG check of the catalogue, in its order."""
    return [query for query in CATALOGUE.values() if query.kind == "check"]


def findings_on(flow_ids: Sequence[str], found: Sequence[Row]) -> list[Row]:
    """The findings about these flows, by flow then as each check orders them."""
    wanted = set(flow_ids)
    chosen = [row for row in found if row["flow_id"] in wanted]
    return sorted(chosen, key=lambda row: (row["flow_id"], row["rule"]))


def _material(
    organisation: Record, flows: list[Record], nodes: list[Record], agreements: list[Record], governed: list[Row]
) -> Row:
    return {
        "organisation": organisation,
        "flows": flows,
        "nodes": nodes,
        "agreements": agreements,
        "governing": governed,
    }


def dossier_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    org_id, as_of = params["org_id"], params["as_of"]
    organisation = view.nodes.get(org_id)
    if not isinstance(organisation, Organisation):
        return []
    operated = {i for i, n in view.nodes.items() if isinstance(n, System) and n.operator == org_id}
    flows = sorted(
        (f for f in view.flows.values() if f.live_at(as_of) and concerns(f, org_id, operated)),
        key=lambda f: f.flow_id,
    )
    governed = [{"flow_id": f.flow_id, "agreements": sorted(governing(view, f))} for f in flows]
    wanted = {a for row in governed for a in row["agreements"]}
    wanted |= {i for i, a in view.agreements.items() if org_id in a.parties}
    records = [flow_json(f) for f in flows]
    agreements = [agreement_json(view.agreements[i]) for i in sorted(wanted)]
    node_ids = set(ids_in(records, *NAMING)) | set(ids_in(agreements, "parties")) | {org_id}
    nodes = [node_json(view.nodes[i]) for i in sorted(node_ids) if i in view.nodes]
    found = [row for check in checks() for row in check.on_networkx(view, check.bind({"as_of": as_of}))]
    row = _material(node_json(organisation), records, nodes, agreements, governed)
    row["findings"] = findings_on([f.flow_id for f in flows], found)
    return [row]


# Who and what a flow names: with the agreements' parties, the nodes the dossier reads (names, types, hosting).
NAMING = ("source", "destination", "controllers", "processors", "sub_processors", "recipient_controller")

DOSSIER_FLOWS_CYPHER = f"""
MATCH ()-[f:FLOW]->()
WHERE (f.source IN $ends OR f.destination IN $ends OR $org IN coalesce(f.controllers, [])
       OR $org IN coalesce(f.processors, []) OR $org IN coalesce(f.sub_processors, [])
       OR f.recipient_controller = $org) AND {live("f")}
RETURN properties(f) AS flow
"""
OPERATED_CYPHER = "MATCH (s:System) WHERE s.operator = $org RETURN s.id AS id"
AGREEMENTS_CYPHER = (
    f"MATCH (x:Agreement) WHERE (x.id IN $ids OR $org IN x.parties) AND {visible('x')} "
    "RETURN properties(x) AS agreement"
)


def dossier_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    org_id, as_of = params["org_id"], params["as_of"]
    reader = CypherReader(run)
    found_nodes = reader.nodes([org_id])
    if not found_nodes or found_nodes[0]["kind"] != "organisation":
        return []
    ends = [org_id, *(row["id"] for row in run(OPERATED_CYPHER, org=org_id))]
    rows = run(DOSSIER_FLOWS_CYPHER, ends=ends, org=org_id, as_of=as_of.isoformat())
    records = sorted((flow_json(flow_of(row["flow"])) for row in rows), key=lambda r: r["flow_id"])
    flow_ids = [r["flow_id"] for r in records]
    governed = governing_on_cypher(run, {"ids": flow_ids}) if flow_ids else []
    wanted = sorted({a for row in governed for a in row["agreements"]})
    agreements = sorted(
        (
            agreement_json(from_record(Agreement, row["agreement"]))
            for row in run(AGREEMENTS_CYPHER, ids=wanted, org=org_id)
        ),
        key=lambda a: a["agreement_id"],
    )
    nodes = reader.nodes(sorted(set(ids_in(records, *NAMING)) | set(ids_in(agreements, "parties")) | {org_id}))
    found = [row for check in checks() for row in check.on_cypher(run, check.bind({"as_of": as_of}))]
    row = _material(found_nodes[0], records, nodes, agreements, governed)
    row["findings"] = findings_on(flow_ids, found)
    return [row]


@dataclass(frozen=True, slots=True)
class Dossier:
    """``DOSSIER``'s answer as records: the organisation, its flows, and what they name."""

    organisation: Organisation
    as_of: date
    flows: list[Flow]
    nodes: dict[str, Record]
    agreements: dict[str, Agreement]
    governing: dict[str, list[str]]
    findings: list[Row] = field(default_factory=list)
    by_flow: dict[str, list[Row]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for row in self.findings:  # indexed once: a supplier's records have thousands of rows
            self.by_flow.setdefault(row["flow_id"], []).append(row)

    @classmethod
    def of(cls, row: Mapping[str, Any], as_of: date) -> Dossier:
        organisation = from_record(Organisation, row["organisation"])
        return cls(
            organisation,
            as_of,
            [flow_of(record) for record in row["flows"]],
            {record["id"]: record for record in row["nodes"]},
            {record["agreement_id"]: from_record(Agreement, record) for record in row["agreements"]},
            {r["flow_id"]: list(r["agreements"]) for r in row["governing"]},
            list(row["findings"]),
        )

    def name(self, node_id: str) -> str:
        """A node as the records write it: ``Name (id)``, or the id alone when the graph has no name."""
        record = self.nodes.get(node_id)
        return f"{record['name']} ({node_id})" if record and record.get("name") else node_id

    def findings_for(self, flow_ids: Sequence[str]) -> list[Row]:
        """The findings about these flows, by flow then as each check orders them (as ``findings_on``)."""
        chosen = [row for flow_id in set(flow_ids) for row in self.by_flow.get(flow_id, [])]
        return sorted(chosen, key=lambda row: (row["flow_id"], row["rule"]))

    def governing_of(self, flow: Flow) -> list[Agreement]:
        """The agreements that govern ``flow``, by id."""
        return [self.agreements[i] for i in self.governing.get(flow.flow_id, []) if i in self.agreements]


@dataclass(frozen=True, slots=True)
class DossierQuery:
    """The store query behind ``DOSSIER``; params ``org_id`` and ``as_of``. No row: no such organisation."""

    name: str = "lookup:dossier"

    def on_networkx(self, view: GraphView, params: Mapping[str, Any]) -> list[Row]:
        return dossier_networkx(view, params)

    def on_cypher(self, run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
        return dossier_cypher(run, params)


DOSSIER = DossierQuery()
