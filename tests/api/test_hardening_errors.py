"""Errors that named no place or had no bound (#10, cases 6 and 8).

A cell over 131,072 characters escaped Python's csv module as ``_csv.Error``: a traceback from the CLI, a 422
naming no file or row from the API. It is now a problem with file, row and column in both. A register with
40,000 unknown ids got a 12.6 MB answer; a 422 now lists the first 1,000 problems and says how many there are.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from api_support import client
from fixtures.make_fixtures import read_folder, write_folder
from support import tiny_reference

from app.cli import main
from graph.memory import MemoryStore
from loaders.reference import ENV_VAR

CLI_GOOD = Path(__file__).parent.parent / "fixtures" / "registers" / "cli-good"
LONG = 131_073  # one past Python's csv field limit
WRITE = "write-token"


@pytest.fixture(autouse=True)
def bundled_reference(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("ICSGRAPH_DATA", str(tmp_path / "data"))


def with_long_cell(tmp_path: Path) -> Path:
    """cli-good with its row-3 processors cell 131,073 characters long."""
    tables = read_folder(CLI_GOOD)
    tables["flows"][2][tables["flows"][0].index("processors")] = "R" * LONG
    return write_folder(tmp_path / "long-cell", tables)


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, path.name)
    return buffer.getvalue()


def upload(store: MemoryStore, name: str, content: bytes):  # type: ignore[no-untyped-def]
    api = client(store, write_token=WRITE)
    return api.post("/api/registers", files={"file": (name, content)}, headers={"Authorization": f"Bearer {WRITE}"})


@pytest.mark.parametrize("command", ["validate", "load"])
def test_cli_reports_a_cell_past_the_csv_limit_with_file_row_and_column(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = with_long_cell(tmp_path)

    status = main([command, str(folder)])

    err = capsys.readouterr().err
    assert status == 1
    assert "Traceback" not in err and "_csv.Error" not in err
    assert f"{folder / 'flows.csv'}, row 3, column processors: " in err
    assert f"the cell holds {LONG:,} characters; at most 131,072 are read: shorten it" in err


def test_api_reports_a_cell_past_the_csv_limit_with_file_row_and_column(tmp_path: Path) -> None:
    folder = with_long_cell(tmp_path)

    response = upload(MemoryStore(tiny_reference(), None), "long.zip", zipped(folder))

    assert response.status_code == 422
    [problem] = response.json()["problems"]
    assert (problem["where"], problem["row"], problem["column"]) == ("long/flows.csv", 3, "processors")
    assert f"{LONG:,} characters" in problem["expected"]


def test_a_422_lists_the_first_thousand_problems_and_counts_them_all(tmp_path: Path) -> None:
    unknown = 40_000
    folder = tmp_path / "unknown-ids"
    header = "flow_id,source,destination,data_categories,purposes,identifiability,controllers"
    lines = [f"f{n},X{n:05d},A00001,primary_care,direct_care,identifiable,A00001" for n in range(unknown)]
    folder.mkdir()
    (folder / "flows.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    content = zipped(folder)

    response = upload(MemoryStore(tiny_reference(), None), "unknown.zip", content)

    assert response.status_code == 422
    body = response.json()
    assert body["problem_count"] == unknown
    assert len(body["problems"]) == 1_000
    assert body["problems"][0]["value"] == "X00000" and body["problems"][-1]["value"] == "X00999"
    assert f"{unknown:,} problem(s); the first 1,000 are listed" in body["message"]
    print(f"\n{len(content):,}-byte upload: {len(response.content):,}-byte answer")
    assert len(response.content) < 1_000_000


def test_a_request_with_few_problems_lists_them_all_with_their_count() -> None:
    api = client(MemoryStore(tiny_reference(), None))

    response = api.get("/api/flows?limit=0&offset=-1")

    body = response.json()
    assert response.status_code == 422
    assert body["problem_count"] == len(body["problems"]) == 2
