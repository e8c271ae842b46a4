"""``icsgraph import sheet``: a spreadsheet in the user's own layout, read through a mapping file.

Every bad mapping or sheet is rejected with a location in the user's own files: the mapping file's entry
and key, or their sheet, their row number, their header, the value and what was expected. The sheets are
written inline over the tiny reference graph (``support.tiny_reference``).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart
from support import tiny_reference

from app.cli import main
from graph.model import Register
from loaders.importers.mapping import parse_mapping
from loaders.importers.sheet import import_sheet
from loaders.register import InvalidRegister

MAPPING = """
[[table]]
register = "systems"
sheet = "Systems"
[table.columns]
system_id = "Id"
name = "Name"
system_type = "Kind"

[[table]]
register = "flows"
sheet = "Flows"
[table.columns]
flow_id = "Ref"
source = "From"
destination = "To"
data_categories = "What"
purposes = "Why"
identifiability = "Type"
controllers = "Controller"
joint = "Joint"
art6 = "Art 6"
valid_from = "Since"
valid_to = "Until"
[table.values.identifiability]
"Personal confidential data" = "identifiable"
[table.values.data_categories]
"GP record" = "primary_care"
[table.split]
data_categories = ","
controllers = ","
[table.defaults]
purposes = "direct_care"
"""
HEADERS = ["Ref", "From", "To", "What", "Why", "Type", "Controller", "Joint", "Art 6", "Since", "Until"]
GOOD = ["f1", "A00001", "shcr", "GP record, demographics", "", "Personal confidential data", "A00001", "No",
        "Art 6(1)(e)", date(2024, 4, 1), None]  # fmt: skip
SYSTEMS = [["Id", "Name", "Kind"], ["shcr", "Alpha Care Record", "Shared care record"]]


def flows_sheet(*rows: list[Any], headers: list[str] = HEADERS) -> list[list[Any]]:
    return [headers, GOOD, *rows]


def write(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    if path.suffix == ".csv":
        [rows] = sheets.values()
        with path.open("w", newline="", encoding="utf-8") as file:
            csv.writer(file).writerows([["" if c is None else c for c in row] for row in rows])
        return path
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def imported(tmp_path: Path, mapping: str = MAPPING, sheets: dict[str, list[list[Any]]] | None = None,
             name: str = "ours.xlsx") -> Register:  # fmt: skip
    sheets = sheets if sheets is not None else {"Flows": flows_sheet(), "Systems": SYSTEMS}
    register, _ = import_sheet(write(tmp_path / name, sheets), parse_mapping(mapping, "map.toml"), tiny_reference())
    return register


def problems(tmp_path: Path, mapping: str = MAPPING, sheets: dict[str, list[list[Any]]] | None = None,
             name: str = "ours.xlsx") -> list[str]:  # fmt: skip
    with pytest.raises(InvalidRegister) as raised:
        imported(tmp_path, mapping, sheets, name)
    return [str(problem).replace(str(tmp_path) + "/", "") for problem in raised.value.problems]


def test_a_mapped_sheet_becomes_a_register_with_cells_read_as_a_person_means_them(tmp_path: Path) -> None:
    register = imported(
        tmp_path,
        sheets={
            "Flows": flows_sheet(
                [
                    2,
                    "A00002",
                    "shcr",
                    "GP record",
                    "planning",
                    "pseudonymised",
                    "A00002, RAA",
                    True,
                    None,
                    "01/05/2024",
                    "31/03/2027",
                ],
                [
                    "f3",
                    "A00003",
                    "shcr",
                    "gp RECORD",
                    None,
                    " personal  CONFIDENTIAL data ",
                    "A00003",
                    "TRUE",
                    None,
                    date(2024, 6, 1),
                    None,
                ],
            ),
            "Systems": SYSTEMS,
        },
    )
    [system] = register.systems
    assert (system.system_id, system.system_type) == ("shcr", "shared_care_record")
    f1, f2, f3 = register.flows
    assert (f1.flow_id, f1.data_categories, f1.purposes, f1.identifiability, f1.joint, f1.art6, f1.valid_from) == (
        "f1", ("primary_care", "demographics"), ("direct_care",), "identifiable", False, ("6(1)(e)",), date(2024, 4, 1)
    )  # fmt: skip
    assert (f2.flow_id, f2.controllers, f2.joint, f2.valid_from, f2.valid_to) == (
        "2", ("A00002", "RAA"), True, date(2024, 5, 1), date(2027, 3, 31)
    )  # fmt: skip
    assert (f3.data_categories, f3.identifiability, f3.joint) == (("primary_care",), "identifiable", True)
    assert register.locations["flow:f3"] == (f"{tmp_path}/ours.xlsx, sheet Flows", 4)


def test_a_csv_file_with_a_title_above_its_headers(tmp_path: Path) -> None:
    mapping = MAPPING.split('[[table]]\nregister = "flows"')[1]
    mapping = '[[table]]\nregister = "flows"' + mapping.replace('sheet = "Flows"', "header_row = 3")
    rows = [["Flow register"], [], HEADERS, [*GOOD[:2], "RAA", *GOOD[3:]]]
    register = imported(tmp_path, mapping, {"flows": rows}, name="flows.csv")
    assert [(f.flow_id, f.destination, f.valid_from) for f in register.flows] == [("f1", "RAA", date(2024, 4, 1))]


BAD_ROW_CASES = [
    ("a value outside the vocabulary", ["f2", "A00002", "shcr", "GP record", "", "Secret", "A00002"],
     "ours.xlsx, sheet Flows, row 3, column Type: 'Secret': expected one of: identifiable, pseudonymised, anonymised, "
     "aggregate"),
    ("an unknown id", ["f2", "A00002", "nowhere", "GP record", "", "identifiable", "A00002"],
     "ours.xlsx, sheet Flows, row 3, column To: 'nowhere': unknown id: not in the reference data, the organisations or "
     "systems mapped"),
    ("an empty required cell", ["f2", "A00002", "shcr", "GP record", "", "identifiable", None],
     "ours.xlsx, sheet Flows, row 3, column Controller: '': a value is required"),
    ("a date that is not one", ["f2", "A00002", "shcr", "GP record", "", "identifiable", "A00002", None, None,
                                "31/02/2024"],
     "ours.xlsx, sheet Flows, row 3, column Since: '31/02/2024': expected an ISO date YYYY-MM-DD, or a date such as "
     "01/04/2024"),
    ("a boolean that is not one", ["f2", "A00002", "shcr", "GP record", "", "identifiable", "A00002", "Maybe"],
     "ours.xlsx, sheet Flows, row 3, column Joint: 'Maybe': expected true or false"),
    ("a duplicate id", ["f1", "A00002", "shcr", "GP record", "", "identifiable", "A00002"],
     "ours.xlsx, sheet Flows, row 3, column Ref: 'f1': duplicate id: already defined in ours.xlsx, sheet Flows row 2"),
    ("a flow to itself", ["f2", "A00002", "A00002", "GP record", "", "identifiable", "A00002"],
     "ours.xlsx, sheet Flows, row 3, column To: 'A00002': a flow cannot go from a node to itself"),
    ("an end before the start", ["f2", "A00002", "shcr", "GP record", "", "identifiable", "A00002", None, None,
                                 date(2024, 4, 1), date(2023, 4, 1)],
     "ours.xlsx, sheet Flows, row 3, column Until: '2023-04-01': valid_to must not be before valid_from"),
    ("an article that is not one", ["f2", "A00002", "shcr", "GP record", "", "identifiable", "A00002", None, "Art 7"],
     "ours.xlsx, sheet Flows, row 3, column Art 6: 'Art 7': expected an Art 6 reference"),
    ("a translated value that is wrong in its list", ["f2", "A00002", "shcr", "GP record, gossip", "", "identifiable",
                                                     "A00002"],
     "ours.xlsx, sheet Flows, row 3, column What: 'gossip': expected one of: primary_care"),
    ("a controller who is a system", ["f2", "A00002", "shcr", "GP record", "", "identifiable", "A00002, shcr"],
     "ours.xlsx, sheet Flows, row 3, column Controller: 'shcr': expected an organisation id (it is a system)"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "row", "expected"), BAD_ROW_CASES, ids=[case[0] for case in BAD_ROW_CASES])
def test_a_bad_row_is_told_at_the_users_sheet_row_and_header(
    tmp_path: Path, case: str, row: list[Any], expected: str
) -> None:
    found = problems(tmp_path, sheets={"Flows": flows_sheet(row + [None] * (11 - len(row))), "Systems": SYSTEMS})
    assert any(problem.startswith(expected) for problem in found), found


def flows_only(**edits: str) -> str:
    """The mapping with lines replaced: ``edits`` maps a line of MAPPING to what it becomes."""
    text = MAPPING
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


BAD_MAPPING_CASES = [
    ("not TOML", "[[table]\nregister = 'flows'", "map.toml: not valid TOML: "),
    ("no table", 'title = "ours"\n', "map.toml, key title: unknown key: a mapping holds [[table]] entries only"),
    ("no table at all", "", "map.toml, [[table]]: expected at least one [[table]] entry"),
    ("an unknown key", flows_only(**{'sheet = "Flows"': 'sheet = "Flows"\ncolums = 1'}),
     "map.toml, [[table]] 2, key colums: unknown key: expected one of register, sheet, header_row, columns, values, "
     "defaults, split"),
    ("an unknown register table", flows_only(**{'register = "flows"': 'register = "flow"'}),
     "map.toml, [[table]] 2, key register: 'flow': expected one of: organisations, systems, flows, agreements"),
    ("a column the register lacks", flows_only(**{'flow_id = "Ref"': 'flow_id = "Ref"\nflowid = "Ref"'}),
     "map.toml, [[table]] 2 (flows), [table.columns] flowid: not a flows column; they are: flow_id, source,"),
    ("a required column neither mapped nor defaulted", flows_only(**{'controllers = "Controller"\n': ""}),
     "map.toml, [[table]] 2 (flows): the flows table needs controllers: map it in [table.columns] or set it in "
     "[table.defaults]"),
    ("a header row of 0", flows_only(**{'sheet = "Flows"': 'sheet = "Flows"\nheader_row = 0'}),
     "map.toml, [[table]] 2 (flows), key header_row: '0': expected the number of your header row, 1 or more"),
    ("a header row as text", flows_only(**{'sheet = "Flows"': 'sheet = "Flows"\nheader_row = "1"'}),
     "map.toml, [[table]] 2 (flows), key header_row: '1': expected the number of your header row"),
    ("a translation to no register value",
     flows_only(**{'"Personal confidential data" = "identifiable"': '"Personal confidential data" = "identifyable"'}),
     "map.toml, [[table]] 2 (flows), [table.values.identifiability] 'Personal confidential data': 'identifyable': "
     "expected one of: identifiable,"),
    ("a default the vocabulary lacks", flows_only(**{'purposes = "direct_care"': 'purposes = "caring"'}),
     "map.toml, [[table]] 2 (flows), [table.defaults] purposes: 'caring': expected one of: direct_care,"),
    ("a split of a column that holds one value", flows_only(**{'controllers = ","': 'controllers = ","\nsource = ","'}),
     "map.toml, [[table]] 2 (flows), [table.split] source: ',': not a list column; the list columns are: "
     "data_categories,"),
    ("an empty separator", flows_only(**{'controllers = ","': 'controllers = ""'}),
     "map.toml, [[table]] 2 (flows), [table.split] controllers: '': expected the separator as text"),
    ("a header given as a number", flows_only(**{'flow_id = "Ref"': "flow_id = 3"}),
     "map.toml, [[table]] 2 (flows), [table.columns] flow_id: '3': expected the header of a column of yours, as text"),
    ("a sheet given as a number", flows_only(**{'sheet = "Flows"': "sheet = 5"}),
     "map.toml, [[table]] 2 (flows), key sheet: '5': expected the sheet's name as text"),
    ("values that are not a table", flows_only(**{'[table.values.data_categories]\n"GP record" = "primary_care"':
                                                  '[table.values]\ndata_categories = "GP record"'}),
     "map.toml, [[table]] 2 (flows), [table.values] data_categories: 'GP record': expected a table: "
     "[table.values.data_categories]"),
    ("no flows", MAPPING.split("[[table]]\nregister = \"flows\"")[0],
     'map.toml: a register needs flows: add a [[table]] with register = "flows"'),
    ("a sheet the workbook lacks", flows_only(**{'sheet = "Flows"': 'sheet = "Flowz"'}),
     "map.toml, [[table]] 2 (flows), key sheet: 'Flowz': no such sheet; the workbook has: Flows, Systems"),
    ("a header the sheet lacks", flows_only(**{'flow_id = "Ref"': 'flow_id = "Reference"'}),
     "ours.xlsx, sheet Flows, row 1, column Reference: no such header in row 1 (mapped to flow_id in [[table]] 2 "
     "(flows)); the headers there are: Ref, From, To, What, Why, Type, Controller, Joint, Art 6, Since, Until"),
    ("a header row that is blank", flows_only(**{'sheet = "Flows"': 'sheet = "Flows"\nheader_row = 9'}),
     "map.toml, [[table]] 2 (flows), key header_row: '9': row 9 is blank, so it holds no headers"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "mapping", "expected"), BAD_MAPPING_CASES, ids=[c[0] for c in BAD_MAPPING_CASES])
def test_a_bad_mapping_is_told_at_its_entry_and_key(tmp_path: Path, case: str, mapping: str, expected: str) -> None:
    found = problems(tmp_path, mapping)
    assert any(problem.startswith(expected) for problem in found), found


def test_a_header_written_twice_is_refused_when_mapped(tmp_path: Path) -> None:
    headers = [*HEADERS[:5], "Type", *HEADERS[6:], "Type"]
    found = problems(tmp_path, sheets={"Flows": [headers, [*GOOD, "x"]], "Systems": SYSTEMS})
    assert found == [
        "ours.xlsx, sheet Flows, row 1, column Type: this header names more than one column (F, L): rename one so "
        "identifiability reads the right one"
    ]


def test_a_csv_file_has_no_sheets_to_name(tmp_path: Path) -> None:
    mapping = '[[table]]\nregister = "flows"' + MAPPING.split('[[table]]\nregister = "flows"')[1]
    found = problems(tmp_path, mapping, {"flows": flows_sheet()}, name="flows.csv")
    assert found == [
        "map.toml, [[table]] 1 (flows), key sheet: 'Flows': flows.csv is a CSV file, with no sheets: leave sheet out"
    ]


def test_a_file_that_is_not_a_spreadsheet(tmp_path: Path) -> None:
    (tmp_path / "flows.txt").write_text("hello")
    with pytest.raises(InvalidRegister) as raised:
        import_sheet(tmp_path / "flows.txt", parse_mapping(MAPPING, "map.toml"), tiny_reference())
    assert str(raised.value.problems[0]).endswith("flows.txt: expected an Excel workbook (.xlsx) or a CSV file (.csv)")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InvalidRegister) as raised:
        import_sheet(tmp_path / "broken.xlsx", parse_mapping(MAPPING, "map.toml"), tiny_reference())
    assert "broken.xlsx: not a readable .xlsx workbook" in str(raised.value.problems[0])


def test_a_workbook_with_no_worksheet_is_told_so(tmp_path: Path) -> None:
    """A workbook of chart sheets only: no rows to read, whether the mapping names a sheet or takes the first."""
    book = Workbook()
    book.create_chartsheet("Chart").add_chart(BarChart())
    book.remove(book["Sheet"])
    book.save(tmp_path / "charts.xlsx")
    first = '[[table]]\nregister = "flows"' + MAPPING.split('[[table]]\nregister = "flows"')[1].replace(
        'sheet = "Flows"\n', ""
    )
    for mapping, key in ((first, "''"), (MAPPING, "'Flows'")):
        with pytest.raises(InvalidRegister) as raised:
            import_sheet(tmp_path / "charts.xlsx", parse_mapping(mapping, "map.toml"), tiny_reference())
        told = [str(problem) for problem in raised.value.problems]
        assert any(f"key sheet: {key}: " in line and "the workbook has" in line for line in told), told
        assert all("the workbook has: " not in line or line.rstrip()[-1] != ":" for line in told), told


def test_every_problem_in_the_cells_is_reported_at_once(tmp_path: Path) -> None:
    """As the loader does: every cell's problem together; whether the ids exist is asked once the cells are sound."""
    in_cells = [case for case in BAD_ROW_CASES if case[0] not in ("an unknown id", "a controller who is a system")]
    rows = [[row[0].replace("f2", f"d{n}"), *row[1:]] for n, (_, row, _) in enumerate(in_cells)]
    rows = [row + [None] * (11 - len(row)) for row in rows]
    found = problems(tmp_path, sheets={"Flows": [HEADERS, GOOD, *rows], "Systems": SYSTEMS})
    assert sorted({problem.split(", column")[0] for problem in found}) == sorted(
        f"ours.xlsx, sheet Flows, row {n}" for n in range(3, 3 + len(in_cells))
    )
    assert len(in_cells) == len(BAD_ROW_CASES) - 2


def test_the_command_prints_one_line_per_problem_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = write(tmp_path / "ours.xlsx", {"Flows": flows_sheet(["f1", "A00002"]), "Systems": SYSTEMS})
    (tmp_path / "map.toml").write_text(flows_only(**{'flow_id = "Ref"': 'flow_id = "Reference"'}))
    out = tmp_path / "out"
    assert main(["import", "sheet", str(workbook), "--map", str(tmp_path / "map.toml"), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"icsgraph: 1 problem(s) in {workbook} (mapped by {tmp_path}/map.toml); nothing was written:\n"
    )
    assert "Traceback" not in err and not out.exists()
    (tmp_path / "map.toml").write_bytes(b"\xff\xfe")
    assert main(["import", "sheet", str(workbook), "--map", str(tmp_path / "map.toml"), "--out", str(out)]) == 1
    assert "cannot read the mapping: it is not UTF-8 text" in capsys.readouterr().err
