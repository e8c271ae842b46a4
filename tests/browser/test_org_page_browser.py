"""The organisation page (``/views/org/{id}``) in Debian's headless Chromium, on the bundled demo.

It must draw its network with the nodes its flows name (worked out here from the graph), list every flow,
agreement and finding the organisation's dossier holds, offer its RoPA and IAFR as downloads that answer,
open from a click on an organisation in another view, and pass axe-core's accessibility rules with no
serious or critical violation. Uses the server fixtures of ``test_views_browser``; the browser and page
come from ``conftest``.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from browser_support import Watch
from playwright.sync_api import Page
from test_views_browser import (
    AS_OF,
    DAY,
    base,
    click_node,
    clickable,
    open_view,
    store,
    with_groups,
)

from graph.memory import MemoryStore
from queries.dossier import DOSSIER
from queries.iafr import IAFR

__all__ = ["base", "store"]  # the fixtures, shared with test_views_browser (browser and page: conftest)
GROUP_ABOVE = 30  # as app.views.org


def dossier(store: MemoryStore, org: str) -> dict[str, Any]:
    [found] = store.run(DOSSIER, {"org_id": org, "as_of": DAY})
    return found


def expected_nodes(store: MemoryStore, org: str) -> int:
    flows = dossier(store, org)["flows"]
    ends = {org} | {f["source"] for f in flows} | {f["destination"] for f in flows}
    practices = [i for i in ends - {org} if getattr(store.view.nodes[i], "org_type", None) == "gp_practice"]
    return with_groups(store, ends, keep={org}) if len(practices) > GROUP_ABOVE else len(ends)


def table_rows(page: Page, table: str) -> int:
    return page.locator(f"table#{table} tbody tr").count()


def test_the_icb_page_draws_lists_and_links_its_records(
    store: MemoryStore, base: str, page: tuple[Page, Watch]
) -> None:
    browser_page, _ = page
    found = dossier(store, "QOP")
    assert open_view(browser_page, f"{base}/views/org/QOP?{AS_OF}") == expected_nodes(store, "QOP")
    assert browser_page.locator("h1").inner_text() == "NHS Greater Manchester Integrated Care Board (QOP)"
    assert table_rows(browser_page, "flows") == len(found["flows"])
    assert table_rows(browser_page, "agreements") == len(found["agreements"])
    assert table_rows(browser_page, "findings") == len(found["findings"]) > 0
    assert "recipient controller on" in browser_page.locator("#roles").inner_text()
    downloads = browser_page.locator("#downloads a")
    assert downloads.count() == 6
    for index in range(downloads.count()):
        href = downloads.nth(index).get_attribute("href")
        assert href is not None
        answer = browser_page.request.get(f"{base}{href}")
        assert answer.status == 200, href
        assert answer.headers["content-disposition"].startswith("attachment;")
    iafr = browser_page.request.get(f"{base}/api/organisations/QOP/iafr?{AS_OF}&format=json").json()
    [expected] = store.run(IAFR, {"org_id": "QOP", "as_of": DAY})
    assert iafr["rows"] == expected["flows"]


def test_a_click_on_an_organisation_in_a_view_opens_its_page(
    store: MemoryStore, base: str, page: tuple[Page, Watch]
) -> None:
    browser_page, _ = page
    open_view(browser_page, f"{base}/views/node/gmcr?direction=upstream&depth=1&{AS_OF}")
    trusts = sorted(i for i in store.view.nodes if i.startswith("R") and len(i) == 3)
    trust = clickable(
        browser_page, [t for t in trusts if browser_page.evaluate("(id) => window.icsgraph.nodes.get(id) !== null", t)]
    )
    click_node(browser_page, trust)
    browser_page.wait_for_url(f"**/views/org/{trust}")
    assert open_view(browser_page, browser_page.url) == expected_nodes(store, trust)


def test_the_page_has_no_serious_or_critical_accessibility_violation(
    store: MemoryStore, base: str, page: tuple[Page, Watch]
) -> None:
    browser_page, _ = page
    axe = Axe()
    for org in ("QOP", "P82001", "0AR"):
        open_view(browser_page, f"{base}/views/org/{org}?{AS_OF}")
        violations = axe.run(browser_page).response["violations"]
        serious = [
            (v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], (org, serious)


def test_an_unknown_organisation_is_a_page_not_found(base: str, page: tuple[Page, Watch]) -> None:
    browser_page, _ = page
    answer = browser_page.request.get(f"{base}/views/org/NO-SUCH-ORG")
    assert answer.status == 404
    assert answer.json()["message"] == "no organisation 'NO-SUCH-ORG'"
