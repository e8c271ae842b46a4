#!/usr/bin/env bash
# The whole test suite: lint, types, then pytest on both stores against a real Neo4j.
# Uses $NEO4J_URI when set; otherwise starts the project's own Neo4j and stops it afterwards.
# CI must fail, not skip, when Neo4j does not come up: CI=true makes the Neo4j tests fail without it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== ruff"
$BIN/ruff check .
$BIN/ruff format --check .
echo "== mypy"
$BIN/mypy

started=""
if [ -z "${NEO4J_URI:-}" ]; then
  echo "== starting the project's Neo4j (make neo4j-up)"
  uri_line=$(bash scripts/neo4j.sh up | tail -n 1)
  export "${uri_line?}"
  started=yes
  trap 'bash scripts/neo4j.sh down' EXIT
fi
echo "== pytest against $NEO4J_URI"
export CI="${CI:-true}"
$BIN/pytest "$@"
