"""``icsgraph check`` end to end, in process, on the bundled reference data and a small fixture register.

tests/fixtures/registers/check-demo names real organisations (practice A81001, trust R0A, ICB QOP, PCN
U89141) and breaks each IG check exactly once as of 2026-11-25. For the dspt check the tests read a made-up
DSPT status file (tests/fixtures/check-demo-dspt.csv) in which every organisation meets the standards; the PCN
still has no status, as only legal entities take the toolkit, so it is dspt's one finding.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import queries
from app.cli import main
from app.stores import reference_data

CHECK_DEMO = Path(__file__).parent.parent / "fixtures" / "registers" / "check-demo"
CHECK_DEMO_DSPT = Path(__file__).parent.parent / "fixtures" / "check-demo-dspt.csv"
AS_OF = "2026-11-25"
FOUND = {
    "lawful-basis": [("cd-lawful", None)],
    "opt-outs": [("cd-ndop", None)],
    "copi": [("cd-copi", None)],
    "identifiable-to-analytics": [("cd-identifiable", None)],
    "offshore": [("cd-offshore", None)],
    "role-holders": [("cd-pcn", "U89141")],
    "processor-contracts": [("cd-processor", "emis")],
    "joint-arrangements": [("cd-joint", None)],
    "agreement-expiry": [("cd-expiry", None)],
    "dspt": [("cd-pcn", "U89141")],
}


@pytest.fixture(autouse=True)
def embedded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The embedded store in a fresh data directory, whatever the environment says."""
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("ICSGRAPH_DATA", str(tmp_path / "data"))


@pytest.fixture(autouse=True)
def dspt_statuses(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The reference data with the check-demo DSPT file, for these tests only (the reference is cached)."""
    monkeypatch.setenv("ICSGRAPH_DSPT", str(CHECK_DEMO_DSPT))
    reference_data.cache_clear()
    yield
    reference_data.cache_clear()


def check(*args: str) -> int:
    return main(["check", "--register", str(CHECK_DEMO), "--as-of", AS_OF, *args])


def test_every_check_runs_by_default_and_finds_its_one_defect_as_json(capsys: pytest.CaptureFixture[str], tmp_path):
    assert check("--format", "json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["as_of"] == AS_OF
    assert sorted(document["checks"]) == sorted(FOUND)
    assert document["counts"] == dict.fromkeys(FOUND, 1)
    assert document["count"] == 10
    found = {rule: [(r["flow_id"], r["org_id"]) for r in document["findings"] if r["rule"] == rule] for rule in FOUND}
    assert found == FOUND
    assert all(set(row) == {"flow_id", "org_id", "rule", "reason"} for row in document["findings"])
    assert not (tmp_path / "data").exists()  # --register leaves the data directory alone


def test_table_prints_the_counts_then_the_findings(capsys: pytest.CaptureFixture[str]):
    assert check() == 0
    out = capsys.readouterr().out
    assert out.startswith(f"IG checks as of {AS_OF}: 10 findings\n")
    assert "role-holders               1\n" in out
    assert out.index("agreement-expiry           1") < out.index("lawful-basis (1):")
    assert "\nrole-holders (1):\n  - U89141 (STOCKTON PCN, primary care network) is not a legal entity" in out


def test_fail_on_findings_exits_1_only_when_something_is_found(capsys: pytest.CaptureFixture[str]):
    assert check("--fail-on-findings") == 1
    # COPI was still in force on 30 June 2022.
    assert check("--rule", "copi", "--as-of", "2022-06-30", "--fail-on-findings") == 0
    assert "0 findings" in capsys.readouterr().out


def test_rules_can_be_chosen_and_csv_lists_only_their_findings(capsys: pytest.CaptureFixture[str]):
    assert check("--rule", "role-holders", "--rule", "lawful-basis", "--format", "csv") == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert [(r["rule"], r["flow_id"], r["org_id"]) for r in rows] == [
        ("lawful-basis", "cd-lawful", ""),
        ("role-holders", "cd-pcn", "U89141"),
    ]
    assert f"IG checks as of {AS_OF}: lawful-basis 1, role-holders 1" in captured.err


def test_within_days_reaches_agreement_expiry(capsys: pytest.CaptureFixture[str]):
    assert check("--rule", "agreement-expiry", "--within-days", "90", "--format", "json") == 0
    reasons = [row["reason"] for row in json.loads(capsys.readouterr().out)["findings"]]
    assert len(reasons) == 2
    assert "cd-dsa-new (dsa), which expires on 2027-01-31 (in 67 days)" in reasons[0]


def test_an_unknown_rule_is_an_error_listing_the_checks(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exit_:
        check("--rule", "lawful-basis", "--rule", "no-such-rule")
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "no check named 'no-such-rule'; the checks are: agreement-expiry, copi," in err
    assert all(name in err for name in FOUND)


def test_a_negative_window_is_an_error(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        check("--within-days", "-1")
    assert "within_days" in capsys.readouterr().err


def test_without_register_it_checks_the_loaded_store(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    data = str(tmp_path / "loaded")
    assert main(["check", "--data", data, "--as-of", AS_OF, "--fail-on-findings"]) == 0
    assert "0 findings" in capsys.readouterr().out
    assert main(["load", str(CHECK_DEMO), "--data", data]) == 0
    assert main(["check", "--data", data, "--as-of", AS_OF, "--rule", "offshore", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [row["flow_id"] for row in document["findings"]] == ["cd-offshore"]


def test_the_catalogue_lists_the_checks_the_command_runs():
    assert sorted(q.name for q in queries.CATALOGUE.values() if q.kind == "check") == sorted(FOUND)
