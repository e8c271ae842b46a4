"""The two worked examples of ``icsgraph import sheet`` (``examples/``, ``docs/import.md``): they import with
their mappings, the real loader validates what is written, and the headline question answers on them as their
own rows say it should.

The expected practices are derived here from the example workbooks themselves: a practice is left out when a
live row sends its GP data to a system that is neither a shared care record nor a GP clinical system.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from support import TODAY

import queries
from app.cli import main
from app.stores import reference_data
from graph.memory import MemoryStore
from graph.vocab import OrgType
from loaders.register import read_register, validate_together

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def generator() -> Any:
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(workbook: Path, sheet: str, header_row: int) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
    grid = list(book[sheet].iter_rows(values_only=True))
    book.close()
    header = grid[header_row - 1]
    return [dict(zip(header, row, strict=False)) for row in grid[header_row:] if any(row)]


def left_out(flows: list[dict[str, Any]], kinds: dict[str, str], inside: set[str], gp: str, source: str,
             target: str, categories: str, live: Any) -> set[str]:  # fmt: skip
    """The senders of GP data, on live rows, to a system outside the shared care record boundary."""
    carrying = [row for row in flows if gp in str(row[categories]) and live(row)]
    # The derivation looks one hop ahead: check the examples keep it so (GP data stops at the boundary).
    assert not [
        row for row in carrying if row[source] in kinds and kinds[row[source]] in inside and row[target] not in kinds
    ]
    return {row[source] for row in carrying if row[target] in kinds and kinds[row[target]] not in inside}


def imported(name: str, tmp_path: Path) -> Path:
    out = tmp_path / name
    with contextlib.redirect_stdout(io.StringIO()):
        source, mapping = EXAMPLES / name / f"{name}.xlsx", EXAMPLES / name / f"{name}.toml"
        code = main(["import", "sheet", str(source), "--map", str(mapping), "--out", str(out)])
    assert code == 0
    return out


def headline(folder: Path, icb: str) -> list[dict[str, Any]]:
    reference = reference_data()
    register = read_register(folder)
    validate_together(reference, {}, [register])
    store = MemoryStore(reference, None)
    store.replace([register])
    query = queries.get("practices-shcr-only")
    return store.run(query, query.bind({"icb": icb}, today=TODAY))


def practices_of(icb: str) -> set[str]:
    return {
        o.org_id
        for o in reference_data().organisations
        if o.org_type is OrgType.GP_PRACTICE and o.icb == icb and o.valid_to is None
    }


def test_the_examples_are_what_their_script_writes(tmp_path: Path) -> None:
    for written in generator().write_all(tmp_path):
        shipped = EXAMPLES / written.relative_to(tmp_path)
        assert written.read_bytes() == shipped.read_bytes(), f"{shipped} is stale: run examples/make_examples.py"


def test_the_information_assets_and_flows_register_answers_the_headline(tmp_path: Path) -> None:
    workbook = EXAMPLES / "iafr" / "iafr.xlsx"
    kinds = {row["Asset ID"]: row["Asset type"] for row in rows(workbook, "Information assets", 3)}
    flows = rows(workbook, "Data flows", 3)
    out = left_out(flows, kinds, {"Shared care record", "GP clinical system"}, "GP record",
                   "Sending organisation (ODS)", "Receiving organisation / system", "Data categories",
                   lambda row: row["Status"] == "Live")  # fmt: skip
    assert out, "the example has practices whose data leaves the shared care record"
    answer = headline(imported("iafr", tmp_path), "QOC")
    assert {row["practice"] for row in answer} == practices_of("QOC") - out
    senders = {
        row["Sending organisation (ODS)"] for row in flows if row["Receiving organisation / system"] == "stw-shcr"
    }
    reached = {row["practice"]: row["reached"] for row in answer if row["practice"] in senders}
    assert reached == {practice: ["stw-shcr"] for practice in senders & (practices_of("QOC") - out)}


def test_the_flow_map_answers_the_headline(tmp_path: Path) -> None:
    workbook = EXAMPLES / "flow-map" / "flow-map.xlsx"
    kinds = {row["System"]: row["Kind"] for row in rows(workbook, "Systems", 1)}
    flows = rows(workbook, "Flows", 1)
    out = left_out(flows, kinds, {"ShCR"}, "GP", "From", "To", "What", lambda row: True)
    assert out
    answer = headline(imported("flow-map", tmp_path), "QSL")
    assert {row["practice"] for row in answer} == practices_of("QSL") - out


@pytest.mark.parametrize("name", ["iafr", "flow-map"])
def test_the_written_register_loads_as_any_other(name: str, tmp_path: Path) -> None:
    folder = imported(name, tmp_path)
    data = tmp_path / "data"
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["load", str(folder), "--data", str(data)]) == 0
    assert (data / "registers.json").exists()
