"""The home page at ``/views/``: what is loaded, the national picture, every ICB in a sortable table.

Per ICB: the share of practices whose primary care data goes no further than the shared care record
(``icb-shcr-only-summary``), its coverage of the five core categories in analytics (``icb-coverage``),
its IG findings per check (``app.views.findings``), and its flows; then England's practices not opted
in by deprivation (``opt-in-by-deprivation``), and below, the ways into the network views.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import queries
from app.views.charts import NOTHING, colours_for, percent, quintile_bars, spark, stacked
from app.views.findings import Finding, all_findings, checks
from app.views.index import index_context
from app.views.network import Ask, Links, render_page
from graph.store import RegisterInfo, Row
from graph.vocab import CORE_CATEGORIES
from queries.deprivation import OptInSystem
from queries.lookups import ICBS
from queries.registry import NamedQuery

CATEGORY_WORDS = {category.value: category.value.replace("_", " ") for category in CORE_CATEGORIES}


def answer(ask: Ask, name: str, **params: Any) -> list[Row]:
    """A named query's rows, through the page's (cached) ``ask``."""
    query = queries.get(name)
    return ask(query, query.bind(params))


def coverage_by_icb(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """icb-coverage's rows (one per ICB and category) folded into one record per ICB."""
    folded: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = folded.setdefault(row["icb"], {"score": row["score"], "rank": row["rank"], "categories": []})
        entry["categories"].append(
            {"name": CATEGORY_WORDS[row["category"]], "covered": row["covered"], "platforms": row["platforms"]}
        )
    return folded


def deprivation_context(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The deprivation chart and its table, with each share written out."""
    return {
        "chart": quintile_bars(rows),
        "rows": [{**row, "share": percent(row["share_not_opted_in"])} for row in rows],
        "unknown": next((row for row in rows if row["quintile"] == "unknown"), None),
    }


def deprivation_summary(rows: Sequence[Mapping[str, Any]]) -> str:
    """One sentence for the chart's description: the most and least deprived quintiles side by side."""
    by = {row["quintile"]: row for row in rows}
    most, least = by.get("1"), by.get("5")
    if not most or not least:
        return "No practices."
    return (
        f"Most deprived quintile: {percent(most['share_not_opted_in'])} of practices not opted in; "
        f"least deprived: {percent(least['share_not_opted_in'])}."
    )


def icb_rows(
    summary: Sequence[Mapping[str, Any]],
    coverage: Mapping[str, Mapping[str, Any]],
    findings: Sequence[Finding],
    flows: Mapping[str, int],
    check_names: Sequence[str],
    links: Links,
    keep: Mapping[str, str],
) -> list[dict[str, Any]]:
    """One row of the home table per ICB with practices."""
    per_icb: dict[str, Counter[str]] = defaultdict(Counter)
    for finding in findings:
        for icb in finding.icbs:
            per_icb[icb][finding.check] += 1
    colours = colours_for(check_names)
    scale = max((sum(counts.values()) for counts in per_icb.values()), default=0)
    rows = []
    for row in summary:
        code = row["icb"]
        covered = coverage.get(code, {"score": None, "categories": []})
        counts = per_icb.get(code, Counter())
        ordered = {name: counts[name] for name in check_names}
        rows.append(
            {
                "code": code,
                "name": row["name"] or code,
                "href": links.icb_page(code, **keep),
                "practices": row["practices"],
                "shcr_only": row["shcr_only"],
                "share": row["share"],
                "share_text": percent(row["share"]),
                "share_bar": spark(row["share"]),
                "score": covered["score"],
                "categories": covered["categories"],
                "covered_text": ", ".join(c["name"] for c in covered["categories"] if c["covered"]) or "none",
                "findings": sum(counts.values()),
                "by_check": [(name, count) for name, count in ordered.items() if count],
                "segments": stacked(ordered, colours, scale),
                "flows": flows.get(code, 0),
            }
        )
    # ICBs with registers first (most flows), then by name: the table's order before a user sorts it.
    return sorted(rows, key=lambda r: (-r["flows"], r["name"]))


def national(summary: Sequence[Mapping[str, Any]], coverage: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    practices = sum(row["practices"] for row in summary)
    shcr_only = sum(row["shcr_only"] for row in summary)
    scores = [entry["score"] for entry in coverage.values() if entry["score"] is not None]
    return {
        "icbs": len(summary),
        "practices": practices,
        "shcr_only": shcr_only,
        "share": percent(shcr_only / practices) if practices else percent(None),
        "all_practices": sum(1 for row in summary if row["all_practices"]),
        "coverage": f"{sum(scores) / len(scores) * 5:.1f} of 5" if scores else NOTHING,
    }


def home_page(
    ask: Ask,
    links: Links,
    catalogue: Iterable[NamedQuery],
    registers: Sequence[RegisterInfo],
    *,
    as_of: date,
    system_type: str,
    keep: Mapping[str, str],
) -> str:
    """``keep`` holds the parameters the page was asked with that its links pass on (a chosen date)."""
    summary = answer(ask, "icb-shcr-only-summary", as_of=as_of)
    coverage = coverage_by_icb(answer(ask, "icb-coverage", as_of=as_of))
    findings = all_findings(ask, as_of)
    check_names = [check.name for check in checks()]
    flows = dict((row["icb"], row["flows"]) for row in ask(ICBS, {}))
    deprivation = answer(ask, "opt-in-by-deprivation", as_of=as_of, system_type=system_type)
    return render_page(
        "home.html",
        as_of=as_of.isoformat(),
        system_type=system_type,
        system_types=[kind.value for kind in OptInSystem],
        national=national(summary, coverage),
        findings_total=len(findings),
        findings_href=links.findings(**keep),
        checks=[(name, colour) for name, colour in colours_for(check_names).items()],
        rows=icb_rows(summary, coverage, findings, flows, check_names, links, keep),
        deprivation=deprivation_context(deprivation),
        deprivation_summary=deprivation_summary(deprivation),
        **index_context(ask, links, catalogue, registers),
    )
