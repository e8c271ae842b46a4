"""``icsgraph history``, ``diff``, ``rollback``, ``audit`` and ``token`` end to end (issue #13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_data_lock import register_folder

from app.cli import main
from app.cli.common import CLI_ACTOR


@pytest.fixture(autouse=True)
def embedded_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("ICSGRAPH_TOKENS", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_versions_diff_rollback_and_the_audit_log_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    folder = register_folder(tmp_path, "east", flows=4)
    assert run(capsys, "load", str(folder), "--data", data)[2].count("east is now version 1") == 1
    flows = folder / "flows.csv"
    first = "east-f0,A81001,east-shcr,primary_care,direct_care,identifiable,A81001"
    assert first in flows.read_text()
    flows.write_text(
        flows.read_text().replace(first, first.replace("A81001", "A81002")).replace("east-f2,", "east-g2,")
    )
    assert "east is now version 2" in run(capsys, "load", str(folder), "--data", data)[2]
    err = run(capsys, "load", str(folder), "--data", data)[2]
    assert "east is identical to version 2, which is in the graph: no new version" in err
    bad = register_folder(tmp_path, "bad")
    (bad / "flows.csv").write_text((bad / "flows.csv").read_text().replace("direct_care", "gossip", 1))
    assert run(capsys, "load", str(bad), "--data", data)[0] == 1

    status, out, _ = run(capsys, "history", "east", "--data", data)
    lines = out.splitlines()
    assert status == 0 and lines[0].split()[:5] == ["version", "current", "created_at", "actor", "source"]
    assert lines[2].split()[0] == "1" and lines[3].split()[:2] == ["2", "*"]
    versions = json.loads(run(capsys, "history", "east", "--format", "json", "--data", data)[1])
    assert [(v["version"], v["current"], v["actor"], v["source"]) for v in versions] == [
        (1, False, CLI_ACTOR.name, str(folder)),
        (2, True, CLI_ACTOR.name, str(folder)),
    ]
    every = run(capsys, "history", "--data", data)[1].splitlines()
    assert every[2].split()[:3] == ["east", "2", "*"] and every[-1] == "(1 row)"

    text = run(capsys, "diff", "east", "--data", data)[1]
    assert text.splitlines() == [
        "east: version 1 -> version 2: 1 added, 1 removed, 1 changed",
        "+ flow east-g2",
        "- flow east-f2",
        "~ flow east-f0",
        "    source: 'A81001' -> 'A81002'",
        "    controllers: 'A81001' -> 'A81002'",
    ]
    document = json.loads(
        run(capsys, "diff", "east", "--from", "2", "--to", "1", "--format", "json", "--data", data)[1]
    )
    assert (document["from"], document["to"], [e["id"] for e in document["added"]]) == (2, 1, ["east-f2"])
    status, _, err = run(capsys, "diff", "east", "--from", "5", "--data", data)
    assert status == 1 and "icsgraph: error: register 'east' has no version 5; its versions: 1, 2" in err

    assert "east rolled back to version 1, as version 3" in run(capsys, "rollback", "east", "1", "--data", data)[2]
    assert "already" in run(capsys, "rollback", "east", "3", "--data", data)[2]
    assert run(capsys, "rollback", "nope", "1", "--data", data)[0] == 1
    assert run(capsys, "remove", "east", "--data", data)[0] == 0

    entries = json.loads(run(capsys, "audit", "--format", "json", "--data", data)[1])
    assert [(e["actor"], e["via"], e["action"], e["register"], e["version"], e["result"]) for e in entries] == [
        (CLI_ACTOR.name, "cli", "load", "east", 1, "accepted"),
        (CLI_ACTOR.name, "cli", "load", "east", 2, "accepted"),
        (CLI_ACTOR.name, "cli", "load", "east", 2, "unchanged"),
        (CLI_ACTOR.name, "cli", "load", "bad", None, "refused"),
        (CLI_ACTOR.name, "cli", "rollback", "east", 3, "accepted"),
        (CLI_ACTOR.name, "cli", "rollback", "east", 3, "unchanged"),
        (CLI_ACTOR.name, "cli", "rollback", "nope", None, "refused"),
        (CLI_ACTOR.name, "cli", "remove", "east", 3, "accepted"),
    ]
    assert entries[3]["problems"] == 1 and "gossip" in entries[3]["detail"]
    table = run(capsys, "audit", "--data", data)[1]
    assert table.splitlines()[0].split() == [
        "time",
        "actor",
        "via",
        "action",
        "register",
        "version",
        "result",
        "problems",
        "detail",
    ]
    assert json.loads(run(capsys, "audit", "--since", "2999-01-01", "--format", "json", "--data", data)[1]) == []
    status, _, err = run(capsys, "audit", "--since", "soon", "--data", data)
    assert status == 2 and "is not a date" in err


def test_tokens_from_the_command_line_are_shown_once_and_kept_nowhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    status, out, err = run(
        capsys, "token", "add", "gm-ig", "--role", "writer", "--registers", "gm-*", "--data", str(data)
    )
    assert status == 0 and "added writer token 'gm-ig' of registers matching gm-*" in err
    token = out.splitlines()[-1]
    assert token.startswith("icsgraph_") and len(token) > 50
    admin = run(capsys, "token", "add", "ics-admin", "--role", "admin", "--data", str(data))[1].splitlines()[-1]
    listing = json.loads(run(capsys, "token", "list", "--format", "json", "--data", str(data))[1])
    assert [(t["name"], t["role"], t["registers"], t["last_used"]) for t in listing] == [
        ("gm-ig", "writer", ["gm-*"], None),
        ("ics-admin", "admin", [], None),
    ]
    assert token not in run(capsys, "token", "list", "--data", str(data))[1]
    for argv, message in [
        (["gm-ig", "--role", "reader"], "a token named 'gm-ig' exists; revoke it first"),
        (["x", "--role", "writer"], "a writer needs --registers GLOB"),
        (["x", "--role", "reader", "--registers", "a*"], "--registers scopes a writer"),
        (["bad name", "--role", "reader"], "token name 'bad name'"),
    ]:
        status, _, err = run(capsys, "token", "add", *argv, "--data", str(data))
        assert status == 1 and message in err, err
    assert run(capsys, "token", "revoke", "gm-ig", "--data", str(data))[0] == 0
    status, _, err = run(capsys, "token", "revoke", "gm-ig", "--data", str(data))
    assert status == 1 and "no token named 'gm-ig'; the tokens are: ics-admin" in err
    actions = [
        (e["action"], e["result"]) for e in json.loads(run(capsys, "audit", "--format", "json", "--data", str(data))[1])
    ]
    assert actions == [("token-add", "accepted")] * 2 + [("token-add", "refused")] * 4 + [
        ("token-revoke", "accepted"),
        ("token-revoke", "refused"),
    ]
    for path in data.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes() and admin.encode() not in path.read_bytes(), path
    elsewhere = tmp_path / "etc" / "tokens.json"
    assert run(capsys, "token", "add", "r", "--role", "reader", "--tokens", str(elsewhere), "--data", str(data))[0] == 0
    assert elsewhere.exists() and elsewhere.stat().st_mode & 0o077 == 0  # readable by its owner alone
