# The few commands a developer types. CI calls `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup run serve test test-quick browser bench docs lint typecheck check neo4j-up neo4j-down clean

## setup: create .venv and install icsgraph with its development tools
setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## run: set up, then serve the API and views on the embedded store with the bundled demo data
run: setup
	$(BIN)/icsgraph serve --demo --host $(HOST) --port $(PORT)

## test: set up, start a local Neo4j (unless NEO4J_URI is set), run the whole suite, stop Neo4j (what CI runs)
test: setup browser
	bash scripts/test.sh

## test-quick: the edit-test loop: ruff, then pytest on the embedded store only
##   (tests/spec, unit, cli, api and the doctests; no Neo4j, no browser, no generative or slow tests)
test-quick: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -m "not neo4j and not slow" tests/spec tests/unit tests/cli tests/api app graph loaders queries

## browser: Debian's Chromium for the browser tests, installed with apt-get when /usr/bin/chromium is missing
browser:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## bench: the benchmark suite (synthetic England at x1 and x10, both stores, DuckDB and networkx peers, the API);
##   prints a table, each target met or missed. BENCH_SCALES=1: national only; NEO4J_HEAP: the server heap (4g)
bench: setup
	bash scripts/bench.sh

## docs: regenerate docs/queries.md from the query catalogue and the generated parts of docs/register.md
docs: setup
	$(BIN)/python scripts/gen_docs.py

## lint / typecheck / check: ruff (lint and format), mypy strict, or both
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

check: lint typecheck

## neo4j-up / neo4j-down: the project's own in-process Neo4j Community 5.26 on a free loopback port
neo4j-up:
	bash scripts/neo4j.sh up

neo4j-down:
	bash scripts/neo4j.sh down

## help: list these targets
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

## clean: remove .venv, the project's Neo4j and build files
clean:
	rm -rf $(VENV) .neo4j build *.egg-info
