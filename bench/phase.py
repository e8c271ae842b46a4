"""One measured phase of the benchmark, run in its own process so its peak memory is its own.

    python bench/phase.py PHASE REGISTER_DIR [--neo4j URI]

Prints one JSON object of figures on stdout. ``bench/run.py`` runs the phases and makes the table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from peers import answer

import queries
from app.stores import reference_data
from graph.memory import MemoryStore
from graph.model import Organisation, Register, System
from graph.store import Store
from graph.view import GraphView
from graph.vocab import OrgType, SystemType
from loaders.register import read_register, validate_together

# Repeats per query: fewer at x10, where one run of a slow query on Neo4j takes seconds.
REPEATS = int(os.environ.get("BENCH_REPEATS", "11"))
REPEATS_X10 = int(os.environ.get("BENCH_REPEATS_X10", "5"))


def seconds(work: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rows_in(register: Register) -> int:
    return sum(register.counts().values())


def query_params(view: GraphView) -> dict[str, dict[str, Any]]:
    """Representative parameters: the ICB with most practices, one of its practices, its ShCR..."""
    practices = [n for n in view.nodes.values() if isinstance(n, Organisation) and n.org_type is OrgType.GP_PRACTICE]
    by_icb: dict[str, int] = {}
    for practice in practices:
        if practice.icb:
            by_icb[practice.icb] = by_icb.get(practice.icb, 0) + 1
    icb = max(sorted(by_icb), key=lambda code: by_icb[code])
    practice = min(p.org_id for p in practices if p.icb == icb)
    systems = sorted((n for n in view.nodes.values() if isinstance(n, System)), key=lambda s: s.system_id)
    shcr = next(
        (s.system_id for s in systems if s.system_type is SystemType.SHARED_CARE_RECORD and s.icb == icb),
        systems[0].system_id,
    )
    platform = next((s.system_id for s in systems if s.system_type is SystemType.SDE), shcr)
    values = {
        "icb": icb,
        "node": practice,
        "system": shcr,
        "source": practice,
        "destination": platform,
        "category": "primary_care",
    }
    params: dict[str, dict[str, Any]] = {}
    for query in queries.CATALOGUE.values():
        params[query.name] = {
            p.name: values[p.name] for p in query.params if p.name in values and (p.required or p.name == "icb")
        }
    return params


def repeats(folder: Path) -> int:
    return REPEATS_X10 if folder.name.endswith("-x10") else REPEATS


# The headline is timed twice: for the largest ICB (as every ICB-scoped query) and for all of England.
ALL_ENGLAND = "practices-shcr-only (all ICBs)"
# The answers the peers give too, by the column that identifies them: kept (as a digest) to compare.
COMPARED = {ALL_ENGLAND: "practice", "lawful-basis": "flow_id", "opt-outs": "flow_id"}


def time_queries(store: Store, params: dict[str, dict[str, Any]], repeats: int) -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {}
    runs = [(query.name, query, params[query.name]) for query in queries.CATALOGUE.values()]
    runs.append((ALL_ENGLAND, queries.get("practices-shcr-only"), {}))
    for name, query, given in runs:
        bound = query.bind(given)
        rows = store.run(query, bound)  # warm caches and the planner
        samples = sorted(seconds(lambda q=query, b=bound: store.run(q, b))[1] for _ in range(repeats))
        figures[name] = {
            "rows": len(rows),
            **({"answer": answer(str(row[COMPARED[name]]) for row in rows)} if name in COMPARED else {}),
            "median_ms": statistics.median(samples) * 1000,
            "p95_ms": samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))] * 1000,
        }
    return figures


def parse_only(folder: Path) -> dict[str, Any]:
    register, took = seconds(lambda: read_register(folder))
    return {"rows": rows_in(register), "seconds": took}


def embedded(folder: Path) -> dict[str, Any]:
    reference = reference_data()
    register, parse = seconds(lambda: read_register(folder))
    _, validate = seconds(lambda: validate_together(reference, {}, [register]))
    store = MemoryStore(reference, None)
    _, build = seconds(lambda: store.replace([register]))
    params = query_params(store.view)
    return {
        "rows": rows_in(register),
        "parse_s": parse,
        "validate_s": validate,
        "build_s": build,
        "load_s": parse + validate + build,
        "queries": time_queries(store, params, repeats(folder)),
        "params": params,
        "peak_mib": peak_mib(),
    }


def neo4j(folder: Path, uri: str) -> dict[str, Any]:
    from graph.neo4j_store import Neo4jStore

    reference = reference_data()
    register, parse = seconds(lambda: read_register(folder))
    _, validate = seconds(lambda: validate_together(reference, {}, [register]))
    store = Neo4jStore.connect(uri, reference)
    _, reset = seconds(store.reset)
    _, write = seconds(lambda: store.replace([register]))
    view = MemoryStore(reference, None)
    view.replace([register])
    params = query_params(view.view)
    figures = {
        "rows": rows_in(register),
        "parse_s": parse,
        "validate_s": validate,
        "reference_s": reset,
        "write_s": write,
        "load_s": parse + validate + write,
        "queries": time_queries(store, params, repeats(folder)),
        "peak_mib": peak_mib(),
    }
    store.close()
    return figures


def naive(folder: Path, uri: str, sample: int = 1500) -> dict[str, Any]:
    """The loader most tutorials show: one MERGE statement per row, each its own round trip."""
    from neo4j import GraphDatabase

    register = read_register(folder)
    flows = register.flows[:sample]
    driver = GraphDatabase.driver(uri, auth=None)
    with driver.session() as session:
        session.run("MATCH (n:Naive) DETACH DELETE n").consume()
        started = time.perf_counter()
        for flow in flows:
            session.run(
                "MERGE (a:Naive {id: $source}) MERGE (b:Naive {id: $destination}) "
                "MERGE (a)-[f:NAIVE_FLOW {flow_id: $flow_id}]->(b) SET f.data_categories = $categories",
                source=flow.source,
                destination=flow.destination,
                flow_id=flow.flow_id,
                categories=[str(c) for c in flow.data_categories],
            ).consume()
        took = time.perf_counter() - started
        session.run("MATCH (n:Naive) DETACH DELETE n").consume()
    driver.close()
    return {
        "sample_rows": len(flows),
        "seconds": took,
        "rows_per_s": len(flows) / took,
        "extrapolated_s": took / len(flows) * rows_in(register),
        "rows": rows_in(register),
    }


def floor(folder: Path) -> dict[str, Any]:
    """The headline's reachability as one sparse-matrix traversal: the physical-limit reference.

    Every node that can reach an 'outside' node (neither a ShCR, a GP system nor a practice) is found
    by one breadth-first search from a super-source over the reversed edges; the practices not found
    qualify. (It treats a practice reaching another practice as inside, which the demo and the synthetic
    registers never have, so its count is checked against the headline's.)
    """
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    from queries.flows import carrying, is_national_collection

    reference = reference_data()
    register = read_register(folder)
    store = MemoryStore(reference, None)
    store.replace([register])
    view = store.view
    flows = [
        f
        for f in carrying(view, date.today(), None, True)
        if "primary_care" in f.data_categories and not is_national_collection(view, f)
    ]

    practices = [
        i for i, node in view.nodes.items() if isinstance(node, Organisation) and node.org_type is OrgType.GP_PRACTICE
    ]

    def traverse() -> int:
        index = {node: i for i, node in enumerate(view.nodes)}
        n = len(index)
        inside = {SystemType.SHARED_CARE_RECORD, SystemType.GP_CLINICAL_SYSTEM}
        outside = [
            index[i]
            for i, node in view.nodes.items()
            if not (isinstance(node, System) and node.system_type in inside)
            and not (isinstance(node, Organisation) and node.org_type is OrgType.GP_PRACTICE)
        ]
        source = np.array([index[f.destination] for f in flows] + [n] * len(outside))
        target = np.array([index[f.source] for f in flows] + outside)
        # Reversed edges, plus a super-source n pointing at every outside node.
        matrix = csr_matrix((np.ones(len(source), dtype=np.int8), (source, target)), shape=(n + 1, n + 1))
        reached = set(breadth_first_order(matrix, n, directed=True, return_predecessors=False).tolist())
        return sum(index[p] not in reached for p in practices)

    qualifying, took = seconds(traverse)
    samples = sorted(seconds(traverse)[1] for _ in range(repeats(folder)))
    headline = store.run(queries.get("practices-shcr-only"), queries.get("practices-shcr-only").bind({}))
    return {
        "median_ms": statistics.median(samples) * 1000,
        "first_ms": took * 1000,
        "flows": len(flows),
        "qualifying": qualifying,
        "headline_qualifying": len(headline),
    }


REPEATS_RELOAD = int(os.environ.get("BENCH_REPEATS_RELOAD", "5"))


def reload(folder: Path, uri: str | None) -> dict[str, Any]:
    """One ICS's register reloaded into the national graph, again and again, each time every flow changed.

    ``folder`` is the national register; beside it the cut made by ``cut``: the rest of England and the
    ICS in two versions. Each reload is what ``icsgraph load`` does once it has the reference data: read
    the register's files, validate it against the graph, write it as the register's next version (locked,
    in the audit log).
    """
    from tempfile import TemporaryDirectory

    from app.changes import Changes
    from app.cli.common import CLI_ACTOR
    from app.settings import Settings

    reference = reference_data()
    rest, versions = cut_of(folder)
    name = versions[0].name.rsplit("-v", 1)[0]
    with TemporaryDirectory() as data:
        store: Store
        if uri:
            from graph.neo4j_store import Neo4jStore

            neo = Neo4jStore.connect(uri, reference)
            neo.reset()
            store = neo
        else:
            store = MemoryStore(reference, Path(data))  # persisted, as `icsgraph load` does
        changes = Changes(store, reference, Settings(data_dir=Path(data)))
        # Together: a national agreement's ``covers`` names the ICS's GP systems.
        changes.load([read_register(rest), read_register(versions[0], name=name)], CLI_ACTOR)
        counts = store.counts()
        samples = []
        for turn in range(REPEATS_RELOAD):
            version = versions[(turn + 1) % 2]
            _, took = seconds(lambda v=version: changes.load([read_register(v, name=name)], CLI_ACTOR))
            samples.append(took)
        made = [v.version for v in store.versions(name)]
        store.close()
    return {
        "rows": rows_in(read_register(versions[0])),
        "graph": counts,
        "versions": made,
        "samples_s": samples,
        "median_s": statistics.median(samples),
        "peak_mib": peak_mib(),
    }


def cut(folder: Path) -> dict[str, Any]:
    """Write the cut of ``bench/ics.py`` beside ``folder``: the rest of England, the ICS in two versions
    (the second with every flow changed), and the reference data's practices for the peers."""
    from ics import revised, split, typical_icb
    from peers import write_practices

    from loaders.register_writer import write_register

    reference = reference_data()
    register = read_register(folder)
    icb = typical_icb(reference, register)
    rest, ics = split(reference, register, icb)
    write_register(rest, folder.with_name(folder.name + "-rest"))
    for old in folder.parent.glob(f"{folder.name}-ics-*"):
        for file in old.iterdir():
            file.unlink()
        old.rmdir()
    write_register(ics, folder.with_name(f"{folder.name}-{ics.name}-v1"))
    write_register(revised(ics), folder.with_name(f"{folder.name}-{ics.name}-v2"))
    write_practices(reference, folder.parent / "practices.csv")
    return {"icb": icb, "rows": rows_in(ics), "share": rows_in(ics) / rows_in(register)}


def cut_of(folder: Path) -> tuple[Path, list[Path]]:
    """The rest-of-England register and the ICS's two versions written beside ``folder`` by ``cut``."""
    rest = folder.with_name(folder.name + "-rest")
    versions = sorted(folder.parent.glob(f"{folder.name}-ics-*-v[12]"))
    return rest, versions


def peers(folder: Path, which: str) -> dict[str, Any]:
    from peers import duckdb_peer, networkx_peer

    practices = folder.parent / "practices.csv"
    run = duckdb_peer if which == "duckdb" else networkx_peer
    figures = run(folder, practices, date.today(), repeats(folder))
    figures["peak_mib"] = peak_mib()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "phase", choices=("parse", "embedded", "neo4j", "naive", "floor", "cut", "reload", "duckdb", "networkx")
    )
    parser.add_argument("register", type=Path)
    parser.add_argument("--neo4j")
    args = parser.parse_args()
    if args.phase == "parse":
        figures = parse_only(args.register)
    elif args.phase == "embedded":
        figures = embedded(args.register)
    elif args.phase == "neo4j":
        figures = neo4j(args.register, args.neo4j)
    elif args.phase == "naive":
        figures = naive(args.register, args.neo4j)
    elif args.phase == "cut":
        figures = cut(args.register)
    elif args.phase == "reload":
        figures = reload(args.register, args.neo4j)
    elif args.phase in ("duckdb", "networkx"):
        figures = peers(args.register, args.phase)
    else:
        figures = floor(args.register)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
