"""The REST API in-process: every route, the access rules, the 4xx answers and the upload round trip.

Routes that read or write the store run on both stores (``make_store``); expected bodies are exact, so
both stores must answer identically.
"""

from __future__ import annotations

import base64
import hmac
import io
from pathlib import Path
from typing import Any

import pytest
from api_support import (
    FLOWS,
    READ,
    WRITE,
    auth,
    base_register,
    client,
    register_zip,
    zipped,
)
from conftest import MakeStore
from support import SYSTEMS, register, tiny_reference

import queries
from app import deps
from app.main import create_app
from app.settings import Settings
from graph.memory import MemoryStore


def ids(body: dict[str, Any], key: str = "id") -> list[str]:
    return [item[key] for item in body["items"]]


def problems_at(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(p["where"], p["row"], p["column"], p["value"]) for p in body["problems"]]


# --- reading ---------------------------------------------------------------------------------------


def test_health_reports_the_store_and_its_counts(make_store: MakeStore) -> None:
    store = make_store(base_register())
    body = client(store).get("/health").json()
    assert body == {
        "status": "ok",
        "store": store.kind,
        "counts": {"organisations": 12, "systems": 5, "flows": 5, "agreements": 0},
        "registers": 1,
    }


def test_organisations_filter_by_type_icb_sub_icb_and_pcn(make_store: MakeStore) -> None:
    api = client(make_store(base_register()))
    assert ids(api.get("/api/organisations?org_type=gp_practice").json()) == ["A00001", "A00002", "A00003", "B00001"]
    assert ids(api.get("/api/organisations?org_type=gp_practice&icb=QBB").json()) == ["B00001"]
    assert ids(api.get("/api/organisations?sub_icb=01A").json()) == ["A00001", "A00002", "A00003"]
    assert ids(api.get("/api/organisations?pcn=U00001").json()) == ["A00001", "A00002", "A00003"]
    page = api.get("/api/organisations?limit=3&offset=2").json()
    assert (page["total"], page["limit"], page["offset"], ids(page)) == (12, 3, 2, ["A00001", "A00002", "A00003"])
    practice = api.get("/api/organisations?pcn=U00001&limit=1").json()["items"][0]
    assert practice == {
        "id": "A00001",
        "kind": "organisation",
        "org_id": "A00001",
        "name": "Practice A00001",
        "org_type": "gp_practice",
        "legal_entity": None,
        "is_legal_entity": True,
        "parent": "01A",
        "valid_from": "1974-04-01",
        "valid_to": None,
        "sub_icb": "01A",
        "icb": "QAA",
        "region": "Y99",
        "pcn": "U00001",
        "list_size": 5000,
        "imd_score": None,
        "dspt_status": None,
        "dspt_edition": None,
        "dspt_published": None,
        "source": "reference",
    }


def test_an_organisation_with_its_flows_in_and_out(make_store: MakeStore) -> None:
    api = client(make_store(base_register()))
    body = api.get("/api/organisations/A00002").json()
    assert body["organisation"]["name"] == "Practice A00002"
    assert [f["flow_id"] for f in body["flows_out"]] == ["f5"]
    assert body["flows_in"] == []
    assert api.get("/api/organisations/A00002?as_of=2026-11-25").json()["flows_out"] == []
    assert [f["flow_id"] for f in api.get("/api/organisations/RAA").json()["flows_out"]] == ["f4"]


def test_unknown_ids_give_404_with_the_id(make_store: MakeStore) -> None:
    api = client(make_store(base_register()))
    for path, message in (
        ("/api/organisations/ZZZ99", "no organisation 'ZZZ99'"),
        ("/api/systems/nope", "no system 'nope'"),
        ("/api/flows/f99", "no flow 'f99'"),
        ("/api/organisations/shcr", "'shcr' is a system, not an organisation"),
        ("/api/systems/A00001", "'A00001' is an organisation, not a system"),
        ("/api/registers/nope", "no register 'nope'"),
        ("/api/queries/nope", "no query named 'nope'"),
    ):
        response = api.get(path)
        assert response.status_code == 404, path
        body = response.json()
        assert body["error"] == "not_found" and message in body["message"] and body["fix"], path


def test_systems_filter_and_one_system(make_store: MakeStore) -> None:
    api = client(make_store(base_register()))
    assert ids(api.get("/api/systems").json()) == ["epr", "gp-a", "gpes", "phm", "shcr"]
    assert ids(api.get("/api/systems?system_type=shared_care_record").json()) == ["shcr"]
    assert ids(api.get("/api/systems?icb=QAA&limit=2").json()) == ["epr", "gp-a"]
    body = api.get("/api/systems/shcr").json()
    assert body["system"] == {
        "id": "shcr",
        "kind": "system",
        "system_id": "shcr",
        "name": "Alpha Care Record",
        "system_type": "shared_care_record",
        "operator": None,
        "supplier": None,
        "icb": "QAA",
        "hosting_location": "UK",
        "source": "base",
    }
    assert ([f["flow_id"] for f in body["flows_in"]], [f["flow_id"] for f in body["flows_out"]]) == (["f2"], ["f3"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["f1", "f2", "f3", "f4", "f5"]),
        ("source=gp-a", ["f2"]),
        ("destination=gp-a", ["f1", "f5"]),
        ("category=acute", ["f3", "f4"]),
        ("purpose=population_health_management", ["f3"]),
        ("identifiability=pseudonymised", ["f3"]),
        ("controller=A00002", ["f2", "f5"]),
        ("processor=RAA", ["f2"]),
        ("status=ceased", ["f4"]),
        ("as_of=2026-11-25", ["f1", "f2", "f3"]),
        ("as_of=2027-06-01&destination=gp-a", ["f1", "f5"]),
        ("as_of=2019-06-01&category=primary_care", ["f1", "f2"]),
        ("limit=2&offset=2", ["f3", "f4"]),
    ],
)
def test_flows_filter_and_page(make_store: MakeStore, query: str, expected: list[str]) -> None:
    body = client(make_store(base_register())).get(f"/api/flows?{query}").json()
    assert ids(body, "flow_id") == expected


def test_one_flow_has_every_register_column(make_store: MakeStore) -> None:
    flow = client(make_store(base_register())).get("/api/flows/f3").json()
    assert flow == {
        "flow_id": "f3",
        "source": "shcr",
        "destination": "phm",
        "data_categories": ["primary_care", "acute"],
        "purposes": ["population_health_management"],
        "identifiability": "pseudonymised",
        "controllers": ["QAA"],
        "joint": False,
        "processors": [],
        "sub_processors": [],
        "recipient_controller": None,
        "art6": [],
        "art9": [],
        "cldc_basis": None,
        "legal_instruments": [],
        "ndop": None,
        "type1": None,
        "agreements": [],
        "datasets": [],
        "status": "live",
        "valid_from": "2020-01-01",
        "valid_to": None,
        "frequency": None,
        "transport": None,
        "evidence": None,
        "notes": None,
        "source_register": "base",
    }


def test_the_catalogue_lists_every_query_with_parameters_and_columns() -> None:
    body = client(MemoryStore(tiny_reference(), None)).get("/api/queries").json()
    assert [q["name"] for q in body] == list(queries.CATALOGUE)
    headline = next(q for q in body if q["name"] == "practices-shcr-only")
    assert headline["columns"] == ["practice", "name", "icb", "reached"]
    assert [p["name"] for p in headline["parameters"]] == ["icb", "as_of", "include_national_collections"]


def test_a_query_as_json_and_as_csv(make_store: MakeStore) -> None:
    api = client(make_store(base_register()))
    body = api.get("/api/queries/practices-shcr-only?icb=QAA&as_of=2026-11-25").json()
    assert body == {
        "query": "practices-shcr-only",
        "params": {"icb": "QAA", "as_of": "2026-11-25", "include_national_collections": False},
        "count": 2,
        "rows": [
            {"practice": "A00002", "name": "Practice A00002", "icb": "QAA", "reached": []},
            {"practice": "A00003", "name": "Practice A00003", "icb": "QAA", "reached": []},
        ],
    }
    csv = "practice,name,icb,reached\nA00002,Practice A00002,QAA,\nA00003,Practice A00003,QAA,\n"
    by_param = api.get("/api/queries/practices-shcr-only?icb=QAA&as_of=2026-11-25&format=csv")
    by_header = api.get("/api/queries/practices-shcr-only?icb=QAA&as_of=2026-11-25", headers={"Accept": "text/csv"})
    for response in (by_param, by_header):
        assert response.headers["content-type"].startswith("text/csv") and response.text == csv


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("/api/queries/practices-shcr-only?as_of=25/11/2026", "query.as_of"),
        ("/api/queries/practices-shcr-only?include_national_collections=maybe", "query.include_national_collections"),
        ("/api/queries/practices-shcr-only?colour=red", "has no parameter 'colour'"),
        ("/api/queries/lineage", "query.node"),
        ("/api/queries/data-copies?icb=QAA&category=gossip", "query.category"),
        ("/api/flows?limit=abc", "query.limit"),
        ("/api/flows?limit=0", "query.limit"),
        ("/api/flows?category=gossip", "query.category"),
        ("/api/organisations?org_type=castle", "query.org_type"),
        ("/api/queries/lineage?node=nowhere", "no organisation or system with id 'nowhere'"),
        ("/api/queries/lineage?node=A00001&max_depth=999", "'max_depth': 999 is out of range"),
        ("/api/queries/controllership-chain?source=A00001&destination=A00001", "both 'A00001'"),
        ("/api/queries/system-controllers?system=A00001", "is an organisation, not a system"),
        ("/api/queries/agreement-expiry?within_days=-5", "'within_days': -5 is negative"),
    ],
)
def test_bad_parameters_get_a_422_that_names_them(path: str, fragment: str) -> None:
    response = client(MemoryStore(tiny_reference(), None)).get(path)
    assert response.status_code == 422
    body = response.json()
    assert fragment in body["message"] and body["fix"]


def test_a_validation_error_lists_each_problem_with_the_allowed_values() -> None:
    body = client(MemoryStore(tiny_reference(), None)).get("/api/flows?category=gossip&limit=-1").json()
    assert {p["where"] for p in body["problems"]} == {"query.category", "query.limit"}
    category = next(p for p in body["problems"] if p["column"] == "category")
    assert category["value"] == "gossip" and "primary_care" in category["expected"]


def test_checks_list_each_ig_check_with_its_findings(make_store: MakeStore) -> None:
    body = client(make_store(base_register())).get("/api/checks?as_of=2026-11-25").json()
    checks = [q.name for q in queries.CATALOGUE.values() if q.kind == "check"]
    assert [c["name"] for c in body] == checks
    for check in body:
        assert isinstance(check["findings"], int)
        assert check["url"] == f"/api/queries/{check['name']}?as_of=2026-11-25"
    lawful = next(c for c in body if c["name"] == "lawful-basis")
    rows = client(make_store(base_register())).get(lawful["url"]).json()["rows"]
    assert lawful["findings"] == len(rows) > 0


def test_unknown_routes_and_methods_answer_json() -> None:
    api = client(MemoryStore(tiny_reference(), None))
    missing = api.get("/api/castles")
    assert missing.status_code == 404 and missing.json()["fix"]
    wrong = api.put("/api/flows")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"
    assert "GET" in wrong.headers["allow"]


def test_answers_are_cached_until_the_graph_changes(make_store: MakeStore) -> None:
    store = make_store(base_register())
    api = client(store, write_token=WRITE)
    cache = api.app.state.icsgraph.cache  # type: ignore[attr-defined]
    first = api.get("/api/flows?destination=gp-a").json()
    hits = cache.hits
    assert api.get("/api/flows?destination=gp-a").json() == first
    assert cache.hits == hits + 1
    more = FLOWS + "f6,A00003,gp-a,primary_care,direct_care,identifiable,A00003,,live,,\n"
    upload = api.post("/api/registers", headers=auth(WRITE), files={"file": ("base.zip", register_zip(more))})
    assert upload.status_code == 200, upload.text
    assert ids(api.get("/api/flows?destination=gp-a").json(), "flow_id") == ["f1", "f5", "f6"]


# --- access ----------------------------------------------------------------------------------------


def test_writes_are_refused_when_no_write_token_is_configured() -> None:
    api = client(MemoryStore(tiny_reference(), None))
    upload = api.post("/api/registers", headers=auth("anything"), files={"file": ("r.zip", register_zip(FLOWS))})
    assert upload.status_code == 403 and upload.json()["error"] == "writes_disabled"
    assert "ICSGRAPH_WRITE_TOKEN" in upload.json()["fix"]
    assert api.delete("/api/registers/base", headers=auth("anything")).status_code == 403


def test_writes_need_the_write_token() -> None:
    api = client(MemoryStore(tiny_reference(), None), write_token=WRITE, read_token=READ)
    files = {"file": ("r.zip", register_zip(FLOWS))}
    for headers in ({}, auth("wrong"), auth(READ), {"Authorization": f"Basic {WRITE}"}):
        response = api.post("/api/registers", headers=headers, files=files)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert api.delete("/api/registers/r", headers=headers).status_code == 401
    assert api.post("/api/registers", headers=auth(WRITE), files=files).status_code == 200


def test_reads_are_open_by_default_and_closed_by_a_read_token() -> None:
    store = MemoryStore(tiny_reference(), None)
    assert client(store).get("/api/flows").status_code == 200
    api = client(store, write_token=WRITE, read_token=READ)
    for path in ("/api/flows", "/api/queries", "/api/organisations/A00001", "/views/", "/api/registers"):
        refused = api.get(path)
        assert refused.status_code == 401 and refused.json()["error"] == "unauthorised", path
        assert "Basic" in refused.headers["www-authenticate"]
        assert api.get(path, headers=auth("wrong")).status_code == 401
        assert api.get(path, headers=auth(READ)).status_code == 200
        assert api.get(path, headers=auth(WRITE)).status_code == 200
    # A browser sends the token as the Basic password once asked.
    basic = base64.b64encode(f"anyone:{READ}".encode()).decode()
    assert api.get("/views/", headers={"Authorization": f"Basic {basic}"}).status_code == 200
    assert api.get("/views/", headers={"Authorization": "Basic !!not-base64"}).status_code == 401
    assert api.get("/health").status_code == 200  # probes stay open


def test_tokens_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(deps.hmac, "compare_digest", spy)
    api = client(MemoryStore(tiny_reference(), None), write_token=WRITE, read_token=READ)
    api.get("/api/flows", headers=auth("guess"))
    assert (b"guess", READ.encode()) in compared and (b"guess", WRITE.encode()) in compared


# --- uploads ---------------------------------------------------------------------------------------


def upload(api: Any, content: bytes, filename: str = "up.zip", **data: str) -> Any:
    return api.post("/api/registers", headers=auth(WRITE), files={"file": (filename, content)}, data=data)


def test_upload_query_and_a_bad_reupload_leaves_the_graph_unchanged(make_store: MakeStore) -> None:
    store = make_store()
    api = client(store, write_token=WRITE)
    first = upload(api, register_zip(FLOWS, folder="up/"))
    assert first.status_code == 200, first.text
    summary = first.json()
    assert summary["loaded"]["name"] == "up" and summary["loaded"]["path"] == "upload:up.zip"
    assert summary["loaded"]["counts"] == {"organisations": 0, "systems": 5, "flows": 5, "agreements": 0}
    assert summary["registers"] == ["up"] and summary["graph"]["flows"] == 5
    headline = api.get("/api/queries/practices-shcr-only?icb=QAA&as_of=2026-11-25").json()
    assert [row["practice"] for row in headline["rows"]] == ["A00002", "A00003"]

    before = {path: api.get(path).json() for path in ("/health", "/api/registers", "/api/flows")}
    bad = FLOWS.replace("f3,shcr,phm,primary_care;acute", "f3,shcr,nowhere,primary_care;gossip")
    bad += "f9,A00003,gp-a,primary_care,direct_care,identifyable,A00003,,live,,\n"
    refused = upload(api, register_zip(bad, folder="up/"))
    assert refused.status_code == 422
    body = refused.json()
    assert body["error"] == "invalid_register" and "nothing was loaded" in body["message"]
    assert set(problems_at(body)) == {
        ("up/flows.csv", 4, "data_categories", "gossip"),
        ("up/flows.csv", 7, "identifiability", "identifyable"),
    }
    # The unknown destination is found once the cells parse; cells come first.
    assert all(p["message"].startswith("up/flows.csv, row") for p in body["problems"])
    assert {path: api.get(path).json() for path in before} == before

    unknown = upload(api, register_zip(FLOWS.replace("shcr,phm", "shcr,nowhere"), folder="up/"))
    assert unknown.status_code == 422
    assert problems_at(unknown.json()) == [("up/flows.csv", 4, "destination", "nowhere")]
    assert {path: api.get(path).json() for path in before} == before


def test_upload_an_xlsx_workbook(make_store: MakeStore) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    flows = workbook.active
    flows.title = "flows"
    flows.append(["flow_id", "source", "destination", "data_categories", "purposes", "identifiability", "controllers"])
    flows.append(["w1", "A00001", "RAA", "primary_care", "direct_care", "identifiable", "A00001"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    api = client(make_store(), write_token=WRITE)
    response = upload(api, buffer.getvalue(), "sheet.xlsx", name="workbook")
    assert response.status_code == 200, response.text
    assert response.json()["loaded"]["counts"]["flows"] == 1
    assert ids(api.get("/api/flows?source=A00001").json(), "flow_id") == ["w1"]
    flows.append(["w2", "A00001", "RAA", "primary_care", "direct_care", "unknowable", "A00001"])
    workbook.save(buffer := io.BytesIO())
    bad = upload(api, buffer.getvalue(), "sheet.xlsx", name="workbook").json()
    assert problems_at(bad) == [("workbook.xlsx, sheet flows", 3, "identifiability", "unknowable")]


def test_remove_a_register_unless_another_needs_it(make_store: MakeStore) -> None:
    systems = register(
        "systems", systems=SYSTEMS, flows="s1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,live,,"
    )
    uses = register("uses", flows="u1,gp-a,shcr,primary_care,direct_care,identifiable,A00001,live,,")
    api = client(make_store(systems, uses), write_token=WRITE)
    blocked = api.delete("/api/registers/systems", headers=auth(WRITE))
    assert blocked.status_code == 409
    assert ("uses/flows.csv", 2, "source", "gp-a") in problems_at(blocked.json()) or blocked.json()["problems"]
    assert [r["name"] for r in api.get("/api/registers").json()] == ["systems", "uses"]
    assert api.delete("/api/registers/nope", headers=auth(WRITE)).status_code == 404
    removed = api.delete("/api/registers/uses", headers=auth(WRITE))
    assert removed.status_code == 200 and removed.json()["registers"] == ["systems"]
    assert api.get("/api/registers/systems").json()["counts"]["flows"] == 1


@pytest.mark.parametrize(
    ("content", "filename", "data", "fragment"),
    [
        (b"not a zip at all", "r.zip", {}, "neither a zip of CSV files nor an .xlsx"),
        (zipped({"notes.txt": "hello"}), "r.zip", {}, "holds none of"),
        (zipped({"a/flows.csv": "x", "b/flows.csv": "y"}), "r.zip", {}, "two flows.csv"),
        (register_zip(FLOWS), "r.zip", {"name": "../etc"}, "register name may hold only"),
        (
            zipped({"[Content_Types].xml": "<x/>", "xl/workbook.xml": "<broken"}),
            "book.xlsx",
            {},
            "not a readable .xlsx",
        ),
    ],
)
def test_unreadable_uploads_get_a_422_saying_what_to_send(
    content: bytes, filename: str, data: dict[str, str], fragment: str
) -> None:
    response = upload(client(MemoryStore(tiny_reference(), None), write_token=WRITE), content, filename, **data)
    assert response.status_code == 422, response.text
    body = response.json()
    assert fragment in " ".join([body["message"], *(p["message"] for p in body["problems"])]) and body["fix"]


def test_a_zip_cannot_write_outside_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    content = zipped(
        {
            "../../escaped/flows.csv": f"{FLOWS.splitlines()[0]}",
            "/abs/systems.csv": "x",
        }
    )
    upload(client(MemoryStore(tiny_reference(), None), write_token=WRITE), content)
    assert not (tmp_path.parent.parent / "escaped").exists() and not Path("/abs").exists()


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    bomb = zipped({"flows.csv": b"0" * 30_000_000})  # 30 MB of zeros packs into about 30 kB
    api = client(MemoryStore(tiny_reference(), None), write_token=WRITE, max_upload_bytes=1_000_000)
    response = upload(api, bomb)
    assert len(bomb) < 100_000 and response.status_code == 413
    assert "unpacks to more than" in response.json()["message"]


def test_a_body_over_the_bound_gets_413() -> None:
    api = client(MemoryStore(tiny_reference(), None), write_token=WRITE, max_upload_bytes=10_000)
    response = upload(api, b"x" * 20_000)
    assert response.status_code == 413 and response.json()["error"] == "too_large"

    def chunks() -> Any:  # no Content-Length: the bound is counted as the body streams in
        for _ in range(20):
            yield b"y" * 1_000

    multipart = {"Content-Type": "multipart/form-data; boundary=xyz"}
    streamed = api.post("/api/registers", headers={**auth(WRITE), **multipart}, content=chunks())
    assert streamed.status_code == 413


def test_create_app_uses_the_stores_reference_data() -> None:
    store = MemoryStore(tiny_reference(), None)
    app = create_app(Settings(data_dir=None), store)
    assert app.state.icsgraph.reference is store.reference


def test_an_upload_overtaken_by_another_writer_is_refused_with_409_and_written_nowhere() -> None:
    store = MemoryStore(tiny_reference(), None)
    store.replace([base_register()])
    api = client(store, write_token=WRITE)
    write = store.replace

    def overtaken(registers: Any, **options: Any) -> Any:
        # Another writer gets in between this upload's check and its write.
        write([register("other", flows="o1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,")])
        return write(registers, **options)

    store.replace = overtaken  # type: ignore[method-assign]
    more = FLOWS + "f6,A00003,gp-a,primary_care,direct_care,identifiable,A00003,,live,,\n"
    answer = api.post("/api/registers", headers=auth(WRITE), files={"file": ("base.zip", register_zip(more))})
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"] == "conflict" and "send the same request again" in answer.json()["fix"]
    assert "f6" not in store.view.flows and "o1" in store.view.flows
    store.replace = write  # type: ignore[method-assign]
    again = api.post("/api/registers", headers=auth(WRITE), files={"file": ("base.zip", register_zip(more))})
    assert again.status_code == 200, again.text
