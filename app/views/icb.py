"""An ICB's data-flow network: every live flow from or to one of its nodes, practices grouped by PCN."""

from __future__ import annotations

from datetime import date

from app.views.errors import NotFound
from app.views.groups import EXPAND_ALL, draw_flows
from app.views.network import Ask, Canvas, Links, Picture, nav
from queries.lookups import ICB_NETWORK, NODES


def icb_view(ask: Ask, links: Links, icb: str, *, as_of: date, expand: set[str]) -> Picture:
    """Practices stay grouped unless their PCN is in ``expand`` (or ``expand`` holds ``all``)."""
    found = ask(ICB_NETWORK, {"icb": icb, "as_of": as_of})[0]
    records = {record["id"]: record for record in found["nodes"]}
    named = [record for record in ask(NODES, {"ids": [icb]}) if record.get("org_type") == "icb"]
    if not found["flows"] and not named:
        raise NotFound("ICB", icb, "give an ICB's ODS code, e.g. QOP; /views/ lists the ICBs that have flows")
    name = str(named[0]["name"]) if named else icb
    canvas = Canvas(links)
    keep = {"as_of": as_of.isoformat()}
    groups = draw_flows(
        canvas,
        records,
        found["flows"],
        group=True,
        expand=expand,
        group_href=lambda key: links.icb(icb, [*sorted(expand), key], **keep),
    )
    practices = sum(1 for r in records.values() if r.get("org_type") == "gp_practice" and r.get("icb") == icb)
    notes = [
        f"{len(found['flows'])} flows live at {as_of.isoformat()} from or to a node of {icb}.",
        f"{practices} practices of the ICB send or receive them.",
    ]
    if groups:
        notes.append(f"{sum(groups.values())} practices are shown as {len(groups)} PCN groups; click one to expand it.")
    if not found["flows"]:
        notes.append("No flow of this ICB is live at this date.")
    return Picture(
        title=f"{name} ({icb}): data-flow network",
        subtitle="Practices grouped by primary care network; arrows are live flows, coloured by identifiability",
        canvas=canvas,
        notes=notes,
        links=nav(
            ("all views", links.page("/views/")),
            ("expand every group", links.icb(icb, [EXPAND_ALL], **keep) if groups else None),
            ("group again", links.icb(icb, **keep) if expand else None),
        ),
    )
