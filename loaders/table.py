"""A register's table as read from a CSV file or a sheet: its header, and rows keyed by header name.

This module holds what both readers share (``loaders.csv_file`` for CSV, ``loaders.workbook`` for
``.xlsx``): the header's rules, the shaping of a row, and the limits that keep a hostile or mistaken file
from taking the memory of the machine. The readers give rows as they read them, so a register is never
held whole as text or cells, only as the records ``loaders.register`` makes of them.

Excel habits are accepted: trailing blank rows, stray spaces around values and header names in any case.
What would silently change the data is refused instead, with where and how to fix it: a column named
twice (after folding case and spaces), a file or sheet past the limits.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from loaders.problem import Problem

TABLES = ("organisations", "systems", "flows", "agreements")

# Python's csv module refuses a field over 131,072 characters with a bare ``_csv.Error`` that names no
# column. The module-wide limit is raised once here so that every cell reaches ``Reading``, which refuses
# a long cell itself with its row and column (``Limits.cell_characters``, the same 131,072 by default).
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of a file is read before it is refused; each bound is checked as the cells are read.

    The defaults admit ten times the synthetic national register (460,000 rows, 12 million cells) and
    refuse what no register needs: a value past column 1,024, a cell longer than Python's csv module
    reads by default.
    """

    rows: int = 1_048_576  # per table: Excel's own sheet height
    columns: int = 1_024
    cells: int = 20_000_000  # per table, cells present (empty CSV fields count, absent xlsx cells do not)
    total_cells: int = 30_000_000  # all the register's tables together
    cell_characters: int = 131_072


LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Table:
    """One sheet or CSV file: where it came from, its header and its rows keyed by header name.

    ``rows`` pairs each row with its number as a spreadsheet shows it; ``header_row`` is the header's
    (1 unless blank rows come first). The readers' rows are read from the file each time they are
    iterated, and iterating raises ``UnreadableRegister`` when the file breaks a limit.
    """

    name: str
    where: str
    header: tuple[str, ...]
    rows: Iterable[tuple[int, dict[str, str]]]
    header_row: int = 1


class UnreadableRegister(Exception):
    """The register's files could not be read as written; ``problems`` says where and how to fix each."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(map(str, self.problems[:3])))


def unreadable(where: str, expected: str) -> UnreadableRegister:
    """A register that is not one at all (no such path, not a workbook), said in one problem."""
    return UnreadableRegister([Problem(where, None, None, None, expected)])


def column_letter(index: int) -> str:
    """The spreadsheet name of a 1-based column index.

    >>> column_letter(1), column_letter(27), column_letter(16384)
    ('A', 'AA', 'XFD')
    """
    letters = ""
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def shown(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def cell_text(value: object) -> str:
    """A cell as text as it was written: Excel turns ISO dates into datetimes and ``true`` into booleans.

    >>> cell_text(datetime(2024, 4, 1)), cell_text(True), cell_text(3.0), cell_text(" a ")
    ('2024-04-01', 'true', '3', ' a ')
    """
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_header(where: str, number: int, header: Sequence[str], raw: Sequence[str]) -> list[Problem]:
    """A column named twice once case and surrounding spaces are set aside would have one value win silently.

    >>> [(p.row, p.column, p.value) for p in check_header("f.csv", 1, ["source", "source"], ["source", " Source"])]
    [(1, 'source', ' Source')]
    """
    first: dict[str, int] = {}
    problems = []
    for index, name in enumerate(header, start=1):
        if not name:
            continue
        if name in first:
            problems.append(
                Problem(
                    where,
                    number,
                    name,
                    raw[index - 1],
                    f"the column {name!r} is named twice (columns {column_letter(first[name])} and "
                    f"{column_letter(index)}; names match ignoring case and surrounding spaces), so one would "
                    "silently replace the other: delete or rename one of them",
                )
            )
        else:
            first[name] = index
    return problems


class Reading:
    """One pass over a table: each row counted against the limits as it is read, then shaped by the header.

    The readers admit every row before anything of it is kept (``admit`` for a sheet's cells present,
    ``admit_row`` for a CSV record); ``keep`` or ``row`` counts the rows that hold something. ``spent`` is
    shared by every table of one register (or every sheet of one import), so the total is bounded too.
    ``subject`` names the table in messages ("the flows table", "the sheet 'Data flows'").
    """

    def __init__(
        self,
        name: str,
        where: str,
        header: Sequence[str],
        limits: Limits,
        spent: dict[str, int] | None = None,
        subject: str | None = None,
    ) -> None:
        self.name, self.where, self.limits = name, where, limits
        self.subject = subject or f"the {name} table"
        self.named = [(index, column) for index, column in enumerate(header) if column]
        self.header = header
        self.spent = spent if spent is not None else {}
        self.others = sum(cells for table, cells in self.spent.items() if table != name)
        self.rows = 0
        self.cells = 0

    def refuse(self, number: int | None, column: str | None, value: str | None, expected: str) -> UnreadableRegister:
        return UnreadableRegister([Problem(self.where, number, column, value, expected)])

    def column(self, index: int) -> str:
        """A column as problems name it: its header name, else its spreadsheet letter (0-based ``index``)."""
        if index < len(self.header) and self.header[index]:
            return self.header[index]
        return column_letter(index + 1)

    def count(self, number: int, present: int) -> None:
        """Count a row's cells present, before anything of them is kept."""
        self.cells += present
        self.spent[self.name] = self.cells
        limits = self.limits
        if self.cells > limits.cells:
            raise self.refuse(
                number,
                None,
                None,
                f"{self.subject} holds more than {limits.cells:,} cells; reading stopped at this row: "
                "delete the empty formatted cells below and beside the table, or split the register",
            )
        if self.others + self.cells > limits.total_cells:
            raise self.refuse(
                number,
                None,
                None,
                f"the register's tables hold more than {limits.total_cells:,} cells together; reading stopped "
                "at this row: split the register (one per ICS, say) and load each",
            )

    def check_cells(self, number: int, cells: Sequence[tuple[int, object]]) -> None:
        """Refuse a value past the column limit or a text past the length limit (0-based column indexes).

        Values are as the reader gives them: text from a CSV file, text, numbers, booleans or dates from a
        sheet. Only text can be blank or long.
        """
        limits = self.limits
        for index, value in cells:
            text = value if isinstance(value, str) else None
            if index >= limits.columns and (text is None or text.strip()):
                raise self.refuse(
                    number,
                    column_letter(index + 1),
                    shown(cell_text(value)),
                    f"a value in column {column_letter(index + 1)} (column {index + 1:,}); at most "
                    f"{limits.columns:,} columns are read: delete the stray cells to the right of the table",
                )
            if text is not None and len(text) > limits.cell_characters:
                raise self.refuse(
                    number,
                    self.column(index),
                    shown(text),
                    f"the cell holds {len(text):,} characters; at most {limits.cell_characters:,} are read: "
                    "shorten it (a register's cells hold ids, names, lists and short notes)",
                )

    def admit(self, number: int, present: int, cells: Sequence[tuple[int, object]]) -> None:
        """A sheet row: its cells present counted (empty formatted ones too), its values checked."""
        self.count(number, present)
        self.check_cells(number, cells)

    def admit_row(self, number: int, cells: Sequence[str]) -> None:
        """A CSV record: its fields counted and, when one could break a limit, checked."""
        self.count(number, len(cells))
        limits = self.limits
        if len(cells) > limits.columns or (cells and max(map(len, cells)) > limits.cell_characters):
            self.check_cells(number, list(enumerate(cells)))

    def dense(self, number: int, cells: Sequence[str]) -> dict[str, str] | None:
        """A CSV row's cells keyed by header name ("" where missing), or None for a blank row."""
        self.admit_row(number, cells)
        stripped = [cell.strip() for cell in cells]
        if not any(stripped):
            return None
        return self.keep(number, stripped)

    def shaped(self, number: int, values: Sequence[tuple[int, str]]) -> dict[str, str] | None:
        """A sheet row already admitted, from its values (0-based column, text), or None for a blank row."""
        by_column = {index: text.strip() for index, text in values}
        if not any(by_column.values()):
            return None
        width = max(by_column) + 1
        return self.keep(number, [by_column.get(index, "") for index in range(width)])

    def row(self, number: int) -> None:
        """Count a row that holds something against the row limit."""
        self.rows += 1
        if self.rows > self.limits.rows:
            raise self.refuse(
                number,
                None,
                None,
                f"{self.subject} has more than {self.limits.rows:,} rows: split the register and load each",
            )

    def keep(self, number: int, stripped: Sequence[str]) -> dict[str, str]:
        self.row(number)
        width = len(stripped)
        # Cells past the header are dropped, and so are columns with no name.
        return {column: stripped[index] if index < width else "" for index, column in self.named}


def header_of(cells: Sequence[str]) -> tuple[str, ...]:
    """Header names as matched: trimmed and lower case."""
    return tuple(cell.strip().lower() for cell in cells)


def parse_rows(name: str, where: str, grid: Sequence[Sequence[str]], limits: Limits = LIMITS) -> Table:
    """A table from a grid of cells; the first non-blank row is the header.

    >>> t = parse_rows("flows", "flows.csv", [[" Flow_ID ", "source"], ["f1 ", " a"], ["", ""]])
    >>> t.header, t.rows
    (('flow_id', 'source'), ((2, {'flow_id': 'f1', 'source': 'a'}),))
    """
    numbered = [(number, row) for number, row in enumerate(grid, start=1) if any(cell.strip() for cell in row)]
    if not numbered:
        return Table(name, where, (), ())
    header_number, header_cells = numbered[0]
    header = header_of(header_cells)
    problems = check_header(where, header_number, header, header_cells)
    if problems:
        raise UnreadableRegister(problems)
    reading = Reading(name, where, header, limits)
    rows = ((number, reading.dense(number, cells)) for number, cells in numbered[1:])
    return Table(name, where, header, tuple((number, row) for number, row in rows if row is not None), header_number)


def table_names(names: Iterable[str]) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Which table each sheet or file name means (folded), and the pairs that fold to the same table.

    >>> table_names(["Flows ", "systems", "notes"])
    ({'flows': 'Flows ', 'systems': 'systems'}, [])
    >>> table_names(["flows", "Flows "])[1]
    [('flows', 'flows', 'Flows ')]
    """
    chosen: dict[str, str] = {}
    clashes = []
    for name in names:
        table = name.strip().lower()
        if table not in TABLES:
            continue
        if table in chosen:
            clashes.append((table, chosen[table], name))
        else:
            chosen[table] = name
    return chosen, clashes
