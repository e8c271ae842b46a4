"""Property-based fuzzing of the API against its own OpenAPI schema (schemathesis, in-process ASGI).

Every operation gets valid and invalid inputs; no answer may be a 5xx, use a status, content type or
header the schema does not document, or break the documented response schema. The write token is sent,
so uploads and removals are fuzzed too. Bounded to a few examples per operation (about a minute in all);
raise ICSGRAPH_FUZZ_EXAMPLES for a longer hunt.
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support import SYSTEMS, register, tiny_reference

from app.main import create_app
from app.settings import Settings
from graph.memory import MemoryStore

EXAMPLES = int(os.environ.get("ICSGRAPH_FUZZ_EXAMPLES", "12"))
TOKEN = "fuzz-write-token"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def fuzzed_app():  # type: ignore[no-untyped-def]
    """The app on a small graph: practices, a GP system, a shared care record, a PHM platform, a flow of each."""
    store = MemoryStore(tiny_reference(), None)
    store.replace(
        [
            register(
                "fuzz",
                systems=SYSTEMS,
                flows="""
f1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,live,,
f2,gp-a,shcr,primary_care,direct_care,identifiable,A00001,live,,
f3,shcr,phm,primary_care;acute,population_health_management,pseudonymised,QAA,live,2020-01-01,
f4,RAA,epr,acute,direct_care,identifiable,RAA,ceased,,2021-01-01
""",
            )
        ]
    )
    return create_app(Settings(data_dir=None, write_token=TOKEN, max_upload_bytes=200_000), store)


schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app())
schema.config.generation.update(modes=["positive", "negative"], database="none")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_no_server_errors_and_no_schema_violations(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)
