"""Spec tests of data-copies, system-controllers and impact: a tiny graph, the parameters, the exact rows."""

from __future__ import annotations

import pytest
from support import SYSTEMS, Example, header, register

from graph.model import Register
from queries.registry import ParamError

MORE_SYSTEMS = (
    SYSTEMS
    + """\
dw,Alpha Warehouse,data_warehouse,,,QAA,UK
social,Alphashire Social Care,social_care_system,E06000001,,QAA,UK
"""
)
ROLE_HEADER = header(
    "flows", "flow_id", "source", "destination", "data_categories", "purposes", "identifiability", "controllers",
    "joint", "recipient_controller", "status",
) + "\n"  # fmt: skip
DSCRO = "org_id,name,org_type\nDSCRO1,Test DSCRO,dscro\n"


# --- data-copies ----------------------------------------------------------------------------------


def _copies_register() -> Register:
    return register(
        systems=MORE_SYSTEMS,
        flows=ROLE_HEADER
        + """\
f1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,,
f2,A00002,gp-a,primary_care,direct_care,identifiable,A00002,,,
f3,gp-a,shcr,primary_care,direct_care,identifiable,A00001;A00002,true,,
f4,shcr,phm,primary_care;acute,population_health_management,pseudonymised,A00001;A00002,true,QAA,
f5,A00003,gpes,primary_care,national_collection,identifiable,A00003,,,
f6,B00001,gpes,primary_care,national_collection,identifiable,B00001,,,
f7,RAA,epr,acute,direct_care,identifiable,RAA,,,
f8,epr,shcr,acute,direct_care,identifiable,RAA,,,
f9,social,dw,social_care,planning,pseudonymised,E06000001,,,
f10,A00003,dw,primary_care,planning,pseudonymised,A00003,,,ceased
""",
    )


def copy(system_type: str, system: str, name: str, icb: str | None, controllers: list[str]) -> dict[str, object]:
    return {"system_type": system_type, "system": system, "name": name, "icb": icb, "controllers": controllers}


def test_every_system_holding_the_icbs_data_grouped_by_type_with_controllers(make_store, ask):
    store = make_store(_copies_register())
    # GPES holds QBB's data too, but only QAA's practices control the copy of QAA's data; the ceased
    # flow puts nothing in the warehouse; the PHM platform's recipient controller is QAA.
    assert ask(store, "data-copies", icb="QAA", category="primary_care") == [
        copy("gp_clinical_system", "gp-a", "Alpha GP system", "QAA", ["A00001", "A00002"]),
        copy("national_collection", "gpes", "GPES", None, ["A00003"]),
        copy("phm_platform", "phm", "Alpha PHM", "QAA", ["A00001", "A00002", "QAA"]),
        copy("shared_care_record", "shcr", "Alpha Care Record", "QAA", ["A00001", "A00002"]),
    ]
    assert ask(store, "data-copies", icb="QBB", category="primary_care") == [
        copy("national_collection", "gpes", "GPES", None, ["B00001"]),
    ]


def test_copies_of_other_categories_and_systems_that_only_send(make_store, ask):
    store = make_store(_copies_register())
    assert ask(store, "data-copies", icb="QAA", category="acute") == [
        copy("epr", "epr", "Alpha EPR", "QAA", ["RAA"]),
        copy("phm_platform", "phm", "Alpha PHM", "QAA", ["A00001", "A00002", "QAA"]),
        copy("shared_care_record", "shcr", "Alpha Care Record", "QAA", ["RAA"]),
    ]
    # The social care system receives nothing in the register but holds the data it sends.
    assert ask(store, "data-copies", icb="QAA", category="social_care") == [
        copy("data_warehouse", "dw", "Alpha Warehouse", "QAA", ["E06000001"]),
        copy("social_care_system", "social", "Alphashire Social Care", "QAA", []),
    ]
    assert ask(store, "data-copies", icb="QBB", category="acute") == []


def test_data_copies_follows_as_of(make_store, ask):
    store = make_store(
        register(
            systems=MORE_SYSTEMS,
            flows="""\
f1,RAA,epr,acute,direct_care,identifiable,RAA,live,2025-01-01,
f2,epr,dw,acute,planning,pseudonymised,RAA,live,2027-01-01,
""",
        )
    )
    assert [r["system"] for r in ask(store, "data-copies", icb="QAA", category="acute")] == ["epr"]
    assert [r["system"] for r in ask(store, "data-copies", icb="QAA", category="acute", as_of="2027-01-01")] == [
        "dw",
        "epr",
    ]
    assert ask(store, "data-copies", icb="QAA", category="acute", as_of="2024-12-31") == []


def test_data_copies_of_an_unknown_icb_is_a_parameter_error(make_store, ask):
    store = make_store(_copies_register())
    with pytest.raises(ParamError, match="'QZZ'"):
        ask(store, "data-copies", icb="QZZ", category="acute")
    with pytest.raises(ParamError, match="'RAA' is not an ICB"):
        ask(store, "data-copies", icb="RAA", category="acute")


# --- system-controllers ---------------------------------------------------------------------------


def _controllers_register() -> Register:
    return register(
        systems=MORE_SYSTEMS,
        flows=ROLE_HEADER
        + """\
f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,true,,
f2,A00002,shcr,primary_care,direct_care,identifiable,A00002,true,,
f3,RAA,shcr,acute,direct_care,identifiable,RAA,false,QAA,
f4,gp-a,shcr,primary_care,direct_care,identifiable,A00001;A00003,true,,
f5,E06000001,shcr,social_care,direct_care,identifiable,E06000001,true,,ceased
f6,shcr,phm,primary_care,planning,pseudonymised,QAA,false,,
f7,gp-a,phm,primary_care,planning,pseudonymised,QAA;A00001,true,,
""",
    )


def test_controllers_of_a_system_by_role_with_their_flows_and_count(make_store, ask):
    store = make_store(_controllers_register())
    # The ceased social care flow names no one.
    assert ask(store, "system-controllers", system="shcr") == [
        {
            "organisation": "A00001",
            "name": "Practice A00001",
            "role": "joint_controller",
            "flows": ["f1", "f4"],
            "controllers": 5,
        },
        {
            "organisation": "A00002",
            "name": "Practice A00002",
            "role": "joint_controller",
            "flows": ["f2"],
            "controllers": 5,
        },
        {
            "organisation": "A00003",
            "name": "Practice A00003",
            "role": "joint_controller",
            "flows": ["f4"],
            "controllers": 5,
        },
        {
            "organisation": "QAA",
            "name": "NHS Alpha ICB",
            "role": "recipient_controller",
            "flows": ["f3"],
            "controllers": 5,
        },
        {
            "organisation": "RAA",
            "name": "Alpha Hospitals NHS Trust",
            "role": "controller",
            "flows": ["f3"],
            "controllers": 5,
        },
    ]


def test_one_organisation_in_two_roles_counts_once(make_store, ask):
    store = make_store(_controllers_register())
    rows = ask(store, "system-controllers", system="phm")
    assert [(r["organisation"], r["role"], r["flows"], r["controllers"]) for r in rows] == [
        ("A00001", "joint_controller", ["f7"], 2),
        ("QAA", "controller", ["f6"], 2),
        ("QAA", "joint_controller", ["f7"], 2),
    ]
    # A system nothing flows into has no controllers.
    assert ask(store, "system-controllers", system="dw") == []


def test_system_controllers_of_an_unknown_or_non_system_id_is_a_parameter_error(make_store, ask):
    store = make_store(_controllers_register())
    with pytest.raises(ParamError, match="no system 'nope'"):
        ask(store, "system-controllers", system="nope")
    with pytest.raises(ParamError, match="'RAA' is an organisation, not a system"):
        ask(store, "system-controllers", system="RAA")


# --- impact ---------------------------------------------------------------------------------------


def _impact_register() -> Register:
    return register(
        systems=MORE_SYSTEMS,
        organisations=DSCRO,
        flows="""\
f1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,,
f2,A00002,gp-a,primary_care,direct_care,identifiable,A00002,,,
f3,gp-a,shcr,primary_care,direct_care,identifiable,A00001,,,
f4,A00003,shcr,primary_care,direct_care,identifiable,A00003,,,
f5,shcr,phm,primary_care;acute,population_health_management,pseudonymised,QAA,,,
f6,RAA,shcr,acute,direct_care,identifiable,RAA,,,
f7,phm,dw,primary_care,planning,pseudonymised,QAA,,,
f8,shcr,A00002,primary_care;acute,direct_care,identifiable,A00002,,,
f9,A00001,phm,primary_care,planning,pseudonymised,A00001,ceased,,
f10,RAA,DSCRO1,acute,commissioning,identifiable,RAA,,,
f11,DSCRO1,dw,acute,commissioning,pseudonymised,QAA,,,
f12,social,dw,social_care,planning,pseudonymised,E06000001,,,
""",
    )


def lost(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(r["destination"], r["category"]) for r in rows]


def test_destinations_that_lose_a_category_when_the_shared_care_record_stops(make_store, ask):
    store = make_store(_impact_register())
    rows = ask(store, "impact", node="shcr")
    # A00002 sends primary care itself, so it keeps it, but it loses the acute data the ShCR gave it;
    # the ceased flow f9 is no alternative route to the PHM platform.
    assert rows == [
        {"destination": "A00002", "name": "Practice A00002", "type": "gp_practice", "category": "acute"},
        {"destination": "dw", "name": "Alpha Warehouse", "type": "data_warehouse", "category": "primary_care"},
        {"destination": "phm", "name": "Alpha PHM", "type": "phm_platform", "category": "acute"},
        {"destination": "phm", "name": "Alpha PHM", "type": "phm_platform", "category": "primary_care"},
    ]


def test_another_route_from_an_origin_keeps_the_category(make_store, ask):
    store = make_store(_impact_register())
    # The ShCR still gets primary care from A00003; gp-a still gets A00001's when A00002 stops.
    assert ask(store, "impact", node="gp-a") == []
    assert ask(store, "impact", node="A00002") == []
    assert ask(store, "impact", node="A00003") == []


def test_loss_propagates_through_relaying_organisations_and_systems(make_store, ask):
    store = make_store(_impact_register())
    # The DSCRO relays RAA's acute data (it is no care provider): the warehouse loses it too.
    assert lost(ask(store, "impact", node="RAA")) == [
        ("A00002", "acute"),
        ("DSCRO1", "acute"),
        ("dw", "acute"),
        ("phm", "acute"),
        ("shcr", "acute"),
    ]
    assert lost(ask(store, "impact", node="DSCRO1")) == [("dw", "acute")]
    # A system nothing flows into is where its data starts.
    assert lost(ask(store, "impact", node="social")) == [("dw", "social_care")]
    # A node nothing of the category reaches through it changes nothing.
    assert ask(store, "impact", node="E06000001") == []


def test_impact_follows_as_of(make_store, ask):
    store = make_store(
        register(
            systems=MORE_SYSTEMS,
            flows="""\
f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,
f2,shcr,phm,primary_care,planning,pseudonymised,QAA,,,
f3,A00001,phm,primary_care,planning,pseudonymised,A00001,live,2027-01-01,
""",
        )
    )
    assert lost(ask(store, "impact", node="shcr")) == [("phm", "primary_care")]
    assert ask(store, "impact", node="shcr", as_of="2027-01-01") == []
    assert lost(ask(store, "impact", node="A00001", as_of="2027-01-01")) == [
        ("phm", "primary_care"),
        ("shcr", "primary_care"),
    ]


def test_impact_of_an_unknown_node_is_a_parameter_error(make_store, ask):
    store = make_store(_impact_register())
    with pytest.raises(ParamError, match="'nope'"):
        ask(store, "impact", node="nope")


DOC_EXAMPLES = {
    "data-copies": Example(_copies_register, {"icb": "QAA", "category": "primary_care"}),
    "system-controllers": Example(_controllers_register, {"system": "shcr"}),
    "impact": Example(_impact_register, {"node": "shcr"}),
}
