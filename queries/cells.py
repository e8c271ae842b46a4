"""How the records (RoPA, information assets and flows register) write what the graph holds in a cell.

Every cell is text: vocabulary values as words, lists joined with ``"; "`` in a stable order, nodes as
``Name (id)``, findings one per line. A cell the graph holds nothing for is the empty string, never a
guess: ``joined`` of nothing is ``""``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any, TypeVar

from graph.model import Agreement, Flow
from queries.checks_destinations import in_uk

E = TypeVar("E", bound=Enum)
SEPARATOR = "; "


def words(value: str | Enum) -> str:
    """A vocabulary value as words.

    >>> from graph.vocab import Purpose
    >>> words(Purpose.POPULATION_HEALTH_MANAGEMENT), words("s251")
    ('population health management', 's251')
    """
    text = value.value if isinstance(value, Enum) else value
    return str(text).replace("_", " ")


def joined(items: Iterable[str]) -> str:
    """Distinct items in the order first given, joined with ``"; "``; nothing is the empty cell.

    >>> joined(["a", "b", "a"]), joined([])
    ('a; b', '')
    """
    return SEPARATOR.join(dict.fromkeys(item for item in items if item))


def in_vocabulary_order(values: Iterable[E], vocabulary: type[E]) -> list[E]:
    """Distinct vocabulary values in the vocabulary's own order (categories, purposes)."""
    order = {member: index for index, member in enumerate(vocabulary)}
    return sorted(set(values), key=order.__getitem__)


def agreement_label(agreement: Agreement) -> str:
    """An agreement as a record names it: its id and, when recorded, its reference.

    >>> from graph.vocab import AgreementType
    >>> agreement_label(Agreement("gm-art28-phm", AgreementType.ART28_CONTRACT, (), reference="GM PHM"))
    'gm-art28-phm (GM PHM)'
    """
    return f"{agreement.agreement_id} ({agreement.reference})" if agreement.reference else agreement.agreement_id


def findings_text(findings: Sequence[Mapping[str, Any]]) -> str:
    """IG check findings, one per line: ``rule: reason``."""
    return "\n".join(f"{row['rule']}: {row['reason']}" for row in findings)


def abroad(flows: Iterable[Flow], nodes: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Where the flows' destination systems are hosted, when that is recorded and is not the UK: the third
    countries personal data are transferred to (as the ``offshore`` check reads hosting)."""
    found = []
    for flow in flows:
        hosting = nodes.get(flow.destination, {}).get("hosting_location")
        if hosting and not in_uk(hosting):
            found.append(hosting.strip())
    return sorted(set(found))


def location(node_id: str, nodes: Mapping[str, Mapping[str, Any]], name: str) -> str:
    """Where data is held: the node, with its hosting location when one is recorded."""
    hosting = nodes.get(node_id, {}).get("hosting_location")
    return f"{name}, hosted in {hosting.strip()}" if hosting else name
