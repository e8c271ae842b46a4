"""The files a register is made of: a folder of CSV files or an ``.xlsx`` workbook, opened as tables.

Only the readers beside this module open register files (``loaders.csv_file``, ``loaders.workbook``);
``loaders.register`` gives their cells meaning.
"""

from __future__ import annotations

from pathlib import Path

from loaders.csv_file import read_csv_table
from loaders.problem import Problem
from loaders.table import LIMITS, TABLES, Limits, Table, UnreadableRegister, unreadable
from loaders.workbook import read_workbook


def read_csv_folder(folder: Path, limits: Limits = LIMITS) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    spent: dict[str, int] = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        if path.is_file():
            tables[name], found = read_csv_table(path, name, limits, spent)
            problems += found
    if problems:
        raise UnreadableRegister(problems)
    return tables


def read_tables(path: Path, limits: Limits = LIMITS) -> dict[str, Table]:
    """The tables of a register folder or workbook, their rows read as they are iterated.

    Raises ``UnreadableRegister`` with every problem that stops the files being read as written, here or
    while the rows are iterated (a limit passed, a cell too long).
    """
    if path.is_dir():
        return read_csv_folder(path, limits)
    if path.is_file() and path.suffix.lower() == ".xlsx":
        tables, problems = read_workbook(path, limits, {})
        if problems:
            raise UnreadableRegister(problems)
        return tables
    if not path.exists():
        raise unreadable(str(path), "no such file or folder")
    raise unreadable(str(path), "a register is a folder of CSV files (flows.csv, ...) or an .xlsx workbook")
