"""The audit log after a mix of accepted and refused writes, through the API and the CLI, and after a
restart: every attempt is there, in order, and agrees with the versions and the graph (issue #13)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api_support import FLOWS, WRITE, auth, client, register_zip
from conftest import MakeStore
from fastapi.testclient import TestClient
from support import tiny_reference

from app.audit import AUDIT_FILE
from graph.memory import MemoryStore
from graph.store import Store

BAD = FLOWS.replace("identifiable,A00001,,live", "identifyable,A00001,,live")


def upload(api: TestClient, name: str, flows: str, token: str = WRITE) -> Any:
    files = {"file": ("register.zip", register_zip(flows))}
    return api.post("/api/registers", headers=auth(token), files=files, data={"name": name})


def logged(api: TestClient, since: str = "") -> list[tuple[Any, ...]]:
    entries = api.get(f"/api/audit{since}", headers=auth(WRITE)).json()
    return [
        (e["actor"], e["via"], e["action"], e["register"], e["version"], e["result"], e["problems"]) for e in entries
    ]


def agree(entries: list[dict[str, Any]], store: Store) -> None:
    """The log, the versions and the graph tell one story: every version was logged as made, once; every
    register in the graph is at the last version its log says was made; nothing else was made."""
    made = sorted(
        (e["register"], e["version"])
        for e in entries
        if e["action"] in ("load", "rollback") and e["result"] == "accepted"
    )
    assert made == sorted((v.name, v.version) for v in store.versions())
    removed_last: dict[str, bool] = {}
    for e in entries:
        if e["result"] == "accepted":
            removed_last[e["register"]] = e["action"] == "remove"
    in_graph = {info.name: info.version for info in store.registers()}
    assert set(in_graph) == {name for name, removed in removed_last.items() if not removed}
    assert in_graph == {name: max(v for n, v in made if n == name) for name in in_graph}


def test_every_write_attempt_is_logged_accepted_or_refused(make_store: MakeStore, tmp_path: Path) -> None:
    store = make_store()
    api = client(store, write_token=WRITE, data_dir=tmp_path / "server")
    assert upload(api, "one", FLOWS).status_code == 200
    assert upload(api, "one", FLOWS).json()["unchanged"] is True
    assert upload(api, "one", BAD).status_code == 422
    assert upload(api, "one", FLOWS, token="wrong").status_code == 401
    assert upload(api, "../x", FLOWS).status_code == 422  # a bad name: refused before it is read
    changed = FLOWS.replace("f4,RAA,epr,acute", "f4,RAA,epr,acute;community")
    assert upload(api, "one", changed).status_code == 200
    assert api.post("/api/registers/one/rollback?version=1", headers=auth(WRITE)).status_code == 200
    assert api.post("/api/registers/one/rollback?version=8", headers=auth(WRITE)).status_code == 404
    assert api.delete("/api/registers/nope", headers=auth(WRITE)).status_code == 404
    assert api.delete("/api/registers/one", headers=auth(WRITE)).status_code == 200
    writer = "ICSGRAPH_WRITE_TOKEN"
    expected = [
        (writer, "api", "load", "one", 1, "accepted", 0),
        (writer, "api", "load", "one", 1, "unchanged", 0),
        (writer, "api", "load", "one", None, "refused", 1),
        ("unknown", "api", "load", None, None, "refused", 0),
        (writer, "api", "load", "../x", None, "refused", 0),
        (writer, "api", "load", "one", 2, "accepted", 0),
        (writer, "api", "rollback", "one", 3, "accepted", 0),
        (writer, "api", "rollback", "one", None, "refused", 0),
        (writer, "api", "remove", "nope", None, "refused", 0),
        (writer, "api", "remove", "one", 3, "accepted", 0),
    ]
    assert logged(api) == expected
    entries = api.get("/api/audit", headers=auth(WRITE)).json()
    assert "identifyable" in entries[2]["detail"] and "rollback to version 1" in entries[6]["detail"]
    assert all(entry["time"].endswith("+00:00") for entry in entries)
    agree(entries, store)

    # A restart: the log is still there, and goes on.
    restarted = MemoryStore(store.reference, store.data_dir) if isinstance(store, MemoryStore) else store
    again = client(restarted, write_token=WRITE, data_dir=tmp_path / "server")
    assert logged(again) == expected
    assert upload(again, "one", FLOWS).json()["loaded"]["version"] == 4
    assert logged(again)[-1] == (writer, "api", "load", "one", 4, "accepted", 0)
    agree(again.get("/api/audit", headers=auth(WRITE)).json(), restarted)
    assert logged(again, "?since=2999-01-01") == []
    assert len(logged(again, f"?since={entries[0]['time'][:10]}")) == len(expected) + 1
    assert again.get("/api/audit?since=yesterday", headers=auth(WRITE)).status_code == 422


def test_the_log_is_json_lines_on_disk_and_fsynced(tmp_path: Path, monkeypatch: Any) -> None:
    import os

    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    data = tmp_path / "data"
    api = client(MemoryStore(tiny_reference(), data), write_token=WRITE, data_dir=data)
    synced.clear()
    assert upload(api, "one", BAD).status_code == 422
    assert synced  # the refusal reached the disk before the answer
    lines = (data / AUDIT_FILE).read_text().splitlines()
    assert [json.loads(line)["result"] for line in lines] == ["refused"]
    with (data / AUDIT_FILE).open("a") as log:
        log.write('{"time": "2026-01-01T00:00:00+00:00", "actor": "cut sh')  # a line a crash cut short
    assert upload(api, "one", FLOWS).status_code == 200
    assert [e[5] for e in logged(api)] == ["refused", "accepted"]
