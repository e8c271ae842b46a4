"""The headline question: practices whose primary care data goes no further than shared care records.

A practice qualifies when every node its primary care data reaches, following live flows that carry
it, transitively, is a shared care record, or when it sends none. ``gp_clinical_system`` nodes are the
practice's own record: data passes through them but they are not "outside". Mandatory national
collections are left out unless asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.model import Organisation, System
from graph.store import CypherRunner, Row
from graph.view import GraphView
from graph.vocab import DataCategory, OrgType, SystemType
from queries.flows import adjacency, carries_primary_care, carrying, reach, within
from queries.registry import AS_OF, NamedQuery, Param, declare

INSIDE = (SystemType.SHARED_CARE_RECORD, SystemType.GP_CLINICAL_SYSTEM)


def practices_shcr_only_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    as_of, icb = params["as_of"], params["icb"]
    successors = adjacency(carrying(view, as_of, DataCategory.PRIMARY_CARE, params["include_national_collections"]))
    rows = []
    for node in view.nodes.values():
        if not isinstance(node, Organisation) or node.org_type is not OrgType.GP_PRACTICE:
            continue
        if (icb is not None and node.icb != icb) or not node.valid_at(as_of):
            continue
        reached = reach(successors, node.org_id) - {node.org_id}
        kinds = [view.nodes.get(n) for n in reached]
        if all(isinstance(k, System) and k.system_type in INSIDE for k in kinds):
            shcrs = sorted(
                n
                for n in reached
                if (s := view.nodes[n]) and isinstance(s, System) and s.system_type is SystemType.SHARED_CARE_RECORD
            )
            rows.append({"practice": node.org_id, "name": node.name, "icb": node.icb, "reached": shcrs})
    return sorted(rows, key=lambda row: row["practice"])


# Two breadth-first searches per practice, neither enumerating paths (which grows exponentially with
# the alternative routes and cycles of a national graph): the first, under NOT EXISTS, stops at the
# nearest node outside the boundary; only the practices that qualify, whose reach is small by
# definition, are searched again for their ShCRs. Most practices send straight outside, and a search
# finishes a level before it stops (the level after a ShCR is all it sends), so a lazy one-hop check
# comes first, in a CALL to keep the planner from running the search first.
_PRIMARY_CARE_HOP = f"""((a)-[f:FLOW]->(b) WHERE {carries_primary_care("f", "b")})+"""
_OUTSIDE = "NOT coalesce(x.system_type, '') IN ['shared_care_record', 'gp_clinical_system']"
# Whether practice p's primary care data goes outside the boundary in one hop, or at all
# (icb-shcr-only-summary counts with these too).
LEAVES_DIRECTLY_CYPHER = f"""EXISTS {{
    MATCH (p)-[f:FLOW]->(x)
    WHERE x <> p AND {_OUTSIDE} AND {carries_primary_care("f", "x")}
  }}"""
LEAVES_CYPHER = f"""EXISTS {{
    MATCH ANY SHORTEST (p) {_PRIMARY_CARE_HOP} (x)
    WHERE x <> p AND {_OUTSIDE}
  }}"""
PRACTICES_SHCR_ONLY_CYPHER = f"""
MATCH (p:Organisation {{org_type: 'gp_practice'}})
WHERE ($icb IS NULL OR p.icb = $icb) AND {within("p")}
CALL (p) {{
  RETURN {LEAVES_DIRECTLY_CYPHER} AS leaves_directly
}}
WITH p
WHERE NOT leaves_directly AND NOT {LEAVES_CYPHER}
CALL (p) {{
  OPTIONAL MATCH ANY SHORTEST (p) {_PRIMARY_CARE_HOP} (x:System {{system_type: 'shared_care_record'}})
  RETURN collect(DISTINCT x.id) AS reached
}}
WITH p, reached ORDER BY p.id
RETURN collect([p.id, p.name, p.icb, reached]) AS rows
"""


def practices_shcr_only_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    # One record holding every row: the driver handles each record as its own message (~30 us each), so
    # an answer of thousands of practices (most of England, where few practices send anything) costs a
    # fifth of the time this way (demo, all ICBs: ~610 -> ~120 ms).
    [record] = run(
        PRACTICES_SHCR_ONLY_CYPHER,
        icb=params["icb"],
        as_of=params["as_of"].isoformat(),
        include_national_collections=params["include_national_collections"],
    )
    return [
        {"practice": practice, "name": name, "icb": icb, "reached": sorted(reached)}
        for practice, name, icb, reached in record["rows"]
    ]


PRACTICES_SHCR_ONLY = declare(
    NamedQuery(
        name="practices-shcr-only",
        description=(
            "GP practices whose primary care data goes no further than shared care records: every system "
            "it reaches through live flows is a shared care record (GP clinical systems are passed "
            "through), or it sends none. National collections are left out unless asked for."
        ),
        params=(
            Param("icb", str, "Only practices of this ICB (ODS code, e.g. QOP)"),
            AS_OF,
            Param(
                "include_national_collections",
                bool,
                "Count flows into national collections (GPES, SUS+...) as leaving the ShCR boundary",
                default=False,
            ),
        ),
        columns=("practice", "name", "icb", "reached"),
        networkx=practices_shcr_only_networkx,
        cypher=practices_shcr_only_cypher,
    )
)
