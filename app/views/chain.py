"""A controllership chain between two nodes: hop by hop, who controls, processes and receives the data.

Drawn from the catalogue's ``controllership-chain`` query (its paths, roles and breaks), one path at a
time. The chain reads left to right: each node the data passes, and between two nodes a box for the flow
(the hop), red when the query finds a break there. Below each hop hang the organisations holding a role
on it, joined by dashed lines coloured by role.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import queries
from app.views.errors import NotFound
from app.views.network import Ask, Canvas, Links, Picture, nav
from app.views.style import HOP_STYLE, ROLE_COLOUR, flow_lines, words
from graph.model import Role
from queries.lookups import FLOWS_BY_ID, NODES
from queries.records import Record, ids_in

QUERY = "controllership-chain"
STEP = 300  # pixels between two nodes of the chain
BREAK = "#d62728"
DATA = "#444444"


def roles(row: Mapping[str, Any]) -> list[tuple[str, Role]]:
    """Every (organisation, role) of a hop, as ``Flow.roles`` orders them."""
    held = [(org, Role.JOINT_CONTROLLER if row["joint"] else Role.CONTROLLER) for org in row["controllers"]]
    held += [(org, Role.PROCESSOR) for org in row["processors"]]
    held += [(org, Role.SUB_PROCESSOR) for org in row["sub_processors"]]
    if row["recipient_controller"]:
        held.append((row["recipient_controller"], Role.RECIPIENT_CONTROLLER))
    return held


def _hop(canvas: Canvas, links: Links, index: int, row: Mapping[str, Any], flow: Record | None) -> str:
    hop = f"hop:{index}:{row['flow_id']}"
    shape, colour = HOP_STYLE
    canvas.note("hop", shape, colour, "a flow (hop); click for its page")
    canvas.add(
        hop,
        f"{index + 1}. {row['flow_id']}",
        "\n".join([*(f"break: {b}" for b in row["breaks"]), *(flow_lines(flow) if flow else [row["flow_id"]])]),
        shape,
        BREAK if row["breaks"] else colour,
        href=links.flow_page(row["flow_id"]),
        x=index * STEP + STEP // 2,
        y=0,
        font={"size": 11},
    )
    # Colour belongs to the roles here; the data's identifiability is in the hop's tooltip.
    kind = flow["identifiability"] if flow else "unknown"
    canvas.note("edge:data", "line", DATA, "the data's path")
    canvas.edge(row["from"], hop, f"{row['flow_id']}: data leaves {row['from']}", DATA, width=2)
    canvas.edge(hop, row["to"], f"{row['flow_id']}: {kind} data reaches {row['to']}", DATA, width=2)
    return hop


def chain_view(ask: Ask, links: Links, source: str, target: str, *, as_of: date, path: int) -> Picture:
    known = {record["id"] for record in ask(NODES, {"ids": [source, target]})}
    for end in (source, target):
        if end not in known:
            raise NotFound("node", end, "give two organisation ODS codes or system ids; /api/organisations lists them")
    query = queries.get(QUERY)
    rows = ask(query, query.bind({"source": source, "destination": target, "as_of": as_of}))
    paths = max((row["path"] for row in rows), default=0)
    chosen = min(path, paths)
    hops = sorted((row for row in rows if row["path"] == chosen), key=lambda row: row["hop"])
    flows = {flow["flow_id"]: flow for flow in ask(FLOWS_BY_ID, {"ids": [row["flow_id"] for row in hops]})}
    ids = {source, target} | set(ids_in(hops, "from", "to", "controllers", "processors", "sub_processors"))
    records = {
        record["id"]: record for record in ask(NODES, {"ids": sorted(ids | set(ids_in(hops, "recipient_controller")))})
    }
    canvas = Canvas(links, physics=False)
    line = [source, *(row["to"] for row in hops)] if hops else [source, target]
    for index, identifier in enumerate(line):
        canvas.node(records[identifier], x=index * STEP, y=0, emphasis=identifier in (source, target))
    notes: list[str] = []
    for index, row in enumerate(hops):
        hop = _hop(canvas, links, index, row, flows.get(row["flow_id"]))
        held = [(org, role) for org, role in roles(row) if org in records]
        # Holders not drawn yet hang below their first hop, spread left to right so their lines do not cross.
        fresh = list(dict.fromkeys(org for org, _ in held if not canvas.has(org)))
        for place, organisation in enumerate(fresh):
            x = index * STEP + STEP // 2 + int(110 * (place - (len(fresh) - 1) / 2))
            canvas.node(records[organisation], x=x, y=140 + 40 * (place % 2))
        for organisation, role in held:
            canvas.note(f"role:{role}", "line", ROLE_COLOUR[role], words(role.value))
            canvas.edge(
                organisation,
                hop,
                f"{records[organisation]['name']} ({organisation}) is {words(role.value)} for {row['flow_id']}",
                ROLE_COLOUR[role],
                label=words(role.value),
                dashes=True,
                smooth=False,
                arrows={"to": {"enabled": False}},
            )
        notes += [f"hop {index + 1} ({row['flow_id']}): break: {text}" for text in row["breaks"]]
    keep = {"as_of": as_of.isoformat()}
    if hops:
        notes.insert(0, f"Path {chosen} of {paths}: {len(hops)} hop(s) over flows live at {keep['as_of']}.")
    else:
        notes.insert(0, f"No chain of live flows from {source} to {target} at {keep['as_of']}.")
    return Picture(
        title=f"Controllership chain: {records[source]['name']} → {records[target]['name']}",
        subtitle="Who is controller, joint controller, processor, sub-processor and recipient controller at each hop",
        canvas=canvas,
        notes=notes,
        links=nav(
            ("all views", links.page("/views/")),
            *((f"path {n}", links.chain(source, target, path=n, **keep)) for n in range(1, paths + 1) if n != chosen),
            ("reverse direction", links.chain(target, source, **keep)),
            ("as JSON", links.api_query(QUERY, {"source": source, "destination": target, **keep})),
        ),
    )
