"""Reading a spreadsheet someone else laid out: every sheet of an ``.xlsx`` workbook, or a CSV file.

The importers' only reader of files. ``read_grids`` opens the file and returns its cells, typed as
Excel typed them (dates, numbers, booleans); ``parse_sheet`` is pure: a grid and the row its headers are
on in, rows keyed by those headers out, each with the row number the user sees in Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from loaders.encoding import Undecodable, read_text

Value = str | int | float | bool | date
Grid = list[list[Value | None]]
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


class UnreadableSheet(Exception):
    """The file, or the sheet asked for, cannot be read; the message says why and what would do."""


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet as its user sees it: headers as written, and rows numbered as Excel numbers them.

    ``rows`` leaves out blank rows; a blank cell is absent from its row. A header written twice keeps
    its first column, and ``duplicates`` names the columns of each such header ("C, F").
    """

    where: str
    header_row: int
    headers: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, Value]], ...]
    duplicates: dict[str, str] = field(default_factory=dict)


def typed(value: object) -> Value | None:
    """A cell as a person means it: text trimmed (blank is nothing), whole numbers whole, dates without midnight.

    >>> typed("  Yes "), typed(3.0), typed(datetime(2024, 4, 1)), typed(""), typed(True)
    ('Yes', 3, datetime.date(2024, 4, 1), None, True)
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool | int | float | date):
        return value
    return str(value)  # a formula error or a time: shown as Excel shows it


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index.

    >>> column_letter(0), column_letter(27)
    ('A', 'AB')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def parse_sheet(where: str, grid: Sequence[Sequence[Value | None]], header_row: int | None = None) -> Sheet:
    """The rows under the header row (1-based; by default the first row with anything in it).

    >>> sheet = parse_sheet("flows.csv", [["Title"], [], ["Ref", "From", "Ref"], ["f1", "A81001", "x"], []], 3)
    >>> sheet.headers, sheet.rows, sheet.duplicates
    (('Ref', 'From', 'Ref'), ((4, {'Ref': 'f1', 'From': 'A81001'}),), {'Ref': 'A, C'})
    """
    if header_row is None:
        header_row = next((number for number, row in enumerate(grid, start=1) if any(c is not None for c in row)), 1)
    if header_row > len(grid) or not any(cell is not None for cell in grid[header_row - 1]):
        raise UnreadableSheet(f"{where}: row {header_row} is blank, so it holds no headers")
    headers = tuple("" if cell is None else " ".join(str(cell).split()) for cell in grid[header_row - 1])
    positions: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        if header:
            positions.setdefault(header, []).append(index)
    duplicates = {h: ", ".join(column_letter(i) for i in p) for h, p in positions.items() if len(p) > 1}
    firsts = [(header, places[0]) for header, places in positions.items()]
    rows = []
    for number, row in enumerate(grid[header_row:], start=header_row + 1):
        cells: dict[str, Value] = {}
        for header, index in firsts:
            value = row[index] if index < len(row) else None
            if value is not None:
                cells[header] = value
        if cells:
            rows.append((number, cells))
    return Sheet(where, header_row, headers, tuple(rows), duplicates)


def read_grids(path: Path) -> dict[str, Grid]:
    """Every sheet's typed cells, in workbook order; a CSV file is one sheet named after the file."""
    if not path.is_file():
        raise UnreadableSheet(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = read_text(path)
        except Undecodable as error:
            raise UnreadableSheet(str(error)) from None
        return {path.stem: [[typed(cell) for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]}
    if suffix not in WORKBOOK_SUFFIXES:
        raise UnreadableSheet(f"{path}: expected an Excel workbook (.xlsx) or a CSV file (.csv)")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableSheet(f"{path}: not a readable .xlsx workbook ({error}); save it again from Excel") from None
    try:
        grids = {}
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # read-only mode trusts the size the file declares, and some declare "A1"
            grids[sheet.title] = [[typed(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        return grids
    except Exception as error:  # a sheet's XML can be broken past the workbook's opening
        raise UnreadableSheet(f"{path}: a sheet could not be read ({error}); save it again from Excel") from None
    finally:
        workbook.close()
