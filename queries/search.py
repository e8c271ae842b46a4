"""Finding a node or a flow by name or code: the search box's index, built once per graph version.

Every organisation, system and flow becomes an ``Entry``; ``SearchIndex`` ranks matches in four tiers:
the exact code first, then names (or codes) starting with the query, then names holding every word of
the query as the start of a word, then names of organisations and systems holding it anywhere. Within a
tier, ICBs come before other bodies and systems, those before PCNs and the other groupings, and flows
last; then shorter names first. The entries are read from either store by ``SEARCH_ENTRIES`` and the
index is pure, so both stores find the same; ``SearchIndexes`` keeps the index until the store's
``version()`` changes.
"""

from __future__ import annotations

import heapq
import re
import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from graph.model import Organisation
from graph.plan import visible
from graph.store import CypherRunner, Row, Store
from graph.view import GraphView
from graph.vocab import OrgType

MATCHES = ("code", "prefix", "words", "part")
# Groupings that are rarely what a user means when a body of the same name exists.
GROUPINGS = frozenset({OrgType.PCN.value, OrgType.SUB_ICB_LOCATION.value, OrgType.REGION.value, OrgType.ICS.value})
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, every run of other characters one space: how names and queries are compared.

    >>> fold("St. John's  SURGERY")
    'st john s surgery'
    """
    return _NOT_WORD.sub(" ", text.lower()).strip()


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing the search can find."""

    kind: str  # organisation, system or flow
    id: str
    name: str
    type: str  # org_type, system_type, or "flow"
    icb: str | None = None

    def rank(self) -> tuple[int, int, str, str]:
        if self.kind == "flow":
            group = 3
        elif self.type == OrgType.ICB.value:
            group = 0
        elif self.type in GROUPINGS:
            group = 2
        else:
            group = 1
        return group, len(self.name), self.name.lower(), self.id


def flow_name(source: str, destination: str, names: Mapping[str, str]) -> str:
    """A flow has no name of its own: it is shown, and found, by its ends."""
    return f"{names.get(source, source)} → {names.get(destination, destination)}"


def entries_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    nodes = [
        Entry("organisation", n.org_id, n.name, n.org_type.value, n.icb)
        if isinstance(n, Organisation)
        else Entry("system", n.system_id, n.name, n.system_type.value, n.icb)
        for n in view.nodes.values()
    ]
    ends = [(f.flow_id, f.source, f.destination) for f in view.flows.values()]
    return [{"entries": with_flows(nodes, ends)}]


NODES_CYPHER = """
MATCH (n:Node)
RETURN collect([n.id, n.name, coalesce(n.org_type, n.system_type), n.icb, n:Organisation]) AS nodes
"""
FLOWS_CYPHER = (
    f"MATCH ()-[f:FLOW]->() WHERE {visible('f')} RETURN collect([f.flow_id, f.source, f.destination]) AS flows"
)


def entries_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    [found] = run(NODES_CYPHER)
    nodes = [
        Entry("organisation" if organisation else "system", identifier, name, kind, icb)
        for identifier, name, kind, icb, organisation in found["nodes"]
    ]
    [flows] = run(FLOWS_CYPHER)
    return [{"entries": with_flows(nodes, [tuple(flow) for flow in flows["flows"]])}]


def with_flows(nodes: list[Entry], flows: Iterable[tuple[str, str, str]]) -> list[Entry]:
    names = {entry.id: entry.name for entry in nodes}
    found = nodes + [Entry("flow", flow_id, flow_name(s, d, names), "flow") for flow_id, s, d in flows]
    return sorted(found, key=Entry.rank)


@dataclass(frozen=True, slots=True)
class EntriesQuery:
    """Every searchable entry, read from either store (a lookup, not in the catalogue)."""

    name: str = "lookup:search-entries"

    def on_networkx(self, view: GraphView, params: Mapping[str, Any]) -> list[Row]:
        return entries_networkx(view, params)

    def on_cypher(self, run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
        return entries_cypher(run, params)


SEARCH_ENTRIES = EntriesQuery()


SHORT = 2  # prefixes this short keep their best positions ready: they cover most of a national graph
TOP = 100  # how many; a search of up to TOP // 2 matches can use them


class Keys:
    """Distinct keys (names, codes or words), sorted for prefixes by bisection, with their entries' positions."""

    def __init__(self, pairs: Iterable[tuple[str, int]]) -> None:
        self.positions: dict[str, list[int]] = defaultdict(list)
        for key, position in pairs:
            self.positions[key].append(position)
        self.keys = sorted(self.positions)
        best: dict[str, set[int]] = defaultdict(set)
        for key, positions in self.positions.items():
            for length in range(1, min(SHORT, len(key)) + 1):
                best[key[:length]].update(positions)
        self.best = {prefix: heapq.nsmallest(TOP, positions) for prefix, positions in best.items()}

    def prefixed(self, prefix: str, limit: int | None = None) -> Iterable[int]:
        """The positions under every key that starts with ``prefix``; with ``limit``, enough of the best."""
        if limit is not None and len(prefix) <= SHORT and limit <= TOP // 2:
            return self.best.get(prefix, [])
        first = bisect_left(self.keys, prefix)
        # Every key starting with the prefix sorts below the prefix followed by the highest code point.
        last = bisect_left(self.keys, prefix + "\U0010ffff", first)
        return chain.from_iterable(self.positions[key] for key in self.keys[first:last])


class SearchIndex:
    """The ranked search over a fixed list of entries (sorted by ``Entry.rank``).

    Names and codes, and the words of each, are kept as sorted distinct ``Keys``: a prefix is a
    bisection and a walk along the keys that start with it. Flows, whose names are their ends' names,
    are left out of the last tier (a name holding the query anywhere), which scans every node's name.

    >>> index = SearchIndex([Entry("organisation", "A81002", "Queens Park Medical Centre", "gp_practice"),
    ...                      Entry("organisation", "A81001", "The Densham Surgery", "gp_practice")])
    >>> [(hit["id"], hit["match"]) for hit in index.search("densham")]
    [('A81001', 'words')]
    >>> [(hit["id"], hit["match"]) for hit in index.search("a8100")]
    [('A81002', 'prefix'), ('A81001', 'prefix')]
    """

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = list(entries)
        self.codes: dict[str, list[int]] = defaultdict(list)
        for position, entry in enumerate(self.entries):
            self.codes[entry.id.lower()].append(position)
        folded = [fold(entry.name) for entry in self.entries]
        self.starts = Keys(
            [(name, i) for i, name in enumerate(folded)] + [(e.id.lower(), i) for i, e in enumerate(self.entries)]
        )
        self.words = Keys(
            (word, i)
            for i, (entry, name) in enumerate(zip(self.entries, folded, strict=True))
            for word in {*name.split(), *fold(entry.id).split()}
        )
        self.names = [(i, name) for i, name in enumerate(folded) if self.entries[i].kind != "flow"]

    def __len__(self) -> int:
        return len(self.entries)

    def search(self, query: str, limit: int = 10) -> list[dict[str, Any]]:
        """Up to ``limit`` entries matching ``query``, best first, each with how it matched."""
        folded, exact = fold(query), query.strip().lower()
        if not folded and not exact:
            return []
        found: dict[int, str] = {}

        def take(positions: Iterable[int], how: str) -> bool:
            # Positions are ranks: the best are the smallest, picked without sorting every match.
            for position in heapq.nsmallest(limit - len(found), set(positions) - found.keys()):
                found[position] = how
            return len(found) >= limit

        if take(self.codes.get(exact, ()), "code"):
            return self._hits(found)
        if folded and (
            take(self.starts.prefixed(folded, limit), "prefix") or take(self._words(folded, limit), "words")
        ):
            return self._hits(found)
        if folded:
            take((i for i, name in self.names if folded in name), "part")
        return self._hits(found)

    def _words(self, folded: str, limit: int) -> Iterable[int]:
        """Entries with a word starting with each word of the query (sets intersected in C)."""
        words = sorted(set(folded.split()), key=len, reverse=True)
        if len(words) == 1:
            return self.words.prefixed(words[0], limit)
        chosen = set(self.words.prefixed(words[0]))
        for word in words[1:]:
            chosen &= set(self.words.prefixed(word))
            if not chosen:
                break
        return chosen

    def _hits(self, found: Mapping[int, str]) -> list[dict[str, Any]]:
        order = sorted(found, key=lambda position: (MATCHES.index(found[position]), position))
        return [
            {
                "kind": self.entries[i].kind,
                "id": self.entries[i].id,
                "name": self.entries[i].name,
                "type": self.entries[i].type,
                "icb": self.entries[i].icb,
                "match": found[i],
            }
            for i in order
        ]


class SearchIndexes:
    """The index of a store's graph, rebuilt only when the store's version changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: tuple[str, SearchIndex] | None = None

    def of(self, store: Store) -> SearchIndex:
        version = store.version()
        built = self._built
        if built is not None and built[0] == version:
            return built[1]
        with self._lock:
            if self._built is None or self._built[0] != version:
                [row] = store.run(SEARCH_ENTRIES, {})
                self._built = (version, SearchIndex(row["entries"]))
            return self._built[1]
