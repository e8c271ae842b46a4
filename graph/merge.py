"""The graph as one value: the reference data with every loaded register laid over it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace

from graph.model import REFERENCE, Agreement, Flow, Node, Organisation, ReferenceData, Register


@dataclass(slots=True)
class Contents:
    """Every node, flow and agreement of the graph, keyed by id."""

    nodes: dict[str, Node] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    agreements: dict[str, Agreement] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        organisations = sum(isinstance(node, Organisation) for node in self.nodes.values())
        return {
            "organisations": organisations,
            "systems": len(self.nodes) - organisations,
            "flows": len(self.flows),
            "agreements": len(self.agreements),
        }


def override(base: Organisation, update: Organisation) -> Organisation:
    """A register's organisation row over the reference facts: what the row records wins.

    The reference hierarchy (ICB, region, PCN, list size) stays unless the row says otherwise.
    """
    given = {f.name: getattr(update, f.name) for f in fields(update) if getattr(update, f.name) is not None}
    return replace(base, **given)


def merge(reference: ReferenceData, registers: Iterable[Register]) -> Contents:
    """The reference organisations, then each register's records in the order given."""
    contents = Contents()
    nodes = contents.nodes
    for organisation in reference.organisations:
        nodes[organisation.org_id] = organisation
    for register in registers:
        for organisation in register.organisations:
            existing = nodes.get(organisation.org_id)
            if isinstance(existing, Organisation) and existing.source == REFERENCE:
                nodes[organisation.org_id] = override(existing, organisation)
            else:
                nodes.setdefault(organisation.org_id, organisation)
        for system in register.systems:
            nodes.setdefault(system.system_id, system)
        for flow in register.flows:
            contents.flows.setdefault(flow.flow_id, flow)
        for agreement in register.agreements:
            contents.agreements.setdefault(agreement.agreement_id, agreement)
    with_dspt_status(nodes, reference)
    return contents


def with_dspt_status(nodes: dict[str, Node], reference: ReferenceData) -> None:
    """Give each organisation its DSPT status on record, by ODS code (``with_status``)."""
    for code in reference.dspt:
        node = nodes.get(code)
        if node is not None:
            nodes[code] = with_status(node, reference)


def with_status(node: Node, reference: ReferenceData) -> Node:
    """The node with its DSPT status on record, if it is an organisation that takes the toolkit.

    The status is a fact of the reference data, not of a register: a CSU a register defines (``0AR``)
    carries its published status as a trust of the reference data does. Only legal entities take the
    toolkit, so a code that now names a sub-ICB location (``00L``) keeps none of the CCG's status it had.
    """
    status = reference.dspt.get(node.id)
    if status is None or not isinstance(node, Organisation) or not node.is_legal_entity:
        return node
    return replace(node, dspt_status=status.status, dspt_edition=status.edition, dspt_published=status.published)
