"""Spec tests of practices-shcr-only: a tiny graph, the parameters, the exact rows, on every store."""

from __future__ import annotations

from support import SYSTEMS, Example, register

QAA_PRACTICES = ["A00001", "A00002", "A00003"]


def practices(rows: list[dict[str, object]]) -> list[object]:
    return [row["practice"] for row in rows]


def test_practice_sending_only_to_the_shcr_qualifies_and_lists_it(make_store, ask):
    store = make_store(
        register(systems=SYSTEMS, flows="f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,")
    )
    rows = ask(store, "practices-shcr-only", icb="QAA")
    assert rows[0] == {"practice": "A00001", "name": "Practice A00001", "icb": "QAA", "reached": ["shcr"]}
    # Practices that send nothing also qualify, with nothing reached.
    assert practices(rows) == QAA_PRACTICES
    assert rows[1]["reached"] == []


def test_data_passing_through_the_shcr_onward_disqualifies(make_store, ask):
    store = make_store(
        register(
            systems=SYSTEMS,
            flows="""\
f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,
f2,shcr,phm,primary_care;acute,population_health_management,pseudonymised,QAA,,,
f3,A00002,shcr,primary_care,direct_care,identifiable,A00002,,,
""",
        )
    )
    assert practices(ask(store, "practices-shcr-only", icb="QAA")) == ["A00003"]


def test_own_gp_system_is_passed_through_not_outside(make_store, ask):
    store = make_store(
        register(
            systems=SYSTEMS,
            flows="""\
f1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,,
f2,gp-a,shcr,primary_care,direct_care,identifiable,A00001,,,
f3,A00002,gp-a,primary_care,direct_care,identifiable,A00002,,,
""",
        )
    )
    rows = ask(store, "practices-shcr-only", icb="QAA")
    assert [(r["practice"], r["reached"]) for r in rows] == [("A00001", ["shcr"]), ("A00002", ["shcr"]), ("A00003", [])]


def test_gp_system_feeding_an_analytics_platform_disqualifies_its_practices(make_store, ask):
    store = make_store(
        register(
            systems=SYSTEMS,
            flows="""\
f1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,,
f2,gp-a,phm,primary_care,planning,pseudonymised,A00001,,,
""",
        )
    )
    assert practices(ask(store, "practices-shcr-only", icb="QAA")) == ["A00002", "A00003"]


def test_ceased_paused_planned_flows_do_not_count(make_store, ask):
    store = make_store(
        register(
            systems=SYSTEMS,
            flows="""\
f1,A00001,phm,primary_care,planning,pseudonymised,QAA,ceased,,
f2,A00002,phm,primary_care,planning,pseudonymised,QAA,paused,,
f3,A00003,phm,primary_care,planning,pseudonymised,QAA,planned,,
""",
        )
    )
    assert practices(ask(store, "practices-shcr-only", icb="QAA")) == QAA_PRACTICES


def test_flows_outside_as_of_do_not_count(make_store, ask):
    store = make_store(
        register(
            systems=SYSTEMS,
            flows="""\
f1,A00001,phm,primary_care,planning,pseudonymised,QAA,live,2020-01-01,2023-03-31
f2,A00002,phm,primary_care,planning,pseudonymised,QAA,live,2027-01-01,
f3,A00003,phm,primary_care,planning,pseudonymised,QAA,live,2023-04-01,2026-11-25
""",
        )
    )
    assert practices(ask(store, "practices-shcr-only", icb="QAA")) == ["A00001", "A00002"]
    # As of an earlier date, the first flow is live and the third not yet.
    assert practices(ask(store, "practices-shcr-only", icb="QAA", as_of="2022-06-30")) == ["A00002", "A00003"]


def test_flows_carrying_other_categories_only_do_not_count(make_store, ask):
    store = make_store(
        register(
            systems=SYSTEMS,
            flows="""\
f1,A00001,phm,acute;demographics,planning,pseudonymised,QAA,,,
f2,A00002,epr,community,direct_care,identifiable,A00002,,,
""",
        )
    )
    assert practices(ask(store, "practices-shcr-only", icb="QAA")) == QAA_PRACTICES


def test_onward_flow_must_itself_carry_primary_care(make_store, ask):
    store = make_store(
        register(
            systems=SYSTEMS,
            flows="""\
f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,
f2,shcr,phm,acute,planning,pseudonymised,QAA,,,
""",
        )
    )
    assert practices(ask(store, "practices-shcr-only", icb="QAA")) == QAA_PRACTICES


def test_national_collections_are_left_out_unless_asked_for(make_store, ask):
    store = make_store(
        register(
            systems=SYSTEMS,
            flows="""\
f1,A00001,gpes,primary_care,planning,identifiable,A00001,,,
f2,A00002,RAA,primary_care,national_collection,identifiable,A00002,,,
f3,A00003,shcr,primary_care,direct_care,identifiable,A00003,,,
""",
        )
    )
    assert practices(ask(store, "practices-shcr-only", icb="QAA")) == QAA_PRACTICES
    included = ask(store, "practices-shcr-only", icb="QAA", include_national_collections="true")
    assert practices(included) == ["A00003"]


def test_flow_to_an_organisation_leaves_the_boundary(make_store, ask):
    store = make_store(register(systems=SYSTEMS, flows="f1,A00001,RAA,primary_care,direct_care,identifiable,A00001,,,"))
    assert practices(ask(store, "practices-shcr-only", icb="QAA")) == ["A00002", "A00003"]


def test_without_icb_every_practice_of_every_icb_is_answered(make_store, ask):
    store = make_store(register(systems=SYSTEMS, flows="f1,B00001,phm,primary_care,planning,pseudonymised,QBB,,,"))
    assert practices(ask(store, "practices-shcr-only")) == QAA_PRACTICES
    assert practices(ask(store, "practices-shcr-only", icb="QBB")) == []


def test_a_cycle_back_to_the_practice_is_not_outside(make_store, ask):
    store = make_store(
        register(
            systems=SYSTEMS,
            flows="""\
f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,
f2,shcr,A00001,primary_care,direct_care,identifiable,A00001,,,
""",
        )
    )
    assert ask(store, "practices-shcr-only", icb="QAA")[0]["reached"] == ["shcr"]


def _example_register() -> object:
    return register(
        systems=SYSTEMS,
        flows="""\
f1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,,
f2,gp-a,shcr,primary_care,direct_care,identifiable,A00001,,,
f3,A00002,shcr,primary_care,direct_care,identifiable,A00002,,,
f4,shcr,phm,primary_care,population_health_management,pseudonymised,QAA,,,
f5,A00003,gpes,primary_care,national_collection,identifiable,A00003,,,
""",
    )


DOC_EXAMPLES = {"practices-shcr-only": Example(_example_register, {"icb": "QAA"})}
