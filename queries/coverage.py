"""ICB-level questions: the headline per ICB, practices not opted in, and data coverage by ICB.

"Reaches" follows live flows carrying the category, transitively, through any node. A node is "of an
ICB" when its ``icb`` is that ICB's code: practices, trusts and local authorities through the reference
hierarchy, systems through their register's ``icb`` column.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from graph.model import Organisation, System
from graph.store import CypherRunner, Row
from graph.view import GraphView
from graph.vocab import ANALYTICAL_PLATFORMS, CORE_CATEGORIES, DataCategory, OrgType, SystemType
from queries.flows import adjacency, carries, carries_primary_care, carrying, within
from queries.headline import LEAVES_CYPHER, LEAVES_DIRECTLY_CYPHER, practices_shcr_only_networkx
from queries.registry import AS_OF, NamedQuery, Param, ParamError, declare

PLATFORM_TYPES = sorted(ANALYTICAL_PLATFORMS)


def reach_all(successors: Mapping[str, set[str]], starts: Iterable[str]) -> set[str]:
    """Every node reachable from any of ``starts`` by one or more hops (a start only via a cycle)."""
    seen: set[str] = set()
    frontier = [n for start in starts for n in successors.get(start, ())]
    while frontier:
        node = frontier.pop()
        if node not in seen:
            seen.add(node)
            frontier.extend(successors.get(node, ()))
    return seen


def icb_problem(icb: str, org_type: str | None, found: bool) -> ParamError | None:
    """The error for an ``icb`` parameter that names no ICB, or None when it names one."""
    if not found:
        return ParamError(f"no organisation {icb!r} in the graph; give an ICB's ODS code (e.g. QE1)")
    if org_type != OrgType.ICB:
        return ParamError(f"{icb!r} is not an ICB (it is a {org_type or 'system'}); give an ICB's ODS code")
    return None


def require_icb_networkx(view: GraphView, icb: str) -> None:
    node = view.nodes.get(icb)
    problem = icb_problem(icb, node.org_type if isinstance(node, Organisation) else None, node is not None)
    if problem:
        raise problem


def require_icb_cypher(run: CypherRunner, icb: str) -> None:
    found = run("MATCH (n:Node {id: $id}) RETURN n.org_type AS org_type", id=icb)
    problem = icb_problem(icb, found[0]["org_type"] if found else None, bool(found))
    if problem:
        raise problem


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- icb-shcr-only-summary ------------------------------------------------------------------------


def summary_rows(totals: Mapping[str, int], names: Mapping[str, str | None], qualifying: Counter[str]) -> list[Row]:
    return [
        {
            "icb": icb,
            "name": names.get(icb),
            "practices": totals[icb],
            "shcr_only": qualifying[icb],
            "share": share(qualifying[icb], totals[icb]),
            "all_practices": qualifying[icb] == totals[icb],
        }
        for icb in sorted(totals)
    ]


def practices_at(view: GraphView, as_of: date) -> Iterable[Organisation]:
    """GP practices that exist at ``as_of``."""
    for node in view.nodes.values():
        if isinstance(node, Organisation) and node.org_type is OrgType.GP_PRACTICE and node.valid_at(as_of):
            yield node


def icb_summary_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    totals = Counter(p.icb for p in practices_at(view, params["as_of"]) if p.icb is not None)
    names = {icb: node.name if isinstance(node := view.nodes.get(icb), Organisation) else None for icb in totals}
    qualifying = Counter(row["icb"] for row in practices_shcr_only_networkx(view, {**params, "icb": None}))
    return summary_rows(totals, names, qualifying)


# One statement counting the practices that stay inside, by the headline's rule and in its order (the
# one-hop check first): the headline's ShCR lists and row per practice are not needed here. The ICB is
# looked up as a :Node, whose id is indexed (as an :Organisation every organisation is scanned).
SUMMARY_CYPHER = f"""
MATCH (p:Organisation {{org_type: 'gp_practice'}})
WHERE p.icb IS NOT NULL AND {within("p")}
CALL (p) {{
  RETURN {LEAVES_DIRECTLY_CYPHER} AS leaves_directly
}}
WITH p.icb AS icb, count(p) AS practices,
     count(CASE WHEN NOT leaves_directly AND NOT {LEAVES_CYPHER} THEN p END) AS shcr_only
OPTIONAL MATCH (i:Node {{id: icb}}) WHERE i:Organisation
RETURN icb, i.name AS name, practices, shcr_only
"""


def icb_summary_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    records = run(
        SUMMARY_CYPHER,
        as_of=params["as_of"].isoformat(),
        include_national_collections=params["include_national_collections"],
    )
    totals = {r["icb"]: r["practices"] for r in records}
    names = {r["icb"]: r["name"] for r in records}
    return summary_rows(totals, names, Counter({r["icb"]: r["shcr_only"] for r in records}))


ICB_SHCR_ONLY_SUMMARY = declare(
    NamedQuery(
        name="icb-shcr-only-summary",
        description=(
            "Per ICB with at least one practice at the date: how many practices send primary care data no "
            "further than shared care records (the practices-shcr-only rule), the share, and whether every "
            "practice does (the report's 'one ICS'). Practices with no ICB are left out."
        ),
        params=(
            AS_OF,
            Param(
                "include_national_collections",
                bool,
                "Count flows into national collections (GPES, SUS+...) as leaving the ShCR boundary",
                default=False,
            ),
        ),
        columns=("icb", "name", "practices", "shcr_only", "share", "all_practices"),
        networkx=icb_summary_networkx,
        cypher=icb_summary_cypher,
    )
)


# --- practices-not-opted-in -----------------------------------------------------------------------


def left_out_rows(practices: list[tuple[str, str, int | None, bool]]) -> list[Row]:
    """Rows for the practices that reach no target, with the ICB's counts repeated on each.

    ``practices`` holds (id, name, list size, reaches a target). No rows when no practice reaches one:
    the question is about practices left out while their peers are in.
    """
    if not any(reaches for *_, reaches in practices):
        return []
    left = sorted((p for p in practices if not p[3]), key=lambda p: p[0])
    sizes = [size for _, _, size, _ in practices if size is not None]
    patients = sum(size for _, _, size, _ in left if size is not None) if sizes else None
    counts = {
        "practices_in_icb": len(practices),
        "left_out": len(left),
        "share_left_out": share(len(left), len(practices)),
        "patients_left_out": patients,
        "share_patients_left_out": share(patients, sum(sizes)) if patients is not None else None,
    }
    return [{"practice": p, "name": name, "list_size": size, **counts} for p, name, size, _ in left]


def not_opted_in_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    icb, as_of, system_type = params["icb"], params["as_of"], SystemType(params["system_type"])
    require_icb_networkx(view, icb)
    targets = [
        i for i, n in view.nodes.items() if isinstance(n, System) and n.system_type is system_type and n.icb == icb
    ]
    # One backward search from the targets instead of one forward search per practice.
    predecessors: dict[str, set[str]] = defaultdict(set)
    for flow in carrying(view, as_of, DataCategory.PRIMARY_CARE, include_national_collections=False):
        predecessors[flow.destination].add(flow.source)
    upstream = reach_all(predecessors, targets)
    practices = [
        (p.org_id, p.name, p.list_size, p.org_id in upstream) for p in practices_at(view, as_of) if p.icb == icb
    ]
    return left_out_rows(practices)


PRACTICES_OF_ICB_CYPHER = f"""
MATCH (p:Organisation {{org_type: 'gp_practice', icb: $icb}})
WHERE {within("p")}
RETURN p.id AS practice, p.name AS name, p.list_size AS list_size
"""
# ANY SHORTEST bound at the target is one breadth-first search backwards from each of the ICB's systems
# of the type (a handful), instead of one search per practice: with a shared care record that feeds
# primary care back to practices, each per-practice search would cover the whole ICB.
REACHING_CYPHER = f"""
MATCH (x:System {{system_type: $system_type, icb: $icb}})
MATCH ANY SHORTEST (p:Organisation {{org_type: 'gp_practice', icb: $icb}}) ((a)-[f:FLOW]->(b)
    WHERE {carries_primary_care("f", "b")})+ (x)
RETURN DISTINCT p.id AS practice
"""


def not_opted_in_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    require_icb_cypher(run, params["icb"])
    values = {
        "icb": params["icb"],
        "system_type": params["system_type"],
        "as_of": params["as_of"].isoformat(),
        "include_national_collections": False,
    }
    reaching = {r["practice"] for r in run(REACHING_CYPHER, **values)}
    practices = run(PRACTICES_OF_ICB_CYPHER, icb=params["icb"], as_of=values["as_of"])
    return left_out_rows([(r["practice"], r["name"], r["list_size"], r["practice"] in reaching) for r in practices])


PRACTICES_NOT_OPTED_IN = declare(
    NamedQuery(
        name="practices-not-opted-in",
        description=(
            "Practices of an ICB whose primary care data (live flows, transitively, national collections "
            "left out) reaches no system of the given type scoped to that ICB, while other practices' data "
            "does; one row per practice left out, with the ICB's counts and shares (of practices, and of "
            "registered patients where list sizes are loaded) repeated on each row. No rows when no "
            "practice of the ICB reaches such a system."
        ),
        params=(
            Param("icb", str, "The ICB (ODS code, e.g. QOP)", required=True),
            Param(
                "system_type",
                SystemType,
                "The kind of system practices opt into",
                default=SystemType.SHARED_CARE_RECORD.value,
            ),
            AS_OF,
        ),
        columns=(
            "practice",
            "name",
            "list_size",
            "practices_in_icb",
            "left_out",
            "share_left_out",
            "patients_left_out",
            "share_patients_left_out",
        ),
        networkx=not_opted_in_networkx,
        cypher=not_opted_in_cypher,
    )
)


# --- icb-coverage ---------------------------------------------------------------------------------


def coverage_rows(
    icbs: Mapping[str, str | None], reached: Mapping[tuple[str, str], list[str]], only: str | None
) -> list[Row]:
    """One row per ICB and core category; ranks and the mean are over every ICB, whatever ``only``."""
    scores = {
        icb: round(sum(bool(reached.get((icb, c))) for c in CORE_CATEGORIES) / len(CORE_CATEGORIES), 4) for icb in icbs
    }
    mean = round(sum(scores.values()) / len(scores), 4) if scores else None
    rows = []
    for icb in sorted(icbs):
        if only is not None and icb != only:
            continue
        rank = 1 + sum(other > scores[icb] for other in scores.values())
        for category in CORE_CATEGORIES:
            platforms = sorted(reached.get((icb, category), []))
            rows.append(
                {
                    "icb": icb,
                    "name": icbs[icb],
                    "category": category.value,
                    "covered": bool(platforms),
                    "platforms": platforms,
                    "score": scores[icb],
                    "rank": rank,
                    "national_mean": mean,
                }
            )
    return rows


def coverage_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    as_of, only = params["as_of"], params["icb"]
    if only is not None:
        require_icb_networkx(view, only)
    icbs = {
        i: n.name
        for i, n in view.nodes.items()
        if isinstance(n, Organisation) and n.org_type is OrgType.ICB and n.valid_at(as_of)
    }
    platforms: dict[str, set[str]] = defaultdict(set)
    for i, n in view.nodes.items():
        if isinstance(n, System) and n.system_type in ANALYTICAL_PLATFORMS and n.icb in icbs:
            platforms[n.icb].add(i)
    reached: dict[tuple[str, str], list[str]] = {}
    for category in CORE_CATEGORIES:
        flows = list(carrying(view, as_of, category))
        senders: dict[str | None, set[str]] = defaultdict(set)
        for flow in flows:
            senders[view.nodes[flow.source].icb].add(flow.source)
        successors = adjacency(flows)
        for icb, own in platforms.items():
            reached[(icb, category)] = sorted(own & reach_all(successors, senders[icb]))
    return coverage_rows(icbs, reached, only)


# For each platform of the ICB, ANY SHORTEST from any node of the ICB is one breadth-first search
# backwards from the platform; LIMIT 1 stops at the first node of the ICB found.
COVERAGE_CYPHER = f"""
MATCH (i:Organisation {{org_type: 'icb'}})
WHERE {within("i")}
CALL (i) {{
  MATCH (p:System {{icb: i.id}})
  WHERE p.system_type IN $platforms
  CALL (i, p) {{
    MATCH ANY SHORTEST (o:Node) ((a)-[f:FLOW]->(b) WHERE {carries("f")})+ (p)
    WHERE o.icb = i.id
    RETURN o
    LIMIT 1
  }}
  RETURN collect(p.id) AS reached
}}
RETURN i.id AS icb, i.name AS name, reached
"""


def coverage_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    only = params["icb"]
    if only is not None:
        require_icb_cypher(run, only)
    icbs: dict[str, str | None] = {}
    reached: dict[tuple[str, str], list[str]] = {}
    for category in CORE_CATEGORIES:
        for record in run(
            COVERAGE_CYPHER, category=category.value, platforms=PLATFORM_TYPES, as_of=params["as_of"].isoformat()
        ):
            icbs[record["icb"]] = record["name"]
            reached[(record["icb"], category)] = record["reached"]
    return coverage_rows(icbs, reached, only)


ICB_COVERAGE = declare(
    NamedQuery(
        name="icb-coverage",
        description=(
            "For each ICB at the date and each core category (primary care, acute, community, mental "
            "health, social care): whether data of that category sent by a node of the ICB (an organisation "
            "or system whose ICB it is) reaches, through live flows carrying it, an analytical platform (PHM, "
            "SDE, FDP instance, data warehouse) scoped to that ICB, and which; the ICB's coverage score "
            "(categories covered / 5); its rank among all ICBs (1 = best, ties share a rank) and the national "
            "mean score, both over every ICB even when one is asked for."
        ),
        params=(Param("icb", str, "Only this ICB (ODS code, e.g. QOP); ranks still compare all ICBs"), AS_OF),
        columns=("icb", "name", "category", "covered", "platforms", "score", "rank", "national_mean"),
        networkx=coverage_networkx,
        cypher=coverage_cypher,
    )
)
