"""Lineage: what a node's data reaches downstream, or where it comes from upstream, to a depth.

Only live flows that match every filter given are followed: ``category`` among the flow's data
categories, ``purpose`` among its purposes, ``identifiability`` equal to the flow's (as received by its
destination). A node's ``hop`` is its shortest distance from ``node`` over such flows (a breadth-first
search). One row per matching flow whose near end (its source downstream, its destination upstream)
lies at distance < ``max_depth``: so flows between nodes already reached are listed too, each under
the distance of its far end. The start node is not a row, and flows leading back into it are left
out: its data coming back to it reaches nothing new. Rows are sorted by (hop, node, flow_id).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Any

from graph.model import Flow
from graph.store import CypherRunner, Row
from graph.view import GraphView
from graph.vocab import DataCategory, Identifiability, Purpose
from queries.flows import live
from queries.registry import AS_OF, NamedQuery, Param, ParamError, declare

MAX_DEPTH = 20


class Direction(StrEnum):
    """Which way to follow flows: with them (where data goes) or against them (where it comes from)."""

    DOWNSTREAM = "downstream"
    UPSTREAM = "upstream"


def unknown_node(identifier: str) -> ParamError:
    """The error for a node id that is neither an organisation nor a system of the graph."""
    return ParamError(f"no organisation or system with id {identifier!r} in the graph")


def depth_of(params: Mapping[str, Any]) -> int:
    """The checked ``max_depth``: the parameter type only knows it is a whole number."""
    depth = int(params["max_depth"])
    if not 1 <= depth <= MAX_DEPTH:
        raise ParamError(f"parameter 'max_depth': {depth} is out of range; use 1 to {MAX_DEPTH}")
    return depth


def flow_row(hop: int, flow: Mapping[str, Any], far: str, name: str, kind: str, type_: str) -> Row:
    """One answer row, from a flow's plain fields (as Neo4j returns them) and its far end."""
    return {
        "hop": hop,
        "flow_id": flow["flow_id"],
        "source": flow["source"],
        "destination": flow["destination"],
        "node": far,
        "node_name": name,
        "node_kind": kind,
        "node_type": type_,
        "data_categories": sorted(flow["data_categories"]),
        "purposes": sorted(flow["purposes"]),
        "identifiability": flow["identifiability"],
    }


def ordered(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: (row["hop"], row["node"], row["flow_id"]))


# --- networkx ---------------------------------------------------------------------------------------


def matches(flow: Flow, params: Mapping[str, Any]) -> bool:
    """Live at the date and passing every filter given (a filter left out passes everything)."""
    category, purpose, identifiability = params["category"], params["purpose"], params["identifiability"]
    return (
        flow.live_at(params["as_of"])
        and (category is None or category in flow.data_categories)
        and (purpose is None or purpose in flow.purposes)
        and (identifiability is None or flow.identifiability == identifiability)
    )


def onward(view: GraphView, node: str, downstream: bool) -> Iterator[tuple[Flow, str]]:
    """Each flow at ``node`` in the direction of travel, with its far end."""
    edges = view.graph.out_edges(node, data="flow") if downstream else view.graph.in_edges(node, data="flow")
    for source, destination, flow in edges:
        yield flow, destination if downstream else source


def lineage_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    start, depth = params["node"], depth_of(params)
    if start not in view.nodes:
        raise unknown_node(start)
    downstream = params["direction"] == Direction.DOWNSTREAM
    distance = {start: 0}
    crossed: list[tuple[Flow, str]] = []
    queue = deque([start])
    while queue:
        near = queue.popleft()
        if distance[near] >= depth:
            continue
        for flow, far in onward(view, near, downstream):
            if far == start or not matches(flow, params):
                continue
            crossed.append((flow, far))
            if far not in distance:
                distance[far] = distance[near] + 1
                queue.append(far)
    rows = []
    for flow, far in crossed:
        node = view.nodes[far]
        record = {
            "flow_id": flow.flow_id,
            "source": flow.source,
            "destination": flow.destination,
            # str() of a StrEnum is its plain value, and much cheaper than .value on 100k rows.
            "data_categories": [str(c) for c in flow.data_categories],
            "purposes": [str(p) for p in flow.purposes],
            "identifiability": str(flow.identifiability),
        }
        rows.append(flow_row(distance[far], record, far, node.name, node.kind, node.node_type))
    return ordered(rows)


# --- Cypher -----------------------------------------------------------------------------------------


def matches_cypher(f: str) -> str:
    """Cypher for ``matches``: live at $as_of and passing every filter given."""
    return (
        live(f) + f" AND ($category IS NULL OR $category IN {f}.data_categories)"
        f" AND ($purpose IS NULL OR $purpose IN {f}.purposes)"
        f" AND ($identifiability IS NULL OR {f}.identifiability = $identifiability)"
    )


# The distances come from a variable-length match whose only use is each end node's shortest length:
# Neo4j plans that as VarLengthExpand(Pruning,BFS), a breadth-first search that never enumerates
# paths. (ANY SHORTEST would be the obvious spelling, but in Neo4j 5.26 it is far slower: 100 s
# against 0.6 s for 8.6k nodes reached over 40k flows.) A variable-length bound must be a literal,
# so there is one fixed statement per direction and depth, 1 to MAX_DEPTH, made here from constants;
# the search stops at the depth asked. Each reached node then brings its own matching onward flows,
# so the whole answer is one round trip.
LINEAGE_CYPHER = """
MATCH (s:Node {{id: $node}})
CALL (s) {{
  MATCH p = (s){reach}(x)
  WHERE x <> s AND all(r IN relationships(p) WHERE {matches_r})
  RETURN x, min(length(p)) AS distance
  UNION
  RETURN s AS x, 0 AS distance
}}
CALL (s, x, distance) {{
  OPTIONAL MATCH (x){step}(y)
  WHERE distance < $max_depth AND y <> s AND {matches_f}
  RETURN collect(f {{.flow_id, .source, .destination, .data_categories, .purposes, .identifiability,
                     far: y.id}}) AS flows
}}
RETURN x.id AS id, distance, x.name AS name, x:Organisation AS organisation,
       coalesce(x.org_type, x.system_type) AS type, flows
"""
ARROWS = {Direction.DOWNSTREAM: "-[{}]->", Direction.UPSTREAM: "<-[{}]-"}
LINEAGE_CYPHERS = {
    (way, depth): LINEAGE_CYPHER.format(
        reach=arrow.format(f":FLOW*1..{depth}"),
        step=arrow.format("f:FLOW"),
        matches_r=matches_cypher("r"),
        matches_f=matches_cypher("f"),
    )
    for way, arrow in ARROWS.items()
    for depth in range(1, MAX_DEPTH + 1)
}


def lineage_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    depth = depth_of(params)
    cypher = LINEAGE_CYPHERS[Direction(params["direction"]), depth]
    records = run(
        cypher,
        node=params["node"],
        as_of=params["as_of"].isoformat(),
        max_depth=depth,
        category=params["category"],
        purpose=params["purpose"],
        identifiability=params["identifiability"],
    )
    if not records:  # the start node itself always comes back, at distance 0
        raise unknown_node(params["node"])
    reached = {record["id"]: record for record in records}
    rows = []
    for record in records:
        for flow in record["flows"]:
            far = reached[flow["far"]]
            kind = "organisation" if far["organisation"] else "system"
            rows.append(flow_row(far["distance"], flow, far["id"], far["name"], kind, far["type"]))
    return ordered(rows)


LINEAGE = declare(
    NamedQuery(
        name="lineage",
        description=(
            "What a node's data reaches downstream, or where its data comes from upstream: each live flow "
            "followed (matching the category, purpose and identifiability given) with the shortest hop "
            "distance of the node it leads to, up to max_depth hops."
        ),
        params=(
            Param("node", str, "Organisation or system id to start from (e.g. A81001, gmcr)", required=True),
            Param(
                "direction",
                Direction,
                "downstream: where its data goes; upstream: where its data comes from",
                default=Direction.DOWNSTREAM.value,
            ),
            Param("category", DataCategory, "Follow only flows carrying this data category"),
            Param("purpose", Purpose, "Follow only flows for this purpose"),
            Param("identifiability", Identifiability, "Follow only flows of this identifiability"),
            Param("max_depth", int, f"How many hops to follow, 1 to {MAX_DEPTH}", default=6),
            AS_OF,
        ),
        columns=(
            "hop",
            "flow_id",
            "source",
            "destination",
            "node",
            "node_name",
            "node_kind",
            "node_type",
            "data_categories",
            "purposes",
            "identifiability",
        ),
        networkx=lineage_networkx,
        cypher=lineage_cypher,
    )
)
