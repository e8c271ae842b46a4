"""Spec tests of the ICB-level questions: icb-shcr-only-summary, practices-not-opted-in, icb-coverage."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from support import SYSTEMS, Example, register, tiny_reference

from graph.model import Organisation, ReferenceData, Register
from graph.vocab import OrgType
from queries.registry import ParamError

MORE_SYSTEMS = (
    SYSTEMS
    + """\
shcr-b,Beta Care Record,shared_care_record,,,QBB,UK
sde-b,Beta SDE,sde,,,QBB,UK
dw,Alpha Warehouse,data_warehouse,,,QAA,UK
social,Alphashire Social Care,social_care_system,E06000001,,QAA,UK
"""
)


def reference_with(*organisations: Organisation, sizes: bool = True) -> ReferenceData:
    """The tiny reference plus ``organisations``; without list sizes when ``sizes`` is false."""
    orgs = [o if sizes or o.list_size is None else replace(o, list_size=None) for o in tiny_reference().organisations]
    return ReferenceData(organisations=orgs + list(organisations))


def practice(code: str, icb: str | None, valid_from: date | None = None, valid_to: date | None = None) -> Organisation:
    return Organisation(
        code, f"Practice {code}", OrgType.GP_PRACTICE, icb=icb, valid_from=valid_from, valid_to=valid_to
    )


# --- icb-shcr-only-summary ------------------------------------------------------------------------


def _summary_register() -> Register:
    return register(
        systems=MORE_SYSTEMS,
        flows="""\
f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,
f2,A00002,shcr,primary_care,direct_care,identifiable,A00002,,,
f3,shcr,phm,primary_care,population_health_management,pseudonymised,QAA,live,2027-01-01,
f4,A00003,gpes,primary_care,national_collection,identifiable,A00003,,,
f5,B00001,shcr-b,primary_care,direct_care,identifiable,B00001,,,
""",
    )


def test_summary_counts_practices_per_icb_with_the_headline_rule(make_store, ask):
    store = make_store(
        register(
            systems=MORE_SYSTEMS,
            flows="""\
f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,
f2,A00002,phm,primary_care,planning,pseudonymised,QAA,,,
""",
        )
    )
    assert ask(store, "icb-shcr-only-summary") == [
        {
            "icb": "QAA",
            "name": "NHS Alpha ICB",
            "practices": 3,
            "shcr_only": 2,
            "share": 0.6667,
            "all_practices": False,
        },
        {"icb": "QBB", "name": "NHS Beta ICB", "practices": 1, "shcr_only": 1, "share": 1.0, "all_practices": True},
    ]


def test_summary_follows_as_of_and_national_collections(make_store, ask):
    store = make_store(_summary_register())
    qaa = [row for row in ask(store, "icb-shcr-only-summary") if row["icb"] == "QAA"]
    assert qaa == [
        {"icb": "QAA", "name": "NHS Alpha ICB", "practices": 3, "shcr_only": 3, "share": 1.0, "all_practices": True}
    ]
    # From 2027 the ShCR feeds the PHM platform: its two practices no longer qualify.
    later = ask(store, "icb-shcr-only-summary", as_of="2027-06-01")
    assert [(r["icb"], r["shcr_only"], r["all_practices"]) for r in later] == [("QAA", 1, False), ("QBB", 1, True)]
    national = ask(store, "icb-shcr-only-summary", include_national_collections=True)
    assert [(r["icb"], r["shcr_only"], r["share"]) for r in national] == [("QAA", 2, 0.6667), ("QBB", 1, 1.0)]


def test_summary_leaves_out_closed_practices_icbs_without_practices_and_practices_without_icb(make_store, ask):
    reference = reference_with(
        Organisation("QCC", "NHS Gamma ICB", OrgType.ICB, icb="QCC"),
        practice("A00009", "QAA", valid_from=date(1990, 1, 1), valid_to=date(2024, 3, 31)),
        practice("Z00001", None),
        # A practice whose ICB code is in no reference row still counts, with no name.
        practice("D00001", "QDD"),
    )
    store = make_store(
        register(systems=MORE_SYSTEMS, flows="f1,A00009,phm,primary_care,planning,pseudonymised,QAA,,,"),
        reference=reference,
    )
    rows = ask(store, "icb-shcr-only-summary")
    assert [(r["icb"], r["name"], r["practices"], r["shcr_only"]) for r in rows] == [
        ("QAA", "NHS Alpha ICB", 3, 3),
        ("QBB", "NHS Beta ICB", 1, 1),
        ("QDD", None, 1, 1),
    ]
    # When the closed practice was open its data reached the PHM platform.
    earlier = ask(store, "icb-shcr-only-summary", as_of="2023-01-01")
    assert [(r["icb"], r["practices"], r["shcr_only"], r["share"]) for r in earlier] == [
        ("QAA", 4, 3, 0.75),
        ("QBB", 1, 1, 1.0),
        ("QDD", 1, 1, 1.0),
    ]


# --- practices-not-opted-in -----------------------------------------------------------------------


def _opt_in_register() -> Register:
    return register(
        systems=MORE_SYSTEMS,
        flows="""\
f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,
f2,A00002,gp-a,primary_care,direct_care,identifiable,A00002,,,
f3,gp-a,shcr,primary_care,direct_care,identifiable,A00002,,,
f4,shcr,phm,primary_care,population_health_management,pseudonymised,QAA,,,
f5,A00003,shcr,primary_care,direct_care,identifiable,A00003,ceased,,
f6,A00003,gpes,primary_care,national_collection,identifiable,A00003,,,
""",
    )


LEFT_OUT_A00003 = {
    "practice": "A00003",
    "name": "Practice A00003",
    "list_size": 9000,
    "practices_in_icb": 3,
    "left_out": 1,
    "share_left_out": 0.3333,
    "patients_left_out": 9000,
    "share_patients_left_out": 0.4286,
}


def test_practice_whose_data_reaches_no_shcr_is_left_out_with_shares(make_store, ask):
    store = make_store(_opt_in_register())
    # A00002 reaches the ShCR through its GP system; A00003's ShCR flow has ceased.
    assert ask(store, "practices-not-opted-in", icb="QAA") == [LEFT_OUT_A00003]
    # The type defaults to shared_care_record.
    assert ask(store, "practices-not-opted-in", icb="QAA", system_type="shared_care_record") == [LEFT_OUT_A00003]


def test_other_system_types_and_as_of(make_store, ask):
    store = make_store(_opt_in_register())
    assert ask(store, "practices-not-opted-in", icb="QAA", system_type="phm_platform") == [LEFT_OUT_A00003]
    # No practice of QAA reaches an SDE of QAA: nobody is "left out while peers are in".
    assert ask(store, "practices-not-opted-in", icb="QAA", system_type="sde") == []
    # Undated flows run at any date.
    assert ask(store, "practices-not-opted-in", icb="QAA", as_of="2001-01-01") == [LEFT_OUT_A00003]


def test_systems_of_another_icb_do_not_count_and_national_collections_are_left_out(make_store, ask):
    store = make_store(
        register(
            systems=MORE_SYSTEMS,
            flows="""\
f1,A00001,shcr-b,primary_care,direct_care,identifiable,A00001,,,
f2,A00002,shcr,primary_care,direct_care,identifiable,A00002,,,
f3,A00003,shcr,primary_care,national_collection,identifiable,A00003,,,
f4,A00003,phm,acute,direct_care,identifiable,A00003,,,
f5,B00001,shcr-b,primary_care,direct_care,identifiable,B00001,live,2027-01-01,
""",
        )
    )
    rows = ask(store, "practices-not-opted-in", icb="QAA")
    assert [(r["practice"], r["list_size"]) for r in rows] == [("A00001", 5000), ("A00003", 9000)]
    assert {k: v for k, v in rows[0].items() if k not in ("practice", "name", "list_size")} == {
        "practices_in_icb": 3,
        "left_out": 2,
        "share_left_out": 0.6667,
        "patients_left_out": 14000,
        "share_patients_left_out": 0.6667,
    }
    # QBB's only practice is in from 2027: before, no practice is in; after, none is left out.
    assert ask(store, "practices-not-opted-in", icb="QBB") == []
    assert ask(store, "practices-not-opted-in", icb="QBB", as_of="2027-02-01") == []


def test_without_list_sizes_patient_counts_are_empty(make_store, ask):
    store = make_store(_opt_in_register(), reference=reference_with(sizes=False))
    assert ask(store, "practices-not-opted-in", icb="QAA") == [
        {**LEFT_OUT_A00003, "list_size": None, "patients_left_out": None, "share_patients_left_out": None}
    ]


def test_unknown_icb_is_a_parameter_error(make_store, ask):
    store = make_store(_opt_in_register())
    with pytest.raises(ParamError, match="'QZZ'"):
        ask(store, "practices-not-opted-in", icb="QZZ")
    with pytest.raises(ParamError, match="'A00001' is not an ICB"):
        ask(store, "practices-not-opted-in", icb="A00001")


# --- icb-coverage ---------------------------------------------------------------------------------


def _coverage_register() -> Register:
    return register(
        systems=MORE_SYSTEMS,
        flows="""\
f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,
f2,shcr,phm,primary_care;acute,population_health_management,pseudonymised,QAA,,,
f3,RAA,shcr,acute;community,direct_care,identifiable,RAA,,,
f4,E06000001,social,social_care,direct_care,identifiable,E06000001,,,
f5,social,dw,social_care,planning,pseudonymised,E06000001,,,
f6,RAA,sde-b,mental_health,research,pseudonymised,RAA,,,
f7,B00001,sde-b,community,research,pseudonymised,B00001,,,
f8,RAA,dw,mental_health,planning,pseudonymised,RAA,ceased,,
""",
    )


def coverage(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(r["icb"], r["category"], r["covered"], r["platforms"]) for r in rows]


def test_coverage_per_icb_and_category_with_score_rank_and_mean(make_store, ask):
    store = make_store(_coverage_register())
    rows = ask(store, "icb-coverage")
    # Community reaches the ShCR but the ShCR passes on only primary care and acute; RAA's mental health
    # goes to QBB's SDE, which is not QAA's; the warehouse flow of mental health has ceased.
    assert coverage(rows) == [
        ("QAA", "primary_care", True, ["phm"]),
        ("QAA", "acute", True, ["phm"]),
        ("QAA", "community", False, []),
        ("QAA", "mental_health", False, []),
        ("QAA", "social_care", True, ["dw"]),
        ("QBB", "primary_care", False, []),
        ("QBB", "acute", False, []),
        ("QBB", "community", True, ["sde-b"]),
        ("QBB", "mental_health", False, []),
        ("QBB", "social_care", False, []),
    ]
    assert rows[0] == {
        "icb": "QAA",
        "name": "NHS Alpha ICB",
        "category": "primary_care",
        "covered": True,
        "platforms": ["phm"],
        "score": 0.6,
        "rank": 1,
        "national_mean": 0.4,
    }
    assert {(r["icb"], r["score"], r["rank"], r["national_mean"]) for r in rows} == {
        ("QAA", 0.6, 1, 0.4),
        ("QBB", 0.2, 2, 0.4),
    }


def test_coverage_of_one_icb_still_ranks_against_all(make_store, ask):
    store = make_store(_coverage_register())
    rows = ask(store, "icb-coverage", icb="QBB")
    assert [r["category"] for r in rows] == ["primary_care", "acute", "community", "mental_health", "social_care"]
    assert {(r["icb"], r["score"], r["rank"], r["national_mean"]) for r in rows} == {("QBB", 0.2, 2, 0.4)}


def test_data_passing_through_another_icbs_system_counts_and_platforms_are_listed(make_store, ask):
    store = make_store(
        register(
            systems=MORE_SYSTEMS,
            flows="""\
f1,RAA,shcr-b,mental_health,direct_care,identifiable,RAA,,,
f2,shcr-b,phm,mental_health,planning,pseudonymised,QBB,,,
f3,RAA,dw,mental_health,planning,pseudonymised,RAA,,,
f4,B00001,sde-b,primary_care,research,pseudonymised,B00001,live,2020-01-01,2024-12-31
""",
        )
    )
    rows = ask(store, "icb-coverage")
    assert [c for c in coverage(rows) if c[2]] == [("QAA", "mental_health", True, ["dw", "phm"])]
    # Tied ICBs share a rank.
    assert {(r["icb"], r["score"], r["rank"], r["national_mean"]) for r in rows} == {
        ("QAA", 0.2, 1, 0.1),
        ("QBB", 0.0, 2, 0.1),
    }
    earlier = ask(store, "icb-coverage", as_of="2024-06-01")
    assert {(r["icb"], r["score"], r["rank"]) for r in earlier} == {("QAA", 0.2, 1), ("QBB", 0.2, 1)}


def test_coverage_lists_icbs_open_at_the_date(make_store, ask):
    reference = reference_with(
        Organisation("QCC", "NHS Gamma ICB", OrgType.ICB, icb="QCC", valid_to=date(2026, 3, 31)),
    )
    store = make_store(_coverage_register(), reference=reference)
    assert sorted({r["icb"] for r in ask(store, "icb-coverage")}) == ["QAA", "QBB"]
    before = ask(store, "icb-coverage", as_of="2026-01-01")
    assert sorted({(r["icb"], r["rank"], r["national_mean"]) for r in before}) == [
        ("QAA", 1, 0.2667),
        ("QBB", 2, 0.2667),
        ("QCC", 3, 0.2667),
    ]


def test_coverage_of_an_unknown_icb_is_a_parameter_error(make_store, ask):
    store = make_store(_coverage_register())
    with pytest.raises(ParamError, match="'QZZ'"):
        ask(store, "icb-coverage", icb="QZZ")


DOC_EXAMPLES = {
    "icb-shcr-only-summary": Example(_summary_register, {"as_of": "2027-06-01"}),
    "practices-not-opted-in": Example(_opt_in_register, {"icb": "QAA"}),
    "icb-coverage": Example(_coverage_register, {}),
}
