"""The inequality lens: who is not opted in, by the deprivation of the practice (``opt-in-by-deprivation``).

The research behind the project warned that practices left out of system-level data risk widening
inequalities; this question asks whether those left out are the most deprived. A practice's deprivation
is its IMD 2019 score (OHID Fingertips, the bundled ``gp-practice-imd-fingertips``), cut into quintiles
over England's practices by :func:`quintiles`: the cut points come from the data, never from a table.
"Not opted in" is the ``practices-not-opted-in`` rule, practice by practice: its primary care data
reaches no system of the type scoped to its own ICB, while another practice's of that ICB does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph.model import System
from graph.store import CypherRunner, Row
from graph.view import GraphView
from graph.vocab import DataCategory, SystemType
from queries.coverage import practices_at, reach_all, require_icb_cypher, require_icb_networkx, share
from queries.flows import carries_primary_care, carrying, within
from queries.registry import AS_OF, NamedQuery, Param, declare

UNKNOWN = "unknown"
QUINTILES = ("1", "2", "3", "4", "5", UNKNOWN)


class OptInSystem(StrEnum):
    """The kinds of system-level data approach a practice opts into."""

    SHARED_CARE_RECORD = SystemType.SHARED_CARE_RECORD.value
    PHM_PLATFORM = SystemType.PHM_PLATFORM.value
    SDE = SystemType.SDE.value
    FDP_INSTANCE = SystemType.FDP_INSTANCE.value


@dataclass(frozen=True, slots=True)
class PracticeFacts:
    """What the question needs of one practice, as either store reads it."""

    practice: str
    icb: str
    imd_score: float | None
    list_size: int | None
    opted_in: bool


def quintiles(scores: Mapping[str, float]) -> dict[str, str]:
    """Each practice's deprivation quintile among ``scores``: ``"1"`` (most deprived fifth) to ``"5"``.

    The rule: sort the practices by IMD score, highest (most deprived) first, ties by code; the practice
    at position ``i`` of ``n`` (from 0) is in quintile ``1 + 5 * i // n``, except that practices with
    equal scores all take the quintile of the first of them, so a tie never straddles a cut.

    >>> quintiles({"A": 50.0, "B": 40.0, "C": 30.0, "D": 20.0, "E": 10.0})
    {'A': '1', 'B': '2', 'C': '3', 'D': '4', 'E': '5'}
    >>> quintiles({"A": 9.0, "B": 9.0, "C": 1.0})
    {'A': '1', 'B': '1', 'C': '4'}
    """
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    found: dict[str, str] = {}
    previous: tuple[float, str] | None = None
    for position, (practice, score) in enumerate(ordered):
        if previous is not None and previous[0] == score:
            found[practice] = previous[1]
            continue
        quintile = str(1 + 5 * position // len(ordered))
        found[practice] = quintile
        previous = (score, quintile)
    return found


def deprivation_rows(practices: Iterable[PracticeFacts], icb: str | None) -> list[Row]:
    """One row per quintile (and ``unknown``), for ``icb`` or, when None, every practice given.

    ``practices`` are England's practices at the date (those with an ICB): the quintiles are cut over
    all of them whatever ``icb`` is, so quintile 1 of an ICB is England's most deprived fifth.
    """
    every = list(practices)
    quintile_of = quintiles({p.practice: p.imd_score for p in every if p.imd_score is not None})
    icbs_in = {p.icb for p in every if p.opted_in}
    totals: dict[str, dict[str, int]] = {q: defaultdict(int) for q in QUINTILES}
    for p in every:
        if icb is not None and p.icb != icb:
            continue
        counts = totals[quintile_of.get(p.practice, UNKNOWN)]
        left_out = p.icb in icbs_in and not p.opted_in
        counts["practices"] += 1
        counts["not_opted_in"] += left_out
        counts["in_icb_without"] += p.icb not in icbs_in
        counts["list_size_unknown"] += p.list_size is None
        counts["patients"] += p.list_size or 0
        counts["patients_not_opted_in"] += (p.list_size or 0) if left_out else 0
    return [
        {
            "quintile": quintile,
            "practices": counts["practices"],
            "not_opted_in": counts["not_opted_in"],
            "in_icb_without": counts["in_icb_without"],
            "patients": counts["patients"],
            "patients_not_opted_in": counts["patients_not_opted_in"],
            "list_size_unknown": counts["list_size_unknown"],
            "share_not_opted_in": share(counts["not_opted_in"], counts["practices"] - counts["in_icb_without"]),
        }
        for quintile, counts in totals.items()
    ]


def deprivation_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    icb, as_of, system_type = params["icb"], params["as_of"], SystemType(params["system_type"])
    if icb is not None:
        require_icb_networkx(view, icb)
    practices = [p for p in practices_at(view, as_of) if p.icb is not None]
    targets: dict[str, list[str]] = defaultdict(list)
    for identifier, node in view.nodes.items():
        if isinstance(node, System) and node.system_type is system_type and node.icb is not None:
            targets[node.icb].append(identifier)
    # One backward search per ICB from its systems, as practices-not-opted-in does for one ICB.
    predecessors: dict[str, set[str]] = defaultdict(set)
    for flow in carrying(view, as_of, DataCategory.PRIMARY_CARE, include_national_collections=False):
        predecessors[flow.destination].add(flow.source)
    upstream = {code: reach_all(predecessors, systems) for code, systems in targets.items()}
    facts = (
        PracticeFacts(p.org_id, p.icb, p.imd_score, p.list_size, p.org_id in upstream.get(p.icb, ()))
        for p in practices
        if p.icb is not None
    )
    return deprivation_rows(facts, icb)


ENGLAND_PRACTICES_CYPHER = f"""
MATCH (p:Organisation {{org_type: 'gp_practice'}})
WHERE p.icb IS NOT NULL AND {within("p")}
RETURN collect([p.id, p.icb, p.imd_score, p.list_size]) AS practices
"""
# As practices-not-opted-in: ANY SHORTEST bound at each system of the type is one breadth-first search
# backwards from it, limited to practices of the system's own ICB.
OPTED_IN_CYPHER = f"""
MATCH (x:System {{system_type: $system_type}})
WHERE x.icb IS NOT NULL AND ($icb IS NULL OR x.icb = $icb)
CALL (x) {{
  MATCH ANY SHORTEST (p:Organisation {{org_type: 'gp_practice', icb: x.icb}}) ((a)-[f:FLOW]->(b)
      WHERE {carries_primary_care("f", "b")})+ (x)
  RETURN p.id AS practice
}}
RETURN collect(DISTINCT practice) AS practices
"""


def deprivation_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    icb, as_of = params["icb"], params["as_of"].isoformat()
    if icb is not None:
        require_icb_cypher(run, icb)
    [opted] = run(
        OPTED_IN_CYPHER, system_type=params["system_type"], icb=icb, as_of=as_of, include_national_collections=False
    )
    opted_in = set(opted["practices"])
    [found] = run(ENGLAND_PRACTICES_CYPHER, as_of=as_of)
    facts = (
        PracticeFacts(practice, practice_icb, score, size, practice in opted_in)
        for practice, practice_icb, score, size in found["practices"]
    )
    return deprivation_rows(facts, icb)


OPT_IN_BY_DEPRIVATION = declare(
    NamedQuery(
        name="opt-in-by-deprivation",
        description=(
            "For an ICB, or England when no ICB is given: GP practices at the date and their registered "
            "patients grouped by the deprivation quintile of the practice, and in each how many are not "
            "opted into a system of the given type (the practices-not-opted-in rule: the practice's primary "
            "care data reaches no such system of its own ICB while another practice's of that ICB does). "
            "Quintiles are cut over England's practices (those with an ICB) with a known IMD 2019 score: "
            "sorted most deprived first, the practice at position i of n is in quintile 1 + 5i/n (rounded "
            "down), tied scores sharing a quintile; 1 is the most deprived fifth. Practices with no IMD "
            "score are counted in quintile 'unknown', never dropped; 'list_size_unknown' counts those whose "
            "registered patients are not known (left out of the patient sums); 'in_icb_without' counts "
            "practices of ICBs where no practice's data reaches such a system (neither in nor left out, and "
            "not in the share)."
        ),
        params=(
            Param("icb", str, "Only practices of this ICB (ODS code, e.g. QOP); quintiles are still England's"),
            Param(
                "system_type",
                OptInSystem,
                "The kind of system practices opt into",
                default=OptInSystem.SHARED_CARE_RECORD.value,
            ),
            AS_OF,
        ),
        columns=(
            "quintile",
            "practices",
            "not_opted_in",
            "in_icb_without",
            "patients",
            "patients_not_opted_in",
            "list_size_unknown",
            "share_not_opted_in",
        ),
        networkx=deprivation_networkx,
        cypher=deprivation_cypher,
    )
)
