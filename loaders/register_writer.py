"""Writing a register as a folder of CSV files in the spec's format, the reverse of ``read_register``.

``register_tables`` is pure (records in, rows of cells out); ``write_register`` only opens the files.
Columns follow the declaration (``graph.schema``), lists are joined with ``;``, dates are ISO, and a file
is written whole or not at all.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from graph.model import Register
from graph.schema import LIST_SEPARATOR, TABLES, Column, Kind


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _joined(value: tuple[str, ...]) -> str:
    return LIST_SEPARATOR.join(value)  # vocabulary values are StrEnums: joined as their values


def _boolean(value: bool | None) -> str:
    return "" if value is None else "true" if value else "false"


def _date(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def writer_for(column: Column) -> Callable[[Any], str]:
    """How a column's field is written so that the loader reads it back as it was.

    >>> flows = TABLES["flows"]
    >>> [writer_for(flows.column(c))(v) for c, v in (("joint", True), ("art6", ("6(1)(e)",)), ("notes", None))]
    ['true', '6(1)(e)', '']
    """
    if column.many:
        return _joined
    if column.kind is Kind.BOOLEAN:
        return _boolean
    if column.kind is Kind.DATE:
        return _date
    return _text


def rows(table: str, records: Iterable[object]) -> Iterator[list[str]]:
    """The header, then one row per record of a table; per-column writers, as a national register is large."""
    columns = [(column.field, writer_for(column)) for column in TABLES[table].columns]
    yield list(TABLES[table].names)
    for record in records:
        yield [write(getattr(record, field)) for field, write in columns]


def register_tables(register: Register) -> dict[str, Iterator[list[str]]]:
    """Each table's rows, produced as they are read, so a register ten times national size streams."""
    return {table: rows(table, getattr(register, table)) for table in TABLES}


def write_register(register: Register, folder: Path) -> dict[str, int]:
    """Write the four CSV files into ``folder`` (made if missing); the size in bytes of each.

    Each file is written beside its final name and renamed over it, so a reader never sees half of one.
    """
    folder.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for table, grid in register_tables(register).items():
        temporary, final = folder / f".{table}.csv.tmp", folder / f"{table}.csv"
        with temporary.open("w", encoding="utf-8", newline="") as file:
            # Cells are written as they are, not made spreadsheet-safe as query answers are (app.output):
            # a register must load back identically, and a leading ' would become part of a name or id.
            csv.writer(file, lineterminator="\n").writerows(grid)
        os.replace(temporary, final)
        sizes[final.name] = final.stat().st_size
    return sizes
