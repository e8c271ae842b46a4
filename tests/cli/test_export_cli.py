"""``icsgraph export`` end to end on the bundled reference data and a small register: the RoPA and IAFR
files, GraphML read back through networkx, DPV JSON-LD expanded with pyld, registers written back."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from openpyxl import load_workbook
from pyld import jsonld

from app.cli import main
from app.stores import reference_data
from graph.codec import plain
from graph.memory import MemoryStore
from graph.merge import merge
from loaders.register import read_register

SYSTEMS = """system_id,name,system_type,operator,icb,hosting_location
test-gp,Test GP system,gp_clinical_system,test-supplier,QHM,UK
test-phm,Test PHM,phm_platform,test-supplier,QHM,United States
"""
ORGANISATIONS = "org_id,name,org_type\ntest-supplier,Test Supplier Ltd,supplier\n"
AGREEMENTS = """agreement_id,agreement_type,parties,start,end,covers,reference
c1,art28_contract,A81001;test-supplier,2020-01-01,,test-gp,GP system contract
"""
FLOWS = """\
flow_id,source,destination,data_categories,purposes,identifiability,controllers,joint,processors,art6,art9,\
cldc_basis,status,valid_to
f1,A81001,test-gp,primary_care,direct_care,identifiable,A81001,,test-supplier,6(1)(e),9(2)(h),implied_consent,,
f2,test-gp,test-phm,primary_care,planning;research,pseudonymised,QHM,,test-supplier,6(1)(e),9(2)(h),s251,,
f3,A81002,test-gp,primary_care,direct_care,identifiable,A81002;A81001,true,,,,,ceased,2021-03-31
"""
DPV = "https://w3id.org/dpv#"
THIRD_COUNTRIES = (
    "Names of third countries or international organisations that personal data are transferred to (if applicable)"
)


@pytest.fixture(autouse=True)
def embedded_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """About the CLI on the embedded store; `make test` exports NEO4J_URI for the others."""
    monkeypatch.delenv("NEO4J_URI", raising=False)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    register = tmp_path / "exports-test"
    register.mkdir()
    for name, text in (
        ("systems.csv", SYSTEMS),
        ("organisations.csv", ORGANISATIONS),
        ("agreements.csv", AGREEMENTS),
        ("flows.csv", FLOWS),
    ):
        (register / name).write_text(text, encoding="utf-8")
    return register


def export(*args: str, folder: Path) -> int:
    return main(["export", *args, "--register", str(folder)])


def test_ropa_workbook_and_csv_on_stdout(folder: Path, tmp_path: Path, capsysbinary: Any) -> None:
    out = tmp_path / "a81001.xlsx"
    assert export("ropa", "--org", "A81001", "--as-of", "2026-11-25", "-o", str(out), folder=folder) == 0
    sheet = load_workbook(out)["Controller"]
    assert sheet["A9"].value == "Business function"
    assert [row[1] for row in sheet.iter_rows(min_row=10, values_only=True)] == ["direct care"]
    capsysbinary.readouterr()
    assert (
        export("ropa", "--org", "test-supplier", "--format", "csv", "--sheet", "processor", "-o", "-", folder=folder)
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(capsysbinary.readouterr().out.decode())))
    assert [(r["Name and contact details of controller"], r["icsgraph flows"]) for r in rows] == [
        (f"{name_of('A81001')} (A81001)", "f1"),
        (f"{name_of('QHM')} (QHM)", "f2"),
    ]
    assert rows[1][THIRD_COUNTRIES] == "United States"


def name_of(org_id: str) -> str:
    return next(o.name for o in reference_data().organisations if o.org_id == org_id)


def test_iafr_as_json_and_the_errors(folder: Path, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "iafr.json"
    assert export("iafr", "--org", "A81001", "--as-of", "2026-11-25", "-o", str(out), folder=folder) == 0
    document = json.loads(out.read_text())
    assert [row["Flow"] for row in document["rows"]] == ["f1"]  # f3 ceased
    assert "wrote the information assets and flows register of A81001 (1 flows)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        export("ropa", "--org", "NOPE", "-o", str(tmp_path / "x.xlsx"), folder=folder)
    assert "no organisation 'NOPE' in the graph" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        export("iafr", "--org", "A81001", "-o", str(tmp_path / "x.pdf"), folder=folder)
    assert "cannot tell the format from .pdf" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def expected_attribute(value: Any) -> Any:
    value = plain(value)
    if isinstance(value, list):
        return ";".join(value) or None
    return value


def test_graphml_reads_back_with_every_node_flow_and_attribute(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.graphml"
    assert export("graphml", "-o", str(out), folder=folder) == 0
    graph = nx.read_graphml(out, force_multigraph=True)
    contents = merge(reference_data(), [read_register(folder)])
    assert graph.number_of_nodes() == len(contents.nodes)
    assert graph.number_of_edges() == len(contents.flows) == 3
    for flow in contents.flows.values():
        attributes = graph.edges[flow.source, flow.destination, flow.flow_id]
        expected = {
            f.name: expected_attribute(getattr(flow, f.name))
            for f in dataclasses.fields(flow)
            if f.name not in ("source", "destination", "source_register")
        }
        assert attributes == {"label": flow.flow_id, **{k: v for k, v in expected.items() if v is not None}}
    for identifier in ("A81001", "test-phm", "test-supplier"):
        node = contents.nodes[identifier]
        expected = {f.name: expected_attribute(getattr(node, f.name)) for f in dataclasses.fields(node)}
        read = dict(graph.nodes[identifier])
        assert read.pop("kind") == node.kind and read.pop("label") == node.name
        read.pop("is_legal_entity", None)
        assert read == {k: v for k, v in expected.items() if v is not None}
    # --as-of keeps the flows live then.
    assert export("graphml", "--as-of", "2026-11-25", "-o", str(out), folder=folder) == 0
    assert sorted(k for _, _, k in nx.read_graphml(out, force_multigraph=True).edges(keys=True)) == ["f1", "f2"]


def test_dpv_json_ld_expands_and_every_flow_has_a_controller(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "flows.jsonld"
    assert export("dpv", "-o", str(out), folder=folder) == 0
    document = json.loads(out.read_text())
    expanded = jsonld.expand(document)
    processes = [n for n in expanded if f"{DPV}Process" in n.get("@type", [])]
    assert sorted(p[f"{DPV}hasName"][0]["@value"] for p in processes) == ["f1", "f2", "f3"]
    assert all(p.get(f"{DPV}hasDataController") for p in processes)
    by_name = {p[f"{DPV}hasName"][0]["@value"]: p for p in processes}
    assert by_name["f3"][f"{DPV}hasDataController"] == [
        {"@id": "urn:icsgraph:node:A81002"},
        {"@id": "urn:icsgraph:node:A81001"},
    ]
    assert {b["@id"] for b in by_name["f2"][f"{DPV}hasLegalBasis"]} == {
        "https://w3id.org/dpv/legal/eu/gdpr#A6-1-e",
        "https://w3id.org/dpv/legal/eu/gdpr#A9-2-h",
        "urn:icsgraph:vocab:cldc-s251",
    }
    entities = {n["@id"]: n for n in expanded if f"{DPV}LegalEntity" in n.get("@type", [])}
    assert entities["urn:icsgraph:node:A81001"][f"{DPV}hasIdentifier"] == [{"@value": "A81001"}]
    measures = [n for n in expanded if f"{DPV}LegalMeasure" in n.get("@type", [])]
    # c1 governs f1 and f3 through its covers (test-gp), though no flow lists it, and f2, out of test-gp.
    assert [m["@id"] for m in measures] == ["urn:icsgraph:agreement:c1"]
    assert all(p[f"{DPV}hasLegalMeasure"] == [{"@id": "urn:icsgraph:agreement:c1"}] for p in processes)
    assert export("dpv", "--as-of", "2026-11-25", "-o", str(out), folder=folder) == 0
    assert len([n for n in json.loads(out.read_text())["@graph"] if n["@type"] == "dpv:Process"]) == 2


def test_registers_written_back_load_to_the_same_graph(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "backup"
    assert export("register", "--out", str(out), folder=folder) == 0
    again = read_register(out / "exports-test")
    reference = reference_data()
    before, after = MemoryStore(reference, None), MemoryStore(reference, None)
    before.replace([read_register(folder)])
    after.replace([again])
    assert after.counts() == before.counts()
    assert after.view.flows == before.view.flows
    assert after.view.agreements == before.view.agreements
    assert after.view.nodes == before.view.nodes
