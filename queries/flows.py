"""Which flows count: the filters every question shares, for networkx and as Cypher fragments.

"Live at the date" means status ``live`` and the date within valid_from..valid_to. Dates are ISO
strings in Neo4j, which order like dates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from graph.memory import GraphView
from graph.model import Flow, Organisation, System
from graph.vocab import DataCategory, Purpose, SystemType

LIVE_CYPHER = (
    "{f}.status = 'live' AND ({f}.valid_from IS NULL OR {f}.valid_from <= $as_of) "
    "AND ({f}.valid_to IS NULL OR {f}.valid_to >= $as_of)"
)
NOT_NATIONAL_CYPHER = (
    "($include_national_collections OR (NOT 'national_collection' IN {f}.purposes "
    "AND coalesce({dst}.system_type, '') <> 'national_collection'))"
)
VALID_NODE_CYPHER = (
    "({n}.valid_from IS NULL OR {n}.valid_from <= $as_of) AND ({n}.valid_to IS NULL OR {n}.valid_to >= $as_of)"
)


def live(f: str = "f") -> str:
    return LIVE_CYPHER.format(f=f)


def not_national(f: str = "f", dst: str = "b") -> str:
    return NOT_NATIONAL_CYPHER.format(f=f, dst=dst)


def valid_node(n: str) -> str:
    return VALID_NODE_CYPHER.format(n=n)


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
    for flow in view.flows.values():
        if not flow.live_at(as_of):
            continue
        if category is not None and category not in flow.data_categories:
            continue
        if not include_national_collections and is_national_collection(view, flow):
            continue
        yield flow


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


def valid_at(node: Organisation, as_of: date) -> bool:
    return (node.valid_from is None or node.valid_from <= as_of) and (node.valid_to is None or as_of <= node.valid_to)
