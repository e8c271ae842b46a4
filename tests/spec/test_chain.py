"""Spec tests of controllership-chain: a tiny graph, the parameters, the exact rows, on every store."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from support import Example, header, register

from graph.model import Flow, Register, System
from graph.vocab import DataCategory, Identifiability, Purpose, SystemType
from queries import ParamError
from queries.chain import breaks

ORGANISATIONS = """\
org_id,name,org_type
EMIS,EMIS Health,supplier
AWS,Amazon Web Services,supplier
CSU1,Alpha CSU,csu
"""
SYSTEMS = """\
gp-a,Alpha GP system,gp_clinical_system,EMIS,EMIS,QAA,UK
shcr,Alpha Care Record,shared_care_record,,,QAA,UK
phm,Alpha PHM,phm_platform,CSU1,,QAA,UK
gpes,GPES,national_collection,,,,UK
"""
AGREEMENTS = """\
agreement_id,agreement_type,parties,start,end
a28,art28_contract,A00001;EMIS,2020-01-01,
dsa-old,dsa,A00001;QAA,2020-01-01,2025-03-31
dsa-new,dsa,A00001;QAA,2027-01-01,
a26,art26_arrangement,A00001;RAA,,
"""
HEADER = header(
    "flows", "flow_id", "source", "destination", "data_categories", "purposes", "identifiability", "controllers",
    "joint", "processors", "sub_processors", "recipient_controller", "art6", "art9", "cldc_basis", "agreements",
    "status", "valid_from", "valid_to",
)  # fmt: skip


def chain_register(flows: str) -> Register:
    return register(organisations=ORGANISATIONS, systems=SYSTEMS, agreements=AGREEMENTS, flows=HEADER + "\n" + flows)


def paths(rows: list[dict[str, Any]]) -> list[list[str]]:
    """Each path's flow ids, in the order the rows give them."""
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["path"], []).append(row["flow_id"])
    assert [(row["path"], row["hop"]) for row in rows] == [
        (p, h + 1) for p, flows in found.items() for h in range(len(flows))
    ]
    return list(found.values())


def hop_breaks(rows: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    return [(row["flow_id"], row["breaks"]) for row in rows]


# The practice's record in its EMIS system (processor EMIS, on AWS), shared into the ShCR by the
# practice and the trust as joint controllers, then on to the PHM platform for planning by the ICB.
EXAMPLE = """\
f1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,EMIS,AWS,,6(1)(e),9(2)(h),implied_consent,a28,,,
f2,gp-a,shcr,primary_care,direct_care,identifiable,A00001;RAA,true,EMIS,,,6(1)(e),9(2)(h),implied_consent,a26,,,
f3,shcr,phm,primary_care,planning;population_health_management,pseudonymised,QAA,,CSU1,,QAA,6(1)(e),9(2)(h),s251,dsa-old,,,
"""


def example() -> Register:
    return chain_register(EXAMPLE)


def test_rows_in_full_along_one_path(make_store, ask):
    store = make_store(example())
    rows = ask(store, "controllership-chain", source="A00001", destination="phm")
    assert rows == [
        {
            "path": 1,
            "hop": 1,
            "flow_id": "f1",
            "from": "A00001",
            "to": "gp-a",
            "controllers": ["A00001"],
            "joint": False,
            "processors": ["EMIS"],
            "sub_processors": ["AWS"],
            "recipient_controller": None,
            "art6": ["6(1)(e)"],
            "art9": ["9(2)(h)"],
            "cldc_basis": "implied_consent",
            "agreements": ["a28"],
            "purposes": ["direct_care"],
            "breaks": [],
        },
        {
            "path": 1,
            "hop": 2,
            "flow_id": "f2",
            "from": "gp-a",
            "to": "shcr",
            "controllers": ["A00001", "RAA"],
            "joint": True,
            "processors": ["EMIS"],
            "sub_processors": [],
            "recipient_controller": None,
            "art6": ["6(1)(e)"],
            "art9": ["9(2)(h)"],
            "cldc_basis": "implied_consent",
            "agreements": ["a26"],
            "purposes": ["direct_care"],
            "breaks": [],
        },
        {
            "path": 1,
            "hop": 3,
            "flow_id": "f3",
            "from": "shcr",
            "to": "phm",
            "controllers": ["QAA"],
            "joint": False,
            "processors": ["CSU1"],
            "sub_processors": [],
            "recipient_controller": "QAA",
            "art6": ["6(1)(e)"],
            "art9": ["9(2)(h)"],
            "cldc_basis": "s251",
            "agreements": ["dsa-old"],
            "purposes": ["planning", "population_health_management"],
            "breaks": ["agreement dsa-old (dsa) expired on 2025-03-31"],
        },
    ]


def test_expired_and_not_yet_valid_agreements_are_breaks(make_store, ask):
    store = make_store(
        chain_register(
            """\
f1,A00001,QAA,primary_care,planning,pseudonymised,A00001,,,,,,,,dsa-old;dsa-new;a28,,,
"""
        )
    )
    assert hop_breaks(ask(store, "controllership-chain", source="A00001", destination="QAA")) == [
        (
            "f1",
            [
                "agreement dsa-new (dsa) is not yet in force: it starts on 2027-01-01",
                "agreement dsa-old (dsa) expired on 2025-03-31",
            ],
        )
    ]
    # As of a date inside its term the old agreement is no break.
    earlier = ask(store, "controllership-chain", source="A00001", destination="QAA", as_of="2024-01-01")
    assert hop_breaks(earlier) == [("f1", ["agreement dsa-new (dsa) is not yet in force: it starts on 2027-01-01"])]


def test_diamond_gives_two_paths_shortest_first_then_by_flow_ids(make_store, ask):
    store = make_store(
        chain_register(
            """\
f1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,,,,,,,,,,
f2,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,,,,,,,,,
f3,gp-a,phm,primary_care,direct_care,identifiable,A00001,,,,,,,,,,,
f4,shcr,phm,primary_care,direct_care,identifiable,A00001,,,,,,,,,,,
f9,A00001,phm,primary_care,direct_care,identifiable,A00001,,,,,,,,,,,
"""
        )
    )
    rows = ask(store, "controllership-chain", source="A00001", destination="phm")
    assert paths(rows) == [["f9"], ["f1", "f3"], ["f2", "f4"]]


def test_parallel_flows_make_distinct_paths(make_store, ask):
    store = make_store(
        chain_register(
            """\
f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,,,,,,,,,
f2,A00001,shcr,demographics,direct_care,identifiable,A00001,,,,,,,,,,,
f3,shcr,phm,primary_care,direct_care,identifiable,A00001,,,,,,,,,,,
"""
        )
    )
    assert paths(ask(store, "controllership-chain", source="A00001", destination="phm")) == [["f1", "f3"], ["f2", "f3"]]


def test_at_most_twenty_paths_cut_by_length_then_flow_ids(make_store, ask):
    # Five parallel flows into the ShCR and five on to the PHM: 25 paths of two hops, and one of three.
    flows = [f"p{i},A00001,shcr,primary_care,direct_care,identifiable,A00001,,,,,,,,,,," for i in range(1, 6)]
    flows += [f"q{i},shcr,phm,primary_care,direct_care,identifiable,A00001,,,,,,,,,,," for i in range(1, 6)]
    flows += [
        "r1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,,,,,,,,,,",
        "r2,gp-a,shcr,primary_care,direct_care,identifiable,A00001,,,,,,,,,,,",
    ]
    store = make_store(chain_register("\n".join(flows) + "\n"))
    found = paths(ask(store, "controllership-chain", source="A00001", destination="phm"))
    expected = [[f"p{i}", f"q{j}"] for i in range(1, 6) for j in range(1, 6)][:20]
    assert found == expected


def test_paths_are_simple_and_bounded_to_eight_hops(make_store, ask):
    # A00001 -> s1 -> ... -> s8 -> s9: s8 is 8 hops away, s9 nine. The loop s1 -> shcr -> s1 would
    # revisit s1, so it is never part of a path.
    systems = "".join(f"s{i},System {i},other,,,QAA,UK\n" for i in range(1, 10))
    flows = ["h1,A00001,s1,primary_care,direct_care,identifiable,A00001,,,,,,,,,,,"]
    flows += [f"h{i + 1},s{i},s{i + 1},primary_care,direct_care,identifiable,A00001,,,,,,,,,,," for i in range(1, 9)]
    flows += [
        "x1,s1,shcr,primary_care,direct_care,identifiable,A00001,,,,,,,,,,,",
        "x2,shcr,s1,primary_care,direct_care,identifiable,A00001,,,,,,,,,,,",
    ]
    store = make_store(
        register(
            organisations=ORGANISATIONS,
            systems=SYSTEMS + systems,
            flows=HEADER + "\n" + "\n".join(flows) + "\n",
        )
    )
    assert paths(ask(store, "controllership-chain", source="A00001", destination="s8")) == [
        ["h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8"]
    ]
    assert ask(store, "controllership-chain", source="A00001", destination="s9") == []
    assert paths(ask(store, "controllership-chain", source="A00001", destination="s3")) == [["h1", "h2", "h3"]]
    assert paths(ask(store, "controllership-chain", source="A00001", destination="shcr")) == [["h1", "x1"]]


def test_data_leaving_a_processor_for_a_new_purpose_is_a_break(make_store, ask):
    store = make_store(
        chain_register(
            """\
f1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,EMIS,,,,,,,,,
f2,gp-a,phm,primary_care,direct_care;planning;research,pseudonymised,QAA,,,,,,,,,,,
f3,A00001,CSU1,primary_care,risk_stratification,identifiable,A00001,,CSU1,,,,,,,,,
f4,CSU1,QAA,primary_care,risk_stratification;commissioning,pseudonymised,QAA,,,,,,,,,,,
f5,gp-a,shcr,primary_care,direct_care,identifiable,A00001,,,,,,,,,,,
"""
        )
    )
    # gp-a is operated by EMIS, a processor of the hop before.
    assert hop_breaks(ask(store, "controllership-chain", source="A00001", destination="phm")) == [
        ("f1", []),
        (
            "f2",
            [
                "data leaves processor EMIS for purpose planning that its controllers (A00001) did not give",
                "data leaves processor EMIS for purpose research that its controllers (A00001) did not give",
            ],
        ),
    ]
    # The CSU itself is the next hop's source.
    assert hop_breaks(ask(store, "controllership-chain", source="A00001", destination="QAA")) == [
        ("f3", []),
        (
            "f4",
            ["data leaves processor CSU1 for purpose commissioning that its controllers (A00001) did not give"],
        ),
    ]
    # The same purpose onward is no break.
    assert hop_breaks(ask(store, "controllership-chain", source="A00001", destination="shcr")) == [
        ("f1", []),
        ("f5", []),
    ]


def test_sub_processor_is_checked_but_a_recipient_controller_is_not(make_store, ask):
    store = make_store(
        chain_register(
            """\
f1,A00001,CSU1,primary_care,direct_care,identifiable,A00001,,EMIS,CSU1,,,,,,,,
f2,CSU1,RAA,primary_care,planning,pseudonymised,RAA,,,,,,,,,,,
f3,A00001,QAA,primary_care,planning,pseudonymised,A00001,,QAA,,QAA,,,,,,,
f4,QAA,RAA,primary_care,commissioning,pseudonymised,QAA,,,,,,,,,,,
"""
        )
    )
    assert hop_breaks(ask(store, "controllership-chain", source="A00001", destination="RAA")) == [
        ("f1", []),
        ("f2", ["data leaves sub-processor CSU1 for purpose planning that its controllers (A00001) did not give"]),
        # QAA processed f3 but also became an independent controller of what it received.
        ("f3", []),
        ("f4", []),
    ]


def test_a_hop_with_no_lawful_controller_is_a_break(make_store, ask):
    store = make_store(
        chain_register(
            """\
f1,A00001,U00001,primary_care,direct_care,identifiable,U00001,,,,,,,,,,,
f2,U00001,shcr,primary_care,direct_care,identifiable,U00001;01A,true,,,,,,,,,,
f3,U00001,phm,primary_care,direct_care,identifiable,U00001;A00001,true,,,,,,,,,,
"""
        )
    )
    assert hop_breaks(ask(store, "controllership-chain", source="A00001", destination="shcr")) == [
        ("f1", ["no controller that can lawfully be one: U00001 (pcn) is not a legal entity"]),
        (
            "f2",
            [
                "no controller that can lawfully be one: 01A (sub_icb_location) is not a legal entity; "
                "U00001 (pcn) is not a legal entity"
            ],
        ),
    ]
    # One lawful controller among joint controllers is enough for the chain (the IG checks flag the PCN).
    assert hop_breaks(ask(store, "controllership-chain", source="A00001", destination="phm"))[1] == ("f3", [])


def test_only_flows_live_at_the_date_make_paths(make_store, ask):
    store = make_store(
        chain_register(
            """\
f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,,,,,,,ceased,,
f2,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,,,,,,,,live,2020-01-01,2025-12-31
f3,gp-a,shcr,primary_care,direct_care,identifiable,A00001,,,,,,,,,live,,
f4,A00001,RAA,primary_care,direct_care,identifiable,A00001,,,,,,,,,paused,,
f5,RAA,shcr,primary_care,direct_care,identifiable,RAA,,,,,,,,,live,,
"""
        )
    )
    assert ask(store, "controllership-chain", source="A00001", destination="shcr") == []
    earlier = ask(store, "controllership-chain", source="A00001", destination="shcr", as_of="2025-06-01")
    assert paths(earlier) == [["f2", "f3"]]


def test_unknown_or_equal_ends_are_parameter_errors(make_store, ask):
    store = make_store(example())
    with pytest.raises(ParamError, match="'X99999'"):
        ask(store, "controllership-chain", source="X99999", destination="phm")
    with pytest.raises(ParamError, match="'nowhere'"):
        ask(store, "controllership-chain", source="A00001", destination="nowhere")
    with pytest.raises(ParamError, match="both 'phm'"):
        ask(store, "controllership-chain", source="phm", destination="phm")


def test_no_path_gives_no_rows(make_store, ask):
    store = make_store(example())
    # Flows only run one way.
    assert ask(store, "controllership-chain", source="phm", destination="A00001") == []
    assert ask(store, "controllership-chain", source="B00001", destination="phm") == []


DOC_EXAMPLES = {"controllership-chain": Example(example, {"source": "A00001", "destination": "phm"})}


def test_breaks_a_register_cannot_load_are_still_named():
    # The loader refuses these (controllers must be organisations, agreements must be defined), but a
    # graph merged from several registers is judged as it stands.
    flow = Flow(
        "f1",
        "A00001",
        "shcr",
        (DataCategory.PRIMARY_CARE,),
        (Purpose.DIRECT_CARE,),
        Identifiability.IDENTIFIABLE,
        controllers=("shcr", "ghost"),
        agreements=("missing",),
    )
    nodes = {"shcr": System("shcr", "Alpha Care Record", SystemType.SHARED_CARE_RECORD)}
    assert breaks(flow, None, nodes, {}, date(2026, 11, 25)) == [
        "no controller that can lawfully be one: ghost is not in the graph; shcr is a system, not an organisation",
        "agreement missing is not recorded",
    ]
    nobody = Flow("f2", "A00001", "shcr", flow.data_categories, flow.purposes, flow.identifiability, controllers=())
    assert breaks(nobody, None, nodes, {}, date(2026, 11, 25)) == ["no controller is recorded"]
