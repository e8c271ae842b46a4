"""``icsgraph audit``: the audit log of every write attempt (the data directory's ``audit.log``)."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from typing import Any

from app.audit import AuditLog
from app.changes import Changes
from app.cli.common import UserError, say, settings_from
from app.output import as_table
from app.stores import open_store, reference_data


def since(text: str) -> datetime | date:
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None


def cmd_audit(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if settings.data_dir is None or (settings.data_dir.exists() and not settings.data_dir.is_dir()):
        raise UserError(f"{settings.data_dir} is a file, not a folder; give --data the data directory")
    if (settings.data_dir / "registers.json").exists() or settings.neo4j is not None:
        # A change whose process died is logged now, if nobody is writing (else its next writer logs it).
        store = open_store(settings, reference_data())
        try:
            Changes(store, reference_data(), settings).recover_if_free()
        finally:
            store.close()
    entries = [entry.as_dict() for entry in AuditLog(settings.data_dir).entries(args.since)]
    if args.format == "json":
        print(json.dumps(entries, indent=2))
        return 0
    if not entries:
        say(f"no write attempts logged in {settings.data_dir}" + (f" since {args.since}" if args.since else ""))
    columns = ["time", "actor", "via", "action", "register", "version", "result", "problems", "detail"]
    print(as_table(columns, entries, limit=70))
    return 0


def add_audit(commands: Any, common: argparse.ArgumentParser) -> None:
    audit = commands.add_parser(
        "audit",
        parents=[common],
        help="the audit log: every load, removal, rollback and token change, accepted or refused",
    )
    audit.add_argument("--since", type=since, metavar="DATE", help="only entries from this date on (YYYY-MM-DD)")
    audit.add_argument("--format", choices=("table", "json"), default="table")
    audit.set_defaults(run=cmd_audit)
