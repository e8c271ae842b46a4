"""Records as the API and the views read them, from either store: nodes and flows by id or by filter.

These are lookups, not named questions, so they are not in the catalogue. Each operation is written
twice, side by side, as the named queries are: once on the networkx view (``NetworkxReader``) and once
in Cypher (``CypherReader``); both give identical JSON records in the same order (by id).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from graph.codec import from_record, plain
from graph.model import Flow, Node, Organisation, System
from graph.store import CypherRunner
from graph.view import GraphView
from queries.flows import live

Record = dict[str, Any]


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
($source IS NULL OR f.source = $source) AND ($destination IS NULL OR f.destination = $destination)
AND ($category IS NULL OR $category IN f.data_categories) AND ($purpose IS NULL OR $purpose IN f.purposes)
AND ($identifiability IS NULL OR f.identifiability = $identifiability)
AND ($controller IS NULL OR $controller IN f.controllers) AND ($processor IS NULL OR $processor IN f.processors)
AND ($status IS NULL OR f.status = $status) AND ($as_of IS NULL OR ({live("f")}))
"""

ORGANISATION_WHERE = """
($org_type IS NULL OR n.org_type = $org_type) AND ($icb IS NULL OR n.icb = $icb)
AND ($sub_icb IS NULL OR n.sub_icb = $sub_icb) AND ($pcn IS NULL OR n.pcn = $pcn)
"""
SYSTEM_WHERE = "($system_type IS NULL OR n.system_type = $system_type) AND ($icb IS NULL OR n.icb = $icb)"


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


def _page(records: list[Record], limit: int, offset: int) -> tuple[int, list[Record]]:
    return len(records), records[offset : offset + limit]


class NetworkxReader:
    def __init__(self, view: GraphView) -> None:
        self.view = view

    def nodes(self, ids: Sequence[str]) -> list[Record]:
        found = (self.view.nodes.get(i) for i in sorted(set(ids)))
        return [node_json(node) for node in found if node is not None]

    def flows(self, ids: Sequence[str]) -> list[Record]:
        found = (self.view.flows.get(i) for i in sorted(set(ids)))
        return [flow_json(flow) for flow in found if flow is not None]

    def organisations(self, where: Mapping[str, str | None], limit: int, offset: int) -> tuple[int, list[Record]]:
        chosen = [
            node_json(node)
            for _, node in sorted(self.view.nodes.items())
            if isinstance(node, Organisation)
            and all(value is None or plain(getattr(node, key)) == value for key, value in where.items())
        ]
        return _page(chosen, limit, offset)

    def systems(self, where: Mapping[str, str | None], limit: int, offset: int) -> tuple[int, list[Record]]:
        chosen = [
            node_json(node)
            for _, node in sorted(self.view.nodes.items())
            if isinstance(node, System)
            and all(value is None or plain(getattr(node, key)) == value for key, value in where.items())
        ]
        return _page(chosen, limit, offset)

    def flow_page(self, where: FlowFilter, limit: int, offset: int) -> tuple[int, list[Record]]:
        chosen = [flow_json(flow) for _, flow in sorted(self.view.flows.items()) if where.matches(flow)]
        return _page(chosen, limit, offset)

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
        return self._flows("MATCH ()-[f:FLOW]->() WHERE f.flow_id IN $ids RETURN properties(f) AS flow", ids=list(ids))

    def _node_page(self, label: str, where: str, params: Mapping[str, Any], limit: int, offset: int) -> Any:
        total = self.run(f"MATCH (n:{label}) WHERE {where} RETURN count(n) AS total", **params)[0]["total"]
        # Ids are plain strings: Neo4j orders them by code point as Python does.
        records = self._nodes(
            f"MATCH (n:{label}) WHERE {where} RETURN properties(n) AS props, n:Organisation AS organisation "
            "ORDER BY n.id SKIP $offset LIMIT $limit",
            **params,
            offset=offset,
            limit=limit,
        )
        return int(total), records

    def organisations(self, where: Mapping[str, str | None], limit: int, offset: int) -> tuple[int, list[Record]]:
        params = {key: where.get(key) for key in ("org_type", "icb", "sub_icb", "pcn")}
        page: tuple[int, list[Record]] = self._node_page("Organisation", ORGANISATION_WHERE, params, limit, offset)
        return page

    def systems(self, where: Mapping[str, str | None], limit: int, offset: int) -> tuple[int, list[Record]]:
        params = {key: where.get(key) for key in ("system_type", "icb")}
        page: tuple[int, list[Record]] = self._node_page("System", SYSTEM_WHERE, params, limit, offset)
        return page

    def flow_page(self, where: FlowFilter, limit: int, offset: int) -> tuple[int, list[Record]]:
        params = where.cypher_params()
        total = self.run(f"MATCH ()-[f:FLOW]->() WHERE {FLOW_WHERE} RETURN count(f) AS total", **params)[0]["total"]
        rows = self.run(
            f"MATCH ()-[f:FLOW]->() WHERE {FLOW_WHERE} RETURN properties(f) AS flow "
            "ORDER BY f.flow_id SKIP $offset LIMIT $limit",
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
            "MATCH (a:Node)-[f:FLOW]->(b:Node) "
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
