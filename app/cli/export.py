"""The ``icsgraph export`` commands: the graph's records as files an IG team or another tool reads.

- ``ropa``: an organisation's Record of Processing Activities (UK GDPR Art 30), the ICO template's columns;
- ``iafr``: its information assets and flows register (DSPT 1.1.2);
- ``graphml``: every node and flow, for Gephi, yEd or networkx;
- ``dpv``: every flow as JSON-LD in the W3C Data Privacy Vocabulary;
- ``register``: the loaded registers written back as register folders that load to the same graph.

Each reads the store the options name, or with ``--register`` the reference data plus those registers for
this run only, like ``icsgraph query``. Files are written whole or not at all (``-o -`` writes to stdout).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from app.cli.common import UserError, say, store_for
from app.exports.dpv import dpv_document
from app.exports.records import Form, RopaSheet, iafr_bytes, ropa_bytes
from app.stores import reference_data
from graph.merge import Contents, merge
from graph.state import write_atomically
from graph.store import Store
from loaders.graphml import graphml_bytes
from loaders.register_writer import write_register
from queries.iafr import IAFR
from queries.registry import AS_OF
from queries.ropa import ROPA

EPILOG = """\
examples:
  icsgraph export ropa --org QOP -o qop-ropa.xlsx
  icsgraph export ropa --org 0AR --format csv --sheet processor -o -
  icsgraph export iafr --org P82001 --as-of 2026-11-25 --register data/demo/national \\
      --register data/demo/greater-manchester -o p82001-iafr.csv
  icsgraph export graphml -o england.graphml
  icsgraph export dpv --as-of 2026-11-25 -o flows.jsonld
  icsgraph export register --out backup/
"""


def as_of_of(args: argparse.Namespace) -> date:
    parsed: date = AS_OF.parse(args.as_of) if args.as_of else date.today()
    return parsed


def form_of(args: argparse.Namespace, allowed: tuple[Form, ...]) -> Form:
    """The format asked for, else the one ``-o``'s suffix names, else a workbook."""
    if args.format:
        return Form(args.format)
    suffix = Path(args.output).suffix.lower().lstrip(".")
    for form in allowed:
        if suffix == form.value:
            return form
    if args.output != "-" and suffix:
        names = ", ".join(f".{form.value}" for form in allowed)
        raise UserError(
            f"-o {args.output}: cannot tell the format from .{suffix}; name a {names} file or give --format"
        )
    return allowed[0]


def emit(output: str, data: bytes, what: str, started: float) -> None:
    """Write ``data`` to the file ``output`` (whole or not at all), or to stdout for ``-``."""
    if output == "-":
        if data[:2] == b"PK" and sys.stdout.isatty():
            raise UserError("refusing to write a workbook to a terminal; give -o FILE.xlsx or --format csv")
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(output)
    if path.is_dir():
        raise UserError(f"-o {output} is a folder; give a file name")
    write_atomically(path, data)
    say(f"wrote {what} to {path} ({len(data):,} bytes, {time.perf_counter() - started:.2f} s)")


def organisation_record(store: Store, query: Any, args: argparse.Namespace) -> dict[str, Any]:
    found = store.run(query, {"org_id": args.org, "as_of": as_of_of(args)})
    if not found:
        raise UserError(
            f"no organisation {args.org!r} in the graph: give an ODS code or a register's local id "
            "(GET /api/organisations lists them; icsgraph registers shows what is loaded)"
        )
    record: dict[str, Any] = found[0]
    return record


def cmd_ropa(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    form = form_of(args, (Form.XLSX, Form.CSV, Form.JSON))
    store = store_for(args, args.register or [])
    try:
        ropa = organisation_record(store, ROPA, args)
    finally:
        store.close()
    counts = f"{len(ropa['controller'])} controller and {len(ropa['processor'])} processor rows"
    emit(args.output, ropa_bytes(ropa, form, RopaSheet(args.sheet)), f"the RoPA of {args.org} ({counts})", started)
    return 0


def cmd_iafr(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    form = form_of(args, (Form.XLSX, Form.CSV, Form.JSON))
    store = store_for(args, args.register or [])
    try:
        iafr = organisation_record(store, IAFR, args)
    finally:
        store.close()
    what = f"the information assets and flows register of {args.org} ({len(iafr['flows'])} flows)"
    emit(args.output, iafr_bytes(iafr, form), what, started)
    return 0


def contents_of(args: argparse.Namespace) -> Contents:
    """The whole graph as the store holds it: the reference data with the loaded registers over it."""
    store = store_for(args, args.register or [])
    try:
        return merge(reference_data(), store.loaded().values())
    finally:
        store.close()


def cmd_graphml(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    contents, as_of = contents_of(args), as_of_of(args) if args.as_of else None
    emit(args.output, graphml_bytes(contents, as_of), "the graph as GraphML", started)
    return 0


def cmd_dpv(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    contents, as_of = contents_of(args), as_of_of(args) if args.as_of else None
    document = json.dumps(dpv_document(contents, as_of), indent=2, ensure_ascii=False) + "\n"
    emit(args.output, document.encode("utf-8"), "the flows as DPV JSON-LD", started)
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file; give a folder for the registers")
    store = store_for(args, args.register or [])
    try:
        loaded = store.loaded()
    finally:
        store.close()
    if not loaded:
        raise UserError("no register is loaded, so there is nothing to export; icsgraph load adds one")
    for name, register in sorted(loaded.items()):
        sizes = write_register(register, out / name)
        counts = ", ".join(f"{n} {kind}" for kind, n in register.counts().items())
        say(f"wrote {out / name}: {counts} ({sum(sizes.values()):,} bytes)")
    say(f"load them back with: icsgraph load {' '.join(str(out / name) for name in sorted(loaded))}")
    return 0


def add_export(commands: Any, common: argparse.ArgumentParser) -> None:
    export = commands.add_parser(
        "export",
        help="write records out of the graph: RoPA, information assets and flows register, GraphML, DPV, registers",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kinds = export.add_subparsers(dest="kind", required=True, metavar="KIND")
    shared = argparse.ArgumentParser(add_help=False, parents=[common])
    shared.add_argument(
        "--register",
        action="append",
        metavar="PATH",
        help="export the reference data plus this register alone, for this run only; repeat",
    )

    def output(parser: argparse.ArgumentParser, as_of_help: str) -> None:
        parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write; - for stdout")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help=as_of_help)

    for name, run, what in (
        ("ropa", cmd_ropa, "an organisation's Record of Processing Activities (UK GDPR Art 30), ICO template columns"),
        ("iafr", cmd_iafr, "an organisation's information assets and flows register (DSPT 1.1.2)"),
    ):
        parser = kinds.add_parser(name, parents=[shared], help=what, description=what + ".")
        parser.add_argument("--org", required=True, metavar="ID", help="the organisation's ODS code or local id")
        output(parser, "only flows live at this date count (default today)")
        parser.add_argument(
            "--format", choices=[f.value for f in Form], help="default: from -o's suffix, else xlsx (a workbook)"
        )
        if name == "ropa":
            parser.add_argument(
                "--sheet",
                choices=[s.value for s in RopaSheet],
                default=RopaSheet.CONTROLLER.value,
                help="which table CSV holds (a workbook and JSON hold both; default controller)",
            )
        else:
            parser.set_defaults(sheet=RopaSheet.CONTROLLER.value)
        parser.set_defaults(run=run)
    for name, run, what in (
        ("graphml", cmd_graphml, "every node and flow with its fields as GraphML (Gephi, yEd, networkx)"),
        ("dpv", cmd_dpv, "every flow as JSON-LD in the W3C Data Privacy Vocabulary, with the nodes it names"),
    ):
        parser = kinds.add_parser(name, parents=[shared], help=what, description=what + ".")
        output(parser, "only flows live at this date (default: every flow, whatever its status and dates)")
        parser.set_defaults(run=run)
    register = kinds.add_parser(
        "register",
        parents=[shared],
        help="the loaded registers written back as register folders that load to the same graph",
        description="Write each loaded register as a folder of CSV files in the register spec's format, "
        "in its own folder under --out; loading them gives the same graph.",
    )
    register.add_argument(
        "--out", required=True, metavar="DIR", help="the folder to write them under (made if missing)"
    )
    register.set_defaults(run=cmd_register)
