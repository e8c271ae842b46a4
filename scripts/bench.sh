#!/usr/bin/env bash
# The benchmark: starts the project's Neo4j unless NEO4J_URI is set, runs bench/run.py, stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${NEO4J_URI:-}" ]; then
  uri_line=$(bash scripts/neo4j.sh up | tail -n 1)
  export "${uri_line?}"
  trap 'bash scripts/neo4j.sh down' EXIT
fi
.venv/bin/python bench/run.py
