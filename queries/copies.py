"""Where copies of patient data sit, who controls a system's data, and what stopping a node would cut off.

"Reaches" follows live flows carrying the category, transitively, through any node; national
collections count like any other destination here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from graph.model import Flow, Organisation, Role, System
from graph.store import CypherRunner, Row
from graph.view import GraphView
from graph.vocab import DataCategory, OrgType
from queries.coverage import reach_all, require_icb_cypher, require_icb_networkx
from queries.flows import adjacency, carries, carrying, live, reach
from queries.registry import AS_OF, NamedQuery, Param, ParamError, declare

CONTROLLING = (Role.CONTROLLER, Role.JOINT_CONTROLLER, Role.RECIPIENT_CONTROLLER)

# Where care is delivered, records are made: these originate every category they send, even when
# they also receive it (a practice that views the shared care record still writes its own record).
PROVIDERS = frozenset(
    {
        OrgType.GP_PRACTICE,
        OrgType.ACUTE_TRUST,
        OrgType.COMMUNITY_TRUST,
        OrgType.MENTAL_HEALTH_TRUST,
        OrgType.AMBULANCE_TRUST,
        OrgType.COMBINED_TRUST,
        OrgType.LOCAL_AUTHORITY,
        OrgType.CARE_PROVIDER,
        OrgType.VCSE,
    }
)
PROVIDER_TYPES = sorted(PROVIDERS)


NODE_CYPHER = "MATCH (n:Node {id: $id}) RETURN n:System AS system"


def node_problem(identifier: str, found: list[bool], want_system: bool) -> ParamError | None:
    """The error for a node parameter naming nothing (or, when a system is wanted, an organisation)."""
    if not found:
        return ParamError(f"no {'system' if want_system else 'organisation or system'} {identifier!r} in the graph")
    if want_system and not found[0]:
        return ParamError(f"{identifier!r} is an organisation, not a system")
    return None


def require_node_networkx(view: GraphView, identifier: str, want_system: bool = False) -> None:
    node = view.nodes.get(identifier)
    problem = node_problem(identifier, [] if node is None else [isinstance(node, System)], want_system)
    if problem:
        raise problem


def require_node_cypher(run: CypherRunner, identifier: str, want_system: bool = False) -> None:
    problem = node_problem(identifier, [r["system"] for r in run(NODE_CYPHER, id=identifier)], want_system)
    if problem:
        raise problem


# --- data-copies ----------------------------------------------------------------------------------


def copies_rows(systems: Iterable[Mapping[str, Any]], controllers: Mapping[str, set[str]]) -> list[Row]:
    rows = [
        {
            "system_type": s["system_type"],
            "system": s["system"],
            "name": s["name"],
            "icb": s["icb"],
            "controllers": sorted(controllers.get(s["system"], ())),
        }
        for s in systems
    ]
    return sorted(rows, key=lambda row: (row["system_type"], row["system"]))


def flow_controllers(flow: Flow) -> set[str]:
    """Whoever controls what the destination receives: the controllers and any recipient controller."""
    return {org for org, role in flow.roles() if role in CONTROLLING}


def data_copies_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    icb, category = params["icb"], DataCategory(params["category"])
    require_icb_networkx(view, icb)
    flows = list(carrying(view, params["as_of"], category))
    origins = {f.source for f in flows if view.nodes[f.source].icb == icb}
    holders = origins | reach_all(adjacency(flows), origins)
    controllers: dict[str, set[str]] = defaultdict(set)
    for flow in flows:
        if flow.source in holders:
            controllers[flow.destination] |= flow_controllers(flow)
    systems = [
        {"system_type": n.system_type.value, "system": i, "name": n.name, "icb": n.icb}
        for i in holders
        if isinstance(n := view.nodes[i], System)
    ]
    return copies_rows(systems, controllers)


ORIGINS_CYPHER = f"""
MATCH (o:Node {{icb: $icb}})-[f:FLOW]->()
WHERE {carries("f")}
RETURN DISTINCT o.id AS id
"""
NEXT_CYPHER = f"""
UNWIND $frontier AS id
MATCH (:Node {{id: id}})-[f:FLOW]->(b)
WHERE {carries("f")}
RETURN DISTINCT b.id AS id
"""
# Systems are looked up as nodes: the id constraint is on :Node, and a :System {id} look-up scans every
# system. Only flows from holders bring the ICB's data into a system, so they are found from the holders'
# side (every system they reach is a holder too): a national collection receives thousands of flows,
# nearly all from other ICBs.
HELD_SYSTEMS_CYPHER = """
UNWIND $holders AS id
MATCH (s:Node {id: id}) WHERE s:System
RETURN s.id AS system, s.name AS name, s.system_type AS system_type, s.icb AS icb
"""
INTO_SYSTEMS_CYPHER = f"""
UNWIND $holders AS id
MATCH (:Node {{id: id}})-[f:FLOW]->(s:System)
WHERE {carries("f")}
UNWIND coalesce(f.controllers, []) + CASE WHEN f.recipient_controller IS NULL THEN [] ELSE [f.recipient_controller] END
       AS controller
RETURN s.id AS system, collect(DISTINCT controller) AS controllers
"""


def data_copies_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    require_icb_cypher(run, params["icb"])
    values = {"icb": params["icb"], "category": params["category"], "as_of": params["as_of"].isoformat()}
    origins = {r["id"] for r in run(ORIGINS_CYPHER, **values)}
    # One breadth-first search from all origins at once, a level per statement, each node expanded once:
    # ANY SHORTEST from each origin would repeat the search per origin, and with a shared care record
    # feeding data back to practices each search covers the whole ICB.
    reached: set[str] = set()
    frontier = origins
    while frontier:
        frontier = {r["id"] for r in run(NEXT_CYPHER, frontier=sorted(frontier), **values)} - reached
        reached |= frontier
    holders = sorted(origins | reached)
    systems = run(HELD_SYSTEMS_CYPHER, holders=holders)
    controllers = {r["system"]: set(r["controllers"]) for r in run(INTO_SYSTEMS_CYPHER, holders=holders, **values)}
    return copies_rows(systems, controllers)


DATA_COPIES = declare(
    NamedQuery(
        name="data-copies",
        description=(
            "Every system holding a copy of an ICB's data of a category: systems of the ICB that send it, "
            "and every system that data reaches through live flows carrying it from any organisation or "
            "system of the ICB; grouped by system type, each with its controllers (the controllers and "
            "recipient controllers of the live flows bringing the ICB's data of that category into it)."
        ),
        params=(
            Param("icb", str, "The ICB (ODS code, e.g. QOP)", required=True),
            Param("category", DataCategory, "The data category", required=True),
            AS_OF,
        ),
        columns=("system_type", "system", "name", "icb", "controllers"),
        networkx=data_copies_networkx,
        cypher=data_copies_cypher,
    )
)


# --- system-controllers ---------------------------------------------------------------------------


def controllers_rows(held: Iterable[tuple[str, str, str]], names: Mapping[str, str | None]) -> list[Row]:
    """Rows per (organisation, role) from (organisation, role, flow id) triples."""
    flows: dict[tuple[str, str], set[str]] = defaultdict(set)
    for org, role, flow_id in held:
        flows[(org, role)].add(flow_id)
    count = len({org for org, _ in flows})
    return [
        {"organisation": org, "name": names.get(org), "role": role, "flows": sorted(ids), "controllers": count}
        for (org, role), ids in sorted(flows.items())
    ]


def system_controllers_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    system, as_of = params["system"], params["as_of"]
    require_node_networkx(view, system, want_system=True)
    held = [
        (org, role.value, flow.flow_id)
        for _, _, flow in view.graph.in_edges(system, data="flow")
        if flow.live_at(as_of)
        for org, role in flow.roles()
        if role in CONTROLLING
    ]
    names = {org: node.name if (node := view.nodes.get(org)) else None for org, _, _ in held}
    return controllers_rows(held, names)


SYSTEM_CONTROLLERS_CYPHER = f"""
MATCH ()-[f:FLOW]->(s:System {{id: $system}})
WHERE {live("f")}
UNWIND [c IN f.controllers | [c, CASE WHEN coalesce(f.joint, false) THEN 'joint_controller' ELSE 'controller' END]]
       + CASE WHEN f.recipient_controller IS NULL THEN [] ELSE [[f.recipient_controller, 'recipient_controller']] END
       AS held
OPTIONAL MATCH (o:Node {{id: held[0]}})
RETURN held[0] AS organisation, o.name AS name, held[1] AS role, f.flow_id AS flow
"""


def system_controllers_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    require_node_cypher(run, params["system"], want_system=True)
    records = run(SYSTEM_CONTROLLERS_CYPHER, system=params["system"], as_of=params["as_of"].isoformat())
    names = {r["organisation"]: r["name"] for r in records}
    return controllers_rows(((r["organisation"], r["role"], r["flow"]) for r in records), names)


SYSTEM_CONTROLLERS = declare(
    NamedQuery(
        name="system-controllers",
        description=(
            "Every organisation controlling data a system receives: the controllers (joint or not) and "
            "recipient controllers of the live flows into it, one row per organisation and role with the "
            "flows, and the number of distinct controlling organisations repeated on each row."
        ),
        params=(Param("system", str, "The system id (e.g. gmcr)", required=True), AS_OF),
        columns=("organisation", "name", "role", "flows", "controllers"),
        networkx=system_controllers_networkx,
        cypher=system_controllers_cypher,
    )
)


# --- impact ---------------------------------------------------------------------------------------


def origins_of(view: GraphView, flows: list[Flow]) -> set[str]:
    """Where a category's data starts: care providers that send it, and any sender that receives none."""
    receiving = {flow.destination for flow in flows}
    return {
        flow.source
        for flow in flows
        if flow.source not in receiving
        or (isinstance(node := view.nodes[flow.source], Organisation) and node.org_type in PROVIDERS)
    }


def impact_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    stopped, as_of = params["node"], params["as_of"]
    require_node_networkx(view, stopped)
    rows = []
    # A category the stopped node sends none of loses nothing.
    out = view.graph.out_edges(stopped, data="flow")
    sent = {category for _, _, flow in out if flow.live_at(as_of) for category in flow.data_categories}
    for category in DataCategory:
        if category not in sent:
            continue
        flows = list(carrying(view, as_of, category))
        # Origins are fixed from the graph as it is: a system fed only by the stopped node does not
        # become an origin when it stops.
        origins = origins_of(view, flows)
        successors = adjacency(flows)
        # Only what the stopped node reaches can be lost; when it is an origin, all of that is reached
        # now, so the search from every origin is needed only when it is not.
        reached = reach(successors, stopped)
        before = reached if stopped in origins else reach_all(successors, origins) & reached
        # The same graph without the stopped node: only its senders' successor sets change.
        kept = dict(successors)
        kept.pop(stopped, None)
        for sender in {f.source for f in flows if f.destination == stopped}:
            kept[sender] = kept[sender] - {stopped}
        after = reach_all(kept, origins - {stopped})
        for lost in before - after - origins - {stopped}:
            node = view.nodes[lost]
            rows.append({"destination": lost, "name": node.name, "type": node.node_type, "category": category.value})
    return sorted(rows, key=lambda row: (row["destination"], row["category"]))


ORIGIN_CYPHER = (
    "(coalesce({n}.org_type, '') IN $providers OR NOT EXISTS {{ MATCH ()-[h:FLOW]->({n}) WHERE " + carries("h") + " }})"
)
SENDS_CYPHER = "EXISTS {{ MATCH ({n})-[h:FLOW]->() WHERE " + carries("h") + " }}"
CARRIES = carries("f")

# Candidates are what the stopped node reaches (ANY SHORTEST: one breadth-first search). A candidate is
# lost when no origin reaches it with the stopped node excluded from every hop (the predicate on b) but
# one did before. Most candidates are fed directly by another origin: that is checked first, lazily,
# because a breadth-first search finishes a level before it stops, and the first level back from a
# national collection is thousands of flows. (The CALL keeps the planner from running the search first.)
# Whatever the stopped node reaches, an origin reached before when the stopped node is an origin or is
# fed by one, so that is asked once, not per candidate.
IMPACT_CYPHER = f"""
MATCH ANY SHORTEST (x:Node {{id: $node}}) ((a)-[f:FLOW]->(b) WHERE {CARRIES})+ (d)
WHERE d <> x
WITH DISTINCT x, d
WHERE NOT ({SENDS_CYPHER.format(n="d")} AND {ORIGIN_CYPHER.format(n="d")})
CALL (x, d) {{
  RETURN EXISTS {{
    MATCH (o:Node)-[f:FLOW]->(d)
    WHERE {CARRIES} AND o <> x AND {ORIGIN_CYPHER.format(n="o")}
  }} AS fed_directly
}}
WITH x, d
WHERE NOT fed_directly AND NOT EXISTS {{
  MATCH ANY SHORTEST (o:Node) ((a)-[f:FLOW]->(b) WHERE b <> x AND {CARRIES})+ (d)
  WHERE o <> x AND {ORIGIN_CYPHER.format(n="o")}
}}
WITH x, collect(d) AS lost
CALL (x) {{
  RETURN {ORIGIN_CYPHER.format(n="x")} OR EXISTS {{
    MATCH ANY SHORTEST (o:Node) ((a)-[f:FLOW]->(b) WHERE {CARRIES})+ (x)
    WHERE {ORIGIN_CYPHER.format(n="o")}
  }} AS fed
}}
UNWIND lost AS d
WITH d
WHERE fed OR EXISTS {{
  MATCH ANY SHORTEST (o:Node) ((a)-[f:FLOW]->(b) WHERE {CARRIES})+ (d)
  WHERE {ORIGIN_CYPHER.format(n="o")}
}}
RETURN d.id AS destination, d.name AS name, coalesce(d.org_type, d.system_type) AS type
"""


def impact_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    require_node_cypher(run, params["node"])
    rows = []
    for category in DataCategory:
        for record in run(
            IMPACT_CYPHER,
            node=params["node"],
            category=category.value,
            providers=PROVIDER_TYPES,
            as_of=params["as_of"].isoformat(),
        ):
            rows.append({**record, "category": category.value})
    return sorted(rows, key=lambda row: (row["destination"], row["category"]))


IMPACT = declare(
    NamedQuery(
        name="impact",
        description=(
            "If a node stopped, which destinations would lose a category entirely: those that receive it now "
            "from an origin (a care provider that sends it, or a sender that receives none of it) but, with "
            "the node removed, from none. Origins are fixed as the graph is now; a destination that is itself "
            "an origin of the category keeps its own data and is not listed, nor is the stopped node."
        ),
        params=(Param("node", str, "The organisation or system that stops (e.g. gm-emis-web)", required=True), AS_OF),
        columns=("destination", "name", "type", "category"),
        networkx=impact_networkx,
        cypher=impact_cypher,
    )
)
