"""Any named query's answer as a network, read generically from its rows.

- Rows naming a flow (a ``flow_id`` or ``flow`` column) draw those flows, with the row's other cells in the
  arrow's tooltip (an IG check's reason, say).
- Otherwise, rows with ``source`` and ``destination`` columns draw an arrow per row between those nodes.
- Otherwise each row's first cell that is a node id is the row's node, and every other cell (or list
  item) that is a node id is joined to it by an arrow labelled with the column's name.

Rows naming no node draw nothing, and the page says so; the rows are always listed under the picture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.output import cell
from app.views.network import Ask, Canvas, Links, Picture, nav
from app.views.style import IDENTIFIABILITY_COLOUR, flow_lines, strongest, words
from graph.codec import plain
from queries.lookups import FLOWS_BY_ID, NODES
from queries.records import ids_in
from queries.registry import NamedQuery

MAX_ROWS = 1500  # drawn; more would not be readable, and the table and the API give them all
MAX_TABLE = 500
RELATED = "#888888"


def _cells(row: Mapping[str, Any], columns: Sequence[str], skip: Sequence[str] = ()) -> list[str]:
    return [f"{words(column)}: {cell(row.get(column))}" for column in columns if column not in skip]


def _draw_flow_rows(
    ask: Ask, canvas: Canvas, rows: Sequence[Mapping[str, Any]], key: str, columns: Sequence[str]
) -> int:
    by_flow: dict[str, list[str]] = {}
    for row in rows:
        if isinstance(row.get(key), str):
            by_flow.setdefault(row[key], []).extend(_cells(row, columns, skip=(key,)))
    flows = ask(FLOWS_BY_ID, {"ids": sorted(by_flow)})
    records = {r["id"]: r for r in ask(NODES, {"ids": ids_in(flows, "source", "destination")})}
    for flow in flows:
        for end in (flow["source"], flow["destination"]):
            if end in records:
                canvas.node(records[end])
        kind = strongest([flow])
        canvas.note(f"edge:{kind}", "line", IDENTIFIABILITY_COLOUR[kind], f"{kind} data")
        tip = "\n".join([*flow_lines(flow), *by_flow[flow["flow_id"]]])
        canvas.edge(flow["source"], flow["destination"], tip, IDENTIFIABILITY_COLOUR[kind], label=flow["flow_id"])
    return len(flows)


def _draw_node_rows(ask: Ask, canvas: Canvas, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> int:
    candidates = ids_in(rows, *columns)
    records = {r["id"]: r for r in ask(NODES, {"ids": candidates})} if candidates else {}
    pairs = "source" in columns and "destination" in columns
    drawn = 0
    for row in rows:
        named = [(column, value) for column in columns for value in ids_in([row], column) if value in records]
        if not named:
            continue
        drawn += 1
        if pairs and row.get("source") in records and row.get("destination") in records:
            canvas.node(records[row["source"]])
            canvas.node(records[row["destination"]])
            canvas.note("edge:row", "line", RELATED, "a row of the answer")
            canvas.edge(row["source"], row["destination"], "\n".join(_cells(row, columns)), RELATED)
            continue
        (subject_column, subject), *others = named
        canvas.node(records[subject], extra=_cells(row, columns, skip=(subject_column,)))
        for column, other in others:
            if other == subject:
                continue
            canvas.node(records[other])
            canvas.note(f"edge:{column}", "line", RELATED, f"row → {words(column)}")
            canvas.edge(subject, other, f"{subject} → {words(column)}: {other}", RELATED, label=words(column))
    return drawn


def result_view(
    ask: Ask, links: Links, query: NamedQuery, params: Mapping[str, Any], rows: list[dict[str, Any]]
) -> Picture:
    columns = list(query.columns)
    shown = rows[:MAX_ROWS]
    canvas = Canvas(links)
    flow_key = next((key for key in ("flow_id", "flow") if key in columns), None)
    if flow_key:
        drawn = _draw_flow_rows(ask, canvas, shown, flow_key, columns)
        what = "flow(s)"
    else:
        drawn = _draw_node_rows(ask, canvas, shown, columns)
        what = "row(s) naming a node"
    notes = [f"{len(rows)} row(s); {drawn} {what} drawn."]
    if len(rows) > MAX_ROWS:
        notes.append(f"Only the first {MAX_ROWS} rows are drawn; the API gives them all.")
    if not drawn:
        notes.append("This answer names no node or flow of the graph, so there is nothing to draw.")
    shown_params = {key: plain(value) for key, value in params.items()}
    table = [[cell(row.get(column)) for column in columns] for row in rows[:MAX_TABLE]]
    return Picture(
        title=f"{query.name}: {len(rows)} row(s)",
        subtitle=query.description,
        canvas=canvas,
        notes=notes + [f"{key} = {cell(value)}" for key, value in shown_params.items() if value is not None],
        links=nav(
            ("all views", links.page("/views/")),
            ("as JSON", links.api_query(query.name, {k: v for k, v in shown_params.items() if v is not None})),
        ),
        table=(columns, table),
    )
