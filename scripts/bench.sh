#!/usr/bin/env bash
# The benchmark: starts a Neo4j of its own unless NEO4J_URI is set, runs bench/run.py, stops it.
# Its own instance ("bench"), so a test server left running is not reused; and a larger heap,
# because a load is one transaction and the x10 register (444k flows) needs more than the
# test server's 4 GiB. Override with NEO4J_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEO4J_INSTANCE=bench
export NEO4J_JAVA_OPTS="${NEO4J_JAVA_OPTS:--Xmx10g}"
if [ -z "${NEO4J_URI:-}" ]; then
  bash scripts/neo4j.sh down >/dev/null 2>&1 || true  # a fresh server, so its peak memory is this run's
  uri_line=$(bash scripts/neo4j.sh up | tail -n 1)
  export "${uri_line?}"
  trap 'bash scripts/neo4j.sh down' EXIT
fi
.venv/bin/python bench/run.py
