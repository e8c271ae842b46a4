"""The embedded store's state on disk: the loaded registers in ``registers.json``, replaced atomically.

Registers are kept as loaded (validated records, through ``graph.codec``); the graph is rebuilt from the
reference data and the registers. Writes go to a temporary file that is fsynced and renamed over the
old one, so a crash mid-write leaves the previous state, never a half-written one. The Neo4j store keeps
each register's payload in the same record format (``encode``, ``decode``).

Several processes may share one data directory (two ``icsgraph load`` runs, a load beside a running
server): a writer holds ``DataLock`` for its whole read-modify-write, and a reader notices another
process's write by the state file's ``signature`` and reads it again, so nobody writes back a stale graph.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from graph.codec import from_record
from graph.history import Tables, Version, baseline, records
from graph.model import Agreement, Flow, Organisation, Register, System
from graph.store import RegisterInfo, StoreError

FORMAT = 1
STATE_FILE = "registers.json"
LOCK_FILE = ".icsgraph.lock"
LOCK_TIMEOUT = 60.0
"""Seconds a writer waits for another process to finish writing the same data directory."""
STALE_AFTER = 600.0
"""Seconds after which a temporary file nobody finished is a leftover, whoever wrote it."""

log = logging.getLogger("icsgraph.lock")
Signature = tuple[int, int, int]


def encode(register: Register, info: RegisterInfo, tables: Tables | None = None) -> dict[str, Any]:
    """A loaded register and when it was loaded, as one JSON-able record (``tables``: its records, when
    the caller has made them already)."""
    return {
        "name": register.name,
        "path": register.path,
        "loaded_at": info.loaded_at,
        "version": info.version,
        **(records(register) if tables is None else tables),
    }


def decode(record: Mapping[str, Any]) -> tuple[Register, RegisterInfo]:
    """The register and its load information back from ``encode``'s record."""
    register = Register(
        name=record["name"],
        path=record["path"],
        organisations=[from_record(Organisation, o) for o in record["organisations"]],
        systems=[from_record(System, s) for s in record["systems"]],
        flows=[from_record(Flow, f) for f in record["flows"]],
        agreements=[from_record(Agreement, a) for a in record["agreements"]],
    )
    info = RegisterInfo(register.name, register.path, record["loaded_at"], register.counts(), record.get("version"))
    return register, info


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a reader or a crash sees the old file or the new, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The writer's pid in the name tells a leftover of a killed process from a write in progress (``sweep``).
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class StateFile:
    """The registers loaded into one data directory, as a single file read whole and replaced whole."""

    def __init__(self, data_dir: Path) -> None:
        if data_dir.exists() and not data_dir.is_dir():
            raise StoreError(f"{data_dir} is a file, not a folder; give a folder for the data (it is made if missing)")
        self.path = data_dir / STATE_FILE
        # Each register's JSON as last written, kept while the register and its load information are the
        # ones in the graph: a change re-encodes only the registers it changes, not all of England.
        self._written: dict[str, tuple[Register, RegisterInfo, bytes]] = {}

    def signature(self) -> Signature | None:
        """What changes whenever the file is replaced (inode, size, time), or None when there is none."""
        try:
            return _signature(os.stat(self.path))
        except FileNotFoundError:
            return None

    def read(self) -> Saved:
        """Every register saved with its load information, every version of every register, and the
        signature of the file they were read from; nothing when nothing was ever saved."""
        try:
            with self.path.open("rb") as file:
                signature = _signature(os.fstat(file.fileno()))
                content = file.read()
        except FileNotFoundError:
            return Saved()
        except OSError as error:
            raise StoreError(f"{self.path}: cannot be read ({error.strerror}); check its permissions") from error
        try:
            state = json.loads(content)
            if not isinstance(state, dict) or not isinstance(state.get("registers"), list):
                raise ValueError("not an icsgraph state file: no list of registers")
            if state.get("format") != FORMAT:
                raise StoreError(f"{self.path}: written by another version of icsgraph (format {state.get('format')})")
            registers = [decode(record) for record in state["registers"]]
            history = {
                str(name): [Version.from_dict(v) for v in versions]
                for name, versions in dict(state.get("history") or {}).items()
            }
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            what = f"a register lacks {error}" if isinstance(error, KeyError) else str(error)
            raise StoreError(f"{self.path}: unreadable ({what}); move it aside to start empty") from error
        for index, (register, info) in enumerate(registers):
            if not history.get(register.name):  # saved before icsgraph kept versions: that is version 1
                history[register.name] = [baseline(register, info.loaded_at)]
                registers[index] = (register, replace(info, version=1))
        return Saved(registers, history, signature)

    def write(
        self,
        registers: Mapping[str, Register],
        infos: Mapping[str, RegisterInfo],
        history: Mapping[str, list[Version]],
        encoded: Mapping[str, Tables] | None = None,
    ) -> Signature | None:
        """Save these registers and versions in place of whatever was saved, as one step; the new
        file's signature. ``encoded``: the records of registers made already, by name."""
        made = encoded or {}
        written = {}
        for name, register in registers.items():
            kept = self._written.get(name)
            if kept is not None and kept[0] is register and kept[1] == infos[name]:
                written[name] = kept
            else:
                record = encode(register, infos[name], made.get(name))
                written[name] = (register, infos[name], json.dumps(record, separators=(",", ":")).encode())
        versions = {name: [v.as_dict() for v in versions] for name, versions in history.items()}
        # The same JSON as one object {"format", "registers", "history"}, joined from its parts.
        state = b"".join(
            [
                f'{{"format":{FORMAT},"registers":['.encode(),
                b",".join(part for _, _, part in written.values()),
                b'],"history":',
                json.dumps(versions, separators=(",", ":")).encode(),
                b"}",
            ]
        )
        write_atomically(self.path, state)
        self._written = written
        return self.signature()


@dataclass
class Saved:
    """What a data directory holds: the registers loaded, every version of each, and the file's signature."""

    registers: list[tuple[Register, RegisterInfo]] = field(default_factory=list)
    history: dict[str, list[Version]] = field(default_factory=dict)
    signature: Signature | None = None


def _signature(stat: os.stat_result) -> Signature:
    # A write renames a new file over the old, so the inode alone would do; size and time guard against
    # an inode number reused at once.
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


class LockTimeout(StoreError):
    """Another process kept the data directory locked for longer than the writer would wait."""


class DataLock:
    """One writer at a time in a data directory, across processes (``fcntl.flock`` on ``LOCK_FILE``) and
    across the threads of this one. Re-entrant in a thread, so a store can lock inside its caller's lock.

    There is one per directory per process (``DataLock.of``): ``flock`` locks belong to an open file, so
    two objects in one process locking one directory would shut each other out.
    """

    _instances: ClassVar[dict[Path, DataLock]] = {}
    _instances_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / LOCK_FILE
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @classmethod
    def of(cls, directory: Path) -> DataLock:
        key = directory.resolve()  # one lock per folder, however it is named (relative, through a symlink)
        with cls._instances_lock:
            if key not in cls._instances:
                cls._instances[key] = cls(key)
            return cls._instances[key]

    @contextlib.contextmanager
    def hold(self, timeout: float = LOCK_TIMEOUT, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the lock for the block; wait up to ``timeout`` seconds for another writer, saying so once."""
        if not self._thread_lock.acquire(timeout=max(timeout, 0.0)):
            raise self._timed_out(timeout, "another request of this process")
        try:
            if self._depth == 0:
                self._fd = self._acquire(timeout, on_wait or log.warning)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    fd, self._fd = self._fd, None
                    self._release(fd)
        finally:
            self._thread_lock.release()

    @property
    def held(self) -> bool:
        """True while this process holds the lock (in any thread)."""
        return self._fd is not None

    def _acquire(self, timeout: float, on_wait: Callable[[str], None]) -> int:
        deadline = time.monotonic() + timeout
        waited = False
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = self._holder(fd)
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise self._timed_out(timeout, f"another icsgraph process{holder}") from None
                if not waited:
                    on_wait(f"waiting for another icsgraph process{holder} to finish writing {self.directory} ...")
                    waited = True
                time.sleep(0.05)
                continue
            # The holder before us removes the file as it lets go (so a data directory at rest holds none);
            # a lock taken on a file so removed locks nothing, so take it again on the file that is there.
            try:
                current = os.stat(self.path).st_ino
            except FileNotFoundError:
                current = None
            if current == os.fstat(fd).st_ino:
                break
            os.close(fd)
        # Who holds it, for the message of anyone who waits.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd

    def _release(self, fd: int) -> None:
        # Removed while still held, so nobody can take the lock on this file and think it valid.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def _open(self) -> int:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except FileExistsError as error:
            raise StoreError(f"{self.directory} is a file, not a folder; give a folder for the data") from error
        except OSError as error:
            raise StoreError(
                f"cannot create or lock {self.directory} ({error.strerror}); give a folder you may write to"
            ) from error

    @staticmethod
    def _holder(fd: int) -> str:
        try:
            pid = os.pread(fd, 32, 0).decode().strip()
        except (OSError, UnicodeDecodeError):
            return ""
        return f" (pid {pid})" if pid.isdigit() else ""

    def _timed_out(self, timeout: float, holder: str) -> LockTimeout:
        return LockTimeout(
            f"{self.directory} is still being written by {holder} after {timeout:g} s; nothing was changed. "
            "Wait for it to finish and run this again, or wait longer with ICSGRAPH_LOCK_TIMEOUT=SECONDS"
        )


def sweep(directory: Path, pattern: str = ".*.tmp", stale_after: float = STALE_AFTER) -> list[Path]:
    """Remove the temporary files a killed writer left in ``directory`` (and its subfolders); the removed.

    A file is a leftover when the process named in it (``write_atomically`` puts the pid there) is gone,
    or when it is older than ``stale_after`` seconds, which no write takes.
    """
    removed = []
    now = time.time()
    for path in directory.rglob(pattern) if directory.is_dir() else ():
        try:
            old = now - path.stat().st_mtime > stale_after
        except FileNotFoundError:
            continue  # finished and renamed meanwhile
        if old or not alive(pid_in(path.name)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


def pid_in(name: str) -> int | None:
    """The writer's pid in a temporary file's name (``.registers.json.1234.abcd.tmp``), if it has one."""
    parts = name.split(".")
    return int(parts[-3]) if len(parts) > 3 and parts[-3].isdigit() else None


def alive(pid: int | None) -> bool:
    """Whether a process of that pid runs; an unknown pid counts as alive (age decides then)."""
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
