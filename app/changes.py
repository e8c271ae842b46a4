"""Every change to the loaded registers, from the CLI or the API, made one way: locked, validated, stored,
versioned and audited.

A change is a read-modify-write: validate the registers against what is loaded, then store them. Two
processes doing that at once on one data directory would each validate against, and write back, a graph
without the other's register. So the whole of it holds the data directory's ``DataLock`` (the embedded
store's own directory; for Neo4j, the server's data directory), and the embedded store starts from the
state on disk once it holds it.

Each attempt is logged in the audit log (``app.audit``), accepted or refused. Before the store is touched
the change is written down as pending; after its outcome is logged it is crossed out. A writer that finds
one still written down, holding the lock, knows its process died midway, and logs what became of it from
what the store holds (``recover``): so the log, the versions and the graph agree after any crash.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.audit import Actor, AuditLog, Pending, first_line
from app.settings import Settings
from graph.memory import MemoryStore
from graph.model import ReferenceData, Register
from graph.state import DataLock, LockTimeout
from graph.store import RegisterInfo, Store, StoreError
from loaders.change import check_change
from loaders.register import InvalidRegister


class NoSuchRegister(StoreError):
    """A change names a register that is not loaded, or a version it never had."""


def os_user() -> str:
    """The user running the command, for the audit log."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid {os.getuid()}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a load did to one register: its version now, and whether it was identical (no new version)."""

    info: RegisterInfo
    unchanged: bool


def lock_dir(store: Store, settings: Settings) -> Path | None:
    """The folder whose lock serialises changes and holds the audit log: the embedded store's own, else
    the settings' data directory."""
    if isinstance(store, MemoryStore):
        return store.data_dir
    return settings.data_dir


class Changes:
    """The write path of one store: ``load``, ``remove`` and ``rollback``, each one locked
    read-modify-write, logged whatever its outcome."""

    def __init__(
        self,
        store: Store,
        reference: ReferenceData,
        settings: Settings,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.reference = reference
        self.timeout = settings.lock_timeout
        self.on_wait = on_wait
        directory = lock_dir(store, settings)
        self.lock = DataLock.of(directory) if directory is not None else None
        self.audit = AuditLog(directory)
        self._local = threading.RLock()  # a store kept in memory still takes one change at a time

    @contextlib.contextmanager
    def holding(self, timeout: float | None = None) -> Iterator[None]:
        """The block as the only writer of the store (waiting up to the timeout for another), after
        logging what became of a change whose process died."""
        if self.lock is None:
            with self._local:
                yield
            return
        with self.lock.hold(self.timeout if timeout is None else timeout, self.on_wait):
            self.recover()
            yield

    def recover_if_free(self) -> None:
        """``recover`` now if no other process is writing (at start-up); else its writer will."""
        with contextlib.suppress(LockTimeout), self.holding(timeout=0):
            pass

    def recover(self) -> None:
        """Log the outcome of a change written down and never crossed out (call it holding the lock)."""
        pending = self.audit.unfinished()
        if pending is not None:
            self._settle(pending, None)

    def log(
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
        self.audit.record(actor, action, register, result, version=version, problems=problems, detail=detail)

    def refused(self, actor: Actor, action: str, register: str | None, error: BaseException) -> None:
        """Log a write refused before it reached the store (a bad token, an unreadable file)."""
        self.audit.refused(actor, action, register, error)

    def load(
        self, registers: Sequence[Register], actor: Actor, *, action: str = "load", note: str = ""
    ) -> list[Outcome]:
        """Validate the registers against everything loaded (reading only what they touch where that
        suffices: ``loaders.change``), then load them as one step; each that differs from the version in
        the graph becomes its next version."""
        names = ", ".join(register.name for register in registers)
        with self.holding():
            try:
                checked = check_change(self.reference, self.store, list(registers))
            except InvalidRegister as error:
                self.refused(actor, action, names, error)
                raise
            except Exception as error:  # the store could not be read: nothing was changed
                self.log(actor, action, names, "failed", detail=f"nothing was changed: {first_line(error)}")
                raise
            before = {info.name: info.version for info in self.store.registers()}
            pending = self._begin(actor, action, [register.name for register in registers])
            try:
                infos = self.store.replace(registers, actor=actor.name, note=note, validated_at=checked)
            except BaseException as error:
                self._settle(pending, error)
                raise
            outcomes = [Outcome(info, info.name in before and before[info.name] == info.version) for info in infos]
            for register, outcome in zip(registers, outcomes, strict=True):
                version = outcome.info.version
                if outcome.unchanged:
                    detail = f"identical to version {version}, which is in the graph: no new version"
                else:
                    counts = ", ".join(f"{n} {kind}" for kind, n in register.counts().items())
                    detail = f"from {register.path}: {counts}" + (f" ({note})" if note else "")
                result = "unchanged" if outcome.unchanged else "accepted"
                self.log(actor, action, register.name, result, version=version, detail=detail)
            self.audit.end()
            return outcomes

    def remove(self, names: Sequence[str], actor: Actor) -> None:
        """Remove registers, unless another loaded register names what only they define (``InvalidRegister``).
        Their versions are kept."""
        with self.holding():
            known = {info.name for info in self.store.registers()}
            unknown = [name for name in names if name not in known]
            try:
                if unknown:
                    loaded = list(self.store.loaded())  # in load order, as this message always listed them
                    raise NoSuchRegister(
                        f"no register named {', '.join(unknown)}; loaded: {', '.join(loaded) or 'none'}"
                    )
                checked = check_change(self.reference, self.store, [], names)
            except (NoSuchRegister, InvalidRegister) as error:
                self.refused(actor, "remove", ", ".join(names), error)
                raise
            versions = {info.name: info.version for info in self.store.registers()}
            pending = self._begin(actor, "remove", names)
            try:
                self.store.remove(names, validated_at=checked)
            except BaseException as error:
                self._settle(pending, error)
                raise
            for name in names:
                self.log(actor, "remove", name, "accepted", version=versions.get(name), detail="versions kept")
            self.audit.end()

    def rollback(self, name: str, version: int, actor: Actor) -> Outcome:
        """Load version ``version`` of a register again, as its next version (none if it is in the graph)."""
        with self.holding():
            try:
                register = self.store.version_register(name, version)
            except StoreError as error:
                self.refused(actor, "rollback", name, error)
                raise NoSuchRegister(str(error)) from None
            (outcome,) = self.load([register], actor, action="rollback", note=f"rollback to version {version}")
            return outcome

    def _begin(self, actor: Actor, action: str, names: Sequence[str]) -> Pending:
        last = {name: 0 for name in names}
        for version in self.store.versions():
            if version.name in last:
                last[version.name] = max(last[version.name], version.version)
        pending = Pending(actor.name, actor.via, action, [(name, last[name]) for name in names])
        self.audit.begin(pending)
        return pending

    def _settle(self, pending: Pending, error: BaseException | None) -> None:
        """Log what became of a change that did not finish normally, from what the store holds now.
        ``error`` None: its process died (found at recovery)."""
        actor = Actor(pending.actor, pending.via)
        try:
            loaded = {info.name for info in self.store.registers()}
            latest: dict[str, int] = {}
            for made in self.store.versions():
                latest[made.name] = max(latest.get(made.name, 0), made.version)
        except Exception as unreadable:  # the store cannot say (Neo4j gone): logged as failed all the same
            for name, _ in pending.registers:
                detail = f"the store could not say whether it was saved: {first_line(error or unreadable)}"
                self.log(actor, pending.action, name, "failed", detail=detail)
            self.audit.end()
            return
        for name, last in pending.registers:
            removing = pending.action == "remove"
            done = name not in loaded if removing else latest.get(name, 0) > last
            version = (last or None) if removing else (latest.get(name) or None)
            if done:
                why = "logged late: the process stopped before logging it" if error is None else first_line(error)
                self.log(actor, pending.action, name, "accepted", version=version, detail=why)
            elif error is None or isinstance(error, KeyboardInterrupt):
                what = f"begun {pending.started} by pid {pending.pid}" if error is None else "interrupted"
                detail = f"{what}; the process stopped before the change was saved: nothing was changed"
                self.log(actor, pending.action, name, "interrupted", detail=detail)
            else:
                self.log(actor, pending.action, name, "failed", detail=f"nothing was changed: {first_line(error)}")
        self.audit.end()
