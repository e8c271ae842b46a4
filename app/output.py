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


# A spreadsheet reads a cell starting with one of these as a formula (tab and CR can hide one after them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    r"""A value as a CSV cell that a spreadsheet shows as text, never runs: the OWASP rule for CSV injection.

    Text starting like a formula gets a leading ``'``, which Excel and LibreOffice hide and do not store;
    numbers the project computed are left as numbers. Every CSV the project writes for people to open
    goes through this (``as_csv``); registers written to be loaded again do not (``loaders.register_writer``).

    >>> [spreadsheet_safe(v) for v in ("+cmd|' /C calc'!A0", "=1+1", "@SUM(1)", "-2+3", "\tx", "\rx", "a=b", -2)]
    ["'+cmd|' /C calc'!A0", "'=1+1", "'@SUM(1)", "'-2+3", "'\tx", "'\rx", 'a=b', '-2']
    """
    text = cell(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return text
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def as_csv(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows as CSV for a spreadsheet: the header, then each row's cells made ``spreadsheet_safe``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([spreadsheet_safe(column) for column in columns])
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(column)) for column in columns])
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
