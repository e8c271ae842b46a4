"""Scoped tokens: each role against each route, the 403 that names a writer's globs, reads closed by a
tokens file, the environment's tokens still working, rate limits, and no token kept in plain text
(issue #13)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from api_support import FLOWS, READ, WRITE, auth, client, register_zip
from fastapi.testclient import TestClient
from support import tiny_reference

from app.tokens import TokensFile
from graph.memory import MemoryStore

ROLES = {  # name: (role, globs)
    "reader-1": ("reader", ()),
    "gm-writer": ("writer", ("gm-*", "qop-shcr")),
    "admin-1": ("admin", ()),
}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A tokens file with a reader, a writer of gm-* and qop-shcr, and an admin; and the tokens themselves."""
    path = tmp_path_factory.mktemp("tokens") / "tokens.json"
    tokens = TokensFile(path)
    return path, {name: tokens.add(name, role, globs)[1] for name, (role, globs) in ROLES.items()}


@pytest.fixture
def server(made: tuple[Path, dict[str, str]], tmp_path: Path) -> tuple[TestClient, dict[str, str], MemoryStore]:
    """An app on a data directory holding a copy of the tokens file, with gm-one loaded twice and the
    environment's tokens set too."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(made[0], data / "tokens.json")
    store = MemoryStore(tiny_reference(), data)
    api = client(store, data_dir=data, write_token=WRITE, read_token=READ)
    for flows in (FLOWS, FLOWS.replace("identifiable,A00001,,live", "pseudonymised,A00001,,live")):
        assert upload(api, WRITE, "gm-one", flows).status_code == 200
    tokens = {**made[1], "env-write": WRITE, "env-read": READ, "wrong": "icsgraph_000000000000_" + "x" * 43}
    return api, tokens, store


def renamed(prefix: str) -> str:
    """The test flows under other flow ids, for a register of their own."""
    return re.sub(r"^f", prefix, FLOWS, flags=re.MULTILINE)


def upload(api: TestClient, token: str | None, name: str, flows: str = FLOWS) -> Any:
    headers = auth(token) if token else {}
    return api.post("/api/registers", headers=headers, files={"file": (f"{name}.zip", register_zip(flows))})


READS = [
    "/api/registers",
    "/api/registers/gm-one",
    "/api/registers/gm-one/versions",
    "/api/registers/gm-one/diff",
    "/api/flows",
    "/api/queries/practices-shcr-only?icb=QAA",
    "/views/",
]
CALLERS = ["none", "wrong", "reader-1", "gm-writer", "admin-1", "env-write", "env-read"]


@pytest.mark.parametrize("caller", CALLERS)
def test_with_a_tokens_file_every_read_needs_a_valid_token(server: Any, caller: str) -> None:
    api, tokens, _ = server
    for path in READS:
        response = api.get(path, headers=auth(tokens[caller]) if caller != "none" else {})
        assert response.status_code == (401 if caller in ("none", "wrong") else 200), (path, response.text)
    assert api.get("/health").status_code == 200  # probes stay open


WRITES = {
    # route: how to ask for it, on a register the writer's globs cover or not
    "upload": lambda api, token, name: upload(api, token, name, FLOWS.replace("f1,", "f1x,")),
    "remove": lambda api, token, name: api.delete(f"/api/registers/{name}", headers=auth(token) if token else {}),
    "rollback": lambda api, token, name: api.post(
        f"/api/registers/{name}/rollback?version=1", headers=auth(token) if token else {}
    ),
}
EXPECTED = {  # caller: status on a covered register, on one not covered
    "none": (401, 401),
    "wrong": (401, 401),
    "reader-1": (403, 403),
    "gm-writer": (200, 403),
    "admin-1": (200, 200),
    "env-write": (200, 200),
    "env-read": (401, 401),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route", WRITES)
def test_each_role_against_each_write(server: Any, caller: str, route: str) -> None:
    api, tokens, store = server
    token = tokens[caller] if caller != "none" else None
    other = upload(api, WRITE, "other", renamed("o"))
    assert other.status_code == 200, other.text
    covered, uncovered = WRITES[route](api, token, "gm-one"), WRITES[route](api, token, "other")
    assert (covered.status_code, uncovered.status_code) == EXPECTED[caller], (covered.text, uncovered.text)
    if caller == "gm-writer":
        message = uncovered.json()["message"]
        assert message == "token 'gm-writer' may write only registers matching gm-*, qop-shcr; not 'other'"
    if caller == "reader-1":
        assert "is a reader" in covered.json()["message"] and "writer token" in covered.json()["fix"]
    if EXPECTED[caller][0] == 401:
        assert covered.headers["www-authenticate"].startswith("Bearer")
    # What a refused write would have changed is unchanged.
    if EXPECTED[caller][1] != 200:
        assert [v.version for v in store.versions("other")] == [1] and "other" in store.loaded()


@pytest.mark.parametrize(("caller", "status"), [("none", 401), ("wrong", 401), ("reader-1", 403), ("gm-writer", 403),
                                                ("admin-1", 200), ("env-write", 200), ("env-read", 403)])  # fmt: skip
def test_only_admins_read_the_audit_log(server: Any, caller: str, status: int) -> None:
    api, tokens, _ = server
    response = api.get("/api/audit", headers=auth(tokens[caller]) if caller != "none" else {})
    assert response.status_code == status, response.text


def test_a_writers_upload_is_logged_under_its_name(server: Any) -> None:
    api, tokens, store = server
    assert upload(api, tokens["gm-writer"], "gm-two", renamed("t")).status_code == 200
    assert store.versions("gm-two")[0].actor == "gm-writer"
    last = api.get("/api/audit", headers=auth(tokens["admin-1"])).json()[-1]
    assert (last["actor"], last["via"], last["action"], last["register"], last["result"]) == (
        "gm-writer",
        "api",
        "load",
        "gm-two",
        "accepted",
    )


def test_a_revoked_token_stops_working_on_a_running_server(server: Any, tmp_path: Path) -> None:
    api, tokens, _ = server
    assert api.get("/api/flows", headers=auth(tokens["reader-1"])).status_code == 200
    TokensFile(tmp_path / "data" / "tokens.json").revoke("reader-1")  # as `icsgraph token revoke` does
    assert api.get("/api/flows", headers=auth(tokens["reader-1"])).status_code == 401
    assert api.get("/api/flows", headers=auth(tokens["admin-1"])).status_code == 200


def test_writes_are_rate_limited_per_token(made: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(made[0], data / "tokens.json")
    api = client(MemoryStore(tiny_reference(), data), data_dir=data, write_rate=2)
    writer, admin = made[1]["gm-writer"], made[1]["admin-1"]
    assert [upload(api, writer, "gm-a").status_code for _ in range(2)] == [200, 200]
    limited = upload(api, writer, "gm-a")
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 30
    assert upload(api, admin, "gm-a").status_code == 200  # another token has its own allowance
    entries = api.get("/api/audit", headers=auth(admin)).json()
    assert [(e["actor"], e["result"]) for e in entries][-2:] == [("gm-writer", "refused"), ("admin-1", "unchanged")]
    assert "writes in a minute" in entries[-2]["detail"]


def test_no_token_is_kept_in_plain_text(server: Any, tmp_path: Path) -> None:
    api, tokens, _ = server
    for name in ("gm-writer", "admin-1"):
        upload(api, tokens[name], "gm-two", renamed("t"))
    api.get("/api/audit", headers=auth(tokens["admin-1"]))
    upload(api, tokens["wrong"], "gm-three")  # refused: logged without the token it sent
    secrets = [text for name, text in tokens.items() if name in ROLES]
    files = [path for path in (tmp_path / "data").rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {"tokens.json", "audit.log", "registers.json"}
    for path in files:
        content = path.read_bytes()
        for secret in [*secrets, tokens["wrong"]]:
            assert secret.encode() not in content, path
            assert secret.split("_", 2)[-1].encode() not in content, path  # nor the secret alone (it may hold "_")
    stored = json.loads((tmp_path / "data" / "tokens.json").read_text())["tokens"]
    assert {entry["name"] for entry in stored} == set(ROLES)
    assert all(len(entry["salt"]) == 32 and len(entry["hash"]) == 64 for entry in stored)
    assert len({entry["salt"] for entry in stored}) == len(stored)  # a salt of its own each


def test_tokens_from_the_environment_keep_working_without_a_tokens_file(tmp_path: Path) -> None:
    api = client(MemoryStore(tiny_reference(), tmp_path / "data"), write_token=WRITE, read_token=READ)
    assert upload(api, WRITE, "anything").status_code == 200  # the write token is an admin
    assert upload(api, READ, "anything").status_code == 401
    logged = [(e["actor"], e["result"]) for e in api.get("/api/audit", headers=auth(WRITE)).json()]
    assert logged == [("ICSGRAPH_WRITE_TOKEN", "accepted"), ("ICSGRAPH_READ_TOKEN", "refused")]
    assert api.get("/api/audit", headers=auth(READ)).status_code == 403
    assert api.get("/api/flows", headers=auth(READ)).status_code == 200
    open_server = client(MemoryStore(tiny_reference(), None))
    refused = open_server.get("/api/audit")
    assert refused.status_code == 403 and "token add NAME --role admin" in refused.json()["fix"]
