"""NHS England's 2023-24 practice geography mapping: list sizes and local authorities.

One row per practice with its average registered list size (``Average``, text with thousands
separators such as ``"4,049"``) and the local authority its site lies in (``LAD21``, ``UTLA21``).
Only ODS codes are read for the hierarchy: the file's ONS region codes (``R23ons``) are wrong for three
regions and one practice has the ONS code of another ICB, so ``CCG23`` is resolved through the ONS
lookup instead. The LA codes are the 2021 ones: Cumbria, North Yorkshire and Somerset appear under
their pre-April-2023 county codes (``E10000006``, ``E10000023``, ``E10000027``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from graph.model import Organisation
from graph.vocab import OrgType
from loaders.geography import Geography


def list_size(text: str) -> int | None:
    """An ``Average`` cell as an int; None when blank.

    >>> list_size("18,477"), list_size(" 412 "), list_size("")
    (18477, 412, None)
    """
    digits = text.replace(",", "").strip()
    return int(digits) if digits else None


def parse_list_sizes(rows: Iterable[Mapping[str, str]]) -> dict[str, int]:
    """Practice code -> 2023-24 average list size."""
    sizes = {row["Practice"]: list_size(row["Average"]) for row in rows}
    return {practice: size for practice, size in sizes.items() if size is not None}


def parse_local_authorities(rows: Iterable[Mapping[str, str]], geography: Geography) -> list[Organisation]:
    """Upper-tier local authorities (``UTLA21``), the bodies with social care duties.

    An LA is not part of the NHS hierarchy, but questions are asked per ICB, so each LA gets the ICB
    that holds most of the list size of the practices sited in it (ties go to the lower ICB code), and
    that ICB's region. 29 LAs straddle ICBs; e.g. Cumbria goes to North East and North Cumbria (QHM),
    with Lancashire and South Cumbria (QE1) second.
    """
    names: dict[str, str] = {}
    weights: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        utla = row["UTLA21"]
        names[utla] = row["UTLA21name"]
        icb = geography.icb_of(row["CCG23"]) or (row["ICB23"] if row["ICB23"] in geography.icbs else None)
        if icb:
            weights[utla][icb] += list_size(row["Average"]) or 0
    authorities = []
    for utla, name in sorted(names.items()):
        by_icb = weights.get(utla)
        icb = min(by_icb, key=lambda code: (-by_icb[code], code)) if by_icb else None
        authorities.append(Organisation(utla, name, OrgType.LOCAL_AUTHORITY, icb=icb, region=geography.region_of(icb)))
    return authorities
