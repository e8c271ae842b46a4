"""Load and query figures for both stores on the bundled data (the numbers issues #3 and #4 ask for).

    NEO4J_URI=bolt://127.0.0.1:PORT .venv/bin/python bench/stores.py

Prints two markdown tables: the time to load the reference data and the demo registers into each store,
rows per second, and the headline query's median and p95 latency over repeated runs; then every named
query's median latency on the demo data, on each store, with the parameters it was given.
"""

from __future__ import annotations

import os
import statistics
import sys
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from phase import query_params, seconds

import queries
from app.settings import demo_registers
from app.stores import reference_data
from graph.memory import MemoryStore
from graph.neo4j_store import Neo4jStore
from graph.store import Store
from loaders.register import read_register, validate_together

RUNS = 30


def latencies(store: Store, query: queries.NamedQuery, params: dict[str, object]) -> tuple[float, float]:
    """The query's median and p95 latency in ms over RUNS runs, after one to warm up."""
    bound = query.bind(params)
    store.run(query, bound)
    samples = sorted(seconds(lambda: store.run(query, bound))[1] for _ in range(RUNS))
    return statistics.median(samples) * 1000, samples[int(0.95 * (len(samples) - 1))] * 1000


def main() -> None:
    reference = reference_data()
    registers = [read_register(path) for path in demo_registers()]
    validate_together(reference, {}, registers)
    rows_reference = len(reference.organisations)
    rows_demo = sum(sum(r.counts().values()) for r in registers)
    lines = [
        "| store | load reference | load demo | demo rows/s | headline all ICBs median / p95 "
        "| headline QOP median / p95 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    view = MemoryStore(reference, None)
    view.replace(registers)
    params = query_params(view.view)
    per_query: dict[str, dict[str, float]] = {}
    stores: list[tuple[str, object]] = [("embedded", None)]
    if os.environ.get("NEO4J_URI"):
        stores.append(("neo4j", os.environ["NEO4J_URI"]))
    for kind, uri in stores:
        if kind == "embedded":
            store, t_reference = seconds(lambda: MemoryStore(reference, None))
        else:
            neo = Neo4jStore.connect(str(uri), reference)
            _, t_reference = seconds(neo.reset)
            store = neo
        _, t_demo = seconds(partial(store.replace, registers))
        headline = queries.get("practices-shcr-only")
        all_median, all_p95 = latencies(store, headline, {})
        qop_median, qop_p95 = latencies(store, headline, {"icb": "QOP"})
        for name, query in queries.CATALOGUE.items():
            per_query.setdefault(name, {})[kind] = latencies(store, query, params[name])[0]
        lines.append(
            f"| {kind} | {t_reference:.2f} s ({rows_reference / t_reference:,.0f} rows/s) | {t_demo:.2f} s "
            f"| {rows_demo / t_demo:,.0f} | {all_median:.1f} / {all_p95:.1f} ms | {qop_median:.1f} / {qop_p95:.1f} ms |"
        )
        store.close()
    kinds = [kind for kind, _ in stores]
    lines += ["", f"| query (demo data, median of {RUNS}) | parameters | {' | '.join(kinds)} |"]
    lines.append("| --- | --- |" + " --- |" * len(kinds))
    for name, figures in per_query.items():
        given = ", ".join(f"{k}={v}" for k, v in params[name].items()) or "defaults"
        lines.append(f"| `{name}` | {given} | " + " | ".join(f"{figures[k]:.1f} ms" for k in kinds) + " |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
