"""The ``icsgraph check`` command: run the IG checks and report their findings.

The checks are the catalogue's queries of kind ``check``; nothing here is written per check. With
``--fail-on-findings`` the exit status is 1 when anything is found, so a CI job can gate a register.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence
from datetime import date
from typing import Any

import queries
from app.cli.common import UserError, store_for
from app.output import as_csv, as_table
from graph.codec import json_default
from graph.store import Row
from queries.checks import CHECK_COLUMNS
from queries.registry import AS_OF, NamedQuery

EPILOG = """\
examples:
  icsgraph check --register my-register/ --fail-on-findings
  icsgraph check --rule opt-outs --rule lawful-basis --format csv > findings.csv
  icsgraph check --rule agreement-expiry --within-days 90 --as-of 2026-11-25
"""


def all_checks() -> list[NamedQuery]:
    return [query for query in queries.CATALOGUE.values() if query.kind == "check"]


def chosen(names: Sequence[str] | None) -> list[NamedQuery]:
    """The checks asked for, in catalogue order; every check when none is named."""
    available = all_checks()
    if not names:
        return available
    known = {query.name for query in available}
    unknown = [name for name in dict.fromkeys(names) if name not in known]
    if unknown:
        raise UserError(f"no check named {', '.join(map(repr, unknown))}; the checks are: {', '.join(sorted(known))}")
    return [query for query in available if query.name in names]


def params_for(query: NamedQuery, as_of: date, within_days: int | None) -> dict[str, Any]:
    raw: dict[str, Any] = {"as_of": as_of}
    if within_days is not None and any(param.name == "within_days" for param in query.params):
        raw["within_days"] = within_days
    return query.bind(raw)


def summary(checks: Sequence[NamedQuery], findings: Sequence[Row]) -> list[dict[str, Any]]:
    return [{"rule": q.name, "findings": sum(row["rule"] == q.name for row in findings)} for q in checks]


def as_text(as_of: date, checks: Sequence[NamedQuery], findings: Sequence[Row]) -> str:
    """The counts per check, then each check's findings, one reason a line."""
    lines = [f"IG checks as of {as_of.isoformat()}: {len(findings)} finding{'s' if len(findings) != 1 else ''}", ""]
    lines += as_table(["rule", "findings"], summary(checks, findings)).splitlines()[:-1]
    for query in checks:
        reasons = [row["reason"] for row in findings if row["rule"] == query.name]
        if reasons:
            lines += ["", f"{query.name} ({len(reasons)}):"]
            lines += [f"  - {reason}" for reason in reasons]
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    checks = chosen(args.rule)
    as_of: date = AS_OF.parse(args.as_of) if args.as_of else date.today()
    bound = [(query, params_for(query, as_of, args.within_days)) for query in checks]
    store = store_for(args, args.register or [])
    try:
        findings = [row for query, params in bound for row in store.run(query, params)]
    finally:
        store.close()
    if args.format == "json":
        document = {
            "as_of": as_of,
            "checks": [query.name for query in checks],
            "counts": {row["rule"]: row["findings"] for row in summary(checks, findings)},
            "count": len(findings),
            "findings": findings,
        }
        print(json.dumps(document, default=json_default, indent=2))
    elif args.format == "csv":
        sys.stdout.write(as_csv(CHECK_COLUMNS, findings))
        counts = ", ".join(f"{row['rule']} {row['findings']}" for row in summary(checks, findings))
        print(f"IG checks as of {as_of.isoformat()}: {counts}", file=sys.stderr)
    else:
        print(as_text(as_of, checks, findings))
    return 1 if args.fail_on_findings and findings else 0


def add_check(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``icsgraph check`` to the CLI's subcommands (``commands``, from ``add_subparsers``)."""
    check = commands.add_parser(
        "check",
        parents=[common],
        help="run the IG checks (all by default) and list what breaks a rule",
        description=textwrap.fill(
            "Run the IG checks on the loaded graph (or on registers given with --register): counts per check, "
            "then every finding with its reason. The checks: " + ", ".join(q.name for q in all_checks()) + "."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("--rule", action="append", metavar="NAME", help="run only this check; repeat for more")
    check.add_argument(
        "--fail-on-findings", action="store_true", help="exit with status 1 when any check finds anything"
    )
    check.add_argument("--format", choices=("table", "json", "csv"), default="table")
    check.add_argument("--as-of", metavar="YYYY-MM-DD", help="check the flows live at this date (default today)")
    check.add_argument(
        "--within-days",
        type=int,
        metavar="N",
        help="agreement-expiry: also report agreements ending within N days of the date (default 0)",
    )
    check.add_argument(
        "--register",
        action="append",
        metavar="PATH",
        help="check the reference data plus this register instead of the store, in memory, for this run only; repeat",
    )
    check.set_defaults(run=cmd_check)
