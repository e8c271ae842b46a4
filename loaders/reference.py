"""The national reference data bundled in ``data/reference``: one call loads it into the model.

``load_reference()`` reads the ONS hierarchy, GP practices (epraccur), PCNs (ePCN), NHS trusts (etr)
and local authorities (NHS England's practice boundary mapping), resolves every practice, PCN and
sub-ICB location through the ONS lookup, and adds each practice's PCN, list size and IMD score. What it
keeps but cannot resolve it reports in ``ReferenceData.warnings``. ``data/reference/README.md`` says why
each file and vintage was chosen.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from graph.model import Organisation, ReferenceData
from graph.vocab import OrgType
from loaders.boundary import parse_list_sizes, parse_local_authorities
from loaders.dspt import dspt_file, read_dspt
from loaders.geography import read_csv_records, read_geography
from loaders.ods import parse_practices, parse_trusts, read_ods
from loaders.pcn import parse_memberships, parse_pcns, read_epcn

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "reference"
ENV_VAR = "ICSGRAPH_REFERENCE"

EPRACCUR_DSE = "epraccur-2026-02-dse"
EPRACCUR_LEGACY = "epraccur-2025-08"

# Logical name -> file, relative to the reference root; "{epraccur}" is the chosen practices folder.
FILES: dict[str, str] = {
    "ons_lookup": "ons-sicbl-icb-nhser-2022-07/LOC22_ICB22_NHSER22_EN_LU.csv",
    "icb_names": "ons-icb-2024-12/icb_names_codes_dec_2024.csv",
    "epraccur": "{epraccur}/epraccur.csv",
    "epcn": "epcn-2024-10/ePCN.xlsx",
    "etr": "etr-2024-12/etr.csv",
    "boundary_mapping": "nhse-practice-boundary-mapping-2023-24/x-boundary-mapping-2023-24-v1.csv",
    "imd": "gp-practice-imd-fingertips/IMD_raw.csv",
}
# Not part of load_reference: the organisation model has no supplier; clinical-system nodes use it.
GP_SUPPLIERS = "gp-reg-pat-prac-map-2025-10/gp-reg-pat-prac-map.csv"


def reference_root(root: Path | None = None) -> Path:
    """``root`` if given, else ``$ICSGRAPH_REFERENCE``, else the folder bundled with the package."""
    if root is not None:
        return root
    configured = os.environ.get(ENV_VAR)
    return Path(configured) if configured else BUNDLED


def parse_imd(rows: Iterable[Mapping[str, str]], year: str = "2019") -> dict[str, float]:
    """Practice code -> Fingertips IMD score (indicator 93553) of the given IMD edition.

    >>> parse_imd([{"Year": "2015", "AreaCode": "A81001", "Value": "29.1"},
    ...            {"Year": "2019", "AreaCode": "A81001", "Value": "32.36"}])
    {'A81001': 32.36}
    """
    return {row["AreaCode"]: float(row["Value"]) for row in rows if row["Year"] == year and row["Value"]}


def parse_gp_suppliers(rows: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Practice code -> GP clinical system supplier (``EMIS``, ``TPP``); ``Unknown`` rows are left out.

    >>> parse_gp_suppliers([{"PRACTICE_CODE": "A81001", "SUPPLIER_NAME": "TPP"},
    ...                     {"PRACTICE_CODE": "A81002", "SUPPLIER_NAME": "Unknown"}])
    {'A81001': 'TPP'}
    """
    return {
        row["PRACTICE_CODE"]: row["SUPPLIER_NAME"]
        for row in rows
        if row["SUPPLIER_NAME"] and row["SUPPLIER_NAME"] != "Unknown"
    }


def read_gp_suppliers(root: Path | None = None) -> dict[str, str]:
    """The official GP supplier of each practice (October 2025), for building clinical-system nodes."""
    return parse_gp_suppliers(read_csv_records(reference_root(root) / GP_SUPPLIERS))


def add_practice_facts(
    practices: Iterable[Organisation],
    memberships: Mapping[str, str],
    list_sizes: Mapping[str, int],
    imd: Mapping[str, float],
    pcn_ids: frozenset[str],
) -> tuple[list[Organisation], list[str]]:
    """Practices with their PCN, list size and IMD score; a PCN that is not loaded is reported."""
    enriched: list[Organisation] = []
    warnings: list[str] = []
    for practice in practices:
        pcn = memberships.get(practice.org_id)
        if pcn and pcn not in pcn_ids:
            warnings.append(f"GP practice {practice.org_id} {practice.name}: its PCN {pcn} is not loaded")
            pcn = None
        enriched.append(
            replace(
                practice,
                pcn=pcn,
                list_size=list_sizes.get(practice.org_id),
                imd_score=imd.get(practice.org_id),
            )
        )
    return enriched, warnings


def load_reference(
    root: Path | None = None,
    *,
    include_inactive: bool = False,
    epraccur: str = EPRACCUR_DSE,
    dspt: Path | None = None,
) -> ReferenceData:
    """Regions, ICBs, sub-ICB locations, GP practices, PCNs, NHS trusts and local authorities.

    ``root`` holds the reference folders (see :func:`reference_root`); ``epraccur`` names the practices
    folder in it, either layout. Only active practices and open PCNs and trusts are loaded unless
    ``include_inactive``. DSPT statuses come from ``dspt``, else ``$ICSGRAPH_DSPT``, else the bundled file
    (see :mod:`loaders.dspt`).
    """
    base = reference_root(root)
    sources = {name: relative.format(epraccur=epraccur) for name, relative in FILES.items()}
    path = {name: base / relative for name, relative in sources.items()}

    geography = read_geography(path["ons_lookup"], path["icb_names"])
    practices, practice_warnings = parse_practices(
        read_ods(path["epraccur"]), geography, include_inactive=include_inactive
    )
    details, partners = read_epcn(path["epcn"])
    pcns, pcn_warnings = parse_pcns(details, geography, include_inactive=include_inactive)
    boundary = read_csv_records(path["boundary_mapping"])
    practices, fact_warnings = add_practice_facts(
        practices,
        parse_memberships(partners),
        parse_list_sizes(boundary),
        parse_imd(read_csv_records(path["imd"])),
        frozenset(pcn.org_id for pcn in pcns),
    )
    trusts, trust_warnings = parse_trusts(read_ods(path["etr"]), geography, include_inactive=include_inactive)

    organisations = [
        *geography.organisations(),
        *practices,
        *pcns,
        *trusts,
        *parse_local_authorities(boundary, geography),
    ]
    repeated = [org_id for org_id, n in Counter(o.org_id for o in organisations).items() if n > 1]
    if repeated:
        # Ids are unique across the graph; two files claiming one code means a wrong file in the root.
        raise ValueError(f"reference organisation ids occur more than once: {sorted(repeated)[:10]}")
    warnings = practice_warnings + fact_warnings + pcn_warnings + trust_warnings
    statuses = dspt or dspt_file(base)
    if statuses is not None:
        sources["dspt"] = str(statuses.relative_to(base) if statuses.is_relative_to(base) else statuses)
    return ReferenceData(organisations, warnings, sources, read_dspt(statuses) if statuses else {})


def reference_summary(ref: ReferenceData) -> dict[str, object]:
    """Counts for the CLI: organisations per org_type, open GP practices per ICB, warnings.

    "Open" is "no close date": with the default load that is exactly the active practices.
    """
    by_type = Counter(str(org.org_type) for org in ref.organisations)
    open_practices = [o for o in ref.organisations if o.org_type is OrgType.GP_PRACTICE and o.valid_to is None]
    by_icb = Counter(o.icb for o in open_practices if o.icb)
    return {
        "organisations": len(ref.organisations),
        "by_type": dict(sorted(by_type.items())),
        "gp_practices_by_icb": dict(sorted(by_icb.items())),
        "gp_practices_without_icb": sum(1 for o in open_practices if not o.icb),
        "warnings": len(ref.warnings),
    }
