"""The ``icsgraph import`` commands: registers in other shapes written as spec register folders.

- ``import release-register FILE.xlsx --out DIR``: NHS Digital's Data Release Register (2017 layout) or
  NHS England's Data Uses Register (current layout);
- ``import sheet FILE --map MAP.toml --out DIR``: an IG team's own spreadsheet, through a mapping file.

Both validate what they make with the loader and write nothing unless it is valid; ``docs/import.md`` shows
the mapping rules and a worked example of each.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from app.stores import reference_data
from graph.model import Register
from loaders.importers.mapping import read_mapping
from loaders.importers.release_layouts import read_release_register
from loaders.importers.release_register import build
from loaders.importers.sheet import import_sheet
from loaders.importers.spec_register import validated
from loaders.register import InvalidRegister
from loaders.register_writer import write_register

EPILOG = """\
examples:
  icsgraph import release-register ReleaseRegister-sep-nov-2017.xlsx --out drr-2017
  icsgraph import sheet examples/iafr/iafr.xlsx --map examples/iafr/iafr.toml --out my-register
  icsgraph validate my-register && icsgraph load my-register

The mapping format and the release registers' mapping rules: docs/import.md
"""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def period(text: str) -> tuple[date, date]:
    """``FROM..TO`` as two ISO dates."""
    first, sep, last = text.partition("..")
    try:
        start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected FROM..TO as ISO dates, e.g. 2017-09-01..2017-11-30, got {text!r}"
        ) from None
    if not sep or end < start:
        raise argparse.ArgumentTypeError(f"expected FROM..TO with TO not before FROM, got {text!r}")
    return start, end


def refuse(error: InvalidRegister, source: str, limit: int = 200) -> int:
    say(f"icsgraph: {len(error.problems)} problem(s) in {source}; nothing was written:")
    for problem in error.problems[:limit]:
        say(f"  {problem}")
    if len(error.problems) > limit:
        say(f"  ... and {len(error.problems) - limit} more")
    return 1


def out_folder(text: str) -> Path:
    out = Path(text)
    if out.exists() and not out.is_dir():
        raise argparse.ArgumentTypeError(f"{out} is a file; give a folder for the register")
    return out


def write(register: Register, out: Path, started: float) -> int:
    """Write the register folder, or say in one line why it could not be written."""
    try:
        sizes = write_register(register, out)
    except OSError as error:
        say(f"icsgraph: error: cannot write {out}: {error.strerror or error}; choose a folder you can write to")
        return 1
    files = ", ".join(f"{name} {size / 1e3:.0f} kB" for name, size in sizes.items())
    say(f"wrote {out}: {files} ({time.perf_counter() - started:.2f} s)")
    say(f"next: icsgraph validate {out} && icsgraph load {out}")
    return 0


def cmd_release_register(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    source = Path(args.file)
    reference = reference_data()
    try:
        read = read_release_register(source, args.period)
        say(f"read {source}: {len(read.releases)} release rows ({time.perf_counter() - started:.2f} s)")
        register, summary = build(read, reference, args.name or args.out.name, str(source))
        register = validated(register, reference)
    except InvalidRegister as error:
        return refuse(error, str(source))
    print("\n".join(summary.lines()))
    return write(register, args.out, started)


def cmd_sheet(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    source = Path(args.file)
    try:
        mapping = read_mapping(Path(args.map))
        register, summary = import_sheet(source, mapping, reference_data(), args.name or args.out.name)
    except InvalidRegister as error:
        return refuse(error, f"{source} (mapped by {args.map})")
    print("\n".join(summary.lines()))
    return write(register, args.out, started)


def add_import(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``icsgraph import`` to the CLI's subcommands; it reads no store, so takes none of ``common``."""
    parser = commands.add_parser(
        "import",
        help="write a register folder from a release register or your own spreadsheet",
        description="Turn a register in another shape into a register folder in the spec layout, which then "
        "validates and loads like any other. Nothing is written unless all of it is valid.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    release = kinds.add_parser(
        "release-register",
        help="NHS Digital's Data Release Register (2017 layout) or NHS England's Data Uses Register",
        description="One system per dataset, one flow per distinct release, one agreement per reference number; "
        "recipients matched to the reference data by name. Prints what became of every legal basis.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    release.add_argument("file", metavar="FILE.xlsx", help="the register workbook as published")
    release.add_argument("--out", required=True, type=out_folder, metavar="DIR", help="the register folder to write")
    release.add_argument("--name", help="the register's name in the summary (default: the folder's name)")
    release.add_argument(
        "--period",
        type=period,
        metavar="FROM..TO",
        help="the months the register covers, when its title does not say (e.g. 2017-09-01..2017-11-30)",
    )
    release.set_defaults(run=cmd_release_register)
    sheet = kinds.add_parser(
        "sheet",
        help="your own flow register (xlsx or csv), through a mapping file",
        description="Read your spreadsheet through a TOML mapping of your sheets and headers to the register's "
        "tables and columns; every problem names your file, sheet, row, header and value.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sheet.add_argument("file", metavar="FILE", help="your register: an .xlsx workbook or a .csv file")
    sheet.add_argument("--map", required=True, metavar="MAP.toml", help="the mapping (format: docs/import.md)")
    sheet.add_argument("--out", required=True, type=out_folder, metavar="DIR", help="the register folder to write")
    sheet.add_argument("--name", help="the register's name (default: the folder's name)")
    sheet.set_defaults(run=cmd_sheet)
