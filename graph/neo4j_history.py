"""Register versions in Neo4j: one ``(:RegisterVersion)`` node per version, so a team's Neo4j holds its own
history.

``(:RegisterVersion {name, version, sha256, created_at, actor, source, counts, note, content})``, where
``content`` is the gzipped canonical register (``graph.history.pack``) and ``counts`` JSON. They are
written in the same transaction as the load that makes them (``Neo4jStore.replace`` passes the
transaction's runner), so a version exists exactly when its load committed; a uniqueness constraint on
(name, version) refuses a second writer that numbered the same version at the same moment. Only the
version in the graph is in the ``(:Node)``/``[:FLOW]`` graph; the rest are these nodes alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from graph.history import Version
from graph.store import CypherRunner

SCHEMA = (
    "CREATE CONSTRAINT register_version IF NOT EXISTS FOR (v:RegisterVersion) REQUIRE (v.name, v.version) IS UNIQUE",
)
FIELDS = "v.name AS name, v.version AS version, v.sha256 AS sha256, v.created_at AS created_at, " + (
    "v.actor AS actor, v.source AS source, v.counts AS counts, v.note AS note"
)
WRITE = """
UNWIND $rows AS row
CREATE (v:RegisterVersion) SET v = row
"""


def _version(row: dict[str, Any]) -> Version:
    return Version.from_dict({**row, "counts": json.loads(row["counts"] or "{}")})


def read_versions(read: CypherRunner, name: str | None = None) -> list[Version]:
    """Every version of the register so named (of every register for None), oldest first."""
    rows = read(
        f"MATCH (v:RegisterVersion) WHERE $name IS NULL OR v.name = $name RETURN {FIELDS} ORDER BY name, version",
        name=name,
    )
    return [_version(row) for row in rows]


def read_content(read: CypherRunner, name: str, version: int) -> bytes | None:
    """The packed register of that version, or None when there is no such version."""
    rows = read(
        "MATCH (v:RegisterVersion {name: $name, version: $version}) RETURN v.content AS content",
        name=name,
        version=version,
    )
    return bytes(rows[0]["content"]) if rows else None


def current_versions(read: CypherRunner) -> dict[str, int]:
    """The highest version of every register that has one: the version in the graph, for a loaded one."""
    rows = read("MATCH (v:RegisterVersion) RETURN v.name AS name, max(v.version) AS version")
    return {row["name"]: int(row["version"]) for row in rows}


def write_versions(run: CypherRunner, made: Sequence[tuple[Version, bytes]]) -> None:
    """Create the version nodes, inside the caller's transaction."""
    rows = [
        {**version.as_dict(), "counts": json.dumps(dict(version.counts), sort_keys=True), "content": content}
        for version, content in made
    ]
    if rows:
        run(WRITE, rows=rows)


def forget_all(run: CypherRunner) -> None:
    """Delete every version (``Neo4jStore.reset``: a store emptied for a test starts without history)."""
    run("MATCH (v:RegisterVersion) DELETE v")
