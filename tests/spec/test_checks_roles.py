"""Spec tests of the IG checks on roles and agreements, on every store: role-holders,
processor-contracts, joint-arrangements and agreement-expiry."""

from __future__ import annotations

import pytest
from check_support import AGREEMENTS_HEADER, ALL_SYSTEMS, ORGANISATIONS_HEADER, finding, flow, flows, keys
from support import Example, header, register

import queries

SUPPLIERS = (
    ORGANISATIONS_HEADER
    + """\
emis,EMIS Health,supplier,
aws,Amazon Web Services,supplier,
0AR,NECS,csu,
"""
)

# --- role-holders ----------------------------------------------------------------------------------


def test_a_pcn_region_or_sub_icb_location_holding_a_role_is_reported(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", controllers="U00001"),
                flow("f2", processors="Y99"),
                flow("f3", controllers="RAA;01A", joint="true"),
                flow("f4", recipient_controller="01A"),
                flow("f5", controllers="QAA", processors="RAA", sub_processors="E06000001"),
            ),
        )
    )
    reason = (
        "{} ({}) is not a legal entity, so cannot lawfully hold a role, but is named {} on flow {}: name the "
        "legal entity that holds it instead (e.g. the ICB, or the member practices or trusts)."
    )
    assert ask(store, "role-holders") == [
        finding(
            "role-holders",
            "f1",
            "U00001",
            reason.format("U00001", "Alpha PCN, primary care network", "controller", "f1"),
        ),
        finding(
            "role-holders", "f2", "Y99", reason.format("Y99", "Test Region, NHS England region", "processor", "f2")
        ),
        finding(
            "role-holders",
            "f3",
            "01A",
            reason.format("01A", "Alpha ICB - 01A, sub-ICB location", "joint controller", "f3"),
        ),
        finding(
            "role-holders",
            "f4",
            "01A",
            reason.format("01A", "Alpha ICB - 01A, sub-ICB location", "recipient controller", "f4"),
        ),
    ]


def test_one_row_per_organisation_and_flow_naming_every_role_it_holds(make_store, ask):
    store = make_store(
        register(systems=ALL_SYSTEMS, flows=flows(flow("f1", controllers="U00001", sub_processors="U00001;Y99")))
    )
    rows = ask(store, "role-holders")
    assert keys(rows) == [("f1", "U00001"), ("f1", "Y99")]
    assert "is named controller and sub-processor on flow f1" in rows[0]["reason"]


def test_a_register_can_say_whether_a_body_is_a_legal_entity(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            organisations=ORGANISATIONS_HEADER
            + "U00001,Alpha PCN Ltd,pcn,true\nboard,Alpha Care Record Board,other,false\n",
            flows=flows(flow("f1", controllers="U00001"), flow("f2", controllers="board;RAA", joint="true")),
        )
    )
    assert ask(store, "role-holders") == [
        finding(
            "role-holders",
            "f2",
            "board",
            "board (Alpha Care Record Board, other) is not a legal entity, so cannot lawfully hold a role, but is "
            "named joint controller on flow f2: name the legal entity that holds it instead (e.g. the ICB, or the "
            "member practices or trusts).",
        )
    ]


def test_roles_on_flows_not_live_are_not_reported(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", controllers="U00001", status="ceased"), flow("f2", processors="Y99", valid_to="2026-01-01")
            ),
        )
    )
    assert ask(store, "role-holders") == []
    assert keys(ask(store, "role-holders", as_of="2025-06-01")) == [("f2", "Y99")]


# --- processor-contracts ---------------------------------------------------------------------------

PROCESSOR = (
    "{} is processor on flow {}, but no Art 28 contract or data sharing agreement valid at 2026-11-25 that governs "
    "the flow names it together with a controller of the flow ({}): record one (agreement_type art28_contract) in "
    "agreements.csv and list it on the flow."
)
SUB_PROCESSOR = (
    "{} is sub-processor on flow {}, but no Art 28 contract or data sharing agreement valid at 2026-11-25 that "
    "governs the flow names it together with a controller or processor of the flow ({}): record one (agreement_type "
    "art28_contract) in agreements.csv and list it on the flow."
)


def test_a_processor_needs_a_valid_contract_naming_it_and_a_controller(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            organisations=SUPPLIERS,
            agreements=AGREEMENTS_HEADER
            + """\
c1,art28_contract,A00001;emis,2020-01-01,
c2,dsa,A00002;emis,2020-01-01,2030-01-01
c3,art28_contract,A00003;emis,2020-01-01,2026-11-24
c4,art28_contract,B00001;emis,2026-11-26,
c5,dpia,QAA;emis,2020-01-01,
c6,art28_contract,QBB;emis,2020-01-01,
""",
            flows=flows(
                flow("f1", controllers="A00001", processors="emis", agreements="c1"),
                flow("f2", controllers="A00002", processors="emis", agreements="c2"),
                flow("f3", controllers="A00003", processors="emis", agreements="c3"),
                flow("f4", controllers="B00001", processors="emis", agreements="c4"),
                flow("f5", controllers="QAA", processors="emis", agreements="c5;c6"),
                flow("f6", controllers="QAA;A00001", processors="emis", agreements="c1"),
            ),
        )
    )
    # f1 and f6 are covered by c1 (f6 through its controller A00001), f2 by the DSA c2; c3 has expired,
    # c4 has not started, a DPIA is not a contract, c6 names another controller.
    assert ask(store, "processor-contracts") == [
        finding("processor-contracts", "f3", "emis", PROCESSOR.format("emis", "f3", "A00003")),
        finding("processor-contracts", "f4", "emis", PROCESSOR.format("emis", "f4", "B00001")),
        finding("processor-contracts", "f5", "emis", PROCESSOR.format("emis", "f5", "QAA")),
    ]
    assert keys(ask(store, "processor-contracts", as_of="2026-11-24")) == [("f4", "emis"), ("f5", "emis")]


def test_a_sub_processor_needs_a_contract_with_a_processor_or_a_controller(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            organisations=SUPPLIERS,
            agreements=AGREEMENTS_HEADER
            + """\
c1,art28_contract,A00001;emis,2020-01-01,
c2,art28_contract,A00002;emis,2020-01-01,
c3,art28_contract,A00003;emis,2020-01-01,
c4,art28_contract,emis;aws,2020-01-01,
c5,art28_contract,A00002;aws,2020-01-01,
c6,art28_contract,0AR;aws,2020-01-01,
""",
            flows=flows(
                flow("f1", controllers="A00001", processors="emis", sub_processors="aws", agreements="c1;c4"),
                flow("f2", controllers="A00002", processors="0AR", sub_processors="aws", agreements="c5"),
                flow("f3", controllers="A00003", processors="emis;0AR", sub_processors="aws", agreements="c3;c4"),
                flow("f4", controllers="A00003", sub_processors="0AR", agreements="c6"),
            ),
        )
    )
    # f1: aws contracts with the processor emis; f2: with the controller; 0AR has no contract of its own on
    # f2 and f3, and on f4 its only contract is with aws, neither controller nor processor of f4.
    assert ask(store, "processor-contracts") == [
        finding("processor-contracts", "f2", "0AR", PROCESSOR.format("0AR", "f2", "A00002")),
        finding("processor-contracts", "f3", "0AR", PROCESSOR.format("0AR", "f3", "A00003")),
        finding("processor-contracts", "f4", "0AR", SUB_PROCESSOR.format("0AR", "f4", "A00003")),
    ]


def test_only_a_contract_that_governs_the_flow_counts_and_one_that_does_not_is_named(make_store, ask):
    covers = header("agreements", "agreement_id", "agreement_type", "parties", "covers") + "\n"
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            organisations=SUPPLIERS,
            agreements=covers
            + """\
gp-dpa,art28_contract,A00001;A00002;emis,gp-a
phm-dpa,dsa,A00002;emis,f3
risk-dpa,art28_contract,A00001;emis,
""",
            flows=flows(
                flow("f1", source="A00001", destination="gp-a", controllers="A00001", processors="emis"),
                flow("f2", source="A00001", destination="phm", controllers="A00001", processors="emis"),
                flow("f3", source="A00002", destination="phm", controllers="A00002", processors="emis"),
                flow("f4", source="A00002", destination="shcr", controllers="A00002", processors="emis"),
                flow("f5", source="gp-a", destination="phm", controllers="A00001", processors="emis"),
                flow(
                    "f6",
                    source="A00001",
                    destination="dw",
                    controllers="A00001",
                    processors="emis",
                    agreements="risk-dpa",
                ),
            ),
        )
    )
    # gp-dpa covers every flow into or out of gp-a (f1, f5); phm-dpa covers f3 alone; risk-dpa governs f6,
    # which lists it. f2 and f4 have contracts naming the right parties, but for other processing.
    reason = (
        "emis is processor on flow {}, but no Art 28 contract or data sharing agreement valid at 2026-11-25 that "
        "governs the flow names it together with a controller of the flow ({}); {} name both but do not govern this "
        "flow: if one covers this processing, list it on the flow or add the flow (or its system) to its covers, "
        "otherwise record one (agreement_type art28_contract) in agreements.csv and list it on the flow."
    )
    assert ask(store, "processor-contracts") == [
        finding("processor-contracts", "f2", "emis", reason.format("f2", "A00001", "gp-dpa, risk-dpa")),
        finding("processor-contracts", "f4", "emis", reason.format("f4", "A00002", "gp-dpa, phm-dpa")),
    ]


def test_processors_on_flows_not_live_are_not_reported(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            organisations=SUPPLIERS,
            flows=flows(
                flow("f1", processors="emis", status="paused"), flow("f2", processors="emis", status="planned")
            ),
        )
    )
    assert ask(store, "processor-contracts") == []


# --- joint-arrangements ----------------------------------------------------------------------------

JOINT = (
    "Flow {} has joint controllers {}, but no Art 26 arrangement valid at 2026-11-25 that governs the flow names all "
    "of them{}: record one (agreement_type art26_arrangement) whose parties include every controller of the flow."
)


def test_joint_controllers_need_a_valid_arrangement_covering_all_of_them(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            agreements=AGREEMENTS_HEADER
            + """\
j1,art26_arrangement,A00001;A00002;RAA,2021-04-01,
j2,art26_arrangement,A00001;A00003,2021-04-01,2026-03-31
j3,art26_arrangement,A00001;B00001,2021-04-01,
j4,dsa,A00003;B00001,2021-04-01,
""",
            flows=flows(
                flow("f1", controllers="A00001;A00002", joint="true", destination="shcr", agreements="j1"),
                flow(
                    "f2", controllers="A00001;A00002;A00003;B00001", joint="true", destination="shcr", agreements="j1"
                ),
                flow("f3", controllers="A00001;A00003", joint="true", destination="shcr", agreements="j1;j2"),
                flow("f4", controllers="A00003;B00001", joint="true", destination="shcr", agreements="j3;j4"),
                flow("f5", controllers="A00003;B00001", destination="shcr"),
            ),
        )
    )
    # f1 is covered by j1; j2 has expired; a DSA is not an Art 26 arrangement; f5's controllers do not
    # act jointly. The arrangement missing the fewest controllers is named.
    assert ask(store, "joint-arrangements") == [
        finding(
            "joint-arrangements",
            "f2",
            None,
            JOINT.format("f2", "A00001, A00002, A00003, B00001", " (j1 leaves out A00003, B00001)"),
        ),
        finding("joint-arrangements", "f3", None, JOINT.format("f3", "A00001, A00003", " (j1 leaves out A00003)")),
        finding("joint-arrangements", "f4", None, JOINT.format("f4", "A00003, B00001", " (j3 leaves out A00003)")),
    ]


def test_joint_flow_with_no_arrangement_at_all(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            agreements=AGREEMENTS_HEADER + "j1,art26_arrangement,A00002;A00003,2021-04-01,\n",
            flows=flows(
                flow("f1", controllers="A00001;RAA", joint="true", destination="shcr"),
                flow("f2", controllers="A00001;RAA", joint="true", destination="shcr", status="ceased"),
                flow("f3", controllers="A00001;RAA", joint="true", destination="shcr", agreements="j1"),
            ),
        )
    )
    # j1 governs f3 though it names neither controller: it is still the arrangement to extend.
    assert ask(store, "joint-arrangements") == [
        finding("joint-arrangements", "f1", None, JOINT.format("f1", "A00001, RAA", " (none governs it)")),
        finding("joint-arrangements", "f3", None, JOINT.format("f3", "A00001, RAA", " (j1 leaves out A00001, RAA)")),
    ]


def test_an_arrangement_for_other_processing_does_not_count_and_is_named(make_store, ask):
    covers = header("agreements", "agreement_id", "agreement_type", "parties", "covers") + "\n"
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            agreements=covers
            + """\
shcr-jca,art26_arrangement,A00001;A00002;RAA,shcr
phm-jca,art26_arrangement,A00001;A00002,f3
""",
            flows=flows(
                flow("f1", source="A00001", destination="shcr", controllers="A00001;A00002", joint="true"),
                flow("f2", source="A00001", destination="phm", controllers="A00001;A00002", joint="true"),
                flow("f3", source="A00002", destination="phm", controllers="A00001;A00002", joint="true"),
                flow("f4", source="shcr", destination="phm", controllers="A00001;RAA", joint="true"),
                flow("f5", source="A00002", destination="phm", controllers="A00002;RAA", joint="true"),
            ),
        )
    )
    # shcr-jca governs every flow into or out of the ShCR (f1, f4), phm-jca only f3: the ShCR's arrangement
    # hides no gap for the PHM platform (f2, f5), but is the hint where it names every controller.
    assert ask(store, "joint-arrangements") == [
        finding(
            "joint-arrangements",
            "f2",
            None,
            "Flow f2 has joint controllers A00001, A00002, but no Art 26 arrangement valid at 2026-11-25 that governs "
            "the flow names all of them; phm-jca, shcr-jca name all of them but do not govern this flow: if one covers "
            "this processing, list it on the flow or add the flow (or its system) to its covers, otherwise record one "
            "(agreement_type art26_arrangement) whose parties include every controller of the flow.",
        ),
        finding(
            "joint-arrangements",
            "f5",
            None,
            "Flow f5 has joint controllers A00002, RAA, but no Art 26 arrangement valid at 2026-11-25 that governs the "
            "flow names all of them; shcr-jca names all of them but does not govern this flow: if it covers this "
            "processing, list it on the flow or add the flow (or its system) to its covers, otherwise record one "
            "(agreement_type art26_arrangement) whose parties include every controller of the flow.",
        ),
    ]


# --- agreement-expiry ------------------------------------------------------------------------------

EXPIRED = (
    "Flow {} is live but agreement {} ({}) expired on {}: renew it, or record its successor and list it on the flow."
)
EXPIRING = "Flow {} relies on agreement {} ({}), which expires on {} ({}): renew it in time."
DATED = (
    AGREEMENTS_HEADER
    + """\
a1,dsa,RAA;QAA,2020-01-01,2026-03-31
a2,art28_contract,RAA;QAA,2020-01-01,2026-11-25
a3,dsa,RAA;QAA,2020-01-01,2026-11-26
a4,dsa,RAA;QAA,2020-01-01,2026-12-25
a5,dsa,RAA;QAA,2020-01-01,2026-12-26
a6,dsa,RAA;QAA,2020-01-01,
"""
)


def test_expired_agreements_of_live_flows_are_reported(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            agreements=DATED,
            flows=flows(
                flow("f1", agreements="a1;a6"),
                flow("f2", agreements="a2;a3"),
                flow("f3", agreements="a1", status="ceased"),
                flow("f4"),
            ),
        )
    )
    # By default only what has expired, or ends on the date itself.
    assert ask(store, "agreement-expiry") == [
        finding("agreement-expiry", "f1", None, EXPIRED.format("f1", "a1", "dsa", "2026-03-31")),
        finding("agreement-expiry", "f2", None, EXPIRING.format("f2", "a2", "art28_contract", "2026-11-25", "today")),
    ]


def test_agreements_expiring_within_the_window_are_reported_one_row_per_agreement(make_store, ask):
    store = make_store(
        register(systems=ALL_SYSTEMS, agreements=DATED, flows=flows(flow("f1", agreements="a1;a3;a4;a5;a6")))
    )
    assert ask(store, "agreement-expiry", within_days=30) == [
        finding("agreement-expiry", "f1", None, EXPIRED.format("f1", "a1", "dsa", "2026-03-31")),
        finding("agreement-expiry", "f1", None, EXPIRING.format("f1", "a3", "dsa", "2026-11-26", "in 1 day")),
        finding("agreement-expiry", "f1", None, EXPIRING.format("f1", "a4", "dsa", "2026-12-25", "in 30 days")),
    ]
    assert len(ask(store, "agreement-expiry", within_days="31")) == 4


def test_agreements_not_listed_on_the_flow_do_not_count_for_expiry(make_store, ask):
    store = make_store(register(systems=ALL_SYSTEMS, agreements=DATED, flows=flows(flow("f1"))))
    assert ask(store, "agreement-expiry", within_days=365) == []


def test_within_days_must_not_be_negative(make_store, ask):
    store = make_store(register(systems=ALL_SYSTEMS, agreements=DATED, flows=flows(flow("f1", agreements="a1"))))
    with pytest.raises(queries.ParamError, match="within_days"):
        ask(store, "agreement-expiry", within_days=-1)


def _example_register() -> object:
    return register(
        systems=ALL_SYSTEMS,
        organisations=SUPPLIERS,
        agreements=AGREEMENTS_HEADER
        + """\
c1,art28_contract,A00001;emis,2020-01-01,
j1,art26_arrangement,A00001;RAA,2021-04-01,2026-12-15
""",
        flows=flows(
            flow("f1", controllers="U00001"),
            flow("f2", controllers="A00001", processors="emis", sub_processors="aws", agreements="c1"),
            flow("f3", controllers="A00001;RAA;A00002", joint="true", destination="shcr", agreements="j1"),
        ),
    )


DOC_EXAMPLES = {
    "role-holders": Example(_example_register),
    "processor-contracts": Example(_example_register),
    "joint-arrangements": Example(_example_register),
    "agreement-expiry": Example(_example_register, {"within_days": 30}),
}


def test_agreement_ids_are_matched_exactly_whatever_their_characters(make_store, ask):
    # The Neo4j store finds the flows listing an ending agreement through a full-text index: ids with
    # the query language's special characters, and ids that differ only in case or by a suffix, must
    # still match exactly.
    agreements = (
        AGREEMENTS_HEADER
        + """\
a1,dsa,RAA;QAA,2020-01-01,2026-03-31
A1,dsa,RAA;QAA,2020-01-01,
a10,dsa,RAA;QAA,2020-01-01,2027-03-31
x:1,dsa,RAA;QAA,2020-01-01,2026-03-31
"q""1",dsa,RAA;QAA,2020-01-01,2026-03-31
b\\2*,dsa,RAA;QAA,2020-01-01,2026-03-31
AND,dsa,RAA;QAA,2020-01-01,2026-03-31
"""
    )
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            agreements=agreements,
            flows=flows(
                flow("f1", agreements="A1;a10"),
                flow("f2", agreements="x:1"),
                flow("f3", agreements='"q""1;AND"'),
                flow("f4", agreements="b\\2*;a1"),
            ),
        )
    )
    expired = [
        (r["flow_id"], r["reason"].split(" agreement ")[1].split(" (")[0]) for r in ask(store, "agreement-expiry")
    ]
    assert expired == [("f2", "x:1"), ("f3", "AND"), ("f3", 'q"1'), ("f4", "a1"), ("f4", "b\\2*")]


def test_bodies_are_matched_exactly_whatever_their_characters(make_store, ask):
    # As for agreements: the Neo4j store finds the flows naming a body through a full-text index.
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            organisations=ORGANISATIONS_HEADER
            + 'x:1,Body one,other,false\n"q""1",Body two,other,false\n'
            + "x:10,Company,other,true\nOR,Body three,other,false\n",
            flows=flows(
                flow("f1", controllers="x:10"),
                flow("f2", controllers="RAA", processors="x:1"),
                flow("f3", controllers='"RAA;q""1"', recipient_controller="OR"),
            ),
        )
    )
    assert keys(ask(store, "role-holders")) == [("f2", "x:1"), ("f3", "OR"), ("f3", 'q"1')]
