"""The Neo4j graph's layout: its schema, and how the model's records become properties.

Organisations and systems are ``(:Node)`` nodes keyed by ``id``, labelled ``:Organisation`` or ``:System``;
flows are ``[:FLOW]`` relationships carrying every register column, their generation ``v``
(``graph.plan.visible``) and their definers ``registers``; agreements are ``(:Agreement)`` nodes, likewise
versioned. A node a register defines keeps that definer's own row (``defined_as``), so that removing the
register can lay the next definer's row, or none, over the reference facts again. ``LAYOUT`` numbers
this: a database written in another layout is rebuilt from the registers it holds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from neo4j.exceptions import Neo4jError

from graph import neo4j_history
from graph.codec import from_record, to_record
from graph.model import Agreement, Flow, Node, Organisation, ReferenceData, System
from graph.plan import FLOW_AGREEMENTS_INDEX, FLOW_ROLES_INDEX, Written
from graph.store import StoreError

LAYOUT = 2  # 1: one transaction rewrote everything; 2: per-register changes, versioned by generation

SCHEMA = (
    "CREATE CONSTRAINT node_id IF NOT EXISTS FOR (n:Node) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX staged_node_id IF NOT EXISTS FOR (n:StagedNode) ON (n.id)",
    # Two versions of an agreement coexist while a change is staged, so its id is indexed, not unique.
    "DROP CONSTRAINT agreement_id IF EXISTS",
    "CREATE INDEX agreement_key IF NOT EXISTS FOR (a:Agreement) ON (a.id)",
    "CREATE CONSTRAINT register_name IF NOT EXISTS FOR (r:Register) REQUIRE r.name IS UNIQUE",
    "CREATE INDEX organisation_type IF NOT EXISTS FOR (n:Organisation) ON (n.org_type)",
    "CREATE INDEX organisation_icb IF NOT EXISTS FOR (n:Organisation) ON (n.icb)",
    "CREATE INDEX system_type IF NOT EXISTS FOR (n:System) ON (n.system_type)",
    # icb-coverage reads each ICB's platforms: a seek, not a scan of every system per ICB and category.
    "CREATE INDEX system_icb IF NOT EXISTS FOR (n:System) ON (n.icb)",
    "CREATE INDEX flow_id IF NOT EXISTS FOR ()-[f:FLOW]-() ON (f.flow_id)",
    # agreement-expiry finds the flows listing an ending agreement by its id; the keyword analyzer keeps
    # each id one exact term (a list of strings is indexed element by element).
    f"CREATE FULLTEXT INDEX {FLOW_AGREEMENTS_INDEX} IF NOT EXISTS FOR ()-[f:FLOW]-() ON EACH [f.agreements] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'keyword'}}",
    # role-holders finds the flows naming a body that is not a legal entity in a role, likewise.
    f"CREATE FULLTEXT INDEX {FLOW_ROLES_INDEX} IF NOT EXISTS FOR ()-[f:FLOW]-() "
    "ON EACH [f.controllers, f.processors, f.sub_processors, f.recipient_controller] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'keyword'}}",
    # A store opened on a graph written before these indexes existed waits for them to be filled, once.
    f"CALL db.awaitIndex('{FLOW_AGREEMENTS_INDEX}', 600)",
    f"CALL db.awaitIndex('{FLOW_ROLES_INDEX}', 600)",
    *neo4j_history.SCHEMA,
)


def node_row(node: Node) -> dict[str, Any]:
    row = to_record(node)
    row["id"] = node.id
    if isinstance(node, Organisation):
        row["is_legal_entity"] = node.is_legal_entity
    return row


def flow_row(flow: Flow, record: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A flow's properties (from its ``to_record``, when already made); empty lists are left out like
    empty cells (a missing property reads as null), which keeps the transaction state a third smaller."""
    return {key: value for key, value in (record or to_record(flow)).items() if value != []}


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


def row_json(row: Node) -> str:
    return json.dumps({"organisation": isinstance(row, Organisation), **to_record(row)}, separators=(",", ":"))


def row_of(text: str | None) -> Node | None:
    if not text:
        return None
    record = json.loads(text)
    if record.pop("organisation"):
        return from_record(Organisation, record)
    return from_record(System, record)


def ownership(identifier: str, registers: tuple[str, ...]) -> dict[str, Any]:
    return {"id": identifier, "registers": list(registers), "source_register": registers[0]}


def node_props(written: Written[Node]) -> dict[str, Any]:
    """A node's properties: its record, its definers and its first definer's own row."""
    props = node_row(written.record)
    if written.registers:
        props["registers"] = list(written.registers)
    if written.row is not None:
        props["defined_as"] = row_json(written.row)
    return props


def too_big(error: BaseException) -> StoreError | None:
    """Neo4j's refusal of a write larger than its transaction memory, said with the fix; else None.

    >>> from neo4j.exceptions import TransientError
    >>> refusal = TransientError._hydrate_neo4j(
    ...     code="Neo.TransientError.General.MemoryPoolOutOfMemoryError", message="limit 2.8 GiB reached"
    ... )
    >>> print(too_big(refusal))  # doctest: +ELLIPSIS
    Neo4j refused the load: ... (limit 2.8 GiB reached). Nothing was changed. ... NEO4J_HEAP=8g ...
    >>> too_big(ValueError("other")) is None
    True
    """
    if not isinstance(error, Neo4jError) or not (error.code or "").endswith("MemoryPoolOutOfMemoryError"):
        return None
    return StoreError(
        f"Neo4j refused the load: a batch of the change needs more memory than the server allows "
        f"({error.message}). Nothing was changed. Give Neo4j a larger heap (for the project's own server: "
        f"NEO4J_HEAP=8g make neo4j-up, after make neo4j-down) or raise dbms.memory.transaction.total.max"
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
