"""Drawing flows between nodes, with practices grouped by PCN so a large ICB stays readable and light.

Each PCN's practices become one node with a count (practices without a PCN form one group); a click on
it expands that PCN (``?expand=U12345``, repeatable; ``expand=all`` expands every group). Flows are drawn
one arrow per pair of drawn nodes: an arrow standing for several flows says how many and what they carry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from typing import Any

from app.views.network import Canvas
from app.views.style import IDENTIFIABILITY_COLOUR, flow_lines, flows_summary, short, strongest
from queries.records import Record

NO_PCN = "no-pcn"
GROUP_PREFIX = "pcn-group:"
EXPAND_ALL = "all"


def expanded(values: Collection[str]) -> set[str]:
    """The PCN codes to expand, from repeated and comma-separated ``expand`` values."""
    return {part.strip() for value in values for part in value.split(",") if part.strip()}


def _group_of(record: Mapping[str, Any], expand: set[str], keep: Collection[str]) -> str | None:
    if record["kind"] != "organisation" or record["org_type"] != "gp_practice" or record["id"] in keep:
        return None
    key = record.get("pcn") or NO_PCN
    return None if EXPAND_ALL in expand or key in expand else key


def draw_flows(
    canvas: Canvas,
    records: Mapping[str, Record],
    flows: list[Record],
    *,
    group: bool,
    expand: set[str],
    group_href: Callable[[str], str | None],
    emphasis: Collection[str] = (),
    extra: Mapping[str, list[str]] | None = None,
) -> dict[str, int]:
    """Draw every flow's ends and arrows; returns how many practices each drawn group stands for."""
    ends = sorted({flow["source"] for flow in flows} | {flow["destination"] for flow in flows} | set(emphasis))
    shown: dict[str, str] = {}
    members: dict[str, list[Record]] = defaultdict(list)
    for identifier in ends:
        record = records.get(identifier)
        if record is None:
            continue
        key = _group_of(record, expand, emphasis) if group else None
        if key is None:
            shown[identifier] = identifier
            canvas.node(record, extra=(extra or {}).get(identifier, ()), emphasis=identifier in emphasis)
        else:
            shown[identifier] = GROUP_PREFIX + key
            members[key].append(record)
    for key, practices in sorted(members.items()):
        pcn = records.get(key)
        name = str(pcn["name"]) if pcn else ("practices with no PCN" if key == NO_PCN else key)
        names = [f"{p['id']} {p['name']}" for p in practices[:15]]
        more = [f"… and {len(practices) - 15} more"] if len(practices) > 15 else []
        tip = "\n".join([f"{name} ({key})", f"{len(practices)} practices; click to show each", *names, *more])
        canvas.group(GROUP_PREFIX + key, f"{short(name, 24)} ({len(practices)})", tip, len(practices), group_href(key))
    pairs: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for flow in flows:
        source, target = shown.get(flow["source"]), shown.get(flow["destination"])
        if source is not None and target is not None and source != target:
            pairs[source, target].append(flow)
    for (source, target), carried in sorted(pairs.items()):
        kind = strongest(carried)
        colour = IDENTIFIABILITY_COLOUR[kind]
        canvas.note(f"edge:{kind}", "line", colour, f"{kind} data")
        if len(carried) == 1:
            canvas.edge(source, target, "\n".join(flow_lines(carried[0])), colour)
        else:
            heading = f"{len(carried)} flows: {source.removeprefix(GROUP_PREFIX)} → {target.removeprefix(GROUP_PREFIX)}"
            canvas.edge(
                source,
                target,
                flows_summary(carried, heading),
                colour,
                label=str(len(carried)),
                width=min(1 + len(carried) ** 0.5, 8),
            )
    return {key: len(practices) for key, practices in members.items()}
