"""An organisation's records as files: its RoPA (``queries.ropa``) and its information assets and flows
register (``queries.iafr``), as an ``.xlsx`` workbook, CSV (through ``app.output.as_csv``, the one CSV
writer) or JSON.

The RoPA workbook lays each sheet out as the ICO's templates do: the organisation and its contact block
above the table (its name and ODS code from the graph; address, email and telephone, the data protection
officer and the representative present but empty, as the graph holds none of them), the table's header on
row 9.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from app.exports.workbook import Sheet, workbook_bytes
from app.output import as_csv
from queries.iafr import IAFR_COLUMNS
from queries.ropa import CONTACT_FIELDS, CONTROLLER_COLUMNS, PROCESSOR_COLUMNS

HEADER_ROW = 9  # as in the ICO's templates
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8", "json": "application/json"}
NOTE = "Filled from the icsgraph graph: a cell it holds nothing for is left empty, never guessed."


class Form(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    JSON = "json"


class RopaSheet(StrEnum):
    CONTROLLER = "controller"
    PROCESSOR = "processor"


ROPA_SHEETS = {
    RopaSheet.CONTROLLER: ("Controller", "Article 30(1)", CONTROLLER_COLUMNS),
    RopaSheet.PROCESSOR: ("Processor", "Article 30(2)", PROCESSOR_COLUMNS),
}


def contacts(role: str, name: str) -> list[list[str]]:
    """The contact block: the organisation's name, every other field empty."""
    return [
        ["", *CONTACT_FIELDS],
        [role, name, "", "", ""],
        ["Data Protection Officer", "", "", "", ""],
        ["Representative", "", "", "", ""],
    ]


def ropa_sheet(ropa: Mapping[str, Any], which: RopaSheet) -> Sheet:
    title, article, columns = ROPA_SHEETS[which]
    organisation = ropa["organisation"]
    above = [
        [f"Record of processing activities: {title.lower()} (UK GDPR {article})"],
        ["Organisation", organisation["name"], "ODS code", organisation["id"], "As of", ropa["as_of"]],
        *contacts(title, organisation["name"]),
        [NOTE],
    ]
    return Sheet(title, columns, ropa[which.value], above, HEADER_ROW)


def ropa_bytes(ropa: Mapping[str, Any], form: Form, sheet: RopaSheet = RopaSheet.CONTROLLER) -> bytes:
    """The RoPA as a workbook (both sheets), as CSV (``sheet`` alone) or as JSON (everything)."""
    if form is Form.XLSX:
        return workbook_bytes([ropa_sheet(ropa, which) for which in RopaSheet])
    if form is Form.CSV:
        return as_csv(ROPA_SHEETS[sheet][2], ropa[sheet.value]).encode("utf-8")
    contact = {"name": None, "address": None, "email": None, "telephone": None}
    document = {
        "organisation": ropa["organisation"],
        "as_of": ropa["as_of"],
        "contacts": {
            "organisation": {**contact, "name": ropa["organisation"]["name"]},
            "data_protection_officer": contact,
            "representative": contact,
        },
        **{which.value: table(ROPA_SHEETS[which][2], ropa[which.value]) for which in RopaSheet},
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def table(columns: Sequence[str], rows: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    return {"columns": list(columns), "rows": [dict(row) for row in rows]}


def iafr_bytes(iafr: Mapping[str, Any], form: Form) -> bytes:
    """The information assets and flows register as a workbook, CSV or JSON."""
    if form is Form.CSV:
        return as_csv(IAFR_COLUMNS, iafr["flows"]).encode("utf-8")
    if form is Form.JSON:
        document = {"organisation": iafr["organisation"], "as_of": iafr["as_of"], **table(IAFR_COLUMNS, iafr["flows"])}
        return (json.dumps(document, indent=2) + "\n").encode("utf-8")
    organisation = iafr["organisation"]
    above = [
        ["Information assets and flows register (DSPT 1.1.2)"],
        ["Organisation", organisation["name"], "ODS code", organisation["id"], "As of", iafr["as_of"]],
        [NOTE],
    ]
    return workbook_bytes([Sheet("Flows", IAFR_COLUMNS, iafr["flows"], above, len(above) + 2)])


def filename(kind: str, org_id: str, as_of: str, form: Form, sheet: RopaSheet | None = None) -> str:
    """A download's file name: ``ropa-QOP-2026-11-25.xlsx``; the ODS code is kept to safe characters."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in org_id)
    part = f"-{sheet.value}" if sheet is not None and form is Form.CSV else ""
    return f"{kind}-{safe}-{as_of}{part}.{form.value}"
