"""Spec tests of an organisation's records on a tiny register, on every store: its dossier, the
information assets and flows register (``queries.iafr``) and the RoPA's cells (``queries.ropa``), exact.

A practice sends to its GP system (a contract covers the system), jointly to a shared care record (an Art 26
arrangement covers it), to a national collection and, as aggregates, to a system hosted abroad; a PHM feed
from the record has a processor hosted abroad and a DPIA; a ceased flow and another trust's flow are not its.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from support import SYSTEMS, header, register, tiny_reference

from graph.model import DsptStatus, ReferenceData
from queries.dossier import DOSSIER
from queries.iafr import IAFR, IAFR_COLUMNS
from queries.ropa import CONTROLLER_COLUMNS, PROCESSOR_COLUMNS, ROPA

DAY = date(2026, 11, 25)
FLOWS = header(
    "flows", "flow_id", "source", "destination", "data_categories", "purposes", "identifiability", "controllers",
    "joint", "processors", "sub_processors", "recipient_controller", "art6", "art9", "cldc_basis", "agreements",
    "status", "valid_from", "valid_to", "frequency",
)  # fmt: skip
ROWS = """\
f1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,emis,aws,,6(1)(e),9(2)(h),implied_consent,,,,,continuous
f2,A00001,shcr,primary_care,direct_care,identifiable,A00001;A00002,true,RAA,,,6(1)(e),9(2)(h),implied_consent,,,,,
f3,A00001,gpes,primary_care,national_collection,identifiable,A00001,,,,QAA,6(1)(c),9(2)(h),statutory_direction,,,,,
f4,shcr,abroad,primary_care;acute,population_health_management;planning,pseudonymised,QAA,,emis,,,6(1)(e),9(2)(h),s251,dpia1,,,,
f5,A00001,abroad,primary_care,planning,aggregate,A00001,,,,,,,not_confidential,,,,,
f6,A00001,phm,primary_care,planning,pseudonymised,A00001,,,,,,,,,ceased,,,
f7,RAA,epr,acute,direct_care,identifiable,RAA,,,,,6(1)(e),9(2)(h),implied_consent,,,,,
"""
AGREEMENTS = (
    header("agreements", "agreement_id", "agreement_type", "parties", "start", "end", "covers", "reference")
    + """
c1,art28_contract,A00001;emis,2020-01-01,2027-03-31,gp-a,GP system contract
c2,art28_contract,emis;aws,2020-01-01,,gp-a,
j1,art26_arrangement,A00001;A00002;RAA,2020-01-01,,shcr,Care record arrangement
d1,dsa,A00001;QAA,2020-01-01,2020-12-31,,
dpia1,dpia,QAA,2024-01-01,,,PHM DPIA
"""
)
ORGANISATIONS = "org_id,name,org_type\nemis,EMIS Health,supplier\naws,Amazon Web Services,supplier\n"
ABROAD = "abroad,Overseas analytics,other,emis,,QAA,United States\n"


def reference() -> ReferenceData:
    """The tests' tiny reference with every role holder of this register meeting the DSPT standards: these
    tests are about the records, so the only findings are the register's own; the dspt check's are tested in
    test_checks_dspt.py."""
    base = tiny_reference()
    met = DsptStatus("Standards Met", "2020/21", date(2021, 6, 30))
    holders = ("A00001", "A00002", "RAA", "QAA", "emis", "aws")
    return replace(base, dspt={**base.dspt, **dict.fromkeys(holders, met)})


def graph() -> object:
    return register(
        systems=SYSTEMS + ABROAD,
        organisations=ORGANISATIONS,
        agreements=AGREEMENTS,
        flows=FLOWS + "\n" + ROWS,
    )


def test_the_dossier_holds_the_organisations_live_flows_and_what_they_name(make_store):
    store = make_store(graph(), reference=reference())
    [dossier] = store.run(DOSSIER, {"org_id": "A00001", "as_of": DAY})
    assert [f["flow_id"] for f in dossier["flows"]] == ["f1", "f2", "f3", "f5"]
    # Those governing its flows, and those naming it (d1 governs nothing).
    assert [a["agreement_id"] for a in dossier["agreements"]] == ["c1", "c2", "d1", "j1"]
    assert dossier["governing"] == [
        {"flow_id": "f1", "agreements": ["c1", "c2"]},
        {"flow_id": "f2", "agreements": ["j1"]},
        {"flow_id": "f3", "agreements": []},
        {"flow_id": "f5", "agreements": []},
    ]
    assert {n["id"] for n in dossier["nodes"]} == {
        "A00001", "A00002", "QAA", "RAA", "abroad", "aws", "emis", "gp-a", "gpes", "shcr",
    }  # fmt: skip
    # The operator of a system sees the flows into and out of it; a system has no dossier.
    [emis] = store.run(DOSSIER, {"org_id": "emis", "as_of": DAY})
    assert [f["flow_id"] for f in emis["flows"]] == ["f1", "f4", "f5"]
    assert store.run(DOSSIER, {"org_id": "gp-a", "as_of": DAY}) == []


def test_the_information_assets_and_flows_register_has_a_row_per_flow(make_store):
    store = make_store(graph(), reference=reference())
    [iafr] = store.run(IAFR, {"org_id": "A00001", "as_of": DAY})
    assert iafr["organisation"] == {"id": "A00001", "name": "Practice A00001"}
    rows = iafr["flows"]
    assert [list(row) for row in rows] == [list(IAFR_COLUMNS)] * 4
    assert rows[0] == {
        "Flow": "f1",
        "From": "Practice A00001 (A00001)",
        "To": "Alpha GP system (gp-a)",
        "Role of the organisation": "controller; sends",
        "Purpose": "direct care",
        "Data categories": "primary care",
        "Identifiability": "identifiable",
        "Legal basis": "Art 6: 6(1)(e); Art 9: 9(2)(h); CLDC: implied consent",
        "Legal instruments": "",
        "Controllers": "Practice A00001 (A00001)",
        "Processors": "EMIS Health (emis); Amazon Web Services (aws)",
        "Recipients": "",
        "Where held": "Alpha GP system (gp-a), hosted in UK",
        "Overseas transfer": "",
        "Agreements in place": "c1 (art28 contract); c2 (art28 contract)",
        "Agreements end": "c1: 2027-03-31",
        "Systems": "Alpha GP system (gp-a)",
        "Valid from": "",
        "Valid to": "",
        "Frequency": "continuous",
        "Transport": "",
        "icsgraph findings": "",
    }
    assert rows[1]["Role of the organisation"] == "joint controller; sends"
    assert rows[1]["Agreements in place"] == "j1 (art26 arrangement)"
    assert rows[2]["Recipients"] == "NHS Alpha ICB (QAA)"
    assert rows[3]["Identifiability"] == "aggregate"
    assert rows[3]["Overseas transfer"] == "United States"
    assert rows[3]["Legal basis"] == "CLDC: not confidential"


def test_the_ropa_fills_only_what_the_graph_holds(make_store):
    store = make_store(graph(), reference=reference())
    [ropa] = store.run(ROPA, {"org_id": "A00001", "as_of": DAY})
    filled = [
        {column: value for column, value in row.items() if value and column != "icsgraph findings"}
        for row in ropa["controller"]
    ]
    # The aggregate flow is no processing of personal data; the ceased one is not live.
    assert filled == [
        {
            "Purpose of processing": "direct care",
            "Categories of personal data": "primary care",
            "Link to contract with processor": "c1 (GP system contract); c2",
            "Article 6 lawful basis for processing personal data": "6(1)(e)",
            "Article 9 condition for processing special category data": (
                "9(2)(h); common law duty of confidentiality: implied consent"
            ),
            "Location of personal data": "Alpha GP system (gp-a), hosted in UK",
            "GDPR Article 6 lawful basis for processing": "6(1)(e)",
            "icsgraph flows": "f1",
        },
        {
            "Purpose of processing": "direct care",
            # The co-controller on the flow and the parties of the arrangement that governs it.
            "Name and contact details of joint controller (if applicable)": (
                "Practice A00002 (A00002); Alpha Hospitals NHS Trust (RAA)"
            ),
            "Categories of personal data": "primary care",
            "Article 6 lawful basis for processing personal data": "6(1)(e)",
            "Article 9 condition for processing special category data": (
                "9(2)(h); common law duty of confidentiality: implied consent"
            ),
            "Location of personal data": "Alpha Care Record (shcr), hosted in UK",
            "GDPR Article 6 lawful basis for processing": "6(1)(e)",
            "icsgraph flows": "f2",
        },
        {
            "Purpose of processing": "national collection",
            "Categories of personal data": "primary care",
            "Categories of recipients": "NHS Alpha ICB (QAA)",
            "Article 6 lawful basis for processing personal data": "6(1)(c)",
            "Article 9 condition for processing special category data": (
                "9(2)(h); common law duty of confidentiality: statutory direction"
            ),
            "Location of personal data": "GPES (gpes), hosted in UK",
            "GDPR Article 6 lawful basis for processing": "6(1)(c)",
            "icsgraph flows": "f3",
        },
    ]
    assert all(list(row) == list(CONTROLLER_COLUMNS) for row in ropa["controller"])
    # The host trust processes on the joint flow with no contract governing it: the row carries the finding.
    assert [row["icsgraph findings"].split(" flow ")[0] for row in ropa["controller"]] == [
        "",
        "processor-contracts: RAA is processor on",
        "",
    ]
    assert ropa["processor"] == []


def test_the_processor_table_is_one_row_per_controller_acted_for(make_store):
    store = make_store(graph(), reference=reference())
    [ropa] = store.run(ROPA, {"org_id": "emis", "as_of": DAY})
    assert ropa["controller"] == []
    [practice, icb] = ropa["processor"]
    assert list(practice) == list(PROCESSOR_COLUMNS)
    assert {column: value for column, value in practice.items() if value} == {
        "Name and contact details of controller": "Practice A00001 (A00001)",
        "Categories of processing carried out on behalf of each controller": "direct care",
        "Sub-processors": "Amazon Web Services (aws)",
        "icsgraph flows": "f1",
    }
    # The PHM feed is hosted abroad, has no Art 28 contract governing it: its finding travels with it.
    assert icb["Name and contact details of controller"] == "NHS Alpha ICB (QAA)"
    assert icb["Categories of processing carried out on behalf of each controller"] == (
        "population health management; planning"
    )
    assert icb["Names of third countries or international organisations that personal data are transferred to "
               "(if applicable)"] == "United States"  # fmt: skip
    assert icb["icsgraph flows"] == "f4"
    # Hosted abroad, no contract governing it, no opt-out recorded: its findings travel with it, by rule.
    rules = [line.split(":")[0] for line in icb["icsgraph findings"].splitlines()]
    assert rules == ["offshore", "opt-outs", "processor-contracts"]
