"""A register's ``.xlsx`` workbook read by the cells its sheets really hold.

openpyxl's read-only rows are padded out to the last cell of each row, so a sheet whose rows hold one cell
at column XFD becomes 16,384 cells a row, and an 11.8 KB file took 641 MB. Here each sheet's XML is
streamed by openpyxl's own parser (the one its read-only rows use, with its shared strings and date
formats) and only the cells present are looked at: a value past ``Limits.columns`` is refused at once,
empty formatted cells are counted against the cell limits but never materialised.

As for CSV, a sheet's rows are read each time ``Table.rows`` is iterated, with the workbook opened for
that pass and closed after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from loaders.problem import Problem
from loaders.table import (
    TABLES,
    Limits,
    Reading,
    Table,
    UnreadableRegister,
    check_header,
    header_of,
    table_names,
    unreadable,
)

SheetRow = tuple[int, int, list[tuple[int, str]]]
"""Row number, how many cells it holds (empty ones too), and its values as (0-based column, text)."""


def cell_text(value: object) -> str:
    """Excel turns ISO dates into datetimes and ``true`` into booleans; give them back as written."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@contextmanager
def opened(path: Path) -> Iterator[Any]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise unreadable(str(path), f"not a readable .xlsx workbook ({error})") from error
    try:
        yield workbook
    finally:
        workbook.close()


def _sheet_rows(workbook: Any, sheet_name: str, where: str) -> Iterator[SheetRow]:
    """The rows of a sheet that hold cells, each with only the cells present."""
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
                values = [(cell["column"] - 1, cell_text(cell["value"])) for cell in cells if cell["value"] is not None]
                yield number, len(cells), values
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


class SheetRows:
    """A sheet's rows, read from the workbook on each iteration."""

    def __init__(self, path: Path, sheet: str, table: Table, limits: Limits, spent: dict[str, int]) -> None:
        self.path, self.sheet, self.table, self.limits, self.spent = path, sheet, table, limits, spent

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        table = self.table
        reading = Reading(table.name, table.where, table.header, self.limits, self.spent)
        with opened(self.path) as workbook:
            for number, present, values in _sheet_rows(workbook, self.sheet, table.where):
                if number <= table.header_row:
                    continue
                row = reading.sparse(number, present, values)
                if row is not None:
                    yield number, row


def _table(workbook: Any, path: Path, name: str, sheet: str, limits: Limits, spent: dict[str, int]) -> Table:
    where = f"{path}, sheet {sheet}"
    reading = Reading(name, where, (), limits, spent)
    for number, present, values in _sheet_rows(workbook, sheet, where):
        if reading.sparse(number, present, values) is None:
            continue
        by_column = dict(values)
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
