"""``POST /api/registers`` with a release register (``format=release-register``) or a sheet and its mapping
(a ``map`` part): imported as ``icsgraph import`` does, loaded atomically, and every problem a 422 located in
the user's own files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_support import WRITE, auth, client
from fixtures.make_release_fixtures import OUT as DATA_USES_REGISTER

from app.stores import reference_data
from graph.memory import MemoryStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FLOW_MAP = EXAMPLES / "flow-map" / "flow-map.xlsx"
FLOW_MAP_TOML = (EXAMPLES / "flow-map" / "flow-map.toml").read_text()


@pytest.fixture
def api() -> Any:
    return client(MemoryStore(reference_data(), None), write_token=WRITE)


def post(api: Any, path: Path | None = None, *, content: bytes | None = None, filename: str | None = None,
         mapping: str | None = None, **data: str) -> Any:  # fmt: skip
    files: dict[str, Any] = {"file": (filename or path.name, content if content is not None else path.read_bytes())}  # type: ignore[union-attr]
    if mapping is not None:
        files["map"] = ("map.toml", mapping.encode())
    return api.post("/api/registers", headers=auth(WRITE), files=files, data=data)


def test_a_release_register_workbook_is_imported_and_loaded(api: Any) -> None:
    response = post(api, DATA_USES_REGISTER, format="release-register", name="dur")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["loaded"]["counts"] == {"organisations": 3, "systems": 5, "flows": 8, "agreements": 4}
    assert (body["imported"]["layout"], body["imported"]["discloser"]) == ("current", "X24")
    assert body["imported"]["unknown_datasets"] == ["Widget Usage Survey Extract"]
    flows = api.get("/api/flows?destination=RR8").json()["items"]
    assert [flow["flow_id"] for flow in flows] == [
        "DARS-NIC-100001-AAAAA-v1.0:drr-civil-registrations-of-death:2",
        "DARS-NIC-100001-AAAAA-v1.0:drr-hospital-episode-statistics-admitted-patient-care:2",
    ]


def test_a_sheet_and_its_mapping_are_imported_and_answer_the_headline(api: Any) -> None:
    response = post(api, FLOW_MAP, mapping=FLOW_MAP_TOML)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["loaded"]["name"] == "flow-map" and body["loaded"]["path"] == "upload:flow-map.xlsx"
    assert body["imported"]["written"] == {"systems": 2, "flows": 11}
    answer = api.get("/api/queries/practices-shcr-only?icb=QSL").json()
    assert "somerset-shcr" in {shcr for row in answer["rows"] for shcr in row["reached"]}


def test_a_csv_sheet_with_its_mapping(api: Any) -> None:
    mapping = '[[table]]\nregister = "flows"\ncolumns = {flow_id = "Ref", source = "From", destination = "To", ' \
        'data_categories = "What", purposes = "Why", identifiability = "Type", controllers = "Who"}\n'  # fmt: skip
    sheet = b"Ref,From,To,What,Why,Type,Who\nc1,RH5,QSL,acute,planning,pseudonymised,QSL\n"
    response = post(api, content=sheet, filename="flows.csv", mapping=mapping)
    assert response.status_code == 200, response.text
    assert response.json()["loaded"]["counts"]["flows"] == 1


def problems_of(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [problem["message"] for problem in response.json()["problems"]]


def test_a_bad_mapping_is_a_422_at_the_users_header(api: Any) -> None:
    mapping = FLOW_MAP_TOML.replace('flow_id = "Ref"', 'flow_id = "Reference"').replace(
        '"Yes" = "identifiable"', '"Yes" = "known"'
    )
    messages = problems_of(post(api, FLOW_MAP, mapping=mapping))
    assert messages == [
        "map.toml, [[table]] 2 (flows), [table.values.identifiability] 'Yes': 'known': expected one of: identifiable, "
        "pseudonymised, anonymised, aggregate"
    ]
    messages = problems_of(
        post(api, FLOW_MAP, mapping=FLOW_MAP_TOML.replace('flow_id = "Ref"', 'flow_id = "Reference"'))
    )
    assert messages[0].startswith("flow-map.xlsx, sheet Flows, row 1, column Reference: no such header in row 1")
    assert api.get("/api/registers").json() == []


def test_a_bad_row_is_a_422_at_the_users_row(api: Any) -> None:
    sheet = (
        b"Ref,From,To,What,Why,Type,Who\nc1,RH5,QSL,acute,planning,pseudonymised,QSL\nc2,RH5,nowhere,acute,x,p,QSL\n"
    )
    mapping = '[[table]]\nregister = "flows"\ncolumns = {flow_id = "Ref", source = "From", destination = "To", ' \
        'data_categories = "What", purposes = "Why", identifiability = "Type", controllers = "Who"}\n'  # fmt: skip
    messages = problems_of(post(api, content=sheet, filename="mine.csv", mapping=mapping))
    assert messages == [
        "mine.csv, row 3, column Why: 'x': expected one of: direct_care, risk_stratification, "
        "population_health_management, planning, commissioning, invoice_validation, national_collection, "
        "public_health, research, service_evaluation, clinical_audit, safeguarding, other; or translate your value "
        "in [table.values.purposes] of [[table]] 1 (flows)",
        "mine.csv, row 3, column Type: 'p': expected one of: identifiable, pseudonymised, anonymised, aggregate; or "
        "translate your value in [table.values.identifiability] of [[table]] 1 (flows)",
    ]


@pytest.mark.parametrize(
    ("data", "content", "expected"),
    [
        ({"format": "release-register"}, FLOW_MAP.read_bytes(),
         "not a data release register: expected the sheets DataReleases and PurposeStatements"),
        ({"format": "release-register"}, b"not a workbook", "upload.xlsx: the upload is not an .xlsx release register"),
        ({"format": "release-register", "period": "2017-09..later"}, DATA_USES_REGISTER.read_bytes(),
         "period: the period is not FROM..TO"),
    ],
)  # fmt: skip
def test_what_is_not_a_release_register_is_a_422(api: Any, data: dict[str, str], content: bytes, expected: str) -> None:
    messages = problems_of(post(api, content=content, filename="upload.xlsx", **data))
    assert any(expected in message for message in messages), messages


def test_a_release_register_takes_no_mapping(api: Any) -> None:
    messages = problems_of(post(api, DATA_USES_REGISTER, mapping=FLOW_MAP_TOML, format="release-register"))
    assert messages == ["map: a release register takes no mapping"]


def test_an_import_needs_the_write_token(api: Any) -> None:
    files = {"file": ("dur.xlsx", DATA_USES_REGISTER.read_bytes())}
    assert api.post("/api/registers", files=files, data={"format": "release-register"}).status_code == 401
