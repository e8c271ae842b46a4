"""The views in a real browser: Debian's headless Chromium driven by Playwright, on the bundled demo data.

The app is served by uvicorn on 127.0.0.1 in a background thread, over the demo registers (Greater
Manchester, QOP, is the largest ICB: about 400 practices) plus a register whose names are markup. Each
kind of view must draw its canvas with the expected number of nodes (worked out here from the graph,
not from the page), open a node's own view on a click, log no console error, request nothing from any
host but 127.0.0.1, and show the markup names as text without running them.

Needs /usr/bin/chromium (``make browser`` installs it); the browser and the watched page are fixtures of
``tests/browser_support.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browser_support import Watch, require_chromium, served
from support import register

import queries
from app.main import create_app
from app.settings import Settings, demo_registers
from app.stores import load_into, reference_data
from graph.memory import MemoryStore
from graph.model import Organisation, Register
from graph.vocab import OrgType
from loaders.register import read_register

DAY = date(2026, 11, 25)
AS_OF = f"as_of={DAY.isoformat()}"
XSS = "<img src=x onerror=alert(1)>"
GROUP_ABOVE = 30  # as app.views.lineage

require_chromium()

from playwright.sync_api import Page  # noqa: E402


def xss_register() -> Register:
    """A supplier and a system of Greater Manchester whose names are markup, and a flow into the system."""
    header = "flow_id,source,destination,data_categories,purposes,identifiability,controllers,processors"
    return register(
        "xss",
        organisations=f"org_id,name,org_type\nevil,{XSS},supplier",
        systems=f"sx,{XSS},phm_platform,evil,,QOP,UK",
        flows=f"{header}\nx1,P82001,sx,primary_care,planning,pseudonymised,P82001,evil",
    )


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    reference = reference_data()
    loaded = MemoryStore(reference, None)
    load_into(loaded, reference, [*(read_register(path) for path in demo_registers()), xss_register()])
    return loaded


@pytest.fixture(scope="module")
def base(store: MemoryStore) -> Iterator[str]:
    """The app served on a free loopback port for the module's tests."""
    with served(create_app(Settings(data_dir=None), store)) as url:
        yield url


def open_view(page: Page, url: str) -> int:
    """Open a view, wait for its network to be drawn, and return how many nodes the canvas holds."""
    page.goto(url)
    # A CSS selector, not wait_for_function: the page's policy forbids the eval that would need.
    page.wait_for_selector('body[data-drawn="true"]', state="attached", timeout=60_000)
    count: int = page.evaluate("window.icsgraph.network.body.data.nodes.length")
    painted: int = page.evaluate(
        """() => {
          const canvas = document.querySelector('#network canvas');
          const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let inked = 0;
          for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 3] > 0) inked++;
          return inked;
        }"""
    )
    assert painted > 500, "the canvas is blank"
    return count


WHERE = """(id) => {
  const net = window.icsgraph.network;
  net.stopSimulation();
  const at = net.canvasToDOM(net.getPositions([id])[id]);
  const box = document.querySelector('#network canvas').getBoundingClientRect();
  return {x: box.left + at.x, y: box.top + at.y, top: net.getNodeAt(at)};
}"""


def clickable(page: Page, candidates: list[str]) -> str:
    """The first of ``candidates`` drawn where no other node covers it."""
    for node in candidates:
        if page.evaluate(WHERE, node)["top"] == node:
            return node
    raise AssertionError(f"every one of {candidates[:5]}... is covered by another node")


def click_node(page: Page, node: str) -> None:
    """Click where the network drew ``node``, as a user would."""
    point = page.evaluate(WHERE, node)
    assert point["top"] == node, f"{node} is covered by {point['top']}"
    page.mouse.click(point["x"], point["y"])


# --- what each view should draw, worked out from the graph -------------------------------------------


def practice(store: MemoryStore, identifier: str) -> Organisation | None:
    node = store.view.nodes.get(identifier)
    return node if isinstance(node, Organisation) and node.org_type is OrgType.GP_PRACTICE else None


def with_groups(store: MemoryStore, ids: set[str], expand: Collection[str] = (), keep: Collection[str] = ()) -> int:
    """How many nodes ``ids`` make once practices (but those in ``keep``) are grouped by PCN, bar ``expand``."""
    groups, others = set(), 0
    for identifier in ids:
        found = practice(store, identifier)
        pcn = (found.pcn or "no-pcn") if found else None
        if found and identifier not in keep and pcn not in expand:
            groups.add(pcn)
        else:
            others += 1
    return others + len(groups)


def icb_nodes(store: MemoryStore, icb: str) -> set[str]:
    view = store.view
    touching = [
        f
        for f in view.flows.values()
        if f.live_at(DAY) and icb in (view.nodes[f.source].icb, view.nodes[f.destination].icb)
    ]
    return {f.source for f in touching} | {f.destination for f in touching}


def lineage_nodes(store: MemoryStore, node: str, direction: str, depth: int) -> set[str]:
    query = queries.get("lineage")
    rows = store.run(query, query.bind({"node": node, "direction": direction, "max_depth": depth, "as_of": DAY}))
    return {node} | {row["node"] for row in rows}


# --- the tests ---------------------------------------------------------------------------------------


def test_the_largest_icb_grouped_by_pcn(store: MemoryStore, base: str, page: tuple[Page, Watch]) -> None:
    browser_page, _ = page
    ends = icb_nodes(store, "QOP")
    assert sum(practice(store, i) is not None for i in ends) > 400
    assert open_view(browser_page, f"{base}/views/icb/QOP?{AS_OF}") == with_groups(store, ends)
    pcns = sorted({p.pcn for i in ends if (p := practice(store, i)) and p.pcn})
    pcn = clickable(browser_page, [f"pcn-group:{code}" for code in pcns]).removeprefix("pcn-group:")
    click_node(browser_page, f"pcn-group:{pcn}")
    browser_page.wait_for_url(f"**/views/icb/QOP?*expand={pcn}*")
    assert open_view(browser_page, browser_page.url) == with_groups(store, ends, expand={pcn})


def test_a_practice_downstream_and_a_click_opens_the_next_node(
    store: MemoryStore, base: str, page: tuple[Page, Watch]
) -> None:
    browser_page, _ = page
    expected = lineage_nodes(store, "P82001", "downstream", 3)
    assert open_view(browser_page, f"{base}/views/node/P82001?{AS_OF}") == len(expected)
    assert "gmcr" in expected
    click_node(browser_page, "gmcr")
    browser_page.wait_for_url("**/views/node/gmcr*")
    assert open_view(browser_page, browser_page.url) == len(lineage_nodes(store, "gmcr", "downstream", 3))


def test_a_shared_care_record_upstream_groups_its_practices(
    store: MemoryStore, base: str, page: tuple[Page, Watch]
) -> None:
    browser_page, _ = page
    reached = lineage_nodes(store, "gmcr", "upstream", 2)
    assert sum(practice(store, i) is not None for i in reached) > GROUP_ABOVE
    count = open_view(browser_page, f"{base}/views/node/gmcr?direction=upstream&depth=2&{AS_OF}")
    assert count == with_groups(store, reached, keep={"gmcr"})


def test_a_controllership_chain(store: MemoryStore, base: str, page: tuple[Page, Watch]) -> None:
    browser_page, _ = page
    query = queries.get("controllership-chain")
    rows = [
        r
        for r in store.run(query, query.bind({"source": "P82001", "destination": "nw-sde-tre", "as_of": DAY}))
        if r["path"] == 1
    ]
    path = {"P82001"} | {row["to"] for row in rows}
    holders = {
        org
        for row in rows
        for org in [*row["controllers"], *row["processors"], *row["sub_processors"], row["recipient_controller"]]
        if org in store.view.nodes
    }
    expected = len(path | holders) + len(rows)  # and one box per hop
    assert open_view(browser_page, f"{base}/views/chain?source=P82001&target=nw-sde-tre&{AS_OF}") == expected
    click_node(browser_page, "nw-sde-tre")
    browser_page.wait_for_url("**/views/node/nw-sde-tre*")


def test_a_query_answer(store: MemoryStore, base: str, page: tuple[Page, Watch]) -> None:
    browser_page, _ = page
    query = queries.get("practices-shcr-only")
    rows = store.run(query, query.bind({"icb": "QOP", "as_of": DAY}))
    expected = {row["practice"] for row in rows} | {"QOP"} | {s for row in rows for s in row["reached"]}
    url = f"{base}/views/query/practices-shcr-only?icb=QOP&{AS_OF}"
    assert open_view(browser_page, url) == len(expected)
    click_node(browser_page, clickable(browser_page, sorted(row["practice"] for row in rows)))
    browser_page.wait_for_url("**/views/org/*")  # an organisation opens its own page


def test_names_are_shown_as_text_and_never_run(store: MemoryStore, base: str, page: tuple[Page, Watch]) -> None:
    browser_page, watch = page
    for url in (f"{base}/views/node/sx?{AS_OF}", f"{base}/views/node/P82001?depth=1&{AS_OF}"):
        open_view(browser_page, url)
        assert browser_page.locator("img").count() == 0
    open_view(browser_page, f"{base}/views/node/sx?{AS_OF}")
    assert browser_page.title().startswith(XSS)
    box = browser_page.evaluate(WHERE, "sx")
    browser_page.mouse.move(box["x"], box["y"])
    tooltip = browser_page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert XSS in tooltip.inner_text() and tooltip.locator("img").count() == 0
    assert watch.dialogs == []


def test_the_index_page(base: str, page: tuple[Page, Watch]) -> None:
    browser_page, _ = page
    browser_page.goto(f"{base}/views/")
    assert XSS in browser_page.locator("#systems").inner_text() and browser_page.locator("img").count() == 0
    browser_page.locator("#icbs a", has_text="QOP").click()
    browser_page.wait_for_url("**/views/icb/QOP")
    browser_page.wait_for_selector('body[data-drawn="true"]', state="attached", timeout=60_000)
    browser_page.goto(f"{base}/views/")
    browser_page.fill("#lineage input[name=node]", "P82001")
    browser_page.click("#lineage button")
    browser_page.wait_for_url("**/views/node/P82001?direction=downstream")


def test_a_page_written_by_icsgraph_view_works_from_disk(tmp_path: Path, page: tuple[Page, Watch], store: Any) -> None:
    from app.cli import main

    target = tmp_path / "qt6.html"
    assert main(["view", "icb", "QT6", "--demo", "--as-of", DAY.isoformat(), "-o", str(target)]) == 0
    browser_page, watch = page
    assert open_view(browser_page, target.as_uri()) == with_groups(store, icb_nodes(store, "QT6"))
    assert watch.hosts == set()  # nothing fetched at all: the file is the whole page
