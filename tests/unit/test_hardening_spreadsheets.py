"""Spreadsheet and CSV bombs (#10, case 2): a register costs the cells it really holds, never an implied grid.

The hostile workbooks are a few kilobytes whose rows each hold one cell at column XFD (the last); read as
a grid they took 400 MB to 1 GB. Each is read in a child process whose own peak memory is asserted; the
time it took is printed (``-s``), never asserted (``bench/hostile.py`` measures it).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from fixtures.make_fixtures import good_tables
from hostile_support import XFD, formatted_workbook, measured, wide_workbook
from openpyxl import load_workbook

from loaders.register import read_register
from loaders.register_writer import write_register

FIXTURES = Path(__file__).parent.parent / "fixtures" / "registers"
PEAK_MIB = 300


def declared_size(path: Path) -> tuple[int, int]:
    """The flows sheet's columns and rows, as openpyxl sees them."""
    workbook = load_workbook(path, read_only=True)
    try:
        sheet = workbook["flows"]
        return sheet.max_column, sheet.max_row
    finally:
        workbook.close()


@pytest.mark.parametrize("rows", [1_300, 3_300], ids=["12KB", "22KB"])
@pytest.mark.parametrize("mode", ["read", "upload"])
def test_a_workbook_with_a_cell_at_xfd_on_every_row_is_refused_in_bounded_memory(
    rows: int, mode: str, tmp_path: Path
) -> None:
    path = wide_workbook(tmp_path / "wide.xlsx", rows)
    size = path.stat().st_size
    assert size < 25_000  # a small file...
    assert declared_size(path) == (XFD, rows + 1)  # ...that implies a grid 16,384 cells wide

    figures = measured(path, mode)

    print(
        f"\n{size:,}-byte workbook, {mode}: refused in {figures['seconds']:.2f} s, peak {figures['peak_mib']:.0f} MiB"
    )
    assert figures["status"] == 422
    assert figures["peak_mib"] < PEAK_MIB
    first = figures["problems"][0]
    assert first["where"].endswith("wide.xlsx, sheet flows")
    assert (first["row"], first["column"]) == (2, "XFD")
    assert "column XFD" in first["expected"] and "1,024 columns" in first["expected"]
    assert "delete the stray cells" in first["expected"]


def test_empty_formatted_cells_far_right_cost_nothing_and_the_register_loads(tmp_path: Path) -> None:
    tables = good_tables()
    typed = {name: [list(row) for row in grid] for name, grid in tables.items()}
    path = formatted_workbook(tmp_path / "good.xlsx", typed, rows=3_000)
    assert declared_size(path) == (XFD, 3_000 + len(tables["flows"]))

    figures = measured(path)

    print(f"\nformatted workbook: read in {figures['seconds']:.2f} s, peak {figures['peak_mib']:.0f} MiB")
    assert figures["status"] == 200, figures["problems"]
    assert figures["counts"] == read_register(FIXTURES / "good").counts()
    assert figures["peak_mib"] < PEAK_MIB


def test_a_csv_register_is_read_as_a_stream_within_a_small_multiple_of_what_it_parses_to(tmp_path: Path) -> None:
    good = read_register(FIXTURES / "good")
    flows = [
        replace(good.flows[index % len(good.flows)], flow_id=f"flow-{index}", notes=f"a note about flow {index}")
        for index in range(20_000)
    ]
    folder = tmp_path / "large"
    sizes = write_register(replace(good, flows=flows), folder)
    assert sizes["flows.csv"] > 4_000_000

    figures = measured(folder, "trace")

    print(f"\n{sizes['flows.csv']:,} bytes of flows: peak {figures['traced_peak_mib']:.1f} MiB traced")
    assert figures["counts"]["flows"] == 20_000
    # The file as bytes, as text and as a grid of cells came to 2.8 times the register; now only rows in flight.
    assert figures["traced_peak_mib"] < 1.5 * figures["traced_mib"]
