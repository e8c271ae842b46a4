"""Records as the API and the views read them, from either store: nodes and flows by id or by filter.

These are lookups, not named questions, so they are not in the catalogue. Each operation is written
twice, side by side, as the named queries are: once on the networkx view (``NetworkxReader``) and once
in Cypher (``CypherReader``); both give identical JSON records in the same order (by id).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol, TypeVar

from graph.codec import from_record, plain
from graph.model import Flow, Node, Organisation, System
from graph.plan import visible
from graph.store import CypherRunner
from graph.view import GraphView
from queries.flows import live

Record = dict[str, Any]
T = TypeVar("T")


def node_json(node: Node) -> Record:
    """A node with every field (None where not recorded), its ``id`` and its ``kind``."""
    record: Record = {"id": node.id, "kind": node.kind}
    record.update({f.name: plain(getattr(node, f.name)) for f in dataclasses.fields(node)})
    if isinstance(node, Organisation):
        record["is_legal_entity"] = node.is_legal_entity
    return record


def flow_json(flow: Flow) -> Record:
    """A flow with every register column (None or [] where not recorded)."""
    return {f.name: plain(getattr(flow, f.name)) for f in dataclasses.fields(flow)}


def node_of(record: Mapping[str, Any]) -> Node:
    """The model record back from ``node_json`` (or from a Neo4j node's properties plus ``kind``)."""
    if record.get("kind") == "organisation":
        return from_record(Organisation, record)
    return from_record(System, record)


def flow_of(record: Mapping[str, Any]) -> Flow:
    return from_record(Flow, record)


@dataclasses.dataclass(frozen=True, slots=True)
class FlowFilter:
    """Which flows to list; None means any. ``as_of`` keeps flows live at that date."""

    source: str | None = None
    destination: str | None = None
    category: str | None = None
    purpose: str | None = None
    identifiability: str | None = None
    controller: str | None = None
    processor: str | None = None
    status: str | None = None
    as_of: date | None = None

    def matches(self, flow: Flow) -> bool:
        return (
            (self.source is None or flow.source == self.source)
            and (self.destination is None or flow.destination == self.destination)
            and (self.category is None or self.category in flow.data_categories)
            and (self.purpose is None or self.purpose in flow.purposes)
            and (self.identifiability is None or flow.identifiability == self.identifiability)
            and (self.controller is None or self.controller in flow.controllers)
            and (self.processor is None or self.processor in flow.processors)
            and (self.status is None or flow.status == self.status)
            and (self.as_of is None or flow.live_at(self.as_of))
        )

    def cypher_params(self) -> dict[str, Any]:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        values["as_of"] = self.as_of.isoformat() if self.as_of else None
        return values


# One fixed text; the values always travel as parameters.
FLOW_WHERE = f"""
{visible("f")} AND ($source IS NULL OR f.source = $source) AND ($destination IS NULL OR f.destination = $destination)
AND ($category IS NULL OR $category IN f.data_categories) AND ($purpose IS NULL OR $purpose IN f.purposes)
AND ($identifiability IS NULL OR f.identifiability = $identifiability)
AND ($controller IS NULL OR $controller IN f.controllers) AND ($processor IS NULL OR $processor IN f.processors)
AND ($status IS NULL OR f.status = $status) AND ($as_of IS NULL OR ({live("f")}))
"""


# For a page, the text names only the filters given, so that Neo4j can anchor on a node's id, read flows
# in the flow_id index's order and count unfiltered flows from its count store; the values still travel
# as parameters. (A page of 1 over 44,000 flows took 540 ms with FLOW_WHERE; 13 ms this way.)
FLOW_CONDITIONS = {
    "source": "f.source = $source",
    "destination": "f.destination = $destination",
    "category": "$category IN f.data_categories",
    "purpose": "$purpose IN f.purposes",
    "identifiability": "f.identifiability = $identifiability",
    "controller": "$controller IN f.controllers",
    "processor": "$processor IN f.processors",
    "status": "f.status = $status",
    "as_of": live("f"),
}
NODE_CONDITIONS = {key: f"n.{key} = ${key}" for key in ("org_type", "icb", "sub_icb", "pcn", "system_type")}


class Reader(Protocol):
    """What the lookups need of a store; ``NetworkxReader`` and ``CypherReader`` give the same answers."""

    def nodes(self, ids: Sequence[str]) -> list[Record]: ...

    def flows(self, ids: Sequence[str]) -> list[Record]: ...

    def organisations(self, where: Mapping[str, str | None], limit: int, offset: int) -> tuple[int, list[Record]]: ...

    def systems(self, where: Mapping[str, str | None], limit: int, offset: int) -> tuple[int, list[Record]]: ...

    def flow_page(self, where: FlowFilter, limit: int, offset: int) -> tuple[int, list[Record]]: ...

    def adjacent(self, ids: Sequence[str], upstream: bool, where: FlowFilter) -> list[Record]:
        """Flows out of (or, upstream, into) any of ``ids`` that match ``where``."""
        ...

    def touching_icb(self, icb: str, as_of: date) -> list[Record]:
        """Flows live at ``as_of`` from or to a node of the ICB."""
        ...

    def icbs(self) -> list[tuple[str, int]]:
        """Each ICB code that flows touch, with how many flows touch it."""
        ...


def _window(matching: Iterable[T], limit: int, offset: int, convert: Callable[[T], Record]) -> tuple[int, list[Record]]:
    """How many match, and the page of them converted: the matches are counted, only the page is converted."""
    page = []
    total = 0
    for item in matching:
        if offset <= total < offset + limit:
            page.append(convert(item))
        total += 1
    return total, page


def _sorted_ids(kind: type[Node] | None) -> Callable[[GraphView], list[str]]:
    """Builds a view's node ids of ``kind`` (flow ids for None) in order, kept by the view once built."""

    def build(view: GraphView) -> list[str]:
        if kind is None:
            return sorted(view.flows)
        return sorted(identifier for identifier, node in view.nodes.items() if isinstance(node, kind))

    return build


class NetworkxReader:
    def __init__(self, view: GraphView) -> None:
        self.view = view

    def nodes(self, ids: Sequence[str]) -> list[Record]:
        found = (self.view.nodes.get(i) for i in sorted(set(ids)))
        return [node_json(node) for node in found if node is not None]

    def flows(self, ids: Sequence[str]) -> list[Record]:
        found = (self.view.flows.get(i) for i in sorted(set(ids)))
        return [flow_json(flow) for flow in found if flow is not None]

    def _node_page(
        self, kind: type[Node], where: Mapping[str, str | None], limit: int, offset: int
    ) -> tuple[int, list[Record]]:
        ids = self.view.index(("records:ids", kind.__name__), _sorted_ids(kind))
        given = [(key, value) for key, value in where.items() if value is not None]
        nodes = (self.view.nodes[identifier] for identifier in ids)
        matching = (node for node in nodes if all(plain(getattr(node, key)) == value for key, value in given))
        return _window(matching, limit, offset, node_json)

    def organisations(self, where: Mapping[str, str | None], limit: int, offset: int) -> tuple[int, list[Record]]:
        return self._node_page(Organisation, where, limit, offset)

    def systems(self, where: Mapping[str, str | None], limit: int, offset: int) -> tuple[int, list[Record]]:
        return self._node_page(System, where, limit, offset)

    def flow_page(self, where: FlowFilter, limit: int, offset: int) -> tuple[int, list[Record]]:
        view = self.view
        candidates: Iterable[Flow]
        if where.source is not None or where.destination is not None:
            # A node's own edges, not every flow: the common case of the API and the views.
            anchor = where.source if where.source is not None else where.destination
            if anchor not in view.graph:
                return 0, []
            outgoing = where.source is not None
            edges = view.graph.out_edges(anchor, data="flow") if outgoing else view.graph.in_edges(anchor, data="flow")
            candidates = sorted((flow for _, _, flow in edges), key=lambda flow: flow.flow_id)
        else:
            ids = view.index(("records:ids", "Flow"), _sorted_ids(None))
            if where == FlowFilter():
                return len(ids), [flow_json(view.flows[identifier]) for identifier in ids[offset : offset + limit]]
            candidates = (view.flows[identifier] for identifier in ids)
        return _window((flow for flow in candidates if where.matches(flow)), limit, offset, flow_json)

    def adjacent(self, ids: Sequence[str], upstream: bool, where: FlowFilter) -> list[Record]:
        graph = self.view.graph
        found: list[Flow] = []
        for node in set(ids):
            if node not in graph:
                continue
            edges = graph.in_edges(node, data="flow") if upstream else graph.out_edges(node, data="flow")
            found += [flow for _, _, flow in edges if where.matches(flow)]
        return [flow_json(flow) for flow in sorted(found, key=lambda flow: flow.flow_id)]

    def touching_icb(self, icb: str, as_of: date) -> list[Record]:
        def in_icb(identifier: str) -> bool:
            node = self.view.nodes.get(identifier)
            return node is not None and node.icb == icb

        return [
            flow_json(flow)
            for _, flow in sorted(self.view.flows.items())
            if flow.live_at(as_of) and (in_icb(flow.source) or in_icb(flow.destination))
        ]

    def icbs(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for flow in self.view.flows.values():
            ends = {self.view.nodes[flow.source].icb, self.view.nodes[flow.destination].icb} - {None}
            for icb in ends:
                assert icb is not None
                counts[icb] = counts.get(icb, 0) + 1
        return sorted(counts.items())


def _node_from_neo4j(props: Mapping[str, Any], organisation: bool) -> Record:
    return node_json(node_of({**props, "kind": "organisation" if organisation else "system"}))


class CypherReader:
    def __init__(self, run: CypherRunner) -> None:
        self.run = run

    def _nodes(self, cypher: str, **params: Any) -> list[Record]:
        return [_node_from_neo4j(row["props"], row["organisation"]) for row in self.run(cypher, **params)]

    def _flows(self, cypher: str, **params: Any) -> list[Record]:
        records = [flow_json(flow_of(row["flow"])) for row in self.run(cypher, **params)]
        # Sorted here, not by ORDER BY, so the order is Python's on both stores.
        return sorted(records, key=lambda record: record["flow_id"])

    def nodes(self, ids: Sequence[str]) -> list[Record]:
        records = self._nodes(
            "MATCH (n:Node) WHERE n.id IN $ids RETURN properties(n) AS props, n:Organisation AS organisation",
            ids=sorted(set(ids)),
        )
        return sorted(records, key=lambda record: record["id"])

    def flows(self, ids: Sequence[str]) -> list[Record]:
        cypher = f"MATCH ()-[f:FLOW]->() WHERE f.flow_id IN $ids AND {visible('f')} RETURN properties(f) AS flow"
        return self._flows(cypher, ids=list(ids))

    def _node_page(
        self, label: str, where: Mapping[str, str | None], limit: int, offset: int
    ) -> tuple[int, list[Record]]:
        params = {key: value for key, value in where.items() if value is not None}
        conditions = " AND ".join(NODE_CONDITIONS[key] for key in params) or "true"
        total = self.run(f"MATCH (n:{label}) WHERE {conditions} RETURN count(n) AS total", **params)[0]["total"]
        # Ids are plain strings: Neo4j orders them by code point as Python does. Only the page's properties
        # are read: the ORDER BY ... LIMIT comes before the projection.
        records = self._nodes(
            f"MATCH (n:Node:{label}) WHERE n.id IS NOT NULL AND {conditions} "
            "WITH n ORDER BY n.id SKIP $offset LIMIT $limit "
            "RETURN properties(n) AS props, n:Organisation AS organisation",
            **params,
            offset=offset,
            limit=limit,
        )
        return int(total), records

    def organisations(self, where: Mapping[str, str | None], limit: int, offset: int) -> tuple[int, list[Record]]:
        given = {key: where.get(key) for key in ("org_type", "icb", "sub_icb", "pcn")}
        return self._node_page("Organisation", given, limit, offset)

    def systems(self, where: Mapping[str, str | None], limit: int, offset: int) -> tuple[int, list[Record]]:
        given = {key: where.get(key) for key in ("system_type", "icb")}
        return self._node_page("System", given, limit, offset)

    def flow_page(self, where: FlowFilter, limit: int, offset: int) -> tuple[int, list[Record]]:
        params = {key: value for key, value in where.cypher_params().items() if value is not None}
        if where.source is not None:
            match = "MATCH (:Node {id: $source})-[f:FLOW]->()"
        elif where.destination is not None:
            match = "MATCH ()-[f:FLOW]->(:Node {id: $destination})"
        else:
            match = "MATCH ()-[f:FLOW]->()"
        conditions = [visible("f"), *(FLOW_CONDITIONS[key] for key in params)]
        counted = f"{match} WHERE {' AND '.join(conditions)}"
        total = self.run(f"{counted} RETURN count(f) AS total", **params)[0]["total"]
        rows = self.run(
            f"{match} WHERE {' AND '.join(['f.flow_id IS NOT NULL', *conditions])} "
            "WITH f ORDER BY f.flow_id SKIP $offset LIMIT $limit RETURN properties(f) AS flow",
            **params,
            offset=offset,
            limit=limit,
        )
        return int(total), [flow_json(flow_of(row["flow"])) for row in rows]

    def adjacent(self, ids: Sequence[str], upstream: bool, where: FlowFilter) -> list[Record]:
        # Anchored on the indexed node ids, one hop: cheap even on a national graph.
        anchor = "MATCH (x:Node) WHERE x.id IN $ids MATCH " + ("()-[f:FLOW]->(x)" if upstream else "(x)-[f:FLOW]->()")
        return self._flows(
            f"{anchor} WHERE {FLOW_WHERE} RETURN properties(f) AS flow", ids=sorted(set(ids)), **where.cypher_params()
        )

    def touching_icb(self, icb: str, as_of: date) -> list[Record]:
        return self._flows(
            f"MATCH (a:Node)-[f:FLOW]->(b:Node) WHERE (a.icb = $icb OR b.icb = $icb) AND {live('f')} "
            "RETURN properties(f) AS flow",
            icb=icb,
            as_of=as_of.isoformat(),
        )

    def icbs(self) -> list[tuple[str, int]]:
        rows = self.run(
            f"MATCH (a:Node)-[f:FLOW]->(b:Node) WHERE {visible('f')} "
            "UNWIND (CASE WHEN a.icb = b.icb THEN [a.icb] ELSE [a.icb, b.icb] END) AS icb "
            "WITH icb WHERE icb IS NOT NULL RETURN icb, count(*) AS flows"
        )
        return sorted((row["icb"], int(row["flows"])) for row in rows)


def ids_in(records: Iterable[Mapping[str, Any]], *keys: str) -> list[str]:
    """Every distinct id named under ``keys`` (strings or lists of strings), sorted."""
    found: set[str] = set()
    for record in records:
        for key in keys:
            value = record.get(key)
            if isinstance(value, str):
                found.add(value)
            elif isinstance(value, list):
                found.update(item for item in value if isinstance(item, str))
    return sorted(found)
