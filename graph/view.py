"""The merged graph as the networkx side of every query reads it: pure, in memory, never written anywhere.

A ``GraphView`` is made from merged contents (``graph.merge``) and never changes; a load makes a new one.
The embedded store (``graph.memory``) holds the current view; persistence is ``graph.state``'s business.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import networkx as nx

from graph.merge import Contents
from graph.model import Organisation

T = TypeVar("T")


class GraphView:
    """The merged graph as queries read it: records by id, and a MultiDiGraph of flows.

    Nodes carry their record as ``node``; each flow is an edge keyed by its flow id, carrying ``flow``.
    """

    def __init__(self, contents: Contents) -> None:
        self.nodes = contents.nodes
        self.flows = contents.flows
        self.agreements = contents.agreements
        self._graph: nx.MultiDiGraph | None = None
        self._graphing = threading.Lock()
        self._indexes: dict[Hashable, Any] = {}
        self._indexing = threading.Lock()

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The flows as a MultiDiGraph, built on first use: a register change makes a new view, and a
        query that reads only records by id never pays for it."""
        if self._graph is None:
            with self._graphing:
                if self._graph is None:
                    graph = nx.MultiDiGraph()
                    graph.add_nodes_from((identifier, {"node": node}) for identifier, node in self.nodes.items())
                    graph.add_edges_from(
                        (flow.source, flow.destination, flow.flow_id, {"flow": flow}) for flow in self.flows.values()
                    )
                    self._graph = graph
        return self._graph

    def contents(self) -> Contents:
        return Contents(self.nodes, self.flows, self.agreements)

    def index(self, key: Hashable, build: Callable[[GraphView], T]) -> T:
        """A structure derived from this graph (flows by category, say), built on first use and kept.

        A view never changes once made (a load makes a new one), so what is built from it stays true;
        concurrent API requests build each index once.
        """
        if key not in self._indexes:
            with self._indexing:
                if key not in self._indexes:
                    self._indexes[key] = build(self)
        return self._indexes[key]  # type: ignore[no-any-return]

    def counts(self) -> dict[str, int]:
        organisations = sum(isinstance(node, Organisation) for node in self.nodes.values())
        return {
            "organisations": organisations,
            "systems": len(self.nodes) - organisations,
            "flows": len(self.flows),
            "agreements": len(self.agreements),
        }
