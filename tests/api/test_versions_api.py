"""The versions, diff and rollback routes, on both stores (issue #13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api_support import FLOWS, WRITE, auth, client, register_zip
from conftest import MakeStore

from graph.history import digest

CHANGED = FLOWS.replace(
    "f3,shcr,phm,primary_care;acute,population_health_management,pseudonymised",
    "f3,shcr,phm,primary_care,population_health_management,anonymised",
).replace("f5,A00002,gp-a,primary_care,direct_care,identifiable,A00002,,live,2027-01-01,\n", "")
CHANGED += "f6,A00003,gp-a,primary_care,direct_care,identifiable,A00003,,live,,\n"


def upload(api: Any, flows: str, name: str = "up") -> Any:
    return api.post("/api/registers", headers=auth(WRITE), files={"file": (f"{name}.zip", register_zip(flows))})


def test_uploads_make_versions_an_identical_one_says_so_and_a_rollback_restores(
    make_store: MakeStore, tmp_path: Path
) -> None:
    store = make_store()
    api = client(store, write_token=WRITE, data_dir=tmp_path / "server")
    first = upload(api, FLOWS).json()
    assert (first["loaded"]["version"], first["unchanged"], first["message"]) == (1, False, "up loaded as version 1")
    again = upload(api, FLOWS).json()
    assert again["unchanged"] is True and again["loaded"] == first["loaded"]
    assert again["message"] == "up is identical to version 1, which is in the graph: no new version"
    second = upload(api, CHANGED).json()
    assert second["loaded"]["version"] == 2 and api.get("/api/registers/up").json()["version"] == 2

    versions = api.get("/api/registers/up/versions").json()
    assert [(v["version"], v["current"], v["actor"], v["source"]) for v in versions] == [
        (1, False, "ICSGRAPH_WRITE_TOKEN", "upload:up.zip"),
        (2, True, "ICSGRAPH_WRITE_TOKEN", "upload:up.zip"),
    ]
    assert versions[0]["sha256"] == digest(store.version_register("up", 1))
    assert versions[1]["counts"] == {"organisations": 0, "systems": 5, "flows": 5, "agreements": 0}

    changes = api.get("/api/registers/up/diff").json()
    assert (changes["name"], changes["from"], changes["to"]) == ("up", 1, 2)
    assert [(e["kind"], e["id"]) for e in changes["added"]] == [("flow", "f6")]
    assert [(e["kind"], e["id"], e["record"]["valid_from"]) for e in changes["removed"]] == [
        ("flow", "f5", "2027-01-01")
    ]
    assert changes["changed"] == [
        {
            "kind": "flow",
            "id": "f3",
            "fields": {
                "data_categories": {"old": ["primary_care", "acute"], "new": ["primary_care"]},
                "identifiability": {"old": "pseudonymised", "new": "anonymised"},
            },
        }
    ]
    backwards = api.get("/api/registers/up/diff?from=2&to=1").json()
    assert [e["id"] for e in backwards["added"]] == ["f5"] and [e["id"] for e in backwards["removed"]] == ["f6"]
    everything = api.get("/api/registers/up/diff?to=1").json()
    assert everything["from"] is None and len(everything["added"]) == 10 and not everything["removed"]

    rolled = api.post("/api/registers/up/rollback?version=1", headers=auth(WRITE))
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["loaded"]["version"] == 3
    assert rolled.json()["message"] == "up rolled back to version 1, as version 3"
    into_gp = [flow["flow_id"] for flow in api.get("/api/flows?destination=gp-a").json()["items"]]
    assert into_gp == ["f1", "f5"]  # as in version 1; version 2 had f1 and f6
    assert api.get("/api/registers/up/versions").json()[2]["note"] == "rollback to version 1"
    assert not api.get("/api/registers/up/diff?from=1&to=3").json()["changed"]
    same = api.post("/api/registers/up/rollback?version=3", headers=auth(WRITE)).json()
    assert same["unchanged"] is True and same["loaded"]["version"] == 3


def test_unknown_registers_and_versions_get_404_naming_what_there_is(make_store: MakeStore, tmp_path: Path) -> None:
    api = client(make_store(), write_token=WRITE, data_dir=tmp_path / "server")
    upload(api, FLOWS)
    missing = api.get("/api/registers/nope/versions")
    assert missing.status_code == 404 and "registers with versions: up" in missing.json()["message"]
    assert (
        api.get("/api/registers/up/diff?from=7").json()["message"] == "register 'up' has no version 7; its versions: 1"
    )
    assert api.get("/api/registers/up/diff?to=0").status_code == 422
    rollback = api.post("/api/registers/up/rollback?version=9", headers=auth(WRITE))
    assert rollback.status_code == 404 and "its versions: 1" in rollback.json()["message"]
    assert api.post("/api/registers/up/rollback", headers=auth(WRITE)).status_code == 422


def test_a_removed_registers_versions_stay_and_it_can_be_rolled_back(make_store: MakeStore, tmp_path: Path) -> None:
    api = client(make_store(), write_token=WRITE, data_dir=tmp_path / "server")
    upload(api, FLOWS)
    assert api.delete("/api/registers/up", headers=auth(WRITE)).status_code == 200
    assert api.get("/api/registers").json() == []
    assert [v["current"] for v in api.get("/api/registers/up/versions").json()] == [False]
    back = api.post("/api/registers/up/rollback?version=1", headers=auth(WRITE)).json()
    assert back["loaded"]["version"] == 2 and back["registers"] == ["up"]


def test_the_views_index_shows_each_registers_version_and_when_it_changed(make_store: MakeStore) -> None:
    api = client(make_store(), write_token=WRITE)
    upload(api, FLOWS)
    changed = upload(api, CHANGED).json()["loaded"]
    page = api.get("/views/").text
    when = changed["loaded_at"][:16].replace("T", " ")  # the home page shows it to the minute
    assert "<li>up (version 2): 5 flows," in page and f"; last changed {when}</li>" in page
