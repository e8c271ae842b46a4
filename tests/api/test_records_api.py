"""``/api/organisations/{id}/ropa`` and ``/iafr`` in-process: the workbook read back with openpyxl (the
ICO's headings in order, the contact block, the rows), CSV and JSON, the errors, and the OpenAPI entries."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from api_support import client
from openpyxl import load_workbook
from support import SYSTEMS, header, register, tiny_reference

from app.main import create_app
from app.settings import Settings
from graph.memory import MemoryStore
from queries.iafr import IAFR_COLUMNS

# The ICO's controller documentation template (sheet "Template", header row 9), word for word, in order.
ICO_HEADINGS = [
    "Business function",
    "Purpose of processing",
    "Name and contact details of joint controller (if applicable)",
    "Categories of individuals",
    "Categories of personal data",
    "Categories of recipients",
    "Link to contract with processor",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or international organisations "
    "(if applicable)",
    "Retention schedule (if possible)",
    "General description of technical and organisational security measures (if possible)",
    "Article 6 lawful basis for processing personal data",
    "Article 9 condition for processing special category data",
    "Legitimate interests for the processing (if applicable)",
    "Link to record of legitimate interests assessment (if applicable)",
    "Rights available to individuals",
    "Existence of automated decision-making, including profiling (if applicable)",
    "The source of the personal data (if applicable)",
    "Link to record of consent",
    "Location of personal data",
    "Data Protection Impact Assessment required?",
    "Data Protection Impact Assessment progress",
    "Link to Data Protection Impact Assessment",
    "Has a personal data breach occurred?",
    "Link to record of personal data breach",
    "Data Protection Act 2018 Schedule 1 Condition for processing",
    "GDPR Article 6 lawful basis for processing",
    "Link to retention and erasure policy document",
    "Is personal data retained and erased in accordance with the policy document?",
    "Reasons for not adhering to policy document (if applicable)",
]
OURS = ["icsgraph flows", "icsgraph findings"]
FORMULA = '=HYPERLINK("http://example.invalid","click")'
FLOWS = header(
    "flows", "flow_id", "source", "destination", "data_categories", "purposes", "identifiability", "controllers",
    "processors",
)  # fmt: skip


@pytest.fixture
def api(make_store: Any) -> Any:
    """A practice with a supplier whose name a spreadsheet would run as a formula."""
    store = make_store(
        register(
            systems=SYSTEMS,
            organisations=f'org_id,name,org_type\nevil,"{FORMULA.replace(chr(34), chr(34) * 2)}",supplier\n',
            flows=FLOWS
            + "\nf1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,evil"
            + "\nf2,A00001,phm,primary_care;acute,planning,pseudonymised,A00001,evil",
        )
    )
    return client(store)


def test_the_ropa_workbook_has_the_ico_headings_in_order_on_row_9(api: Any) -> None:
    response = api.get("/api/organisations/A00001/ropa?as_of=2026-11-25")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["content-disposition"] == 'attachment; filename="ropa-A00001-2026-11-25.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Controller", "Processor"]
    sheet = book["Controller"]
    assert [cell.value for cell in sheet[9]] == ICO_HEADINGS + OURS
    # Above the table: the organisation and its ODS code; the contact fields present and empty.
    assert [c.value for c in sheet[2]][:6] == [
        "Organisation",
        "Practice A00001",
        "ODS code",
        "A00001",
        "As of",
        "2026-11-25",
    ]
    assert [c.value for c in sheet[3]][:5] == [None, "Name", "Address", "Email", "Telephone"]
    assert [c.value for c in sheet[4]][:5] == ["Controller", "Practice A00001", None, None, None]
    assert [c.value for c in sheet[5]][:5] == ["Data Protection Officer", None, None, None, None]
    assert [c.value for c in sheet[6]][:5] == ["Representative", None, None, None, None]
    body = api.get("/api/organisations/A00001/ropa?as_of=2026-11-25&format=json").json()
    table = [[cell.value or "" for cell in row] for row in sheet.iter_rows(min_row=10)]
    assert table == [[row[column] for column in ICO_HEADINGS + OURS] for row in body["controller"]["rows"]]
    assert [row[1] for row in table] == ["direct care", "planning"]
    processor = book["Processor"]
    assert [cell.value for cell in processor[9]] == body["processor"]["columns"]
    assert processor["A1"].value == "Record of processing activities: processor (UK GDPR Article 30(2))"


def test_a_name_that_looks_like_a_formula_stays_text(api: Any) -> None:
    book = load_workbook(io.BytesIO(api.get("/api/organisations/evil/ropa").content))
    cell = book["Processor"]["A10"]
    assert cell.value == "Practice A00001 (A00001)"
    owner = book["Processor"]["B2"]
    assert (owner.value, owner.data_type) == (FORMULA, "s")


def test_csv_and_json_forms(api: Any) -> None:
    response = api.get("/api/organisations/evil/ropa?format=csv&sheet=processor&as_of=2026-11-25")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="ropa-evil-2026-11-25-processor.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["Name and contact details of controller"] for row in rows] == ["Practice A00001 (A00001)"]
    assert rows[0]["icsgraph flows"] == "f1; f2"
    body = api.get("/api/organisations/A00001/ropa?format=json").json()
    assert body["contacts"]["organisation"] == {
        "name": "Practice A00001",
        "address": None,
        "email": None,
        "telephone": None,
    }
    assert body["controller"]["columns"] == ICO_HEADINGS + OURS
    iafr = api.get("/api/organisations/A00001/iafr?format=csv&as_of=2026-11-25")
    assert iafr.headers["content-disposition"] == 'attachment; filename="iafr-A00001-2026-11-25.csv"'
    assert [row["Flow"] for row in csv.DictReader(io.StringIO(iafr.text))] == ["f1", "f2"]
    book = load_workbook(io.BytesIO(api.get("/api/organisations/A00001/iafr").content))
    assert [cell.value for cell in book["Flows"][5]] == list(IAFR_COLUMNS)


def test_unknown_organisations_systems_and_formats_are_clear_errors(api: Any) -> None:
    for path in ("/api/organisations/NOPE/ropa", "/api/organisations/gp-a/iafr"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json()["fix"] == "give an ODS code or local id; GET /api/organisations lists them"
    response = api.get("/api/organisations/A00001/ropa?format=pdf")
    assert response.status_code == 422
    assert "xlsx" in response.json()["message"]


def test_the_routes_are_in_the_openapi_document() -> None:
    paths = create_app(Settings(data_dir=None), MemoryStore(tiny_reference(), None)).openapi()["paths"]
    for path in ("/api/organisations/{org_id}/ropa", "/api/organisations/{org_id}/iafr"):
        operation = paths[path]["get"]
        assert set(operation["responses"]["200"]["content"]) == {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "text/csv; charset=utf-8",
            "application/json",
        }
        assert {p["name"] for p in operation["parameters"]} >= {"org_id", "as_of", "format"}
        assert "404" in operation["responses"]
