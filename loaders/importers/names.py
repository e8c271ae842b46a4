"""Organisation names as registers write them, and finding the reference organisation a name means.

Published registers name recipients by hand: ``NHS FYLDE & WYRE CCG`` and ``NHS FYLDE AND WYRE CCG``,
trailing spaces, non-breaking spaces, ``PUBLIC HEALTH ENGLAND (PHE)``. ``normalise`` reduces a name to a
key two spellings of one body share; ``RecipientIndex`` matches a name to the one reference organisation
with the same key, or to none.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from graph.model import Organisation
from graph.vocab import OrgType

# The reference organisations a recipient may be: trusts, councils, ICBs and sub-ICB locations, CSUs.
MATCHED_TYPES = frozenset(
    {
        OrgType.ACUTE_TRUST,
        OrgType.COMMUNITY_TRUST,
        OrgType.MENTAL_HEALTH_TRUST,
        OrgType.AMBULANCE_TRUST,
        OrgType.COMBINED_TRUST,
        OrgType.LOCAL_AUTHORITY,
        OrgType.ICB,
        OrgType.SUB_ICB_LOCATION,
        OrgType.CSU,
    }
)
# Words that say a body is a council rather than which council: ``LONDON BOROUGH OF BEXLEY`` and the
# reference's ``Bexley`` are one place, as are ``DURHAM COUNTY COUNCIL`` and ``County Durham``.
COUNCIL_WORDS = frozenset(
    {"council", "borough", "metropolitan", "district", "county", "city", "of", "unitary", "london", "royal"}
)
COUNCIL = re.compile(r"\bcouncil\b|^london borough of\b")
RESEARCH = re.compile(
    r"\b(universit\w*|college|institute|school|research|biobank|academy|centre for|trust for|foundation)\b"
)
COMPANY = re.compile(r"\b(ltd|limited|llp|plc|inc|llc|gmbh|company|solutions|consulting|analytics)\b")
# NHS bodies the reference data lacks (closed trusts, CCGs, hospitals) are neither of those.
NHS = re.compile(r"\b(nhs|hospitals?|ccg)\b")


def normalise(name: str) -> str:
    """A name reduced to what tells bodies apart: case, spacing, ``&``, punctuation and a trailing
    parenthesis dropped.

    >>> normalise("NHS FYLDE & WYRE CCG "), normalise("Public Health England (PHE)"), normalise("NHS\\xa0BRACKNELL")
    ('nhs fylde and wyre ccg', 'public health england', 'nhs bracknell')
    """
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    text = re.sub(r"\([^)]*\)\s*$", " ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def place(name: str) -> str:
    """A council's name reduced to its place, from either side: ``LONDON BOROUGH OF BEXLEY`` -> ``bexley``.

    >>> place("DURHAM COUNTY COUNCIL"), place("County Durham"), place("Brighton & Hove City Council")
    ('durham', 'durham', 'brighton and hove')
    """
    return " ".join(word for word in normalise(name).split() if word not in COUNCIL_WORDS)


def slug(name: str) -> str:
    """Lower case, every run of characters other than ``a-z0-9`` one ``-``, trimmed of ``-``.

    >>> slug("Hospital Episode Statistics Admitted Patient Care"), slug(" Patient Level Costing data (PLICS) ")
    ('hospital-episode-statistics-admitted-patient-care', 'patient-level-costing-data-plics')
    """
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def recipient_type(name: str) -> OrgType:
    """What a body the reference data lacks is, from its name: universities and research bodies, companies,
    else other (NHS bodies among them).

    >>> recipient_type("UNIVERSITY OF BRISTOL"), recipient_type("IMS HEALTH LTD"), recipient_type("MONITOR")
    (<OrgType.RESEARCH_ORG: 'research_org'>, <OrgType.SUPPLIER: 'supplier'>, <OrgType.OTHER: 'other'>)
    """
    text = normalise(name)
    if NHS.search(text):
        return OrgType.OTHER
    if COMPANY.search(text):
        return OrgType.SUPPLIER
    if RESEARCH.search(text):
        return OrgType.RESEARCH_ORG
    return OrgType.OTHER


class RecipientIndex:
    """The reference organisations a recipient's name can mean, by normalised name (councils by place)."""

    def __init__(self, organisations: Iterable[Organisation]) -> None:
        self._by_name: dict[str, list[str]] = defaultdict(list)
        self._by_place: dict[str, list[str]] = defaultdict(list)
        for organisation in organisations:
            if organisation.org_type not in MATCHED_TYPES:
                continue
            self._by_name[normalise(organisation.name)].append(organisation.org_id)
            if organisation.org_type is OrgType.LOCAL_AUTHORITY:
                self._by_place[place(organisation.name)].append(organisation.org_id)

    def match(self, name: str) -> str | None:
        """The id of the one organisation with the same normalised name, else None (none, or several)."""
        key = normalise(name)
        found = self._by_name.get(key, [])
        if not found and COUNCIL.search(key):
            found = self._by_place.get(place(name), [])
        return found[0] if len(found) == 1 else None
