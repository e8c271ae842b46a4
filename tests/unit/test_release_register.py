"""``icsgraph import release-register`` on the real Data Release Register of September-November 2017.

Every count pinned here is computed from the workbook itself, by plain openpyxl reading and set arithmetic
on the raw cells in this file, never typed in; the trusts are looked up in the raw ODS trust file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterator
from functools import cache

import openpyxl
import pytest

from app.cli import main
from app.stores import reference_data
from graph.model import Register
from loaders.reference import BUNDLED
from loaders.register import read_register, validate_together

WORKBOOK = BUNDLED / "nhsd-data-release-register-2017-09-11" / "ReleaseRegister-sep-nov-2017.xlsx"
RELEASE_SHEETS = ("DataReleases", "AmendmentsToPreviousRegisters")


@cache
def raw_rows() -> tuple[dict[str, str], ...]:
    """Every release row of both sheets, keyed by the first word of its header, cells as text."""
    workbook = openpyxl.load_workbook(WORKBOOK, read_only=True, data_only=True)
    rows = []
    for name in RELEASE_SHEETS:
        sheet = workbook[name]
        sheet.reset_dimensions()
        grid = [row for row in sheet.iter_rows(values_only=True) if any(str(c or "").strip() for c in row)]
        header = [str(cell or "").strip().split(" ")[0].lower() for cell in grid[0]]
        rows += [{h: str(c or "") for h, c in zip(header, row, strict=False) if h} for row in grid[1:]]
    workbook.close()
    return tuple(rows)


def simple_name(name: str) -> str:
    """A recipient's name with case, punctuation, '&' and spacing set aside."""
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", name.upper().replace("&", " AND ")).split())


def release(row: dict[str, str]) -> tuple[str, ...]:
    """What makes a release distinct, straight from the cells."""
    return (
        row["nic"].strip(),
        re.sub(r"[^a-z0-9]+", "-", row["us"].lower()).strip("-"),
        simple_name(row["organisation"]),
        row["data"].strip().lower()[:4],  # iden / anon / aggr
        " ".join(row["legal"].split()),
        row["patient"].strip().upper(),
    )


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Register, str]]:
    out = tmp_path_factory.mktemp("drr") / "drr-2017"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["import", "release-register", str(WORKBOOK), "--out", str(out)]) == 0
    register = read_register(out)
    yield register, printed.getvalue()


def test_the_2017_register_imports_and_validates_against_the_reference_data(imported: tuple[Register, str]) -> None:
    register, _ = imported
    validate_together(reference_data(), {}, [register])


def test_counts_are_those_of_the_workbook(imported: tuple[Register, str]) -> None:
    register, summary = imported
    rows = raw_rows()
    datasets = {release(row)[1] for row in rows}
    references = {row["nic"].strip() for row in rows}
    recipients = {simple_name(row["organisation"]) for row in rows}
    flows = {release(row) for row in rows}
    counted = f"rows read: {len(rows)}; flows written: {len(flows)}; datasets: {len(datasets)}; "
    assert counted + f"agreements: {len(references)}" in summary
    assert len(register.flows) == len({release(row) for row in rows})
    assert {system.system_id for system in register.systems} == {f"drr-{d}" for d in datasets}
    assert {agreement.agreement_id for agreement in register.agreements} == references
    assert len({flow.destination for flow in register.flows}) == len(recipients)
    matched = int(re.search(r"recipients matched to a reference organisation by name: (\d+)", summary)[1])  # type: ignore[index]
    created = int(re.search(r"recipients created: (\d+)", summary)[1])  # type: ignore[index]
    assert matched + created == len(recipients)


def test_trusts_are_found_under_their_ods_codes(imported: tuple[Register, str]) -> None:
    register, _ = imported
    with (BUNDLED / "etr-2024-12" / "etr.csv").open(encoding="latin-1", newline="") as file:
        open_trusts = {row[1].strip(): row[0] for row in csv.reader(file) if not row[11]}
    trusts = {
        row["organisation"].strip().upper()
        for row in raw_rows()
        if re.search(r"NHS (FOUNDATION )?TRUST", row["organisation"].upper())
    }
    expected = {name: open_trusts[name] for name in trusts if name in open_trusts}
    assert len(expected) >= 5, "the workbook names open trusts by their ODS names"
    for name, code in expected.items():
        releases = {release(row) for row in raw_rows() if row["organisation"].strip().upper() == name}
        assert sum(flow.destination == code for flow in register.flows) == len(releases), name
    # ... and none of them as an organisation of the register's own.
    assert not [o.org_id for o in register.organisations if o.name.upper() in expected]


def test_every_legal_basis_text_is_kept_as_written_and_reported(imported: tuple[Register, str]) -> None:
    register, summary = imported
    texts = {" ".join(row["legal"].split()) for row in raw_rows()}
    kept = {text for flow in register.flows for text in flow.legal_instruments}
    assert kept == {text.replace(";", ",") for text in texts}
    for text in texts:
        assert f"  {text} -> cldc_basis " in summary
    assert all(flow.art6 == () and flow.art9 == () for flow in register.flows), "the 2017 register cites no article"


def test_each_way_the_data_went_is_its_own_flow(imported: tuple[Register, str]) -> None:
    """Files of one agreement and dataset that went differently (identifiable under s251, anonymised) are
    separate flows, numbered in order of first appearance."""
    register, _ = imported
    ways: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for row in raw_rows():
        key = release(row)
        ways.setdefault(key[:2], [])
        if key not in ways[key[:2]]:
            ways[key[:2]].append(key)
    mixed = {group: keys for group, keys in ways.items() if {key[3] for key in keys} >= {"iden", "anon"}}
    assert mixed, "the workbook has agreements whose files of one dataset went both identifiable and anonymised"
    by_id = {flow.flow_id: flow for flow in register.flows}
    for (reference, dataset), keys in mixed.items():
        base = f"{reference}:drr-{dataset}"
        ids = [base] + [f"{base}:{n}" for n in range(2, len(keys) + 1)]
        assert [by_id[i].identifiability.value[:4] for i in ids] == [key[3] for key in keys]


def test_flows_live_from_the_period_and_one_off_releases_end_with_it(imported: tuple[Register, str]) -> None:
    register, summary = imported
    assert "2017 layout, 2017-09-01 to 2017-11-30, discloser X26" in summary
    assert {flow.valid_from.isoformat() for flow in register.flows if flow.valid_from} == {"2017-09-01"}
    one_off = [flow for flow in register.flows if flow.frequency == "one-off"]
    assert one_off and all(flow.valid_to and flow.valid_to.isoformat() == "2017-11-30" for flow in one_off)
    assert all(flow.valid_to is None for flow in register.flows if flow.frequency == "ongoing")


def test_purpose_statements_are_the_flows_notes(imported: tuple[Register, str]) -> None:
    register, _ = imported
    flow = next(f for f in register.flows if f.agreements == ("DARS-NIC-17875-X7K1V-v1.4",))
    assert flow.purposes == ("other",)
    assert flow.notes and flow.notes.startswith("University of Bristol (UOB) School of Social and Community Medicine")
