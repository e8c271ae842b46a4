"""What every ``icsgraph`` command shares: its errors and messages, the store it asks for, and the
registers it reads.

Commands report progress and problems on stderr (``say``) and answers on stdout; a ``UserError`` is
printed as one line without a traceback (``app.cli.main``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from app.audit import Actor, AuditLog
from app.changes import os_user
from app.settings import Neo4jSettings, Settings, default_data_dir
from app.stores import load_into, open_store, reference_data
from graph.memory import MemoryStore
from graph.model import Register
from graph.store import Store
from loaders.register import InvalidRegister, read_register


class UserError(Exception):
    """Something the user can fix; printed without a traceback, exit status 1."""


CLI_ACTOR = Actor(os_user(), "cli")


def audit_refusal(settings: Settings, action: str, register: str | None, error: BaseException) -> None:
    """Log a write refused before it reached a store (an unreadable register), where the store's changes
    are logged: the data directory."""
    AuditLog(settings.data_dir).refused(CLI_ACTOR, action, register, error)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def notice(message: str) -> None:
    """A word on stderr about something the command is waiting for (another writer, say)."""
    say(f"icsgraph: {message}")


def fail(message: str, status: int = 1) -> NoReturn:
    say(f"icsgraph: error: {message}")
    raise SystemExit(status)


def report_problems(error: InvalidRegister, limit: int = 200) -> None:
    say(f"icsgraph: {len(error.problems)} problem(s) in {error.name}; nothing was loaded:")
    for problem in error.problems[:limit]:
        say(f"  {problem}")
    if len(error.problems) > limit:
        say(f"  ... and {len(error.problems) - limit} more")


def store_options() -> argparse.ArgumentParser:
    """``--data`` and ``--neo4j``: the parent parser of every command that opens the store."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--data",
        metavar="DIR",
        help="use the embedded store in DIR, even if $NEO4J_URI is set (default: $ICSGRAPH_DATA or the user data dir)",
    )
    options.add_argument(
        "--neo4j", metavar="URI", help="use the Neo4j store at URI (default: $NEO4J_URI; unset means embedded)"
    )
    return options


def settings_from(args: argparse.Namespace) -> Settings:
    """The store the command line asks for: a flag beats the environment, so ``--data DIR`` means the
    embedded store even where ``NEO4J_URI`` is set."""
    if args.data and args.neo4j:
        raise UserError("--data and --neo4j name two different stores; give one of them")
    if args.data:
        return Settings(data_dir=Path(args.data), neo4j=None)
    return Settings(data_dir=default_data_dir(), neo4j=Neo4jSettings.from_env(args.neo4j))


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """``--param KEY=VALUE`` options as a dict of raw values, for a query to bind."""
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--param takes KEY=VALUE, got {pair!r}")
        params[key.strip()] = value.strip()
    return params


def read_registers(paths: Sequence[str], names: Sequence[str] | None = None) -> list[Register]:
    """Read every register, collecting the problems of all before failing."""
    registers, problems, failed = [], [], []
    for index, path in enumerate(paths):
        name = names[index] if names and index < len(names) else None
        started = time.perf_counter()
        try:
            register = read_register(Path(path), name)
        except InvalidRegister as error:
            problems += error.problems
            failed.append(error.name)
            continue
        counts = ", ".join(f"{n} {k}" for k, n in register.counts().items())
        say(f"read {register.name} from {path}: {counts} ({time.perf_counter() - started:.2f} s)")
        registers.append(register)
    if problems:
        raise InvalidRegister(", ".join(failed), problems)
    return registers


def scratch_store(paths: Sequence[str]) -> MemoryStore:
    """A store of the bundled reference data plus these registers, in memory for this run only.

    Whatever store is configured, neither the data directory nor a Neo4j is read or changed: answering,
    checking or drawing a register someone is preparing never writes to a database.
    """
    reference = reference_data()
    store = MemoryStore(reference, None)
    load_into(store, reference, read_registers(paths))
    return store


def store_for(args: argparse.Namespace, registers: Sequence[str]) -> Store:
    """A scratch store of ``registers`` when any are given, else the store the options name."""
    return scratch_store(registers) if registers else open_store(settings_from(args))
