"""The site's pages in Debian's headless Chromium on the bundled demo data: search by keyboard alone, the
home table's sorting, the findings filter and its CSV, an upload with a bad row, accessibility (axe-core,
packaged by axe-playwright-python, so no network) and reading at 200% zoom.

What each page should show is worked out from the graph here; the browser and the watched page (no
console error, no dialog, nothing fetched from any host but 127.0.0.1) come from ``browser_support.py``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browser_support import Watch, require_chromium, served

from app.main import create_app
from app.settings import Settings, demo_registers
from app.stores import load_into, reference_data
from app.views.findings import SHOWN, all_findings
from graph.memory import MemoryStore
from graph.model import Organisation
from graph.vocab import OrgType
from loaders.register import read_register
from queries.search import SearchIndexes

DAY = date(2026, 11, 25)
AS_OF = f"as_of={DAY.isoformat()}"
TOKEN = "browser-write-token"
SERIOUS = ("serious", "critical")

require_chromium()

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Page  # noqa: E402


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    reference = reference_data()
    loaded = MemoryStore(reference, None)
    load_into(loaded, reference, [read_register(path) for path in demo_registers()])
    return loaded


@pytest.fixture(scope="module")
def base(store: MemoryStore) -> Iterator[str]:
    with served(create_app(Settings(data_dir=None, write_token=TOKEN, read_token=None), store)) as url:
        yield url


def ask(store: MemoryStore) -> Any:
    return lambda query, params: store.run(query, params)


def cells(page: Page, selector: str, column: int) -> list[str]:
    """The text of one column of a table's body rows, in the order shown."""
    texts: list[str] = page.eval_on_selector_all(
        f"{selector} tbody tr", f"rows => rows.map(row => row.cells[{column}].innerText.trim())"
    )
    return texts


def test_search_reaches_a_practice_from_part_of_its_name_by_keyboard_alone(
    store: MemoryStore, base: str, page: tuple[Page, Watch]
) -> None:
    browser_page, _ = page
    practice = store.view.nodes["P82001"]
    assert isinstance(practice, Organisation) and practice.org_type is OrgType.GP_PRACTICE
    # Part of its name: the first word and the start of the second, as a user types it.
    first, second, *_ = practice.name.split()
    typed = f"{first.lower()} {second[:3].lower()}"
    hits = SearchIndexes().of(store).search(typed, 8)
    assert "P82001" in [hit["id"] for hit in hits], (typed, hits)
    browser_page.goto(f"{base}/views/?{AS_OF}")
    for _ in range(12):  # Tab from the top of the page to the search box, past the skip link and the site links
        browser_page.keyboard.press("Tab")
        if browser_page.evaluate("document.activeElement.id") == "site-search":
            break
    assert browser_page.evaluate("document.activeElement.id") == "site-search"
    browser_page.keyboard.type(typed, delay=20)
    browser_page.locator("#site-search-results li").first.wait_for(state="visible", timeout=10_000)
    assert browser_page.get_attribute("#site-search", "aria-expanded") == "true"
    for _ in range(len(hits)):
        browser_page.keyboard.press("ArrowDown")
        active = browser_page.get_attribute("#site-search", "aria-activedescendant")
        if active and "P82001" in browser_page.inner_text(f"#{active}"):
            break
    browser_page.keyboard.press("Enter")
    browser_page.wait_for_url("**/views/node/P82001")
    browser_page.wait_for_selector('body[data-drawn="true"]', state="attached", timeout=60_000)


def test_without_its_script_the_search_box_submits_to_a_results_page(base: str, page: tuple[Page, Watch]) -> None:
    browser_page, _ = page
    browser_page.goto(f"{base}/views/search?q=densham")
    assert browser_page.locator("#hits a").count() >= 1


def test_the_home_table_sorts_by_each_column(base: str, page: tuple[Page, Watch]) -> None:
    browser_page, _ = page
    browser_page.goto(f"{base}/views/?{AS_OF}")
    heading = browser_page.locator("#icb-table thead th").nth(1)
    shown = [int(text.replace(",", "")) for text in cells(browser_page, "#icb-table", 1)]
    assert len(shown) == 42 and shown != sorted(shown)
    heading.locator("button").focus()
    browser_page.keyboard.press("Enter")
    ascending = [int(text.replace(",", "")) for text in cells(browser_page, "#icb-table", 1)]
    assert ascending == sorted(shown) and heading.get_attribute("aria-sort") == "ascending"
    heading.locator("button").click()
    assert [int(t.replace(",", "")) for t in cells(browser_page, "#icb-table", 1)] == sorted(shown, reverse=True)
    assert heading.get_attribute("aria-sort") == "descending"
    # Text sorts as text; the links go with their rows.
    browser_page.locator("#icb-table thead th").nth(0).locator("button").click()
    names = cells(browser_page, "#icb-table", 0)
    assert names == sorted(names, key=str.lower)
    browser_page.locator("#icb-table tbody tr").first.locator("a").click()
    browser_page.wait_for_url("**/views/icb/*/overview*")


def test_a_findings_filter_narrows_the_rows_and_the_csv_matches_them(
    store: MemoryStore, base: str, page: tuple[Page, Watch], tmp_path: Path
) -> None:
    browser_page, _ = page
    everything = all_findings(ask(store), DAY)
    counts = Counter(f.check for f in everything)
    # The check with the most findings that still fit on one page (the page shows the first SHOWN).
    check = max((c for c in counts if counts[c] <= SHOWN), key=lambda c: counts[c])
    expected = [f for f in everything if f.check == check]
    assert 0 < len(expected) < len(everything)
    browser_page.goto(f"{base}/views/findings?{AS_OF}")
    assert browser_page.locator("#findings tbody tr").count() == min(len(everything), SHOWN)
    browser_page.select_option("#filters select[name=check]", check)
    browser_page.click("#filters button[type=submit]")
    browser_page.wait_for_url(f"**check={check}*")
    assert cells(browser_page, "#findings", 0) == [check] * len(expected)
    shown = list(zip(cells(browser_page, "#findings", 1), cells(browser_page, "#findings", 4), strict=True))
    with browser_page.expect_download() as download:
        browser_page.click("#csv")
    target = tmp_path / "findings.csv"
    download.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["check"], r["reason"]) for r in rows] == [(check, reason) for _, reason in shown]
    assert [r["flow_id"] for r in rows] == [flow.split()[0] if flow else "" for flow, _ in shown]


def bad_register(folder: Path) -> Path:
    """A zip whose one flow names an identifiability that is no value of the vocabulary."""
    target = folder / "bad-register.zip"
    header = "flow_id,source,destination,data_categories,purposes,identifiability,controllers"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("flows.csv", f"{header}\nbad-1,P82001,gmcr,primary_care,direct_care,identifyable,P82001\n")
    return target


def test_an_upload_with_a_bad_row_shows_the_problem_and_leaves_the_graph_as_it_was(
    store: MemoryStore, base: str, page: tuple[Page, Watch], tmp_path: Path
) -> None:
    browser_page, watch = page
    before = (store.counts(), [info.name for info in store.registers()], store.version())
    browser_page.goto(f"{base}/views/upload")
    browser_page.set_input_files("#upload-file", str(bad_register(tmp_path)))
    browser_page.fill("#upload-token", TOKEN)
    browser_page.click("#upload button[type=submit]")
    browser_page.wait_for_selector("#problems")
    assert [cells(browser_page, "#problems", column) for column in range(5)] == [
        ["bad-register/flows.csv"],
        ["2"],
        ["identifiability"],
        ["identifyable"],
        ["expected one of: identifiable, pseudonymised, anonymised, aggregate"],
    ]
    assert "Nothing was loaded" in browser_page.inner_text("#result")
    # The answer is the page with status 422, which Chromium logs as a failed load: expected here only.
    watch.errors.remove("Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)")
    assert (store.counts(), [info.name for info in store.registers()], store.version()) == before
    browser_page.goto(f"{base}/views/?{AS_OF}")
    assert "bad-register" not in browser_page.inner_text("#registers")


def pages(store: MemoryStore) -> list[str]:
    """One of each page, on the demo's own ICBs, flows and findings."""
    flow = next(f.flow_id for f in all_findings(ask(store), DAY) if f.flow_id)
    return [
        f"/views/?{AS_OF}",
        f"/views/icb/QT6/overview?{AS_OF}",
        f"/views/findings?{AS_OF}",
        f"/views/flow/{flow}?{AS_OF}",
        "/views/upload",
        "/views/search?q=bolton",
        f"/views/node/P82001?{AS_OF}",
        f"/views/icb/QT6?{AS_OF}",
    ]


def test_no_page_has_a_serious_or_critical_accessibility_violation(
    store: MemoryStore, base: str, page: tuple[Page, Watch]
) -> None:
    browser_page, _ = page
    axe = Axe()
    for path in pages(store):
        browser_page.goto(base + path)
        if browser_page.locator("#network").count():
            browser_page.wait_for_selector('body[data-drawn="true"]', state="attached", timeout=60_000)
        results = axe.run(browser_page)
        serious = [v for v in results.response["violations"] if v["impact"] in SERIOUS]
        assert serious == [], f"{path}: {results.generate_report()}"
        assert results.response["passes"] or results.response["inapplicable"], "axe did not run"


def test_every_page_reads_at_200_percent_zoom_without_scrolling_sideways(
    store: MemoryStore, base: str, browser: Any
) -> None:
    # 200% zoom of a 1280-pixel window lays the page out in 640 CSS pixels.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2)
    zoomed = context.new_page()
    zoomed.set_viewport_size({"width": 640, "height": 450})
    try:
        for path in pages(store):
            zoomed.goto(base + path)
            wide = zoomed.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert wide <= 1, f"{path} is {wide} pixels too wide at 200% zoom"
            assert zoomed.locator("#site-search").is_visible(), path
    finally:
        context.close()
