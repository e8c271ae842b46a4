"""How long the imports take: the real 2017 Data Release Register, and a generated mapped sheet.

    .venv/bin/python bench/imports.py [--rows 50000] [--repeat 3]

Prints a table of medians, of wall-clock seconds and of the process's CPU seconds (the figure to compare on
a machine others share; not part of the tests; nothing is asserted). Each import is timed the way
``icsgraph import`` runs it: read the workbook, apply the mapping, have the loader validate the register
against the reference data, write the CSV folder. The reference data is loaded once, before the clock.

The sheet is generated deterministically: ``--rows`` flows from the bundled reference data's active
practices (in code order, round and round) to a hundred systems, in an xlsx workbook of two sheets whose
headers sit under a title, with Excel dates, Yes/No cells, comma-separated lists and values that the
mapping translates; the same sheet is also timed as a CSV file.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.stores import reference_data
from graph.vocab import OrgType
from loaders.importers.mapping import parse_mapping
from loaders.importers.release_layouts import read_release_register
from loaders.importers.release_register import build
from loaders.importers.sheet import import_sheet
from loaders.importers.spec_register import validated
from loaders.reference import BUNDLED
from loaders.register_writer import write_register

WORKBOOK = BUNDLED / "nhsd-data-release-register-2017-09-11" / "ReleaseRegister-sep-nov-2017.xlsx"
HEADERS = ["Ref", "From", "To", "Data", "Purpose", "Data type", "Controllers", "Joint", "Art 6", "Art 9", "Since"]
MAPPING = """
[[table]]
register = "systems"
sheet = "Systems"
[table.columns]
system_id = "Id"
name = "Name"
system_type = "Kind"
[table.values.system_type]
"ShCR" = "shared_care_record"
"PHM" = "phm_platform"

[[table]]
register = "flows"
sheet = "Flows"
header_row = 3
[table.columns]
flow_id = "Ref"
source = "From"
destination = "To"
data_categories = "Data"
purposes = "Purpose"
identifiability = "Data type"
controllers = "Controllers"
joint = "Joint"
art6 = "Art 6"
art9 = "Art 9"
valid_from = "Since"
[table.values.data_categories]
"GP record" = "primary_care"
[table.values.identifiability]
"Personal confidential data" = "identifiable"
[table.values.art6]
"Public task" = "6(1)(e)"
[table.split]
data_categories = ","
controllers = ","
[table.defaults]
status = "live"
"""


def median_seconds(work: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``repeat`` runs."""
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(times), statistics.median(cpu)


def flow_rows(rows: int, destinations: list[str]) -> list[list[Any]]:
    """The flows sheet: a title, a blank row, the headers on row 3, then ``rows`` flows."""
    practices = sorted(
        o.org_id for o in reference_data().organisations if o.org_type is OrgType.GP_PRACTICE and o.valid_to is None
    )
    flows: list[list[Any]] = [["Generated flow register"], [], HEADERS]
    for n in range(rows):
        practice = practices[n % len(practices)]
        flows.append([
            f"F{n:06d}", practice, destinations[n % len(destinations)],
            "GP record, demographics" if n % 3 else "GP record",
            "Direct care" if n % 2 else "Planning", "Personal confidential data" if n % 2 else "Pseudonymised",
            practice if n % 5 else f"{practice}, {practices[(n + 1) % len(practices)]}", "Yes" if n % 5 == 0 else "No",
            "Public task", "9(2)(h)", date(2020, 1, 1) + timedelta(days=n % 1500),
        ])  # fmt: skip
    return flows


def write_sheet(folder: Path, rows: int) -> tuple[Path, Path]:
    """The sheet as a workbook (flows to a hundred systems of its Systems sheet) and as a CSV file (flows to the
    ICBs, as a CSV file holds one table)."""
    from openpyxl import Workbook

    systems = [["Id", "Name", "Kind"]] + [[f"sys-{n}", f"System {n}", "ShCR" if n % 2 else "PHM"] for n in range(100)]
    # Not openpyxl's write-only mode: as Excel does, the normal mode writes shared strings and each sheet's
    # size, which read-only reading relies on (without them it reads a sheet twice, and slowly).
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, grid in (("Flows", flow_rows(rows, [f"sys-{n}" for n in range(100)])), ("Systems", systems)):
        sheet = workbook.create_sheet(name)
        for row in grid:
            sheet.append(row)
    xlsx = folder / "generated.xlsx"
    workbook.save(xlsx)
    icbs = sorted(o.org_id for o in reference_data().organisations if o.org_type is OrgType.ICB)
    csv_path = folder / "generated.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(flow_rows(rows, icbs))
    return xlsx, csv_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000, help="flows in the generated sheet (default 50,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per import; the median is printed (default 3)")
    args = parser.parse_args()
    reference = reference_data()
    figures: list[tuple[str, str, tuple[float, float]]] = []
    with tempfile.TemporaryDirectory(prefix="icsgraph-bench-imports-") as temporary:
        folder = Path(temporary)

        def release_register() -> int:
            read = read_release_register(WORKBOOK)
            register, _ = build(read, reference, "drr", str(WORKBOOK))
            write_register(validated(register, reference), folder / "drr")
            return len(read.releases)

        rows = release_register()
        figures.append(
            (
                "2017 Data Release Register (xlsx)",
                f"{rows:,} release rows",
                median_seconds(release_register, args.repeat),
            )
        )
        print(f"generating a {args.rows:,}-row sheet ...", file=sys.stderr)
        xlsx, csv_path = write_sheet(folder, args.rows)
        mapping = parse_mapping(MAPPING, "bench.toml")
        csv_mapping = parse_mapping(
            '[[table]]\nregister = "flows"\nheader_row = 3' + MAPPING.split('sheet = "Flows"\nheader_row = 3')[1],
            "bench-csv.toml",
        )
        for label, path, chosen in (("xlsx", xlsx, mapping), ("csv", csv_path, csv_mapping)):

            def sheet(path: Path = path, chosen: Any = chosen) -> None:
                register, _ = import_sheet(path, chosen, reference, "generated")
                write_register(register, folder / f"out-{path.suffix[1:]}")

            figures.append((f"mapped sheet ({label})", f"{args.rows:,} flow rows", median_seconds(sheet, args.repeat)))
    print("| import | size | median seconds | median CPU seconds | rows per CPU second |")
    print("| --- | --- | --- | --- | --- |")
    for label, size, (seconds, cpu) in figures:
        count = int(size.split()[0].replace(",", ""))
        print(f"| {label} | {size} | {seconds:.2f} | {cpu:.2f} | {count / cpu:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
