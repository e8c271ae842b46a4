"""Every IG finding at a date, placed in its ICBs, for the findings page, the home table and the ICB page.

A finding (one row of an IG check) names a flow, an organisation, or both. It belongs to an ICB when
its organisation, or either end of its flow, is of that ICB; so a flow across two ICBs counts for both.
It names an organisation (the page's ``org`` filter) when that is its organisation or either end of
its flow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import queries
from app.output import as_csv
from app.views.errors import NotFound
from app.views.network import Ask, Links, render_page
from queries.lookups import FLOWS_BY_ID, NODES
from queries.registry import NamedQuery

CSV_COLUMNS = ("check", "rule", "flow_id", "source", "destination", "org_id", "icbs", "reason")


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    rule: str
    flow_id: str | None
    org_id: str | None
    reason: str
    source: str | None = None
    destination: str | None = None
    icbs: tuple[str, ...] = ()

    def names(self, identifier: str) -> bool:
        return identifier in (self.org_id, self.source, self.destination)

    def as_row(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "rule": self.rule,
            "flow_id": self.flow_id,
            "source": self.source,
            "destination": self.destination,
            "org_id": self.org_id,
            "icbs": list(self.icbs),
            "reason": self.reason,
        }


def checks() -> list[NamedQuery]:
    """The IG checks of the catalogue, in its order."""
    return [query for query in queries.CATALOGUE.values() if query.kind == "check"]


def all_findings(ask: Ask, as_of: date) -> list[Finding]:
    """Every check's findings at ``as_of``, each with its flow's ends and its ICBs."""
    found: list[tuple[str, dict[str, Any]]] = []
    for query in checks():
        try:
            params = query.bind({"as_of": as_of})
        except queries.ParamError:
            continue  # a check needing a parameter a page cannot guess; none does today
        found += [(query.name, row) for row in ask(query, params)]
    flows = {
        record["flow_id"]: record
        for record in ask(FLOWS_BY_ID, {"ids": sorted({row["flow_id"] for _, row in found if row["flow_id"]})})
    }
    ends = {end for record in flows.values() for end in (record["source"], record["destination"])}
    named = ends | {row["org_id"] for _, row in found if row["org_id"]}
    icb_of = {record["id"]: record.get("icb") for record in ask(NODES, {"ids": sorted(named)})}
    findings = []
    for check, row in found:
        flow = flows.get(row["flow_id"]) if row["flow_id"] else None
        source, destination = (flow["source"], flow["destination"]) if flow else (None, None)
        icbs = {icb_of.get(node) for node in (row["org_id"], source, destination) if node}
        findings.append(
            Finding(
                check=check,
                rule=row["rule"],
                flow_id=row["flow_id"],
                org_id=row["org_id"],
                reason=row["reason"],
                source=source,
                destination=destination,
                icbs=tuple(sorted(icb for icb in icbs if icb)),
            )
        )
    return findings


def chosen(findings: Iterable[Finding], check: str | None, icb: str | None, org: str | None) -> list[Finding]:
    """The findings of ``check``, in ``icb``, naming ``org``; None means any."""
    return [
        finding
        for finding in findings
        if (check is None or finding.check == check)
        and (icb is None or icb in finding.icbs)
        and (org is None or finding.names(org))
    ]


def require_filters(ask: Ask, check: str | None, org: str | None) -> None:
    """``NotFound`` for a check or an organisation that does not exist: no rows would hide the typo."""
    names = [query.name for query in checks()]
    if check is not None and check not in names:
        raise NotFound("IG check", check, f"choose one of: {', '.join(names)}")
    if org is not None and not ask(NODES, {"ids": [org]}):
        raise NotFound("organisation or system", org, "give an ODS code or system id, or search for it by name")


def findings_csv(findings: Sequence[Finding]) -> str:
    return as_csv(CSV_COLUMNS, [finding.as_row() for finding in findings])


SHOWN = 1000


def findings_page(
    ask: Ask,
    links: Links,
    *,
    as_of: date,
    check: str | None,
    icb: str | None,
    org: str | None,
    keep: Mapping[str, str],
    csv_href: str,
) -> str:
    """The findings page: the filters, the CSV link (``csv_href``, this page's URL with format=csv) and
    the rows; ``keep`` holds the parameters asked for, to mark the chosen options."""
    names = [query.name for query in checks()]
    require_filters(ask, check, org)
    everything = all_findings(ask, as_of)
    rows = chosen(everything, check, icb, org)
    counts = Counter(finding.check for finding in chosen(everything, None, icb, org))
    icbs = Counter(i for finding in chosen(everything, check, None, org) for i in finding.icbs)
    if icb is not None:
        icbs.setdefault(icb, 0)
    icb_names = {record["id"]: record["name"] for record in ask(NODES, {"ids": sorted(icbs)})}
    return render_page(
        "findings.html",
        as_of=as_of.isoformat(),
        check=check,
        icb=icb,
        org=org,
        checks=[(name, counts[name]) for name in names],
        icbs=[
            (code, icb_names.get(code, code), icbs[code]) for code in sorted(icbs, key=lambda c: icb_names.get(c, c))
        ],
        findings=rows[:SHOWN],
        total=len(rows),
        everything=len(everything),
        csv_href=csv_href,
        node_href=links.node,
        flow_href=links.flow_page,
        table_id="findings",
        keep=keep,
    )
