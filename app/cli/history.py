"""``icsgraph history``, ``diff`` and ``rollback``: every version of a register, what changed between two,
and an earlier one made current again."""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.changes import Changes
from app.cli.common import CLI_ACTOR, notice, say, settings_from
from app.output import as_table, cell
from app.stores import open_store, reference_data
from app.versions import compare, listed


def cmd_history(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    try:
        if args.name is None:
            names = sorted({v.name for v in store.versions()})
            if not names:
                say("no register has versions yet; load one with: icsgraph load REGISTER")
            rows = [listed(store, name)[-1] for name in names]
            columns = ["name", "version", "current", "created_at", "actor", "source"]
            title = "the last version of each register (icsgraph history NAME for all of one)"
        else:
            rows = listed(store, args.name)
            columns = ["version", "current", "created_at", "actor", "source", "flows", "sha256", "note"]
            title = f"versions of {args.name}"
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return 0
    say(title)
    shown = [
        {**row, **row["counts"], "current": "*" if row["current"] else "", "sha256": row["sha256"][:12]} for row in rows
    ]
    print(as_table(columns, shown, limit=60))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    try:
        document = compare(store, args.name, args.old, args.new)
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps(document, indent=2))
    else:
        print(as_text(document))
    return 0


def as_text(document: dict[str, Any]) -> str:
    """A diff as lines: ``+`` added, ``-`` removed, ``~`` changed with each field's old and new value."""
    start = "nothing" if document["from"] is None else f"version {document['from']}"
    added, removed, changed = document["added"], document["removed"], document["changed"]
    lines = [
        f"{document['name']}: {start} -> version {document['to']}: "
        f"{len(added)} added, {len(removed)} removed, {len(changed)} changed"
    ]
    lines += [f"+ {entry['kind']} {entry['id']}" for entry in added]
    lines += [f"- {entry['kind']} {entry['id']}" for entry in removed]
    for entry in changed:
        lines.append(f"~ {entry['kind']} {entry['id']}")
        for field, values in entry["fields"].items():
            lines.append(f"    {field}: {shown(values['old'])} -> {shown(values['new'])}")
    return "\n".join(lines)


def shown(value: Any) -> str:
    return "(empty)" if value is None or value == [] else repr(cell(value))


def cmd_rollback(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    reference = reference_data()
    store = open_store(settings, reference)
    try:
        outcome = Changes(store, reference, settings, on_wait=notice).rollback(args.name, args.version, CLI_ACTOR)
    finally:
        store.close()
    info = outcome.info
    if outcome.unchanged:
        say(f"{args.name}: version {args.version} is the one in the graph already; no new version")
    else:
        say(f"{args.name} rolled back to version {args.version}, as version {info.version}")
    return 0


def add_history(commands: Any, common: argparse.ArgumentParser) -> None:
    history = commands.add_parser(
        "history",
        parents=[common],
        help="list a register's versions (numbered loads: when, who, which file); without NAME, every register's last",
    )
    history.add_argument("name", nargs="?", metavar="NAME")
    history.add_argument("--format", choices=("table", "json"), default="table")
    history.set_defaults(run=cmd_history)


def add_diff(commands: Any, common: argparse.ArgumentParser) -> None:
    diff = commands.add_parser(
        "diff",
        parents=[common],
        help="what changed between two versions of a register (default: the last two)",
        description="Organisations, systems, flows and agreements added and removed, and for each changed "
        "record every field with its old and new value.",
    )
    diff.add_argument("name", metavar="NAME")
    diff.add_argument("--from", dest="old", type=version_number, metavar="V", help="the older version")
    diff.add_argument("--to", dest="new", type=version_number, metavar="V", help="the newer version (default: last)")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.set_defaults(run=cmd_diff)


def add_rollback(commands: Any, common: argparse.ArgumentParser) -> None:
    rollback = commands.add_parser(
        "rollback",
        parents=[common],
        help="make an earlier version of a register current again, as its next version",
    )
    rollback.add_argument("name", metavar="NAME")
    rollback.add_argument("version", type=version_number, metavar="V")
    rollback.set_defaults(run=cmd_rollback)


def version_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a version number; use e.g. 2") from None
    if not 1 <= number <= 1_000_000_000:
        raise argparse.ArgumentTypeError(f"{number} is not a version number; versions are numbered from 1")
    return number
