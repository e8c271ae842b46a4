"""``icsgraph token add|list|revoke``: the scoped API tokens of a server (``app.tokens``).

A token is printed once, as the last line of ``token add``'s output, and kept nowhere: the tokens file
holds its salted hash. Adding and revoking are logged in the audit log.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.audit import AuditLog
from app.cli.common import CLI_ACTOR, UserError, say, settings_from
from app.output import as_table
from app.settings import Settings
from app.tokens import ROLES, TokenError, TokensFile, tokens_path


def tokens_file(args: argparse.Namespace) -> tuple[TokensFile, Settings]:
    settings = settings_from(args)
    path = tokens_path(Path(args.tokens) if args.tokens else settings.tokens, settings.data_dir)
    if path is None:
        raise UserError("no tokens file: give --tokens FILE, set ICSGRAPH_TOKENS, or give --data DIR")
    return TokensFile(path), settings


def cmd_add(args: argparse.Namespace) -> int:
    tokens, settings = tokens_file(args)
    audit = AuditLog(settings.data_dir)
    try:
        token, text = tokens.add(args.name, args.role, args.registers)
    except TokenError as error:
        audit.refused(CLI_ACTOR, "token-add", None, error)
        raise UserError(str(error)) from None
    scope = f" of registers matching {', '.join(token.registers)}" if token.registers else ""
    audit.record(CLI_ACTOR, "token-add", None, "accepted", detail=f"{token.name}: {token.role}{scope}")
    say(f"added {token.role} token {token.name!r}{scope} to {tokens.path}")
    say("it is shown this once and kept nowhere (only its salted hash is); give it to its holder now:")
    print(text)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    tokens, _ = tokens_file(args)
    try:
        rows = [token.public() for token in tokens.tokens()]
    except TokenError as error:
        raise UserError(str(error)) from None
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        say(f"no tokens in {tokens.path}; add one with: icsgraph token add NAME --role admin")
    print(as_table(["name", "role", "registers", "created", "last_used"], rows))
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    tokens, settings = tokens_file(args)
    audit = AuditLog(settings.data_dir)
    try:
        token = tokens.revoke(args.name)
    except TokenError as error:
        audit.refused(CLI_ACTOR, "token-revoke", None, error)
        raise UserError(str(error)) from None
    audit.record(CLI_ACTOR, "token-revoke", None, "accepted", detail=f"{token.name}: {token.role}")
    say(f"revoked token {token.name!r}: it no longer works, on a running server too")
    return 0


def add_token(commands: Any, common: argparse.ArgumentParser) -> None:
    token = commands.add_parser(
        "token",
        help="add, list or revoke the server's scoped API tokens (reader, writer of some registers, admin)",
    )
    actions = token.add_subparsers(dest="action", required=True, metavar="ACTION")
    where = argparse.ArgumentParser(add_help=False, parents=[common])
    where.add_argument(
        "--tokens", metavar="FILE", help="the tokens file (default: $ICSGRAPH_TOKENS, else tokens.json in the data dir)"
    )
    add = actions.add_parser(
        "add",
        parents=[where],
        help="make a token and print it once, as the last line",
        epilog="example: icsgraph token add gm-trust-ig --role writer --registers 'gm-*' --registers qop-shcr",
    )
    add.add_argument("name", metavar="NAME", help="who holds it, as the audit log will name them")
    add.add_argument(
        "--role", required=True, choices=ROLES, help="reader reads; writer also writes its registers; admin does all"
    )
    add.add_argument(
        "--registers",
        action="append",
        default=[],
        metavar="GLOB",
        help="a writer writes only registers whose names match one of these (e.g. 'gm-*'); repeat",
    )
    add.set_defaults(run=cmd_add)
    listing = actions.add_parser("list", parents=[where], help="names, roles, globs, when made and last used")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(run=cmd_list)
    revoke = actions.add_parser("revoke", parents=[where], help="remove a token: it stops working at once")
    revoke.add_argument("name", metavar="NAME")
    revoke.set_defaults(run=cmd_revoke)
