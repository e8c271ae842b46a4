"""The importers read by the hardened reader (#10, #12): the spreadsheet bomb of #10 case 2 stays closed
through ``icsgraph import sheet`` and ``POST /api/registers`` with a ``map`` part, every limit is told at the
user's own sheet and row, and a mapped CSV file is streamed in the encoding its bytes decide.

The hostile workbooks are those of ``test_hardening_spreadsheets``; each import runs in a child process whose
own peak memory is asserted, its time printed (``-s``), never asserted.
"""

from __future__ import annotations

import csv
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from fixtures.make_release_fixtures import OUT as DATA_USES_REGISTER
from hostile_support import XFD, measured, wide_workbook
from openpyxl import Workbook, load_workbook
from support import tiny_reference

from loaders.importers.mapping import parse_mapping
from loaders.importers.release_layouts import read_release_register
from loaders.importers.sheet import import_sheet
from loaders.importers.workbook import read_sheets
from loaders.register import InvalidRegister
from loaders.table import Limits

PEAK_MIB = 300
HEADERS = ["Ref", "From", "To", "What", "Why", "Type", "Who"]
MAPPING = (
    '[[table]]\nregister = "flows"\nsheet = "Flows"\nheader_row = 3\n'
    'columns = {flow_id = "Ref", source = "From", destination = "To", data_categories = "What", purposes = "Why", '
    'identifiability = "Type", controllers = "Who"}\n'
)
CSV_MAPPING = MAPPING.replace('sheet = "Flows"\nheader_row = 3\n', "")


def flow(number: int) -> list[str]:
    return [f"f{number}", "A00001", "RAA", "primary_care", "direct_care", "identifiable", "A00001"]


def workbook(path: Path, rows: int) -> Path:
    """A Flows sheet as people lay one out: a title, a blank row, the headers on row 3, then ``rows`` flows."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Flows"
    for cells in [["Our data flows"], [], HEADERS, *(flow(n) for n in range(rows))]:
        sheet.append(cells)
    book.save(path)
    return path


def refused(path: Path, mapping: str, limits: Limits) -> list[str]:
    with pytest.raises(InvalidRegister) as raised:
        import_sheet(path, parse_mapping(mapping, "map.toml"), tiny_reference(), limits=limits)
    return [str(problem) for problem in raised.value.problems]


@pytest.mark.parametrize("rows", [1_300, 3_300], ids=["12KB", "22KB"])
@pytest.mark.parametrize("mode", ["import", "import-upload"], ids=["cli", "api"])
def test_a_workbook_with_a_cell_at_xfd_on_every_row_is_refused_by_the_importer_in_bounded_memory(
    rows: int, mode: str, tmp_path: Path
) -> None:
    path = wide_workbook(tmp_path / "wide.xlsx", rows)
    assert path.stat().st_size < 25_000
    book = load_workbook(path, read_only=True)
    sheet = book["flows"]
    assert (sheet.max_column, sheet.max_row) == (XFD, rows + 1)  # a grid 16,384 cells wide, as openpyxl pads it
    book.close()

    figures = measured(path, mode)

    size = f"{path.stat().st_size:,}-byte workbook"
    print(f"\n{size}, {mode}: refused in {figures['seconds']:.2f} s, peak {figures['peak_mib']:.0f} MiB")
    assert figures["peak_mib"] < PEAK_MIB
    expected = (
        "wide.xlsx, sheet flows, row 2, column XFD: 'x': a value in column XFD (column 16,384); at most 1,024 "
        "columns are read: delete the stray cells to the right of the table"
    )
    if mode == "import":
        assert figures["status"] == 1  # the command's exit code
        assert figures["problems"][0].startswith(f"icsgraph: 1 problem(s) in {path} (mapped by ")
        assert figures["problems"][1] == f"  {tmp_path}/{expected}"
        assert "Traceback" not in "\n".join(figures["problems"])
    else:
        assert figures["status"] == 422
        [problem] = figures["problems"]
        assert (problem["where"], problem["row"], problem["column"]) == ("wide.xlsx, sheet flows", 2, "XFD")
        assert problem["message"] == expected


def test_the_importer_names_the_users_sheet_and_row_where_a_limit_is_passed(tmp_path: Path) -> None:
    path = workbook(tmp_path / "ours.xlsx", 6)
    assert import_sheet(path, parse_mapping(MAPPING, "map.toml"), tiny_reference())[0].counts()["flows"] == 6

    # Rows holding something are counted from the top: the title (1), the headers (3), the flows (4-9).
    [rows] = refused(path, MAPPING, Limits(rows=5))
    assert rows.startswith(f"{path}, sheet Flows, row 7: the sheet 'Flows' has more than 5 rows")
    # The title holds 1 cell, the headers 7, each flow 7: 29 cells by row 6.
    [cells] = refused(path, MAPPING, Limits(cells=28))
    assert cells.startswith(f"{path}, sheet Flows, row 6: the sheet 'Flows' holds more than 28 cells")
    assert "delete the empty formatted cells" in cells
    [wide] = refused(path, MAPPING, Limits(columns=6))
    assert wide.startswith(f"{path}, sheet Flows, row 3, column G: 'Who': a value in column G (column 7); at most 6")


def test_a_long_cell_in_a_mapped_csv_file_is_refused_at_its_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "ours.csv"
    rows = [HEADERS, flow(1), flow(2)]
    rows[2][6] = "A00001;" * 10
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)

    [problem] = refused(path, CSV_MAPPING, Limits(cell_characters=40))

    assert problem.startswith(f"{path}, row 3, column G: 'A00001;A00001;")
    assert "the cell holds 70 characters; at most 40 are read: shorten it" in problem


def test_the_sheets_of_one_import_are_bounded_together(tmp_path: Path) -> None:
    path = workbook(tmp_path / "ours.xlsx", 6)
    book = load_workbook(path)
    systems = book.create_sheet("Systems")
    for cells in [["Id", "Name", "Kind"], ["shcr", "Alpha Care Record", "shared_care_record"]]:
        systems.append(cells)
    book.save(path)
    mapping = (
        '[[table]]\nregister = "systems"\nsheet = "Systems"\n'
        'columns = {system_id = "Id", name = "Name", system_type = "Kind"}\n' + MAPPING
    )
    # Systems holds 6 cells; Flows 1 + 7 + 7 by row 4, 22 by row 5.
    [problem] = refused(path, mapping, Limits(total_cells=25))

    assert problem.startswith(f"{path}, sheet Flows, row 5: the register's tables hold more than 25 cells together")


def test_a_limit_in_a_release_register_is_told_at_its_sheet_and_row(tmp_path: Path) -> None:
    with read_sheets(DATA_USES_REGISTER) as book:  # Agreements is the sheet the current layout reads first
        numbers = [number for number, _ in book.rows("Agreements")]

    with pytest.raises(InvalidRegister) as raised:
        read_release_register(DATA_USES_REGISTER, limits=Limits(rows=2))

    [problem] = raised.value.problems
    assert (problem.where, problem.row) == (f"{DATA_USES_REGISTER}, sheet Agreements", numbers[2])
    assert problem.expected.startswith("the sheet 'Agreements' has more than 2 rows")


def test_a_stray_byte_in_a_mapped_csv_file_is_located_and_nothing_is_guessed(tmp_path: Path) -> None:
    path = tmp_path / "ours.csv"
    lines = [",".join(HEADERS), ",".join(flow(1)), ",".join(flow(2)).replace("A00001", "Caf\u00e9 \u2014 A00001")]
    data = "\n".join(lines).encode() + b"\n"
    data = data.replace(b"Caf\xc3\xa9 \xe2\x80\x94 A00001,", b"Caf\xc3\xa9 \xe2\x80\x94 A0\x920001,", 1)
    path.write_bytes(data)
    offset = data.index(b"\x92")

    [problem] = refused(path, CSV_MAPPING, Limits())

    # Told as the register loader tells it: the header matched as it is, folded to lower case.
    assert problem.startswith(f"{path}, row 3, column from: 'Café — A0\ufffd0001': line 3, byte offset {offset:,}")
    assert "byte 0x92 is not UTF-8" in problem


def test_a_windows_1252_csv_file_imports_as_written(tmp_path: Path) -> None:
    path = tmp_path / "ours.csv"
    rows = [[*HEADERS, "Notes"], [*flow(1), "St Mary\u2019s & St Zo\u00e9\u2019s Hospice"]]
    text = "\n".join(",".join(row) for row in rows) + "\n"
    path.write_bytes(text.encode("cp1252"))
    mapping = CSV_MAPPING.replace('controllers = "Who"', 'controllers = "Who", notes = "Notes"')

    register, _ = import_sheet(path, parse_mapping(mapping, "map.toml"), tiny_reference())

    assert [flow.notes for flow in register.flows] == [rows[1][-1]]


def test_a_mapped_csv_file_is_streamed_into_its_sheet(tmp_path: Path) -> None:
    """Read whole, the file's text and a grid of its cells came to 1.45 times the sheet they make."""
    path = tmp_path / "ours.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([*HEADERS, "Notes"])
        writer.writerows([*flow(n), f"a note about flow {n} " * 3] for n in range(20_000))

    tracemalloc.start()
    try:
        with read_sheets(path) as book:
            sheet: Any = book.sheet("ours")
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    print(f"\n{path.stat().st_size:,} bytes: sheet {held / 2**20:.1f} MiB, peak {peak / 2**20:.1f} MiB")
    assert len(sheet.rows) == 20_000
    assert peak < 1.2 * held
