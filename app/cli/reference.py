"""``icsgraph reference``: what the bundled national reference data holds, per ICB."""

from __future__ import annotations

import argparse
from typing import Any

from app.output import as_json, as_table
from app.stores import reference_data
from graph.vocab import OrgType
from loaders.reference import reference_summary


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


def add_reference(commands: Any, common: argparse.ArgumentParser) -> None:
    """``reference`` reads no store, so takes none of ``common``."""
    reference = commands.add_parser("reference", help="counts of the bundled national reference data, per ICB")
    reference.add_argument("--format", choices=("table", "json"), default="table")
    reference.add_argument("--warnings", action="store_true", help="list the rows kept but not fully resolved")
    reference.set_defaults(run=cmd_reference)
