"""Documentation that fails when it drifts: every query documented, with an example, and docs/queries.md fresh;
docs/register.md fresh and stating the declared register contract."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import queries
from graph.schema import TABLES, VOCABULARIES

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


# --- docs/register.md: the register contract -------------------------------------------------------------

REGISTER_DOC = ROOT / "docs" / "register.md"


def test_the_register_contract_is_fresh():
    text = REGISTER_DOC.read_text()
    assert text.count("<!-- BEGIN generated: ") == 4
    assert text == generator().render_register(text), (
        "docs/register.md is stale: run .venv/bin/python scripts/gen_docs.py"
    )


def test_the_register_contract_states_every_declared_column_and_vocabulary_value():
    """Read back from the page as a user reads it: each file's columns and whether each is required, and
    each vocabulary's values, equal the declaration, which ``tests/test_schema.py`` holds to the model."""
    text = REGISTER_DOC.read_text()
    sections = {
        match["title"]: match["body"]
        for match in re.finditer(r"^### `(?P<title>[^`]+)`.*\n(?P<body>(?:(?!^##).*\n)*)", text, re.MULTILINE)
    }
    for table in TABLES.values():
        rows = re.findall(r"^\| `(\w+)` \| (yes|no)[^|]* \|", sections[table.file], re.MULTILINE)
        assert rows == [(c.name, "yes" if c.required else "no") for c in table.columns], table.file
        assert f"### `{table.file}` ({'required' if table.required else 'optional'})" in text
    for name, enum in VOCABULARIES.items():
        values = sections[name].strip().split("\n\n")[1].splitlines()[0]
        assert values == ", ".join(f"`{member.value}`" for member in enum), name
