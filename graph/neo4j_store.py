"""The Neo4j store: the same interface as the embedded store, on a real Neo4j 5.

Layout (``graph.neo4j_schema``): ``(:Node:Organisation)`` and ``(:Node:System)`` keyed by ``id``; each
flow a ``(:Node)-[:FLOW]->(:Node)`` relationship carrying every register column; ``(:Agreement)`` nodes;
``(:Register)`` nodes holding each register as loaded (gzipped JSON) so it can be compared with its next
version; ``(:RegisterVersion)`` nodes (``graph.neo4j_history``); one ``(:Meta)`` node with the graph's
generation, counts, the reference data's fingerprint and the write lease. Every element a register
defines lists its definers in ``registers`` (an id several registers define stays while one does).

A change (loading, replacing or removing registers) reads the register's previous version and the
graph's state for the ids it touches, and writes only what it adds, changes or takes away
(``graph.plan``): the other registers' elements are never written. It is written in batches of bounded
size, invisible to readers until one small transaction flips it in whole (``graph.neo4j_writer``), which
also writes the register versions the change makes: readers never see half a change, a version exists
exactly when its change is in the graph, and the server's memory holds a batch, never a register.
Flows and agreements are versioned by generation (``v``, see ``graph.plan.visible``); nodes by label (a
new node is ``:StagedNode`` until the flip). Every query runs in a read transaction with the generation
it read first (``$generation``), so a ``neo4j://`` routing URI sends it to any member of a cluster;
writes run in write transactions, which the driver routes to the leader.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j import Driver, GraphDatabase, ManagedTransaction, NotificationMinimumSeverity
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from graph import neo4j_history
from graph.codec import from_record
from graph.history import Tables, Version, baseline, canonical, next_version, pack, records, unpack
from graph.model import Agreement, Flow, Node, Organisation, ReferenceData, Register, System
from graph.neighbourhood import Neighbourhood, neighbourhood, touched
from graph.neo4j_schema import (
    LAYOUT,
    SCHEMA,
    agreement_row,
    clashed,
    fingerprint,
    flow_row,
    node_props,
    ownership,
    row_of,
    too_big,
)
from graph.neo4j_writer import (
    CREATE_AGREEMENTS,
    CREATE_FLOWS,
    CREATE_ORGANISATIONS,
    CREATE_REGISTERS,
    CREATE_SYSTEMS,
    RETIRE_AGREEMENTS,
    RETIRE_FLOWS,
    Change,
)
from graph.plan import Current, Held, Plan, changed_ids, definitions, plan, visible
from graph.state import decode, encode
from graph.store import CypherRunner, Query, RegisterInfo, Row, StoreError, still

BATCH = 10_000
GENERATION = "MATCH (m:Meta {key: 'graph'}) RETURN m.generation AS generation"
NODES = """
UNWIND $ids AS id
MATCH (n:Node {id: id})
RETURN properties(n) AS props, n:Organisation AS organisation
"""
FLOWS = f"""
UNWIND $ids AS id
MATCH ()-[f:FLOW {{flow_id: id}}]->() WHERE {visible("f")}
RETURN properties(f) AS props
"""
AGREEMENTS = f"""
UNWIND $ids AS id
MATCH (a:Agreement {{id: id}}) WHERE {visible("a")}
RETURN properties(a) AS props
"""
COVERED = f"""
MATCH (a:Agreement) WHERE {visible("a")} AND any(r IN a.registers WHERE NOT r IN $changing)
UNWIND a.covers AS id
WITH id WHERE id IN $ids
RETURN DISTINCT id
"""
REGISTERS = "MATCH (r:Register) RETURN r.name AS name, r.seq AS seq, r.flows AS flows ORDER BY r.seq, r.name"
PAYLOADS = "MATCH (r:Register) WHERE r.name IN $names RETURN r.payload AS payload"
READ_CHUNK = 20_000
BeforeCommit = Callable[[CypherRunner], None]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A change read and planned: the registers it writes (None: removed), their load order after it,
    the elements it touches as the graph holds them, and the plan."""

    generation: int
    new: dict[str, Register | None]
    after: dict[str, int]
    current: Current
    changes: Plan


class Neo4jStore:
    kind = "neo4j"

    def __init__(self, driver: Driver, reference: ReferenceData, database: str | None = None) -> None:
        self.driver = driver
        self.reference = reference
        self.database = database
        self.references = {o.org_id: o for o in reference.organisations}
        # Called after each batch is committed; tests use it to interrupt a change midway.
        self.after_batch: Callable[[str, int], None] | None = None
        self.batch_size = BATCH
        self._kept_previous: tuple[tuple[int | None, tuple[str, ...]], dict[str, Register]] | None = None
        self._ensure_schema()
        self._ensure_reference()

    @classmethod
    def connect(
        cls,
        uri: str,
        reference: ReferenceData,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
    ) -> Neo4jStore:
        auth = (user, password or "") if user else None
        # The server's notifications (an unknown label in a fresh database, say) are about our own
        # Cypher, not the user's input; the driver would log each one as a warning on stderr.
        driver = GraphDatabase.driver(uri, auth=auth, notifications_min_severity=NotificationMinimumSeverity.OFF)
        try:
            driver.verify_connectivity()
        except (ServiceUnavailable, Neo4jError, OSError, ValueError) as error:
            driver.close()
            raise StoreError(
                f"cannot reach Neo4j at {uri}: {error}. Start one with `make neo4j-up`, "
                "or set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD) to your server"
            ) from error
        return cls(driver, reference, database)

    # --- reading -----------------------------------------------------------------------------------

    def _read(self, cypher: str, /, **params: Any) -> list[dict[str, Any]]:
        # dict(record), not record.data(): data() walks every value to turn graph objects into dicts,
        # which our queries never return, and costs most of the time of a large answer.
        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [dict(record) for record in tx.run(cypher, params)]

        with self.driver.session(database=self.database) as session:
            return session.execute_read(work)

    def _generation(self) -> int:
        rows = self._read(GENERATION)
        return int(rows[0]["generation"] or 0) if rows else 0

    def loaded(self) -> dict[str, Register]:
        rows = self._read("MATCH (r:Register) RETURN r.payload AS payload ORDER BY r.seq, r.name")
        registers = [decode(json.loads(gzip.decompress(row["payload"])))[0] for row in rows]
        return {register.name: register for register in registers}

    def registers(self) -> list[RegisterInfo]:
        rows = self._read(
            "MATCH (r:Register) RETURN r.name AS name, r.path AS path, r.loaded_at AS loaded_at, "
            "r.counts AS counts ORDER BY name"
        )
        versions = neo4j_history.current_versions(self._read)
        return [
            RegisterInfo(
                row["name"], row["path"], row["loaded_at"], json.loads(row["counts"]), versions.get(row["name"])
            )
            for row in rows
        ]

    def versions(self, name: str | None = None) -> list[Version]:
        return neo4j_history.read_versions(self._read, name)

    def version_register(self, name: str, version: int) -> Register:
        found = [v for v in self.versions(name) if v.version == version]
        packed = neo4j_history.read_content(self._read, name, version) if found else None
        if packed is None:
            numbers = ", ".join(str(v.version) for v in self.versions(name)) or "none"
            raise StoreError(f"register {name!r} has no version {version}; its versions: {numbers}")
        return unpack(found[0], packed)

    def counts(self) -> dict[str, int]:
        # Kept on (:Meta) by each change: counting would read every flow to see which are current.
        rows = self._read("MATCH (m:Meta {key: 'graph'}) RETURN m.counts AS counts")
        counts = json.loads(rows[0]["counts"]) if rows and rows[0]["counts"] else {}
        return {key: int(counts.get(key, 0)) for key in ("organisations", "systems", "flows", "agreements")}

    def version(self) -> str:
        return f"neo4j-{self._generation()}"

    def run(self, query: Query, params: Mapping[str, Any]) -> list[Row]:
        # One generation for every statement of the query, so its parts agree with each other.
        generation = self._generation()

        def at_generation(cypher: str, /, **values: Any) -> list[dict[str, Any]]:
            return self._read(cypher, **values, generation=generation)

        return query.on_cypher(at_generation, params)

    # --- what a change touches -----------------------------------------------------------------------

    def _order(self) -> tuple[dict[str, int], dict[str, int]]:
        """Each loaded register's place in load order, and its number of flows."""
        rows = self._read(REGISTERS)
        return {r["name"]: int(r["seq"] or 0) for r in rows}, {r["name"]: int(r["flows"] or 0) for r in rows}

    def _previous(self, names: Sequence[str], generation: int | None = None) -> dict[str, Register]:
        """The registers so named as the graph holds them. Read at a generation, they are kept until the
        next read: validating a change and writing it read the same ones (a payload changes only at a flip,
        which moves the generation)."""
        key = (generation, tuple(names))
        if generation is not None and self._kept_previous is not None and self._kept_previous[0] == key:
            return dict(self._kept_previous[1])
        rows = self._read(PAYLOADS, names=list(names))
        registers = [decode(json.loads(gzip.decompress(row["payload"])))[0] for row in rows]
        found = {register.name: register for register in registers}
        self._kept_previous = (key, found) if generation is not None else None
        return dict(found)

    def neighbourhood(self, registers: Sequence[Register], removing: Sequence[str] = ()) -> Neighbourhood:
        """What validating the change needs: the elements the incoming registers define or name, and those
        the changing registers define now, read at one generation (``graph.neighbourhood``)."""
        generation = self._generation()
        new: dict[str, Register | None] = {name: None for name in removing}
        new.update((register.name, register) for register in registers)
        order, _ = self._order()
        old = self._previous([name for name in new if name in order], generation)
        node_ids, flow_ids, agreement_ids = touched(registers, old.values())
        current = self._current(node_ids, flow_ids, agreement_ids, generation)

        def covering(flows: Set[str], changing: Set[str]) -> set[str]:
            rows = self._read(COVERED, ids=sorted(flows), changing=sorted(changing), generation=generation)
            return {row["id"] for row in rows}

        return neighbourhood(self.references, current, new, old, f"neo4j-{generation}", covering)

    def _current(self, node_ids: set[str], flow_ids: set[str], agreement_ids: set[str], generation: int) -> Current:
        """The visible elements with these ids, read in chunks."""
        current = Current()
        for row in self._chunks(NODES, node_ids, generation):
            props = row["props"]
            record: Node = from_record(Organisation, props) if row["organisation"] else from_record(System, props)
            current.nodes[props["id"]] = Held(record, _definers(props), row_of(props.get("defined_as")))
        for row in self._chunks(FLOWS, flow_ids, generation):
            flow = from_record(Flow, row["props"])
            current.flows[flow.flow_id] = Held(flow, _definers(row["props"]))
        for row in self._chunks(AGREEMENTS, agreement_ids, generation):
            agreement = from_record(Agreement, row["props"])
            current.agreements[agreement.agreement_id] = Held(agreement, _definers(row["props"]))
        return current

    def _chunks(self, cypher: str, ids: set[str], generation: int) -> Iterator[dict[str, Any]]:
        ordered = sorted(ids)
        for start in range(0, len(ordered), READ_CHUNK):
            yield from self._read(cypher, ids=ordered[start : start + READ_CHUNK], generation=generation)

    def _prepare(self, registers: Sequence[Register], removing: Sequence[str], generation: int) -> Prepared:
        """Read what a change touches and plan it."""
        new: dict[str, Register | None] = {name: None for name in removing}
        new.update((register.name, register) for register in registers)
        order, flow_counts = self._order()
        old = self._previous([name for name in new if name in order], generation)
        after = {name: seq for name, seq in order.items() if new.get(name, True) is not None}
        for name in new:
            if new[name] is not None and name not in after:
                after[name] = max(after.values(), default=0) + 1
        ids = changed_ids(old, new)
        node_ids, flow_ids, agreement_ids = ids
        reading_flows = set(flow_ids)
        if not any(count for name, count in flow_counts.items() if name not in new):
            # No other register defines flows: only the old versions' flows can be in the graph.
            reading_flows &= {f.flow_id for r in old.values() for f in r.flows}
        current = self._current(node_ids, reading_flows, agreement_ids, generation)
        changes = plan(self.reference, self.references, current, new, after, ids)
        return Prepared(generation, new, after, current, changes)

    # --- writing -----------------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        with self.driver.session(database=self.database) as session:
            for statement in SCHEMA:
                session.run(statement).consume()

    def _ensure_reference(self) -> None:
        expected = fingerprint(self.reference)
        rows = self._read("MATCH (m:Meta {key: 'graph'}) RETURN m.reference AS reference, m.layout AS layout")
        if not rows or rows[0]["reference"] != expected or rows[0]["layout"] != LAYOUT:
            self._rebuild(list(self.loaded().values()) if rows else [])

    def reset(self) -> None:
        """Drop every register and its versions, and rewrite the reference data (for tests)."""
        self._rebuild([], before_commit=neo4j_history.forget_all)

    def replace(
        self, registers: Sequence[Register], *, actor: str = "", note: str = "", validated_at: str | None = None
    ) -> list[RegisterInfo]:
        change = Change(self.driver, self.database, self.batch_size, self.after_batch)
        change.claim()  # one writer at a time: what is read below cannot change under this change
        try:
            still(validated_at, f"neo4j-{change.generation}")
            made, fresh, tables = self._versions(registers, actor, note)
        except BaseException:
            change.release()
            raise
        if made:
            self._change(change, fresh, (), tables, before_commit=lambda run: neo4j_history.write_versions(run, made))
        else:
            change.release()
        infos = {info.name: info for info in self.registers()}
        return [infos[register.name] for register in registers]

    def _versions(
        self, registers: Sequence[Register], actor: str, note: str
    ) -> tuple[list[tuple[Version, bytes]], list[Register], dict[str, Tables]]:
        """The versions loading ``registers`` makes, the registers that differ from the graph's, and their
        records (made once: for a national register, most of the time of a change is making them)."""
        loaded = {
            row["name"]: row["loaded_at"]
            for row in self._read("MATCH (r:Register) RETURN r.name AS name, r.loaded_at AS loaded_at")
        }
        now = datetime.now(UTC).isoformat(timespec="seconds")
        made: list[tuple[Version, bytes]] = []
        fresh: list[Register] = []
        tables: dict[str, Tables] = {}
        for register in registers:
            history = self.versions(register.name)
            if register.name in loaded and not history:  # loaded before icsgraph kept versions
                old = self._previous([register.name])[register.name]
                history = [baseline(old, loaded[register.name])]
                made.append((history[0], pack(canonical(old))))
            tables[register.name] = records(register)
            data = canonical(register, tables[register.name])
            sha = hashlib.sha256(data).hexdigest()
            version = next_version(history, register.name in loaded, register, sha, actor=actor, when=now, note=note)
            if version is not None:
                made.append((version, pack(data)))
                fresh.append(register)
        return made, fresh, tables

    def remove(self, names: Sequence[str], *, validated_at: str | None = None) -> None:
        known = {info.name for info in self.registers()}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise StoreError(f"no register named {', '.join(unknown)}; loaded: {', '.join(sorted(known)) or 'none'}")
        change = Change(self.driver, self.database, self.batch_size, self.after_batch)
        change.claim()
        try:
            still(validated_at, f"neo4j-{change.generation}")
        except BaseException:
            change.release()
            raise
        self._change(change, (), names, {})

    def _change(
        self,
        change: Change,
        registers: Sequence[Register],
        removing: Sequence[str],
        tables: Mapping[str, Tables],
        before_commit: BeforeCommit | None = None,
    ) -> None:
        """Write one change under the lease ``change`` holds: stage it, flip it in, clean up."""
        try:
            prepared = self._prepare(registers, removing, change.generation)
        except BaseException:
            change.release()
            raise
        delta = prepared.changes.counts(prepared.current)
        counts = {key: value + delta[key] for key, value in self.counts().items()}
        incoming = [r for r in prepared.new.values() if r is not None]
        self._stage(change, prepared.changes, incoming, prepared.after, tables)
        self._flip(
            change,
            prepared.changes,
            list(prepared.new),
            counts,
            max(prepared.after.values(), default=0) + 1,
            before_commit=before_commit,
        )

    def _rebuild(self, registers: Sequence[Register], before_commit: BeforeCommit | None = None) -> None:
        """Make the graph the reference data plus ``registers``, replacing everything it held.

        Everything there now is retired: flows and agreements marked in batches, nodes at the flip."""
        change = Change(self.driver, self.database, self.batch_size, self.after_batch)
        change.claim()
        new: dict[str, Register | None] = {register.name: register for register in registers}
        after = {register.name: seq for seq, register in enumerate(registers, start=1)}
        ids = (
            set(self.references) | {i for r in registers for i in definitions(r)},
            {f.flow_id for r in registers for f in r.flows},
            {a.agreement_id for r in registers for a in r.agreements},
        )
        changes = plan(self.reference, self.references, Current(), new, after, ids)
        try:
            changes.retire_nodes = [row["id"] for row in self._read("MATCH (n:Node) RETURN n.id AS id")]
            old = [row["name"] for row in self._read("MATCH (r:Register) RETURN r.name AS name")]
            for element in ("()-[f:FLOW]->()", "(f:Agreement)"):
                change.auto(
                    f"MATCH {element} WHERE f.v IS NULL OR 0 <= f.v <= $generation "
                    "CALL (f) { SET f.v = -$change } IN TRANSACTIONS OF 10000 ROWS",
                    generation=change.generation,
                    change=change.change,
                )
        except BaseException:
            self._undo(change)
            raise
        counts = {
            "organisations": sum(isinstance(w.record, Organisation) for w in changes.create_nodes),
            "systems": sum(isinstance(w.record, System) for w in changes.create_nodes),
            "flows": len(changes.create_flows),
            "agreements": len(changes.create_agreements),
        }
        self._stage(change, changes, registers, after, {})
        self._flip(change, changes, old, counts, len(registers) + 1, rebuilt=True, before_commit=before_commit)

    def _stage(
        self,
        change: Change,
        changes: Plan,
        registers: Sequence[Register],
        after: Mapping[str, int],
        tables: Mapping[str, Tables],
    ) -> None:
        """Write everything the change adds, and mark what it retires: nothing of it is visible yet.

        On failure, undo what was staged: the graph is as it was."""
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        created = {w.record.id for w in changes.create_nodes}
        try:
            nodes = [(w.record, node_props(w)) for w in changes.create_nodes]
            change.batches("organisations", CREATE_ORGANISATIONS, (p for n, p in nodes if isinstance(n, Organisation)))
            change.batches("systems", CREATE_SYSTEMS, (p for n, p in nodes if isinstance(n, System)))
            groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for written in changes.create_flows:
                flow = written.record
                ends = (_label(flow.source, created), _label(flow.destination, created))
                row = {**flow_row(flow), "v": change.change, "registers": list(written.registers)}
                groups.setdefault(ends, []).append(row)
            for ends, rows in sorted(groups.items()):
                change.batches("flows", CREATE_FLOWS[ends], rows)
            change.batches(
                "agreements",
                CREATE_AGREEMENTS,
                (
                    {**agreement_row(w.record), "v": change.change, "registers": list(w.registers)}
                    for w in changes.create_agreements
                ),
            )
            change.batches("retire flows", RETIRE_FLOWS, changes.retire_flows, key="ids")
            change.batches("retire agreements", RETIRE_AGREEMENTS, changes.retire_agreements, key="ids")
            change.batches(
                "registers", CREATE_REGISTERS, (_register_row(r, after, stamp, tables.get(r.name)) for r in registers)
            )
        except BaseException as error:
            self._undo(change)
            refused = too_big(error)
            if refused:
                raise refused from error
            raise

    def _flip(
        self,
        change: Change,
        changes: Plan,
        names: Sequence[str],
        counts: Mapping[str, int],
        next_seq: int,
        *,
        rebuilt: bool = False,
        before_commit: BeforeCommit | None = None,
    ) -> None:
        """Make the staged change the graph, then delete what it retired."""
        try:
            change.flip(
                changes.retire_nodes,
                [
                    {"props": node_props(w), "organisation": isinstance(w.record, Organisation)}
                    for w in changes.update_nodes
                ],
                [ownership(w.record.flow_id, w.registers) for w in changes.update_flows],
                [ownership(w.record.agreement_id, w.registers) for w in changes.update_agreements],
                names,
                json.dumps(dict(counts)),
                next_seq,
                {"reference": fingerprint(self.reference), "layout": LAYOUT} if rebuilt else {},
                before_commit,
            )
        except BaseException as error:
            if not self._flipped(change):
                self._undo(change)
                refused = clashed(error) or too_big(error)
                if refused:
                    raise refused from error
                raise
        # The change is made (the flip's answer may be what was lost): if deleting what it retired fails
        # (the server went away), the retired stay invisible and the next writer deletes them (Change.recover).
        with contextlib.suppress(Neo4jError, ServiceUnavailable, OSError, StoreError):
            change.clean(changes.retire_flows, changes.retire_agreements, sweep=rebuilt)

    def _flipped(self, change: Change) -> bool:
        """Whether the flip committed (its answer may have been lost with the connection)."""
        try:
            return self._generation() == change.change
        except (Neo4jError, ServiceUnavailable, OSError):
            return False

    @staticmethod
    def _undo(change: Change) -> None:
        """Roll a failed change back; if that fails too (the server went away), the next writer will."""
        change.after_batch = None
        with contextlib.suppress(Neo4jError, ServiceUnavailable, OSError, StoreError):
            change.rollback()

    def close(self) -> None:
        self.driver.close()


def _register_row(register: Register, after: Mapping[str, int], stamp: str, tables: Tables | None) -> dict[str, Any]:
    payload = encode(register, RegisterInfo(register.name, register.path, "", {}), tables)
    return {
        "name": register.name,
        "path": register.path,
        "loaded_at": stamp,
        "seq": after[register.name],
        "flows": len(register.flows),
        "counts": json.dumps(register.counts()),
        "payload": gzip.compress(json.dumps(payload).encode(), compresslevel=1),  # level 1: big, speed matters
    }


def _definers(props: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(props.get("registers") or ())


def _label(identifier: str, created: set[str]) -> str:
    return "StagedNode" if identifier in created else "Node"
