"""Builders for spec tests: a tiny reference graph and registers written inline as CSV text."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from graph.model import DsptStatus, Organisation, ReferenceData, Register
from graph.schema import TABLES
from graph.vocab import OrgType
from loaders.register import parse_register
from loaders.table import Table, parse_rows

TODAY = date(2026, 11, 25)


def tiny_reference() -> ReferenceData:
    """Two ICBs of one region, a sub-ICB location each, three practices in QAA and one in QBB."""
    orgs = [
        Organisation("Y99", "Test Region", OrgType.REGION),
        Organisation("QAA", "NHS Alpha ICB", OrgType.ICB, parent="Y99", icb="QAA", region="Y99"),
        Organisation("QBB", "NHS Beta ICB", OrgType.ICB, parent="Y99", icb="QBB", region="Y99"),
        Organisation("01A", "Alpha ICB - 01A", OrgType.SUB_ICB_LOCATION, parent="QAA", icb="QAA", region="Y99"),
        Organisation("02B", "Beta ICB - 02B", OrgType.SUB_ICB_LOCATION, parent="QBB", icb="QBB", region="Y99"),
        Organisation("U00001", "Alpha PCN", OrgType.PCN, parent="01A", icb="QAA", region="Y99"),
        Organisation("RAA", "Alpha Hospitals NHS Trust", OrgType.ACUTE_TRUST, parent="QAA", icb="QAA", region="Y99"),
        Organisation("E06000001", "Alphashire Council", OrgType.LOCAL_AUTHORITY, icb="QAA", region="Y99"),
    ]
    for code, sub_icb, icb, size in (
        ("A00001", "01A", "QAA", 5000),
        ("A00002", "01A", "QAA", 7000),
        ("A00003", "01A", "QAA", 9000),
        ("B00001", "02B", "QBB", 4000),
    ):
        orgs.append(
            Organisation(
                code,
                f"Practice {code}",
                OrgType.GP_PRACTICE,
                parent=sub_icb,
                sub_icb=sub_icb,
                icb=icb,
                region="Y99",
                pcn="U00001" if icb == "QAA" else None,
                list_size=size,
                valid_from=date(1974, 4, 1),
            )
        )
    # DSPT statuses: one met, one short of the standards, one with no date, and a sub-ICB location's code,
    # which no organisation takes (only legal entities do the toolkit); NECS's for registers that define it.
    dspt = {
        "RAA": DsptStatus("Standards Met", "2020/21", date(2021, 6, 30)),
        "QAA": DsptStatus("Approaching Standards", "2020/21", date(2021, 6, 29)),
        "E06000001": DsptStatus("Standards Not Met"),
        "01A": DsptStatus("Standards Met", "2019/20", date(2020, 3, 31)),
        "0AR": DsptStatus("Standards Exceeded", "2020/21", date(2021, 7, 30)),
    }
    return ReferenceData(organisations=orgs, dspt=dspt)


# IMD 2019 scores for the tiny reference's practices; A00003's is not known, as for practices missing
# from the Fingertips file.
IMD_SCORES = {"A00001": 41.5, "A00002": 12.25, "B00001": 27.0}


def deprived_reference() -> ReferenceData:
    """The tiny reference with an IMD score on every practice but A00003."""
    orgs = [replace(o, imd_score=IMD_SCORES.get(o.org_id)) for o in tiny_reference().organisations]
    return ReferenceData(organisations=orgs)


def table(name: str, text: str) -> Table:
    grid = list(csv.reader(io.StringIO(text.strip())))
    return parse_rows(name, f"{name}.csv", grid)


def header(table: str, *names: str) -> str:
    """A CSV header of ``table``: every declared column (``graph.schema``), or ``names`` checked against them.

    ``names`` must keep the declaration's order, so inline rows written in the spec's order line up.

    >>> header("agreements")
    'agreement_id,agreement_type,parties,start,end,covers,reference'
    """
    declared = TABLES[table].names
    chosen = names or declared
    unknown = [name for name in chosen if name not in declared]
    assert not unknown, f"not a column of {table}.csv: {', '.join(unknown)}"
    assert list(chosen) == sorted(chosen, key=declared.index), f"columns of {table}.csv out of the declared order"
    return ",".join(chosen)


FLOW_HEADER = header(
    "flows", "flow_id", "source", "destination", "data_categories", "purposes", "identifiability", "controllers",
    "status", "valid_from", "valid_to",
)  # fmt: skip


def register(
    name: str = "test",
    *,
    flows: str = "",
    systems: str = "",
    organisations: str = "",
    agreements: str = "",
    flow_header: str = FLOW_HEADER,
) -> Register:
    """A register from inline CSV bodies; ``flows`` rows follow ``flow_header`` unless they carry their own."""
    tables = {"flows": table("flows", flows if flows.lstrip().startswith("flow_id") else flow_header + "\n" + flows)}
    if systems:
        tables["systems"] = table("systems", header("systems") + "\n" + systems)
    if organisations:
        tables["organisations"] = table("organisations", organisations)
    if agreements:
        tables["agreements"] = table("agreements", agreements)
    return parse_register(name, name, tables)


SYSTEMS = """\
shcr,Alpha Care Record,shared_care_record,,,QAA,UK
gp-a,Alpha GP system,gp_clinical_system,,,QAA,UK
phm,Alpha PHM,phm_platform,,,QAA,UK
gpes,GPES,national_collection,,,,UK
epr,Alpha EPR,epr,RAA,,QAA,UK
"""


@dataclass(frozen=True)
class Example:
    """A spec test's graph and parameters, shown in docs/queries.md with the rows it gives.

    Each spec-test module lists its examples in a module-level ``DOC_EXAMPLES`` dict keyed by query
    name; ``scripts/gen_docs.py`` runs them on the embedded store.
    """

    register: Callable[[], Register]
    params: dict[str, Any] = field(default_factory=dict)
    # The reference graph it runs over, when not the tiny one.
    reference: Callable[[], ReferenceData] = tiny_reference
