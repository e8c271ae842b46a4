"""The ``icsgraph view`` command: the same network pages as ``/views/``, written to a file for offline use.

The page is self-contained (vis-network inlined), so it opens from disk with no server and no network.
Clicking a node opens its view only when ``--link-base`` names a server to open it on.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

import queries
from app.cli.common import parse_params, store_for
from app.settings import demo_registers
from app.views.chain import chain_view
from app.views.groups import expanded
from app.views.icb import icb_view
from app.views.lineage import lineage_view
from app.views.network import Links, Picture, render
from app.views.org import org_view, render_org
from app.views.result import result_view
from graph.store import Store
from graph.vocab import DataCategory, Identifiability, Purpose
from queries.registry import AS_OF

EPILOG = """\
examples:
  icsgraph view icb QOP --demo -o qop.html
  icsgraph view icb QOP --demo --expand U12345 -o qop.html
  icsgraph view node P82001 --demo -o p82001.html
  icsgraph view node gmcr --upstream --depth 2 -o gmcr-sources.html
  icsgraph view chain P82001 nw-sde-tre --demo -o chain.html
  icsgraph view org QOP --demo -o qop-page.html
  icsgraph view query practices-shcr-only --param icb=QT6 --register my-register/ -o headline.html
"""


def open_for(args: argparse.Namespace) -> Store:
    """The loaded store; or, with --demo or --register, those registers in memory for this run only."""
    demo = [str(path) for path in demo_registers()] if args.demo else []
    return store_for(args, demo + list(args.register or []))


def picture_for(args: argparse.Namespace, store: Store) -> Picture:
    links = Links(args.link_base)
    as_of: date = AS_OF.parse(args.as_of) if args.as_of else date.today()
    if args.view == "node":
        filters = {"category": args.category, "purpose": args.purpose, "identifiability": args.identifiability}
        return lineage_view(
            store.run,
            links,
            args.id,
            upstream=args.upstream,
            depth=args.depth,
            as_of=as_of,
            filters=filters,
            expand=expanded(args.expand),
        )
    if args.view == "icb":
        return icb_view(store.run, links, args.code, as_of=as_of, expand=expanded(args.expand))
    if args.view == "chain":
        return chain_view(store.run, links, args.source, args.target, as_of=as_of, path=args.path)
    query = queries.get(args.name)
    raw: dict[str, Any] = dict(parse_params(args.param))
    if args.as_of and any(p.name == "as_of" for p in query.params):
        raw["as_of"] = args.as_of
    params = query.bind(raw)
    return result_view(store.run, links, query, params, store.run(query, params))


def cmd_view(args: argparse.Namespace) -> int:
    store = open_for(args)
    try:
        if args.view == "org":
            as_of: date = AS_OF.parse(args.as_of) if args.as_of else date.today()
            html = render_org(org_view(store.run, Links(args.link_base), args.id, as_of=as_of))
        else:
            html = render(picture_for(args, store))
    finally:
        store.close()
    if args.output == "-":
        sys.stdout.write(html)
    else:
        Path(args.output).write_text(html, encoding="utf-8")
        print(f"wrote {args.output} ({len(html.encode()):,} bytes)", file=sys.stderr)
    return 0


def add_view(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``icsgraph view`` to the CLI's subcommands (``commands``, from ``add_subparsers``)."""
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("-o", "--output", required=True, metavar="FILE", help="the HTML file to write ('-' for stdout)")
    shared.add_argument("--as-of", metavar="YYYY-MM-DD", help="flows live at this date (default today)")
    shared.add_argument("--demo", action="store_true", help="draw the bundled demo registers, in memory only")
    shared.add_argument(
        "--register", action="append", metavar="PATH", help="draw the reference data plus this register; repeat"
    )
    shared.add_argument(
        "--link-base", metavar="URL", help="make clicks open views on this server, e.g. http://127.0.0.1:8000"
    )
    view = commands.add_parser(
        "view",
        help="write a view (lineage, ICB network, chain, query answer, organisation) as a self-contained HTML file",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kinds = view.add_subparsers(dest="view", required=True, metavar="KIND")
    node = kinds.add_parser("node", parents=[common, shared], help="where a practice's or system's data goes")
    node.add_argument("id", help="ODS code or system id")
    node.add_argument("--upstream", action="store_true", help="where its data comes from instead")
    node.add_argument("--depth", type=int, default=3, help="how many hops (default 3)")
    node.add_argument("--category", choices=[c.value for c in DataCategory])
    node.add_argument("--purpose", choices=[p.value for p in Purpose])
    node.add_argument("--identifiability", choices=[i.value for i in Identifiability])
    node.add_argument("--expand", action="append", default=[], metavar="PCN", help="show this PCN's practices")
    icb = kinds.add_parser("icb", parents=[common, shared], help="an ICB's data-flow network, practices grouped")
    icb.add_argument("code", help="the ICB's ODS code, e.g. QOP")
    icb.add_argument("--expand", action="append", default=[], metavar="PCN", help="show this PCN's practices; 'all'")
    chain = kinds.add_parser("chain", parents=[common, shared], help="the controllership chain between two nodes")
    chain.add_argument("source")
    chain.add_argument("target")
    chain.add_argument("--path", type=int, default=1, help="which path, shortest first (default 1)")
    org = kinds.add_parser(
        "org", parents=[common, shared], help="an organisation's page: roles, flows, agreements, IG findings"
    )
    org.add_argument("id", help="the organisation's ODS code or local id")
    result = kinds.add_parser("query", parents=[common, shared], help="a named query's answer as a network")
    result.add_argument("name", help="query name (see: icsgraph queries)")
    result.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a query parameter; repeat")
    view.set_defaults(run=cmd_view)
