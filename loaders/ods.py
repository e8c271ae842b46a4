"""The ODS 27-column files: GP practices (``epraccur.csv``) and NHS trusts (``etr.csv``).

Both are headerless CSV, every field quoted, ASCII/Latin-1. ``epraccur`` comes in two layouts with the
same columns but different code values, told apart by the status column (see :func:`detect_layout`):

- legacy (ODS CSV downloads to 2025): status ``A``/``C``/``D``/``P``, prescribing setting ``4`` = GP
  practice;
- DSE (ODS Data Search & Export, 2026): status ``ACTIVE``/``INACTIVE``/``DORMANT``, prescribing setting
  as ODS role codes, ``RO76`` = GP practice, sometimes pipe-joined with another role (``RO76|RO268``).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path

from graph.model import Organisation
from graph.vocab import OrgType
from loaders.geography import Geography

# Column positions (0-based) in the ODS 27-field layout, shared by epraccur and etr.
CODE, NAME, HIGH_LEVEL_GEOGRAPHY, OPEN_DATE, CLOSE_DATE = 0, 1, 3, 10, 11
STATUS, COMMISSIONER, PRESCRIBING_SETTING = 12, 14, 25
WIDTH = 27

Row = Sequence[str]


class Layout(StrEnum):
    LEGACY = "legacy"
    DSE = "dse"


_STATUSES = {
    Layout.LEGACY: frozenset({"A", "C", "D", "P"}),
    Layout.DSE: frozenset({"ACTIVE", "INACTIVE", "DORMANT"}),
}
_ACTIVE = {Layout.LEGACY: "A", Layout.DSE: "ACTIVE"}


def ods_date(text: str) -> date | None:
    """A ``CCYYMMDD`` date, or None when blank.

    >>> ods_date("19740401"), ods_date("")
    (datetime.date(1974, 4, 1), None)
    """
    return date.fromisoformat(text) if text else None


def check_width(rows: Sequence[Row], what: str) -> None:
    """Fail loudly on a row that is not of the 27-column layout, rather than misread its columns."""
    for number, row in enumerate(rows, start=1):
        if len(row) != WIDTH:
            raise ValueError(f"{what} row {number}: {len(row)} columns, expected {WIDTH} (ODS layout)")


def detect_layout(rows: Sequence[Row]) -> Layout:
    """The epraccur layout, from the status values the file uses.

    >>> detect_layout([["A81001"] + [""] * 11 + ["ACTIVE"] + [""] * 14])
    <Layout.DSE: 'dse'>
    """
    statuses = {row[STATUS] for row in rows}
    for layout, known in _STATUSES.items():
        if statuses <= known:
            return layout
    raise ValueError(f"epraccur status values {sorted(statuses)} match neither the legacy nor the DSE layout")


def is_gp_practice(layout: Layout, setting: str) -> bool:
    """Prescribing setting "GP practice"; DSE rows may add a second role after a pipe."""
    if layout is Layout.LEGACY:
        return setting == "4"
    return "RO76" in setting.split("|")


def parse_practices(
    rows: Sequence[Row], geography: Geography, *, include_inactive: bool = False
) -> tuple[list[Organisation], list[str]]:
    """GP practices from epraccur rows, placed in the hierarchy through their commissioner (col 15).

    The sub-ICB commissioner decides ICB and region, through the ONS lookup. Column 4 is only a
    fallback: a practice whose commissioner is not in the lookup (Welsh health boards ``7A1``-``7A7``)
    is kept with column 4's ICB if that is a known ICB, and reported; a column 4 that disagrees with
    the lookup is reported and ignored. Returns the practices and those warnings.
    """
    check_width(rows, "epraccur")
    layout = detect_layout(rows)
    active = _ACTIVE[layout]
    practices: list[Organisation] = []
    warnings: list[str] = []
    for row in rows:
        if not is_gp_practice(layout, row[PRESCRIBING_SETTING]):
            continue
        if not include_inactive and row[STATUS] != active:
            continue
        code, name = row[CODE], row[NAME]
        commissioner, stated_icb = row[COMMISSIONER], row[HIGH_LEVEL_GEOGRAPHY]
        icb = geography.icb_of(commissioner)
        sub_icb: str | None = commissioner
        if icb is None:
            sub_icb = None
            icb = stated_icb if stated_icb in geography.icbs else None
            kept = f"kept under ICB {icb} from column 4" if icb else f"kept without an ICB ({stated_icb!r})"
            warnings.append(
                f"GP practice {code} {name}: commissioner {commissioner!r} (column 15) is not one of the "
                f"{len(geography.sub_icbs)} sub-ICB locations of the ONS lookup; {kept}"
            )
        elif stated_icb != icb:
            warnings.append(
                f"GP practice {code} {name}: column 4 says ICB {stated_icb!r} but its commissioner "
                f"{commissioner} belongs to {icb} in the ONS lookup; used {icb}"
            )
        practices.append(
            Organisation(
                code,
                name,
                OrgType.GP_PRACTICE,
                parent=sub_icb,
                valid_from=ods_date(row[OPEN_DATE]),
                valid_to=ods_date(row[CLOSE_DATE]),
                sub_icb=sub_icb,
                icb=icb,
                region=geography.region_of(icb),
            )
        )
    return practices, warnings


# Trusts whose names do not say what they mainly provide, checked by hand against each trust's own
# description of its services. Everything else goes by TRUST_NAME_RULES, then defaults to acute.
TRUST_TYPES: dict[str, OrgType] = {
    code: OrgType.MENTAL_HEALTH_TRUST
    for code in (
        "G6V2S",  # North London (Camden & Islington + Barnet, Enfield & Haringey mental health)
        "R1A",  # Herefordshire and Worcestershire Health and Care
        "RAT",  # North East London
        "RDY",  # Dorset HealthCare University
        "RHA",  # Nottinghamshire Healthcare
        "RKL",  # West London NHS Trust
        "RLY",  # North Staffordshire Combined Healthcare: "combined" is mental health + learning disability
        "RMY",  # Norfolk and Suffolk
        "RNK",  # Tavistock and Portman
        "RNU",  # Oxford Health
        "RP1",  # Northamptonshire Healthcare
        "RPG",  # Oxleas
        "RT1",  # Cambridgeshire and Peterborough
        "RT2",  # Pennine Care
        "RTQ",  # Gloucestershire Health and Care
        "RV3",  # Central and North West London
        "RV5",  # South London and Maudsley
        "RV9",  # Humber Teaching
        "RW1",  # Hampshire and Isle of Wight Healthcare
        "RW4",  # Mersey Care
        "RW5",  # Lancashire & South Cumbria
        "RWK",  # East London
        "RWX",  # Berkshire Healthcare
        "RX3",  # Tees, Esk and Wear Valleys
        "RX4",  # Cumbria, Northumberland, Tyne and Wear
        "RXE",  # Rotherham Doncaster and South Humber
        "RXM",  # Derbyshire Healthcare
    )
} | {
    "R1F": OrgType.COMBINED_TRUST,  # Isle of Wight: acute, community, mental health and ambulance
    "RH5": OrgType.COMBINED_TRUST,  # Somerset: acute, community and mental health since the 2020 merger
    "RYT": OrgType.OTHER,  # Public Health Wales
}

TRUST_NAME_RULES: tuple[tuple[str, OrgType], ...] = (
    ("AMBULANCE", OrgType.AMBULANCE_TRUST),
    ("MENTAL HEALTH", OrgType.MENTAL_HEALTH_TRUST),
    # Every open trust named "partnership" is a mental health trust (often with community services).
    ("PARTNERSHIP", OrgType.MENTAL_HEALTH_TRUST),
    ("COMMUNITY", OrgType.COMMUNITY_TRUST),
)


def trust_type(code: str, name: str) -> OrgType:
    """The org_type of an NHS trust: the exceptions table, then the name rules, else acute.

    >>> trust_type("RX7", "NORTH WEST AMBULANCE SERVICE NHS TRUST"), trust_type("RLY", "X COMBINED")
    (<OrgType.AMBULANCE_TRUST: 'ambulance_trust'>, <OrgType.MENTAL_HEALTH_TRUST: 'mental_health_trust'>)
    """
    if code in TRUST_TYPES:
        return TRUST_TYPES[code]
    upper = name.upper()
    for words, org_type in TRUST_NAME_RULES:
        if words in upper:
            return org_type
    return OrgType.ACUTE_TRUST


def parse_trusts(
    rows: Sequence[Row], geography: Geography, *, include_inactive: bool = False
) -> tuple[list[Organisation], list[str]]:
    """NHS trusts from etr rows (open ones unless ``include_inactive``), each under its ICB (col 4).

    A trust whose column 4 is not a known ICB (Welsh trusts have none) is kept without one and
    reported. Returns the trusts and those warnings.
    """
    check_width(rows, "etr")
    trusts: list[Organisation] = []
    warnings: list[str] = []
    for row in rows:
        closed = ods_date(row[CLOSE_DATE])
        if closed and not include_inactive:
            continue
        code, name, stated_icb = row[CODE], row[NAME], row[HIGH_LEVEL_GEOGRAPHY]
        icb = stated_icb if stated_icb in geography.icbs else None
        if icb is None:
            warnings.append(
                f"NHS trust {code} {name}: column 4 {stated_icb!r} is not one of the "
                f"{len(geography.icbs)} ICBs of the ONS lookup; kept without an ICB"
            )
        trusts.append(
            Organisation(
                code,
                name,
                trust_type(code, name),
                parent=icb,
                valid_from=ods_date(row[OPEN_DATE]),
                valid_to=closed,
                icb=icb,
                region=geography.region_of(icb),
            )
        )
    return trusts, warnings


def read_ods(path: Path) -> list[list[str]]:
    """Rows of a headerless ODS CSV; Latin-1 because ODS files are not UTF-8 (and Latin-1 never fails)."""
    with path.open(encoding="latin-1", newline="") as file:
        return list(csv.reader(file))
