"""Each view's HTML size and load time in the browser for the largest ICB of the demo data (QOP).

    .venv/bin/python scripts/measure_views.py [--runs 3]

Serves the bundled demo registers in memory with uvicorn on a free loopback port, then for each view:
the page's size, the server's time to answer (first request, then cached), and Chromium's time from the
start of navigation to the network being drawn (median of the runs). Needs /usr/bin/chromium
(`make browser`). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import uvicorn
from playwright.sync_api import sync_playwright

from app.main import create_app
from app.settings import Settings, demo_registers
from app.stores import load_into, reference_data
from graph.memory import MemoryStore
from loaders.register import read_register

AS_OF = "as_of=2026-11-25"
VIEWS = [
    ("ICB network, grouped by PCN", f"/views/icb/QOP?{AS_OF}"),
    ("ICB network, every practice", f"/views/icb/QOP?{AS_OF}&expand=all"),
    ("practice downstream (P82001)", f"/views/node/P82001?{AS_OF}"),
    ("shared care record upstream (gmcr)", f"/views/node/gmcr?direction=upstream&{AS_OF}"),
    ("controllership chain (P82001 to nw-sde-tre)", f"/views/chain?source=P82001&target=nw-sde-tre&{AS_OF}"),
    ("query: practices-shcr-only, QOP", f"/views/query/practices-shcr-only?icb=QOP&{AS_OF}"),
    ("query: lawful-basis (IG check)", f"/views/query/lawful-basis?{AS_OF}"),
]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def serve() -> tuple[str, uvicorn.Server]:
    reference = reference_data()
    store = MemoryStore(reference, None)
    load_into(store, reference, [read_register(path) for path in demo_registers()])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(Settings(data_dir=None), store), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def fetch(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    with urllib.request.urlopen(url) as response:
        size = len(response.read())
    return size, (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="browser loads per view (default 3)")
    args = parser.parse_args()
    base, server = serve()
    print("| view | HTML | nodes / edges | server, first / cached | browser to drawn, first / median |")
    print("| --- | ---: | ---: | ---: | ---: |")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for label, path in VIEWS:
            size, first = fetch(base + path)
            _, cached = fetch(base + path)
            loads = []
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            for _ in range(args.runs):
                page.goto(base + path)
                page.wait_for_selector('body[data-drawn="true"]', state="attached", timeout=120_000)
                loads.append(float(page.get_attribute("body", "data-drawn-ms") or "nan"))
            nodes = page.evaluate("window.icsgraph.network.body.data.nodes.length")
            edges = page.evaluate("window.icsgraph.edges.length")
            page.close()
            print(
                f"| {label} | {size / 1024:,.0f} KiB | {nodes} / {edges} | {first:,.0f} / {cached:,.0f} ms "
                f"| {loads[0]:,.0f} / {statistics.median(loads):,.0f} ms |"
            )
        browser.close()
    server.should_exit = True


if __name__ == "__main__":
    main()
