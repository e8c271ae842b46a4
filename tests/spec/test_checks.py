"""Spec tests of the IG checks on legal bases (lawful-basis, opt-outs, copi), on every store."""

from __future__ import annotations

from check_support import ALL_SYSTEMS, finding, flow, flows, keys
from support import Example, register

import queries

ART6 = (
    "carries {} personal data but records no UK GDPR Art 6 lawful basis: record one in art6 "
    "(NHS bodies mostly use 6(1)(e) public task or 6(1)(c) legal obligation)."
)
ART9 = (
    "carries {} health data ({}), special category data, but records no Art 9 condition: record one in art9 "
    "(e.g. 9(2)(h) health or social care, 9(2)(i) public health, 9(2)(j) research)."
)
NO_CLDC = (
    "carries identifiable data but records no common law duty of confidentiality basis: record cldc_basis "
    "(e.g. implied_consent for direct care, s251, statutory_direction)."
)
NOT_CONFIDENTIAL = (
    "carries identifiable data but records cldc_basis not_confidential, which only anonymised or aggregate data "
    "can be: record the basis that sets the duty aside (e.g. implied_consent for direct care, s251, "
    "statutory_direction)."
)


def test_every_check_is_declared_as_a_check_with_the_shared_columns():
    checks = [q for q in queries.CATALOGUE.values() if q.kind == "check"]
    assert sorted(q.name for q in checks) == [
        "agreement-expiry",
        "copi",
        "dspt",
        "identifiable-to-analytics",
        "joint-arrangements",
        "lawful-basis",
        "offshore",
        "opt-outs",
        "processor-contracts",
        "role-holders",
    ]
    for query in checks:
        assert query.columns == ("flow_id", "org_id", "rule", "reason")
        assert query.params[0].name == "as_of"


def test_a_clean_flow_passes_every_check(make_store, ask):
    store = make_store(register(systems=ALL_SYSTEMS, flows=flows(flow("f1"))))
    for query in queries.CATALOGUE.values():
        if query.kind == "check":
            assert ask(store, query.name) == [], query.name


# --- lawful-basis ----------------------------------------------------------------------------------


def test_personal_data_without_art6_is_reported_and_non_personal_data_is_not(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", art6=""),
                flow("f2", art6="", identifiability="pseudonymised"),
                flow("f3", art6="", identifiability="anonymised"),
                flow("f4", art6="", art9="", cldc_basis="", identifiability="aggregate"),
            ),
        )
    )
    assert ask(store, "lawful-basis") == [
        finding("lawful-basis", "f1", None, "Flow f1 from RAA to epr " + ART6.format("identifiable")),
        finding("lawful-basis", "f2", None, "Flow f2 from RAA to epr " + ART6.format("pseudonymised")),
    ]


def test_personal_health_data_without_art9_is_reported_but_demographics_alone_is_not(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", art9="", identifiability="pseudonymised", data_categories="demographics;mental_health"),
                flow("f2", art9="", data_categories="demographics"),
                flow("f3", art9="", data_categories="demographics;wider_determinants"),
                flow("f4", art9="", identifiability="anonymised"),
                flow("f5", art9="", data_categories="other"),
            ),
        )
    )
    assert ask(store, "lawful-basis") == [
        finding("lawful-basis", "f1", None, "Flow f1 from RAA to epr " + ART9.format("pseudonymised", "mental_health")),
        finding("lawful-basis", "f5", None, "Flow f5 from RAA to epr " + ART9.format("identifiable", "other")),
    ]


def test_identifiable_data_needs_a_cldc_basis_and_not_confidential_is_not_one(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", cldc_basis=""),
                flow("f2", cldc_basis="not_confidential"),
                flow("f3", cldc_basis="", identifiability="pseudonymised"),
                flow("f4", cldc_basis="s251", purposes="planning"),
                flow("f5", cldc_basis="not_confidential", identifiability="aggregate"),
            ),
        )
    )
    assert ask(store, "lawful-basis") == [
        finding("lawful-basis", "f1", None, "Flow f1 from RAA to epr " + NO_CLDC),
        finding("lawful-basis", "f2", None, "Flow f2 from RAA to epr " + NOT_CONFIDENTIAL),
    ]


def test_one_row_per_missing_layer(make_store, ask):
    store = make_store(register(systems=ALL_SYSTEMS, flows=flows(flow("f1", art6="", art9="", cldc_basis=""))))
    rows = ask(store, "lawful-basis")
    assert keys(rows) == [("f1", None)] * 3
    assert [row["reason"] for row in rows] == [
        "Flow f1 from RAA to epr " + ART6.format("identifiable"),
        "Flow f1 from RAA to epr " + ART9.format("identifiable", "acute"),
        "Flow f1 from RAA to epr " + NO_CLDC,
    ]


def test_only_flows_live_at_the_date_are_checked(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", art6="", status="ceased"),
                flow("f2", art6="", status="planned"),
                flow("f3", art6="", status="paused"),
                flow("f4", art6="", valid_from="2020-01-01", valid_to="2023-03-31"),
                flow("f5", art6="", valid_from="2027-01-01"),
            ),
        )
    )
    assert ask(store, "lawful-basis") == []
    assert keys(ask(store, "lawful-basis", as_of="2022-06-30")) == [("f4", None)]


# --- opt-outs --------------------------------------------------------------------------------------

NDOP = (
    "Flow {} from RAA to phm uses pseudonymised data for secondary use ({}) under s251 support, but the "
    "national data opt-out is {}: apply it (ndop applied), or record ndop exempt if the CAG approval exempts "
    "the flow."
)
TYPE1 = (
    "Flow {} takes pseudonymised GP data out of {} to phm for secondary use ({}), but the Type 1 opt-out is {}: "
    "apply it (type1 applied), unless the flow is made under a statutory direction or is exempt."
)
S251 = {"destination": "phm", "identifiability": "pseudonymised", "cldc_basis": "s251", "controllers": "QAA"}


def test_national_data_opt_out_is_due_for_s251_secondary_use_of_personal_data(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", S251, purposes="direct_care;risk_stratification"),
                flow("f2", S251, purposes="planning", ndop="not_applied"),
                flow("f3", S251, purposes="planning", ndop="not_applicable"),
                flow("f4", S251, purposes="planning", ndop="unknown"),
                flow("f5", S251, purposes="planning", ndop="applied"),
                flow("f6", S251, purposes="planning", ndop="exempt"),
            ),
        )
    )
    assert ask(store, "opt-outs") == [
        finding("opt-outs", "f1", None, NDOP.format("f1", "risk_stratification", "not recorded")),
        finding("opt-outs", "f2", None, NDOP.format("f2", "planning", "recorded as not_applied")),
        finding("opt-outs", "f3", None, NDOP.format("f3", "planning", "recorded as not_applicable")),
        finding("opt-outs", "f4", None, NDOP.format("f4", "planning", "recorded as unknown")),
    ]


def test_national_data_opt_out_is_not_due_for_direct_care_other_bases_or_non_personal_data(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", S251, purposes="direct_care"),
                flow("f2", S251, cldc_basis="statutory_direction", purposes="national_collection"),
                flow("f3", S251, cldc_basis="explicit_consent", purposes="research"),
                flow("f4", S251, identifiability="anonymised", purposes="planning"),
                flow("f5", S251, purposes="planning", status="ceased"),
            ),
        )
    )
    assert ask(store, "opt-outs") == []


GP_DATA = {"data_categories": "primary_care", "identifiability": "pseudonymised", "purposes": "planning"}


def test_type1_opt_out_is_due_for_gp_data_leaving_a_practice_for_secondary_use(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", GP_DATA, source="A00001", destination="phm", controllers="A00001"),
                flow("f2", GP_DATA, source="gp-a", destination="phm", controllers="A00002", type1="not_applied"),
                flow("f3", GP_DATA, source="A00003", destination="phm", controllers="A00003", type1="applied"),
                flow("f4", GP_DATA, source="B00001", destination="phm", controllers="B00001", type1="exempt"),
            ),
        )
    )
    assert ask(store, "opt-outs") == [
        finding("opt-outs", "f1", None, TYPE1.format("f1", "A00001", "planning", "not recorded")),
        finding("opt-outs", "f2", None, TYPE1.format("f2", "gp-a", "planning", "recorded as not_applied")),
    ]


def test_type1_opt_out_is_not_due_under_a_direction_for_care_inside_the_practice_or_other_data(make_store, ask):
    practice = {"source": "A00001", "destination": "phm", "controllers": "A00001"}
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", GP_DATA, practice, cldc_basis="statutory_direction"),
                flow("f2", GP_DATA, practice, purposes="direct_care"),
                flow("f3", GP_DATA, practice, data_categories="demographics"),
                flow("f4", GP_DATA, practice, identifiability="aggregate"),
                flow("f5", GP_DATA, practice, destination="gp-a"),
                flow("f6", GP_DATA, source="RAA", destination="phm"),
                flow("f7", GP_DATA, practice, valid_to="2025-12-31"),
            ),
        )
    )
    assert ask(store, "opt-outs") == []


def test_a_flow_missing_both_opt_outs_gives_two_rows(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(flow("f1", S251, GP_DATA, source="A00001", controllers="A00001")),
        )
    )
    assert ask(store, "opt-outs") == [
        finding(
            "opt-outs",
            "f1",
            None,
            "Flow f1 from A00001 to phm uses pseudonymised data for secondary use (planning) under s251 support, "
            "but the national data opt-out is not recorded: apply it (ndop applied), or record ndop exempt if the "
            "CAG approval exempts the flow.",
        ),
        finding("opt-outs", "f1", None, TYPE1.format("f1", "A00001", "planning", "not recorded")),
    ]


# --- copi ------------------------------------------------------------------------------------------

COPI = (
    "Flow {} from RAA to epr relies on a COPI notice (cldc_basis copi), but the general COPI notices expired on "
    "30 June 2022: record another basis (s251 support, a statutory direction, explicit consent) or cease the flow."
)


def test_reliance_on_copi_after_june_2022_is_reported(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", cldc_basis="copi", valid_from="2020-03-20"),
                flow("f2", cldc_basis="copi", valid_from="2020-03-20", valid_to="2022-06-30"),
                flow("f3", cldc_basis="copi", status="ceased"),
                flow("f4", cldc_basis="s251"),
            ),
        )
    )
    assert ask(store, "copi") == [finding("copi", "f1", None, COPI.format("f1"))]
    assert ask(store, "copi", as_of="2022-07-01") == [finding("copi", "f1", None, COPI.format("f1"))]


def test_copi_up_to_30_june_2022_is_not_reported(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", cldc_basis="copi", valid_from="2020-03-20"),
                flow("f2", cldc_basis="copi", valid_from="2020-03-20", valid_to="2022-06-30"),
            ),
        )
    )
    assert ask(store, "copi", as_of="2022-06-30") == []


def _example_register() -> object:
    return register(
        systems=ALL_SYSTEMS,
        flows=flows(
            flow("f1", art6="", cldc_basis=""),
            flow("f2", S251, purposes="risk_stratification", ndop="not_applied"),
            flow("f3", GP_DATA, source="A00001", destination="phm", controllers="A00001", cldc_basis="s251"),
            flow("f4", cldc_basis="copi", valid_from="2020-03-20"),
        ),
    )


DOC_EXAMPLES = {
    "lawful-basis": Example(_example_register),
    "opt-outs": Example(_example_register),
    "copi": Example(_example_register),
}
