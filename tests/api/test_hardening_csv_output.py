"""CSV formula injection (#10, case 3): no CSV the project writes for people holds a cell a spreadsheet would run.

A register whose organisation names, system name, flow ids and notes are formulas goes through every CSV
writer: the API's ``format=csv`` and ``Accept: text/csv``, ``icsgraph query --format csv`` and ``icsgraph
check --format csv``. Every cell that starts like a formula comes out with a leading ``'`` (the OWASP rule),
and the rest of the text is kept as it was.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from api_support import client

from app.cli import main
from app.stores import load_into, reference_data
from graph.memory import MemoryStore
from loaders.reference import ENV_VAR
from loaders.register import read_register

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Real ids of the bundled reference data: a practice and a trust.
PRACTICE, TRUST = "A81001", "R0A"
NAMES = {
    "inj-plus": "+cmd|' /C calc'!A0",
    "inj-equals": "=1+1",
    "inj-at": "@SUM(1)",
    "inj-minus": "-2+3",
    "inj-tab": "\t=2+2",
    "inj-cr": "\r@A1",
}
FLOW_IDS = ("=1+1", "-2+3")


def rows(text: str) -> list[list[str]]:
    """A CSV answer's rows; the CSV is read as a spreadsheet would, quotes and all."""
    return list(csv.reader(io.StringIO(text, newline="")))


def cells_of(text: str) -> list[str]:
    return [cell for row in rows(text) for cell in row]


def assert_safe(text: str, *payloads: str) -> None:
    """No cell starts like a formula, and each payload (as loaded: cells are trimmed) is there, quoted by '."""
    cells = cells_of(text)
    assert cells, "the answer has no cells"
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []
    for payload in payloads:
        assert "'" + payload.strip() in cells, f"{payload!r} is not in the answer as text"


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The register: formula names, a formula system name, formula flow ids with formula notes; no Art 6 basis."""
    folder = tmp_path_factory.mktemp("injection") / "injection"
    folder.mkdir()
    organisations = [["org_id", "name", "org_type"], *[[org, name, "supplier"] for org, name in NAMES.items()]]
    systems = [
        ["system_id", "name", "system_type", "icb", "hosting_location"],
        ["inj-dw", "@SUM(2)", "data_warehouse", "QOP", "UK"],
    ]
    flows = [
        ["flow_id", "source", "destination", "data_categories", "purposes", "identifiability", "controllers", "notes"],
        [FLOW_IDS[0], PRACTICE, "inj-dw", "primary_care", "planning", "pseudonymised", ";".join(NAMES), "=3+3"],
        [FLOW_IDS[1], TRUST, "inj-dw", "acute", "planning", "pseudonymised", TRUST, "\t@A2"],
    ]
    for name, grid in (("organisations", organisations), ("systems", systems), ("flows", flows)):
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as file:
            csv.writer(file).writerows(grid)
    return folder


@pytest.fixture(autouse=True)
def bundled_reference(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("ICSGRAPH_DATA", str(tmp_path / "data"))


@pytest.fixture(scope="module")
def api(register: Path):  # type: ignore[no-untyped-def]
    reference = reference_data()
    store = MemoryStore(reference, None)
    load_into(store, reference, [read_register(register)])
    return client(store)


def test_the_register_loads_its_formulas_as_plain_text(register: Path) -> None:
    loaded = read_register(register)
    assert sorted(o.name for o in loaded.organisations) == sorted(name.strip() for name in NAMES.values())
    assert sorted(f.flow_id for f in loaded.flows) == sorted(FLOW_IDS)


@pytest.mark.parametrize(
    ("query", "headers"), [("&format=csv", {}), ("", {"Accept": "text/csv"})], ids=["format=csv", "accept-text-csv"]
)
def test_api_query_csv_neutralises_every_formula(api, query: str, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/queries/system-controllers?system=inj-dw" + query, headers=headers)

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert_safe(response.text, *NAMES.values())


def test_api_check_csv_neutralises_flow_ids(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/queries/lawful-basis?format=csv")

    assert response.status_code == 200
    assert_safe(response.text, *FLOW_IDS)


def test_cli_query_csv_neutralises_every_formula(register: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["query", "system-controllers", "--register", str(register), "--param", "system=inj-dw"]
    assert main([*argv, "--format", "csv"]) == 0

    assert_safe(capsys.readouterr().out, *NAMES.values())


def test_cli_check_csv_neutralises_flow_ids(register: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--register", str(register), "--rule", "lawful-basis", "--format", "csv"]) == 0

    out = capsys.readouterr().out
    assert_safe(out, *FLOW_IDS)
    # Each flow lacks an Art 6 basis and an Art 9 condition: two findings each.
    assert sorted(row[0] for row in rows(out)[1:]) == sorted(2 * ["'" + flow_id for flow_id in FLOW_IDS])
