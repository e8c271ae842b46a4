"""Builders for the IG checks' spec tests: flows that pass every check unless a test says otherwise."""

from __future__ import annotations

from typing import Any

from support import SYSTEMS, header

from graph.schema import TABLES

FLOW_COLUMNS = TABLES["flows"].names
# A trust's identifiable acute data into its own EPR for direct care, with every legal basis recorded.
CLEAN = {
    "source": "RAA",
    "destination": "epr",
    "data_categories": "acute",
    "purposes": "direct_care",
    "identifiability": "identifiable",
    "controllers": "RAA",
    "art6": "6(1)(e)",
    "art9": "9(2)(h)",
    "cldc_basis": "implied_consent",
}

ALL_SYSTEMS = (
    SYSTEMS
    + """\
sde,Alpha SDE,sde,,,QAA,UK
fdp,Alpha FDP,fdp_instance,,,QAA,UK
dw,Alpha warehouse,data_warehouse,,,QAA,UK
"""
)
ORGANISATIONS_HEADER = header("organisations", "org_id", "name", "org_type", "legal_entity") + "\n"
AGREEMENTS_HEADER = header("agreements", "agreement_id", "agreement_type", "parties", "start", "end") + "\n"


def flow(flow_id: str, *changes: dict[str, str], **cells: str) -> str:
    """One flows.csv row: a clean flow with ``changes`` then ``cells`` applied (an empty string clears a cell)."""
    values = dict(CLEAN)
    for change in (*changes, cells):
        values.update(change)
    unknown = set(values) - set(FLOW_COLUMNS)
    assert not unknown, f"not a flows.csv column: {unknown}"
    values["flow_id"] = flow_id
    return ",".join(values.get(column, "") for column in FLOW_COLUMNS)


def flows(*rows: str) -> str:
    return ",".join(FLOW_COLUMNS) + "\n" + "\n".join(rows) + "\n"


def finding(rule: str, flow_id: str | None, org_id: str | None, reason: str) -> dict[str, Any]:
    return {"flow_id": flow_id, "org_id": org_id, "rule": rule, "reason": reason}


def keys(rows: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    """Which flow and organisation each finding is about."""
    return [(row["flow_id"], row["org_id"]) for row in rows]
