"""The search index: its ranking tiers, its order within a tier, and one index per graph version."""

from __future__ import annotations

from support import SYSTEMS, register, tiny_reference

from graph.memory import MemoryStore
from loaders.register import validate_together
from queries.search import Entry, SearchIndex, SearchIndexes, fold

ENTRIES = [
    Entry("organisation", "QOP", "NHS Greater Manchester Integrated Care Board", "icb", "QOP"),
    Entry("organisation", "P82001", "Bolton Medical Centre", "gp_practice", "QOP"),
    Entry("organisation", "P82002", "Kearsley Medical Centre", "gp_practice", "QOP"),
    Entry("organisation", "Y02321", "The Bolton Practice", "gp_practice", "QOP"),
    Entry("organisation", "U12345", "Bolton Central PCN", "pcn", "QOP"),
    Entry("organisation", "RMC", "Bolton NHS Foundation Trust", "acute_trust", "QOP"),
    Entry("system", "gmcr", "Greater Manchester Care Record", "shared_care_record", "QOP"),
    Entry("flow", "gm-1", "Bolton Medical Centre → Greater Manchester Care Record", "flow"),
    Entry("organisation", "B00LT", "Hebolton Surgery", "gp_practice", "QOP"),
]


def index() -> SearchIndex:
    return SearchIndex(sorted(ENTRIES, key=Entry.rank))


def found(query: str, limit: int = 20) -> list[tuple[str, str]]:
    return [(hit["id"], hit["match"]) for hit in index().search(query, limit)]


def test_an_exact_code_comes_first_whatever_its_case() -> None:
    assert found("p82001")[0] == ("P82001", "code")
    assert found("  gmcr ")[0] == ("gmcr", "code")


def test_then_names_starting_with_the_query_then_names_with_its_words_then_any_part() -> None:
    assert found("bolton") == [
        ("P82001", "prefix"),  # shorter names first
        ("RMC", "prefix"),
        ("U12345", "prefix"),  # groupings after bodies
        ("gm-1", "prefix"),  # flows last in their tier
        ("Y02321", "words"),
        ("B00LT", "part"),
    ]


def test_every_word_of_the_query_must_start_a_word_of_the_name() -> None:
    assert found("medical bolt") == [("P82001", "words"), ("gm-1", "words")]
    assert found("manchester care") == [("QOP", "words"), ("gmcr", "words"), ("gm-1", "words")]
    assert found("bolton zebra") == []


def test_punctuation_and_case_are_ignored() -> None:
    assert fold("St. John's  SURGERY") == "st john s surgery"
    assert found("KEARSLEY-medical")[0] == ("P82002", "prefix")


def test_a_code_prefix_counts_as_a_prefix_and_the_limit_holds() -> None:
    assert found("p8200") == [("P82001", "prefix"), ("P82002", "prefix")]
    assert found("bolton", limit=2) == [("P82001", "prefix"), ("RMC", "prefix")]
    assert found("") == [] and found("   ") == [] and found("...")[:1] == []


def test_the_index_is_built_once_per_graph_version() -> None:
    reference = tiny_reference()
    store = MemoryStore(reference, None)
    indexes = SearchIndexes()
    first = indexes.of(store)
    assert indexes.of(store) is first
    assert [hit["id"] for hit in first.search("alpha care")] == []
    added = register(systems=SYSTEMS, flows="f1,A00001,shcr,primary_care,direct_care,identifiable,A00001,,,")
    validate_together(reference, {}, [added])
    store.replace([added])
    second = indexes.of(store)
    assert second is not first
    assert [hit["id"] for hit in second.search("alpha care")] == ["shcr", "f1"]


def test_short_prefixes_give_the_same_best_matches_as_a_full_scan() -> None:
    # More entries under one letter than the index keeps ready for it, in an order unlike their names'.
    entries = sorted(
        (Entry("organisation", f"X{n:05d}", f"S{(n * 7919) % 1000:03d} Surgery", "gp_practice") for n in range(400)),
        key=Entry.rank,
    )
    index = SearchIndex(entries)
    for query, limit in (("s", 10), ("S0", 50), ("s9", 3), ("x", 20)):
        expected = [e.id for e in entries if fold(e.name).startswith(fold(query)) or e.id.lower().startswith(query)]
        assert [hit["id"] for hit in index.search(query, limit)] == expected[:limit], query
