"""``icsgraph serve``: the REST API and the network views, on the configured store or the demo."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.common import say, scratch_store, settings_from
from app.settings import demo_registers
from app.stores import open_store, reference_data
from graph.store import Store


def cmd_serve(args: argparse.Namespace) -> int:
    # Imported here: the server and the app's routes are heavy, and only this command needs them.
    import uvicorn

    from app.main import create_app

    settings = settings_from(args)
    store: Store
    if args.demo:
        store = scratch_store([str(p) for p in demo_registers()])
        say("serving the bundled demo registers in memory (the data directory is not touched)")
    else:
        store = open_store(settings, reference_data())
    totals = ", ".join(f"{n} {k}" for k, n in store.counts().items())
    say(f"{store.kind} store: {totals}")
    say(f"API on http://{args.host}:{args.port}/  (docs: /docs, health: /health)")
    uvicorn.run(create_app(settings, store), host=args.host, port=args.port, log_level="warning")
    return 0


def port(text: str) -> int:
    """A TCP port number, checked before the server tries to bind it."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number; use e.g. 8000") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a port number; use 1 to 65535")
    return number


def add_serve(commands: Any, common: argparse.ArgumentParser) -> None:
    serve = commands.add_parser("serve", parents=[common], help="serve the REST API and the network views")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=port, default=8000, help="TCP port, 1-65535 (0: any free one)")
    serve.add_argument("--demo", action="store_true", help="serve the bundled demo registers, in memory only")
    serve.set_defaults(run=cmd_serve)
