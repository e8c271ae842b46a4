"""A register's CSV file read as a stream: its encoding decided from its bytes, its rows read as they are used.

Nothing holds the whole file: not its bytes, its text or its cells. The header is read when the table is
opened; the rows are read again from the file each time ``Table.rows`` is iterated, one at a time, so a
load costs the records it makes, not a copy of the file in each form.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from loaders.encoding import bad_byte_problems, evidence
from loaders.problem import Problem
from loaders.table import Limits, Reading, Table, UnreadableRegister, check_header, header_of

CsvRow = tuple[int, dict[str, str]]


def records(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """Each record's number (as a spreadsheet numbers rows) and cells."""
    with path.open("rb") as raw, io.TextIOWrapper(raw, encoding, newline="") as text:
        reader = csv.reader(text)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, cells
        except (csv.Error, UnicodeDecodeError) as error:
            # A NUL byte, say, or a file changed since its encoding was decided.
            raise UnreadableRegister(
                [
                    Problem(
                        str(path),
                        number + 1,
                        None,
                        None,
                        f"after line {reader.line_num}: the file cannot be read as CSV ({error}): "
                        "save it again from Excel as 'CSV UTF-8 (Comma delimited)'",
                    )
                ]
            ) from None


class CsvRows:
    """A table's rows, read from the file on each iteration."""

    def __init__(self, path: Path, table: Table, encoding: str, limits: Limits, spent: dict[str, int]) -> None:
        self.path, self.table, self.encoding, self.limits, self.spent = path, table, encoding, limits, spent

    def __iter__(self) -> Iterator[CsvRow]:
        table = self.table
        reading = Reading(table.name, table.where, table.header, self.limits, self.spent)
        for number, cells in records(self.path, self.encoding):
            if number <= table.header_row:
                continue
            row = reading.dense(number, cells)
            if row is not None:
                yield number, row


def read_csv_table(path: Path, name: str, limits: Limits, spent: dict[str, int]) -> tuple[Table, list[Problem]]:
    """The table of one CSV file, its rows still to be read; or the problems that stop it being read."""
    where = str(path)
    found = evidence(path)
    encoding = found.encoding
    if encoding is None:
        return Table(name, where, (), ()), bad_byte_problems(path, found)
    reading = Reading(name, where, (), limits, spent)
    for number, cells in records(path, encoding):
        if reading.dense(number, cells) is None:
            continue
        header = header_of(cells)
        problems = check_header(where, number, header, cells)
        shape = Table(name, where, header, (), number)
        return replace(shape, rows=CsvRows(path, shape, encoding, limits, spent)), problems
    return Table(name, where, (), ()), []
