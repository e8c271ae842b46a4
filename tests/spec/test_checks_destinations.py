"""Spec tests of the IG checks on where data goes, on every store: identifiable-to-analytics, offshore."""

from __future__ import annotations

from check_support import ALL_SYSTEMS, finding, flow, flows, keys
from support import Example, register

# --- identifiable-to-analytics ---------------------------------------------------------------------

ANALYTICS = (
    "Flow {} sends identifiable data from RAA into {} ({}), a secondary-use analytical platform, for {}: "
    "pseudonymise it before it enters (e.g. through a DSCRO or the platform's pseudonymisation service), or "
    "record why identifiable data is needed."
)


def test_identifiable_data_into_each_kind_of_analytical_platform_is_reported(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", destination="phm", purposes="risk_stratification"),
                flow("f2", destination="sde", purposes="research"),
                flow("f3", destination="fdp", purposes="direct_care;planning"),
                flow("f4", destination="dw", purposes="commissioning;invoice_validation"),
            ),
        )
    )
    assert ask(store, "identifiable-to-analytics") == [
        finding(
            "identifiable-to-analytics",
            "f1",
            None,
            ANALYTICS.format("f1", "phm", "phm platform", "risk_stratification"),
        ),
        finding("identifiable-to-analytics", "f2", None, ANALYTICS.format("f2", "sde", "sde", "research")),
        finding("identifiable-to-analytics", "f3", None, ANALYTICS.format("f3", "fdp", "fdp instance", "planning")),
        finding(
            "identifiable-to-analytics",
            "f4",
            None,
            ANALYTICS.format("f4", "dw", "data warehouse", "commissioning, invoice_validation"),
        ),
    ]


def test_pseudonymised_data_direct_care_and_other_destinations_are_not_reported(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", destination="phm", purposes="planning", identifiability="pseudonymised"),
                flow("f2", destination="fdp", purposes="direct_care"),
                flow("f3", destination="shcr", purposes="planning"),
                flow("f4", destination="gpes", purposes="national_collection"),
                flow("f5", destination="QAA", purposes="planning"),
                flow("f6", destination="phm", purposes="planning", status="ceased"),
                flow("f7", destination="phm", purposes="planning", valid_from="2026-11-26"),
            ),
        )
    )
    assert ask(store, "identifiable-to-analytics") == []
    assert keys(ask(store, "identifiable-to-analytics", as_of="2026-11-26")) == [("f7", None)]


# --- offshore --------------------------------------------------------------------------------------

HOSTED = """\
ie,Irish cloud,other,,,QAA,Ireland
us,US remote monitoring,epr,,,QAA,united states
uk1,UK cloud,other,,,QAA,United Kingdom
uk2,GB cloud,other,,,QAA,gb
uk3,Dotted cloud,other,,,QAA,U.K.
uk4,English cloud,other,,,QAA,ENGLAND
nowhere,Unrecorded cloud,other,,,QAA,
"""
OFFSHORE = (
    "Flow {} sends {} personal data from {} to system {}, hosted in {}, outside the UK: confirm a UK adequacy "
    "regulation or an international data transfer agreement covers it, or host it in the UK."
)


def test_personal_data_into_a_system_hosted_outside_the_uk_is_reported(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS + HOSTED,
            flows=flows(
                flow("f1", destination="ie"),
                flow("f2", destination="us", identifiability="pseudonymised"),
                flow("f3", destination="ie", identifiability="anonymised"),
                flow("f4", destination="ie", identifiability="aggregate"),
                flow("f5", destination="ie", status="ceased"),
            ),
        )
    )
    assert ask(store, "offshore") == [
        finding("offshore", "f1", None, OFFSHORE.format("f1", "identifiable", "RAA", "ie", "Ireland")),
        finding("offshore", "f2", None, OFFSHORE.format("f2", "pseudonymised", "RAA", "us", "united states")),
    ]


def test_uk_spellings_unrecorded_hosting_and_flows_out_of_an_offshore_system_are_not_reported(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS + HOSTED,
            flows=flows(
                flow("f1", destination="uk1"),
                flow("f2", destination="uk2"),
                flow("f3", destination="uk3"),
                flow("f4", destination="uk4"),
                flow("f5", destination="nowhere"),
                flow("f6", destination="QAA"),
                flow("f7", source="ie", destination="epr"),
            ),
        )
    )
    assert ask(store, "offshore") == []


def _example_register() -> object:
    return register(
        systems=ALL_SYSTEMS + HOSTED,
        flows=flows(
            flow("f1", destination="phm", purposes="population_health_management"),
            flow("f2", destination="fdp", purposes="direct_care"),
            flow("f3", destination="us", identifiability="pseudonymised"),
            flow("f4", destination="uk1"),
        ),
    )


DOC_EXAMPLES = {
    "identifiable-to-analytics": Example(_example_register),
    "offshore": Example(_example_register),
}
