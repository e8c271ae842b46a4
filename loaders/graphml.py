"""The whole graph as GraphML, for Gephi, yEd or ``networkx.read_graphml``: every node and flow with its fields.

``graph_of`` is pure (the graph's records in, a networkx ``MultiDiGraph`` out); ``graphml_bytes`` writes it.
Nodes are keyed by id, flows are edges keyed by flow id. Every field the graph records is an attribute of
the same name: lists joined with ``;`` as in the register spec, dates as ISO text, vocabulary values as
written in registers; a field not recorded (None, or an empty list) is left out, as GraphML has no null.
Each node also carries ``kind`` (organisation or system) and ``label`` (its name, which Gephi and yEd show);
each flow its ``label`` (the flow id). A flow's source and destination are the edge's ends.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable
from datetime import date
from typing import Any

import networkx as nx

from graph.codec import plain
from graph.merge import Contents
from graph.model import Flow, Node, Organisation
from graph.schema import LIST_SEPARATOR

EDGE_ENDS = ("source", "destination")
LEFT_OUT = ("source_register",)  # which loaded register a flow came from: bookkeeping, not a fact of the flow


def attribute(value: Any) -> Any:
    """A field as a GraphML attribute: lists joined with ``;``, dates and vocabulary values as text; None
    (not recorded) for None or an empty list.

    >>> from graph.vocab import Purpose
    >>> attribute((Purpose.PLANNING, Purpose.RESEARCH)), attribute(date(2026, 11, 25)), attribute(()), attribute(True)
    ('planning;research', '2026-11-25', None, True)
    """
    value = plain(value)
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value) if value else None
    return value


def node_attributes(node: Node) -> dict[str, Any]:
    found: dict[str, Any] = {"kind": node.kind, "label": node.name}
    for field in dataclasses.fields(node):
        value = attribute(getattr(node, field.name))
        if value is not None:
            found[field.name] = value
    if isinstance(node, Organisation):
        found["is_legal_entity"] = node.is_legal_entity
    return found


def flow_attributes(flow: Flow) -> dict[str, Any]:
    found: dict[str, Any] = {"label": flow.flow_id}
    for field in dataclasses.fields(flow):
        if field.name in EDGE_ENDS or field.name in LEFT_OUT:
            continue
        value = attribute(getattr(flow, field.name))
        if value is not None:
            found[field.name] = value
    return found


def chosen_flows(contents: Contents, as_of: date | None) -> Iterable[Flow]:
    """Every flow, or those live at ``as_of`` when one is given."""
    return (flow for flow in contents.flows.values() if as_of is None or flow.live_at(as_of))


def graph_of(contents: Contents, as_of: date | None = None) -> nx.MultiDiGraph:
    """Every node of the graph and every flow (live at ``as_of``, when given) as a networkx graph."""
    graph = nx.MultiDiGraph()
    graph.add_nodes_from((identifier, node_attributes(node)) for identifier, node in sorted(contents.nodes.items()))
    graph.add_edges_from(
        (flow.source, flow.destination, flow.flow_id, flow_attributes(flow)) for flow in chosen_flows(contents, as_of)
    )
    return graph


def graphml_bytes(contents: Contents, as_of: date | None = None) -> bytes:
    """The GraphML document (UTF-8) of ``graph_of``."""
    buffer = io.BytesIO()
    nx.write_graphml(graph_of(contents, as_of), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()
