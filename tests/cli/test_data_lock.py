"""Several processes on one data directory: no lost update, a writer waits for another and says so, and a
server notices what another process loaded (issue #10, case 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from api_support import WRITE, auth, zipped
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.stores import open_store, reference_data
from graph.memory import MemoryStore
from graph.state import LOCK_FILE, DataLock

SYSTEMS_HEADER = "system_id,name,system_type,icb"
FLOWS_HEADER = "flow_id,source,destination,data_categories,purposes,identifiability,controllers"


@pytest.fixture(autouse=True)
def embedded_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)


def register_files(prefix: str, flows: int = 200) -> dict[str, str]:
    """A register on the bundled reference data whose ids all start with ``prefix``, so several load together."""
    systems = f"{SYSTEMS_HEADER}\n{prefix}-shcr,{prefix} Care Record,shared_care_record,QHM\n"
    practices = ["A81001", "A81002", "A81004", "A81005"]
    rows = [
        f"{prefix}-f{i},{practices[i % 4]},{prefix}-shcr,primary_care,direct_care,identifiable,{practices[i % 4]}"
        for i in range(flows)
    ]
    return {"systems.csv": systems, "flows.csv": FLOWS_HEADER + "\n" + "\n".join(rows) + "\n"}


def register_folder(root: Path, prefix: str, flows: int = 200) -> Path:
    folder = root / prefix
    folder.mkdir()
    for name, text in register_files(prefix, flows).items():
        (folder / name).write_text(text)
    return folder


def icsgraph(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = process.communicate(timeout=120)
    return process.returncode, err


def names_in(data: Path) -> list[str]:
    return [info.name for info in MemoryStore(reference_data(), data).registers()]


def test_two_concurrent_loads_both_succeed_and_both_registers_are_kept(tmp_path: Path) -> None:
    data = tmp_path / "data"
    folders = [register_folder(tmp_path, prefix, flows=2000) for prefix in ("east", "west", "north")]
    # Started together, each reads the (empty) state long before any writes: without the lock, each would
    # write back a graph holding its own register alone, and only the last writer's would survive.
    processes = [icsgraph("load", str(folder), "--data", str(data)) for folder in folders]
    results = [finished(process) for process in processes]
    assert [status for status, _ in results] == [0, 0, 0], [err for _, err in results]
    assert names_in(data) == ["east", "north", "west"]
    assert MemoryStore(reference_data(), data).counts()["flows"] == 6000
    # No lock file or temporary left; each load logged as it went.
    assert sorted(p.name for p in data.iterdir()) == ["audit.log", "history", "registers.json"]
    logged = [json.loads(line) for line in (data / "audit.log").read_text().splitlines()]
    assert sorted((e["register"], e["version"], e["result"]) for e in logged) == [
        ("east", 1, "accepted"),
        ("north", 1, "accepted"),
        ("west", 1, "accepted"),
    ]


def test_a_second_writer_waits_says_so_and_gives_up_after_the_timeout(tmp_path: Path) -> None:
    data = tmp_path / "data"
    folder = register_folder(tmp_path, "late")
    with DataLock.of(data).hold():  # this test's process is the other writer
        status, err = finished(icsgraph("load", str(folder), "--data", str(data), env={"ICSGRAPH_LOCK_TIMEOUT": "1"}))
    assert status == 1
    assert f"icsgraph: waiting for another icsgraph process (pid {os.getpid()}) to finish writing {data}" in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"icsgraph: error: {data} is still being written by another icsgraph process")
    assert "ICSGRAPH_LOCK_TIMEOUT" in last and "nothing was changed" in last and "Traceback" not in err
    assert names_in(data) == []

    lock = DataLock.of(data)
    releases = threading.Event()

    def hold_a_while() -> None:
        with lock.hold():
            releases.wait(10)

    holder = threading.Thread(target=hold_a_while)
    holder.start()
    while not lock.held:
        time.sleep(0.01)
    waiting = icsgraph("load", str(folder), "--data", str(data))
    assert waiting.stderr is not None
    said = []
    while not any("waiting for another icsgraph process" in line for line in said):
        line = waiting.stderr.readline()  # the load says it waits, and waits while this process holds on
        assert line, "".join(said)
        said.append(line)
    time.sleep(1)
    assert waiting.poll() is None  # still waiting for this process
    releases.set()
    holder.join()
    status, err = finished(waiting)
    assert status == 0, "".join(said) + err
    assert "late is now version 1" in err
    assert names_in(data) == ["late"]


def test_a_server_serves_what_the_cli_loaded_and_keeps_it_on_its_next_upload(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data, neo4j=None, write_token=WRITE, read_token=None)
    api = TestClient(create_app(settings, open_store(settings, reference_data())))

    def upload(name: str) -> None:
        response = api.post(
            "/api/registers", headers=auth(WRITE), files={"file": (f"{name}.zip", zipped(register_files(name)))}
        )
        assert response.status_code == 200, response.text

    upload("first")
    assert [r["name"] for r in api.get("/api/registers").json()] == ["first"]
    status, err = finished(icsgraph("load", str(register_folder(tmp_path, "from-cli")), "--data", str(data)))
    assert status == 0, err
    assert [r["name"] for r in api.get("/api/registers").json()] == ["first", "from-cli"]
    flows = api.get("/api/flows?destination=from-cli-shcr&limit=1").json()
    assert flows["total"] == 200
    upload("second")
    assert [r["name"] for r in api.get("/api/registers").json()] == ["first", "from-cli", "second"]
    assert names_in(data) == ["first", "from-cli", "second"]
    assert not (data / LOCK_FILE).exists()
