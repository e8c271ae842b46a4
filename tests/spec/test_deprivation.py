"""Spec tests of opt-in-by-deprivation: practices not opted in, by the deprivation quintile of the practice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from support import IMD_SCORES, SYSTEMS, Example, deprived_reference, register

from graph.model import Organisation, ReferenceData, Register
from graph.vocab import OrgType
from queries.deprivation import OptInSystem
from queries.registry import ParamError

SYSTEMS_BOTH_ICBS = (
    SYSTEMS
    + """\
shcr-b,Beta Care Record,shared_care_record,,,QBB,UK
sde-b,Beta SDE,sde,,,QBB,UK
"""
)


def _register() -> Register:
    """A00001 and (through its GP system) A00002 reach QAA's ShCR and PHM; A00003's ShCR flow has ceased."""
    return register(
        systems=SYSTEMS_BOTH_ICBS,
        flows="""\
f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,
f2,A00002,gp-a,primary_care,direct_care,identifiable,A00002,,,
f3,gp-a,shcr,primary_care,direct_care,identifiable,A00002,,,
f4,shcr,phm,primary_care,population_health_management,pseudonymised,QAA,,,
f5,A00003,shcr,primary_care,direct_care,identifiable,A00003,ceased,,
f6,A00003,gpes,primary_care,national_collection,identifiable,A00003,,,
""",
    )


def row(
    quintile: str,
    practices: int = 0,
    not_opted_in: int = 0,
    in_icb_without: int = 0,
    patients: int = 0,
    patients_not_opted_in: int = 0,
    list_size_unknown: int = 0,
    share: float | None = None,
) -> dict[str, object]:
    return {
        "quintile": quintile,
        "practices": practices,
        "not_opted_in": not_opted_in,
        "in_icb_without": in_icb_without,
        "patients": patients,
        "patients_not_opted_in": patients_not_opted_in,
        "list_size_unknown": list_size_unknown,
        "share_not_opted_in": share,
    }


# England's three scored practices: A00001 (41.5) is at position 0 of 3, quintile 1; B00001 (27.0) at 1,
# quintile 1 + 5 // 3 = 2; A00002 (12.25) at 2, quintile 1 + 10 // 3 = 4. A00003 has no score.
QAA_ROWS = [
    row("1", 1, 0, 0, 5000, 0, 0, 0.0),
    row("2"),
    row("3"),
    row("4", 1, 0, 0, 7000, 0, 0, 0.0),
    row("5"),
    row("unknown", 1, 1, 0, 9000, 9000, 0, 1.0),
]


def test_an_icbs_practices_by_quintile_with_the_one_left_out_in_unknown(make_store, ask):
    store = make_store(_register(), reference=deprived_reference())
    assert ask(store, "opt-in-by-deprivation", icb="QAA") == QAA_ROWS
    # The default system type is the shared care record.
    assert ask(store, "opt-in-by-deprivation", icb="QAA", system_type="shared_care_record") == QAA_ROWS


def test_england_counts_practices_of_icbs_without_the_system_apart(make_store, ask):
    store = make_store(_register(), reference=deprived_reference())
    rows = ask(store, "opt-in-by-deprivation")
    # B00001's data reaches no ShCR, and neither does any other practice of QBB: it is not "left out".
    assert rows[1] == row("2", 1, 0, 1, 4000, 0, 0, None)
    assert [r for r in rows if r["quintile"] != "2"] == [r for r in QAA_ROWS if r["quintile"] != "2"]
    assert sum(r["practices"] for r in rows) == 4


def test_quintiles_are_englands_even_for_one_icb(make_store, ask):
    store = make_store(_register(), reference=deprived_reference())
    rows = ask(store, "opt-in-by-deprivation", icb="QBB")
    # Alone in QBB, B00001 would be its most deprived practice; in England it is in quintile 2.
    assert [(r["quintile"], r["practices"], r["in_icb_without"]) for r in rows if r["practices"]] == [("2", 1, 1)]


def test_every_system_type_agrees_with_practices_not_opted_in(make_store, ask):
    store = make_store(_register(), reference=deprived_reference())
    for system_type in OptInSystem:
        for icb in ("QAA", "QBB"):
            rows = ask(store, "opt-in-by-deprivation", icb=icb, system_type=system_type.value)
            left = ask(store, "practices-not-opted-in", icb=icb, system_type=system_type.value)
            assert sum(r["not_opted_in"] for r in rows) == (left[0]["left_out"] if left else 0), (icb, system_type)
            assert sum(r["patients_not_opted_in"] for r in rows) == (left[0]["patients_left_out"] if left else 0)
    # Nothing of QAA reaches an SDE of QAA: every practice is in an ICB without one, and no share is given.
    sde = ask(store, "opt-in-by-deprivation", icb="QAA", system_type="sde")
    assert [(r["practices"], r["in_icb_without"], r["share_not_opted_in"]) for r in sde if r["practices"]] == [
        (1, 1, None),
        (1, 1, None),
        (1, 1, None),
    ]


def _scored(code: str, icb: str | None, score: float, valid_to: date | None = None) -> Organisation:
    return Organisation(
        code, f"Practice {code}", OrgType.GP_PRACTICE, icb=icb, list_size=1000, imd_score=score, valid_to=valid_to
    )


def _many_practices() -> ReferenceData:
    """Ten scored practices open today, with a tie across a cut, one closed and one with no ICB."""
    extra = [
        _scored("C00001", "QBB", 60.0),
        _scored("C00002", "QBB", 50.0),
        _scored("C00003", "QBB", 35.0),
        _scored("C00004", "QBB", 20.0),
        _scored("C00005", "QBB", 20.0),
        _scored("C00006", "QBB", 5.0),
        _scored("C00007", "QBB", 3.0),
        _scored("C00008", "QBB", 99.0, valid_to=date(2020, 3, 31)),
        _scored("W00001", None, 80.0),
    ]
    return ReferenceData(organisations=deprived_reference().organisations + extra)


def test_quintile_cuts_come_from_the_scores_with_ties_kept_together(make_store, ask):
    store = make_store(_register(), reference=_many_practices())
    # Most deprived first: C1 60, C2 50 (quintile 1); A00001 41.5, C3 35 (2); B00001 27, C4 20 and C5 20
    # (3: C5, at position 6 of 10, ties with C4); A00002 12.25 (4); C6 5, C7 3 (5).
    rows = ask(store, "opt-in-by-deprivation")
    assert [(r["quintile"], r["practices"]) for r in rows] == [
        ("1", 2),
        ("2", 2),
        ("3", 3),
        ("4", 1),
        ("5", 2),
        ("unknown", 1),
    ]
    qbb = ask(store, "opt-in-by-deprivation", icb="QBB")
    assert [(r["quintile"], r["practices"], r["patients"]) for r in qbb] == [
        ("1", 2, 2000),
        ("2", 1, 1000),
        ("3", 3, 6000),
        ("4", 0, 0),
        ("5", 2, 2000),
        ("unknown", 0, 0),
    ]
    # In 2019 the closed practice was open, the most deprived of eleven: C5, at position 7, ties into 3
    # again, and A00002 at 8 is in 1 + 40 // 11 = 4.
    earlier = ask(store, "opt-in-by-deprivation", as_of="2019-06-01")
    assert [(r["quintile"], r["practices"]) for r in earlier] == [
        ("1", 3),
        ("2", 2),
        ("3", 3),
        ("4", 1),
        ("5", 2),
        ("unknown", 1),
    ]


def test_unknown_list_sizes_are_counted_not_summed(make_store, ask):
    reference = deprived_reference()
    unsized = ReferenceData(organisations=[replace(o, list_size=None) for o in reference.organisations])
    store = make_store(_register(), reference=unsized)
    rows = ask(store, "opt-in-by-deprivation", icb="QAA")
    assert rows[-1] == row("unknown", 1, 1, 0, 0, 0, 1, 1.0)
    assert [r["list_size_unknown"] for r in rows] == [1, 0, 0, 1, 0, 1]
    assert sum(r["patients"] for r in rows) == 0


def test_the_scores_used_are_the_references(make_store, ask):
    store = make_store(_register(), reference=deprived_reference())
    rows = ask(store, "opt-in-by-deprivation")
    assert sum(r["practices"] for r in rows if r["quintile"] != "unknown") == len(IMD_SCORES)


def test_unknown_icb_is_a_parameter_error(make_store, ask):
    store = make_store(_register(), reference=deprived_reference())
    with pytest.raises(ParamError, match="'QZZ'"):
        ask(store, "opt-in-by-deprivation", icb="QZZ")
    with pytest.raises(ParamError, match="'A00001' is not an ICB"):
        ask(store, "opt-in-by-deprivation", icb="A00001")
    with pytest.raises(ParamError, match="system_type"):
        ask(store, "opt-in-by-deprivation", system_type="epr")


DOC_EXAMPLES = {
    "opt-in-by-deprivation": Example(_register, {}, deprived_reference),
}
