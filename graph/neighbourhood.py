"""What validating one change needs of the loaded graph, read for the ids the change touches only.

A register is checked against the graph without it (``loaders.register.check_against``): the reference
data and the other registers. Of that graph the check looks only at the ids the register defines or
names, so a store reads those (as ``graph.plan.Current``, the same read a change's plan makes) and this
module turns them into the other registers' view: each element as its first other definer gives it
(``graph.merge.merge``'s rule), each node row as the last other definer wrote it (``validate_together``'s
``defined``). The other registers stay sound unless the change takes away an id, or changes its kind,
that one of them may name: ``taken`` lists those, and the caller checks the whole graph then. A flow id
is named only by agreements (``covers``), so a flow the change takes away counts only if another
register's agreement covers it, which the store looks up (``Covering``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, replace

from graph import schema
from graph.merge import Contents
from graph.model import Node, Organisation, Register
from graph.plan import Current, Ids, definitions, laid_over

# The fields of each table's records that name other records, by the kind of record they name.
_NAMING = {
    table.name: tuple(
        (column.field, column.many, column.kind) for column in table.columns if column.kind in schema.REFERENCES
    )
    for table in schema.TABLES.values()
}


# The flow ids among the first that an agreement some register other than the second ones defines covers.
Covering = Callable[[Set[str], Set[str]], set[str]]


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """The graph without the changing registers, for the ids the incoming ones define or name.

    ``others`` holds every node, flow and agreement among those ids that the reference data or another
    register defines; ``defined`` the other registers' own node rows for them; ``taken`` the ids the
    change takes out of the graph or turns from organisation to system or back (another register naming
    one would be stranded); ``version`` the store's version the reads were made at.
    """

    others: Contents
    defined: Mapping[str, Node]
    taken: frozenset[str]
    version: str


def _named(table: str, records: Iterable[object], ids: Ids) -> None:
    nodes, flows, agreements = ids
    for record in records:
        for field, many, kind in _NAMING[table]:
            value = getattr(record, field)
            if value is None:
                continue
            for identifier in value if many else (value,):
                if kind is schema.Kind.AGREEMENT:
                    agreements.add(identifier)
                elif kind is schema.Kind.FLOW_OR_SYSTEM:
                    flows.add(identifier)
                    nodes.add(identifier)
                else:
                    nodes.add(identifier)


def touched(incoming: Iterable[Register], old: Iterable[Register]) -> Ids:
    """The node, flow and agreement ids to read: those the incoming registers define or name, and those
    the changing registers' versions in the graph define (which the change may take away)."""
    ids: Ids = (set(), set(), set())
    nodes, flows, agreements = ids
    for register in incoming:
        nodes.update(definitions(register))
        flows.update(f.flow_id for f in register.flows)
        agreements.update(a.agreement_id for a in register.agreements)
        _named("organisations", register.organisations, ids)
        _named("systems", register.systems, ids)
        _named("flows", register.flows, ids)
        _named("agreements", register.agreements, ids)
    for register in old:
        nodes.update(definitions(register))
        flows.update(f.flow_id for f in register.flows)
        agreements.update(a.agreement_id for a in register.agreements)
    return ids


def neighbourhood(
    references: Mapping[str, Organisation],
    current: Current,
    new: Mapping[str, Register | None],
    old: Mapping[str, Register],
    version: str,
    covering: Covering,
) -> Neighbourhood:
    """The other registers' view of ``current`` (read for ``touched`` ids) for a change writing ``new``
    (None: removed) over ``old`` (the changing registers' versions in the graph)."""
    others = Contents()
    defined: dict[str, Node] = {}
    for identifier, held in current.nodes.items():
        kept = tuple(name for name in held.registers if name not in new)
        if kept and held.row is not None:
            # Every definer's row means the same (the graph was validated), so one row stands for all.
            others.nodes[identifier] = (
                laid_over(references.get(identifier), replace(held.row, source=kept[0])) or held.row
            )
            defined[identifier] = replace(held.row, source=kept[-1])
        elif identifier in references:
            others.nodes[identifier] = references[identifier]
    for flow_id, held_flow in current.flows.items():
        kept = tuple(name for name in held_flow.registers if name not in new)
        if kept:
            others.flows[flow_id] = replace(held_flow.record, source_register=kept[0])
    for agreement_id, held_agreement in current.agreements.items():
        kept = tuple(name for name in held_agreement.registers if name not in new)
        if kept:
            others.agreements[agreement_id] = replace(held_agreement.record, source_register=kept[0])
    nodes, flows, agreements = _taken(others, old, new)
    covered = covering(flows, new.keys()) if flows else set()
    return Neighbourhood(others, defined, frozenset(nodes | covered | agreements), version)


def _taken(others: Contents, old: Mapping[str, Register], new: Mapping[str, Register | None]) -> Ids:
    """The node, flow and agreement ids the old versions define that, after the change, no longer exist
    or are of the other kind."""
    after_nodes: dict[str, Node] = {}
    after_flows: set[str] = set()
    after_agreements: set[str] = set()
    for register in new.values():
        if register is not None:
            after_nodes.update(definitions(register))
            after_flows.update(f.flow_id for f in register.flows)
            after_agreements.update(a.agreement_id for a in register.agreements)
    nodes: set[str] = set()
    flows: set[str] = set()
    agreements: set[str] = set()
    for register in old.values():
        for identifier, node in definitions(register).items():
            now = others.nodes.get(identifier) or after_nodes.get(identifier)
            if now is None or isinstance(now, Organisation) != isinstance(node, Organisation):
                nodes.add(identifier)
        flows.update(
            f.flow_id for f in register.flows if f.flow_id not in others.flows and f.flow_id not in after_flows
        )
        agreements.update(
            a.agreement_id
            for a in register.agreements
            if a.agreement_id not in others.agreements and a.agreement_id not in after_agreements
        )
    return nodes, flows, agreements
