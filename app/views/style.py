"""How the views look: shape and colour by organisation and system type, colour by identifiability and role,
and the text of tooltips. Everything here is plain text; the page escapes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph.model import Role
from graph.vocab import Identifiability, OrgType, SystemType

# Organisations are drawn as dots, squares, triangles and diamonds; systems as hexagons, stars and
# down-triangles, so the two kinds never share a shape.
ORG_STYLE: dict[OrgType, tuple[str, str]] = {
    OrgType.GP_PRACTICE: ("dot", "#2ca02c"),
    OrgType.ACUTE_TRUST: ("square", "#1f77b4"),
    OrgType.COMMUNITY_TRUST: ("square", "#17becf"),
    OrgType.MENTAL_HEALTH_TRUST: ("square", "#9467bd"),
    OrgType.AMBULANCE_TRUST: ("square", "#e6550d"),
    OrgType.COMBINED_TRUST: ("square", "#393b79"),
    OrgType.ICB: ("triangle", "#8c564b"),
    OrgType.SUB_ICB_LOCATION: ("triangle", "#c49c94"),
    OrgType.PCN: ("triangle", "#98df8a"),
    OrgType.REGION: ("triangle", "#7f7f7f"),
    OrgType.ICS: ("triangle", "#bcbd22"),
    OrgType.LOCAL_AUTHORITY: ("diamond", "#ff7f0e"),
    OrgType.CARE_PROVIDER: ("diamond", "#ffbb78"),
    OrgType.VCSE: ("diamond", "#dbdb8d"),
    OrgType.CSU: ("diamond", "#637939"),
    OrgType.DSCRO: ("diamond", "#8c6d31"),
    OrgType.NHS_ENGLAND: ("diamond", "#005eb8"),
    OrgType.DHSC: ("diamond", "#00a499"),
    OrgType.SUPPLIER: ("diamond", "#843c39"),
    OrgType.SDE_OPERATOR: ("diamond", "#7b4173"),
    OrgType.RESEARCH_ORG: ("diamond", "#a55194"),
    OrgType.OTHER: ("diamond", "#aaaaaa"),
}
SYSTEM_STYLE: dict[SystemType, tuple[str, str]] = {
    SystemType.GP_CLINICAL_SYSTEM: ("hexagon", "#74c476"),
    SystemType.EPR: ("hexagon", "#6baed6"),
    SystemType.SHARED_CARE_RECORD: ("hexagon", "#e377c2"),
    SystemType.SOCIAL_CARE_SYSTEM: ("hexagon", "#fdae6b"),
    SystemType.PHM_PLATFORM: ("star", "#d62728"),
    SystemType.SDE: ("star", "#7b4173"),
    SystemType.FDP_INSTANCE: ("star", "#3182bd"),
    SystemType.DATA_WAREHOUSE: ("star", "#636363"),
    SystemType.NATIONAL_COLLECTION: ("triangleDown", "#005eb8"),
    SystemType.OTHER: ("hexagon", "#aaaaaa"),
}
GROUP_STYLE = ("dot", "#a1d99b")
HOP_STYLE = ("box", "#f0f0f0")

IDENTIFIABILITY_COLOUR = {
    Identifiability.IDENTIFIABLE: "#d62728",
    Identifiability.PSEUDONYMISED: "#ff7f0e",
    Identifiability.ANONYMISED: "#2ca02c",
    Identifiability.AGGREGATE: "#7f7f7f",
}
# Most identifiable first: an edge standing for several flows takes the colour of the most identifiable.
IDENTIFIABILITY_ORDER = list(IDENTIFIABILITY_COLOUR)

ROLE_COLOUR = {
    Role.CONTROLLER: "#d62728",
    Role.JOINT_CONTROLLER: "#ff7f0e",
    Role.PROCESSOR: "#1f77b4",
    Role.SUB_PROCESSOR: "#17becf",
    Role.RECIPIENT_CONTROLLER: "#9467bd",
}

SYMBOL = {
    "dot": "●",
    "square": "■",
    "triangle": "▲",
    "diamond": "◆",
    "hexagon": "⬢",
    "star": "★",
    "triangleDown": "▼",
    "box": "▭",
    "line": "━",
}


def words(value: str) -> str:
    """A vocabulary value as words: ``shared_care_record`` -> ``shared care record``."""
    return value.replace("_", " ")


def node_style(record: Mapping[str, Any]) -> tuple[str, str, str]:
    """(shape, colour, legend label) of a node record."""
    if record["kind"] == "organisation":
        org_type = OrgType(record["org_type"])
        shape, colour = ORG_STYLE[org_type]
        return shape, colour, words(org_type.value)
    system_type = SystemType(record["system_type"])
    shape, colour = SYSTEM_STYLE[system_type]
    return shape, colour, words(system_type.value)


def short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def listed(values: Iterable[Any]) -> str:
    items = [str(v) for v in values if v not in (None, "")]
    return ", ".join(items) if items else "none recorded"


def node_tip(record: Mapping[str, Any], extra: Iterable[str] = ()) -> str:
    """Tooltip text: name, id and type, where it sits, and how to open its view."""
    lines = [str(record["name"]), f"{record['id']} · {node_style(record)[2]}"]
    if record["kind"] == "organisation":
        for key, label in (("icb", "ICB"), ("sub_icb", "sub-ICB location"), ("pcn", "PCN"), ("list_size", "patients")):
            if record.get(key) is not None:
                lines.append(f"{label}: {record[key]}")
        if not record.get("is_legal_entity", True):
            lines.append("not a legal entity")
    else:
        for key in ("operator", "supplier", "icb", "hosting_location"):
            if record.get(key):
                lines.append(f"{words(key)}: {record[key]}")
    lines += list(extra)
    return "\n".join(lines)


def flow_lines(flow: Mapping[str, Any]) -> list[str]:
    """Categories, purpose, roles, legal bases and identifiability of one flow."""
    controllers = listed(flow["controllers"]) + (" (joint)" if flow["joint"] else "")
    dates = f"{flow['valid_from'] or '…'} to {flow['valid_to'] or '…'}"
    lines = [
        f"{flow['flow_id']}: {flow['source']} → {flow['destination']}",
        f"categories: {listed(words(c) for c in flow['data_categories'])}",
        f"purposes: {listed(words(p) for p in flow['purposes'])}",
        f"identifiability: {flow['identifiability']}",
        f"controllers: {controllers}",
        f"processors: {listed(flow['processors'])}",
    ]
    if flow["sub_processors"]:
        lines.append(f"sub-processors: {listed(flow['sub_processors'])}")
    if flow["recipient_controller"]:
        lines.append(f"recipient controller: {flow['recipient_controller']}")
    lines += [
        f"Art 6: {listed(flow['art6'])}; Art 9: {listed(flow['art9'])}",
        f"common law basis: {words(flow['cldc_basis']) if flow['cldc_basis'] else 'none recorded'}",
    ]
    if flow["legal_instruments"]:
        lines.append(f"instruments: {listed(flow['legal_instruments'])}")
    if flow["agreements"]:
        lines.append(f"agreements: {listed(flow['agreements'])}")
    lines.append(f"status: {flow['status']}, {dates}")
    return lines


def flows_summary(flows: Sequence[Mapping[str, Any]], heading: str) -> str:
    """Tooltip text for one edge standing for several flows: what they carry between them."""

    def union(key: str) -> str:
        values: set[str] = set()
        for flow in flows:
            value = flow[key]
            values.update(value if isinstance(value, list) else [value] if value else [])
        return listed(sorted(words(v) for v in values))

    lines = [
        heading,
        f"categories: {union('data_categories')}",
        f"purposes: {union('purposes')}",
        f"identifiability: {union('identifiability')}",
        f"controllers: {len({c for flow in flows for c in flow['controllers']})} distinct",
        f"processors: {union('processors')}",
        f"Art 6: {union('art6')}; Art 9: {union('art9')}",
        f"common law basis: {union('cldc_basis')}",
    ]
    shown = ", ".join(flow["flow_id"] for flow in flows[:5])
    lines.append(f"flows: {shown}" + (f" and {len(flows) - 5} more" if len(flows) > 5 else ""))
    return "\n".join(lines)


def strongest(flows: Sequence[Mapping[str, Any]]) -> Identifiability:
    """The most identifiable level among ``flows``: an arrow standing for them all takes its colour."""
    present = {Identifiability(flow["identifiability"]) for flow in flows}
    return next(kind for kind in IDENTIFIABILITY_ORDER if kind in present)
