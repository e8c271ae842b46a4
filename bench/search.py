"""How fast the search box is over the national data: building the index, and answering.

    .venv/bin/python bench/search.py                      # the embedded store
    NEO4J_URI=bolt://127.0.0.1:PORT .venv/bin/python bench/search.py   # and Neo4j

Loads the national reference data with the synthetic register for all of England (``icsgraph synth
--seed 2026``, about 57,000 rows) and, separately, the bundled demo; builds the search index once per
store (what ``/api/search`` does once per graph version) and times a range of queries, each tier of the
ranking among them, and the whole ``GET /api/search`` round trip in process. Prints a markdown table;
nothing is asserted (figures are measured, never a pass mark).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings, demo_registers
from app.stores import reference_data
from graph.memory import MemoryStore
from graph.model import Register
from graph.store import Store
from loaders.reference import read_gp_suppliers
from loaders.register import read_register, validate_together
from loaders.synth import synthesise
from queries.search import SearchIndexes

RUNS = 50
QUERIES = {
    "exact code": "P82001",
    "code prefix": "P820",
    "name prefix": "bolton",
    "words": "medical centre",
    "part of a word": "ensham",
    "one letter": "s",
    "no match": "zzzzqx",
}


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def latency(run: Callable[[], object]) -> tuple[float, float]:
    """Median and p95 in ms over RUNS runs, after one to warm up."""
    run()
    samples = sorted(timed(run) for _ in range(RUNS))
    return statistics.median(samples) * 1000, samples[int(0.95 * (len(samples) - 1))] * 1000


def measure(label: str, store: Store) -> list[str]:
    indexes = SearchIndexes()
    build = timed(lambda: indexes.of(store))
    index = indexes.of(store)
    lines = [f"| {label}: build the index ({len(index):,} entries) | {build * 1000:.0f} ms |"]
    for kind, query in QUERIES.items():
        median, p95 = latency(lambda query=query: index.search(query, 10))
        found = index.search(query, 10)
        top = found[0]["match"] if found else "none"
        what = f"`{query}` ({kind}; {len(found)} hits, first by {top})"
        lines.append(f"| {label}: {what} | {median:.2f} / {p95:.2f} ms |")
    api = TestClient(create_app(Settings(data_dir=None, write_token=None, read_token=None), store))
    api.get("/api/search?q=bolton")  # builds the app's own index
    median, p95 = latency(lambda: api.get("/api/search", params={"q": "bolton medical", "limit": 8}))
    lines.append(f"| {label}: `GET /api/search?q=bolton medical&limit=8`, in process | {median:.2f} / {p95:.2f} ms |")
    return lines


def main() -> int:
    reference = reference_data()
    print("generating the synthetic England (seed 2026)...", file=sys.stderr)
    national: Register = synthesise(reference, read_gp_suppliers(), seed=2026, scale=1).register
    validate_together(reference, {}, [national])
    demo = [read_register(path) for path in demo_registers()]
    validate_together(reference, {}, demo)
    stores: list[tuple[str, Store]] = []
    embedded = MemoryStore(reference, None)
    embedded.replace([national])
    stores.append(("embedded, England", embedded))
    small = MemoryStore(reference, None)
    small.replace(demo)
    stores.append(("embedded, demo", small))
    uri = os.environ.get("NEO4J_URI")
    if uri:
        from graph.neo4j_store import Neo4jStore

        neo4j = Neo4jStore.connect(uri, reference, database=os.environ.get("NEO4J_DATABASE"))
        neo4j.reset()
        neo4j.replace([national])
        stores.append(("neo4j, England", neo4j))
    print("| measure | median / p95 |")
    print("| --- | --- |")
    for label, store in stores:
        print("\n".join(measure(label, store)))
    for _, store in stores:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
