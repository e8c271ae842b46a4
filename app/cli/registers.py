"""``icsgraph load``, ``validate``, ``registers`` and ``remove``: the registers in the store."""

from __future__ import annotations

import argparse
import time
from typing import Any

from app.changes import Changes
from app.cli.common import CLI_ACTOR, audit_refusal, notice, read_registers, say, settings_from
from app.output import as_table
from app.stores import open_store, reference_data
from loaders.register import InvalidRegister, validate_together


def cmd_load(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    started = time.perf_counter()
    reference = reference_data()
    say(f"reference data: {len(reference.organisations)} organisations ({time.perf_counter() - started:.2f} s)")
    try:
        registers = read_registers(args.registers, args.name)
    except InvalidRegister as error:
        audit_refusal(settings, "load", error.name, error)
        raise
    store = open_store(settings, reference)
    try:
        say("validating against the loaded graph ...")
        outcomes = Changes(store, reference, settings, on_wait=notice).load(registers, CLI_ACTOR)
        for outcome in outcomes:
            info = outcome.info
            if outcome.unchanged:
                say(f"{info.name} is identical to version {info.version}, which is in the graph: no new version")
            else:
                say(f"{info.name} is now version {info.version} (icsgraph history {info.name})")
        where = settings.neo4j.uri if settings.neo4j else str(settings.data_dir)
        say(f"loaded {len(registers)} register(s) into {store.kind} store at {where}:")
        for info in store.registers():
            marker = "*" if info.name in {r.name for r in registers} else " "
            counts = ", ".join(f"{n} {k}" for k, n in info.counts.items())
            say(f" {marker} {info.name} (version {info.version}): {counts}")
        totals = ", ".join(f"{n} {k}" for k, n in store.counts().items())
        say(f"graph now holds {totals} ({time.perf_counter() - started:.2f} s)")
    finally:
        store.close()
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    registers = read_registers(args.registers)
    validate_together(reference_data(), {}, registers)
    say(f"valid: {', '.join(r.name for r in registers)}")
    return 0


def cmd_registers(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    try:
        infos = store.registers()
        if not infos:
            say("no registers loaded; load one with: icsgraph load REGISTER")
        rows = [
            {"name": i.name, "version": i.version, "loaded_at": i.loaded_at, "path": i.path, **i.counts} for i in infos
        ]
        columns = ["name", "version", "loaded_at", "path", "organisations", "systems", "flows", "agreements"]
        print(as_table(columns, rows, limit=80))
    finally:
        store.close()
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    reference = reference_data()
    store = open_store(settings, reference)
    try:
        Changes(store, reference, settings, on_wait=notice).remove(args.names, CLI_ACTOR)
        say(f"removed {', '.join(args.names)}; their versions are kept (icsgraph history NAME)")
    finally:
        store.close()
    return 0


def add_load(commands: Any, common: argparse.ArgumentParser) -> None:
    load = commands.add_parser("load", parents=[common], help="validate registers and load them into the store")
    load.add_argument(
        "registers", nargs="+", metavar="REGISTER", help="a register folder of CSV files or an .xlsx workbook"
    )
    load.add_argument(
        "--name", action="append", help="name for the register (default: its folder or file name); repeat per register"
    )
    load.set_defaults(run=cmd_load)


def add_validate(commands: Any, common: argparse.ArgumentParser) -> None:
    """``validate`` reads no store, so takes none of ``common``."""
    validate = commands.add_parser(
        "validate", help="check registers against the spec and the reference data; exit 1 when invalid"
    )
    validate.add_argument("registers", nargs="+", metavar="REGISTER")
    validate.set_defaults(run=cmd_validate)


def add_registers(commands: Any, common: argparse.ArgumentParser) -> None:
    registers = commands.add_parser(
        "registers", parents=[common], help="list the loaded registers: when and from which file"
    )
    registers.set_defaults(run=cmd_registers)


def add_remove(commands: Any, common: argparse.ArgumentParser) -> None:
    remove = commands.add_parser("remove", parents=[common], help="remove loaded registers by name")
    remove.add_argument("names", nargs="+", metavar="NAME")
    remove.set_defaults(run=cmd_remove)
