"""The network views as HTML, in-process: what each draws, that pages are self-contained, names escaped.

The browser tests (``test_views_browser.py``) check the same pages drawn by a real Chromium.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from api_support import XSS, base_register, client, xss_register
from conftest import MakeStore
from support import tiny_reference

from app.cli import main
from graph.memory import MemoryStore

DAY = "as_of=2026-11-25"


def drawn(html: str) -> dict[str, Any]:
    """The nodes, edges and options the page hands to vis-network."""
    match = re.search(r'<script type="application/json" id="network-data">(.*?)</script>', html, re.DOTALL)
    assert match, "no network data in the page"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def node_ids(html: str) -> list[str]:
    return sorted(node["id"] for node in drawn(html)["nodes"])


def self_contained(html: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.IGNORECASE)
    assert "cdn" not in html.lower().replace("vis-network", "")[:20_000]
    assert "cdnjs" not in html and "jsdelivr" not in html and "bootstrap" not in html.lower()
    assert "Content-Security-Policy" in html and "vis.Network" in html


def test_a_node_lineage_downstream_and_upstream(make_store: MakeStore) -> None:
    api = client(make_store(base_register()))
    down = api.get(f"/views/node/A00001?{DAY}")
    assert down.status_code == 200 and down.headers["content-type"].startswith("text/html")
    self_contained(down.text)
    assert node_ids(down.text) == ["A00001", "gp-a", "phm", "shcr"]
    assert len(drawn(down.text)["edges"]) == 3
    up = api.get(f"/views/node/shcr?direction=upstream&{DAY}").text
    assert node_ids(up) == ["A00001", "gp-a", "shcr"]
    acute = api.get(f"/views/node/A00001?{DAY}&category=acute").text
    assert node_ids(acute) == ["A00001"]
    later = api.get("/views/node/A00002?as_of=2027-02-01").text
    assert node_ids(later) == ["A00002", "gp-a", "phm", "shcr"]


def test_each_node_opens_its_own_view_and_edges_carry_the_flow(make_store: MakeStore) -> None:
    html = client(make_store(base_register())).get(f"/views/node/A00001?{DAY}").text
    nodes = {node["id"]: node for node in drawn(html)["nodes"]}
    assert nodes["shcr"]["href"] == "/views/node/shcr"
    edge = next(e for e in drawn(html)["edges"] if e["to"] == "phm")
    for text in ("f3: shcr → phm", "categories: primary care, acute", "purposes: population health management"):
        assert text in edge["title"]
    assert "identifiability: pseudonymised" in edge["title"] and "controllers: QAA" in edge["title"]


def test_an_icb_network_groups_practices_by_pcn_and_expands_a_group(make_store: MakeStore) -> None:
    api = client(make_store(base_register()))
    grouped = api.get(f"/views/icb/QAA?{DAY}").text
    self_contained(grouped)
    assert node_ids(grouped) == ["gp-a", "pcn-group:U00001", "phm", "shcr"]
    group = next(n for n in drawn(grouped)["nodes"] if n["id"] == "pcn-group:U00001")
    assert group["label"] == "Alpha PCN (1)"
    assert group["href"] == "/views/icb/QAA?as_of=2026-11-25&expand=U00001"
    expanded = api.get(f"/views/icb/QAA?{DAY}&expand=U00001").text
    assert node_ids(expanded) == ["A00001", "gp-a", "phm", "shcr"]
    assert node_ids(api.get(f"/views/icb/QAA?{DAY}&expand=all").text) == node_ids(expanded)
    later = api.get("/views/icb/QAA?as_of=2027-02-01").text
    assert next(n for n in drawn(later)["nodes"] if n["id"] == "pcn-group:U00001")["label"] == "Alpha PCN (2)"


def test_a_controllership_chain_hop_by_hop(make_store: MakeStore) -> None:
    html = client(make_store(base_register())).get(f"/views/chain?source=A00001&target=phm&{DAY}").text
    self_contained(html)
    ids = node_ids(html)
    assert [i for i in ids if not i.startswith("hop:")] == ["A00001", "A00002", "QAA", "RAA", "gp-a", "phm", "shcr"]
    assert [i for i in ids if i.startswith("hop:")] == ["hop:0:f1", "hop:1:f2", "hop:2:f3"]
    hops = {n["id"]: n.get("href") for n in drawn(html)["nodes"] if n["id"].startswith("hop:")}
    assert hops == {f"hop:{i}:{f}": f"/views/flow/{f}" for i, f in enumerate(["f1", "f2", "f3"])}  # the flow's page
    roles = {(e["from"], e["to"], e["label"]) for e in drawn(html)["edges"] if e.get("dashes")}
    assert roles == {
        ("A00001", "hop:0:f1", "controller"),
        ("A00001", "hop:1:f2", "controller"),
        ("A00002", "hop:1:f2", "controller"),
        ("RAA", "hop:1:f2", "processor"),
        ("QAA", "hop:2:f3", "controller"),
    }


def test_a_query_answer_drawn_from_its_rows(make_store: MakeStore) -> None:
    api = client(make_store(base_register()))
    headline = api.get(f"/views/query/practices-shcr-only?icb=QAA&{DAY}").text
    self_contained(headline)
    # Each row's first id is its node; other ids in the row (here the ICB) are joined to it, labelled by column.
    assert node_ids(headline) == ["A00002", "A00003", "QAA"]
    assert {(e["from"], e["to"], e["label"]) for e in drawn(headline)["edges"]} == {
        ("A00002", "QAA", "icb"),
        ("A00003", "QAA", "icb"),
    }
    assert "<table" in headline and "Practice A00002" in headline
    lineage = api.get(f"/views/query/lineage?node=A00001&{DAY}").text
    assert node_ids(lineage) == ["A00001", "gp-a", "phm", "shcr"]
    summary = api.get(f"/views/query/icb-shcr-only-summary?{DAY}").text
    assert node_ids(summary) == ["QAA", "QBB"]  # rows name ICBs: each drawn, with its row as tooltip


@pytest.mark.parametrize(
    ("path", "status", "fragment"),
    [
        ("/views/node/ZZZ99", 404, "no node 'ZZZ99'"),
        ("/views/icb/QZZ", 404, "no ICB 'QZZ'"),
        ("/views/icb/A00001", 404, "no ICB 'A00001'"),
        ("/views/chain?source=A00001&target=nowhere", 404, "no node 'nowhere'"),
        ("/views/query/nope", 404, "no query named 'nope'"),
        ("/views/query/lineage", 422, "needs parameter 'node'"),
        ("/views/node/A00001?depth=99", 422, "query.depth"),
        ("/views/node/A00001?direction=sideways", 422, "query.direction"),
    ],
)
def test_view_errors_are_json_4xx(path: str, status: int, fragment: str) -> None:
    response = client(MemoryStore(tiny_reference(), None)).get(path)
    assert response.status_code == status and fragment in response.json()["message"]


def test_names_are_text_not_markup(make_store: MakeStore) -> None:
    api = client(make_store(base_register(), xss_register()))
    for path in (
        f"/views/node/sx?{DAY}",
        f"/views/node/sx?direction=upstream&{DAY}",
        f"/views/node/evil?{DAY}",
        f"/views/icb/QAA?{DAY}",
        f"/views/chain?source=A00003&target=sx&{DAY}",
        f"/views/query/lineage?node=A00003&{DAY}",
        "/views/",
    ):
        html = api.get(path).text
        assert XSS not in html, path
        assert "&lt;img src=x onerror=alert(1)&gt;" in html or "\\u003cimg src=x onerror=alert(1)\\u003e" in html, path
    title = re.search(r"<title>(.*)</title>", api.get(f"/views/node/sx?{DAY}").text)
    assert title and title.group(1).startswith("&lt;img src=x onerror=alert(1)&gt; (sx)")
    labels = [n["label"] for n in drawn(api.get(f"/views/node/sx?{DAY}").text)["nodes"]]
    assert "<img src=x onerror=alert(1)>" in labels  # drawn on the canvas as text


def test_the_index_links_to_views_and_queries(make_store: MakeStore) -> None:
    html = client(make_store(base_register())).get("/views/").text
    assert 'href="/views/icb/QAA"' in html and "NHS Alpha ICB (QAA)" in html
    assert 'action="/views/query/practices-shcr-only"' in html and 'href="/api/queries/lineage"' in html
    assert 'href="/views/node/shcr"' in html and 'action="/views/chain"' in html
    assert client(make_store(base_register())).get("/", follow_redirects=False).headers["location"] == "/views/"


def test_icsgraph_view_writes_the_same_page_offline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "qt6.html"
    assert main(["view", "icb", "QT6", "--demo", "--as-of", "2026-11-25", "-o", str(target)]) == 0
    html = target.read_text()
    self_contained(html)
    assert "NHS Cornwall and the Isles of Scilly" in html and "pcn-group:" in html
    # Without --link-base a page from disk has no links to follow.
    assert all("href" not in node for node in drawn(html)["nodes"])
    linked = tmp_path / "linked.html"
    main(["view", "node", "cios-shcr", "--demo", "--link-base", "http://127.0.0.1:8000", "-o", str(linked)])
    assert any(
        n.get("href", "").startswith("http://127.0.0.1:8000/views/node/") for n in drawn(linked.read_text())["nodes"]
    )
    with pytest.raises(SystemExit) as stopped:
        main(["view", "node", "ZZZ99", "--demo", "-o", str(tmp_path / "x.html")])
    assert stopped.value.code == 1 and "no node 'ZZZ99'" in capsys.readouterr().err
