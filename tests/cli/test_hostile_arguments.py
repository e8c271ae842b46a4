"""Every command given hostile arguments fails with one ``icsgraph: error:`` line that says how to put it
right: a non-zero exit, never a traceback (issue #10, case 6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture(autouse=True)
def embedded_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """A folder of hostile things: a file where a folder belongs, state files of the wrong shape."""
    (tmp_path / "a-file").write_text("not a folder")
    for name, content in {
        "list": [1, 2],
        "registers-not-a-list": {"format": 1, "registers": {"a": 1}},
        "register-not-a-record": {"format": 1, "registers": [1]},
        "register-without-fields": {"format": 1, "registers": [{"name": "x"}]},
        "future-format": {"format": 99, "registers": []},
    }.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "registers.json").write_text(json.dumps(content))
    (tmp_path / "state-is-a-folder" / "registers.json").mkdir(parents=True)
    (tmp_path / "bad-tokens").mkdir()
    (tmp_path / "bad-tokens" / "tokens.json").write_text('{"tokens": [{"name": 1}]}')
    return tmp_path


CASES = [
    # (argv, fragments the one error line must hold: what is wrong and how to fix it)
    (["query", "agreement-expiry", "--param", "within_days=99999999999"], ["past the last date", "use fewer days"]),
    (["query", "agreement-expiry", "--param", f"within_days={'9' * 40}"], ["past the last date", "use fewer days"]),
    (["query", "agreement-expiry", "--as-of", "9999-12-31", "--param", "within_days=1"], ["use fewer days"]),
    (["query", "agreement-expiry", "--param", "within_days=-1"], ["is negative", "use 0 or more"]),
    (["query", "lineage", "--param", "node=A81001", "--param", "max_depth=99999999999"], ["out of range"]),
    (["query", "practices-shcr-only", "--as-of", "99999-01-01"], ["not a date", "YYYY-MM-DD"]),
    (["query", "practices-shcr-only", "--data", "{place}/a-file"], ["is a file, not a folder", "give a folder"]),
    (["registers", "--data", "{place}/a-file"], ["is a file, not a folder", "give a folder"]),
    (["load", str(DEMO / "national"), "--data", "{place}/a-file"], ["is a file, not a folder", "give a folder"]),
    (["remove", "x", "--data", "{place}/a-file"], ["is a file, not a folder", "give a folder"]),
    (["check", "--data", "{place}/a-file"], ["is a file, not a folder", "give a folder"]),
    (["registers", "--data", "{place}/list"], ["unreadable", "move it aside"]),
    (["registers", "--data", "{place}/registers-not-a-list"], ["unreadable", "move it aside"]),
    (["registers", "--data", "{place}/register-not-a-record"], ["unreadable", "move it aside"]),
    (["registers", "--data", "{place}/register-without-fields"], ["lacks 'path'", "move it aside"]),
    (["registers", "--data", "{place}/future-format"], ["another version of icsgraph"]),
    (["load", str(DEMO / "national"), "--data", "{place}/list"], ["unreadable", "move it aside"]),
    (["registers", "--data", "{place}/state-is-a-folder"], ["cannot be read", "check"]),
    (["load", str(DEMO / "national"), "--data", "/proc/no-such-dir"], ["cannot create or lock", "give a folder"]),
    (["remove", "nope", "--data", "{place}/empty"], ["no register named nope"]),
    (["view", "icb", "QOP", "--demo", "-o", "{place}/no/such/qop.html"], ["No such file", "check that the path"]),
    (["view", "icb", "ZZZ", "--data", "{place}/empty", "-o", "{place}/x.html"], ["no ICB 'ZZZ'", "give an ICB"]),
    (["synth", "--out", "{place}/a-file"], ["is a file", "give a folder"]),
    (["synth", "--out", "/proc/no-such-dir/out", "--seed", "1"], ["No such file", "check that the path"]),
    (["history", "nope"], ["has no versions", "registers with versions: none"]),
    (["history", "--data", "{place}/list"], ["unreadable", "move it aside"]),
    (["diff", "nope"], ["has no versions"]),
    (["rollback", "nope", "1"], ["has no version 1; its versions: none"]),
    (["audit", "--data", "{place}/a-file"], ["is a file, not a folder"]),
    (["token", "revoke", "nope"], ["no token named 'nope'"]),
    (["token", "add", "x", "--role", "writer"], ["a writer needs --registers GLOB", "'*' for every register"]),
    (["token", "list", "--data", "{place}/bad-tokens"], ["unreadable", "restore it from a backup"]),
]


@pytest.mark.parametrize(("argv", "fragments"), CASES, ids=[" ".join(argv[:3]) for argv, _ in CASES])
def test_hostile_arguments_get_one_error_line_with_the_fix(
    argv: list[str], fragments: list[str], place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [arg.replace("{place}", str(place)) for arg in argv]
    if "--data" not in argv and "--demo" not in argv and argv[0] not in ("synth",):
        argv += ["--data", str(place / "empty")]
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code
    err = capsys.readouterr().err
    assert status not in (0, None), err
    errors = [line for line in err.splitlines() if line.startswith("icsgraph: error:")]
    assert len(errors) == 1, err
    assert all(fragment in errors[0] for fragment in fragments), errors[0]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "env", "fragment"),
    [
        (["serve", "--port", "99999"], {}, "99999 is not a port number; use 1 to 65535"),
        (["serve", "--port", "-1"], {}, "-1 is not a port number"),
        (["registers"], {"ICSGRAPH_MAX_UPLOAD": "lots"}, "ICSGRAPH_MAX_UPLOAD='lots' is not a number of bytes"),
        (["registers"], {"ICSGRAPH_LOCK_TIMEOUT": "-5"}, "ICSGRAPH_LOCK_TIMEOUT='-5' is out of range"),
        (["registers"], {"ICSGRAPH_DATA": "{place}/a-file"}, "is a file, not a folder"),
    ],
)
def test_hostile_options_and_environment_in_a_real_process(
    argv: list[str], env: dict[str, str], fragment: str, place: Path
) -> None:
    environment = {"ICSGRAPH_DATA": str(place / "empty")}
    environment.update({key: value.replace("{place}", str(place)) for key, value in env.items()})
    process = subprocess.run(
        [sys.executable, "-m", "app.cli", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env={**{k: v for k, v in os.environ.items() if k != "NEO4J_URI"}, **environment},
    )
    assert process.returncode != 0
    assert fragment in process.stderr
    assert "Traceback" not in process.stderr and "Traceback" not in process.stdout
