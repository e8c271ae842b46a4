"""What a page of ``/api/flows``, ``/api/organisations`` and ``/api/systems`` costs on a large graph.

    python bench/pages.py REGISTER_DIR [--neo4j URI] [--repeat 5]

Loads the register (e.g. ``icsgraph synth --out DIR --seed 1``) into the embedded store in memory, or
into the Neo4j at URI, and times requests through the app in process. Every request asks a page not
asked before (a new offset), so the answer cache never serves it. Prints one JSON object: the median
and worst milliseconds per request kind. Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.stores import load_into, reference_data
from graph.memory import MemoryStore
from graph.store import Store
from loaders.register import read_register

REQUESTS = {
    "flows limit=1": "/api/flows?limit=1&offset={n}",
    "flows limit=100": "/api/flows?limit=100&offset={n}",
    "flows category=primary_care limit=100": "/api/flows?category=primary_care&limit=100&offset={n}",
    "flows as_of=2026-01-01 limit=100": "/api/flows?as_of=2026-01-01&limit=100&offset={n}",
    "flows source=<a practice> limit=100": "/api/flows?source={practice}&limit=100&offset={n}",
    "organisations limit=100": "/api/organisations?limit=100&offset={n}",
    "organisations org_type=gp_practice limit=100": "/api/organisations?org_type=gp_practice&limit=100&offset={n}",
    "systems limit=100": "/api/systems?limit=100&offset={n}",
}


def open_store(register_dir: Path, neo4j: str | None) -> tuple[Store, int]:
    reference = reference_data()
    register = read_register(register_dir)
    store: Store
    if neo4j:
        from graph.neo4j_store import Neo4jStore

        store = Neo4jStore.connect(neo4j, reference)
        store.reset()
    else:
        store = MemoryStore(reference, None)
    load_into(store, reference, [register])
    return store, len(register.flows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("register", type=Path)
    parser.add_argument("--neo4j", metavar="URI", help="measure the Neo4j store at URI (it is emptied first)")
    parser.add_argument("--repeat", type=int, default=5, help="requests per kind, each a new page (default 5)")
    args = parser.parse_args()
    store, flows = open_store(args.register, args.neo4j)
    client = TestClient(create_app(Settings(data_dir=None, write_token=None, read_token=None), store))
    practice = client.get("/api/organisations?org_type=gp_practice&limit=1").json()["items"][0]["id"]
    figures: dict[str, Any] = {"store": store.kind, "flows": flows}
    for label, template in REQUESTS.items():
        timings = []
        for n in range(args.repeat):
            url = template.format(n=n * 7, practice=practice)
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code} {response.text[:500]}")
        figures[label] = {"median_ms": round(statistics.median(timings), 1), "max_ms": round(max(timings), 1)}
    store.close()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
