"""Spec tests of the release registers' mapping, one rule at a time, on releases written inline over the tiny
reference graph (``support.tiny_reference``: trust RAA "Alpha Hospitals NHS Trust", ICB QAA "NHS Alpha ICB",
council E06000001 "Alphashire Council")."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from support import tiny_reference

from graph.model import Flow, Register
from loaders.importers.release_register import Dsa, Release, ReleaseRegister, Summary, build
from loaders.importers.spec_register import validated
from loaders.register import InvalidRegister

PERIOD = (date(2017, 9, 1), date(2017, 11, 30))
WHERE = "drr.xlsx, sheet DataReleases"
row_numbers = iter(range(2, 10_000))


def release(**cells: Any) -> Release:
    values = {
        "reference": "DARS-NIC-1-A-v1",
        "dataset": "Hospital Episode Statistics Admitted Patient Care",
        "recipient": "UNIVERSITY OF ALPHA",
        "identifiability": "Anonymised - ICO code compliant",
        "legal_basis": "Health and Social Care Act 2012",
        "opt_outs": "N",
        "one_off": False,
    }
    values.update(cells)
    return Release(WHERE, next(row_numbers), **values)


def imported(*releases: Release, period: tuple[date, date] = PERIOD, **read: Any) -> tuple[Register, Summary]:
    register, summary = build(
        ReleaseRegister("2017", "drr.xlsx", period, list(releases), **read), tiny_reference(), "drr", "drr.xlsx"
    )
    return validated(register, tiny_reference()), summary


def only_flow(*releases: Release, **read: Any) -> Flow:
    register, _ = imported(*releases, **read)
    [flow] = register.flows
    return flow


def test_one_national_collection_system_per_dataset_run_by_the_discloser() -> None:
    register, _ = imported(release(), release(dataset="hospital episode statistics admitted patient care "))
    [system] = register.systems
    assert (system.system_id, system.name, system.system_type, system.operator) == (
        "drr-hospital-episode-statistics-admitted-patient-care",
        "Hospital Episode Statistics Admitted Patient Care",
        "national_collection",
        "X26",
    )


def test_nhs_digital_discloses_until_january_2023_and_nhs_england_from_february() -> None:
    before, _ = imported(release(), period=(date(2023, 1, 1), date(2023, 1, 31)))
    after, _ = imported(release(), period=(date(2023, 2, 1), date(2023, 2, 28)))
    assert [(o.org_id, o.name, o.org_type) for o in before.organisations if o.org_id.startswith("X")] == [
        ("X26", "NHS Digital", "other")
    ]
    assert before.flows[0].controllers == ("X26",) and after.flows[0].controllers == ("X24",)


def test_categories_from_the_curated_table_and_other_for_a_dataset_it_lacks() -> None:
    register, summary = imported(
        release(dataset="Mental Health Services Data Set"),
        release(dataset="MRIS - Cause of Death Report"),
        release(dataset="Widget census"),
    )
    assert [flow.data_categories for flow in register.flows] == [("mental_health",), ("demographics",), ("other",)]
    assert summary.unknown_datasets == ["Widget census"]
    assert "  Widget census" in summary.lines()


def test_recipients_match_the_one_reference_organisation_of_the_same_normalised_name() -> None:
    register, summary = imported(
        release(recipient="ALPHA HOSPITALS NHS TRUST "),
        release(recipient="Alphashire County Council", reference="DARS-NIC-2-B-v1"),
        release(recipient="NHS\xa0ALPHA  ICB", reference="DARS-NIC-3-C-v1"),
    )
    assert [flow.destination for flow in register.flows] == ["RAA", "E06000001", "QAA"]
    assert summary.matched == {
        "ALPHA HOSPITALS NHS TRUST": "RAA",
        "Alphashire County Council": "E06000001",
        "NHS ALPHA ICB": "QAA",
    }
    assert [o.org_id for o in register.organisations] == ["X26"]


def test_other_recipients_become_register_organisations_typed_from_their_names() -> None:
    register, summary = imported(
        release(recipient="UNIVERSITY OF ALPHA"),
        release(recipient="Beta Analytics LTD", reference="DARS-NIC-2-B-v1"),
        release(recipient="NHS GAMMA CCG", reference="DARS-NIC-3-C-v1"),
        release(recipient="NHS GAMMA  CCG ", reference="DARS-NIC-4-D-v1"),
    )
    own = {o.org_id: (o.name, o.org_type.value) for o in register.organisations}
    assert own == {
        "X26": ("NHS Digital", "other"),
        "drr-university-of-alpha": ("UNIVERSITY OF ALPHA", "research_org"),
        "drr-beta-analytics-ltd": ("Beta Analytics LTD", "supplier"),
        "drr-nhs-gamma-ccg": ("NHS GAMMA CCG", "other"),
    }
    assert len(summary.created) == 3


def test_one_flow_per_distinct_release_numbered_in_order_of_first_appearance() -> None:
    register, _ = imported(
        release(identifiability="Anonymised - ICO Code Compliant"),
        release(identifiability="Identifiable", legal_basis="Section 251 approval is in place", opt_outs="Y"),
        release(identifiability="anonymised -ICO code  compliant"),  # the first again, spelled otherwise
        release(legal_basis="Health and  Social Care Act 2012"),  # white space is not a difference
        release(opt_outs="Y"),
    )
    base = "DARS-NIC-1-A-v1:drr-hospital-episode-statistics-admitted-patient-care"
    assert [(f.flow_id, f.identifiability, f.cldc_basis, f.ndop) for f in register.flows] == [
        (base, "anonymised", "statutory_direction", "not_applied"),
        (f"{base}:2", "identifiable", "s251", "applied"),
        (f"{base}:3", "anonymised", "statutory_direction", "applied"),
    ]
    assert (
        register.flows[0].evidence == f"drr.xlsx, sheet DataReleases row {register.flows[0].evidence.split('row ')[1]}"
    )


def test_from_the_dataset_to_the_recipient_controlled_by_the_discloser() -> None:
    flow = only_flow(release())
    assert (flow.source, flow.destination, flow.controllers, flow.recipient_controller, flow.joint) == (
        "drr-hospital-episode-statistics-admitted-patient-care",
        "drr-university-of-alpha",
        ("X26",),
        "drr-university-of-alpha",
        False,
    )


@pytest.mark.parametrize(
    ("written", "identifiability"),
    [("Identifiable", "identifiable"), (" anonymised - ICO CODE compliant", "anonymised"),
     ("Aggregated-Small Numbers Suppressed", "aggregate"), ("Pseudonymised", "pseudonymised")],
)  # fmt: skip
def test_identifiability_from_data_provided_to_customer_in_any_case_or_spacing(
    written: str, identifiability: str
) -> None:
    assert only_flow(release(identifiability=written)).identifiability == identifiability


@pytest.mark.parametrize(
    ("text", "basis"),
    [
        ("Section 251 approval is in place for the flow of identifiable data", "s251"),
        ("Informed Patient consent to permit the receipt, processing and release of data", "explicit_consent"),
        ("Section 42(4) of the Statistics and Registration Service Act (2007)", "statutory_direction"),
        ("Other-non-identifiable aggregate care home level data", "not_confidential"),
        ("Legitimate interests of the recipient", None),
        ("", None),
    ],
)  # fmt: skip
def test_legal_basis_text_to_cldc_basis_and_always_kept_as_written(text: str, basis: str | None) -> None:
    flow = only_flow(release(legal_basis=f"  {text} "))
    assert flow.cldc_basis == basis
    assert flow.legal_instruments == ((text,) if text else ())


def test_art6_and_art9_stay_empty_unless_the_register_cites_them() -> None:
    assert (only_flow(release()).art6, only_flow(release()).art9) == ((), ())
    cited = only_flow(release(legal_basis="HSCA 2012 s261; UK GDPR Art. 6(1)(e) and Article 9(2)(h)"))
    assert (cited.art6, cited.art9, cited.legal_instruments) == (
        ("6(1)(e)",),
        ("9(2)(h)",),
        ("HSCA 2012 s261, UK GDPR Art. 6(1)(e) and Article 9(2)(h)",),
    )


def test_purpose_other_unless_given_with_the_purpose_statement_in_notes() -> None:
    objectives = {"DARS-NIC-1-A-v1": "To study readmissions."}
    assert (
        only_flow(release(), objectives=objectives).purposes,
        only_flow(release(), objectives=objectives).notes,
    ) == (("other",), "To study readmissions.")
    assert only_flow(release(purpose="Research")).purposes == ("research",)
    odd = only_flow(release(purpose="Benchmarking"), objectives=objectives)
    assert (odd.purposes, odd.notes) == (("other",), "To study readmissions.\n\nPurpose as registered: Benchmarking")


def test_live_from_the_periods_first_day_one_off_releases_ending_on_its_last() -> None:
    ongoing = only_flow(release(one_off=False))
    once = only_flow(release(one_off=True))
    mixed = only_flow(release(one_off=True), release(one_off=False))
    assert (ongoing.status, ongoing.valid_from, ongoing.valid_to, ongoing.frequency) == (
        "live",
        date(2017, 9, 1),
        None,
        "ongoing",
    )
    assert (once.valid_to, once.frequency) == (date(2017, 11, 30), "one-off")
    assert (mixed.valid_to, mixed.frequency) == (None, "ongoing")


def test_one_dsa_per_reference_number_between_the_discloser_and_its_recipients() -> None:
    register, _ = imported(
        release(),
        release(dataset="ONS Births"),
        release(reference="DARS-NIC-2-B-v1", recipient="Alpha Hospitals NHS Trust"),
    )
    assert [(a.agreement_id, a.agreement_type, a.parties) for a in register.agreements] == [
        ("DARS-NIC-1-A-v1", "dsa", ("X26", "drr-university-of-alpha")),
        ("DARS-NIC-2-B-v1", "dsa", ("X26", "RAA")),
    ]
    assert all(flow.agreements == (flow.flow_id.split(":")[0],) for flow in register.flows)


def test_joint_controllers_of_an_agreement_each_receive_its_releases() -> None:
    dsa = Dsa(
        "dur.xlsx, sheet Agreements",
        2,
        ("UNIVERSITY OF ALPHA", "Alpha Hospitals NHS Trust"),
        joint=True,
        applicant="UNIVERSITY OF ALPHA",
    )
    register, _ = imported(release(recipient=""), agreements={"DARS-NIC-1-A-v1": dsa})
    assert [(flow.destination, flow.recipient_controller) for flow in register.flows] == [
        ("drr-university-of-alpha", "drr-university-of-alpha"),
        ("RAA", "RAA"),
    ]
    assert register.agreements[0].parties == ("X26", "drr-university-of-alpha", "RAA")


def test_bad_cells_are_reported_where_they_are_and_nothing_is_made() -> None:
    columns = {WHERE: {"identifiability": "Data provided to customer:", "opt_outs": "Patient Opt-Outs applied"}}
    with pytest.raises(InvalidRegister) as raised:
        imported(release(identifiability="Secret"), release(opt_outs="Maybe"), columns=columns)
    assert [str(problem).split(", row")[1] for problem in raised.value.problems] == [
        f" {raised.value.problems[0].row}, column Data provided to customer:: 'Secret': expected Identifiable, "
        "Pseudonymised, Anonymised or Aggregated (any case or spacing)",
        f" {raised.value.problems[1].row}, column Patient Opt-Outs applied: 'Maybe': expected Y or N (Yes, No, "
        "Not applicable)",
    ]


def test_a_workbook_of_neither_layout_or_with_a_blank_sheet_is_one_problem(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from loaders.importers.release_layouts import read_release_register

    cases = {
        "other.xlsx": (["Flows", "Systems"], "not a data release register: expected the sheets DataReleases and "
                       "PurposeStatements (2017 layout) or Agreements, Datasets and DataReleases (Data Uses Register); "
                       "the workbook has: Flows, Systems"),
        "blank.xlsx": (["DataReleases"], "sheet DataReleases: row 1 is blank, so it holds no headers"),
        "untitled.xlsx": (["DataReleases"], "cannot tell which months the register covers"),
    }  # fmt: skip
    for name, (sheets, expected) in cases.items():
        workbook = Workbook()
        workbook.remove(workbook.active)
        for sheet in sheets:
            workbook.create_sheet(sheet)
        if name == "untitled.xlsx":
            workbook["DataReleases"].append(["Organisation Name", "us", "NIC Number"])
            workbook["DataReleases"].append(["UNIVERSITY OF ALPHA", "ONS Births", "DARS-NIC-1-A-v1"])
        workbook.save(tmp_path / name)
        with pytest.raises(InvalidRegister) as raised:
            read_release_register(tmp_path / name)
        [problem] = raised.value.problems
        assert expected in str(problem), problem
