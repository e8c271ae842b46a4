"""Lookups for the API and the views: records by id or filter, and the subgraphs the views draw.

Each lookup is written once against a ``Reader`` (``queries.records``), which is written once per
store, so both stores give the same rows. They satisfy the store's ``Query`` interface, so they run
through ``store.run`` and are cached like named queries, but they are not in the catalogue.

Lineage and controllership chains are named queries in the catalogue; the views use those.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.store import CypherRunner, Row
from graph.view import GraphView
from queries.records import CypherReader, FlowFilter, NetworkxReader, Reader, ids_in


@dataclass(frozen=True, slots=True)
class Lookup:
    """A store query written once against a ``Reader``."""

    name: str
    body: Callable[[Reader, Mapping[str, Any]], list[Row]]

    def on_networkx(self, view: GraphView, params: Mapping[str, Any]) -> list[Row]:
        return self.body(NetworkxReader(view), params)

    def on_cypher(self, run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
        return self.body(CypherReader(run), params)


def _organisations(reader: Reader, params: Mapping[str, Any]) -> list[Row]:
    total, items = reader.organisations(params["where"], params["limit"], params["offset"])
    return [{"total": total, "items": items}]


def _systems(reader: Reader, params: Mapping[str, Any]) -> list[Row]:
    total, items = reader.systems(params["where"], params["limit"], params["offset"])
    return [{"total": total, "items": items}]


def _flows(reader: Reader, params: Mapping[str, Any]) -> list[Row]:
    total, items = reader.flow_page(params["where"], params["limit"], params["offset"])
    return [{"total": total, "items": items}]


def _node_detail(reader: Reader, params: Mapping[str, Any]) -> list[Row]:
    """The node with its flows in and out (live at ``as_of`` when given), or no row."""
    found = reader.nodes([params["id"]])
    if not found:
        return []
    where = FlowFilter(as_of=params.get("as_of"))
    return [
        {
            "node": found[0],
            "flows_in": reader.adjacent([params["id"]], True, where),
            "flows_out": reader.adjacent([params["id"]], False, where),
        }
    ]


def _icb_network(reader: Reader, params: Mapping[str, Any]) -> list[Row]:
    """Flows live at ``as_of`` from or to a node of the ICB, their ends, and the PCNs of practices among them."""
    flows = reader.touching_icb(params["icb"], params["as_of"])
    ends = reader.nodes(ids_in(flows, "source", "destination"))
    pcns = reader.nodes(ids_in(ends, "pcn"))
    known = {record["id"] for record in ends}
    return [{"flows": flows, "nodes": ends + [pcn for pcn in pcns if pcn["id"] not in known]}]


def _icbs(reader: Reader, params: Mapping[str, Any]) -> list[Row]:
    counts = reader.icbs()
    names = {record["id"]: record["name"] for record in reader.nodes([icb for icb, _ in counts])}
    return [{"icb": icb, "name": names.get(icb), "flows": flows} for icb, flows in counts]


def _nodes(reader: Reader, params: Mapping[str, Any]) -> list[Row]:
    return reader.nodes(params["ids"])


def _flows_by_id(reader: Reader, params: Mapping[str, Any]) -> list[Row]:
    return reader.flows(params["ids"])


ORGANISATIONS = Lookup("lookup:organisations", _organisations)
SYSTEMS = Lookup("lookup:systems", _systems)
FLOWS = Lookup("lookup:flows", _flows)
NODE_DETAIL = Lookup("lookup:node-detail", _node_detail)
NODES = Lookup("lookup:nodes", _nodes)
FLOWS_BY_ID = Lookup("lookup:flows-by-id", _flows_by_id)
ICB_NETWORK = Lookup("lookup:icb-network", _icb_network)
ICBS = Lookup("lookup:icbs", _icbs)
