"""``icsgraph import release-register`` on the current layout (NHS England's Data Uses Register), from the
fixture written by ``fixtures/make_release_fixtures.py``: joint controllers, Datasets-sheet legal bases and
common law duty, NHS England as discloser from February 2023."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fixtures.make_release_fixtures import OUT, write_all

from app.stores import reference_data
from graph.model import Register
from loaders.importers.release_layouts import read_release_register
from loaders.importers.release_register import Summary, build
from loaders.importers.spec_register import validated

JOINT = "DARS-NIC-100001-AAAAA-v1.0"


@pytest.fixture(scope="module")
def imported() -> tuple[Register, Summary]:
    reference = reference_data()
    register, summary = build(read_release_register(OUT), reference, "dur", str(OUT))
    return validated(register, reference), summary


def test_the_fixture_is_what_its_script_writes(tmp_path: Path) -> None:
    [written] = write_all(tmp_path / OUT.name)
    assert written.read_bytes() == OUT.read_bytes(), "stale: run tests/fixtures/make_release_fixtures.py"


def test_registers_from_february_2023_are_nhs_englands(imported: tuple[Register, Summary]) -> None:
    register, summary = imported
    assert (summary.layout, summary.period, summary.discloser) == (
        "current",
        (date(2023, 2, 1), date(2023, 3, 31)),
        "X24",
    )
    assert {flow.controllers for flow in register.flows} == {("X24",)}
    assert {system.operator for system in register.systems} == {"X24"}
    assert ("X24", "NHS England", "nhs_england") in {
        (o.org_id, o.name, o.org_type.value) for o in register.organisations
    }


def test_joint_data_controllers_each_receive_the_release_under_one_agreement(
    imported: tuple[Register, Summary],
) -> None:
    register, _ = imported
    hes = [flow for flow in register.flows if flow.flow_id.startswith(f"{JOINT}:drr-hospital-episode")]
    # Two files of one release (February and March), to two joint controllers: one flow each.
    assert [(f.flow_id.removeprefix(JOINT), f.destination, f.recipient_controller) for f in hes] == [
        (
            ":drr-hospital-episode-statistics-admitted-patient-care",
            "drr-university-of-leeds",
            "drr-university-of-leeds",
        ),
        (":drr-hospital-episode-statistics-admitted-patient-care:2", "RR8", "RR8"),
    ]
    agreement = next(a for a in register.agreements if a.agreement_id == JOINT)
    assert agreement.parties == ("X24", "drr-university-of-leeds", "RR8")
    assert (agreement.start, agreement.end) == (date(2023, 1, 1), date(2026, 12, 31))
    assert all("Joint data controllers under" in (flow.notes or "") for flow in hes)


def test_legal_bases_common_law_duty_and_articles_as_the_register_states_them(
    imported: tuple[Register, Summary],
) -> None:
    register, summary = imported
    flows = {flow.flow_id: flow for flow in register.flows}
    research = flows[f"{JOINT}:drr-hospital-episode-statistics-admitted-patient-care"]
    assert (research.cldc_basis, research.art6, research.art9, research.ndop) == (
        "s251",
        ("6(1)(e)",),
        ("9(2)(j)",),
        "applied",
    )
    anonymised = flows["DARS-NIC-100003-CCCCC-v0.3:drr-medicines-dispensed-in-primary-care-nhsbsa-data"]
    assert (anonymised.identifiability, anonymised.cldc_basis, anonymised.art6, anonymised.art9) == (
        "anonymised",
        "not_confidential",
        (),
        (),
    )
    assert anonymised.legal_instruments == (
        "Health and Social Care Act 2012 - s261(1)",
        "Not applicable - anonymised data",
    )
    assert "Health and Social Care Act 2012 - s261(1) -> cldc_basis statutory_direction" in "\n".join(summary.lines())


def test_blank_cells_of_a_release_are_filled_from_its_datasets_row(imported: tuple[Register, Summary]) -> None:
    register, summary = imported
    survey = next(flow for flow in register.flows if flow.agreements == ("DARS-NIC-100004-DDDDD-v1.2",))
    assert (survey.identifiability, survey.legal_instruments, survey.ndop) == (
        "aggregate",
        ("Health and Social Care Act 2012 - s261(1)",),
        None,
    )
    assert survey.data_categories == ("other",)
    assert summary.unknown_datasets == ["Widget Usage Survey Extract"]


def test_one_off_releases_end_with_the_period_and_applicants_who_are_not_controllers_are_noted(
    imported: tuple[Register, Summary],
) -> None:
    register, _ = imported
    deaths = [flow for flow in register.flows if "civil-registrations-of-death" in flow.flow_id]
    assert {(flow.frequency, flow.valid_to) for flow in deaths} == {("one-off", date(2023, 3, 31))}
    ecds = [flow for flow in register.flows if flow.agreements == ("DARS-NIC-100002-BBBBB-v2.1",)]
    assert [flow.identifiability.value for flow in ecds] == ["pseudonymised", "identifiable"]
    assert all(
        (flow.notes or "").endswith("Applicant: NHS NORTH OF ENGLAND COMMISSIONING SUPPORT UNIT") for flow in ecds
    )
