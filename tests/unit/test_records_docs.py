"""docs/records.md is fresh: written from the records' own declarations, so it cannot drift from them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from queries.ropa import CONTROLLER_COLUMNS, CONTROLLER_FILLED_FROM, PROCESSOR_COLUMNS, PROCESSOR_FILLED_FROM

ROOT = Path(__file__).resolve().parents[2]


def test_the_records_doc_is_fresh_and_names_every_column() -> None:
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    text = (ROOT / "docs" / "records.md").read_text()
    assert text == generator.render_records(), "docs/records.md is stale: run .venv/bin/python scripts/gen_docs.py"
    for column in (*CONTROLLER_COLUMNS, *PROCESSOR_COLUMNS):
        assert f"| {column} |" in text


def test_only_declared_columns_are_said_to_be_filled() -> None:
    assert set(CONTROLLER_FILLED_FROM) <= set(CONTROLLER_COLUMNS)
    assert set(PROCESSOR_FILLED_FROM) <= set(PROCESSOR_COLUMNS)
