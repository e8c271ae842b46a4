"""A node's lineage: where a practice's or system's data goes (downstream) or comes from (upstream).

Drawn from the catalogue's ``lineage`` query, so the picture and the API answer agree; the flows it
lists are then fetched whole for their tooltips.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

import queries
from app.views.errors import NotFound
from app.views.groups import draw_flows
from app.views.network import Ask, Canvas, Links, Picture, nav
from app.views.style import words
from queries.lookups import FLOWS_BY_ID, NODES
from queries.records import ids_in

QUERY = "lineage"
# Past this many practices in one picture (a shared care record's upstream, say), group them by PCN.
GROUP_ABOVE = 30


def lineage_view(
    ask: Ask,
    links: Links,
    node_id: str,
    *,
    upstream: bool,
    depth: int,
    as_of: date,
    filters: dict[str, str | None],
    expand: set[str],
) -> Picture:
    """The nodes reached within ``depth`` hops of flows live at ``as_of`` that match ``filters``."""
    if not ask(NODES, {"ids": [node_id]}):
        raise NotFound("node", node_id, "give an organisation's ODS code or a system id; /api/organisations lists them")
    direction = "upstream" if upstream else "downstream"
    query = queries.get(QUERY)
    rows = ask(
        query, query.bind({"node": node_id, "direction": direction, "max_depth": depth, "as_of": as_of, **filters})
    )
    hops: dict[str, int] = {node_id: 0}
    for row in rows:
        hops.setdefault(row["node"], row["hop"])
    flows = ask(FLOWS_BY_ID, {"ids": sorted({row["flow_id"] for row in rows})})
    records = {record["id"]: record for record in ask(NODES, {"ids": sorted(hops)})}
    start = records[node_id]
    practices = [r for r in records.values() if r["id"] != node_id and r.get("org_type") == "gp_practice"]
    group = len(practices) > GROUP_ABOVE
    if group:
        records.update({record["id"]: record for record in ask(NODES, {"ids": ids_in(practices, "pcn")})})
    keep: dict[str, Any] = {"direction": direction, "depth": depth, "as_of": as_of.isoformat(), **filters}
    canvas = Canvas(links)
    draw_flows(
        canvas,
        records,
        flows,
        group=group,
        expand=expand,
        group_href=lambda key: links.node(node_id, [*sorted(expand), key], **keep),
        emphasis={node_id},
        extra={identifier: [f"{hop} hop(s) {direction}"] for identifier, hop in hops.items()},
    )
    shown = [f"{key} {words(value)}" for key, value in filters.items() if value]
    other = "upstream" if not upstream else "downstream"
    kind = "organisations" if start["kind"] == "organisation" else "systems"
    return Picture(
        title=f"{start['name']} ({node_id}): where its data {'comes from' if upstream else 'goes'}",
        subtitle=(
            f"{direction.capitalize()} lineage over flows live at {keep['as_of']}, up to {depth} hop(s)"
            + (f"; only {', '.join(shown)}" if shown else "")
        ),
        canvas=canvas,
        notes=[
            f"{len(hops) - 1} node(s) reached through {len(flows)} flow(s).",
            *(
                [f"{len(practices)} practices are grouped by PCN; click a group to show its practices."]
                if group
                else []
            ),
        ],
        links=nav(
            ("all views", links.page("/views/")),
            (f"{other} lineage", links.node(node_id, **{**keep, "direction": other})),
            (f"{start['icb']} network", links.icb(start["icb"]) if start.get("icb") else None),
            ("as JSON", links.page(f"/api/{kind}/{quote(node_id, safe='')}")),
        ),
    )
