"""Reading a spreadsheet someone else laid out: the sheets of an ``.xlsx`` workbook, or a CSV file.

The importers' only reader of files, standing on the register loader's bounded readers: a sheet is
streamed by ``loaders.workbook.sheet_cells`` (only the cells it holds, every row counted against
``Limits`` as it is read), a CSV file by ``loaders.csv_file.records`` in the encoding
``loaders.encoding`` decides from its bytes. ``read_sheets`` opens the file once and reads each sheet
when it is asked for, as sparse rows of cells typed as Excel typed them (dates, numbers, booleans);
``parse_sheet`` is pure: those rows and the row their headers are on in, rows keyed by those headers
out, each with the row number the user sees in Excel.

A file that cannot be read, or breaks a limit, raises ``UnreadableRegister`` located in the user's file
(file, sheet, row, column); ``UnreadableSheet`` is kept for what the caller asked of a sheet that it lacks.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from loaders.csv_file import records
from loaders.encoding import bad_byte_problems, evidence
from loaders.table import LIMITS, Limits, Reading, UnreadableRegister, column_letter, unreadable
from loaders.workbook import opened, sheet_cells

Value = str | int | float | bool | date
Cells = Sequence[tuple[int, Value]]
"""A row's values as (0-based column, value); a blank cell is absent."""
Row = tuple[int, Cells]
"""A row's number as Excel numbers it, and its values."""
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


class UnreadableSheet(Exception):
    """The sheet, or the row asked for in it, holds nothing to read; the message says why."""


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


def _headers(cells: Cells) -> tuple[str, ...]:
    """The header row as written, runs of white space made one; "" where a cell is blank."""
    by_column = {index: " ".join(str(value).split()) for index, value in cells}
    return tuple(by_column.get(index, "") for index in range(max(by_column) + 1))


def parse_sheet(where: str, rows: Iterable[Row], header_row: int | None = None) -> Sheet:
    """The rows under the header row (1-based; by default the first row with anything in it).

    ``rows`` are a sheet's rows that hold something, in order, as ``Sheets.rows`` gives them; they are
    read no further than the header row when it turns out blank.

    >>> rows = [(1, [(0, "Title")]), (3, [(0, "Ref"), (1, "From"), (2, "Ref")]), (4, [(0, "f1"), (1, "A81001"),
    ...         (2, "x")])]
    >>> sheet = parse_sheet("flows.csv", rows, 3)
    >>> sheet.headers, sheet.rows, sheet.duplicates
    (('Ref', 'From', 'Ref'), ((4, {'Ref': 'f1', 'From': 'A81001'}),), {'Ref': 'A, C'})
    """
    headers: tuple[str, ...] | None = None
    header_of: dict[int, str] = {}  # column -> the header it is read under (the first of a repeated header)
    duplicates: dict[str, str] = {}
    kept: list[tuple[int, dict[str, Value]]] = []
    for number, cells in rows:
        if headers is not None:
            row = {header_of[index]: value for index, value in cells if index in header_of}
            if row:
                kept.append((number, row))
            continue
        header_row = number if header_row is None else header_row
        if number < header_row:
            continue
        if number > header_row:
            break  # the header row holds nothing
        headers = _headers(cells)
        positions: dict[str, list[int]] = {}
        for index, header in enumerate(headers):
            if header:
                positions.setdefault(header, []).append(index)
        duplicates = {h: ", ".join(column_letter(i + 1) for i in p) for h, p in positions.items() if len(p) > 1}
        header_of = {places[0]: header for header, places in positions.items()}
    if headers is None:
        raise UnreadableSheet(f"{where}: row {header_row or 1} is blank, so it holds no headers")
    assert header_row is not None
    return Sheet(where, header_row, headers, tuple(kept), duplicates)


class Sheets:
    """The sheets of one opened file, by name in workbook order, each read when asked for.

    Every read is bounded by ``limits``: per sheet, and all the sheets read together (a sheet read twice
    counts once). A CSV file is one sheet named after the file.
    """

    def __init__(
        self, path: Path, names: Sequence[str], limits: Limits, workbook: Any = None, encoding: str = ""
    ) -> None:
        self.path, self.names, self.limits = path, tuple(names), limits
        self.workbook, self.encoding = workbook, encoding
        self.spent: dict[str, int] = {}

    def where(self, name: str) -> str:
        """A sheet as problems name it: the file, and for a workbook the sheet."""
        return str(self.path) if self.workbook is None else f"{self.path}, sheet {name}"

    def rows(self, name: str) -> Generator[Row, None, None]:
        """The sheet's rows that hold something, each with its cells typed (``typed``), blank cells left out."""
        subject = f"the file {self.path.name}" if self.workbook is None else f"the sheet {name!r}"
        reading = Reading(name, self.where(name), (), self.limits, self.spent, subject)
        if self.workbook is None:
            for number, fields in records(self.path, self.encoding):
                reading.admit_row(number, fields)
                texts = [(index, text) for index, field in enumerate(fields) if (text := field.strip())]
                if texts:
                    reading.row(number)
                    yield number, texts
            return
        for number, cells in sheet_cells(self.workbook, name, self.where(name), reading):
            values = [(index, value) for index, cell in cells if (value := typed(cell)) is not None]
            if values:
                reading.row(number)
                yield number, values

    def sheet(self, name: str, header_row: int | None = None) -> Sheet:
        """The sheet read whole under its header row (``parse_sheet``)."""
        return parse_sheet(self.where(name), self.rows(name), header_row)


@contextmanager
def read_sheets(path: Path, limits: Limits = LIMITS) -> Iterator[Sheets]:
    """The file's sheets (a workbook's worksheets, or a CSV file as one), open while the block runs.

    Raises ``UnreadableRegister`` for a file that is missing, of another kind, not a workbook, or a CSV file
    whose bytes fit no encoding cleanly (each bad byte located), and, as the rows are read, for a row past
    a limit, each problem located in the user's file.
    """
    if not path.is_file():
        raise unreadable(str(path), "no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        found = evidence(path)
        if found.encoding is None:
            raise UnreadableRegister(bad_byte_problems(path, found))
        yield Sheets(path, [path.stem], limits, encoding=found.encoding)
        return
    if suffix not in WORKBOOK_SUFFIXES:
        raise unreadable(str(path), "expected an Excel workbook (.xlsx) or a CSV file (.csv)")
    with opened(path) as workbook:
        # Worksheets only: a chart sheet holds no rows to import.
        yield Sheets(path, [sheet.title for sheet in workbook.worksheets], limits, workbook)
