"""Writing one planned change to Neo4j: bounded batches, invisible until one small last transaction.

A change runs in four steps, each batch its own transaction, so the server's memory holds one batch,
never the whole change:

1. **claim**: the writer takes the graph's lease (``writer`` on the ``(:Meta)`` node, renewed by every
   batch; one writer at a time, a lease left by a crashed writer lapses after ``LEASE_MS``) and, if the
   last writer crashed, clears what it left (``recover``).
2. **stage**: new nodes are written as ``:StagedNode`` (no ``:Node`` label, so no query matches them);
   new flows and agreements with ``v`` = the change's generation, which readers of the current one do
   not see (``graph.plan.visible``); flows and agreements to retire get ``v`` = minus it, which
   readers still see.
3. **flip**: one transaction relabels the staged nodes, updates nodes in place, swaps the register
   records and moves ``(:Meta).generation``: from then on readers see the new graph, whole.
4. **clean**: the retired flows, agreements and nodes are deleted, in batches.

A failure before the flip (an error, a lost lease) deletes what was staged and unmarks what was to be
retired; a crash leaves ``(:Meta).pending`` set, and the next writer cleans up before it starts.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from neo4j import Driver, ManagedTransaction

from graph.store import CypherRunner, StoreError

LEASE_MS = 60_000
WAIT_SECONDS = 60.0

CLAIM = """
MERGE (m:Meta {key: 'graph'})
WITH m, (m.writer IS NULL OR m.writer_at < timestamp() - $lease) AS free
SET m.writer = CASE WHEN free THEN $token ELSE m.writer END,
    m.writer_at = CASE WHEN free THEN timestamp() ELSE m.writer_at END
RETURN free, coalesce(m.generation, 0) AS generation, m.pending AS pending,
       (timestamp() - m.writer_at) / 1000 AS held_for
"""
RENEW = "MATCH (m:Meta {key: 'graph'}) WHERE m.writer = $token SET m.writer_at = timestamp() RETURN count(m) AS ours"
MARK_PENDING = "MATCH (m:Meta {key: 'graph'}) WHERE m.writer = $token SET m.pending = $change RETURN count(m) AS ours"
RELEASE = "MATCH (m:Meta {key: 'graph'}) WHERE m.writer = $token SET m.writer = null, m.pending = null"

CREATE_ORGANISATIONS = "UNWIND $rows AS row CREATE (n:StagedNode:StagedOrganisation) SET n = row"
CREATE_SYSTEMS = "UNWIND $rows AS row CREATE (n:StagedNode:StagedSystem) SET n = row"
# A flow's ends are nodes of the graph or nodes this change stages; the writer knows which.
CREATE_FLOWS = {
    (a, b): f"""
UNWIND $rows AS row
MATCH (a:{a} {{id: row.source}}), (b:{b} {{id: row.destination}})
CREATE (a)-[f:FLOW]->(b) SET f = row
"""
    for a in ("Node", "StagedNode")
    for b in ("Node", "StagedNode")
}
CREATE_AGREEMENTS = "UNWIND $rows AS row CREATE (a:Agreement) SET a = row"
CREATE_REGISTERS = "UNWIND $rows AS row CREATE (r:StagedRegister) SET r = row"
RETIRE_FLOWS = """
UNWIND $ids AS id
MATCH ()-[f:FLOW {flow_id: id}]->() WHERE 0 <= f.v <= $generation
SET f.v = -$change
"""
RETIRE_AGREEMENTS = """
UNWIND $ids AS id
MATCH (a:Agreement {id: id}) WHERE 0 <= a.v <= $generation
SET a.v = -$change
"""

FLIP = (
    "MATCH (n:StagedOrganisation) REMOVE n:StagedOrganisation:StagedNode SET n:Node:Organisation",
    "MATCH (n:StagedSystem) REMOVE n:StagedSystem:StagedNode SET n:Node:System",
)
RETIRE_NODES = "UNWIND $ids AS id MATCH (n:Node {id: id}) REMOVE n:Node:Organisation:System SET n:Retired"
# A node keeps its element (other registers' flows hang on it); an organisation may become a system.
UPDATE_NODES = """
UNWIND $rows AS row
MATCH (n:Node {id: row.props.id})
SET n = row.props
REMOVE n:Organisation:System
SET n:$(CASE WHEN row.organisation THEN 'Organisation' ELSE 'System' END)
"""
UPDATE_FLOWS = """
UNWIND $rows AS row
MATCH ()-[f:FLOW {flow_id: row.id}]->() WHERE 0 <= f.v <= $generation
SET f.registers = row.registers, f.source_register = row.source_register
"""
UPDATE_AGREEMENTS = """
UNWIND $rows AS row
MATCH (a:Agreement {id: row.id}) WHERE 0 <= a.v <= $generation
SET a.registers = row.registers, a.source_register = row.source_register
"""
SWAP_REGISTERS = (
    "MATCH (r:Register) WHERE r.name IN $names DELETE r",
    "MATCH (r:StagedRegister) REMOVE r:StagedRegister SET r:Register",
)
MOVE = """
MATCH (m:Meta {key: 'graph'}) WHERE m.writer = $token
SET m.generation = $change, m.counts = $counts, m.next_seq = $next_seq, m += $settings
RETURN count(m) AS ours
"""

DELETE_FLOWS = "UNWIND $ids AS id MATCH ()-[f:FLOW {flow_id: id}]->() WHERE f.v = -$change DELETE f"
DELETE_AGREEMENTS = "UNWIND $ids AS id MATCH (a:Agreement {id: id}) WHERE a.v = -$change DELETE a"
DELETE_LABELLED = "MATCH (n:{label}) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted"
# After a crash only: the ids are lost with the writer, so every flow is looked at.
RECOVER = {
    "staged flows": "MATCH ()-[f:FLOW]->() WHERE f.v = $change CALL (f) { DELETE f } IN TRANSACTIONS OF 10000 ROWS",
    "retired flows": (
        "MATCH ()-[f:FLOW]->() WHERE f.v = -$change "
        "CALL (f) { FOREACH (_ IN CASE WHEN $flipped THEN [1] ELSE [] END | DELETE f) "
        "FOREACH (_ IN CASE WHEN $flipped THEN [] ELSE [1] END | SET f.v = 0) } IN TRANSACTIONS OF 10000 ROWS"
    ),
    "staged agreements": "MATCH (a:Agreement) WHERE a.v = $change CALL (a) { DELETE a } IN TRANSACTIONS OF 10000 ROWS",
    "retired agreements": (
        "MATCH (a:Agreement) WHERE a.v = -$change "
        "CALL (a) { FOREACH (_ IN CASE WHEN $flipped THEN [1] ELSE [] END | DELETE a) "
        "FOREACH (_ IN CASE WHEN $flipped THEN [] ELSE [1] END | SET a.v = 0) } IN TRANSACTIONS OF 10000 ROWS"
    ),
}
LEFTOVER_LABELS = ("StagedNode", "StagedRegister", "Retired")

AfterBatch = Callable[[str, int], None]


class Change:
    """One change in flight: the lease it holds and the generation it writes at."""

    def __init__(
        self, driver: Driver, database: str | None, batch_size: int, after_batch: AfterBatch | None = None
    ) -> None:
        self.driver = driver
        self.database = database
        self.batch_size = batch_size
        self.after_batch = after_batch
        self.token = uuid.uuid4().hex
        self.generation = 0  # the one readers see until the flip
        self.change = 0  # the one this change writes

    def _write(self, cypher: str, /, **params: Any) -> list[dict[str, Any]]:
        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [dict(record) for record in tx.run(cypher, params)]

        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def auto(self, cypher: str, /, **params: Any) -> None:
        """A statement that commits as it goes (CALL ... IN TRANSACTIONS)."""
        with self.driver.session(database=self.database) as session:
            session.run(cypher, params).consume()

    def claim(self) -> None:
        """Take the lease, waiting up to WAIT_SECONDS for another writer; clear up after a crashed one."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            [row] = self._write(CLAIM, token=self.token, lease=LEASE_MS)
            if row["free"]:
                break
            if time.monotonic() > deadline:
                raise StoreError(
                    f"another change is being written to this Neo4j (for {row['held_for']} s now); "
                    "try again when it has finished"
                )
            time.sleep(0.5)
        self.generation = int(row["generation"])
        if row["pending"] is not None:
            pending = int(row["pending"])
            self.recover(pending, flipped=pending <= self.generation)
        self.change = self.generation + 1
        self._owned(self._write(MARK_PENDING, token=self.token, change=self.change))

    def _owned(self, rows: list[dict[str, Any]]) -> None:
        if not rows or not rows[0]["ours"]:
            raise StoreError(
                "this change lost its hold on the graph (it was idle longer than the lease, and another "
                "writer took over); nothing of it was applied: load again"
            )

    def recover(self, pending: int, flipped: bool) -> None:
        """Undo a change that did not flip (its writer died, or it failed), or finish cleaning one that did."""
        for statement in RECOVER.values():
            self.auto(statement, change=pending, flipped=flipped)
        for label in LEFTOVER_LABELS:
            self._delete_labelled(label)

    def batches(self, label: str, cypher: str, rows: Iterable[Any], key: str = "rows", **params: Any) -> None:
        """Write ``rows`` in transactions of ``batch_size``, each renewing the lease."""
        batch: list[Any] = []
        sent = 0

        def send() -> None:
            nonlocal sent

            def work(tx: ManagedTransaction) -> None:
                self._owned([dict(r) for r in tx.run(RENEW, token=self.token)])
                tx.run(cypher, {key: batch, "change": self.change, "generation": self.generation, **params}).consume()

            with self.driver.session(database=self.database) as session:
                session.execute_write(work)
            sent += len(batch)
            if self.after_batch:
                self.after_batch(label, sent)

        for row in rows:
            batch.append(row)
            if len(batch) == self.batch_size:
                send()
                batch = []
        if batch:
            send()

    def flip(
        self,
        retire_nodes: Sequence[str],
        update_nodes: Sequence[dict[str, Any]],
        update_flows: Sequence[dict[str, Any]],
        update_agreements: Sequence[dict[str, Any]],
        registers: Sequence[str],
        counts: str,
        next_seq: int,
        settings: Mapping[str, Any],
        before_commit: Callable[[CypherRunner], None] | None = None,
    ) -> None:
        """The one transaction that makes the staged change the graph; ``before_commit`` writes what
        belongs with it (the register versions the change makes) in that same transaction."""

        def work(tx: ManagedTransaction) -> None:
            params: dict[str, Any] = {"generation": self.generation, "change": self.change, "token": self.token}
            tx.run(RETIRE_NODES, ids=list(retire_nodes)).consume()
            for statement in FLIP:
                tx.run(statement).consume()
            tx.run(UPDATE_NODES, rows=list(update_nodes)).consume()
            tx.run(UPDATE_FLOWS, rows=list(update_flows), **params).consume()
            tx.run(UPDATE_AGREEMENTS, rows=list(update_agreements), **params).consume()
            for statement in SWAP_REGISTERS:
                tx.run(statement, names=list(registers)).consume()
            moved = tx.run(MOVE, counts=counts, next_seq=next_seq, settings=dict(settings), **params)
            self._owned([dict(r) for r in moved])
            if before_commit is not None:

                def in_transaction(cypher: str, /, **values: Any) -> list[dict[str, Any]]:
                    return [dict(record) for record in tx.run(cypher, values)]

                before_commit(in_transaction)

        with self.driver.session(database=self.database) as session:
            session.execute_write(work)

    def clean(self, flows: Sequence[str], agreements: Sequence[str], *, sweep: bool = False) -> None:
        """Delete what the flipped change retired, then give up the lease. ``sweep``: the retired are
        not listed (a rebuild retires everything), so every flow is looked at."""
        if sweep:
            self.recover(self.change, flipped=True)
        else:
            self.batches("clean flows", DELETE_FLOWS, flows, key="ids")
            self.batches("clean agreements", DELETE_AGREEMENTS, agreements, key="ids")
            self._delete_labelled("Retired")
        self._write(RELEASE, token=self.token)

    def rollback(self) -> None:
        """Delete what was staged and unmark what was to be retired: the graph is as it was.

        Every flow is looked at (the failure path may be slow; it must leave nothing behind, or a
        later change writing at the same generation would take the leftovers for its own)."""
        self.recover(self.change, flipped=False)
        self.release()

    def release(self) -> None:
        self._write(RELEASE, token=self.token)

    def _delete_labelled(self, label: str) -> None:
        statement = DELETE_LABELLED.format(label=label)
        while self._write(statement, batch=self.batch_size)[0]["deleted"]:
            pass
