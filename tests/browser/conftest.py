"""The browser and a watched page, for every browser test module."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from browser_support import ARGS, CHROMIUM, Watch
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, sync_playwright


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
