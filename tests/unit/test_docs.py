"""Documentation that fails when it drifts: every query documented, with an example, and docs/queries.md fresh."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import queries

ROOT = Path(__file__).resolve().parents[2]


def generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_registered_query_has_a_spec_example():
    missing = sorted(set(queries.CATALOGUE) - set(generator().examples()))
    assert missing == [], f"add a DOC_EXAMPLES entry in the spec tests of: {', '.join(missing)}"


def test_every_query_and_parameter_is_documented_and_the_file_is_fresh():
    text = (ROOT / "docs" / "queries.md").read_text()
    for query in queries.CATALOGUE.values():
        assert f"### {query.name}" in text
        for param in query.params:
            assert f"| `{param.name}` |" in text
    assert text == generator().render(), "docs/queries.md is stale: run .venv/bin/python scripts/gen_docs.py"
