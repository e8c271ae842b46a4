"""The demo's self-check: what the product finds in the written demo registers must be what was planted.

The registers are read back with the real loader and validated together against the reference data,
loaded into the embedded store, and asked the catalogue's questions as of the demo's date, each with
its own defaults: every IG check (its findings must be the planted defects, no more, no fewer; but for the
checks of reference data alone, ``FROM_REFERENCE``, which a register cannot plant), the
headline (``practices-shcr-only``) and ``practices-not-opted-in`` for each ICS. Nothing here knows a
rule: the answers are the product's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import queries
from app.cli.check import all_checks, params_for
from graph.memory import MemoryStore
from graph.model import ReferenceData
from loaders.register import InvalidRegister, read_register, validate_together
from loaders.synth.demo import AS_OF, FROM_REFERENCE, Demo

Finding = tuple[str, str, str | None]  # check, flow, role holder


def differences(what: str, planted: Iterable[Any], found: Iterable[Any]) -> list[str]:
    """Each item planted but not found and found but not planted, one line each."""
    expected, actual = Counter(planted), Counter(found)
    missing = [f"{what}: planted but not found: {item}" for item in sorted(expected - actual, key=str)]
    return missing + [f"{what}: found but not planted: {item}" for item in sorted(actual - expected, key=str)]


def self_check(folder: Path, demo: Demo, reference: ReferenceData) -> list[str]:
    """Every difference between what ``demo`` planted and what the product finds in ``folder``; none is a pass."""
    try:
        registers = [read_register(folder / register.name) for register in demo.registers]
        validate_together(reference, {}, registers)
    except InvalidRegister as error:
        return [f"{error.name}: {problem}" for problem in error.problems]
    store = MemoryStore(reference, None)
    store.replace(registers)

    def ask(name: str, **params: Any) -> list[dict[str, Any]]:
        query = queries.get(name)
        return store.run(query, query.bind({"as_of": AS_OF, **params}))

    found: list[Finding] = [
        (row["rule"], row["flow_id"], row["org_id"])
        for check in all_checks()
        if check.name not in FROM_REFERENCE
        for row in store.run(check, params_for(check, AS_OF, None))
    ]
    planted: list[Finding] = [(d.check, d.flow_id, d.org_id) for d in demo.defects]
    problems = differences("IG checks", planted, found)
    for build in demo.builds:
        icb = build.ics.icb
        shcr_only = [row["practice"] for row in ask("practices-shcr-only", icb=icb)]
        problems += differences(f"practices-shcr-only {icb}", demo.headline[icb], shcr_only)
        left_out = [row["practice"] for row in ask("practices-not-opted-in", icb=icb)]
        problems += differences(f"practices-not-opted-in {icb}", build.not_opted_in, left_out)
    return problems
