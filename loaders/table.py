"""Reading a register's tables from a CSV folder or an ``.xlsx`` workbook, as spreadsheets save them.

Only this module opens register files. It yields plain cells; ``loaders.register`` gives them meaning.
Excel habits are accepted here: UTF-8 with a byte-order mark or Windows-1252, CRLF line ends, trailing
blank rows, stray spaces around values and header names in any case.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

TABLES = ("organisations", "systems", "flows", "agreements")


@dataclass(frozen=True, slots=True)
class Table:
    """One sheet or CSV file: where it came from, its header and its rows keyed by header name.

    ``rows`` pairs each row with its number as a spreadsheet shows it; ``header_row`` is the header's
    (1 unless blank rows come first).
    """

    name: str
    where: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]
    header_row: int = 1


class UnreadableRegister(Exception):
    """The register could not be read at all (not a folder or workbook, not a spreadsheet)."""


def decode(raw: bytes) -> str:
    """Text of a CSV file saved by Excel: UTF-8 (with or without BOM), else Windows-1252.

    >>> decode("name\\r\\nCaf\\u00e9".encode("cp1252"))
    'name\\r\\nCafé'
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_rows(name: str, where: str, grid: list[list[str]]) -> Table:
    """A table from a grid of cells; the first non-blank row is the header.

    >>> t = parse_rows("flows", "flows.csv", [[" Flow_ID ", "source"], ["f1 ", " a"], ["", ""]])
    >>> t.header, t.rows
    (('flow_id', 'source'), ((2, {'flow_id': 'f1', 'source': 'a'}),))
    """
    numbered = [(number, [cell.strip() for cell in row]) for number, row in enumerate(grid, start=1)]
    numbered = [(number, row) for number, row in numbered if any(row)]
    if not numbered:
        return Table(name, where, (), ())
    header_number, header_cells = numbered[0]
    header = tuple(cell.lower() for cell in header_cells)
    rows = []
    for number, cells in numbered[1:]:
        padded = cells + [""] * (len(header) - len(cells))
        # Cells past the header are dropped, and so are columns with no name.
        rows.append((number, {column: cell for column, cell in zip(header, padded, strict=False) if column}))
    return Table(name, where, header, tuple(rows), header_number)


def read_csv_folder(folder: Path) -> dict[str, Table]:
    tables = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        if path.is_file():
            text = decode(path.read_bytes())
            grid = list(csv.reader(io.StringIO(text, newline="")))
            tables[name] = parse_rows(name, str(path), grid)
    return tables


def read_workbook(path: Path) -> dict[str, Table]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableRegister(f"{path}: not a readable .xlsx workbook ({error})") from error
    try:
        sheets = {sheet.strip().lower(): sheet for sheet in workbook.sheetnames}
        tables = {}
        for name in TABLES:
            if name in sheets:
                sheet = workbook[sheets[name]]
                # Read-only mode trusts the size the file declares, and some writers declare "A1".
                sheet.reset_dimensions()
                grid = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
                tables[name] = parse_rows(name, f"{path}, sheet {sheets[name]}", grid)
        return tables
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """Excel turns ISO dates into datetimes and ``true`` into booleans; give them back as written."""
    from datetime import date, datetime

    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_tables(path: Path) -> dict[str, Table]:
    """The tables of a register folder or workbook."""
    if path.is_dir():
        return read_csv_folder(path)
    if path.is_file() and path.suffix.lower() == ".xlsx":
        return read_workbook(path)
    if not path.exists():
        raise UnreadableRegister(f"{path}: no such file or folder")
    raise UnreadableRegister(f"{path}: a register is a folder of CSV files (flows.csv, ...) or an .xlsx workbook")
