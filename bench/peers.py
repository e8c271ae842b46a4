"""What a user would otherwise do: the same questions over the same register CSV files, in DuckDB and in
plain networkx. Each function returns its figures and its answer (the practices that qualify, the flows
of each finding), which the benchmark compares with ours: a peer that answers differently is reported,
not raced.

The practices come from the bundled reference data, written once as ``practices.csv`` (an analyst
would read NHS Digital's epraccur file the same way). "Live" and "reaches" follow DOMAIN.md exactly
as the named queries do: live at the date, primary care, national collections left out.
"""

from __future__ import annotations

import csv
import hashlib
import statistics
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from graph.model import ReferenceData
from graph.vocab import OrgType

INSIDE = ("shared_care_record", "gp_clinical_system")


def write_practices(reference: ReferenceData, path: Path) -> Path:
    """The reference data's GP practices as a CSV file: id, icb, valid_from, valid_to."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as file:
        out = csv.writer(file)
        out.writerow(["id", "icb", "valid_from", "valid_to"])
        for o in reference.organisations:
            if o.org_type is OrgType.GP_PRACTICE:
                out.writerow([o.org_id, o.icb or "", o.valid_from or "", o.valid_to or ""])
    return path


def seconds(work: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def timed(work: Callable[[], Any], repeats: int) -> tuple[Any, float, float]:
    """The answer, the first run's time and the median of ``repeats`` more, in ms."""
    started = time.perf_counter()
    answer = work()
    first = (time.perf_counter() - started) * 1000
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return answer, first, statistics.median(samples)


# --- DuckDB ---------------------------------------------------------------------------------------

LOAD_SQL = "CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', header = true, all_varchar = true)"
# Flows live at the date: status live (an empty cell is live), the date within valid_from..valid_to.
LIVE_SQL = """
coalesce(nullif(f.status, ''), 'live') = 'live'
AND coalesce(nullif(f.valid_from, ''), '0000') <= $as_of AND coalesce(nullif(f.valid_to, ''), '9999') >= $as_of
"""
HEADLINE_SQL = f"""
WITH RECURSIVE edges AS (
  SELECT f.source, f.destination
  FROM flows f LEFT JOIN systems s ON s.system_id = f.destination
  WHERE {LIVE_SQL}
    AND list_contains(string_split(f.data_categories, ';'), 'primary_care')
    AND NOT list_contains(string_split(f.purposes, ';'), 'national_collection')
    AND coalesce(s.system_type, '') <> 'national_collection'
),
live_practices AS (
  SELECT id FROM practices
  WHERE coalesce(nullif(valid_from, ''), '0000') <= $as_of AND coalesce(nullif(valid_to, ''), '9999') >= $as_of
),
reach(practice, node) AS (
  SELECT p.id, e.destination FROM live_practices p JOIN edges e ON e.source = p.id
  UNION
  SELECT r.practice, e.destination FROM reach r JOIN edges e ON e.source = r.node
)
SELECT p.id FROM live_practices p
WHERE NOT EXISTS (
  SELECT 1 FROM reach r LEFT JOIN systems s ON s.system_id = r.node
  WHERE r.practice = p.id AND r.node <> p.id AND coalesce(s.system_type, '') NOT IN {INSIDE}
)
ORDER BY p.id
"""
PERSONAL_SQL = "f.identifiability IN ('identifiable', 'pseudonymised')"
SECONDARY_SQL = "len(list_filter(string_split(f.purposes, ';'), lambda p: p <> 'direct_care')) > 0"
# lawful-basis: one finding per flow and missing layer (Art 6, Art 9 for health data, CLDC); the flow of each.
LAWFUL_BASIS_SQL = f"""
SELECT f.flow_id FROM flows f, (VALUES ('art6'), ('art9'), ('cldc')) layers(layer)
WHERE {LIVE_SQL} AND {PERSONAL_SQL} AND CASE layer
  WHEN 'art6' THEN coalesce(f.art6, '') = ''
  WHEN 'art9' THEN coalesce(f.art9, '') = '' AND len(list_filter(string_split(f.data_categories, ';'),
                   lambda c: c NOT IN ('demographics', 'wider_determinants'))) > 0
  ELSE f.identifiability = 'identifiable'
       AND coalesce(nullif(f.cldc_basis, ''), 'not_confidential') = 'not_confidential'
END
ORDER BY f.flow_id
"""
# opt-outs: the national data opt-out under s251, the Type 1 opt-out on GP data leaving a practice.
OPT_OUTS_SQL = f"""
SELECT f.flow_id FROM flows f
LEFT JOIN systems src ON src.system_id = f.source
LEFT JOIN systems dst ON dst.system_id = f.destination,
(VALUES ('ndop'), ('type1')) opt_outs(opt_out)
WHERE {LIVE_SQL} AND {PERSONAL_SQL} AND {SECONDARY_SQL} AND CASE opt_out
  WHEN 'ndop' THEN f.cldc_basis = 's251' AND coalesce(f.ndop, '') NOT IN ('applied', 'exempt')
  ELSE list_contains(string_split(f.data_categories, ';'), 'primary_care')
       AND (f.source IN (SELECT id FROM practices) OR src.system_type = 'gp_clinical_system')
       AND coalesce(dst.system_type, '') <> 'gp_clinical_system'
       AND coalesce(f.cldc_basis, '') <> 'statutory_direction'
       AND coalesce(f.type1, '') NOT IN ('applied', 'exempt')
END
ORDER BY f.flow_id
"""


QUESTIONS = {"headline": HEADLINE_SQL, "lawful-basis": LAWFUL_BASIS_SQL, "opt-outs": OPT_OUTS_SQL}


def answer(ids: Iterable[str]) -> dict[str, Any]:
    """An answer as the benchmark keeps it: how many, and a digest of the sorted ids (equal only when the
    same practices, or the same flows as many times, are found)."""
    ordered = sorted(ids)
    return {"count": len(ordered), "sha1": hashlib.sha1("\n".join(ordered).encode()).hexdigest()}


def duckdb_connect(folder: Path, practices: Path) -> Any:
    """An in-memory DuckDB holding the register's flows and systems and the practices, as text columns."""
    import duckdb

    db = duckdb.connect()
    for table, path in (("flows", folder / "flows.csv"), ("systems", folder / "systems.csv"), ("practices", practices)):
        db.execute(LOAD_SQL.format(table=table, path=str(path).replace("'", "''")))
    return db


def duckdb_ask(db: Any, question: str, as_of: date) -> list[str]:
    """The ids one of QUESTIONS answers: the practices that qualify, or the flow of each finding."""
    return [str(row[0]) for row in db.execute(QUESTIONS[question], {"as_of": as_of.isoformat()}).fetchall()]


def duckdb_peer(folder: Path, practices: Path, as_of: date, repeats: int) -> dict[str, Any]:
    started = time.perf_counter()
    db = duckdb_connect(folder, practices)
    figures: dict[str, Any] = {"load_s": time.perf_counter() - started}
    for name in QUESTIONS:
        ids, first, median = timed(lambda n=name: duckdb_ask(db, n, as_of), repeats)
        figures[name] = {"answer": answer(ids), "first_ms": first, "median_ms": median}
    db.close()
    return figures


# --- plain networkx ---------------------------------------------------------------------------------


def networkx_build(folder: Path, practices: Path, as_of: date) -> tuple[Any, dict[str, str], list[str]]:
    """A DiGraph of the flows that count for the headline, each system's type, the practices live at the date."""
    import networkx as nx

    day = as_of.isoformat()
    with (folder / "systems.csv").open(newline="") as file:
        kinds = {row["system_id"]: row["system_type"] for row in csv.DictReader(file)}
    graph = nx.DiGraph()
    with (folder / "flows.csv").open(newline="") as file:
        for row in csv.DictReader(file):
            if (row["status"] or "live") != "live" or not (row["valid_from"] or "0000") <= day <= (
                row["valid_to"] or "9999"
            ):
                continue
            if "primary_care" not in row["data_categories"].split(";"):
                continue
            if (
                "national_collection" in row["purposes"].split(";")
                or kinds.get(row["destination"]) == "national_collection"
            ):
                continue
            graph.add_edge(row["source"], row["destination"])
    with practices.open(newline="") as file:
        live = [
            r["id"] for r in csv.DictReader(file) if (r["valid_from"] or "0000") <= day <= (r["valid_to"] or "9999")
        ]
    return graph, kinds, live


def networkx_headline(graph: Any, kinds: dict[str, str], live: list[str]) -> list[str]:
    """The practices whose every descendant (``nx.descendants``) is a ShCR or a GP system."""
    import networkx as nx

    qualifying = []
    for practice in live:
        reached = nx.descendants(graph, practice) - {practice} if practice in graph else set()
        if all(kinds.get(node) in INSIDE for node in reached):
            qualifying.append(practice)
    return qualifying


def networkx_peer(folder: Path, practices: Path, as_of: date, repeats: int) -> dict[str, Any]:
    (graph, kinds, live), build_s = seconds(lambda: networkx_build(folder, practices, as_of))
    ids, first, median = timed(lambda: networkx_headline(graph, kinds, live), repeats)
    return {"build_s": build_s, "headline": {"answer": answer(ids), "first_ms": first, "median_ms": median}}
