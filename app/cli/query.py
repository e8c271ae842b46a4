"""``icsgraph query`` and ``queries``: run a named query of the catalogue, or list them.

Nothing here is written per query: the parameters, columns and descriptions come from
``queries.CATALOGUE``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import queries
from app.cli.common import parse_params, store_for
from app.output import as_csv, as_json, as_table


def cmd_query(args: argparse.Namespace) -> int:
    query = queries.get(args.name)
    raw = parse_params(args.param)
    if args.as_of:
        raw["as_of"] = args.as_of
    params = query.bind(raw)
    store = store_for(args, args.register or [])
    try:
        rows = store.run(query, params)
    finally:
        store.close()
    if args.format == "json":
        print(as_json(query.name, params, rows))
    elif args.format == "csv":
        sys.stdout.write(as_csv(query.columns, rows))
    else:
        print(as_table(query.columns, rows))
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    for query in queries.CATALOGUE.values():
        params = " ".join(f"[{p.name}]" if not p.required else p.name for p in query.params)
        print(f"{query.name} {params}\n    {query.description}\n")
    return 0


def add_query(commands: Any, common: argparse.ArgumentParser) -> None:
    query = commands.add_parser("query", parents=[common], help="run a named query (see: icsgraph queries)")
    query.add_argument("name", metavar="NAME", help="query name, e.g. practices-shcr-only")
    query.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a query parameter; repeat")
    query.add_argument("--as-of", metavar="YYYY-MM-DD", help="shorthand for --param as_of=...")
    query.add_argument(
        "--register",
        action="append",
        metavar="PATH",
        help="answer on the reference data plus this register alone, for this run only; repeat",
    )
    query.add_argument("--format", choices=("table", "json", "csv"), default="table")
    query.set_defaults(run=cmd_query)


def add_queries(commands: Any, common: argparse.ArgumentParser) -> None:
    catalogue = commands.add_parser("queries", help="list the named queries and their parameters")
    catalogue.set_defaults(run=cmd_queries)
