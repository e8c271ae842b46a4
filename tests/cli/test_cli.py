"""The ``icsgraph`` command line end to end, on the bundled reference data."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.cli import main

SYSTEMS = """system_id,name,system_type,icb
test-shcr,Test Care Record,shared_care_record,QHM
test-gp,Test GP system,gp_clinical_system,QHM
test-phm,Test PHM,phm_platform,QHM
"""
FLOWS = """flow_id,source,destination,data_categories,purposes,identifiability,controllers,status,valid_to
f1,A81001,test-gp,primary_care,direct_care,identifiable,A81001,,
f2,test-gp,test-shcr,primary_care,direct_care,identifiable,A81001,,
f3,A81002,test-shcr,primary_care,direct_care,identifiable,A81002,,
f4,test-shcr,test-phm,primary_care,planning,pseudonymised,QHM,ceased,
f5,A81004,test-phm,primary_care,planning,pseudonymised,QHM,live,2021-03-31
f6,A81005,test-phm,acute,planning,pseudonymised,QHM,,
f7,A81006,test-phm,primary_care,planning,pseudonymised,QHM,,
"""


@pytest.fixture(autouse=True)
def embedded_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the CLI on the embedded store; `make test` exports NEO4J_URI for the others."""
    monkeypatch.delenv("NEO4J_URI", raising=False)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "test-register"
    path.mkdir()
    (path / "systems.csv").write_text(SYSTEMS)
    (path / "flows.csv").write_text(FLOWS)
    return path


def test_query_with_register_answers_the_headline_as_json(folder: Path, tmp_path: Path, capsys, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("ICSGRAPH_DATA", str(data))
    status = main(
        [
            "query",
            "practices-shcr-only",
            "--register",
            str(folder),
            "--param",
            "icb=QHM",
            "--param",
            "as_of=2026-11-25",
            "--format",
            "json",
        ]
    )
    assert status == 0
    document = json.loads(capsys.readouterr().out)
    assert document["query"] == "practices-shcr-only"
    assert document["params"] == {"icb": "QHM", "as_of": "2026-11-25", "include_national_collections": False}
    rows = {row["practice"]: row for row in document["rows"]}
    assert rows["A81001"]["reached"] == ["test-shcr"]  # through its own GP system
    assert rows["A81002"]["reached"] == ["test-shcr"]  # the onward flow ceased
    assert rows["A81004"]["reached"] == []  # its flow ended in 2021
    assert rows["A81005"]["reached"] == []  # acute data only
    assert "A81006" not in rows
    assert all(row["icb"] == "QHM" for row in document["rows"])
    assert not data.exists()  # --register leaves the data directory alone


def test_load_persists_and_registers_lists_it(folder: Path, tmp_path: Path, capsys):
    data = tmp_path / "data"
    assert main(["load", str(folder), "--data", str(data)]) == 0
    err = capsys.readouterr().err
    assert "read test-register" in err and "graph now holds" in err
    assert main(["registers", "--data", str(data)]) == 0
    listing = capsys.readouterr().out
    assert "test-register" in listing and str(folder) in listing
    assert main(["query", "practices-shcr-only", "--data", str(data), "--param", "icb=QHM", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "practice,name,icb,reached"
    assert any(line.startswith("A81001,") and line.endswith(",test-shcr") for line in lines)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "no-such-query"], "no query named 'no-such-query'; the queries are:"),
        (["query", "practices-shcr-only", "--param", "colour=red"], "has no parameter 'colour'"),
        (["query", "practices-shcr-only", "--param", "as_of=yesterday"], "is not a date; use YYYY-MM-DD"),
        (["query", "practices-shcr-only", "--param", "icb"], "--param takes KEY=VALUE"),
        (["load", "/no/such/register"], "no such file or folder"),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_traceback(argv, message, tmp_path: Path, capsys):
    try:
        status = main([*argv, "--data", str(tmp_path)])
    except SystemExit as exit_:
        status = exit_.code
    assert status == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_demo_answers_health_and_the_headline_over_http():
    """The README's first command's job: the API on the embedded store with the bundled data."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--demo", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                    health = json.load(response)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert health["store"] == "embedded" and health["counts"]["flows"] > 2000
        with urllib.request.urlopen(f"{base}/api/queries/practices-shcr-only?icb=QT6", timeout=30) as response:
            answer = json.load(response)
        assert answer["count"] > 50 and all(
            row["reached"] == ["cios-shcr"] or row["reached"] == [] for row in answer["rows"]
        )
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_reference_counts_printed_match_the_file(capsys):
    """The per-ICB practice counts the CLI prints are those of the bundled epraccur file."""
    from collections import Counter

    from test_reference import EPRACCUR_DSE, raw_active_practices, raw_lookup

    assert main(["reference", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)["rows"][0]["gp_practices_by_icb"]
    lookup = raw_lookup()
    icbs = {icb for icb, _ in lookup.values()}
    # Through the ONS lookup from the commissioner; failing that column 4, when it names an ICB.
    resolved = (lookup[row[14]][0] if row[14] in lookup else row[3] for row in raw_active_practices(EPRACCUR_DSE))
    expected = Counter(icb for icb in resolved if icb in icbs)
    assert printed == dict(sorted(expected.items()))
    assert main(["reference"]) == 0
    table = capsys.readouterr().out
    assert "QOP  NHS Greater Manchester Integrated Care Board" in table and f"  {expected['QOP']}  " in table


def test_data_flag_means_the_embedded_store_even_with_neo4j_uri_set(folder: Path, tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")  # nothing listens there: using it would fail
    data = tmp_path / "data"
    assert main(["load", str(folder), "--data", str(data)]) == 0
    assert (data / "registers.json").exists()
    assert "into embedded store" in capsys.readouterr().err


def test_data_and_neo4j_together_are_refused(folder: Path, tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["registers", "--data", str(tmp_path), "--neo4j", "bolt://127.0.0.1:9"])
    assert exit.value.code == 1
    assert "--data and --neo4j name two different stores" in capsys.readouterr().err
