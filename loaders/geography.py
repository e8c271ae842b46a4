"""The NHS geography from ONS: sub-ICB location -> ICB -> NHS England region.

The ONS lookup (July 2022) is the hierarchy every other reference file is resolved through; ICB names
come from the newer ONS names file (December 2024). Only ODS codes are used as ids (`02P`, `QF7`,
`Y63`): ONS re-coded some areas after 2022 (E54/E38/E40 codes) but the ODS codes are unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from graph.model import Organisation
from graph.vocab import OrgType


@dataclass(frozen=True, slots=True)
class Area:
    """One area of the hierarchy; ``parent`` is the ICB of a sub-ICB or the region of an ICB."""

    code: str
    name: str
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Geography:
    """Sub-ICB locations, ICBs and regions keyed by ODS code."""

    sub_icbs: Mapping[str, Area]
    icbs: Mapping[str, Area]
    regions: Mapping[str, Area]

    def icb_of(self, sub_icb: str) -> str | None:
        area = self.sub_icbs.get(sub_icb)
        return area.parent if area else None

    def region_of(self, icb: str | None) -> str | None:
        area = self.icbs.get(icb) if icb else None
        return area.parent if area else None

    def organisations(self) -> list[Organisation]:
        """Regions, ICBs and sub-ICB locations, each under its parent."""
        orgs = [Organisation(r.code, r.name, OrgType.REGION) for r in self.regions.values()]
        orgs += [
            Organisation(i.code, i.name, OrgType.ICB, parent=i.parent, region=i.parent) for i in self.icbs.values()
        ]
        orgs += [
            Organisation(
                s.code,
                s.name,
                OrgType.SUB_ICB_LOCATION,
                parent=s.parent,
                icb=s.parent,
                region=self.region_of(s.parent),
            )
            for s in self.sub_icbs.values()
        ]
        return orgs


def parse_geography(lookup: Iterable[Mapping[str, str]], icb_names: Iterable[Mapping[str, str]] = ()) -> Geography:
    """The hierarchy from ONS lookup rows (``LOC22CDH``, ``ICB22CDH``, ``NHSER22CDH`` ...).

    ICB names come from the newer ``icb_names`` rows (``ICB24CDH``, ``ICB24NM``) where given, so a
    renamed ICB shows its current name; the lookup's own ``ICB22NM`` is the fallback.

    >>> row = {"LOC22CDH": "02P", "LOC22NM": "NHS South Yorkshire ICB - 02P", "ICB22CDH": "QF7",
    ...        "ICB22NM": "NHS South Yorkshire ICB", "NHSER22CDH": "Y63", "NHSER22NM": "North East"}
    >>> geo = parse_geography([row])
    >>> geo.icb_of("02P"), geo.region_of("QF7"), geo.icb_of("7A1")
    ('QF7', 'Y63', None)
    """
    names = {row["ICB24CDH"]: row["ICB24NM"] for row in icb_names}
    sub_icbs: dict[str, Area] = {}
    icbs: dict[str, Area] = {}
    regions: dict[str, Area] = {}
    for row in lookup:
        sub_icb, icb, region = row["LOC22CDH"], row["ICB22CDH"], row["NHSER22CDH"]
        sub_icbs[sub_icb] = Area(sub_icb, row["LOC22NM"], icb)
        icbs[icb] = Area(icb, names.get(icb, row["ICB22NM"]), region)
        regions[region] = Area(region, row["NHSER22NM"])
    return Geography(sub_icbs, icbs, regions)


def read_csv_records(path: Path) -> list[dict[str, str]]:
    """Rows of a reference CSV with a header (ONS, NHS England, OHID); ``utf-8-sig`` as most carry a BOM."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def read_geography(lookup: Path, icb_names: Path) -> Geography:
    return parse_geography(read_csv_records(lookup), read_csv_records(icb_names))
