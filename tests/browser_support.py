"""What the browser tests share: Debian's Chromium, the app served on a loopback port, and a watched page.

The ``browser`` and ``page`` fixtures are made available to every test by ``tests/conftest.py`` (a conftest
of their own in ``tests/browser`` would shadow the ``conftest`` module other tests import from).
Needs /usr/bin/chromium (``make browser`` installs it); Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, sync_playwright

CHROMIUM = "/usr/bin/chromium"
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


def require_chromium() -> None:
    """Skip the module without Chromium, except in CI, where its absence is a failure."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make browser` installs it, and CI must not skip these tests")
        pytest.skip(f"{CHROMIUM} is missing: run `make browser`", allow_module_level=True)


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in a background thread; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Watch:
    """What a page did: console errors, page errors, dialogs, and every host it asked for."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.hosts: set[str] = set()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, Watch]]:
    """A fresh page that may reach only 127.0.0.1, and must log no error and open no dialog."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    watch = Watch()

    def only_loopback(route: Route, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "file"):
            route.continue_()
            return
        watch.hosts.add(parts.hostname or "")
        if parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.errors.append(message.text)

    context.route("**/*", only_loopback)
    opened = context.new_page()
    opened.on("console", console)
    opened.on("pageerror", lambda error: watch.errors.append(str(error)))
    opened.on("dialog", lambda dialog: (watch.dialogs.append(dialog.message), dialog.dismiss()))
    yield opened, watch
    context.close()
    assert watch.errors == [], watch.errors
    assert watch.dialogs == [], "a name ran as script"
    assert watch.hosts <= {"127.0.0.1"}, watch.hosts
