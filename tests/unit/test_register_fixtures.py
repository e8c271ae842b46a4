"""The good register in every shape a register arrives in reads as the same records.

The fixtures are written by ``fixtures/make_fixtures.py``; these tests also check that they are what the
script writes today, and that they carry the Excel habits they claim to.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from fixtures.make_fixtures import write_all
from openpyxl import load_workbook
from support import tiny_reference

from graph.model import Register
from loaders.register import read_register, validate_together

FIXTURES = Path(__file__).parent.parent / "fixtures" / "registers"
GOOD = FIXTURES / "good"


def good() -> Register:
    return read_register(GOOD)


def test_good_register_is_valid_against_the_tiny_reference() -> None:
    register = good()
    validate_together(tiny_reference(), {}, [register])
    assert register.name == "good"
    assert register.counts() == {"organisations": 5, "systems": 4, "flows": 6, "agreements": 3}
    assert "St Mary\u2019s & St Zo\u00e9\u2019s Hospice" in [o.name for o in register.organisations]
    # A common spelling of an article is stored in its canonical form.
    assert [flow.art6 for flow in register.flows if flow.flow_id == "f6"] == [("6(1)(e)",)]


@pytest.mark.parametrize("variant", ["good.xlsx", "good-excel-csv", "good-cp1252"])
def test_every_shape_of_the_good_register_reads_as_the_same_records(variant: str) -> None:
    # Read under one name: records carry the name of their register.
    read = read_register(FIXTURES / variant, "good")
    expected = good()
    assert replace(read, path=expected.path) == expected


def test_excel_csv_variant_has_the_habits_of_excel() -> None:
    raw = (FIXTURES / "good-excel-csv" / "flows.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfFLOW_ID, Source,")
    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert raw.endswith(b"\r\n" + b"," * 25 + b"\r\n")
    assert b", A00001  ," in raw


def test_cp1252_variant_is_not_utf8() -> None:
    raw = (FIXTURES / "good-cp1252" / "organisations.csv").read_bytes()
    assert "St Mary\u2019s & St Zo\u00e9\u2019s".encode("cp1252") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_workbook_holds_dates_and_booleans_as_excel_types_them() -> None:
    workbook = load_workbook(FIXTURES / "good.xlsx", read_only=True)
    try:
        rows = list(workbook["organisations"].iter_rows(min_row=2, max_row=2, values_only=True))
    finally:
        workbook.close()
    assert rows == [("X26", "NHS England", "nhs_england", True, None, datetime(2013, 4, 1), None)]


def test_workbook_that_declares_a_wrong_size_is_read_whole(tmp_path: Path) -> None:
    # Some writers declare every sheet's used range as "A1"; openpyxl's read-only mode would believe them.
    declared_a1 = tmp_path / "good.xlsx"
    with zipfile.ZipFile(FIXTURES / "good.xlsx") as source, zipfile.ZipFile(declared_a1, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', content)
            target.writestr(item, content)

    read = read_register(declared_a1, "good")

    assert replace(read, path=str(GOOD)) == good()


def test_fixtures_are_what_make_fixtures_writes(tmp_path: Path) -> None:
    written = write_all(tmp_path)
    for path in written:
        files = sorted(path.rglob("*.csv")) if path.is_dir() else [path]
        committed = sorted((FIXTURES / path.name).rglob("*.csv")) if path.is_dir() else [FIXTURES / path.name]
        assert [f.name for f in files] == [f.name for f in committed]
        for new, old in zip(files, committed, strict=True):
            assert new.read_bytes() == old.read_bytes(), f"{old} is stale: run tests/fixtures/make_fixtures.py"


def test_make_fixtures_is_reproducible(tmp_path: Path) -> None:
    first, second = write_all(tmp_path / "a")[1], write_all(tmp_path / "b")[1]
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(io.BytesIO(first.read_bytes())) as workbook:
        assert {item.date_time for item in workbook.infolist()} == {(2026, 1, 1, 0, 0, 0)}
