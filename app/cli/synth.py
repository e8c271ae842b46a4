"""The ``icsgraph synth`` command: write a synthetic flow register for all of England, or the demo.

The register (``loaders.synth``) is built on the bundled reference data, so it loads with it; a
README beside the CSV files records the seed, each ICS's tier and the IG defects planted. With
``--demo`` it writes the bundled demo registers instead (``loaders.synth.demo``) and checks them with
the product (``app.cli.demo_check``): exit status 1 unless the checks find exactly what was planted.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from app.cli.common import say
from app.cli.demo_check import self_check
from app.stores import reference_data
from loaders.reference import read_gp_suppliers
from loaders.register_writer import write_register
from loaders.synth import describe, synthesise
from loaders.synth.demo import build_demo
from loaders.synth.demo_readme import describe as describe_demo

EPILOG = """\
examples:
  icsgraph synth --out synthetic-england
  icsgraph synth --out synthetic-x10 --seed 7 --scale 10
  icsgraph synth --demo --out data/demo
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


def cmd_demo(out: Path) -> int:
    """Write the demo registers and their README into ``out``, then check them with the product."""
    started = time.perf_counter()
    reference, suppliers = reference_data(), read_gp_suppliers()
    try:
        demo = build_demo(reference, suppliers)
    except ValueError as error:  # reference data other than the bundled one (ICSGRAPH_REFERENCE)
        say(f"icsgraph: error: {error}")
        return 1
    for register in demo.registers:
        write_register(register, out / register.name)
        counts = ", ".join(f"{n} {kind}" for kind, n in register.counts().items())
        say(f"wrote {out / register.name}: {counts}")
    (out / "README.md").write_text(describe_demo(demo), encoding="utf-8")
    problems = self_check(out, demo, reference)
    if problems:
        say(
            f"icsgraph: error: the demo in {out} fails its self-check: {len(problems)} difference(s) between "
            "what the scenario planted (loaders/synth/demo*.py) and what the product finds:"
        )
        for problem in problems:
            say(f"  {problem}")
        return 1
    total = time.perf_counter() - started
    say(f"self-check passed: the IG checks find the {len(demo.defects)} planted defects exactly ({total:.2f} s)")
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        say(f"icsgraph: error: --out {out} is a file; give a folder for the register")
        return 2
    # Made now, so an --out that cannot be written fails before seconds of generating, not after.
    out.mkdir(parents=True, exist_ok=True)
    if args.demo:
        if args.seed is not None or args.scale is not None:
            say("icsgraph: error: --demo takes no --seed or --scale: the demo registers are always the same")
            return 2
        return cmd_demo(out)
    seed, scale = args.seed or 0, args.scale or 1
    started = time.perf_counter()
    reference, suppliers = reference_data(), read_gp_suppliers()
    say(f"reference data: {len(reference.organisations)} organisations ({time.perf_counter() - started:.2f} s)")
    step = time.perf_counter()
    synthesis = synthesise(reference, suppliers, seed=seed, scale=scale)
    counts = ", ".join(f"{n} {kind}" for kind, n in synthesis.register.counts().items())
    say(f"generated {len(synthesis.tiers)} ICSs: {counts} ({time.perf_counter() - step:.2f} s)")
    step = time.perf_counter()
    sizes = write_register(synthesis.register, out)
    (out / "README.md").write_text(describe(synthesis, seed, scale), encoding="utf-8")
    written = ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sizes.items())
    say(f"wrote {out}: {written} ({time.perf_counter() - step:.2f} s)")
    total = time.perf_counter() - started
    say(f"planted {len(synthesis.planted)} IG findings (see {out / 'README.md'}); total {total:.2f} s")
    return 0


def add_synth(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``icsgraph synth`` to the CLI's subcommands; it reads no store, so takes none of ``common``."""
    synth = commands.add_parser(
        "synth",
        help="write a synthetic flow register for all of England (demos, tests, benchmarks), or the demo",
        description="Write a synthetic register for every active practice, trust and council of England, "
        "with ICSs that vary as the research found and IG defects planted at documented rates. With --demo, "
        "write the bundled demo registers (three real ICSs and the national bodies) and check that the IG "
        "checks find exactly the defects planted in them.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    synth.add_argument("--out", required=True, metavar="DIR", help="the register folder to write (made if missing)")
    synth.add_argument("--seed", type=int, help="the same seed writes the same files (default 0)")
    synth.add_argument(
        "--scale", type=positive, metavar="N", help="N copies of every system and flow, for stress runs (default 1)"
    )
    synth.add_argument(
        "--demo",
        action="store_true",
        help="write the bundled demo registers (as in data/demo) and self-check them; exit 1 if the check fails",
    )
    synth.set_defaults(run=cmd_synth)
