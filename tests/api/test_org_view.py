"""The organisation page (``/views/org/{id}``) in-process, on both stores: what it draws and lists, its
links, its errors, names kept as text, and ``icsgraph view org`` writing the same page to a file.

The browser test (``tests/browser/test_org_page_browser.py``) checks it drawn by Chromium, and with axe.
"""

from __future__ import annotations

import re
from pathlib import Path

from api_support import XSS, base_register, client, xss_register
from conftest import MakeStore
from test_views import DAY, drawn, node_ids, self_contained

from app.cli import main


def rows(html: str, table: str) -> list[str]:
    match = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', html, re.DOTALL)
    return re.findall(r"<tr>(.*?)</tr>", match.group(1), re.DOTALL) if match else []


def test_the_page_of_an_icb(make_store: MakeStore) -> None:
    html = client(make_store(base_register())).get(f"/views/org/QAA?{DAY}").text
    self_contained(html)
    assert "<h1>NHS Alpha ICB (QAA)</h1>" in html
    # f3 (shcr -> phm) is the ICB's as controller; the emphasised ICB is drawn though no flow starts there.
    assert node_ids(html) == ["QAA", "phm", "shcr"]
    assert [re.search(r"<td>(.*?)</td>", row).group(1) for row in rows(html, "flows")] == ["f3"]
    assert "controller on 1 live flow<" in html
    assert 'href="/api/organisations/QAA/ropa?as_of=2026-11-25&amp;format=xlsx"' in html
    assert 'href="/api/organisations/QAA/iafr?as_of=2026-11-25&amp;format=csv"' in html
    assert 'href="/views/node/QAA?as_of=2026-11-25"' in html and 'href="/views/icb/QAA?as_of=2026-11-25"' in html
    nodes = {node["id"]: node for node in drawn(html)["nodes"]}
    assert nodes["QAA"]["href"] == "/views/org/QAA" and nodes["shcr"]["href"] == "/views/node/shcr"


def test_a_practice_lists_its_flows_and_an_unknown_id_or_a_system_is_not_found(make_store: MakeStore) -> None:
    api = client(make_store(base_register()))
    html = api.get(f"/views/org/A00001?{DAY}").text
    assert [re.search(r"<td>(.*?)</td>", row).group(1) for row in rows(html, "flows")] == ["f1", "f2"]
    assert "No agreement names it or governs its flows." in html
    for path in ("/views/org/ZZZ99", "/views/org/shcr"):
        answer = api.get(path)
        assert answer.status_code == 404
        assert answer.json()["fix"] == "give an ODS code or local id; /api/organisations lists them"


def test_names_are_text_on_the_page(make_store: MakeStore) -> None:
    html = client(make_store(base_register(), xss_register())).get(f"/views/org/evil?{DAY}").text
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_icsgraph_view_org_writes_the_page(tmp_path: Path) -> None:
    target = tmp_path / "qop.html"
    assert main(["view", "org", "QOP", "--demo", "--as-of", "2026-11-25", "-o", str(target)]) == 0
    html = target.read_text()
    self_contained(html)
    assert "NHS Greater Manchester Integrated Care Board (QOP)" in html and len(rows(html, "flows")) > 5
    assert all("href" not in node for node in drawn(html)["nodes"])  # no server to open a click on
