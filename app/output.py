"""Query results as JSON, CSV or an aligned text table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from graph.codec import json_default


def cell(value: Any) -> str:
    """One value as text: lists joined with ``;`` as in the register spec, empty for None."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(cell(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def as_json(query: str, params: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> str:
    document = {"query": query, "params": dict(params), "count": len(rows), "rows": list(rows)}
    return json.dumps(document, default=json_default, indent=2)


def as_csv(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def as_table(columns: Sequence[str], rows: Sequence[Mapping[str, Any]], limit: int = 60) -> str:
    """An aligned table; long cells are cut so a row fits a terminal."""
    texts = [[cell(row.get(column)) for column in columns] for row in rows]
    texts = [[value if len(value) <= limit else value[: limit - 1] + "…" for value in row] for row in texts]
    widths = [max([len(column), *(len(row[i]) for row in texts)]) for i, column in enumerate(columns)]
    lines = ["  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip() for row in texts]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)
