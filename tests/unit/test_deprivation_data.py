"""opt-in-by-deprivation over the bundled national data: quintiles from the real IMD file, nothing dropped."""

from __future__ import annotations

from collections import Counter

import pytest
from support import TODAY

import queries
from app.stores import reference_data
from graph.memory import MemoryStore
from graph.model import Organisation, ReferenceData
from graph.vocab import OrgType


@pytest.fixture(scope="module")
def england() -> tuple[ReferenceData, list[dict[str, object]]]:
    reference = reference_data()
    query = queries.get("opt-in-by-deprivation")
    return reference, MemoryStore(reference, None).run(query, query.bind({}, today=TODAY))


def open_practices(reference: ReferenceData) -> list[Organisation]:
    return [
        o
        for o in reference.organisations
        if o.org_type is OrgType.GP_PRACTICE
        and o.icb is not None
        and (o.valid_from is None or o.valid_from <= TODAY)
        and (o.valid_to is None or o.valid_to >= TODAY)
    ]


def test_every_practice_of_england_is_counted_once(england: tuple[ReferenceData, list[dict[str, object]]]) -> None:
    reference, rows = england
    practices = open_practices(reference)
    assert sum(int(str(r["practices"])) for r in rows) == len(practices)
    unknown = next(r for r in rows if r["quintile"] == "unknown")
    assert unknown["practices"] == sum(p.imd_score is None for p in practices)
    assert sum(int(str(r["list_size_unknown"])) for r in rows) == sum(p.list_size is None for p in practices)
    assert sum(int(str(r["patients"])) for r in rows) == sum(p.list_size or 0 for p in practices)


def test_quintiles_split_the_scored_practices_in_fifths(england: tuple[ReferenceData, list[dict[str, object]]]) -> None:
    reference, rows = england
    scores = [p.imd_score for p in open_practices(reference) if p.imd_score is not None]
    # A tie at a cut moves its practices into the quintile above: no fifth is off by more than the
    # largest group of equal scores.
    slack = max(Counter(scores).values())
    fifth = len(scores) / 5
    sizes = {r["quintile"]: int(str(r["practices"])) for r in rows if r["quintile"] != "unknown"}
    assert sorted(sizes) == ["1", "2", "3", "4", "5"]
    assert all(abs(size - fifth) <= slack + 1 for size in sizes.values()), sizes


def test_no_register_means_no_practice_is_left_out(england: tuple[ReferenceData, list[dict[str, object]]]) -> None:
    # With no flows loaded, no practice reaches a shared care record: every one is in an ICB without one.
    _, rows = england
    assert all(r["not_opted_in"] == 0 and r["in_icb_without"] == r["practices"] for r in rows)
