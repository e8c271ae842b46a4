"""The ``icsgraph synth`` command: write a synthetic flow register for all of England.

The register (``loaders.synth``) is built on the bundled reference data, so it loads with it; a
README beside the CSV files records the seed, each ICS's tier and the IG defects planted.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from app.cli.common import say
from app.stores import reference_data
from loaders.reference import read_gp_suppliers
from loaders.register_writer import write_register
from loaders.synth import describe, synthesise

EPILOG = """\
examples:
  icsgraph synth --out synthetic-england
  icsgraph synth --out synthetic-x10 --seed 7 --scale 10
  icsgraph validate synthetic-england && icsgraph load synthetic-england
"""


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def cmd_synth(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        say(f"icsgraph: error: --out {out} is a file; give a folder for the register")
        return 2
    started = time.perf_counter()
    reference, suppliers = reference_data(), read_gp_suppliers()
    say(f"reference data: {len(reference.organisations)} organisations ({time.perf_counter() - started:.2f} s)")
    step = time.perf_counter()
    synthesis = synthesise(reference, suppliers, seed=args.seed, scale=args.scale)
    counts = ", ".join(f"{n} {kind}" for kind, n in synthesis.register.counts().items())
    say(f"generated {len(synthesis.tiers)} ICSs: {counts} ({time.perf_counter() - step:.2f} s)")
    step = time.perf_counter()
    sizes = write_register(synthesis.register, out)
    (out / "README.md").write_text(describe(synthesis, args.seed, args.scale), encoding="utf-8")
    written = ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sizes.items())
    say(f"wrote {out}: {written} ({time.perf_counter() - step:.2f} s)")
    total = time.perf_counter() - started
    say(f"planted {len(synthesis.planted)} IG findings (see {out / 'README.md'}); total {total:.2f} s")
    return 0


def add_synth(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``icsgraph synth`` to the CLI's subcommands; it reads no store, so takes none of ``common``."""
    synth = commands.add_parser(
        "synth",
        help="write a synthetic flow register for all of England (demos, tests, benchmarks)",
        description="Write a synthetic register for every active practice, trust and council of England, "
        "with ICSs that vary as the research found and IG defects planted at documented rates.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    synth.add_argument("--out", required=True, metavar="DIR", help="the register folder to write (made if missing)")
    synth.add_argument("--seed", type=int, default=0, help="the same seed writes the same files (default 0)")
    synth.add_argument(
        "--scale", type=positive, default=1, metavar="N", help="N copies of every system and flow, for stress runs"
    )
    synth.set_defaults(run=cmd_synth)
