"""The RoPA (``queries.ropa``) on the bundled demo, on every store: a practice, an ICB and a CSU, row for row.

The expected rows are worked out here from the demo's register files, read with the csv module, and the
national reference data for names: the flows each organisation controls (or receives as recipient
controller), grouped by purpose and destination; the processor rows per controller. Only the findings
column is taken from the product, from the IG checks run on their own, since working out every check
again here would be a second copy of the rules.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import queries
from app.settings import DEMO_DIR, demo_registers
from app.stores import reference_data
from graph.vocab import CldcBasis, DataCategory, Purpose
from loaders.register import read_register
from queries.ropa import CONTROLLER_COLUMNS, PROCESSOR_COLUMNS, ROPA

DAY = date(2026, 11, 25)
PRACTICE, ICB, CSU = "B82053", "QOP", "0AR"
PURPOSES = [p.value for p in Purpose]
CATEGORIES = [c.value for c in DataCategory]
CLDC = [b.value for b in CldcBasis]


def rows_of(table: str) -> Iterator[dict[str, str]]:
    for folder in sorted(p for p in DEMO_DIR.iterdir() if (p / f"{table}.csv").exists()):
        with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as file:
            yield from csv.DictReader(file)


def split(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(";") if item.strip()]


@cache
def demo() -> dict[str, Any]:
    """The demo's flows, systems and agreements as the files have them, and every node's name."""
    names = {o.org_id: o.name for o in reference_data().organisations}
    names |= {row["org_id"]: row["name"] for row in rows_of("organisations")}
    systems = {row["system_id"]: row for row in rows_of("systems")}
    names |= {system_id: row["name"] for system_id, row in systems.items()}
    agreements = {row["agreement_id"]: row for row in rows_of("agreements")}
    return {"flows": list(rows_of("flows")), "systems": systems, "agreements": agreements, "names": names}


def name(node: str) -> str:
    return f"{demo()['names'][node]} ({node})"


def live(flow: dict[str, str]) -> bool:
    start, end = flow["valid_from"], flow["valid_to"]
    return (
        (flow["status"] or "live") == "live"
        and (not start or date.fromisoformat(start) <= DAY)
        and (not end or date.fromisoformat(end) >= DAY)
    )


def personal(flow: dict[str, str]) -> bool:
    return flow["identifiability"] in ("identifiable", "pseudonymised")


def governing(flow: dict[str, str]) -> list[dict[str, str]]:
    """Agreements the flow lists, or whose covers names it or a system at either end."""
    ends = {flow["flow_id"], flow["source"], flow["destination"]}
    return [
        a
        for a in demo()["agreements"].values()
        if a["agreement_id"] in split(flow["agreements"]) or ends & set(split(a["covers"]))
    ]


def valid(agreement: dict[str, str]) -> bool:
    start, end = agreement["start"], agreement["end"]
    return (not start or date.fromisoformat(start) <= DAY) and (not end or date.fromisoformat(end) >= DAY)


def label(agreement: dict[str, str]) -> str:
    return (
        f"{agreement['agreement_id']} ({agreement['reference']})"
        if agreement["reference"]
        else agreement["agreement_id"]
    )


def text(items: Any) -> str:
    return "; ".join(dict.fromkeys(items))


def hosting(node: str) -> str:
    return demo()["systems"].get(node, {}).get("hosting_location", "")


def is_organisation(node: str) -> bool:
    return node not in demo()["systems"]


def findings(flow_ids: list[str], found: list[dict[str, Any]]) -> str:
    rows = sorted((r for r in found if r["flow_id"] in flow_ids), key=lambda r: (r["flow_id"], r["rule"]))
    return "\n".join(f"{r['rule']}: {r['reason']}" for r in rows)


def expected_controller(org: str, found: list[dict[str, Any]]) -> list[dict[str, str]]:
    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for flow in demo()["flows"]:
        if live(flow) and personal(flow) and (org in split(flow["controllers"]) or flow["recipient_controller"] == org):
            for purpose in split(flow["purposes"]):
                groups[purpose, flow["destination"]].append(flow)
    rows = []
    for purpose, place in sorted(groups, key=lambda key: (PURPOSES.index(key[0]), key[1])):
        flows = groups[purpose, place]
        joint = {c for f in flows if f["joint"] == "true" for c in split(f["controllers"])}
        joint |= {
            p
            for f in flows
            if f["joint"] == "true"
            for a in governing(f)
            if a["agreement_type"] == "art26_arrangement" and valid(a)
            for p in split(a["parties"])
        }
        recipients = {f["recipient_controller"] for f in flows if f["recipient_controller"]}
        recipients |= {f["destination"] for f in flows if is_organisation(f["destination"])}
        contracts = {
            a["agreement_id"]: a
            for f in flows
            if f["processors"]
            for a in governing(f)
            if a["agreement_type"] == "art28_contract" and valid(a)
        }
        dpias = {a["agreement_id"]: a for f in flows for a in governing(f) if a["agreement_type"] == "dpia"}
        abroad = sorted({hosting(f["destination"]) for f in flows if hosting(f["destination"])} - {"UK"})
        cldc = sorted({f["cldc_basis"] for f in flows if f["cldc_basis"]}, key=CLDC.index)
        art6 = text(sorted({a for f in flows for a in split(f["art6"])}))
        ids = sorted(f["flow_id"] for f in flows)
        place_name = name(place) + (f", hosted in {hosting(place)}" if hosting(place) else "")
        filled = {
            "Purpose of processing": purpose.replace("_", " "),
            "Name and contact details of joint controller (if applicable)": text(
                name(c) for c in sorted(joint - {org})
            ),
            "Categories of personal data": text(
                c.replace("_", " ")
                for c in sorted({c for f in flows for c in split(f["data_categories"])}, key=CATEGORIES.index)
            ),
            "Categories of recipients": text(name(r) for r in sorted(recipients - {org})),
            "Link to contract with processor": text(label(contracts[i]) for i in sorted(contracts)),
            "Names of third countries or international organisations that personal data are transferred to "
            "(if applicable)": text(abroad),
            "Article 6 lawful basis for processing personal data": art6,
            "Article 9 condition for processing special category data": text(
                [
                    *sorted({a for f in flows for a in split(f["art9"])}),
                    *(f"common law duty of confidentiality: {b.replace('_', ' ')}" for b in cldc),
                ]
            ),
            "The source of the personal data (if applicable)": text(
                name(s) for s in sorted({f["source"] for f in flows} - {org})
            ),
            "Location of personal data": place_name,
            "Link to Data Protection Impact Assessment": text(label(dpias[i]) for i in sorted(dpias)),
            "GDPR Article 6 lawful basis for processing": art6,
            "icsgraph flows": text(ids),
            "icsgraph findings": findings(ids, found),
        }
        rows.append({column: filled.get(column, "") for column in CONTROLLER_COLUMNS})
    return rows


def expected_processor(org: str, found: list[dict[str, Any]]) -> list[dict[str, str]]:
    by_controller: dict[str, list[dict[str, str]]] = defaultdict(list)
    for flow in demo()["flows"]:
        if live(flow) and personal(flow) and (org in split(flow["processors"]) or org in split(flow["sub_processors"])):
            for controller in split(flow["controllers"]):
                by_controller[controller].append(flow)
    rows = []
    for controller in sorted(by_controller):
        flows = by_controller[controller]
        ids = sorted(f["flow_id"] for f in flows)
        purposes = sorted({p for f in flows for p in split(f["purposes"])}, key=PURPOSES.index)
        subs = sorted({s for f in flows for s in split(f["sub_processors"])} - {org})
        abroad = sorted({hosting(f["destination"]) for f in flows if hosting(f["destination"])} - {"UK"})
        filled = {
            "Name and contact details of controller": name(controller),
            "Categories of processing carried out on behalf of each controller": text(
                p.replace("_", " ") for p in purposes
            ),
            "Names of third countries or international organisations that personal data are transferred to "
            "(if applicable)": text(abroad),
            "Sub-processors": text(name(s) for s in subs),
            "icsgraph flows": text(ids),
            "icsgraph findings": findings(ids, found),
        }
        rows.append({column: filled.get(column, "") for column in PROCESSOR_COLUMNS})
    return rows


@pytest.fixture
def demo_store(make_store: Callable[..., Any]) -> Any:
    return make_store(*(read_register(path) for path in demo_registers()), reference=reference_data())


def every_finding(store: Any) -> list[dict[str, Any]]:
    return [
        row
        for check in queries.CATALOGUE.values()
        if check.kind == "check"
        for row in store.run(check, check.bind({"as_of": DAY}))
    ]


def test_the_ropa_of_a_practice_an_icb_and_a_csu_row_for_row(demo_store: Any) -> None:
    found = every_finding(demo_store)
    for org in (PRACTICE, ICB, CSU):
        [ropa] = demo_store.run(ROPA, {"org_id": org, "as_of": DAY})
        assert ropa["organisation"] == {"id": org, "name": demo()["names"][org]}
        assert ropa["as_of"] == DAY.isoformat()
        assert ropa["controller"] == expected_controller(org, found), org
        assert ropa["processor"] == expected_processor(org, found), org
    # Something of each kind is covered: the practice shares with the ICB's PHM platform (the ICB a
    # recipient controller), the ICB's rows carry findings, and the CSU processes for many controllers.
    [practice] = demo_store.run(ROPA, {"org_id": PRACTICE, "as_of": DAY})
    assert {row["Purpose of processing"] for row in practice["controller"]} >= {"direct care", "risk stratification"}
    assert any(row["Name and contact details of joint controller (if applicable)"] for row in practice["controller"])
    [icb] = demo_store.run(ROPA, {"org_id": ICB, "as_of": DAY})
    assert any(row["icsgraph findings"] for row in icb["controller"])
    [csu] = demo_store.run(ROPA, {"org_id": CSU, "as_of": DAY})
    assert csu["controller"] == [] and len(csu["processor"]) > 10
    # A system, or an id the graph does not hold, has no RoPA.
    assert demo_store.run(ROPA, {"org_id": "gmcr", "as_of": DAY}) == []
    assert demo_store.run(ROPA, {"org_id": "NO-SUCH-ORG", "as_of": DAY}) == []


def test_the_demo_files_are_what_this_test_reads() -> None:
    """The files read here are the registers the store loads: same flows, same ids."""
    loaded = {f.flow_id for path in demo_registers() for f in read_register(Path(path)).flows}
    assert loaded == {row["flow_id"] for row in demo()["flows"]}
