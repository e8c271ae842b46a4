"""What a store promises beyond query answers: atomic loads, persistence, and a crash leaving no trace."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import SYSTEMS, register, tiny_reference

from graph.archive import HISTORY_DIR
from graph.memory import MemoryStore
from graph.state import STATE_FILE
from graph.store import StoreError

FIRST = "f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,"
MANY = "\n".join(f"g{i},A0000{1 + i % 3},phm,primary_care,planning,pseudonymised,QAA,,," for i in range(40))


def snapshot(store):
    return store.loaded(), store.registers(), store.counts()


def test_loading_a_register_again_replaces_it_whole_and_leaves_others(make_store, ask):
    store = make_store(
        register("one", systems=SYSTEMS, flows=FIRST + "\nf2,A00002,phm,primary_care,planning,pseudonymised,QAA,,,"),
        register("two", flows="t1,B00001,RAA,acute,direct_care,identifiable,B00001,,,"),
    )
    assert store.counts()["flows"] == 3
    store.replace([register("one", systems=SYSTEMS, flows=FIRST)])
    assert store.counts()["flows"] == 2
    assert sorted(store.loaded()) == ["one", "two"]
    assert [r["practice"] for r in ask(store, "practices-shcr-only", icb="QAA")] == ["A00001", "A00002", "A00003"]


def test_removing_a_register_removes_its_nodes_and_flows(make_store):
    store = make_store(
        register("one", systems=SYSTEMS, flows=FIRST),
        register("two", flows="t1,B00001,RAA,acute,direct_care,identifiable,B00001,,,"),
    )
    before = store.counts()
    store.remove(["one"])
    after = store.counts()
    assert after["flows"] == 1 and after["systems"] == before["systems"] - 5
    with pytest.raises(StoreError, match="no register named nope"):
        store.remove(["nope"])


def test_an_organisation_row_overrides_reference_facts_until_removed(make_store, ask):
    override = register(
        "one",
        organisations="org_id,name,org_type\nA00002,Renamed Practice,gp_practice",
        flows="f1,A00002,RAA,acute,direct_care,identifiable,A00002,,,",
    )
    store = make_store(override)
    rows = ask(store, "practices-shcr-only", icb="QAA")
    # The reference hierarchy (its ICB) stays while the name is the register's.
    assert [r["name"] for r in rows if r["practice"] == "A00002"] == ["Renamed Practice"]
    store.remove(["one"])
    rows = ask(store, "practices-shcr-only", icb="QAA")
    assert [r["name"] for r in rows if r["practice"] == "A00002"] == ["Practice A00002"]


def test_neo4j_load_interrupted_between_batches_leaves_the_previous_graph(make_neo4j_store, ask):
    store = make_neo4j_store(register("one", systems=SYSTEMS, flows=FIRST))
    before = snapshot(store)
    answer = ask(store, "practices-shcr-only", icb="QAA")
    store.batch_size = 10
    batches: list[tuple[str, int]] = []

    def crash(label: str, sent: int) -> None:
        batches.append((label, sent))
        if label == "flows" and sent == 20:
            raise RuntimeError("killed midway")

    store.after_batch = crash
    with pytest.raises(RuntimeError, match="killed midway"):
        store.replace([register("one", systems=SYSTEMS, flows=FIRST + "\n" + MANY)])
    assert ("flows", 10) in batches  # it really was stopped between batches, after some were sent
    assert snapshot(store) == before
    assert ask(store, "practices-shcr-only", icb="QAA") == answer
    store.after_batch = None
    store.replace([register("one", systems=SYSTEMS, flows=FIRST + "\n" + MANY)])
    assert store.counts()["flows"] == 41


def test_embedded_load_survives_a_restart(tmp_path: Path):
    reference = tiny_reference()
    store = MemoryStore(reference, tmp_path)
    store.replace([register("one", systems=SYSTEMS, flows=FIRST)])
    again = MemoryStore(reference, tmp_path)
    assert again.loaded() == store.loaded()
    assert again.registers() == store.registers()
    assert again.counts() == store.counts()
    # Each change rewrites only the registers it changes: what is on disk is still the whole graph.
    steps = [
        lambda: store.replace(
            [register("two", systems=SYSTEMS.replace("gp-a", "gp-z"), flows=FIRST.replace("f1,", "t1,"))]
        ),
        lambda: store.replace([register("one", systems=SYSTEMS, flows=FIRST + "\n" + MANY)]),
        lambda: store.remove(["two"]),
    ]
    for step in steps:
        step()
        again = MemoryStore(reference, tmp_path)
        assert (again.loaded(), again.registers(), again.counts()) == (
            store.loaded(),
            store.registers(),
            store.counts(),
        )
        assert snapshot(again) == snapshot(store)


def test_embedded_crash_mid_write_keeps_the_old_state_on_disk_and_in_memory(tmp_path: Path, monkeypatch):
    reference = tiny_reference()
    store = MemoryStore(reference, tmp_path)
    store.replace([register("one", systems=SYSTEMS, flows=FIRST)])
    state = (tmp_path / STATE_FILE).read_bytes()
    before = snapshot(store)

    def crash(source: str, target: str) -> None:
        raise OSError("disk pulled out")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk pulled out"):
        store.replace([register("one", systems=SYSTEMS, flows=FIRST + "\n" + MANY)])
    monkeypatch.undo()
    assert (tmp_path / STATE_FILE).read_bytes() == state
    assert snapshot(store) == before
    # No temporary file left behind; the register's history holds the version saved, not the one that failed.
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert files == [f"{HISTORY_DIR}/one/0001.json.gz", STATE_FILE]
    assert MemoryStore(reference, tmp_path).loaded() == before[0]


def test_a_corrupt_state_file_is_reported_with_how_to_recover(tmp_path: Path):
    (tmp_path / STATE_FILE).write_text('{"format": 1, "registers": [{"name": ')
    with pytest.raises(StoreError, match="move it aside"):
        MemoryStore(tiny_reference(), tmp_path)
