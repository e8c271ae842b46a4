"""Paged endpoints cost the page, not the graph (#10, case 5).

``/api/flows?limit=1`` converted every matching flow to JSON before slicing (5.5 s over the national
synthetic register); ``bench/pages.py`` measures it. Here: both stores give exactly the page that filtering
every record and slicing gives, for every filter, and the embedded store converts only the page's records.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest
from api_support import base_register, client
from support import tiny_reference

import queries.records as records
from graph.memory import MemoryStore
from graph.store import Store
from loaders.register import validate_together
from queries.lookups import FLOWS, NODES, ORGANISATIONS, SYSTEMS
from queries.records import FlowFilter, flow_json

FILTERS = [
    FlowFilter(),
    FlowFilter(source="gp-a"),
    FlowFilter(destination="gp-a"),
    FlowFilter(source="gp-a", category="primary_care"),
    FlowFilter(destination="gp-a", status="live"),
    FlowFilter(category="acute"),
    FlowFilter(purpose="direct_care", identifiability="identifiable"),
    FlowFilter(controller="A00001"),
    FlowFilter(processor="RAA"),
    FlowFilter(status="ceased"),
    FlowFilter(as_of=date(2026, 11, 25)),
    FlowFilter(as_of=date(2027, 6, 1), category="primary_care"),
    FlowFilter(source="no-such-node"),
]
WINDOWS = [(1, 0), (2, 1), (100, 0), (3, 4), (5, 50)]


def expected_page(store: Store, where: FlowFilter, limit: int, offset: int) -> dict[str, Any]:
    """Every flow filtered, in flow id order, then sliced: the answer by brute force."""
    loaded = [flow for register in store.loaded().values() for flow in register.flows]
    chosen = [flow_json(flow) for flow in sorted(loaded, key=lambda f: f.flow_id) if where.matches(flow)]
    return {"total": len(chosen), "items": chosen[offset : offset + limit]}


def test_every_flow_page_is_the_slice_of_every_match_on_both_stores(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(base_register())
    for where, (limit, offset) in itertools.product(FILTERS, WINDOWS):
        [found] = store.run(FLOWS, {"where": where, "limit": limit, "offset": offset})
        assert found == expected_page(store, where, limit, offset), (where, limit, offset)


@pytest.mark.parametrize(
    ("lookup", "kind", "where"),
    [
        (ORGANISATIONS, "organisation", {"org_type": None, "icb": None, "sub_icb": None, "pcn": None}),
        (ORGANISATIONS, "organisation", {"org_type": "gp_practice", "icb": "QAA", "sub_icb": None, "pcn": None}),
        (ORGANISATIONS, "organisation", {"org_type": None, "icb": None, "sub_icb": "02B", "pcn": None}),
        (SYSTEMS, "system", {"system_type": None, "icb": None}),
        (SYSTEMS, "system", {"system_type": None, "icb": "QAA"}),
    ],
)
def test_every_node_page_is_the_slice_of_every_match_on_both_stores(make_store, lookup, kind, where) -> None:  # type: ignore[no-untyped-def]
    store = make_store(base_register())
    ids = [o.org_id for o in tiny_reference().organisations] + [s.system_id for s in base_register().systems]
    every = store.run(NODES, {"ids": ids})  # by id, in id order
    chosen = [
        record
        for record in every
        if record["kind"] == kind and all(value is None or record[key] == value for key, value in where.items())
    ]
    assert chosen, "the filter should match something"
    for limit, offset in WINDOWS:
        [found] = store.run(lookup, {"where": where, "limit": limit, "offset": offset})
        assert found == {"total": len(chosen), "items": chosen[offset : offset + limit]}


def embedded_client():  # type: ignore[no-untyped-def]
    register = base_register()
    validate_together(tiny_reference(), {}, [register])
    store = MemoryStore(tiny_reference(), None)
    store.replace([register])
    return client(store)


def counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Count the calls of ``queries.records.<name>`` (a record converter) from now on."""
    calls = [0]
    original = getattr(records, name)

    def counted(item: Any) -> Any:
        calls[0] += 1
        return original(item)

    monkeypatch.setattr(records, name, counted)
    return calls


@pytest.mark.parametrize(
    "url",
    [
        "/api/flows?limit=1",
        "/api/flows?limit=1&offset=3",
        "/api/flows?limit=1&status=live",
        "/api/flows?limit=1&as_of=2026-11-25",
    ],
)
def test_embedded_flow_pages_convert_only_the_page(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    api = embedded_client()
    calls = counting(monkeypatch, "flow_json")

    body = api.get(url).json()

    assert body["total"] > 1 and len(body["items"]) == 1
    assert calls[0] == 1


@pytest.mark.parametrize(
    "url", ["/api/organisations?limit=2", "/api/organisations?limit=2&icb=QAA", "/api/systems?limit=2"]
)
def test_embedded_node_pages_convert_only_the_page(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    api = embedded_client()
    calls = counting(monkeypatch, "node_json")

    body = api.get(url).json()

    assert body["total"] > 2 and len(body["items"]) == 2
    assert calls[0] == 2
