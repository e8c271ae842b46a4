"""``icsgraph validate``: 0 for a valid register, 1 with every problem on stderr (never a traceback) otherwise.

``validate`` checks against the real bundled reference data, so these registers name real ODS codes
(practice A81001, trust R0A, ICB QOP): ``fixtures/registers/cli-good``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures.make_fixtures import Tables, read_folder, write_folder

from app.cli import main
from loaders.reference import ENV_VAR

CLI_GOOD = Path(__file__).parent.parent / "fixtures" / "registers" / "cli-good"


@pytest.fixture(autouse=True)
def bundled_reference(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The bundled national data, and a data directory that validate must not need."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("ICSGRAPH_DATA", str(tmp_path / "data"))


def cli_tables() -> Tables:
    return read_folder(CLI_GOOD)


def set_cell(tables: Tables, table: str, row: int, column: str, value: str) -> None:
    tables[table][row - 1][tables[table][0].index(column)] = value


def validate(capsys: pytest.CaptureFixture[str], *paths: Path) -> tuple[int, list[str]]:
    status = main(["validate", *map(str, paths)])
    out, err = capsys.readouterr()
    assert out == ""
    assert "Traceback" not in err
    return status, err.splitlines()


def test_a_valid_register_exits_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, err = validate(capsys, CLI_GOOD)

    assert status == 0
    assert err[0].startswith(f"read cli-good from {CLI_GOOD}: 0 organisations, 1 systems, 3 flows, 0 agreements")
    assert err[-1] == "valid: cli-good"
    assert not (tmp_path / "data").exists()


def test_a_register_with_bad_cells_exits_1_listing_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tables = cli_tables()
    set_cell(tables, "flows", 3, "purposes", "marketing")
    set_cell(tables, "flows", 4, "controllers", "")
    register = write_folder(tmp_path / "bad-cells", tables)
    flows = register / "flows.csv"

    status, err = validate(capsys, register)

    assert status == 1
    assert err[0] == "icsgraph: 2 problem(s) in bad-cells; nothing was loaded:"
    assert err[1].startswith(f"  {flows}, row 3, column purposes: 'marketing': expected one of: direct_care, ")
    assert err[2] == f"  {flows}, row 4, column controllers: '': a value is required"
    assert len(err) == 3


def test_ids_unknown_to_the_national_reference_data_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    tables = cli_tables()
    set_cell(tables, "flows", 2, "source", "A99999")
    set_cell(tables, "systems", 2, "operator", "gm-care-record")
    register = write_folder(tmp_path / "unknown-ids", tables)

    status, err = validate(capsys, register)

    assert status == 1
    assert err[1] == "icsgraph: 2 problem(s) in unknown-ids; nothing was loaded:"
    assert err[2:] == [
        f"  {register / 'systems.csv'}, row 2, column operator: 'gm-care-record': "
        "expected an organisation id (it is a system)",
        f"  {register / 'flows.csv'}, row 2, column source: 'A99999': "
        "unknown id: not in the reference data, organisations.csv or systems.csv",
    ]


def test_problems_of_every_register_are_listed_at_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    first, second = cli_tables(), cli_tables()
    set_cell(first, "flows", 2, "identifiability", "pseudonymous")
    set_cell(second, "systems", 2, "system_type", "dashboard")

    status, err = validate(
        capsys, write_folder(tmp_path / "first", first), write_folder(tmp_path / "second", second), CLI_GOOD
    )

    assert status == 1
    assert err[-3] == "icsgraph: 2 problem(s) in first, second; nothing was loaded:"
    assert "row 2, column identifiability: 'pseudonymous'" in err[-2]
    assert "row 2, column system_type: 'dashboard'" in err[-1]


def nowhere(tmp: Path) -> Path:
    return tmp / "nowhere"


def lone_csv_file(tmp: Path) -> Path:
    return write_folder(tmp / "r", {"flows": []}) / "flows.csv"


def empty_flows(tmp: Path) -> Path:
    return write_folder(tmp / "r", {"flows": []})


def no_flows(tmp: Path) -> Path:
    return write_folder(tmp / "r", {"systems": cli_tables()["systems"]})


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (nowhere, "no such file or folder"),
        (lone_csv_file, "a register is a folder of CSV files"),
        (empty_flows, "the file is empty"),
        (no_flows, "a register needs flows.csv"),
    ],
    ids=["no-such-path", "lone-csv-file", "empty-flows", "no-flows"],
)
def test_a_path_that_holds_no_register_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make: Callable[[Path], Path], expected: str
) -> None:
    path = make(tmp_path)

    status, err = validate(capsys, path)

    assert status == 1
    assert len(err) == 2
    assert expected in err[1]


def test_a_file_that_claims_to_be_a_workbook_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fake = tmp_path / "register.xlsx"
    fake.write_bytes((CLI_GOOD / "flows.csv").read_bytes())

    status, err = validate(capsys, fake)

    assert status == 1
    assert err[1].startswith(f"  {fake}: not a readable .xlsx workbook")
