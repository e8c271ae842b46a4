"""Builders for the API and view tests: a small register, registers as uploads, and a client."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from support import SYSTEMS, header, register

from app.main import create_app
from app.settings import Settings
from graph.model import Register
from graph.store import Store

WRITE = "write-token-for-tests"
READ = "read-token-for-tests"
XSS = "<img src=x onerror=alert(1)>"

FLOW_HEADER = header(
    "flows", "flow_id", "source", "destination", "data_categories", "purposes", "identifiability", "controllers",
    "processors", "status", "valid_from", "valid_to",
)  # fmt: skip
FLOWS = """\
f1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,live,,
f2,gp-a,shcr,primary_care,direct_care,identifiable,A00001;A00002,RAA,live,,
f3,shcr,phm,primary_care;acute,population_health_management,pseudonymised,QAA,,live,2020-01-01,
f4,RAA,epr,acute,direct_care,identifiable,RAA,,ceased,,2021-01-01
f5,A00002,gp-a,primary_care,direct_care,identifiable,A00002,,live,2027-01-01,
"""


def base_register(name: str = "base") -> Register:
    """Two practices into a GP system, on to a shared care record and a PHM platform; a ceased and a future flow."""
    return register(name, systems=SYSTEMS, flows=f"{FLOW_HEADER}\n{FLOWS}")


def xss_register(name: str = "xss") -> Register:
    """A supplier and a system whose names are markup, with a flow to each."""
    return register(
        name,
        organisations=f"org_id,name,org_type\nevil,{XSS},supplier",
        systems=f'sx,"{XSS}",phm_platform,evil,,QAA,UK',
        flows=f"{FLOW_HEADER}\nx1,A00003,sx,primary_care,planning,pseudonymised,A00003,evil,live,,",
    )


def client(store: Store, **settings: Any) -> TestClient:
    """An in-process client of the app on ``store``; settings default to no tokens."""
    options: dict[str, Any] = {"data_dir": None, "write_token": None, "read_token": None, **settings}
    return TestClient(create_app(Settings(**options), store))


def zipped(files: dict[str, str | bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def register_zip(flows: str, systems: str = SYSTEMS, folder: str = "") -> bytes:
    """A register as a CSV zip, optionally inside one folder as zipping a folder does."""
    return zipped(
        {
            f"{folder}systems.csv": "system_id,name,system_type,operator,supplier,icb,hosting_location\n" + systems,
            f"{folder}flows.csv": f"{FLOW_HEADER}\n{flows}",
        }
    )


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
