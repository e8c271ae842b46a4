"""A flow's page: every register field, its agreements and whether each governs it, its findings, and its
place in the chain (the live flows into its source and out of its destination, and its hop's roles)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import queries
from app.views.errors import NotFound
from app.views.findings import all_findings
from app.views.network import Ask, Links, render_page
from graph.schema import TABLES
from queries.agreements import FLOW_AGREEMENTS
from queries.lookups import FLOWS_BY_ID, NODE_DETAIL, NODES
from queries.records import flow_of

# The register's own columns, in its order, then where the flow was loaded from.
FIELDS = (*TABLES["flows"].names, "source_register")
ROLE_FIELDS = ("source", "destination", "controllers", "processors", "sub_processors", "recipient_controller")


def shown(value: Any) -> str:
    """A field's value as the page writes it: lists joined, booleans in words, nothing as empty."""
    if value is None or value == [] or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(item).replace("_", " ") for item in value)
    return str(value)


def ids_of(value: Any) -> list[str]:
    """The node ids a role field holds: one, a list, or none."""
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def hop_of(ask: Ask, flow: Mapping[str, Any], as_of: date) -> Mapping[str, Any] | None:
    """The controllership-chain row of this flow as a one-hop path from its source to its destination."""
    query = queries.get("controllership-chain")
    params = query.bind({"source": flow["source"], "destination": flow["destination"], "as_of": as_of})
    rows = ask(query, params)
    return next((row for row in rows if row["flow_id"] == flow["flow_id"] and row["hop"] == 1), None)


def flow_page(ask: Ask, links: Links, flow_id: str, *, as_of: date) -> str:
    found = ask(FLOWS_BY_ID, {"ids": [flow_id]})
    if not found:
        raise NotFound("flow", flow_id, "search for it by its id, or find it on its source's lineage view")
    flow = found[0]
    named = {node for field in ROLE_FIELDS for node in ids_of(flow.get(field))}
    names = {record["id"]: record["name"] for record in ask(NODES, {"ids": sorted(named)})}
    before = ask(NODE_DETAIL, {"id": flow["source"], "as_of": as_of})
    after = ask(NODE_DETAIL, {"id": flow["destination"], "as_of": as_of})
    live = flow_of(flow).live_at(as_of)
    fields = [
        {"name": field, "value": shown(flow.get(field)), "ids": ids_of(flow.get(field)) if field in ROLE_FIELDS else []}
        for field in FIELDS
    ]
    return render_page(
        "flow_page.html",
        flow=flow,
        fields=fields,
        names=names,
        as_of=as_of.isoformat(),
        live=live,
        agreements=ask(FLOW_AGREEMENTS, {"flow_id": flow_id, "as_of": as_of}),
        findings=[f for f in all_findings(ask, as_of) if f.flow_id == flow_id],
        before=[f for f in (before[0]["flows_in"] if before else []) if f["flow_id"] != flow_id],
        after=[f for f in (after[0]["flows_out"] if after else []) if f["flow_id"] != flow_id],
        hop=hop_of(ask, flow, as_of) if live else None,
        node_href=links.node,
        flow_href=links.flow_page,
        chain_href=links.chain(flow["source"], flow["destination"], as_of=as_of.isoformat()),
        api_href=links.flow(flow_id),
        table_id="flow-findings",
    )
