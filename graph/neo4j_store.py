"""The Neo4j store: the same interface as the embedded store, on a real Neo4j 5.

Layout: ``(:Node:Organisation)`` and ``(:Node:System)`` keyed by ``id``; each flow a
``(:Node)-[:FLOW]->(:Node)`` relationship carrying every register column; ``(:Agreement)`` nodes;
``(:Register)`` nodes holding each register as loaded (gzipped JSON) so it can be re-validated and
re-applied; one ``(:Meta)`` node with the graph's generation and the reference data's fingerprint.

Every write is one explicit transaction of batched ``UNWIND $rows`` statements: a load either
replaces the registers whole or, on any failure, rolls back and leaves the graph exactly as it was.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from neo4j import Driver, GraphDatabase, ManagedTransaction, NotificationMinimumSeverity, Transaction
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from graph import neo4j_history
from graph.codec import to_record
from graph.history import Version, baseline, canonical, next_version, pack, unpack
from graph.merge import merge
from graph.model import REFERENCE, Agreement, Flow, Node, Organisation, ReferenceData, Register
from graph.state import decode, encode
from graph.store import CypherRunner, Query, RegisterInfo, Row, StoreError

BATCH = 5_000

SCHEMA = (
    "CREATE CONSTRAINT node_id IF NOT EXISTS FOR (n:Node) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT agreement_id IF NOT EXISTS FOR (a:Agreement) REQUIRE a.id IS UNIQUE",
    "CREATE CONSTRAINT register_name IF NOT EXISTS FOR (r:Register) REQUIRE r.name IS UNIQUE",
    "CREATE INDEX organisation_type IF NOT EXISTS FOR (n:Organisation) ON (n.org_type)",
    "CREATE INDEX organisation_icb IF NOT EXISTS FOR (n:Organisation) ON (n.icb)",
    "CREATE INDEX system_type IF NOT EXISTS FOR (n:System) ON (n.system_type)",
    "CREATE INDEX flow_id IF NOT EXISTS FOR ()-[f:FLOW]-() ON (f.flow_id)",
    *neo4j_history.SCHEMA,
)

CREATE_ORGANISATIONS = """
UNWIND $rows AS row
CREATE (n:Node:Organisation) SET n = row
"""
CREATE_SYSTEMS = """
UNWIND $rows AS row
CREATE (n:Node:System) SET n = row
"""
WRITE_FLOWS = """
UNWIND $rows AS row
MATCH (a:Node {id: row.source}), (b:Node {id: row.destination})
CREATE (a)-[f:FLOW]->(b) SET f = row
"""
WRITE_AGREEMENTS = """
UNWIND $rows AS row
CREATE (a:Agreement) SET a = row
"""
WRITE_REGISTERS = """
UNWIND $rows AS row
CREATE (r:Register) SET r = row
"""


def node_row(node: Node) -> dict[str, Any]:
    row = to_record(node)
    row["id"] = node.id
    if isinstance(node, Organisation):
        row["is_legal_entity"] = node.is_legal_entity
    return row


def flow_row(flow: Flow) -> dict[str, Any]:
    """A flow's properties; empty lists are left out like empty cells (a missing property reads as null),
    which keeps the transaction state of a national load a third smaller."""
    return {key: value for key, value in to_record(flow).items() if value != []}


def agreement_row(agreement: Agreement) -> dict[str, Any]:
    """An agreement's properties and its ``id``; an empty ``covers`` is left out, as a flow's lists are."""
    row = {key: value for key, value in to_record(agreement).items() if value != []}
    row["id"] = agreement.agreement_id
    return row


def fingerprint(reference: ReferenceData) -> str:
    digest = hashlib.sha256()
    for organisation in reference.organisations:
        digest.update(json.dumps(to_record(organisation), sort_keys=True).encode())
    for code in sorted(reference.dspt):  # a newer DSPT file changes the nodes' properties
        digest.update(json.dumps([code, to_record(reference.dspt[code])]).encode())
    return digest.hexdigest()[:16]


class Neo4jStore:
    kind = "neo4j"

    def __init__(self, driver: Driver, reference: ReferenceData, database: str | None = None) -> None:
        self.driver = driver
        self.reference = reference
        self.database = database
        # Called after each batch is sent; tests use it to interrupt a load midway.
        self.after_batch: Callable[[str, int], None] | None = None
        self.batch_size = BATCH
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

    def loaded(self) -> dict[str, Register]:
        rows = self._read("MATCH (r:Register) RETURN r.payload AS payload ORDER BY r.name")
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
        row = self._read(
            "CALL () { MATCH (o:Organisation) RETURN count(o) AS organisations } "
            "CALL () { MATCH (s:System) RETURN count(s) AS systems } "
            "CALL () { MATCH ()-[f:FLOW]->() RETURN count(f) AS flows } "
            "CALL () { MATCH (a:Agreement) RETURN count(a) AS agreements } "
            "RETURN organisations, systems, flows, agreements"
        )[0]
        return {key: int(row[key]) for key in ("organisations", "systems", "flows", "agreements")}

    def version(self) -> str:
        rows = self._read("MATCH (m:Meta {key: 'graph'}) RETURN m.generation AS generation")
        return f"neo4j-{rows[0]['generation'] if rows else 0}"

    def run(self, query: Query, params: Mapping[str, Any]) -> list[Row]:
        return query.on_cypher(self._read, params)

    # --- writing -----------------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        with self.driver.session(database=self.database) as session:
            for statement in SCHEMA:
                session.run(statement).consume()

    def _ensure_reference(self) -> None:
        expected = fingerprint(self.reference)
        rows = self._read("MATCH (m:Meta {key: 'graph'}) RETURN m.reference AS reference")
        if not rows or rows[0]["reference"] != expected:
            self._rewrite(self.loaded() if rows else {}, with_reference=True)

    def reset(self) -> None:
        """Drop every register and its versions, and rewrite the reference data (for tests)."""
        self._rewrite({}, with_reference=True, before_commit=neo4j_history.forget_all)

    def replace(self, registers: Sequence[Register], *, actor: str = "", note: str = "") -> list[RegisterInfo]:
        loaded = self.loaded()
        infos = {info.name: info for info in self.registers()}
        now = datetime.now(UTC).isoformat(timespec="seconds")
        made: list[tuple[Version, bytes]] = []
        fresh: set[str] = set()
        for register in registers:
            history = self.versions(register.name)
            if register.name in loaded and not history:  # loaded before icsgraph kept versions
                old = loaded[register.name]
                history = [baseline(old, infos[register.name].loaded_at)]
                made.append((history[0], pack(canonical(old))))
            data = canonical(register)
            sha = hashlib.sha256(data).hexdigest()
            version = next_version(history, register.name in loaded, register, sha, actor=actor, when=now, note=note)
            if version is not None:
                made.append((version, pack(data)))
                loaded[register.name] = register
                fresh.add(register.name)
        if made:
            self._rewrite(
                loaded,
                stamps={name: now for name in fresh},
                before_commit=lambda run: neo4j_history.write_versions(run, made),
            )
        infos = {info.name: info for info in self.registers()}
        return [infos[register.name] for register in registers]

    def remove(self, names: Sequence[str]) -> None:
        loaded = self.loaded()
        unknown = [name for name in names if name not in loaded]
        if unknown:
            raise StoreError(f"no register named {', '.join(unknown)}; loaded: {', '.join(loaded) or 'none'}")
        self._rewrite({name: r for name, r in loaded.items() if name not in names})

    def _batches(self, tx: Transaction, label: str, cypher: str, rows: Iterable[dict[str, Any]]) -> None:
        batch: list[dict[str, Any]] = []
        sent = 0
        for row in rows:
            batch.append(row)
            if len(batch) == self.batch_size:
                tx.run(cypher, rows=batch).consume()
                sent += len(batch)
                batch = []
                if self.after_batch:
                    self.after_batch(label, sent)
        if batch:
            tx.run(cypher, rows=batch).consume()
            if self.after_batch:
                self.after_batch(label, sent + len(batch))

    def _rewrite(
        self,
        registers: Mapping[str, Register],
        *,
        with_reference: bool = False,
        stamps: Mapping[str, str] | None = None,
        before_commit: Callable[[CypherRunner], None] | None = None,
    ) -> None:
        """Make the graph the reference data plus ``registers``, in one transaction; ``before_commit``
        writes what belongs with it (the versions a load makes) in the same transaction."""
        previous = {info.name: info.loaded_at for info in self.registers()} if not with_reference else {}
        stamps = {**previous, **(stamps or {})}
        now = datetime.now(UTC).isoformat(timespec="seconds")
        contents = merge(self.reference, registers.values())
        reference_ids = {o.org_id for o in self.reference.organisations}
        with self.driver.session(database=self.database) as session:
            tx = session.begin_transaction()
            try:
                tx.run("MATCH ()-[f:FLOW]->() DELETE f").consume()
                tx.run("MATCH (n) WHERE n:Agreement OR n:Register DELETE n").consume()
                if with_reference:
                    tx.run("MATCH (n:Node) DETACH DELETE n").consume()
                    gone = {o.org_id for o in self.reference.organisations}
                else:
                    # A register's own nodes, and reference nodes a register overrides now, are rewritten.
                    overridden = [i for i, n in contents.nodes.items() if n.source != REFERENCE and i in reference_ids]
                    gone = {
                        row["id"]
                        for row in tx.run(
                            "MATCH (n:Node) WHERE n.source <> $reference OR n.id IN $overridden "
                            "WITH n, n.id AS id DETACH DELETE n RETURN id",
                            reference=REFERENCE,
                            overridden=overridden,
                        )
                    }
                # Every node written below is absent now (wiped, or a register's node just deleted), so
                # CREATE is safe; MERGE would be ten times slower, each look-up checking the deletions
                # pending in this transaction.
                nodes = [node for node in contents.nodes.values() if node.source != REFERENCE or node.id in gone]
                self._batches(
                    tx,
                    "organisations",
                    CREATE_ORGANISATIONS,
                    (node_row(n) for n in nodes if isinstance(n, Organisation)),
                )
                self._batches(
                    tx, "systems", CREATE_SYSTEMS, (node_row(n) for n in nodes if not isinstance(n, Organisation))
                )
                self._batches(tx, "flows", WRITE_FLOWS, (flow_row(f) for f in contents.flows.values()))
                self._batches(
                    tx,
                    "agreements",
                    WRITE_AGREEMENTS,
                    (agreement_row(a) for a in contents.agreements.values()),
                )
                self._batches(
                    tx,
                    "registers",
                    WRITE_REGISTERS,
                    (
                        {
                            "name": register.name,
                            "path": register.path,
                            "loaded_at": stamps.get(register.name, now),
                            "counts": json.dumps(register.counts()),
                            "payload": gzip.compress(  # level 1: the payload is big, and speed matters more
                                json.dumps(
                                    encode(register, RegisterInfo(register.name, register.path, "", {}))
                                ).encode(),
                                compresslevel=1,
                            ),
                        }
                        for register in registers.values()
                    ),
                )
                tx.run(
                    "MERGE (m:Meta {key: 'graph'}) SET m.generation = coalesce(m.generation, 0) + 1, "
                    "m.reference = $reference",
                    reference=fingerprint(self.reference),
                ).consume()
                if before_commit is not None:

                    def in_transaction(cypher: str, /, **params: Any) -> list[dict[str, Any]]:
                        return [dict(record) for record in tx.run(cypher, params)]

                    before_commit(in_transaction)
                tx.commit()
            except BaseException as error:
                if not tx.closed():  # a failed commit has closed it, and rolled it back on the server
                    tx.rollback()
                refused = too_big(error) or clashed(error)
                if refused:
                    raise refused from error
                raise
            finally:
                tx.close()

    def close(self) -> None:
        self.driver.close()


def too_big(error: BaseException) -> StoreError | None:
    """Neo4j's refusal of a load larger than its transaction memory, said with the fix; else None.

    >>> from neo4j.exceptions import TransientError
    >>> refusal = TransientError._hydrate_neo4j(
    ...     code="Neo.TransientError.General.MemoryPoolOutOfMemoryError", message="limit 2.8 GiB reached"
    ... )
    >>> print(too_big(refusal))  # doctest: +ELLIPSIS
    Neo4j refused the load: ... (limit 2.8 GiB reached). Nothing was changed. ... NEO4J_JAVA_OPTS=-Xmx8g ...
    >>> too_big(ValueError("other")) is None
    True
    """
    if not isinstance(error, Neo4jError) or not (error.code or "").endswith("MemoryPoolOutOfMemoryError"):
        return None
    return StoreError(
        f"Neo4j refused the load: one load is one transaction, and this one needs more memory than the server "
        f"allows ({error.message}). Nothing was changed. Give Neo4j a larger heap (for the project's own server: "
        f"NEO4J_JAVA_OPTS=-Xmx8g make neo4j-up, after make neo4j-down) or raise dbms.memory.transaction.total.max"
    )


def clashed(error: BaseException) -> StoreError | None:
    """Another writer made the same version number of a register at the same moment; else None.

    >>> from neo4j.exceptions import ConstraintError
    >>> clash = ConstraintError._hydrate_neo4j(
    ...     code="Neo.ClientError.Schema.ConstraintValidationFailed",
    ...     message="Node(249) already exists with label `RegisterVersion` and properties `name` = 'x', `version` = 2",
    ... )
    >>> print(clashed(clash))  # doctest: +ELLIPSIS
    another process loaded a version of the same register at the same moment; nothing was changed...
    >>> clashed(ValueError("other")) is None
    True
    """
    if not isinstance(error, Neo4jError) or not (error.code or "").endswith("ConstraintValidationFailed"):
        return None
    if "RegisterVersion" not in (error.message or ""):
        return None
    return StoreError(
        "another process loaded a version of the same register at the same moment; nothing was changed by "
        "this load: load it again"
    )
