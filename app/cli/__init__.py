"""The ``icsgraph`` command line: load, validate, query and serve the graph.

One module per group of commands, each adding its subcommands with an ``add_*`` function; what they
share (errors, the store asked for, a scratch store of registers) is in ``app.cli.common``, below them all.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import queries
from app.cli import audit, check, export, history, imports, query, reference, registers, serve, synth, tokens, view
from app.cli.common import UserError, fail, report_problems, store_options
from app.settings import SettingsError
from app.views.errors import ViewError
from graph.store import StoreError
from loaders.dspt import ENV_VAR as DSPT_ENV_VAR
from loaders.dspt import InvalidDspt
from loaders.register import InvalidRegister

EPILOG = """\
examples:
  icsgraph load data/demo/national data/demo/greater-manchester
  icsgraph query practices-shcr-only --param icb=QT6 --format table
  icsgraph query practices-shcr-only --register my-register/ --format json
  icsgraph export ropa --org QOP -o qop-ropa.xlsx
  icsgraph serve --demo

environment: ICSGRAPH_DATA (data directory), NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE,
  ICSGRAPH_DSPT (a DSPT status file to use instead of the bundled 2020/21 one)
  ICSGRAPH_TOKENS (tokens file), ICSGRAPH_LOCK_TIMEOUT (seconds a write waits for another)
"""

# The subcommands in the order ``icsgraph --help`` lists them.
COMMANDS: tuple[Callable[[Any, argparse.ArgumentParser], None], ...] = (
    registers.add_load,
    registers.add_validate,
    registers.add_registers,
    registers.add_remove,
    history.add_history,
    history.add_diff,
    history.add_rollback,
    query.add_query,
    check.add_check,
    view.add_view,
    export.add_export,
    synth.add_synth,
    imports.add_import,
    query.add_queries,
    reference.add_reference,
    serve.add_serve,
    tokens.add_token,
    audit.add_audit,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="icsgraph",
        description="A graph of England's health and care data flows and data controllership.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = store_options()
    parser.add_argument(
        "--dspt",
        metavar="FILE",
        help="DSPT status file (CSV, columns Code, Latest.Status, Date.Of.Publication) to "
        "use instead of the bundled 2020/21 extract, for this run; $ICSGRAPH_DSPT does the same for every run",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.dspt:
        os.environ[DSPT_ENV_VAR] = str(Path(args.dspt).resolve())  # read by the reference loader
    try:
        status: int = args.run(args)
        return status
    except InvalidRegister as error:
        report_problems(error)
        return 1
    except (UserError, StoreError, SettingsError, InvalidDspt, queries.ParamError, queries.UnknownQuery) as error:
        fail(str(error))
    except ViewError as error:
        fail(f"{error.message} ({error.fix})")
    except BrokenPipeError:
        # The reader (e.g. `head`) went away; that is not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        # A file or folder the command was pointed at cannot be read or written (-o, --out, --data).
        where = f"{error.filename}: " if error.filename else ""
        fail(f"{where}{error.strerror or error}; check that the path is right and that you may write there")
    except KeyboardInterrupt:
        fail("interrupted; nothing half-written was kept", 130)
    except Exception as error:
        # A bug of ours still gets one line, and a way to see more.
        if os.environ.get("ICSGRAPH_DEBUG"):
            raise
        fail(f"unexpected {type(error).__name__}: {error} (please report it; ICSGRAPH_DEBUG=1 shows where it happened)")
