"""The ``icsgraph`` command line: load, validate, query and serve the graph."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import queries
from app.check import add_parser as add_check_parser
from app.import_cli import add_parser as add_import_parser
from app.output import as_csv, as_json, as_table
from app.settings import Neo4jSettings, Settings, default_data_dir, demo_registers
from app.stores import load_into, open_store, reference_data
from app.synth_cli import add_parser as add_synth_parser
from app.view_cli import add_parser as add_view_parser
from graph.memory import MemoryStore
from graph.model import Register
from graph.store import Store, StoreError
from graph.vocab import OrgType
from loaders.dspt import ENV_VAR as DSPT_ENV_VAR
from loaders.dspt import InvalidDspt
from loaders.reference import reference_summary
from loaders.register import InvalidRegister, read_register, validate_together

EPILOG = """\
examples:
  icsgraph load data/demo/national data/demo/greater-manchester
  icsgraph query practices-shcr-only --param icb=QT6 --format table
  icsgraph query practices-shcr-only --register my-register/ --format json
  icsgraph serve --demo

environment: ICSGRAPH_DATA (data directory), NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE,
  ICSGRAPH_DSPT (a DSPT status file to use instead of the bundled 2020/21 one)
"""


class UserError(Exception):
    """Something the user can fix; printed without a traceback, exit status 1."""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str, status: int = 1) -> NoReturn:
    say(f"icsgraph: error: {message}")
    raise SystemExit(status)


def report_problems(error: InvalidRegister, limit: int = 200) -> None:
    say(f"icsgraph: {len(error.problems)} problem(s) in {error.name}; nothing was loaded:")
    for problem in error.problems[:limit]:
        say(f"  {problem}")
    if len(error.problems) > limit:
        say(f"  ... and {len(error.problems) - limit} more")


def settings_from(args: argparse.Namespace) -> Settings:
    """The store the command line asks for: a flag beats the environment, so ``--data DIR`` means the
    embedded store even where ``NEO4J_URI`` is set."""
    if args.data and args.neo4j:
        raise UserError("--data and --neo4j name two different stores; give one of them")
    if args.data:
        return Settings(data_dir=Path(args.data), neo4j=None)
    return Settings(data_dir=default_data_dir(), neo4j=Neo4jSettings.from_env(args.neo4j))


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


def cmd_load(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    started = time.perf_counter()
    reference = reference_data()
    say(f"reference data: {len(reference.organisations)} organisations ({time.perf_counter() - started:.2f} s)")
    registers = read_registers(args.registers, args.name)
    store = open_store(settings, reference)
    try:
        say("validating against the loaded graph ...")
        load_into(store, reference, registers)
        where = settings.neo4j.uri if settings.neo4j else str(settings.data_dir)
        say(f"loaded {len(registers)} register(s) into {store.kind} store at {where}:")
        for info in store.registers():
            marker = "*" if info.name in {r.name for r in registers} else " "
            counts = ", ".join(f"{n} {k}" for k, n in info.counts.items())
            say(f" {marker} {info.name}: {counts}")
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
        rows = [{"name": i.name, "loaded_at": i.loaded_at, "path": i.path, **i.counts} for i in infos]
        columns = ["name", "loaded_at", "path", "organisations", "systems", "flows", "agreements"]
        print(as_table(columns, rows, limit=80))
    finally:
        store.close()
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    try:
        remaining = {name: r for name, r in store.loaded().items() if name not in args.names}
        validate_together(reference_data(), {}, list(remaining.values()))
        store.remove(args.names)
        say(f"removed {', '.join(args.names)}")
    finally:
        store.close()
    return 0


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--param takes KEY=VALUE, got {pair!r}")
        params[key.strip()] = value.strip()
    return params


def cmd_query(args: argparse.Namespace) -> int:
    query = queries.get(args.name)
    raw = parse_params(args.param)
    if args.as_of:
        raw["as_of"] = args.as_of
    params = query.bind(raw)
    store: Store
    if args.register:
        # For this run only, in memory: the bundled reference data plus these registers; neither the data
        # directory nor a configured Neo4j is read or changed.
        reference = reference_data()
        registers = read_registers(args.register)
        validate_together(reference, {}, registers)
        store = MemoryStore(reference, None)
        store.replace(registers)
    else:
        store = open_store(settings_from(args))
    try:
        rows = store.run(query, params)
    finally:
        store.close()
    if args.format == "json":
        print(as_json(query.name, params, rows))
    elif args.format == "csv":
        sys.stdout.write(as_csv(query.columns, rows))
    else:
        print(as_table(query.columns, rows))
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    for query in queries.CATALOGUE.values():
        params = " ".join(f"[{p.name}]" if not p.required else p.name for p in query.params)
        print(f"{query.name} {params}\n    {query.description}\n")
    return 0


def cmd_reference(args: argparse.Namespace) -> int:
    reference = reference_data()
    if args.warnings:
        for warning in reference.warnings:
            print(warning)
        return 0
    summary = reference_summary(reference)
    if args.format == "json":
        print(as_json("reference", {}, [summary]))
        return 0
    names = {o.org_id: o.name for o in reference.organisations}
    by_icb = summary["gp_practices_by_icb"]
    assert isinstance(by_icb, dict)
    patients: dict[str, int] = {}
    for organisation in reference.organisations:
        if organisation.org_type is OrgType.GP_PRACTICE and organisation.icb and organisation.list_size:
            patients[organisation.icb] = patients.get(organisation.icb, 0) + organisation.list_size
    rows = [
        {"icb": icb, "name": names.get(icb, ""), "gp_practices": n, "registered_patients": patients.get(icb)}
        for icb, n in by_icb.items()
    ]
    print(as_table(["icb", "name", "gp_practices", "registered_patients"], rows, limit=70))
    by_type = summary["by_type"]
    assert isinstance(by_type, dict)
    print("\n" + ", ".join(f"{n} {kind}" for kind, n in by_type.items()))
    print(
        f"{summary['gp_practices_without_icb']} practices without an English ICB; "
        f"{summary['warnings']} warnings (see: icsgraph reference --warnings)"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app

    settings = settings_from(args)
    reference = reference_data()
    store: Store
    if args.demo:
        store = MemoryStore(reference, None)
        load_into(store, reference, read_registers([str(p) for p in demo_registers()]))
        say("serving the bundled demo registers in memory (the data directory is not touched)")
    else:
        store = open_store(settings, reference)
    totals = ", ".join(f"{n} {k}" for k, n in store.counts().items())
    say(f"{store.kind} store: {totals}")
    say(f"API on http://{args.host}:{args.port}/  (docs: /docs, health: /health)")
    uvicorn.run(create_app(settings, store), host=args.host, port=args.port, log_level="warning")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="icsgraph",
        description="A graph of England's health and care data flows and data controllership.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data",
        metavar="DIR",
        help="use the embedded store in DIR, even if $NEO4J_URI is set (default: $ICSGRAPH_DATA or the user data dir)",
    )
    common.add_argument(
        "--neo4j", metavar="URI", help="use the Neo4j store at URI (default: $NEO4J_URI; unset means embedded)"
    )
    parser.add_argument(
        "--dspt",
        metavar="FILE",
        help="DSPT status file (CSV, columns Code, Latest.Status, Date.Of.Publication) to "
        "use instead of the bundled 2020/21 extract, for this run; $ICSGRAPH_DSPT does the same for every run",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    load = commands.add_parser("load", parents=[common], help="validate registers and load them into the store")
    load.add_argument(
        "registers", nargs="+", metavar="REGISTER", help="a register folder of CSV files or an .xlsx workbook"
    )
    load.add_argument(
        "--name", action="append", help="name for the register (default: its folder or file name); repeat per register"
    )
    load.set_defaults(run=cmd_load)

    validate = commands.add_parser(
        "validate", help="check registers against the spec and the reference data; exit 1 when invalid"
    )
    validate.add_argument("registers", nargs="+", metavar="REGISTER")
    validate.set_defaults(run=cmd_validate)

    registers = commands.add_parser(
        "registers", parents=[common], help="list the loaded registers: when and from which file"
    )
    registers.set_defaults(run=cmd_registers)

    remove = commands.add_parser("remove", parents=[common], help="remove loaded registers by name")
    remove.add_argument("names", nargs="+", metavar="NAME")
    remove.set_defaults(run=cmd_remove)

    query = commands.add_parser("query", parents=[common], help="run a named query (see: icsgraph queries)")
    query.add_argument("name", metavar="NAME", help="query name, e.g. practices-shcr-only")
    query.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a query parameter; repeat")
    query.add_argument("--as-of", metavar="YYYY-MM-DD", help="shorthand for --param as_of=...")
    query.add_argument(
        "--register",
        action="append",
        metavar="PATH",
        help="answer on the reference data plus this register alone, for this run only; repeat",
    )
    query.add_argument("--format", choices=("table", "json", "csv"), default="table")
    query.set_defaults(run=cmd_query)
    add_check_parser(commands, common)
    add_view_parser(commands, common)
    add_synth_parser(commands, common)
    add_import_parser(commands, common)

    catalogue = commands.add_parser("queries", help="list the named queries and their parameters")
    catalogue.set_defaults(run=cmd_queries)

    reference = commands.add_parser("reference", help="counts of the bundled national reference data, per ICB")
    reference.add_argument("--format", choices=("table", "json"), default="table")
    reference.add_argument("--warnings", action="store_true", help="list the rows kept but not fully resolved")
    reference.set_defaults(run=cmd_reference)

    serve = commands.add_parser("serve", parents=[common], help="serve the REST API and the network views")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="serve the bundled demo registers, in memory only")
    serve.set_defaults(run=cmd_serve)
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
    except (UserError, StoreError, InvalidDspt, queries.ParamError, queries.UnknownQuery) as error:
        fail(str(error))
    except BrokenPipeError:
        # The reader (e.g. `head`) went away; that is not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        fail("interrupted; nothing half-written was kept", 130)


if __name__ == "__main__":
    sys.exit(main())
