"""The limits on what a register's files may hold (#10, case 2), each refused with where, which and what to do.

Within the default limits the good register loads; with a limit set below what it holds, reading stops
at the row that passes it, and the one problem says so. A cell past Python's csv limit (131,072
characters) used to escape as a bare ``_csv.Error``; it is a located problem like the rest.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.make_fixtures import good_tables, write_folder, write_workbook

from loaders.register import InvalidRegister, parse_register, read_register
from loaders.register_files import read_tables
from loaders.table import Limits, UnreadableRegister, column_letter


def good_workbook(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "good.xlsx", good_tables())


def good_folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "good", good_tables())


def refused(path: Path, limits: Limits) -> list[str]:
    """Read and parse with ``limits``; the problems, as text."""
    with pytest.raises(UnreadableRegister) as raised:
        parse_register("good", str(path), read_tables(path, limits))
    return [str(problem) for problem in raised.value.problems]


@pytest.mark.parametrize("shape", [good_folder, good_workbook], ids=["csv", "xlsx"])
@pytest.mark.parametrize(
    ("limits", "words"),
    [
        # The good register's tables hold 5, 4, 6 and 3 rows; organisations and systems 35 and 28 cells.
        (Limits(rows=5), ["flows", "row 7", "the flows table has more than 5 rows", "split the register"]),
        (Limits(cells=60), ["flows", "the flows table holds more than 60 cells", "delete the empty formatted cells"]),
        (Limits(total_cells=120), ["flows", "more than 120 cells together", "split the register"]),
        (Limits(cell_characters=40), ["flows", "row 4, column notes", "characters; at most 40 are read", "shorten"]),
    ],
    ids=["rows", "cells", "total-cells", "cell-characters"],
)
def test_each_limit_is_refused_with_where_and_what_to_do(shape, limits: Limits, words: list[str], tmp_path: Path):
    path = shape(tmp_path)
    assert read_register(path).counts()["flows"] == 6  # within the default limits it loads

    problems = refused(path, limits)

    assert len(problems) == 1
    for word in words:
        assert word in problems[0]


@pytest.mark.parametrize(("write", "name"), [(write_folder, "register"), (write_workbook, "register.xlsx")])
def test_a_value_past_the_column_limit_is_refused_with_its_column(write, name: str, tmp_path: Path) -> None:
    tables = good_tables()
    tables["systems"][2] += [""] * 30 + ["stray"]
    path = write(tmp_path / name, tables)
    column = column_letter(len(tables["systems"][2]))

    problems = refused(path, Limits(columns=30))  # flows has 26 columns

    assert len(problems) == 1
    assert f"row 3, column {column}: 'stray'" in problems[0]
    assert "at most 30 columns are read" in problems[0]


def test_read_register_turns_a_limit_into_a_located_register_problem(tmp_path: Path) -> None:
    tables = good_tables()
    tables["flows"][3][tables["flows"][0].index("notes")] = "n" * 131_073
    path = write_folder(tmp_path / "register", tables)

    with pytest.raises(InvalidRegister) as raised:
        read_register(path)

    [problem] = raised.value.problems
    assert (problem.where, problem.row, problem.column) == (str(path / "flows.csv"), 4, "notes")
    assert "131,073 characters; at most 131,072" in problem.expected
