"""The embedded store's record of who defines what, so that a register change costs what it changes.

For every node, flow and agreement id, the registers that define it, in load order; for every register,
its own rows and the ids it names. A change reads the elements it touches from these and from the graph
(what ``graph.plan`` needs, as the Neo4j store reads them from the database), is planned as a Neo4j
change is, and the new graph is the old one with the plan applied: each dict copied (one copy at C
speed), the touched entries replaced. Nothing is merged again from every register.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from graph.merge import Contents
from graph.model import Agreement, Flow, Node, ReferenceData, Register
from graph.plan import Current, Held, Ids, Plan, changed_ids, definitions, plan


class Ledger:
    """Who defines each id, kept up to date by each change."""

    def __init__(self, reference: ReferenceData, registers: Mapping[str, Register]) -> None:
        self.reference = reference
        self.references = {o.org_id: o for o in reference.organisations}
        # The last change planned, kept so that validating it and writing it plan once.
        self._planned: tuple[tuple[Any, ...], tuple[dict[str, Register | None], Current, Plan]] | None = None
        self.nodes: dict[str, list[str]] = defaultdict(list)
        self.flows: dict[str, list[str]] = defaultdict(list)
        self.agreements: dict[str, list[str]] = defaultdict(list)
        self.rows: dict[str, dict[str, Node]] = {}
        for name, register in registers.items():
            self.rows[name] = definitions(register)
            for identifier in self.rows[name]:
                self.nodes[identifier].append(name)
            for flow in register.flows:
                self.flows[flow.flow_id].append(name)
            for agreement in register.agreements:
                self.agreements[agreement.agreement_id].append(name)

    def current(self, contents: Contents, ids: Ids) -> Current:
        """The elements with these ids as the graph holds them, with their definers."""
        node_ids, flow_ids, agreement_ids = ids
        current = Current()
        for identifier in node_ids:
            if identifier in contents.nodes:
                owners = tuple(self.nodes.get(identifier, ()))
                row = self.rows[owners[0]][identifier] if owners else None
                current.nodes[identifier] = Held(contents.nodes[identifier], owners, row)
        for identifier in flow_ids:
            if identifier in contents.flows:
                current.flows[identifier] = Held(contents.flows[identifier], tuple(self.flows.get(identifier, ())))
        for identifier in agreement_ids:
            if identifier in contents.agreements:
                held = Held(contents.agreements[identifier], tuple(self.agreements.get(identifier, ())))
                current.agreements[identifier] = held
        return current

    def planned(
        self,
        contents: Contents,
        loaded: Mapping[str, Register],
        registers: Sequence[Register],
        removing: Sequence[str],
    ) -> tuple[dict[str, Register | None], Current, Plan]:
        """The change: the registers it writes (None: removed), what it touches, and its plan."""
        key = (id(contents.flows), id(contents.nodes), tuple(map(id, registers)), tuple(removing))
        if self._planned is not None and self._planned[0] == key:
            return self._planned[1]
        new: dict[str, Register | None] = {name: None for name in removing}
        new.update((register.name, register) for register in registers)
        old = {name: loaded[name] for name in new if name in loaded}
        order = [name for name in loaded if new.get(name, True) is not None]
        order += [name for name in new if new[name] is not None and name not in loaded]
        ids = changed_ids(old, new)
        current = self.current(contents, ids)
        rank = {name: place for place, name in enumerate(order)}
        planned = new, current, plan(self.reference, self.references, current, new, rank, ids)
        self._planned = key, planned
        return planned

    def change(
        self,
        contents: Contents,
        loaded: Mapping[str, Register],
        registers: Sequence[Register],
        removing: Sequence[str],
    ) -> tuple[Contents, Callable[[], None]]:
        """The graph after the change, and what records it here once it is stored (not before: a change
        that fails to be stored must leave the ledger as it was)."""
        new, _, changes = self.planned(contents, loaded, registers, removing)
        nodes, flows, agreements = dict(contents.nodes), dict(contents.flows), dict(contents.agreements)
        for identifier in changes.retire_nodes:
            del nodes[identifier]
        for written_node in [*changes.create_nodes, *changes.update_nodes]:
            nodes[written_node.record.id] = written_node.record
        for identifier in changes.retire_flows:
            del flows[identifier]
        for written_flow in [*changes.create_flows, *changes.update_flows]:
            flows[written_flow.record.flow_id] = written_flow.record
        for identifier in changes.retire_agreements:
            del agreements[identifier]
        for written in [*changes.create_agreements, *changes.update_agreements]:
            agreements[written.record.agreement_id] = written.record

        def record() -> None:
            self._planned = None
            for identifier in changes.retire_nodes:
                self.nodes.pop(identifier, None)
            for identifier in changes.retire_flows:
                self.flows.pop(identifier, None)
            for identifier in changes.retire_agreements:
                self.agreements.pop(identifier, None)
            for owners, written_all in (
                (self.nodes, [*changes.create_nodes, *changes.update_nodes]),
                (self.flows, [*changes.create_flows, *changes.update_flows]),
                (self.agreements, [*changes.create_agreements, *changes.update_agreements]),
            ):
                for w in written_all:
                    owners[_key(w.record)] = list(w.registers)
            for name, register in new.items():
                if register is None:
                    self.rows.pop(name, None)
                else:
                    self.rows[name] = definitions(register)

        return Contents(nodes, flows, agreements), record


def _key(record: Node | Flow | Agreement) -> str:
    if isinstance(record, Flow):
        return record.flow_id
    if isinstance(record, Agreement):
        return record.agreement_id
    return record.id
