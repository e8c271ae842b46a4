"""The site's pages in process: home, an ICB's page, findings (and their CSV), a flow's page, search, upload.

What each page should show is worked out from the queries here, not copied from the page. The browser
tests (``tests/browser/test_pages_browser.py``) use the same pages in Chromium.
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any

import pytest
from api_support import WRITE, XSS, base_register, client, xss_register, zipped
from conftest import MakeStore
from support import TODAY

import queries
from app.views.findings import CSV_COLUMNS, all_findings, chosen
from graph.schema import TABLES
from graph.store import Store

DAY = f"as_of={TODAY.isoformat()}"


def table(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of the table with ``table_id`` (charts, hidden from readers, left out)."""
    match = re.search(rf'<table[^>]*id="{table_id}"[^>]*>.*?<tbody>(.*?)</tbody>', html, re.DOTALL)
    assert match, f"no table {table_id}"
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.DOTALL)
    cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL) for row in rows]
    texts = [[re.sub(r"<svg.*?</svg>", " ", cell, flags=re.DOTALL) for cell in row] for row in cells]
    return [[" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in row] for row in texts]


def ask(store: Store, name: str, **params: Any) -> list[dict[str, Any]]:
    query = queries.get(name)
    return store.run(query, query.bind(params, today=TODAY))


def test_home_lists_every_icb_with_its_share_coverage_and_findings(make_store: MakeStore) -> None:
    store = make_store(base_register())
    html = client(store).get(f"/views/?{DAY}").text
    rows = table(html, "icb-table")
    summary = ask(store, "icb-shcr-only-summary")
    assert [row[0] for row in rows] == [f"{r['name']} ({r['icb']})" for r in summary]
    qaa = next(row for row in rows if row[0].endswith("(QAA)"))
    expected = next(r for r in summary if r["icb"] == "QAA")
    assert qaa[1] == str(expected["practices"]) and f"({expected['shcr_only']})" in qaa[2]
    score = {r["icb"]: r["score"] for r in ask(store, "icb-coverage")}["QAA"]
    assert qaa[3].startswith(f"{round(score * 5)}/5")
    findings = [f for f in all_findings(lambda q, p: store.run(q, p), TODAY) if "QAA" in f.icbs]
    assert qaa[4].startswith(str(len(findings))) and len(findings) > 0
    assert 'href="/views/icb/QAA/overview?as_of=2026-11-25"' in html
    deprivation = table(html, "deprivation")
    assert [row[0] for row in deprivation] == ["1", "2", "3", "4", "5", "unknown"]
    assert sum(int(row[1]) for row in deprivation) == sum(r["practices"] for r in summary)


def test_the_home_page_keeps_its_links_to_every_view(make_store: MakeStore) -> None:
    html = client(make_store(base_register())).get("/views/").text
    # Without a date asked for, links carry none.
    assert 'href="/views/icb/QAA/overview"' in html and 'href="/views/findings"' in html
    assert 'id="lineage"' in html and 'id="chain"' in html and 'id="queries"' in html and 'id="systems"' in html


def test_an_icbs_page_sets_its_numbers_beside_englands_and_lists_practices_left_out(make_store: MakeStore) -> None:
    store = make_store(base_register())
    api = client(store)
    html = api.get(f"/views/icb/QAA/overview?{DAY}").text
    left = ask(store, "practices-not-opted-in", icb="QAA")
    assert [row[0] for row in table(html, "left-out")] == [r["practice"] for r in left]
    assert [row[2] for row in table(html, "left-out")] == [f"{r['list_size']:,}" for r in left]
    comparison = {row[0]: row[1:] for row in table(html, "comparison")}
    practices = sum(r["practices"] for r in ask(store, "icb-shcr-only-summary"))
    assert comparison["GP practices"] == ["3", f"{practices:,}"]
    assert 'id="network"' in html and "network-data" in html
    phm = api.get(f"/views/icb/QAA/overview?{DAY}&system_type=phm_platform").text
    assert [row[0] for row in table(phm, "left-out")] == [
        r["practice"] for r in ask(store, "practices-not-opted-in", icb="QAA", system_type="phm_platform")
    ]
    assert api.get("/views/icb/QZZ/overview").status_code == 404
    assert api.get("/views/icb/QAA/overview?system_type=epr").status_code == 422


@pytest.mark.parametrize(
    ("filters", "check", "icb", "org"),
    [
        ("", None, None, None),
        ("check=lawful-basis", "lawful-basis", None, None),
        ("icb=QAA&org=A00003", None, "QAA", "A00003"),
        ("check=&icb=&org=gp-a", None, None, "gp-a"),
    ],
)
def test_findings_filter_and_the_csv_holds_what_is_shown(
    make_store: MakeStore, filters: str, check: str | None, icb: str | None, org: str | None
) -> None:
    store = make_store(base_register(), xss_register())
    expected = chosen(all_findings(lambda q, p: store.run(q, p), TODAY), check, icb, org)
    assert expected, "the register should give findings for each filter"
    api = client(store)
    html = api.get(f"/views/findings?{DAY}&{filters}").text
    rows = table(html, "findings")
    assert [(row[0], row[4]) for row in rows] == [(f.check, f.reason) for f in expected]
    link = re.search(r'id="csv" href="([^"]+)"', html)
    assert link
    response = api.get(unescape(link.group(1)))
    assert response.headers["content-type"].startswith("text/csv")
    written = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(written[0]) == CSV_COLUMNS
    assert [(r["check"], r["flow_id"], r["reason"]) for r in written] == [
        (f.check, f.flow_id or "", f.reason) for f in expected
    ]


def test_findings_filters_that_name_nothing_are_clear_errors(make_store: MakeStore) -> None:
    api = client(make_store(base_register()))
    assert "choose one of: lawful-basis" in api.get("/views/findings?check=nope").json()["fix"]
    assert api.get("/views/findings?org=NOPE").status_code == 404
    assert api.get("/views/findings?as_of=yesterday").status_code == 422


def test_a_flows_page_shows_every_register_field_its_agreements_findings_and_neighbours(
    make_store: MakeStore,
) -> None:
    store = make_store(base_register())
    html = client(store).get(f"/views/flow/f2?{DAY}").text
    terms = re.findall(r"<dt>(.*?)</dt>", html)
    assert terms == [*TABLES["flows"].names, "source_register"]
    assert 'href="/views/node/RAA"' in html  # its processor
    assert [row[0] for row in table(html, "flow-findings")] == [
        f.check for f in all_findings(lambda q, p: store.run(q, p), TODAY) if f.flow_id == "f2"
    ]
    assert re.search(r'id="before">.*?href="/views/flow/f1"', html, re.DOTALL)
    assert re.search(r'id="after">.*?href="/views/flow/f3"', html, re.DOTALL)
    assert "None: the flow lists no agreement, and none names two of its role holders" in html
    assert client(store).get("/views/flow/nope").status_code == 404


def test_search_ranks_codes_then_names_and_links_to_each_page(make_store: MakeStore) -> None:
    api = client(make_store(base_register()))
    found = api.get("/api/search?q=qaa").json()
    assert found["results"][0] == {
        "kind": "organisation",
        "id": "QAA",
        "name": "NHS Alpha ICB",
        "type": "icb",
        "icb": "QAA",
        "match": "code",
        "url": "/views/icb/QAA/overview",
    }
    practices = api.get("/api/search?q=practice a0000&limit=2").json()
    assert [(r["id"], r["url"]) for r in practices["results"]] == [
        ("A00001", "/views/node/A00001"),
        ("A00002", "/views/node/A00002"),
    ]
    assert api.get("/api/search?q=f3").json()["results"][0]["url"] == "/views/flow/f3"
    assert api.get("/api/search?q=").status_code == 422
    assert api.get("/api/search?q=x&limit=51").status_code == 422
    page = api.get("/views/search?q=alpha+care").text
    assert 'href="/views/node/shcr"' in page


def test_an_upload_with_a_bad_row_shows_the_problem_and_changes_nothing(make_store: MakeStore) -> None:
    store = make_store(base_register())
    before = (store.counts(), [info.name for info in store.registers()])
    api = client(store, write_token=WRITE)
    header = "flow_id,source,destination,data_categories,purposes,identifiability,controllers"
    bad = zipped({"flows.csv": f"{header}\nz1,A00003,shcr,primary_care,direct_care,identifyable,A00003\n"})
    response = api.post("/views/upload", files={"file": ("extra.zip", bad)}, data={"token": WRITE})
    assert response.status_code == 422
    assert table(response.text, "problems") == [
        [
            "extra/flows.csv",
            "2",
            "identifiability",
            "identifyable",
            "expected one of: identifiable, pseudonymised, anonymised, aggregate",
        ]
    ]
    assert (store.counts(), [info.name for info in store.registers()]) == before
    good = zipped({"flows.csv": f"{header}\nz1,A00003,shcr,primary_care,direct_care,identifiable,A00003\n"})
    loaded = api.post("/views/upload", files={"file": ("extra.zip", good)}, data={"token": WRITE})
    assert loaded.status_code == 200 and "Loaded extra" in loaded.text
    assert store.counts()["flows"] == before[0]["flows"] + 1
    # The search index follows the graph.
    assert api.get("/api/search?q=z1").json()["results"][0]["id"] == "z1"


def test_an_upload_needs_the_write_token(make_store: MakeStore) -> None:
    store = make_store(base_register())
    good = zipped({"flows.csv": "flow_id,source,destination,data_categories,purposes,identifiability,controllers\n"})
    wrong = client(store, write_token=WRITE).post(
        "/views/upload", files={"file": ("x.zip", good)}, data={"token": "guess"}
    )
    assert wrong.status_code == 401 and "not this server's write token" in unescape(wrong.text)
    closed = client(store)
    assert 'id="disabled"' in closed.get("/views/upload").text
    assert closed.post("/views/upload", files={"file": ("x.zip", good)}, data={"token": "x"}).status_code == 403
    assert [info.name for info in store.registers()] == ["base"]


def test_names_on_the_pages_are_text_not_markup(make_store: MakeStore) -> None:
    api = client(make_store(base_register(), xss_register()))
    for path in (
        f"/views/?{DAY}",
        f"/views/icb/QAA/overview?{DAY}",
        f"/views/findings?{DAY}",
        f"/views/flow/x1?{DAY}",
        "/views/search?q=img",
    ):
        html = api.get(path).text
        assert XSS not in html, path
        if "findings" not in path:  # which names no node, only ids
            assert "&lt;img src=x onerror=alert(1)&gt;" in html or "\\u003cimg src=x onerror=alert(1)\\u003e" in html, (
                path
            )
