"""Primary care networks and their member practices, from the ODS ``ePCN.xlsx`` workbook.

Sheet ``PCNDetails`` lists the PCNs; sheet ``PCN Core Partner Details`` lists practice -> PCN
memberships with start and end dates. Columns are found by header name (the headers wrap over several
lines in the workbook, so whitespace is normalised), so a reordered sheet still reads correctly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graph.model import Organisation
from graph.vocab import OrgType
from loaders.geography import Geography
from loaders.ods import ods_date

DETAILS_SHEET = "PCNDetails"
PARTNERS_SHEET = "PCN Core Partner Details"

Row = Sequence[str]


def columns(header: Row, *names: str) -> list[int]:
    """Positions of the named columns, matching header cells with whitespace normalised.

    >>> columns(["PCN\\nCode", " PCN Name "], "PCN Name", "PCN Code")
    [1, 0]
    """
    position = {" ".join(cell.split()): i for i, cell in enumerate(header)}
    missing = [name for name in names if name not in position]
    if missing:
        raise ValueError(f"ePCN sheet lacks the columns {missing}; found {sorted(position)}")
    return [position[name] for name in names]


def parse_pcns(
    rows: Sequence[Row], geography: Geography, *, include_inactive: bool = False
) -> tuple[list[Organisation], list[str]]:
    """PCNs from the ``PCNDetails`` sheet (header row first), open ones unless ``include_inactive``.

    Each sits under its current sub-ICB location; one whose sub-ICB is not in the ONS lookup is kept
    without a parent and reported. Returns the PCNs and those warnings.
    """
    if not rows:
        return [], []
    code_at, name_at, sub_icb_at, open_at, close_at = columns(
        rows[0], "PCN Code", "PCN Name", "Current Sub ICB Loc Code", "Open Date", "Close Date"
    )
    pcns: list[Organisation] = []
    warnings: list[str] = []
    for row in rows[1:]:
        closed = ods_date(row[close_at])
        if closed and not include_inactive:
            continue
        code, name, sub_icb = row[code_at], row[name_at], row[sub_icb_at]
        icb = geography.icb_of(sub_icb)
        if icb is None:
            warnings.append(
                f"PCN {code} {name}: sub-ICB location {sub_icb!r} is not in the ONS lookup; kept without one"
            )
        known_sub_icb = sub_icb if icb else None
        pcns.append(
            Organisation(
                code,
                name,
                OrgType.PCN,
                parent=known_sub_icb,
                valid_from=ods_date(row[open_at]),
                valid_to=closed,
                sub_icb=known_sub_icb,
                icb=icb,
                region=geography.region_of(icb),
            )
        )
    return pcns, warnings


def parse_memberships(rows: Sequence[Row]) -> dict[str, str]:
    """Practice -> PCN from the core-partner sheet (header row first): memberships with no end date.

    Should a practice have two open memberships, the later start wins.

    >>> header = ["Partner Organisation Code", "PCN Code", "Practice to PCN Relationship Start Date",
    ...           "Practice to PCN Relationship End Date"]
    >>> ended, current = ["A81001", "U1", "20190701", "20200331"], ["A81001", "U2", "20200401", ""]
    >>> parse_memberships([header, ended, current])
    {'A81001': 'U2'}
    """
    if not rows:
        return {}
    practice_at, pcn_at, start_at, end_at = columns(
        rows[0],
        "Partner Organisation Code",
        "PCN Code",
        "Practice to PCN Relationship Start Date",
        "Practice to PCN Relationship End Date",
    )
    current = sorted((row for row in rows[1:] if not row[end_at]), key=lambda row: row[start_at])
    return {row[practice_at]: row[pcn_at] for row in current}


def read_epcn(path: Path) -> tuple[list[list[str]], list[list[str]]]:
    """The two sheets as text cells (blank cells as ""): PCN details, then core partners.

    openpyxl's read-only mode streams the sheets; it is still most of the reference load time.
    """
    from openpyxl import load_workbook  # imported here so modules that never read xlsx stay light

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return _sheet(workbook[DETAILS_SHEET]), _sheet(workbook[PARTNERS_SHEET])
    finally:
        workbook.close()


def _sheet(worksheet: Any) -> list[list[str]]:  # openpyxl ships no type hints
    rows = worksheet.iter_rows(values_only=True)
    return [["" if value is None else str(value) for value in row] for row in rows]
