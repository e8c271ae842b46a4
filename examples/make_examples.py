"""Writes the two worked examples of ``icsgraph import sheet`` (see ``docs/import.md``):

- ``iafr/iafr.xlsx``: an information assets and flows register as an ICB might keep it for the Data Security
  and Protection Toolkit (evidence item 1.1.2), for Shropshire, Telford and Wrekin (``QOC``): a cover sheet,
  then information assets, suppliers, data flows and sharing agreements, headers under a title;
- ``flow-map/flow-map.xlsx``: a data flow map for Somerset (``QSL``), one sheet of flows and one of systems.

    .venv/bin/python examples/make_examples.py

The flows are fictional; the practices (the first active ones of each ICB in the bundled reference data,
by code), trusts, ICBs and the CSU are real. The mappings (``iafr.toml``, ``flow-map.toml``) are written by
hand beside them. The workbooks are byte-for-byte reproducible (fixed zip timestamps).
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from graph.vocab import OrgType  # noqa: E402
from loaders.reference import load_reference  # noqa: E402

Cell = str | date | None
Sheets = dict[str, list[list[Cell]]]


def practices(icb: str, count: int) -> list[str]:
    """The first ``count`` open practices of an ICB, by code, in the bundled reference data."""
    found = sorted(
        o.org_id
        for o in load_reference().organisations
        if o.org_type is OrgType.GP_PRACTICE and o.icb == icb and o.valid_to is None
    )
    return found[:count]


def iafr() -> Sheets:
    gp = practices("QOC", 10)
    title = ["Information Asset and Flows Register - NHS Shropshire, Telford and Wrekin ICB"]
    note = ["DSPT evidence item 1.1.2. Owner: IG team. Reviewed quarterly."]
    flows: list[list[Cell]] = [
        title,
        note,
        ["Flow ref", "Information asset", "Sending organisation (ODS)", "Receiving organisation / system",
         "Data categories", "Purpose", "Data type", "Data controller(s)", "Joint controllers?", "Processor(s)",
         "Art 6 basis", "Art 9 condition", "Common law basis", "National data opt-out", "Sharing agreement",
         "Start date", "End date", "Status", "Transfer method", "Notes"],
    ]  # fmt: skip
    number = 0

    def flow(*cells: Cell) -> None:
        nonlocal number
        number += 1
        flows.append([f"STW-{number:03d}", *cells])

    for practice in gp:
        flow("GP record", practice, "stw-gp", "GP record", "Direct care", "Personal confidential data", practice,
             "No", "emis-health", "Public task", "Health or social care", "Implied consent", "Not applicable",
             None, date(2019, 4, 1), None, "Live", "EMIS Web", None)  # fmt: skip
    for index, practice in enumerate(gp):
        # Typed as text by whoever added them: day first, as dates are written in England.
        start: Cell = "01/06/2021" if index % 2 else date(2021, 6, 1)
        flow("Shared care record", practice, "stw-shcr", "GP record, Demographics", "Direct care",
             "Personal confidential data", f"{practice}, RXW", "Yes", "RXW, graphnet-health", "Public task",
             "Health or social care", "Implied consent", "Not applicable", "STW-JCA-01", start, None, "Live",
             "Graphnet feed", None)  # fmt: skip
    for practice in gp[:3]:
        flow("Population health platform", practice, "stw-phm", "GP record", "Population health management",
             "Pseudonymised", "QOC", "No", "0CX", "Public task", "Health or social care", "s251 (CAG 7-04(a))",
             "Applied", "STW-DSA-PHM", date(2023, 1, 1), None, "Live", "Secure file transfer",
             "Pseudonymised by the CSU before it reaches the platform")  # fmt: skip
    flow("Population health platform", gp[3], "stw-phm", "GP record", "Population health management",
         "Pseudonymised", "QOC", "No", "0CX", "Public task", "Health or social care", "s251 (CAG 7-04(a))",
         "Applied", "STW-DSA-PHM", date(2023, 1, 1), date(2024, 3, 31), "Ceased", "Secure file transfer",
         "The practice withdrew in March 2024")  # fmt: skip
    flow("Hospital record", "RXW", "stw-epr", "Hospital record", "Direct care", "Personal confidential data", "RXW",
         "No", None, "Public task", "Health or social care", "Implied consent", "Not applicable", None,
         date(2018, 10, 1), None, "Live", "Internal", None)  # fmt: skip
    flow("Shared care record", "stw-epr", "stw-shcr", "Hospital record", "Direct care", "Personal confidential data",
         "RXW", "No", "graphnet-health", "Public task", "Health or social care", "Implied consent", "Not applicable",
         "STW-JCA-01", date(2021, 6, 1), None, "Live", "Graphnet feed", None)  # fmt: skip
    return {
        "Cover": [title, note, ["Sheets: Information assets, Suppliers, Data flows, Sharing agreements"]],
        "Information assets": [
            title,
            note,
            ["Asset ID", "Information asset", "Asset type", "Operated by (ODS)", "Supplier", "ICB", "Hosted in"],
            [
                "stw-gp",
                "GP clinical system (EMIS Web)",
                "GP clinical system",
                "emis-health",
                "emis-health",
                "QOC",
                "UK",
            ],
            [
                "stw-shcr",
                "Shropshire, Telford and Wrekin Shared Care Record",
                "Shared care record",
                "RXW",
                "graphnet-health",
                "QOC",
                "UK",
            ],
            ["stw-phm", "STW Population Health Platform", "Population health platform", "0CX", None, "QOC", None],
            ["stw-epr", "SaTH Electronic Patient Record", "EPR", "RXW", None, "QOC", "UK"],
        ],
        "Suppliers": [
            ["ID", "Organisation", "Type"],
            ["emis-health", "EMIS Health", "Supplier"],
            ["graphnet-health", "Graphnet Health", "Supplier"],
            ["0CX", "NHS Midlands and Lancashire Commissioning Support Unit", "Commissioning support unit"],
        ],
        "Data flows": flows,
        "Sharing agreements": [
            ["Agreement ref", "Type", "Parties", "Start", "End"],
            ["STW-JCA-01", "Joint controller arrangement", ", ".join([*gp, "RXW"]), date(2021, 6, 1), None],
            ["STW-DSA-PHM", "Data sharing agreement", ", ".join(["QOC", *gp[:4]]), date(2023, 1, 1), date(2027, 3, 31)],
            ["STW-C28-CSU", "Processor contract (Art 28)", "QOC, 0CX", date(2023, 1, 1), None],
        ],
    }


def flow_map() -> Sheets:
    gp = practices("QSL", 8)
    flows: list[list[Cell]] = [
        ["Ref", "From", "To", "What", "Why", "Identifiable?", "Controller", "Art 6", "Art 9",
         "Confidentiality basis", "Since", "Frequency"],
    ]  # fmt: skip
    for number, practice in enumerate(gp, start=1):
        since: Cell = date(2022, 4, 1) if number % 3 else "1 April 2022"
        flows.append([f"FM-{number:02d}", practice, "somerset-shcr", "GP/Demographics", "Care", "Yes", practice,
                      "6(1)(e)", "9(2)(h)", "Implied consent", since, "Real time"])  # fmt: skip
    for number, practice in enumerate(gp[-2:], start=len(gp) + 1):
        flows.append([f"FM-{number:02d}", practice, "somerset-risk", "GP", "Risk stratification", "Pseudo", "QSL",
                      "6(1)(e)", "9(2)(h)", "s251", date(2024, 1, 15), "Monthly"])  # fmt: skip
    flows.append([f"FM-{len(gp) + 3:02d}", "RH5", "somerset-shcr", "Hospital/Social care", "Care", "Yes", "RH5",
                  "6(1)(e)", "9(2)(h)", "Implied consent", date(2020, 9, 1), "Real time"])  # fmt: skip
    return {
        "Flows": flows,
        "Systems": [
            ["System", "Name", "Kind", "Run by", "Where hosted"],
            ["somerset-shcr", "Somerset Integrated Digital e-Record (SIDeR)", "ShCR", "RH5", "UK"],
            ["somerset-risk", "Somerset risk stratification tool", "Risk tool", "QSL", "UK"],
        ],
    }


def write_workbook(path: Path, sheets: Sheets) -> Path:
    """One sheet per entry, reproducibly: the same cells always give the same bytes."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", content)
            target.writestr(zipfile.ZipInfo(item.filename, (2026, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return path


def write_all(root: Path = ROOT) -> list[Path]:
    return [
        write_workbook(root / "iafr" / "iafr.xlsx", iafr()),
        write_workbook(root / "flow-map" / "flow-map.xlsx", flow_map()),
    ]


if __name__ == "__main__":
    for written in write_all():
        print(f"wrote {written.relative_to(ROOT.parent)}")
