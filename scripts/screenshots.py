"""Screenshots of the home, ICB and findings pages on the bundled demo data, for the README.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/*.png
    .venv/bin/python scripts/screenshots.py --out DIR

Serves the app on the embedded store with the demo registers on a free loopback port, and photographs
each page with Debian's headless Chromium (/usr/bin/chromium, driven by Playwright) as of the demo's
date, so the pictures show the findings the demo plants.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.main import create_app  # noqa: E402
from app.settings import Settings, demo_registers  # noqa: E402
from app.stores import load_into, reference_data  # noqa: E402
from graph.memory import MemoryStore  # noqa: E402
from loaders.register import read_register  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
AS_OF = "2026-11-25"
PAGES = {
    "home": f"/views/?as_of={AS_OF}",
    "icb": f"/views/icb/QT6/overview?as_of={AS_OF}",
    "findings": f"/views/findings?as_of={AS_OF}",
}


@contextmanager
def served() -> Iterator[str]:
    reference = reference_data()
    store = MemoryStore(reference, None)
    load_into(store, reference, [read_register(path) for path in demo_registers()])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(Settings(data_dir=None, write_token=None, read_token=None), store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where to write the PNGs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with served() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, path in PAGES.items():
            page.goto(base + path)
            if page.locator("#network").count():
                page.wait_for_selector('body[data-drawn="true"]', state="attached", timeout=60_000)
            target = args.out / f"{name}.png"
            page.screenshot(path=str(target), full_page=False)
            print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
