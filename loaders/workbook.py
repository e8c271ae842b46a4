"""A workbook read by the cells its sheets really hold, for the register loader and the importers alike.

openpyxl's read-only rows are padded out to the last cell of each row, so a sheet whose rows hold one cell
at column XFD becomes 16,384 cells a row, and an 11.8 KB file took 641 MB. Here each sheet's XML is
streamed by openpyxl's own parser (the one its read-only rows use, with its shared strings and date
formats) and only the cells present are looked at: ``sheet_cells`` counts and checks every row against
``Limits`` as it is parsed (a value past ``Limits.columns`` is refused at once; empty formatted cells are
counted against the cell limits but never materialised) and gives the values typed as openpyxl types them.
The register loader makes text of them (``cell_text``); ``loaders.importers.workbook`` keeps them typed.

As for CSV, a register sheet's rows are read each time ``Table.rows`` is iterated, with the workbook opened
for that pass and closed after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from loaders.problem import Problem
from loaders.table import (
    TABLES,
    Limits,
    Reading,
    Table,
    UnreadableRegister,
    cell_text,
    check_header,
    header_of,
    table_names,
    unreadable,
)

SheetCells = tuple[int, list[tuple[int, object]]]
"""Row number and the row's values: (0-based column, value as openpyxl types it), absent cells left out."""


@contextmanager
def opened(path: Path) -> Iterator[Any]:
    """The workbook, read-only with its formulas' cached values; closed after."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise unreadable(str(path), f"not a readable .xlsx workbook ({error}): save it again from Excel") from error
    try:
        yield workbook
    finally:
        workbook.close()


def sheet_cells(workbook: Any, sheet_name: str, where: str, reading: Reading, after: int = 0) -> Iterator[SheetCells]:
    """The rows of a sheet that hold a value, each with only its values: text, numbers, booleans, dates or
    times, as openpyxl reads them.

    Every row is admitted by ``reading`` as it is parsed, its empty formatted cells counted too, so the first
    row past a limit is refused before the next is read. Rows numbered up to ``after`` are passed over
    uncounted: an earlier pass (the header's) read them.
    """
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet._reader import WorkSheetParser

    sheet = workbook[sheet_name]
    if not isinstance(sheet, ReadOnlyWorksheet):
        raise unreadable(where, "this sheet is a chart, not a table: name the table's sheet as the register spec says")
    number = 0
    # As ReadOnlyWorksheet._cells_by_row parses, without its padding of each row to full width.
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        try:
            for number, cells in parser.parse():
                if number <= after:
                    continue
                values = [(cell["column"] - 1, cell["value"]) for cell in cells if cell["value"] is not None]
                reading.admit(number, len(cells), values)
                if values:
                    yield number, values
        except UnreadableRegister:
            raise
        except Exception as error:  # broken sheet XML, a shared string index out of range...
            raise UnreadableRegister(
                [
                    Problem(
                        where,
                        number + 1,
                        None,
                        None,
                        f"the sheet cannot be read ({type(error).__name__}: {error}): open it in Excel and save again",
                    )
                ]
            ) from None


def _texts(values: list[tuple[int, object]]) -> list[tuple[int, str]]:
    return [(index, cell_text(value)) for index, value in values]


class SheetRows:
    """A sheet's rows, read from the workbook on each iteration."""

    def __init__(self, path: Path, sheet: str, table: Table, limits: Limits, spent: dict[str, int]) -> None:
        self.path, self.sheet, self.table, self.limits, self.spent = path, sheet, table, limits, spent

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        table = self.table
        reading = Reading(table.name, table.where, table.header, self.limits, self.spent)
        with opened(self.path) as workbook:
            for number, values in sheet_cells(workbook, self.sheet, table.where, reading, after=table.header_row):
                row = reading.shaped(number, _texts(values))
                if row is not None:
                    yield number, row


def _table(workbook: Any, path: Path, name: str, sheet: str, limits: Limits, spent: dict[str, int]) -> Table:
    where = f"{path}, sheet {sheet}"
    reading = Reading(name, where, (), limits, spent)
    for number, values in sheet_cells(workbook, sheet, where, reading):
        written = _texts(values)
        if reading.shaped(number, written) is None:
            continue
        by_column = dict(written)
        raw = [by_column.get(index, "") for index in range(max(by_column) + 1)]
        header = header_of(raw)
        problems = check_header(where, number, header, raw)
        if problems:
            raise UnreadableRegister(problems)
        shape = Table(name, where, header, (), number)
        return replace(shape, rows=SheetRows(path, sheet, shape, limits, spent))
    return Table(name, where, (), ())


def read_workbook(path: Path, limits: Limits, spent: dict[str, int]) -> tuple[dict[str, Table], list[Problem]]:
    """The tables of a workbook, their rows still to be read; or the problems that stop it being read."""
    with opened(path) as workbook:
        sheets, clashes = table_names(workbook.sheetnames)
        problems = [
            Problem(
                str(path),
                None,
                None,
                other,
                f"sheets {first!r} and {other!r} both name the {table} table (sheet names match ignoring case and "
                "surrounding spaces), so one would be ignored: delete or rename one of them",
            )
            for table, first, other in clashes
        ]
        tables = {}
        for name in (table for table in TABLES if table in sheets):
            try:
                tables[name] = _table(workbook, path, name, sheets[name], limits, spent)
            except UnreadableRegister as error:
                problems += error.problems
        return tables, problems
