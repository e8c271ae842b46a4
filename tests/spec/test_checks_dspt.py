"""Spec tests of the dspt check, on every store.

The tiny reference graph (``support.tiny_reference``) records DSPT statuses: RAA Standards Met, QAA
Approaching Standards (2020/21, published 2021-06-29), E06000001 Standards Not Met with no date, 0AR
(NECS, for registers that define it) Standards Exceeded, and 01A a status no organisation takes.
"""

from __future__ import annotations

from datetime import date

import pytest
from check_support import ALL_SYSTEMS, ORGANISATIONS_HEADER, finding, flow, flows, keys
from support import Example, register, tiny_reference

from graph.merge import merge
from graph.model import DsptStatus
from loaders.dspt import InvalidDspt, parse_dspt, parse_status, read_dspt

NECS = ORGANISATIONS_HEADER + "0AR,NECS,csu,\nemis,EMIS Health,supplier,\n"


def short_of_standards(org: str, name: str, roles: str, flow_id: str, status: str, dated: str) -> str:
    return (
        f"{org} ({name}) is {roles} on flow {flow_id}, but its latest DSPT status is '{status}'{dated}, not "
        "Standards Met or Standards Exceeded: ask for its improvement plan or a newer assessment, and load a newer "
        "DSPT status file (ICSGRAPH_DSPT) if there is one."
    )


def unrecorded(org: str, name: str, roles: str, flow_id: str) -> str:
    return (
        f"{org} ({name}) is {roles} on flow {flow_id}, but has no DSPT status on record: an organisation that "
        "processes NHS patient data must publish a Data Security and Protection Toolkit assessment that meets its "
        "standards; ask for it, and load a newer DSPT status file (ICSGRAPH_DSPT) if it has one."
    )


def test_roles_held_by_organisations_short_of_the_standards_or_without_a_status_are_reported(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            organisations=NECS,
            flows=flows(
                flow("f1"),  # RAA, Standards Met: nothing to report
                flow("f2", controllers="QAA", processors="0AR"),  # NECS exceeds; the ICB approaches
                flow("f3", source="A00001", controllers="A00001", recipient_controller="E06000001"),
                flow("f4", controllers="RAA", processors="emis", sub_processors="emis"),
            ),
        )
    )
    assert ask(store, "dspt") == [
        finding(
            "dspt",
            "f2",
            "QAA",
            short_of_standards(
                "QAA",
                "NHS Alpha ICB",
                "controller",
                "f2",
                "Approaching Standards",
                " (2020/21 assessment, published 2021-06-29)",
            ),
        ),
        finding("dspt", "f3", "A00001", unrecorded("A00001", "Practice A00001", "controller", "f3")),
        finding(
            "dspt",
            "f3",
            "E06000001",
            short_of_standards(
                "E06000001", "Alphashire Council", "recipient controller", "f3", "Standards Not Met", ""
            ),
        ),
        finding("dspt", "f4", "emis", unrecorded("emis", "EMIS Health", "processor and sub-processor", "f4")),
    ]


def test_only_live_flows_count(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(
                flow("f1", controllers="QAA", status="ceased"),
                flow("f2", controllers="QAA", status="planned"),
                flow("f3", controllers="QAA", valid_to="2025-01-01"),
                flow("f4", controllers="QAA", valid_from="2027-01-01"),
                flow("f5", controllers="QAA;RAA", joint="true"),
            ),
        )
    )
    rows = ask(store, "dspt")
    assert keys(rows) == [("f5", "QAA")]
    assert "is joint controller on flow f5" in rows[0]["reason"]
    assert keys(ask(store, "dspt", as_of=date(2024, 6, 1))) == [("f3", "QAA"), ("f5", "QAA")]


def test_unrecorded_false_keeps_only_statuses_that_fall_short(make_store, ask):
    store = make_store(
        register(
            systems=ALL_SYSTEMS,
            flows=flows(flow("f1", controllers="QAA"), flow("f2", source="A00001", controllers="A00001")),
        )
    )
    assert keys(ask(store, "dspt")) == [("f1", "QAA"), ("f2", "A00001")]
    assert keys(ask(store, "dspt", unrecorded=False)) == [("f1", "QAA")]


def test_a_status_is_by_ods_code_for_register_organisations_but_never_for_bodies_that_are_not_legal_entities():
    reg = register(systems=ALL_SYSTEMS, organisations=NECS, flows=flows(flow("f1")))
    nodes = merge(tiny_reference(), [reg]).nodes
    assert (nodes["0AR"].dspt_status, nodes["0AR"].dspt_edition) == ("Standards Exceeded", "2020/21")  # type: ignore[union-attr]
    assert nodes["RAA"].dspt_published == date(2021, 6, 30)  # type: ignore[union-attr]
    # 01A's code was a CCG's, which took the toolkit; the sub-ICB location that has the code now did not.
    assert nodes["01A"].dspt_status is None  # type: ignore[union-attr]


def test_organisations_api_shows_the_status(make_store):
    store = make_store(register(systems=ALL_SYSTEMS, flows=flows(flow("f1"))))
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    body = TestClient(create_app(Settings(data_dir=None), store)).get("/api/organisations/QAA").json()["organisation"]
    assert (body["dspt_status"], body["dspt_edition"], body["dspt_published"]) == (
        "Approaching Standards",
        "2020/21",
        "2021-06-29",
    )


# --- the status file ----------------------------------------------------------------------------------


def test_status_texts_split_into_year_and_status_and_the_latest_published_wins():
    rows = [
        (2, {"Code": "RXX", "Latest.Status": "19/20 Standards Met", "Date.Of.Publication": "31/03/2020"}),
        (3, {"Code": "RXX", "Latest.Status": "20/21  approaching standards ", "Date.Of.Publication": "30/06/2021"}),
        (4, {"Code": "RYY", "Latest.Status": "", "Date.Of.Publication": ""}),
        (5, {"Code": "RZZ", "Latest.Status": "Standards Exceeded", "Date.Of.Publication": "2022-07-01"}),
    ]
    assert parse_dspt(rows, "dspt.csv") == {
        "RXX": DsptStatus("Approaching Standards", "2020/21", date(2021, 6, 30)),
        "RZZ": DsptStatus("Standards Exceeded", None, date(2022, 7, 1)),
    }
    assert parse_status("22/23 Standards Not Met") == ("Standards Not Met", "2022/23")


def test_a_bad_status_file_is_refused_with_where_and_what(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("ODS,Status\nRXX,Met\n")
    with pytest.raises(InvalidDspt, match=r"wrong.csv: not a DSPT status file: no column Code, Latest.Status"):
        read_dspt(wrong)
    dated = tmp_path / "dated.csv"
    dated.write_text("Code,Latest.Status,Date.Of.Publication\nRXX,20/21 Standards Met,31st June\n")
    with pytest.raises(InvalidDspt, match=r"row 2, column Date.Of.Publication: '31st June': expected a date"):
        read_dspt(dated)
    with pytest.raises(InvalidDspt, match="cannot read the DSPT status file"):
        read_dspt(tmp_path / "missing.csv")


DOC_EXAMPLES = {
    "dspt": Example(
        lambda: register(
            systems=ALL_SYSTEMS,
            organisations=NECS,
            flows=flows(
                flow("f1", controllers="QAA", processors="0AR"),
                flow("f2", source="A00001", controllers="A00001", processors="emis"),
            ),
        )
    ),
}


def test_a_newer_status_file_is_given_for_one_run_with_dspt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    """``icsgraph --dspt FILE``: every role-holder of check-demo meets the standards in the file given, so only
    the PCN is found, which no status can cover; a file that cannot be read is one line, not a traceback."""
    import json
    from pathlib import Path

    from app.cli import main
    from app.stores import reference_data

    fixtures = Path(__file__).parent.parent / "fixtures"
    # Set (empty: the bundled file) so that it is restored after the test, though --dspt sets it for the process.
    monkeypatch.setenv("ICSGRAPH_DSPT", "")
    monkeypatch.setenv("ICSGRAPH_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    reference_data.cache_clear()
    try:
        args = [
            "check",
            "--register",
            str(fixtures / "registers" / "check-demo"),
            "--rule",
            "dspt",
            "--as-of",
            "2026-11-25",
        ]
        assert main(["--dspt", str(fixtures / "check-demo-dspt.csv"), *args, "--format", "json"]) == 0
        found = json.loads(capsys.readouterr().out)["findings"]
        assert [(row["flow_id"], row["org_id"]) for row in found] == [("cd-pcn", "U89141")]
        reference_data.cache_clear()
        with pytest.raises(SystemExit):
            main(["--dspt", str(tmp_path / "missing.csv"), *args])
        err = capsys.readouterr().err
        missing = f"{tmp_path}/missing.csv: cannot read the DSPT status file (No such file or directory)"
        assert err == f"icsgraph: error: {missing}\n"
    finally:
        reference_data.cache_clear()
