"""The ``icsgraph`` command line: load, validate, query and serve the graph.

One module per group of commands, each adding its subcommands with an ``add_*`` function; what they
share (errors, the store asked for, a scratch store of registers) is in ``app.cli.common``, below them all.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import queries
from app.cli import check, export, query, reference, registers, serve, synth, view
from app.cli.common import UserError, fail, report_problems, store_options
from app.views.errors import ViewError
from graph.store import StoreError
from loaders.register import InvalidRegister

EPILOG = """\
examples:
  icsgraph load data/demo/national data/demo/greater-manchester
  icsgraph query practices-shcr-only --param icb=QT6 --format table
  icsgraph query practices-shcr-only --register my-register/ --format json
  icsgraph export ropa --org QOP -o qop-ropa.xlsx
  icsgraph serve --demo

environment: ICSGRAPH_DATA (data directory), NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE
"""

# The subcommands in the order ``icsgraph --help`` lists them.
COMMANDS: tuple[Callable[[Any, argparse.ArgumentParser], None], ...] = (
    registers.add_load,
    registers.add_validate,
    registers.add_registers,
    registers.add_remove,
    query.add_query,
    check.add_check,
    view.add_view,
    export.add_export,
    synth.add_synth,
    query.add_queries,
    reference.add_reference,
    serve.add_serve,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="icsgraph",
        description="A graph of England's health and care data flows and data controllership.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = store_options()
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
        return status
    except InvalidRegister as error:
        report_problems(error)
        return 1
    except (UserError, StoreError, queries.ParamError, queries.UnknownQuery) as error:
        fail(str(error))
    except ViewError as error:
        fail(f"{error.message} ({error.fix})")
    except BrokenPipeError:
        # The reader (e.g. `head`) went away; that is not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        fail("interrupted; nothing half-written was kept", 130)
