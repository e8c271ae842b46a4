"""An ICB's page: its numbers beside England's, its practices not opted in, its network and its findings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from app.views.charts import NOTHING, percent
from app.views.findings import all_findings, checks, chosen
from app.views.home import answer, coverage_by_icb, deprivation_context, deprivation_summary
from app.views.icb import icb_view
from app.views.network import Ask, Links, render_network
from graph.store import Row
from queries.deprivation import OptInSystem

SHOWN_FINDINGS = 50


def left_out_share(rows: Sequence[Mapping[str, Any]]) -> str:
    """opt-in-by-deprivation's share not opted in over all quintiles together."""
    left = sum(int(row["not_opted_in"]) for row in rows)
    eligible = sum(int(row["practices"]) - int(row["in_icb_without"]) for row in rows)
    return percent(left / eligible) if eligible else NOTHING


def comparison(
    icb: str,
    summary: Sequence[Mapping[str, Any]],
    coverage: Mapping[str, Any],
    local: Sequence[Row],
    england: Sequence[Row],
    findings: tuple[int, int],
    system_type: str,
) -> list[tuple[str, str, str]]:
    """The rows of "this ICB beside England": what, the ICB's figure, England's."""
    mine = next((row for row in summary if row["icb"] == icb), None)
    practices = sum(row["practices"] for row in summary)
    staying = sum(row["shcr_only"] for row in summary)
    score, mean = coverage.get("score"), coverage.get("national_mean")
    rows = [
        ("GP practices", f"{mine['practices']:,}" if mine else "0", f"{practices:,}"),
        (
            "practices whose primary care data goes no further than shared care records",
            percent(mine["share"]) if mine else NOTHING,
            percent(staying / practices if practices else None),
        ),
        (
            f"practices not opted into a {system_type.replace('_', ' ')}, of those whose ICB has some in",
            left_out_share(local),
            left_out_share(england),
        ),
        (
            "core categories reaching the ICB's analytics (coverage score)",
            f"{round(score * 5)} of 5, rank {coverage.get('rank')}" if score is not None else NOTHING,
            f"{mean * 5:.1f} of 5 on average" if mean is not None else NOTHING,
        ),
        ("IG findings", f"{findings[0]:,}", f"{findings[1]:,} in England"),
    ]
    return rows


def icb_page(ask: Ask, links: Links, icb: str, *, as_of: date, system_type: str, keep: Mapping[str, str]) -> str:
    """``keep`` holds the parameters the page was asked with that its links pass on (a chosen date)."""
    picture = icb_view(ask, links, icb, as_of=as_of, expand=set())  # NotFound for a code that is no ICB
    summary = answer(ask, "icb-shcr-only-summary", as_of=as_of)
    coverage_rows = answer(ask, "icb-coverage", icb=icb, as_of=as_of)
    coverage = coverage_by_icb(coverage_rows).get(icb, {"categories": []})
    if coverage_rows:
        coverage["national_mean"] = coverage_rows[0]["national_mean"]
    left_out = answer(ask, "practices-not-opted-in", icb=icb, system_type=system_type, as_of=as_of)
    local = answer(ask, "opt-in-by-deprivation", icb=icb, system_type=system_type, as_of=as_of)
    england = answer(ask, "opt-in-by-deprivation", system_type=system_type, as_of=as_of)
    everything = all_findings(ask, as_of)
    mine = chosen(everything, None, icb, None)
    by_check = Counter(finding.check for finding in mine)
    name = picture.title.removesuffix(": data-flow network")
    return render_network(
        "icb_page.html",
        picture,
        site=True,
        name=name,
        code=icb,
        as_of=as_of.isoformat(),
        system_type=system_type,
        system_types=[kind.value for kind in OptInSystem],
        comparison=comparison(icb, summary, coverage, local, england, (len(mine), len(everything)), system_type),
        categories=coverage["categories"],
        left_out=left_out,
        left_out_counts=left_out[0] if left_out else None,
        deprivation=deprivation_context(local),
        deprivation_summary=deprivation_summary(local),
        findings=mine[:SHOWN_FINDINGS],
        findings_total=len(mine),
        by_check=[(check.name, by_check[check.name]) for check in checks() if by_check[check.name]],
        findings_href=links.findings(icb=icb, **keep),
        network_href=links.icb(icb, **keep),
        node_href=links.node,
        flow_href=links.flow_page,
        percent=percent,
    )
