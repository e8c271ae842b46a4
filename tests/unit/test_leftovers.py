"""What a killed process left behind is cleared at start-up, and only that (issue #10, case 7)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from support import SYSTEMS, register, tiny_reference

from app.main import create_app
from app.settings import Settings
from graph.memory import MemoryStore
from graph.state import STATE_FILE, pid_in, write_atomically

HOUR = 3600


def dead_pid() -> int:
    """The pid of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def aged(path: Path, seconds: float) -> Path:
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def temporary(folder: Path, pid: int | None, name: str = STATE_FILE, random: str = "k3j9x_2a") -> Path:
    """A temporary file named as ``write_atomically`` names them (without a pid, as older versions did)."""
    path = folder / (f".{name}.{pid}.{random}.tmp" if pid is not None else f".{name}.{random}.tmp")
    path.write_bytes(b"{half a state")
    return path


def test_the_writer_pid_is_in_every_temporary_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = os.replace

    def spy(source: str, target: str) -> None:
        seen.append(Path(source).name)
        real(source, target)

    monkeypatch.setattr(os, "replace", spy)
    write_atomically(tmp_path / STATE_FILE, b"{}")
    assert [pid_in(name) for name in seen] == [os.getpid()]
    assert pid_in(".registers.json.k3j9x_2a.tmp") is None


def test_stale_temporary_files_in_the_data_directory_go_at_start_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    MemoryStore(tiny_reference(), data).replace([register("one", systems=SYSTEMS, flows="")])
    assert (data / "history").is_dir()  # where the versions are
    killed = temporary(data, dead_pid())  # its writer is gone: a leftover however young
    nested = temporary(data / "history" / "one", dead_pid(), "0002.json.gz")
    old = aged(temporary(data, os.getpid()), HOUR)  # older than any write takes
    old_unnamed = aged(temporary(data, None), HOUR)
    in_progress = temporary(data, os.getpid(), random="b7_q1zzp")  # a live writer's, and young: it stays
    young_unnamed = temporary(data, None, random="b7_q1zzp")
    store = MemoryStore(tiny_reference(), data)
    assert not killed.exists() and not nested.exists() and not old.exists() and not old_unnamed.exists()
    assert in_progress.exists() and young_unnamed.exists()
    assert list(store.loaded()) == ["one"]
    assert (data / STATE_FILE).exists()


def test_stale_upload_folders_and_data_leftovers_go_when_the_server_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    stale = temp / "icsgraph-upload-abc123"
    (stale / "register").mkdir(parents=True)
    aged(stale / "register", HOUR)
    aged(stale, HOUR)
    fresh = temp / "icsgraph-upload-def456"  # another server's upload in progress
    fresh.mkdir()
    busy = temp / "icsgraph-upload-ghi789"  # old folder, but a file in it is being written now
    busy.mkdir()
    (busy / "flows.csv").write_text("flow_id\n")
    aged(busy, HOUR)
    (temp / "someone-elses-folder").mkdir()
    unrelated = aged(temp / "someone-elses-folder", HOUR)
    data = tmp_path / "data"
    data.mkdir()
    leftover = temporary(data, dead_pid(), "tokens.json")
    create_app(Settings(data_dir=data, neo4j=None), MemoryStore(tiny_reference(), None))
    assert not stale.exists() and fresh.exists() and busy.exists()
    assert unrelated.exists()
    assert not leftover.exists()
