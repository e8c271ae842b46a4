"""The controllership chain: who holds which role at each hop of the paths between two nodes.

Paths. A path is a sequence of live flows from ``source`` to ``destination`` visiting no node twice
(a simple path); parallel flows between the same two nodes make distinct paths. Paths are ordered by
length, then by their sequence of flow ids (compared as text), and only the first ``MAX_PATHS`` of
paths up to ``MAX_HOPS`` hops are kept. They are found length by length by a depth-first search that
tries flows in flow-id order (so each length yields its paths already in order) and stops at the
limit; it never enters a node from which the destination is further than the hops left (distances
from a breadth-first search), and gives up after ``MAX_STEPS`` steps, so the cost stays bounded even
where the number of simple paths is exponential. Both stores run this same search on the same flows:
the Cypher side fetches, with two breadth-first searches, only the flows that lie on some walk of at
most ``MAX_HOPS`` hops, so both give the same paths, ties included.

Rows. One per hop: the path's 1-based index, the hop's 1-based position, the flow's roles, legal
bases, agreements and purposes (lists sorted), and ``breaks``, plain-English strings, in this order:

- no controller: the flow names none, or every controller it names cannot lawfully be one (an
  organisation that is not a legal entity, such as a PCN, ICS, sub-ICB location or region; a system;
  an id not in the graph). A hop with at least one lawful controller has none of this break; the
  ``role-holders`` IG check reports each unlawful role.
- data leaving a processor for a purpose its controllers did not give: from the second hop on, when
  the hop's source node is an organisation that was a processor or sub-processor (and neither a
  controller nor the recipient controller) on the previous hop, or a system that organisation
  operates, each purpose of the hop that the previous hop did not carry is a break.
- an agreement of the flow not valid at ``as_of``: expired (end before it), not yet in force (start
  after it), or not recorded at all.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from graph.codec import from_record
from graph.model import Agreement, Flow, Node, Organisation, System
from graph.plan import visible
from graph.store import CypherRunner, Row
from graph.view import GraphView
from queries.flows import live
from queries.lineage import unknown_node
from queries.registry import AS_OF, NamedQuery, Param, ParamError, declare

MAX_HOPS = 8
MAX_PATHS = 20
MAX_STEPS = 100_000

# The live flows out of a node, sorted by flow id, that can lie on a path of the given length.
Onward = Callable[[str, int], Sequence[Flow]]


def check_ends(source: str, destination: str, known: Callable[[str], bool]) -> None:
    """Raise ParamError for an end that is not in the graph, or for both ends the same."""
    for identifier in (source, destination):
        if not known(identifier):
            raise unknown_node(identifier)
    if source == destination:
        raise ParamError(f"source and destination are both {source!r}: a chain needs two different nodes")


def simple_paths(onward: Onward, to_destination: Mapping[str, int], source: str, destination: str) -> list[list[Flow]]:
    """The first MAX_PATHS simple paths by (length, flow ids), each of at most MAX_HOPS flows.

    ``onward(node, length)`` gives the flows out of a node, sorted by flow id, that can lie on a path
    of ``length`` hops; ``to_destination`` the shortest distance to the destination of every node
    within MAX_HOPS - 1 hops of it.
    """
    found: list[list[Flow]] = []
    steps = 0

    def extend(node: str, path: list[Flow], visited: set[str], left: int, length: int) -> None:
        nonlocal steps
        for flow in onward(node, length):
            if len(found) == MAX_PATHS or steps >= MAX_STEPS:
                return
            after = flow.destination
            if after == destination:
                if left == 1:
                    found.append([*path, flow])
                continue
            # Skip nodes already on the path, and nodes too far from the destination for the hops left.
            if after in visited or to_destination.get(after, MAX_HOPS) > left - 1:
                continue
            steps += 1
            visited.add(after)
            extend(after, [*path, flow], visited, left - 1, length)
            visited.discard(after)

    for length in range(1, MAX_HOPS + 1):
        extend(source, [], {source}, length, length)
        if len(found) == MAX_PATHS or steps >= MAX_STEPS:
            break
    return found


def controller_problem(identifier: str, nodes: Mapping[str, Node]) -> str | None:
    """Why ``identifier`` cannot lawfully be a controller, or None when it can."""
    node = nodes.get(identifier)
    if node is None:
        return f"{identifier} is not in the graph"
    if isinstance(node, System):
        return f"{identifier} is a system, not an organisation"
    if not node.is_legal_entity:
        return f"{identifier} ({node.org_type.value}) is not a legal entity"
    return None


def breaks(
    flow: Flow, previous: Flow | None, nodes: Mapping[str, Node], agreements: Mapping[str, Agreement], as_of: date
) -> list[str]:
    """The breaks at the hop along ``flow``, reached by ``previous`` (None on the first hop)."""
    found: list[str] = []
    if not flow.controllers:
        found.append("no controller is recorded")
    else:
        problems = [controller_problem(c, nodes) for c in sorted(flow.controllers)]
        if all(problems):
            found.append("no controller that can lawfully be one: " + "; ".join(p for p in problems if p))
    if previous is not None:
        here = nodes.get(flow.source)
        holders = {flow.source} if isinstance(here, Organisation) else set()
        if isinstance(here, System) and here.operator:
            holders.add(here.operator)
        controllers = {*previous.controllers, previous.recipient_controller}
        new_purposes = sorted(set(flow.purposes) - set(previous.purposes))
        for role, held in (("processor", previous.processors), ("sub-processor", previous.sub_processors)):
            for actor in sorted((set(held) & holders) - controllers):
                found += [
                    f"data leaves {role} {actor} for purpose {purpose} that its controllers "
                    f"({', '.join(sorted(previous.controllers))}) did not give"
                    for purpose in new_purposes
                ]
    for agreement_id in sorted(flow.agreements):
        agreement = agreements.get(agreement_id)
        if agreement is None:
            found.append(f"agreement {agreement_id} is not recorded")
        elif not agreement.valid_at(as_of):
            # Not in force: it has ended, or (start <= end being checked on load) not yet begun.
            described = f"agreement {agreement_id} ({agreement.agreement_type.value})"
            if agreement.end is not None and agreement.end < as_of:
                found.append(f"{described} expired on {agreement.end}")
            else:
                found.append(f"{described} is not yet in force: it starts on {agreement.start}")
    return found


def chain_rows(
    paths: Sequence[Sequence[Flow]], nodes: Mapping[str, Node], agreements: Mapping[str, Agreement], as_of: date
) -> list[Row]:
    """One row per hop of each path, in path order; ``nodes`` and ``agreements`` need only what they name."""
    rows = []
    for index, path in enumerate(paths, start=1):
        for hop, flow in enumerate(path, start=1):
            previous = path[hop - 2] if hop > 1 else None
            rows.append(
                {
                    "path": index,
                    "hop": hop,
                    "flow_id": flow.flow_id,
                    "from": flow.source,
                    "to": flow.destination,
                    "controllers": sorted(flow.controllers),
                    "joint": flow.joint,
                    "processors": sorted(flow.processors),
                    "sub_processors": sorted(flow.sub_processors),
                    "recipient_controller": flow.recipient_controller,
                    "art6": sorted(flow.art6),
                    "art9": sorted(flow.art9),
                    "cldc_basis": flow.cldc_basis.value if flow.cldc_basis else None,
                    "agreements": sorted(flow.agreements),
                    "purposes": sorted(p.value for p in flow.purposes),
                    "breaks": breaks(flow, previous, nodes, agreements, as_of),
                }
            )
    return rows


# --- networkx ---------------------------------------------------------------------------------------


def distances(step: Callable[[str], Iterable[str]], start: str, limit: int) -> dict[str, int]:
    """Breadth-first hop distances from ``start``, up to ``limit`` hops."""
    distance = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if distance[node] < limit:
            for after in step(node):
                if after not in distance:
                    distance[after] = distance[node] + 1
                    queue.append(after)
    return distance


def chain_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    source, destination, as_of = params["source"], params["destination"], params["as_of"]
    check_ends(source, destination, view.nodes.__contains__)

    def upstream(node: str) -> Iterable[str]:
        return (a for a, _, flow in view.graph.in_edges(node, data="flow") if flow.live_at(as_of))

    out: dict[str, list[Flow]] = {}

    def onward(node: str, _length: int) -> list[Flow]:
        if node not in out:
            flows = (flow for _, _, flow in view.graph.out_edges(node, data="flow") if flow.live_at(as_of))
            out[node] = sorted(flows, key=lambda flow: flow.flow_id)
        return out[node]

    to_destination = distances(upstream, destination, MAX_HOPS - 1)
    paths = simple_paths(onward, to_destination, source, destination)
    return chain_rows(paths, view.nodes, view.agreements, as_of)


# --- Cypher -----------------------------------------------------------------------------------------

# Two breadth-first searches: how far each node is from the source, and how far from each node the
# destination is (a variable-length match used only for each end's shortest length, which Neo4j plans
# as VarLengthExpand(Pruning,BFS); see queries/lineage.py for why not ANY SHORTEST). Nodes inside a
# path are at most MAX_HOPS - 1 hops from either end. A flow can lie on a path of at most MAX_HOPS
# hops only when from_source(a) + 1 + to_destination(b) <= MAX_HOPS.
DISTANCES_CYPHER = f"""
OPTIONAL MATCH (s:Node {{id: $source}})
OPTIONAL MATCH (t:Node {{id: $destination}})
CALL (s) {{
  MATCH p = (s)-[:FLOW*1..{MAX_HOPS - 1}]->(x)
  WHERE all(r IN relationships(p) WHERE {live("r")})
  WITH x, min(length(p)) AS distance
  RETURN collect([x.id, distance]) AS forward
}}
CALL (t) {{
  MATCH p = (t)<-[:FLOW*1..{MAX_HOPS - 1}]-(x)
  WHERE all(r IN relationships(p) WHERE {live("r")})
  WITH x, min(length(p)) AS distance
  RETURN collect([x.id, distance]) AS backward
}}
RETURN s IS NOT NULL AS has_source, t IS NOT NULL AS has_destination, forward, backward
"""
BAND_CYPHER = f"""
UNWIND $tails AS id
MATCH (a:Node {{id: id}})-[f:FLOW]->(b:Node)
WHERE {live("f")} AND $from_source[a.id] + 1 + coalesce($to_destination[b.id], {MAX_HOPS + 1}) = $length
RETURN properties(f) AS flow
"""
FACTS_CYPHER = f"""
CALL () {{
  UNWIND $nodes AS id
  MATCH (n:Node {{id: id}})
  RETURN collect(n {{.*, organisation: n:Organisation}}) AS nodes
}}
CALL () {{
  UNWIND $agreements AS id
  MATCH (a:Agreement {{id: id}}) WHERE {visible("a")}
  RETURN collect(properties(a)) AS agreements
}}
RETURN nodes, agreements
"""


def decode_node(props: dict[str, Any]) -> Node:
    """A node record back from its Neo4j properties (every record field, plus the label as a flag)."""
    if props.pop("organisation"):
        return from_record(Organisation, props)
    return from_record(System, props)


def chain_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    source, destination, as_of = params["source"], params["destination"], params["as_of"]
    iso = as_of.isoformat()
    found = run(DISTANCES_CYPHER, source=source, destination=destination, as_of=iso)[0]
    present = {source: found["has_source"], destination: found["has_destination"]}
    check_ends(source, destination, present.__getitem__)
    from_source = {source: 0, **{i: d for i, d in found["forward"] if i != source}}
    to_destination = {destination: 0, **{i: d for i, d in found["backward"] if i != destination}}
    # Flows are fetched as the search asks for longer paths: those on walks of exactly k hops for each
    # new length k. There are none shorter than the source's distance to the destination, and the
    # search usually stops at that length or the next, so most of the graph near the ends stays unread.
    fetched = to_destination.get(source, MAX_HOPS) - 1
    out: dict[str, list[Flow]] = {}

    def onward(node: str, length: int) -> list[Flow]:
        nonlocal fetched
        while fetched < length:
            fetched += 1
            # The source may be MAX_HOPS from the destination, beyond the backward search.
            tails = [
                n for n, d in from_source.items() if n != destination and d + to_destination.get(n, MAX_HOPS) <= fetched
            ]
            records = run(
                BAND_CYPHER,
                tails=tails,
                from_source=from_source,
                to_destination=to_destination,
                length=fetched,
                as_of=iso,
            )
            for flow in (from_record(Flow, record["flow"]) for record in records):
                out.setdefault(flow.source, []).append(flow)
            for flows in out.values():
                flows.sort(key=lambda flow: flow.flow_id)
        return out.get(node, [])

    paths = simple_paths(onward, to_destination, source, destination)

    # Only the nodes and agreements the chosen paths name are fetched to judge their hops.
    node_ids: set[str] = set()
    agreement_ids: set[str] = set()
    for flow in (flow for path in paths for flow in path):
        node_ids |= {flow.source, flow.destination, *flow.controllers}
        agreement_ids |= set(flow.agreements)
    facts = run(FACTS_CYPHER, nodes=sorted(node_ids), agreements=sorted(agreement_ids))[0]
    nodes = {node.id: node for node in map(decode_node, facts["nodes"])}
    agreements = {a.agreement_id: a for a in (from_record(Agreement, props) for props in facts["agreements"])}
    return chain_rows(paths, nodes, agreements, as_of)


CHAIN = declare(
    NamedQuery(
        name="controllership-chain",
        description=(
            f"Along each path of live flows from source to destination (the {MAX_PATHS} shortest simple "
            f"paths of at most {MAX_HOPS} hops, by length then flow ids), hop by hop: controllers, joint "
            "controllers, processors, sub-processors and recipient controller, legal bases, agreements and "
            "purposes, with the breaks in the chain: a hop with no lawful controller, data leaving a "
            "processor for a purpose its controllers did not give, an agreement not valid at the date."
        ),
        params=(
            Param("source", str, "Organisation or system id the data leaves (e.g. A81001)", required=True),
            Param("destination", str, "Organisation or system id the data reaches (e.g. phm-wy)", required=True),
            AS_OF,
        ),
        columns=(
            "path",
            "hop",
            "flow_id",
            "from",
            "to",
            "controllers",
            "joint",
            "processors",
            "sub_processors",
            "recipient_controller",
            "art6",
            "art9",
            "cldc_basis",
            "agreements",
            "purposes",
            "breaks",
        ),
        networkx=chain_networkx,
        cypher=chain_cypher,
    )
)
