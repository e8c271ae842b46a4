"""Register versions on both stores: numbering, identical reloads, every kind of diff entry, rollback,
removal, and history kept across a restart (issue #13)."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from conftest import MakeStore, neo4j_uri
from support import SYSTEMS, register

from graph.diff import diff
from graph.history import canonical, digest
from graph.memory import MemoryStore
from graph.state import STATE_FILE
from graph.store import Store, StoreError

AGREEMENTS = "agreement_id,agreement_type,parties,start,end\n"
ORGANISATIONS = "org_id,name,org_type\n"


def version_one(name: str = "one") -> Any:
    return register(
        name,
        organisations=ORGANISATIONS + "X00001,Supplier One,supplier\nX00002,Supplier Two,supplier",
        systems=SYSTEMS,
        flows="f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,live,,\n"
        "f2,A00002,phm,primary_care,planning,pseudonymised,QAA,live,,\n"
        "f3,A00003,phm,primary_care,planning,pseudonymised,QAA,live,,",
        agreements=AGREEMENTS + "dsa-1,dsa,A00001;QAA,2024-01-01,2026-12-31\ndsa-2,dsa,A00002;QAA,,",
    )


def version_two(name: str = "one") -> Any:
    """Version one with one of each kind of record added, removed and changed."""
    return register(
        name,
        organisations=ORGANISATIONS + "X00001,Supplier One Ltd,supplier\nX00003,Supplier Three,supplier",
        systems=SYSTEMS.replace("gpes,GPES,national_collection,,,,UK\n", "").replace(
            "Alpha PHM,phm_platform,,,QAA,UK", "Alpha PHM,phm_platform,,,QAA,EU"
        )
        + "sde,Alpha SDE,sde,,,QAA,UK\n",
        flows="f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,live,,\n"
        "f2,A00002,phm,primary_care;acute,planning,anonymised,QAA,live,,2027-03-31\n"
        "f4,A00003,sde,primary_care,research,pseudonymised,QAA,live,,",
        agreements=AGREEMENTS + "dsa-1,dsa,A00001;QAA,2024-01-01,2027-12-31\ndsa-3,dsa,A00003;QAA,,",
    )


def reopen(store: Store) -> Store:
    """The same store as a new process would open it."""
    if isinstance(store, MemoryStore):
        return MemoryStore(store.reference, store.data_dir)
    from graph.neo4j_store import Neo4jStore

    return Neo4jStore.connect(neo4j_uri(), store.reference, database=os.environ.get("NEO4J_DATABASE"))  # type: ignore[attr-defined]


def summary(store: Store, name: str) -> list[tuple[int, str, str, str, dict[str, int], str]]:
    return [(v.version, v.sha256, v.actor, v.source, dict(v.counts), v.note) for v in store.versions(name)]


def test_each_load_that_changes_a_register_is_its_next_version(make_store: MakeStore) -> None:
    store = make_store()
    first, second = version_one(), version_two()
    (info,) = store.replace([first], actor="alice")
    assert info.version == 1
    store.replace([register("other", flows="o1,B00001,RAA,acute,direct_care,identifiable,B00001,live,,")])
    (info,) = store.replace([second], actor="bob", note="the March review")
    assert info.version == 2 and info.counts == second.counts()
    assert summary(store, "one") == [
        (1, digest(first), "alice", "one", first.counts(), ""),
        (2, digest(second), "bob", "one", second.counts(), "the March review"),
    ]
    assert [v.version for v in store.versions("other")] == [1]
    assert [(v.name, v.version) for v in store.versions()] == [("one", 1), ("one", 2), ("other", 1)]
    assert {i.name: i.version for i in store.registers()} == {"one": 2, "other": 1}
    # Only the version in the graph is in the graph; earlier ones are kept whole.
    assert store.loaded()["one"].flows == second.flows
    assert canonical(store.version_register("one", 1)) == canonical(first)
    assert canonical(store.version_register("one", 2)) == canonical(second)
    assert all(v.created_at and v.sha256 == digest(store.version_register(v.name, v.version)) for v in store.versions())
    with pytest.raises(StoreError, match="has no version 7; its versions: 1, 2"):
        store.version_register("one", 7)


def test_an_identical_reload_makes_no_new_version(make_store: MakeStore) -> None:
    store = make_store()
    (first,) = store.replace([version_one()], actor="alice")
    before = (store.registers(), store.versions(), store.version())
    # The same rows, from another file and in another order: the same register.
    again = version_one()
    again.path = "elsewhere/one.xlsx"
    again.flows.reverse()
    again.organisations.reverse()
    (info,) = store.replace([again], actor="bob")
    assert info == first and info.version == 1
    assert (store.registers(), store.versions(), store.version()) == before


def test_a_diff_lists_every_kind_of_record_added_removed_and_changed(make_store: MakeStore) -> None:
    store = make_store(version_one())
    store.replace([version_two()])
    changes = diff(store.version_register("one", 1), store.version_register("one", 2)).as_dict()
    assert [(e["kind"], e["id"]) for e in changes["added"]] == [
        ("organisation", "X00003"),
        ("system", "sde"),
        ("flow", "f4"),
        ("agreement", "dsa-3"),
    ]
    assert [(e["kind"], e["id"]) for e in changes["removed"]] == [
        ("organisation", "X00002"),
        ("system", "gpes"),
        ("flow", "f3"),
        ("agreement", "dsa-2"),
    ]
    assert changes["added"][2]["record"]["purposes"] == ["research"]
    assert changes["removed"][1]["record"]["name"] == "GPES"
    assert changes["changed"] == [
        {
            "kind": "organisation",
            "id": "X00001",
            "fields": {"name": {"old": "Supplier One", "new": "Supplier One Ltd"}},
        },
        {"kind": "system", "id": "phm", "fields": {"hosting_location": {"old": "UK", "new": "EU"}}},
        {
            "kind": "flow",
            "id": "f2",
            "fields": {
                "data_categories": {"old": ["primary_care"], "new": ["primary_care", "acute"]},
                "identifiability": {"old": "pseudonymised", "new": "anonymised"},
                "valid_to": {"old": None, "new": "2027-03-31"},
            },
        },
        {"kind": "agreement", "id": "dsa-1", "fields": {"end": {"old": "2026-12-31", "new": "2027-12-31"}}},
    ]
    assert not diff(store.version_register("one", 2), store.loaded()["one"])


def test_a_rollback_is_a_new_version_equal_to_the_old_one(make_store: MakeStore, ask: Any) -> None:
    store = make_store(version_one())
    answer = ask(store, "data-copies", icb="QAA", category="primary_care")
    store.replace([version_two()])
    assert ask(store, "data-copies", icb="QAA", category="primary_care") != answer
    (info,) = store.replace([store.version_register("one", 1)], actor="carol", note="rollback to version 1")
    assert info.version == 3
    three = store.versions("one")[-1]
    assert (three.sha256, three.actor, three.note) == (digest(version_one()), "carol", "rollback to version 1")
    assert ask(store, "data-copies", icb="QAA", category="primary_care") == answer
    # Rolling back to what is in the graph changes nothing.
    store.replace([store.version_register("one", 1)])
    assert [v.version for v in store.versions("one")] == [1, 2, 3]


def test_removing_a_register_keeps_its_versions_and_numbering_goes_on(make_store: MakeStore) -> None:
    store = make_store(version_one())
    store.remove(["one"])
    assert store.registers() == [] and [v.version for v in store.versions("one")] == [1]
    (info,) = store.replace([version_one()])  # identical to version 1, but not in the graph: a change
    assert info.version == 2 and store.versions("one")[-1].sha256 == store.versions("one")[0].sha256


def test_history_is_kept_across_a_restart(make_store: MakeStore) -> None:
    store = make_store(version_one())
    store.replace([version_two()], actor="bob")
    store.remove(["one"])
    store.replace([register("other", flows="o1,B00001,RAA,acute,direct_care,identifiable,B00001,live,,")])
    again = reopen(store)
    try:
        assert again.versions() == store.versions()
        assert again.registers() == store.registers()
        assert canonical(again.version_register("one", 1)) == canonical(version_one())
        (info,) = again.replace([version_two()])
        assert info.version == 3
    finally:
        again.close()


def test_a_register_loaded_before_versions_were_kept_is_version_one(make_store: MakeStore) -> None:
    store = make_store(version_one())
    loaded_at = store.registers()[0].loaded_at
    if isinstance(store, MemoryStore):
        assert store.data_dir is not None
        state = json.loads((store.data_dir / STATE_FILE).read_text())
        del state["history"]
        for record in state["registers"]:
            del record["version"]
        (store.data_dir / STATE_FILE).write_text(json.dumps(state))
        for path in (store.data_dir / "history").rglob("*.json.gz"):
            path.unlink()
    else:
        with store.driver.session() as session:  # type: ignore[attr-defined]
            session.run("MATCH (v:RegisterVersion) DELETE v").consume()
    old = reopen(store)
    try:
        if isinstance(old, MemoryStore):
            assert [(v.version, v.created_at) for v in old.versions("one")] == [(1, loaded_at)]
        old.replace([version_two()])
        assert [(v.version, v.sha256) for v in old.versions("one")] == [
            (1, digest(version_one())),
            (2, digest(version_two())),
        ]
        assert canonical(old.version_register("one", 1)) == canonical(version_one())
    finally:
        old.close()


def test_neo4j_refuses_a_second_writer_numbering_the_same_version(
    make_neo4j_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph import neo4j_history

    store = make_neo4j_store(version_one())
    before = (store.registers(), store.versions(), store.counts())
    # As if this writer had read the versions just before another process's load committed.
    monkeypatch.setattr(neo4j_history, "read_versions", lambda read, name=None: [])
    with pytest.raises(StoreError, match="another process loaded a version of the same register"):
        store.replace([version_two()])
    monkeypatch.undo()
    assert (store.registers(), store.versions(), store.counts()) == before
