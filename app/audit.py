"""The audit log: every write attempt, from the CLI or the API, accepted or refused, one JSON line each.

``audit.log`` in the data directory (for a Neo4j store, the server's data directory) is only ever
appended to: each entry is one ``write`` of one line on a file opened ``O_APPEND``, fsynced before the
caller answers, so entries from several processes never interleave and survive a crash. A line cut short
by a crash mid-write is skipped when the log is read.

An entry: ``time`` (UTC), ``actor`` (a token's name; for the CLI the OS user), ``via`` (cli or api),
``action`` (load, remove, rollback, token-add, token-revoke), ``register``, ``version``, ``result``
(accepted, unchanged, refused, failed, interrupted), ``problems`` (how many) and ``detail`` (one line).

A change in progress is also written down (``Pending``) before the store is touched, and crossed out
after its outcome is logged: if the process dies between, the next writer finds it and logs what became
of it, from what the store holds (``app.changes``).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from graph.state import write_atomically
from loaders.register import InvalidRegister

AUDIT_FILE = "audit.log"
PENDING_FILE = ".pending-change.json"
RESULTS = ("accepted", "unchanged", "refused", "failed", "interrupted")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks for a change: a token's name over the API, the OS user on the command line."""

    name: str
    via: str = "cli"


def first_line(error: BaseException) -> str:
    """An error in one line, for an entry's detail."""
    if isinstance(error, InvalidRegister) and error.problems:
        return f"{len(error.problems)} problem(s); the first: {error.problems[0]}"[:500]
    return (str(error).splitlines() or [type(error).__name__])[0][:500]


@dataclass(frozen=True, slots=True)
class Entry:
    time: str
    actor: str
    via: str
    action: str
    register: str | None
    version: int | None
    result: str
    problems: int = 0
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Pending:
    """A change begun: who, what, and each register it changes with its last version before (0: none)."""

    actor: str
    via: str
    action: str
    registers: list[tuple[str, int]] = field(default_factory=list)
    started: str = field(default_factory=now)
    pid: int = field(default_factory=os.getpid)


class AuditLog:
    """The log of one data directory; ``directory`` None keeps it in memory (a server with no data)."""

    def __init__(self, directory: Path | None) -> None:
        self.path = directory / AUDIT_FILE if directory is not None else None
        self.pending_path = directory / PENDING_FILE if directory is not None else None
        self._memory: list[Entry] = []
        self._lock = threading.Lock()

    def append(self, entry: Entry) -> None:
        """Add the entry, on disk before this returns."""
        if self.path is None:
            with self._lock:
                self._memory.append(entry)
            return
        line = (json.dumps(entry.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # after a line a crash cut short, which would swallow this one
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:  # the new file's name must survive a crash too
            directory = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

    def record(
        self,
        actor: Actor,
        action: str,
        register: str | None,
        result: str,
        *,
        version: int | None = None,
        problems: int = 0,
        detail: str = "",
    ) -> None:
        """Append an entry made now."""
        self.append(Entry(now(), actor.name, actor.via, action, register, version, result, problems, detail))

    def refused(self, actor: Actor, action: str, register: str | None, error: BaseException) -> None:
        """Append a refusal, saying why in a line and how many problems the register had."""
        problems = len(error.problems) if isinstance(error, InvalidRegister) else 0
        self.record(actor, action, register, "refused", problems=problems, detail=first_line(error))

    def entries(self, since: datetime | date | None = None) -> list[Entry]:
        """Every entry (from ``since`` on, when given), oldest first."""
        entries = list(self._memory) if self.path is None else list(self._read())
        if since is None:
            return entries
        start = since if isinstance(since, datetime) else datetime(since.year, since.month, since.day, tzinfo=UTC)
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        return [e for e in entries if datetime.fromisoformat(e.time) >= start]

    def _read(self) -> Iterator[Entry]:
        assert self.path is not None
        try:
            lines = self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return
        for line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                yield Entry(**record)
            except (ValueError, TypeError):
                continue  # the end of a line a crash cut short

    # --- a change in progress ----------------------------------------------------------------------

    def begin(self, pending: Pending) -> None:
        """Write down a change about to touch the store (call it holding the data directory's lock)."""
        if self.pending_path is not None:
            write_atomically(self.pending_path, json.dumps(asdict(pending)).encode())

    def end(self) -> None:
        """Cross out the change written down by ``begin``, its outcome logged."""
        if self.pending_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.pending_path.unlink()

    def unfinished(self) -> Pending | None:
        """A change written down and never crossed out: its process died (call it holding the lock)."""
        if self.pending_path is None:
            return None
        try:
            record = json.loads(self.pending_path.read_bytes())
            registers = [(str(name), int(last)) for name, last in record.pop("registers")]
            return Pending(registers=registers, **record)
        except FileNotFoundError:
            return None
        except (ValueError, TypeError, KeyError):
            return Pending("unknown", "unknown", "unknown")  # unreadable: still a change that did not finish
