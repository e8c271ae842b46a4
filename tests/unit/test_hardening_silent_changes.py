"""Silent changes to what a user loaded (#10, case 4): refused with where it is and what to do, never guessed.

A column named twice (after folding case and spaces) let the last one win; two sheets naming one table let
one be ignored; bytes neither UTF-8 nor Windows-1252 became U+FFFD; a UTF-8 file with one stray byte was
read whole as Windows-1252, every ``é`` turned into ``Ã©``. Each is now a problem with its file or sheet,
row, column, and (for bytes) line and byte offset, all computed here from the file's own bytes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from api_support import client
from fixtures.make_fixtures import Tables, good_tables, write_folder, write_workbook
from openpyxl import load_workbook
from support import tiny_reference

from graph.memory import MemoryStore
from loaders.register import InvalidRegister, Problem, read_register

FIXTURES = Path(__file__).parent.parent / "fixtures" / "registers"
ACCENTED = "Café — naïve"


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(InvalidRegister) as raised:
        read_register(path, "good")
    return raised.value.problems


def rename_column(tables: Tables, table: str, column: str, header: str) -> None:
    tables[table][0][tables[table][0].index(column)] = header


def set_cell(tables: Tables, table: str, row: int, column: str, value: str) -> None:
    tables[table][row - 1][tables[table][0].index(column)] = value


def place_of(raw: bytes, byte: bytes) -> tuple[int, int]:
    """Line (1-based) and byte offset of the first ``byte`` in ``raw``."""
    offset = raw.index(byte)
    return raw[:offset].count(b"\n") + 1, offset


# --- duplicate columns and sheets --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "second"),
    [("source", "source"), ("flow_id", "FLOW_ID "), ("purposes", " Purposes")],
    ids=["same-name", "case-and-trailing-space", "leading-space"],
)
@pytest.mark.parametrize("shape", ["csv", "xlsx"])
def test_a_column_named_twice_is_refused_not_last_one_wins(column: str, second: str, shape: str, tmp_path: Path):
    tables = good_tables()
    rename_column(tables, "flows", "notes", second)  # the second column of that name replaces notes
    if shape == "csv":
        path = write_folder(tmp_path / "register", tables)
        where = str(path / "flows.csv")
    else:
        path = write_workbook(tmp_path / "register.xlsx", tables)
        where = f"{path}, sheet flows"
    first_letter = chr(ord("A") + tables["flows"][0].index(column))

    [problem] = problems_of(path)

    assert (problem.where, problem.row, problem.column, problem.value) == (where, 1, column, second)
    assert f"the column {column!r} is named twice (columns {first_letter} and Z" in problem.expected
    assert "delete or rename one" in problem.expected


def test_two_sheets_whose_names_fold_to_one_table_are_refused(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "register.xlsx", good_tables())
    workbook = load_workbook(path)
    workbook.copy_worksheet(workbook["flows"]).title = "Flows "
    workbook.save(path)

    [problem] = problems_of(path)

    assert (problem.where, problem.row, problem.value) == (str(path), None, "Flows ")
    assert "sheets 'flows' and 'Flows ' both name the flows table" in problem.expected
    assert "delete or rename one" in problem.expected


# --- bytes -------------------------------------------------------------------------------------------


def test_a_utf8_file_with_a_stray_byte_is_refused_at_that_byte_not_read_as_windows_1252(tmp_path: Path) -> None:
    tables = good_tables()
    set_cell(tables, "flows", 3, "notes", ACCENTED)
    path = write_folder(tmp_path / "register", tables)
    flows = path / "flows.csv"
    # A stray Windows-1252 apostrophe typed into a UTF-8 file, in row 5's evidence cell.
    flows.write_bytes(flows.read_bytes().replace(b"DPIA P-17", b"DPIA P\x9217"))
    raw = flows.read_bytes()
    assert ACCENTED.encode() in raw
    line, offset = place_of(raw, b"\x92")

    [problem] = problems_of(path)

    assert (problem.where, problem.row, problem.column) == (str(flows), 4, "evidence")
    assert problem.value == "DPIA P\ufffd17"
    assert f"line {line}, byte offset {offset:,}: byte 0x92 is not UTF-8" in problem.expected
    assert "save the file from Excel as 'CSV UTF-8" in problem.expected


def test_a_file_with_a_byte_order_mark_is_utf8_whatever_else_it_holds(tmp_path: Path) -> None:
    path = write_folder(tmp_path / "register", good_tables())
    systems = path / "systems.csv"
    systems.write_bytes(b"\xef\xbb\xbf" + systems.read_bytes().replace(b"Health Platform", b"Health Platform\xe9"))
    raw = systems.read_bytes()
    line, offset = place_of(raw, b"\xe9")

    [problem] = problems_of(path)

    assert (problem.where, problem.column) == (str(systems), "name")
    assert f"line {line}, byte offset {offset:,}: byte 0xE9 is not UTF-8" in problem.expected


def test_bytes_neither_utf8_nor_windows_1252_are_refused_at_each_byte(tmp_path: Path) -> None:
    path = tmp_path / "register"
    path.mkdir()
    for source in (FIXTURES / "good-cp1252").iterdir():
        (path / source.name).write_bytes(source.read_bytes())
    organisations = path / "organisations.csv"
    raw = organisations.read_bytes()
    name = "St Mary\u2019s & St Zo\u00e9\u2019s Hospice".encode("cp1252")
    assert name in raw  # Windows-1252 otherwise, as Excel saves it
    organisations.write_bytes(raw.replace(name, name.replace(b"Hospice", b"Hos\x81pice")))
    line, offset = place_of(organisations.read_bytes(), b"\x81")

    [problem] = problems_of(path)

    assert (problem.where, problem.row, problem.column) == (str(organisations), 5, "name")
    assert problem.value == "St Mary\u2019s & St Zo\u00e9\u2019s Hos\ufffdpice"
    assert f"line {line}, byte offset {offset:,}: byte 0x81 is neither UTF-8 nor Windows-1252" in problem.expected


def test_a_windows_1252_file_still_loads_as_windows_1252(tmp_path: Path) -> None:
    names = {o.org_id: o.name for o in read_register(FIXTURES / "good-cp1252", "good").organisations}
    assert names["LHOSP1"] == "St Mary\u2019s & St Zo\u00e9\u2019s Hospice"


def test_many_bad_bytes_are_located_up_to_a_hundred_then_counted(tmp_path: Path) -> None:
    tables = good_tables()
    set_cell(tables, "flows", 2, "notes", ACCENTED + " \x00" * 150)
    path = write_folder(tmp_path / "register", tables)
    flows = path / "flows.csv"
    flows.write_bytes(flows.read_bytes().replace(b"\x00", b"\xff"))

    problems = problems_of(path)

    assert len(problems) == 101
    assert all("byte 0xFF is not UTF-8" in problem.expected for problem in problems[:100])
    assert problems[100].expected == "... 50 more such bytes in the file"


def test_an_upload_with_a_stray_byte_is_refused_naming_the_file_in_the_upload(tmp_path: Path) -> None:
    tables = good_tables()
    set_cell(tables, "flows", 3, "notes", ACCENTED)
    path = write_folder(tmp_path / "register", tables)
    raw = (path / "flows.csv").read_bytes().replace(b"DPIA P-17", b"DPIA P\x9217")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in sorted(path.iterdir()):
            archive.writestr(item.name, raw if item.name == "flows.csv" else item.read_bytes())
    line, offset = place_of(raw, b"\x92")
    api = client(MemoryStore(tiny_reference(), None), write_token="w")

    response = api.post(
        "/api/registers", files={"file": ("good.zip", buffer.getvalue())}, headers={"Authorization": "Bearer w"}
    )

    assert response.status_code == 422
    [problem] = response.json()["problems"]
    assert (problem["where"], problem["row"], problem["column"]) == ("good/flows.csv", 4, "evidence")
    assert f"line {line}, byte offset {offset:,}" in problem["expected"]
