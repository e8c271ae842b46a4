"""One organisation's page: the roles it holds, its flows in and out (a table and a small network), its
agreements, the IG findings on its flows, and links to its RoPA and IAFR downloads and its lineage views.

Everything on it comes from the organisation's dossier (``queries.dossier``), the same material as its
records, so the page and the downloads always agree.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

from app.views.errors import NotFound
from app.views.groups import draw_flows
from app.views.network import Ask, Canvas, Links, environment, nav, vis_assets
from app.views.style import words
from graph.model import Role
from queries.dossier import DOSSIER, Dossier
from queries.iafr import iafr
from queries.lookups import NODES
from queries.records import flow_json, ids_in

GROUP_ABOVE = 30  # as the lineage view: past this many practices, group them by PCN
MAX_ROWS = 500  # flows listed on the page; the IAFR download lists every one
FLOW_COLUMNS = ("Flow", "From", "To", "Role of the organisation", "Purpose", "Data categories", "Identifiability",
                "Legal basis", "Agreements in place", "icsgraph findings")  # fmt: skip
Table = tuple[list[str], list[list[str]]]


@dataclass
class OrgPage:
    """What the organisation page shows."""

    title: str
    subtitle: str
    canvas: Canvas
    roles: list[tuple[str, int]]
    flows: Table
    agreements: Table
    findings: Table
    downloads: list[tuple[str, str]]
    links: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)


def role_counts(dossier: Dossier) -> list[tuple[str, int]]:
    """How many of its live flows the organisation holds each role on, in the roles' order."""
    held = Counter(role for flow in dossier.flows for org, role in flow.roles() if org == dossier.organisation.org_id)
    return [(words(role.value), held[role]) for role in Role if held[role]]


def agreements_table(dossier: Dossier) -> Table:
    governed = Counter(a for ids in dossier.governing.values() for a in ids)
    rows = []
    for agreement_id, agreement in sorted(dossier.agreements.items()):
        parties = [dossier.name(p) for p in agreement.parties]
        shown = "; ".join(parties[:6]) + (f"; and {len(parties) - 6} more" if len(parties) > 6 else "")
        rows.append(
            [
                agreement_id,
                words(agreement.agreement_type.value),
                shown,
                agreement.start.isoformat() if agreement.start else "",
                agreement.end.isoformat() if agreement.end else "",
                agreement.reference or "",
                str(governed[agreement_id]),
            ]
        )
    columns = ["Agreement", "Type", "Parties", "Start", "End", "Reference", "Governs how many of these flows"]
    return columns, rows


def org_view(ask: Ask, links: Links, org_id: str, *, as_of: date) -> OrgPage:
    found = ask(DOSSIER, {"org_id": org_id, "as_of": as_of})
    if not found:
        raise NotFound("organisation", org_id, "give an ODS code or local id; /api/organisations lists them")
    dossier = Dossier.of(found[0], as_of)
    organisation = dossier.organisation
    records = dict(dossier.nodes)
    flows = [flow_json(flow) for flow in dossier.flows]
    practices = {
        f for f in ids_in(flows, "source", "destination") if records.get(f, {}).get("org_type") == "gp_practice"
    }
    group = len(practices - {org_id}) > GROUP_ABOVE
    if group:
        pcns = ids_in([records[p] for p in practices], "pcn")
        records.update({record["id"]: record for record in ask(NODES, {"ids": pcns})})
    canvas = Canvas(links)
    draw_flows(canvas, records, flows, group=group, expand=set(), group_href=lambda key: None, emphasis={org_id})
    register = iafr(dossier)["flows"]
    day = as_of.isoformat()
    rows = [[row[column] for column in FLOW_COLUMNS] for row in register[:MAX_ROWS]]
    notes = []
    if len(register) > MAX_ROWS:
        notes.append(f"The first {MAX_ROWS} of {len(register)} flows are listed; the IAFR download lists every one.")
    quoted = quote(org_id, safe="")
    downloads = nav(
        *(
            (label, links.page(f"/api/organisations/{quoted}/{kind}?as_of={day}&format={form}"))
            for kind, label_kind in (("ropa", "RoPA"), ("iafr", "IAFR"))
            for form, label in (
                ("xlsx", f"{label_kind} workbook (.xlsx)"),
                ("csv", f"{label_kind} as CSV"),
                ("json", f"{label_kind} as JSON"),
            )
        )
    )
    kind = words(organisation.org_type.value)
    where = f", ICB {organisation.icb}" if organisation.icb else ""
    legal = "" if organisation.is_legal_entity else "; not a legal entity, so it cannot lawfully hold a role"
    return OrgPage(
        title=f"{organisation.name} ({org_id})",
        subtitle=f"{kind}{where}{legal}. Flows live at {day}.",
        canvas=canvas,
        roles=role_counts(dossier),
        flows=(list(FLOW_COLUMNS), rows),
        agreements=agreements_table(dossier),
        findings=(
            ["Check", "Flow", "Finding"],
            [[r["rule"], r["flow_id"] or "", r["reason"]] for r in dossier.findings],
        ),
        downloads=downloads,
        links=nav(
            ("all views", links.page("/views/")),
            ("where its data goes", links.node(org_id, as_of=day)),
            ("where its data comes from", links.node(org_id, direction="upstream", as_of=day)),
            (f"{organisation.icb} network", links.icb(organisation.icb, as_of=day) if organisation.icb else None),
            ("as JSON", links.page(f"/api/organisations/{quoted}")),
        ),
        notes=notes,
    )


def render_org(page: OrgPage) -> str:
    """The whole page, self-contained like the network views."""
    script, style = vis_assets()
    nodes, edges, *_ = page.canvas.net.get_network_data()
    data: dict[str, Any] = {"nodes": nodes, "edges": edges, "options": page.canvas.options()}
    return (
        environment()
        .get_template("org.html")
        .render(
            page=page,
            legend=page.canvas.legend(),
            data=data,
            vis_script=script,
            vis_style=style,
            nonce=secrets.token_urlsafe(16),
        )
    )
