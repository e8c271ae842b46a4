"""Which flows count: the filters every question shares, for networkx and as Cypher fragments.

"Live at the date" means status ``live`` and the date within valid_from..valid_to. Dates are ISO
strings in Neo4j, which order like dates. In Neo4j a flow must also belong to the graph's current
generation (``visible``); every Cypher that reads flows or agreements without ``live`` says ``visible`` itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from graph.model import Flow, System
from graph.plan import visible
from graph.view import GraphView
from graph.vocab import DataCategory, Purpose, SystemType

WITHIN_CYPHER = "({x}.{start} IS NULL OR {x}.{start} <= $as_of) AND ({x}.{end} IS NULL OR {x}.{end} >= $as_of)"
"""Cypher for ``graph.model.within``: ``$as_of`` in the inclusive range, an open end unbounded."""
NOT_NATIONAL_CYPHER = (
    "($include_national_collections OR (NOT 'national_collection' IN {f}.purposes "
    "AND coalesce({dst}.system_type, '') <> 'national_collection'))"
)


def within(x: str, start: str = "valid_from", end: str = "valid_to") -> str:
    """Cypher: ``x`` is valid at ``$as_of`` (``Organisation.valid_at``, ``Agreement.valid_at``).

    >>> within("x", "start", "`end`")
    '(x.start IS NULL OR x.start <= $as_of) AND (x.`end` IS NULL OR x.`end` >= $as_of)'
    """
    return WITHIN_CYPHER.format(x=x, start=start, end=end)


def live(f: str = "f") -> str:
    """Cypher: flow ``f`` is live at ``$as_of`` (``Flow.live_at``), and of the graph's current generation
    (``graph.plan.visible``: a change being written is not seen until it is whole)."""
    return f"{visible(f)} AND {f}.status = 'live' AND {within(f)}"


def carries(f: str = "f", category: str = "$category") -> str:
    """Cypher: flow ``f`` is live and carries ``category`` (a parameter, or a quoted literal)."""
    return f"{live(f)} AND {category} IN {f}.data_categories"


def carries_primary_care(f: str, destination: str) -> str:
    """Cypher: flow ``f`` counts for the ShCR questions: live, primary care, not a national collection."""
    return carries(f, "'primary_care'") + " AND " + not_national(f, destination)


def not_national(f: str = "f", dst: str = "b") -> str:
    return NOT_NATIONAL_CYPHER.format(f=f, dst=dst)


def is_national_collection(view: GraphView, flow: Flow) -> bool:
    """A mandatory national collection: into a national_collection system, or for that purpose."""
    destination = view.nodes.get(flow.destination)
    return Purpose.NATIONAL_COLLECTION in flow.purposes or (
        isinstance(destination, System) and destination.system_type is SystemType.NATIONAL_COLLECTION
    )


def carrying(
    view: GraphView, as_of: date, category: DataCategory | None, include_national_collections: bool = True
) -> Iterable[Flow]:
    """Flows live at ``as_of`` that carry ``category`` (any, when None)."""
    candidates = view.flows.values() if category is None else view.index("by category", by_category).get(category, ())
    national = view.index("national", national_collections)
    for flow in candidates:
        if not flow.live_at(as_of):
            continue
        if not include_national_collections and flow.flow_id in national:
            continue
        yield flow


def by_category(view: GraphView) -> dict[DataCategory, list[Flow]]:
    """Each category's flows, in register order: most questions follow one category."""
    index: dict[DataCategory, list[Flow]] = defaultdict(list)
    for flow in view.flows.values():
        for category in flow.data_categories:
            index[category].append(flow)
    return dict(index)


def national_collections(view: GraphView) -> frozenset[str]:
    """The ids of the flows that are national collections."""
    return frozenset(flow.flow_id for flow in view.flows.values() if is_national_collection(view, flow))


def adjacency(flows: Iterable[Flow]) -> dict[str, set[str]]:
    successors: dict[str, set[str]] = defaultdict(set)
    for flow in flows:
        successors[flow.source].add(flow.destination)
    return successors


def reach(successors: dict[str, set[str]], start: str) -> set[str]:
    """Every node reachable from ``start`` by one or more hops (``start`` itself only via a cycle)."""
    seen: set[str] = set()
    frontier = list(successors.get(start, ()))
    while frontier:
        node = frontier.pop()
        if node in seen:
            continue
        seen.add(node)
        frontier.extend(successors.get(node, ()))
    return seen
