"""What one change to the graph writes: the difference that loading or removing registers makes.

Pure: given the old and new versions of the registers that change and the current state of each element
they define (read from the graph), it works out which nodes, flows and agreements to create, update in
place or retire, and nothing else. An element several registers define is kept while any of them does;
its record is its first definer's (registers in load order), as ``graph.merge.merge`` lays them over
each other. Elements a register defines identically before and after are not looked at: the cost of a
change follows what changes, not the size of the register or of the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from graph.merge import override, with_status
from graph.model import Agreement, Flow, Node, Organisation, ReferenceData, Register, System

R = TypeVar("R", Organisation | System, Flow, Agreement)


@dataclass(frozen=True, slots=True)
class Held(Generic[R]):
    """An element as the graph holds it: its record and the registers that define it, first definer first.

    ``row`` is a definer's own row for a node (for an overridden reference organisation, the override),
    kept so that the others' definition can be compared and laid over the reference facts again.
    """

    record: R
    registers: tuple[str, ...] = ()
    row: Node | None = None


@dataclass(slots=True)
class Current:
    """The graph as a change finds it, for the ids it touches (absent: no such visible element)."""

    nodes: dict[str, Held[Node]] = field(default_factory=dict)
    flows: dict[str, Held[Flow]] = field(default_factory=dict)
    agreements: dict[str, Held[Agreement]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Written(Generic[R]):
    """An element as the change leaves it: the merged record and its definers."""

    record: R
    registers: tuple[str, ...]
    row: Node | None = None


@dataclass(slots=True)
class Plan:
    """Everything one change writes. Nodes are updated in place (other registers' flows hang on them);
    flows and agreements whose facts change are retired and written anew."""

    create_nodes: list[Written[Node]] = field(default_factory=list)
    update_nodes: list[Written[Node]] = field(default_factory=list)
    retire_nodes: list[str] = field(default_factory=list)
    create_flows: list[Written[Flow]] = field(default_factory=list)
    update_flows: list[Written[Flow]] = field(default_factory=list)  # the same facts, other definers
    retire_flows: list[str] = field(default_factory=list)
    create_agreements: list[Written[Agreement]] = field(default_factory=list)
    update_agreements: list[Written[Agreement]] = field(default_factory=list)
    retire_agreements: list[str] = field(default_factory=list)
    # Ids that stop existing, or change from organisation to system or back: other registers naming
    # them would be left pointing at nothing, or at the wrong kind of thing.
    gone: set[str] = field(default_factory=set)

    def counts(self, current: Current) -> dict[str, int]:
        """How the graph's counts change."""

        def organisation(node: Node) -> int:
            return 1 if isinstance(node, Organisation) else 0

        organisations = sum(organisation(w.record) for w in self.create_nodes)
        organisations -= sum(organisation(current.nodes[i].record) for i in self.retire_nodes)
        organisations += sum(
            organisation(w.record) - organisation(current.nodes[w.record.id].record) for w in self.update_nodes
        )
        nodes = len(self.create_nodes) - len(self.retire_nodes)
        return {
            "organisations": organisations,
            "systems": nodes - organisations,
            "flows": len(self.create_flows) - len(self.retire_flows),
            "agreements": len(self.create_agreements) - len(self.retire_agreements),
        }

    def size(self) -> int:
        return sum(
            len(items)
            for items in (
                self.create_nodes,
                self.update_nodes,
                self.retire_nodes,
                self.create_flows,
                self.update_flows,
                self.retire_flows,
                self.create_agreements,
                self.update_agreements,
                self.retire_agreements,
            )
        )


def definitions(register: Register | None) -> dict[str, Node]:
    """The organisation and system rows a register defines, by id."""
    if register is None:
        return {}
    found: dict[str, Node] = {o.org_id: o for o in register.organisations}
    found.update((s.system_id, s) for s in register.systems)
    return found


Ids = tuple[set[str], set[str], set[str]]


def changed_ids(old: Mapping[str, Register | None], new: Mapping[str, Register | None]) -> Ids:
    """The node, flow and agreement ids whose definition differs between the old and new registers."""
    nodes: set[str] = set()
    flows: set[str] = set()
    agreements: set[str] = set()
    for name in new:
        before, after = old.get(name), new[name]
        nodes |= _differing(definitions(before), definitions(after))
        flows |= _differing(
            {f.flow_id: f for f in before.flows} if before else {}, {f.flow_id: f for f in after.flows} if after else {}
        )
        agreements |= _differing(
            {a.agreement_id: a for a in before.agreements} if before else {},
            {a.agreement_id: a for a in after.agreements} if after else {},
        )
    return nodes, flows, agreements


def _differing(before: Mapping[str, object], after: Mapping[str, object]) -> set[str]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def plan(
    reference: ReferenceData,
    references: Mapping[str, Organisation],
    current: Current,
    new: Mapping[str, Register | None],
    order: Mapping[str, int],
    ids: Ids,
) -> Plan:
    """The writes that make ``current`` hold ``new`` (None: remove the register) for the changed ``ids``.

    ``order`` ranks every register loaded after the change (load order: a register replaced keeps its
    place); ``references`` is the national reference data's organisations by id, without their DSPT
    status, which ``reference`` lays over them as ``graph.merge.merge`` does.
    """
    result = Plan()
    rank = order.__getitem__
    node_ids, flow_ids, agreement_ids = ids
    rows = {name: definitions(register) for name, register in new.items()}
    for identifier in sorted(node_ids):
        held = current.nodes.get(identifier)
        definers = _definers(held, [name for name in new if identifier in rows[name]], new, rank)
        row = _first_row(definers, held, rows, identifier)
        merged = laid_over(references.get(identifier), row)
        if merged is not None:
            merged = with_status(merged, reference)
        if merged is None:
            if held is not None:
                result.retire_nodes.append(identifier)
                result.gone.add(identifier)
            continue
        written: Written[Node] = Written(merged, definers, row)
        if held is None:
            result.create_nodes.append(written)
        elif (held.record, held.registers, held.row) != (merged, definers, row):
            result.update_nodes.append(written)
            if isinstance(held.record, Organisation) != isinstance(merged, Organisation):
                result.gone.add(identifier)
    flows = {name: {f.flow_id: f for f in r.flows} if r else {} for name, r in new.items()}
    for identifier in sorted(flow_ids):
        held_flow = current.flows.get(identifier)
        definers = _definers(held_flow, [name for name in new if identifier in flows[name]], new, rank)
        flow = _first_version(definers, held_flow, flows, identifier)
        _place(result.create_flows, result.update_flows, result.retire_flows, identifier, held_flow, flow)
    agreements = {name: {a.agreement_id: a for a in r.agreements} if r else {} for name, r in new.items()}
    for identifier in sorted(agreement_ids):
        held_agreement = current.agreements.get(identifier)
        definers = _definers(held_agreement, [name for name in new if identifier in agreements[name]], new, rank)
        agreement = _first_version(definers, held_agreement, agreements, identifier)
        _place(
            result.create_agreements,
            result.update_agreements,
            result.retire_agreements,
            identifier,
            held_agreement,
            agreement,
        )
        if agreement is None and held_agreement is not None:
            result.gone.add(identifier)
    return result


def laid_over(base: Organisation | None, row: Node | None) -> Node | None:
    """A node's record: the reference facts with the first definer's row over them, or the row alone."""
    if base is None:
        return row
    return override(base, row) if isinstance(row, Organisation) else base


def _definers(
    held: Held[R] | None, defining: list[str], new: Mapping[str, Register | None], rank: Callable[[str], int]
) -> tuple[str, ...]:
    """The registers defining an element after the change, in load order: the others that did, and
    those of the changing registers that do now."""
    kept = [name for name in (held.registers if held else ()) if name not in new]
    return tuple(sorted(kept + defining, key=rank))


def _first_row(
    definers: tuple[str, ...], held: Held[Node] | None, rows: Mapping[str, Mapping[str, Node]], identifier: str
) -> Node | None:
    if not definers:
        return None
    first = definers[0]
    if first in rows:
        return rows[first][identifier]
    assert held is not None and held.row is not None, f"{identifier}: defined by {first} but no row is kept"
    return replace(held.row, source=first)


F = TypeVar("F", Flow, Agreement)


def _first_version(
    definers: tuple[str, ...], held: Held[F] | None, versions: Mapping[str, Mapping[str, F]], identifier: str
) -> Written[F] | None:
    """The record its first definer gives, with its definers."""
    if not definers:
        return None
    first = definers[0]
    if first in versions:
        return Written(versions[first][identifier], definers)
    assert held is not None
    return Written(replace(held.record, source_register=first), definers)


def _place(
    create: list[Written[F]],
    update: list[Written[F]],
    retire: list[str],
    identifier: str,
    held: Held[F] | None,
    written: Written[F] | None,
) -> None:
    """Sort one flow or agreement into created, updated in place (same facts) or retired (and created)."""
    if written is None:
        if held is not None:
            retire.append(identifier)
        return
    if held is None:
        create.append(written)
    elif not _same_facts(held.record, written.record):
        retire.append(identifier)
        create.append(written)
    elif held.registers != written.registers or held.record != written.record:
        update.append(written)


def _same_facts(first: F, second: F) -> bool:
    """The same record but perhaps for the register it came from (compared without copying: most
    comparisons are of a register's record with its own previous version)."""
    if first.source_register == second.source_register:
        return first == second
    return replace(first, source_register="") == replace(second, source_register="")


FLOW_AGREEMENTS_INDEX = "flow_agreements"
"""The Neo4j full-text index of each flow's agreement ids (``graph.neo4j_schema``), one exact term per id."""
FLOW_ROLES_INDEX = "flow_roles"
"""The Neo4j full-text index of who holds a role on each flow (controllers, processors, sub-processors,
recipient controller), one exact term per organisation id."""


def visible(element: str = "f") -> str:
    """Cypher: a flow or agreement belongs to the graph's current generation.

    Each carries ``v``: the generation of the change that wrote it, or minus the generation of the change
    that retires it. A reader passes the generation it read (``$generation``); a change writes at the next
    one and moves the generation in its last, small transaction, so what it wrote appears, and what it
    retired disappears, at once.
    """
    return f"(0 <= {element}.v <= $generation OR $generation < -{element}.v)"
