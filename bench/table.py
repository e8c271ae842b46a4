"""The benchmark's markdown table, each target met or missed, and the check that the peers answer as we do.

A figure whose phase failed reads "failed" (its error is in bench/results.json); a scale left out of the
run (``BENCH_SCALES``) reads "not run", and a target is judged on the scales that ran.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import queries

HEADLINE = "practices-shcr-only (all ICBs)"
STORES = ("embedded", "neo4j")
# Each peer's questions, and the name of our query that answers the same.
PEER_QUESTIONS = {
    "duckdb": {"headline": HEADLINE, "lawful-basis": "lawful-basis", "opt-outs": "opt-outs"},
    "networkx": {"headline": HEADLINE},
}
COMPARED = (HEADLINE, "lawful-basis", "opt-outs")
PEER_NAMES = {"duckdb": "DuckDB", "networkx": "networkx"}
FAILURES = (KeyError, TypeError, ZeroDivisionError, IndexError, ValueError)
Scale = dict[str, Any]


def disagreements(results: dict[str, Any]) -> list[str]:
    """A line for each answer that differs from the embedded store's: the other store's, or a peer's.

    Answers are compared by count and a digest of the sorted ids (the practices that qualify, the flows of
    the findings); speeds of different answers are not comparable, so the table marks them too.
    """
    lines = []
    for label, scale in measured(results):
        try:
            ours = {name: scale["embedded"]["queries"][name]["answer"] for name in COMPARED}
        except (KeyError, TypeError):
            continue
        for name, answer in ours.items():
            theirs = scale.get("neo4j", {}).get("queries", {}).get(name, {}).get("answer")
            if theirs is not None and theirs != answer:
                counts = f"{theirs['count']} vs {answer['count']}"
                lines.append(f"{label}: neo4j's `{name}` differs from embedded's ({counts})")
        for peer, questions in PEER_QUESTIONS.items():
            for question, name in questions.items():
                theirs = scale.get(peer, {}).get(question, {}).get("answer")
                if theirs is not None and theirs != ours[name]:
                    lines.append(
                        f"{label}: {PEER_NAMES[peer]}'s {question} differs from ours ({theirs['count']} vs "
                        f"{ours[name]['count']} {'practices' if question == 'headline' else 'findings'}): "
                        "its speed is not comparable"
                    )
    return lines


def measured(results: dict[str, Any]) -> list[tuple[str, Scale]]:
    return [(label, results[label]) for label in ("x1", "x10") if results.get(label)]


def agrees(scale: Scale, peer: str, question: str) -> bool:
    ours = scale["embedded"]["queries"][PEER_QUESTIONS[peer][question]]["answer"]
    return bool(scale[peer][question]["answer"] == ours)


def table(results: dict[str, Any]) -> str:
    lines = ["| measure | national (x1) | x10 | target | met? |", "| --- | --- | --- | --- | --- |"]
    one, ten = results.get("x1"), results.get("x10")
    ran = [scale for scale in (one, ten) if scale]

    def cell(scale: Scale | None, figure: Callable[[Scale], str]) -> str:
        if scale is None:
            return "not run"
        try:
            return figure(scale)
        except FAILURES:
            return "failed"

    def verdict(checks: list[Callable[[], bool]], partial: bool) -> str:
        """Missed if any figure measured misses; else failed if a figure is missing; else met."""
        outcomes = []
        for check in checks:
            try:
                outcomes.append(check())
            except FAILURES:
                outcomes.append(None)
        if False in outcomes:
            return "**missed**"
        return "failed" if None in outcomes else "met" + (" (x1 only)" if partial else "")

    def row(
        label: str,
        figure: Callable[[Scale], str] | None = None,
        target: str = "",
        met: Callable[[Scale, bool], bool] | None = None,
        *,
        x1: Callable[[], str] | None = None,
        x10: Callable[[], str] | None = None,
        overall: Callable[[], bool] | None = None,
    ) -> None:
        """A row: ``figure`` of each scale (or fixed ``x1``/``x10`` cells); ``met`` judged on each scale
        that ran (its second argument: whether it is x10), or ``overall`` once."""
        a = cell(one, figure) if figure else cell({}, lambda _: x1()) if x1 else ""
        b = cell(ten, figure) if figure else cell({}, lambda _: x10()) if x10 else ""
        checks: list[Callable[[], bool]] = []
        if met is not None:
            checks = [lambda s=s, big=s is ten: met(s, big) for s in ran]
        if overall is not None:
            checks = [overall]
        partial = met is not None and ten is None
        lines.append(f"| {label} | {a} | {b} | {target} | {verdict(checks, partial) if checks else ''} |")

    def load(scale: Scale, kind: str) -> str:
        figures = scale[kind]
        return f"{figures['load_s']:.2f} s ({figures['rows'] / figures['load_s']:,.0f} rows/s)"

    def load_s(scale: Scale) -> float:
        return float(scale["embedded"]["load_s"])

    def median(scale: Scale, kind: str, name: str) -> float:
        return float(scale[kind]["queries"][name]["median_ms"])

    def timing(scale: Scale, name: str) -> str:
        cells = []
        for kind in STORES:
            try:
                q = "{median_ms:.1f} / {p95_ms:.1f} ms".format(**scale[kind]["queries"][name])
            except FAILURES:
                q = "failed"
            cells.append(f"{q} {kind}")
        return "; ".join(cells)

    row("register rows", lambda s: f"{s['parse']['rows']:,}")
    row("parse only (floor)", lambda s: f"{s['parse']['seconds']:.2f} s")
    row("load into embedded", lambda s: load(s, "embedded"), "< 5 s (x1)", lambda s, big: big or load_s(s) < 5)
    heap = results.get("heap_mib")
    row(
        f"load into neo4j (server heap {heap:,.0f} MiB)" if heap else "load into neo4j (server heap unknown)",
        lambda s: load(s, "neo4j"),
        "< 15 s (x1); < 90 s (x10) at a heap <= 4 GiB",
        lambda s, big: s["neo4j"]["load_s"] < (90 if big else 15) and 0 < heap <= 4096,  # type: ignore[operator]
    )
    row(
        "embedded load / parse-only",
        lambda s: f"{s['embedded']['load_s'] / s['parse']['seconds']:.1f}x",
        "<= 3x",
        lambda s, big: s["embedded"]["load_s"] / s["parse"]["seconds"] <= 3,
    )
    if one and ten:
        row(
            "x10 load / x1 load",
            x1=lambda: f"{ten['embedded']['load_s'] / one['embedded']['load_s']:.1f}x embedded",
            x10=lambda: f"{ten['neo4j']['load_s'] / one['neo4j']['load_s']:.1f}x neo4j",
            target="<= 12x",
            overall=lambda: max(ten[k]["load_s"] / one[k]["load_s"] for k in STORES) <= 12,
        )
    naive = results.get("naive", {})
    row(
        f"naive per-row MERGE loader (extrapolated from a sample of {naive.get('sample_rows', 0):,} rows)",
        x1=lambda: f"{naive['extrapolated_s']:.0f} s ({naive['rows_per_s']:,.0f} rows/s)",
    )
    row(
        "Neo4j load speed-up over naive",
        x1=lambda: f"{naive['extrapolated_s'] / one['neo4j']['load_s']:.0f}x",  # type: ignore[index]
        target=">= 20x",
        overall=lambda: naive["extrapolated_s"] / one["neo4j"]["load_s"] >= 20,  # type: ignore[index]
    )

    def reloaded(scale: Scale) -> str:
        cut = scale["cut"]
        return (
            f"{cut['rows']:,} rows ({cut['icb']}, {cut['share']:.1%}): {scale['reload-embedded']['median_s']:.2f} s "
            f"embedded; {scale['reload-neo4j']['median_s']:.2f} s neo4j"
        )

    row(
        "one ICS register reloaded into the national graph, every flow changed "
        "(read, validate, write a version; median)",
        reloaded,
        "< 0.5 s embedded, < 2 s neo4j (x1); < 10 s neo4j (x10)",
        lambda s, big: (
            s["reload-neo4j"]["median_s"] < 10
            if big
            else s["reload-embedded"]["median_s"] < 0.5 and s["reload-neo4j"]["median_s"] < 2
        ),
    )
    row("headline reachability floor (scipy csgraph)", lambda s: f"{s['floor']['median_ms']:.1f} ms")
    for name in [*queries.CATALOGUE, HEADLINE]:
        target, limits = "< 500 ms (x1), < 1 s (x10)", (500.0, 1000.0)
        if name == HEADLINE:
            target, limits = "< 100 ms", (100.0, 100.0)
        row(
            f"query `{name}` median / p95",
            lambda s, n=name: timing(s, n),
            target,
            lambda s, big, n=name, lim=limits: all(median(s, k, n) < lim[big] for k in STORES),
        )
    # The floor answers for all of England, so it is compared with the all-ICB headline.
    row(
        "headline (all ICBs) embedded / floor",
        lambda s: f"{median(s, 'embedded', HEADLINE) / s['floor']['median_ms']:.1f}x",
        "<= 3x",
        lambda s, big: median(s, "embedded", HEADLINE) / s["floor"]["median_ms"] <= 3,
    )
    peer_rows(row, median)
    api = results.get("api", {})
    row(
        f"API headline, {api.get('concurrency')} concurrent clients, {api.get('requests', 0):,} requests",
        x1=lambda: f"{api['rps']:,.0f} req/s, p99 {api['p99_ms']:.1f} ms, {api['errors']} errors",
        target="> 500 req/s",
        overall=lambda: api["rps"] > 500 and api["errors"] == 0,
    )
    row(
        "peak memory (embedded process)",
        lambda s: f"{s['embedded']['peak_mib']:,.0f} MiB",
        "< 4 GiB",
        lambda s, big: s["embedded"]["peak_mib"] < 4096,
    )
    row("peak memory (Neo4j client process)", lambda s: f"{s['neo4j']['peak_mib']:,.0f} MiB")

    def jvm() -> str:
        return f"{results['jvm_peak_mib']:,.0f} MiB"

    label = "peak memory (Neo4j JVM, resident, whole run: heap, page cache, native)"
    if ten:
        row(label, x10=jvm)
    else:
        row(label, x1=jvm)
    row("peak memory (API server)", x1=lambda: f"{api['server_peak_mib']:,.0f} MiB")
    return "\n".join(lines)


def each_store(figure: Callable[[str], str]) -> str:
    """A figure for each store, e.g. "1.2x embedded; 0.3x neo4j"; "failed neo4j" where its phase failed."""
    cells = []
    for kind in STORES:
        try:
            cells.append(f"{figure(kind)} {kind}")
        except FAILURES:
            cells.append(f"failed {kind}")
    return "; ".join(cells)


def peer_rows(row: Callable[..., None], median: Callable[[Scale, str, str], float]) -> None:
    """The peers' rows: their load and answer time, ours against theirs (only where the answers agree)."""

    def peer(scale: Scale, kind: str) -> str:
        figures = scale[kind]
        loading = f"load {figures['load_s']:.2f} s" if kind == "duckdb" else f"build {figures['build_s']:.2f} s"
        agree = "" if agrees(scale, kind, "headline") else " (answer differs!)"
        return f"{loading}; query {figures['headline']['median_ms']:,.1f} ms{agree}"

    def ahead(scale: Scale, kind: str) -> str:
        if not agrees(scale, kind, "headline"):
            return "answer differs"
        theirs = scale[kind]["headline"]["median_ms"]
        return each_store(lambda k: f"{theirs / median(scale, k, HEADLINE):.1f}x")

    def beats(scale: Scale, kind: str) -> bool:
        theirs = scale[kind]["headline"]["median_ms"]
        return agrees(scale, kind, "headline") and all(theirs > median(scale, k, HEADLINE) for k in STORES)

    hows = {"duckdb": "headline as a recursive CTE over the CSV files", "networkx": "nx.descendants per practice"}
    for kind, how in hows.items():
        name = PEER_NAMES[kind]
        row(f"peer: {name}, {how}", lambda s, k=kind: peer(s, k))
        row(
            f"headline (all ICBs): {name} time / ours",
            lambda s, k=kind: ahead(s, k),
            "> 1x (ours ahead)",
            lambda s, big, k=kind: beats(s, k),
        )
    for check in ("lawful-basis", "opt-outs"):

        def sql(scale: Scale, c: str = check) -> str:
            theirs = scale["duckdb"][c]
            ours = each_store(lambda k: f"{median(scale, k, c):.1f} ms")
            agree = "" if agrees(scale, "duckdb", c) else ", answer differs!"
            return f"{theirs['median_ms']:.1f} ms ({theirs['answer']['count']:,} findings{agree}) vs ours {ours}"

        row(f"peer: DuckDB, `{check}` as plain SQL", sql)
