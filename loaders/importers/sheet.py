"""An IG team's own spreadsheet made a spec register through a mapping file (``loaders.importers.mapping``).

Each ``[[table]]`` turns the rows of one sheet into rows of a register table: mapped cells as a person
means them (Excel dates as dates, ``Yes``/``TRUE`` as booleans, ``01/04/2024`` as the first of April), list
cells split at the user's separator, values translated through ``[table.values.*]``, empty cells filled from
``[table.defaults]``. The real loader (``loaders.register``) then validates the rows; every problem it finds
is told in the user's terms: their file and sheet, their row number, their header, the value.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from graph.model import ReferenceData, Register
from loaders.importers.mapping import SheetMapping, TableMap, value_key
from loaders.importers.workbook import Sheet, Sheets, UnreadableSheet, Value, read_sheets
from loaders.register import (
    SCHEMA,
    InvalidRegister,
    Problem,
    boolean,
    iso_date,
    parse_register,
    text,
    validate_together,
)
from loaders.table import LIMITS, Limits, Table, UnreadableRegister

DUPLICATE = re.compile("already defined in \0\\w+ row (?P<row>\\d+)")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DAY_FIRST = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d")


@dataclass(slots=True)
class SheetSummary:
    """What the import read and wrote, per ``[[table]]``."""

    rows: dict[str, int] = field(default_factory=dict)  # "[[table]] 1 (flows): file, sheet S" -> rows read
    written: dict[str, int] = field(default_factory=dict)  # register table -> records
    defaults: Counter[str] = field(default_factory=Counter)  # "flows.status" -> cells filled from defaults
    translated: Counter[str] = field(default_factory=Counter)  # "flows.identifiability" -> values translated

    def lines(self) -> list[str]:
        out = [f"{label}: {n} row(s) read" for label, n in self.rows.items()]
        out.append("written: " + ", ".join(f"{n} {table}" for table, n in self.written.items()))
        out += [f"  {column}: {n} cell(s) from [table.defaults]" for column, n in sorted(self.defaults.items())]
        out += [f"  {column}: {n} value(s) via [table.values]" for column, n in sorted(self.translated.items())]
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "written": self.written,
            "defaults": dict(self.defaults),
            "translated": dict(self.translated),
        }


def as_date(value: Value) -> str:
    """A date cell, or a date as people type them in England (day first), as ISO; anything else as written.

    >>> as_date(date(2024, 4, 1)), as_date("01/04/2024"), as_date("1 April 2024"), as_date("soon")
    ('2024-04-01', '2024-04-01', '2024-04-01', 'soon')
    """
    if isinstance(value, date):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    written = str(value).strip()
    if ISO_DATE.fullmatch(written):
        return written  # already as the loader reads it; strptime is slow, and most cells are like this
    for form in DAY_FIRST:
        try:
            return datetime.strptime(written, form).date().isoformat()
        except ValueError:
            continue
    return written


def as_text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return as_date(value)
    return str(value).strip()


@dataclass(slots=True)
class _Origin:
    """Where a register row came from, so that what the loader says of it is told in the user's terms."""

    table: TableMap
    where: str
    row: int
    translated: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> ours -> theirs


class _Import:
    def __init__(self, mapping: SheetMapping, path: Path) -> None:
        self.mapping = mapping
        self.path = path
        self.problems: list[Problem] = []
        self.summary = SheetSummary()
        # Register rows carry a running number; each maps back to its sheet, row and mapping.
        self.origins: dict[int, _Origin] = {}
        self.rows: dict[str, list[tuple[int, dict[str, str]]]] = {table: [] for table in SCHEMA}

    def sheet_for(self, table: TableMap, book: Sheets) -> Sheet | None:
        names = list(book.names)
        csv = self.path.suffix.lower() == ".csv"
        if not names:
            self.fail(table, "sheet", table.sheet or "", "a worksheet with the register's rows; the workbook has none")
            return None
        if table.sheet is None:
            name = names[0]
        elif csv:
            self.fail(table, "sheet", table.sheet, f"{self.path.name} is a CSV file, with no sheets: leave sheet out")
            return None
        else:
            matches = [n for n in names if n == table.sheet] or [
                n for n in names if n.strip().casefold() == table.sheet.strip().casefold()
            ]
            if not matches:
                self.fail(table, "sheet", table.sheet, f"no such sheet; the workbook has: {', '.join(names)}")
                return None
            name = matches[0]
        where = book.where(name)
        try:
            return book.sheet(name, table.header_row)
        except UnreadableSheet as error:
            self.fail(table, "header_row", table.header_row, str(error).removeprefix(f"{where}: "))
            return None

    def fail(self, table: TableMap, key: str, value: object, expected: str) -> None:
        self.problems.append(
            Problem(f"{self.mapping.path}, {table.label}, key {key}", None, None, str(value), expected)
        )

    def headers(self, table: TableMap, sheet: Sheet) -> dict[str, str] | None:
        """Each mapped register column's header as the sheet writes it; problems for headers it lacks."""
        present = [h for h in sheet.headers if h]
        folded = {h.casefold(): h for h in present}
        found: dict[str, str] = {}
        for column, named in table.columns.items():
            header = named if named in sheet.headers else folded.get(named.casefold())
            if header is None:
                self.problems.append(
                    Problem(
                        sheet.where,
                        sheet.header_row,
                        named,
                        None,
                        f"no such header in row {sheet.header_row} (mapped to {column} in {table.label}); "
                        f"the headers there are: {', '.join(present)}",
                    )
                )
            elif header in sheet.duplicates:
                self.problems.append(
                    Problem(
                        sheet.where,
                        sheet.header_row,
                        header,
                        None,
                        f"this header names more than one column ({sheet.duplicates[header]}): rename one so "
                        f"{column} reads the right one",
                    )
                )
            else:
                found[column] = header
        return found if len(found) == len(table.columns) else None

    def read(self, table: TableMap, sheet: Sheet, headers: dict[str, str]) -> None:
        schema = SCHEMA[table.register]
        label = f"{table.label}: {sheet.where}"
        self.summary.rows[label] = len(sheet.rows)
        # Cells repeat (the same categories, dates and controllers on thousands of rows): each column
        # remembers what a cell became, as the loader does, so a repeated cell costs one look-up.
        memo: dict[str, dict[tuple[type, Value], tuple[str, dict[str, str]]]] = {column: {} for column in schema}
        for number, cells in sheet.rows:
            origin = _Origin(table, sheet.where, number)
            row: dict[str, str] = {}
            for column in schema:
                value = cells.get(headers[column]) if column in headers else None
                if value is None:
                    if column in table.defaults:
                        row[column] = table.defaults[column]
                        self.summary.defaults[f"{table.register}.{column}"] += 1
                    continue
                key = (type(value), value)  # True and 1 are equal keys, but not the same cell
                remembered = memo[column].get(key)
                if remembered is None:
                    remembered = memo[column][key] = self.cell(table, column, value)
                row[column], translated = remembered
                if translated:
                    origin.translated[column] = translated
                    self.summary.translated[f"{table.register}.{column}"] += len(translated)
            running = len(self.origins) + 1
            self.origins[running] = origin
            self.rows[table.register].append((running, row))

    @staticmethod
    def cell(table: TableMap, column: str, value: Value) -> tuple[str, dict[str, str]]:
        """A cell as register text, and which of its items were translated (register value -> theirs)."""
        spec = SCHEMA[table.register][column]
        written = as_date(value) if spec.parse is iso_date else as_text(value)
        items = written.split(table.split.get(column, ";")) if spec.is_list else [written]
        translations = table.values.get(column, {})
        out, translated = [], {}
        for item in (item.strip() for item in items):
            ours = translations.get(value_key(item))
            if ours is not None:
                translated[ours] = item
            out.append(item if ours is None else ours)
        return ";".join(out), translated

    def relocated(self, problem: Problem) -> Problem:
        """A problem the loader found in the register rows, told at the user's sheet, row and header."""
        origin = self.origins.get(problem.row or 0)
        if origin is None or not problem.where.startswith("\0"):
            return replace(problem, where=self.mapping.path if problem.where.startswith("\0") else problem.where)
        table, column = origin.table, problem.column
        header = table.columns.get(column or "")
        expected = problem.expected.replace("organisations.csv or systems.csv", "the organisations or systems mapped")
        first = DUPLICATE.search(expected)
        if first and int(first["row"]) in self.origins:
            earlier = self.origins[int(first["row"])]
            expected = DUPLICATE.sub(f"already defined in {earlier.where} row {earlier.row}", expected)
        if column and header is None and column in table.defaults:
            header = f"(none: {column} from [table.defaults] of {table.label})"
        if column and problem.value in origin.translated.get(column, {}):
            theirs = origin.translated[column][problem.value or ""]
            expected += f" (your {theirs!r}, through [table.values.{column}])"
        elif column and SCHEMA[table.register][column].parse not in (text, iso_date, boolean):
            expected += f"; or translate your value in [table.values.{column}] of {table.label}"
        if column and SCHEMA[table.register][column].parse is iso_date:
            expected += ", or a date such as 01/04/2024"
        return Problem(origin.where, origin.row, header or column, problem.value, expected)


def import_sheet(
    path: Path, mapping: SheetMapping, reference: ReferenceData, name: str | None = None, limits: Limits = LIMITS
) -> tuple[Register, SheetSummary]:
    """The register a mapped spreadsheet holds, validated by the loader, and what was read;
    ``InvalidRegister`` with every problem, each in the user's terms (a sheet past ``limits`` at its sheet
    and the row where reading stopped)."""
    name = name or path.stem
    work = _Import(mapping, path)
    try:
        with read_sheets(path, limits) as book:
            for table in mapping.tables:
                sheet = work.sheet_for(table, book)
                headers = work.headers(table, sheet) if sheet else None
                if sheet is not None and headers is not None:
                    work.read(table, sheet, headers)
    except UnreadableRegister as error:
        raise InvalidRegister(name, error.problems) from None
    if not any(table.register == "flows" for table in mapping.tables):
        work.problems.append(
            Problem(mapping.path, None, None, None, 'a register needs flows: add a [[table]] with register = "flows"')
        )
    if work.problems:
        raise InvalidRegister(name, work.problems)
    tables = {
        table: Table(table, "\0" + table, tuple(SCHEMA[table]), tuple(rows))
        for table, rows in work.rows.items()
        if rows or table == "flows"
    }
    try:
        register = parse_register(name, str(path), tables)
        validate_together(reference, {}, [register])
    except InvalidRegister as error:
        raise InvalidRegister(name, [work.relocated(problem) for problem in error.problems]) from None
    register.locations = {
        key: (work.origins[row].where, work.origins[row].row) for key, (_, row) in register.locations.items()
    }
    work.summary.written = {table: n for table, n in register.counts().items() if n}
    return register, work.summary
