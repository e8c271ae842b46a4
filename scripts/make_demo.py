#!/usr/bin/env python3
"""Generate the bundled demo registers: three real ICSs plus the shared national bodies.

The organisations are real (ODS codes from the national reference files); the flows, agreements and
their dates are illustrative. The output is deterministic: the same reference files always give
byte-identical registers. Standard library only, so it runs before the project is installed.

    python scripts/make_demo.py [--out DIR]

Writes one register folder per ICS (``greater-manchester/``, ``west-yorkshire/``, ``cornwall/``), a
``national/`` register for the bodies and national collections they share, and ``README.md``. A
self-check then re-reads what was written and fails loudly (exit 1) when an id does not resolve, a
value is outside its vocabulary, or the planted IG defects are not exactly the ones the checks find.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import hashlib
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

AS_OF = date(2026, 11, 25)
EXPIRY_WINDOW_DAYS = 30
COPI_END = date(2022, 6, 30)

REPO = Path(__file__).resolve().parent.parent
REFERENCE_DIRS = (REPO / "data" / "reference", Path("/work/shared/data/reference"))
DEFAULT_OUT = REPO / "data" / "demo"

EPRACCUR = "epraccur-2026-02-dse/epraccur.csv"
ETR = "etr-2024-12/etr.csv"
PRACTICE_MAP = "gp-reg-pat-prac-map-2025-10/gp-reg-pat-prac-map.csv"
GP_SUPPLIERS = "gp-it-suppliers-2025-10/gp_suppliers.csv"
BOUNDARY_MAP = "nhse-practice-boundary-mapping-2023-24/x-boundary-mapping-2023-24-v1.csv"

# ---------------------------------------------------------------------------------------------
# The register contract (shared/spec/register.md): columns and vocabularies, exactly.

ORG_COLUMNS = ["org_id", "name", "org_type", "legal_entity", "parent", "valid_from", "valid_to"]
SYSTEM_COLUMNS = ["system_id", "name", "system_type", "operator", "supplier", "icb", "hosting_location"]
FLOW_COLUMNS = [
    "flow_id",
    "source",
    "destination",
    "data_categories",
    "purposes",
    "identifiability",
    "controllers",
    "joint",
    "processors",
    "sub_processors",
    "recipient_controller",
    "art6",
    "art9",
    "cldc_basis",
    "legal_instruments",
    "ndop",
    "type1",
    "agreements",
    "datasets",
    "status",
    "valid_from",
    "valid_to",
    "frequency",
    "transport",
    "evidence",
    "notes",
]
AGREEMENT_COLUMNS = ["agreement_id", "agreement_type", "parties", "start", "end", "reference"]
LIST_COLUMNS = {
    "data_categories",
    "purposes",
    "controllers",
    "processors",
    "sub_processors",
    "art6",
    "art9",
    "legal_instruments",
    "agreements",
    "datasets",
    "parties",
}

VOCAB = {
    "org_type": {
        "gp_practice",
        "acute_trust",
        "community_trust",
        "mental_health_trust",
        "ambulance_trust",
        "combined_trust",
        "icb",
        "sub_icb_location",
        "pcn",
        "region",
        "ics",
        "local_authority",
        "csu",
        "dscro",
        "nhs_england",
        "dhsc",
        "supplier",
        "sde_operator",
        "research_org",
        "care_provider",
        "vcse",
        "other",
    },
    "system_type": {
        "gp_clinical_system",
        "epr",
        "shared_care_record",
        "phm_platform",
        "sde",
        "fdp_instance",
        "data_warehouse",
        "national_collection",
        "social_care_system",
        "other",
    },
    "data_category": {
        "primary_care",
        "acute",
        "community",
        "mental_health",
        "social_care",
        "ambulance",
        "maternity",
        "public_health",
        "demographics",
        "wider_determinants",
        "other",
    },
    "purpose": {
        "direct_care",
        "risk_stratification",
        "population_health_management",
        "planning",
        "commissioning",
        "invoice_validation",
        "national_collection",
        "public_health",
        "research",
        "service_evaluation",
        "clinical_audit",
        "safeguarding",
        "other",
    },
    "identifiability": {"identifiable", "pseudonymised", "anonymised", "aggregate"},
    "art6": {f"6(1)({c})" for c in "abcdef"},
    "art9": {f"9(2)({c})" for c in "abcdefghij"},
    "cldc_basis": {
        "implied_consent",
        "explicit_consent",
        "s251",
        "statutory_direction",
        "copi",
        "overriding_public_interest",
        "court_order",
        "not_confidential",
    },
    "opt_out_status": {"applied", "not_applied", "not_applicable", "exempt", "unknown"},
    "agreement_type": {
        "dsa",
        "art28_contract",
        "art26_arrangement",
        "dpia",
        "direction",
        "dpn",
        "cag_approval",
        "other",
    },
    "status": {"planned", "live", "paused", "ceased"},
}
FLOW_VOCAB = {
    "data_categories": "data_category",
    "purposes": "purpose",
    "identifiability": "identifiability",
    "art6": "art6",
    "art9": "art9",
    "cldc_basis": "cldc_basis",
    "ndop": "opt_out_status",
    "type1": "opt_out_status",
    "status": "status",
}
PERSONAL = {"identifiable", "pseudonymised"}
NOT_SPECIAL_CATEGORY = {"demographics", "wider_determinants"}
SECONDARY_PLATFORMS = {"phm_platform", "sde", "data_warehouse"}
NOT_LEGAL_ENTITY_TYPES = {"pcn", "sub_icb_location", "region", "ics"}

# Common legal-basis bundles, so every flow of a kind reads the same.
DIRECT_CARE = {
    "art6": ["6(1)(e)"],
    "art9": ["9(2)(h)"],
    "cldc_basis": "implied_consent",
    "ndop": "not_applicable",
}
STATUTORY = {
    "art6": ["6(1)(c)"],
    "art9": ["9(2)(h)"],
    "cldc_basis": "statutory_direction",
    "ndop": "not_applicable",
}
RISK_STRAT = {
    "art6": ["6(1)(e)"],
    "art9": ["9(2)(h)"],
    "cldc_basis": "s251",
    "legal_instruments": ["CAG 7-04(a)/2013"],
    "ndop": "applied",
}
SDE_RESEARCH = {
    "art6": ["6(1)(e)"],
    "art9": ["9(2)(j)"],
    "cldc_basis": "s251",
    "legal_instruments": ["s251 support for the SDE programme (illustrative)", "SDE data access committee"],
    "ndop": "applied",
}
AGGREGATE_OUTPUT = {"cldc_basis": "not_confidential", "ndop": "not_applicable"}

# ---------------------------------------------------------------------------------------------
# Facts the reference files lack: what each trust's records hold and the national collections it feeds,
# following its main services. The trust type itself comes from the reference loader.


@dataclass(frozen=True)
class TrustFacts:
    categories: tuple[str, ...]
    datasets: tuple[str, ...]


TRUSTS: dict[str, TrustFacts] = {
    # Greater Manchester (QOP)
    "R0A": TrustFacts(("acute", "community", "maternity"), ("SUS+", "ECDS", "CSDS")),
    "RBV": TrustFacts(("acute",), ("SUS+",)),
    "RM3": TrustFacts(("acute", "community", "maternity"), ("SUS+", "ECDS", "CSDS")),
    "RMC": TrustFacts(("acute", "community", "maternity"), ("SUS+", "ECDS", "CSDS")),
    "RMP": TrustFacts(("acute", "community", "maternity"), ("SUS+", "ECDS", "CSDS")),
    "RRF": TrustFacts(("acute", "community", "maternity"), ("SUS+", "ECDS", "CSDS")),
    "RT2": TrustFacts(("mental_health", "community"), ("MHSDS", "CSDS")),
    "RWJ": TrustFacts(("acute", "community", "maternity"), ("SUS+", "ECDS", "CSDS")),
    "RX7": TrustFacts(("ambulance",), ("ADS",)),
    "RXV": TrustFacts(("mental_health",), ("MHSDS",)),
    # West Yorkshire (QWO)
    "RAE": TrustFacts(("acute", "maternity"), ("SUS+", "ECDS")),
    "RCF": TrustFacts(("acute", "community", "maternity"), ("SUS+", "ECDS", "CSDS")),
    "RGD": TrustFacts(("mental_health",), ("MHSDS",)),
    "RR8": TrustFacts(("acute", "maternity"), ("SUS+", "ECDS")),
    "RWY": TrustFacts(("acute", "community", "maternity"), ("SUS+", "ECDS", "CSDS")),
    "RX8": TrustFacts(("ambulance",), ("ADS",)),
    "RXF": TrustFacts(("acute", "community", "maternity"), ("SUS+", "ECDS", "CSDS")),
    "RXG": TrustFacts(("mental_health", "community"), ("MHSDS", "CSDS")),
    "RY6": TrustFacts(("community",), ("CSDS",)),
    # Cornwall and the Isles of Scilly (QT6)
    "REF": TrustFacts(("acute", "maternity"), ("SUS+", "ECDS")),
    "RJ8": TrustFacts(("mental_health", "community"), ("MHSDS", "CSDS")),
}

# dataset -> (national collection system, data category it carries, governing agreement)
DATASETS: dict[str, tuple[str, str, str]] = {
    "SUS+": ("sus-plus", "acute", "sus-information-standard"),
    "ECDS": ("ecds", "acute", "ecds-information-standard"),
    "MHSDS": ("mhsds", "mental_health", "mhsds-information-standard"),
    "CSDS": ("csds", "community", "csds-information-standard"),
    "ADS": ("ads", "ambulance", "ads-information-standard"),
}

# ---------------------------------------------------------------------------------------------
# Reading the reference files


def reference_file(name: str) -> Path:
    for folder in REFERENCE_DIRS:
        path = folder / name
        if path.is_file():
            return path
    raise SystemExit(f"make_demo: reference file {name} not found under {[str(d) for d in REFERENCE_DIRS]}")


def display_name(upper: str) -> str:
    """ODS names are upper case: 'TAMESIDE AND GLOSSOP ... NHS TRUST' -> 'Tameside and Glossop ... NHS Trust'."""
    small = {"and", "of", "the", "for"}
    words = [w.lower() if i and w.lower() in small else w.capitalize() for i, w in enumerate(upper.split())]
    return " ".join("NHS" if w == "Nhs" else w for w in words)


def iso(yyyymmdd: str) -> str:
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:8]}" if yyyymmdd else ""


@dataclass(frozen=True)
class Practice:
    code: str
    name: str
    opened: str
    sub_icb: str
    pcn: str
    supplier: str  # EMIS or TPP


@dataclass(frozen=True)
class Trust:
    code: str
    name: str
    opened: str


@dataclass(frozen=True)
class LocalAuthority:
    code: str
    name: str

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


@dataclass
class Reference:
    practices: dict[str, list[Practice]] = field(default_factory=dict)
    trusts: dict[str, list[Trust]] = field(default_factory=dict)
    las: dict[str, list[LocalAuthority]] = field(default_factory=dict)
    # Ids the reference loader is assumed to provide, by kind (for the self-check).
    ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def kind_of(self, node_id: str) -> str | None:
        for kind, ids in self.ids.items():
            if node_id in ids:
                return kind
        return None


def read_reference(icbs: list[str]) -> Reference:
    ref = Reference()
    with reference_file(PRACTICE_MAP).open(newline="", encoding="utf-8-sig") as fh:
        mapping = {row["PRACTICE_CODE"]: row for row in csv.DictReader(fh)}
    with reference_file(GP_SUPPLIERS).open(newline="", encoding="utf-8-sig") as fh:
        gp_it = {row["GP_ODS_CODE"]: row["GP_SYSTEM"] for row in csv.DictReader(fh)}
    for row in mapping.values():
        ref.ids["icb"].add(row["ICB_CODE"])
        ref.ids["sub_icb_location"].add(row["SUB_ICB_LOCATION_CODE"])
        ref.ids["region"].add(row["COMM_REGION_CODE"])
        if re.fullmatch(r"U\d{5}", row["PCN_CODE"]):
            ref.ids["pcn"].add(row["PCN_CODE"])

    with reference_file(EPRACCUR).open(newline="", encoding="latin-1") as fh:
        rows = list(csv.reader(fh))
    by_icb: dict[str, list[list[str]]] = defaultdict(list)
    for row in rows:
        if row[12] == "ACTIVE" and "RO76" in row[25].split("|"):
            ref.ids["gp_practice"].add(row[0])
            by_icb[row[3]].append(row)
    for icb in icbs:
        practices = []
        for row in sorted(by_icb[icb]):
            m = mapping.get(row[0], {})
            supplier = m.get("SUPPLIER_NAME") or gp_it.get(row[0], "")
            if supplier not in ("EMIS", "TPP"):
                supplier = ""  # resolved below to the ICB's majority supplier
            pcn = m.get("PCN_CODE", "")
            practices.append(Practice(row[0], row[1], iso(row[10]), row[14], pcn, supplier))
        majority = Counter(p.supplier for p in practices if p.supplier).most_common(1)[0][0]
        ref.practices[icb] = [
            p if p.supplier else Practice(p.code, p.name, p.opened, p.sub_icb, p.pcn, majority) for p in practices
        ]

    with reference_file(ETR).open(newline="", encoding="latin-1") as fh:
        for row in csv.reader(fh):
            if not row[11]:
                ref.ids["trust"].add(row[0])
                if row[3] in icbs:
                    ref.trusts.setdefault(row[3], []).append(Trust(row[0], row[1], iso(row[10])))
    for icb in icbs:
        ref.trusts[icb].sort(key=lambda t: t.code)
        unknown = [t.code for t in ref.trusts[icb] if t.code not in TRUSTS]
        if unknown:
            raise SystemExit(f"make_demo: no type recorded for open trusts {unknown} of {icb}; add to TRUSTS")

    # A local authority belongs to the ICB holding most of its practices (drops e.g. the four
    # Craven practices that put North Yorkshire into West Yorkshire's list).
    with reference_file(BOUNDARY_MAP).open(newline="", encoding="utf-8-sig") as fh:
        boundary = list(csv.DictReader(fh))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, str] = {}
    for row in boundary:
        counts[row["UTLA21"]][row["ICB23"]] += 1
        names[row["UTLA21"]] = row["UTLA21name"]
        ref.ids["local_authority"].add(row["UTLA21"])
    for icb in icbs:
        ref.las[icb] = sorted(
            (LocalAuthority(code, names[code]) for code, c in counts.items() if c.most_common(1)[0][0] == icb),
            key=lambda la: la.code,
        )
    return ref


# ---------------------------------------------------------------------------------------------
# Building registers


def ranked(key: str) -> int:
    """A stable pseudo-random rank, so choices look arbitrary but never change between runs."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:12], 16)


def add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    day = min(start.day, calendar.monthrange(start.year + year, month + 1)[1])
    return date(start.year + year, month + 1, day)


@dataclass
class Register:
    key: str
    title: str
    organisations: list[dict[str, Any]] = field(default_factory=list)
    systems: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)
    agreements: list[dict[str, Any]] = field(default_factory=list)

    def org(self, org_id: str, name: str, org_type: str, **extra: Any) -> None:
        self.organisations.append({"org_id": org_id, "name": name, "org_type": org_type, **extra})

    def system(self, system_id: str, name: str, system_type: str, **extra: Any) -> None:
        row = {"system_id": system_id, "name": name, "system_type": system_type, "hosting_location": "UK"}
        self.systems.append({**row, **extra})

    def flow(
        self,
        flow_id: str,
        source: str,
        destination: str,
        categories: list[str] | tuple[str, ...],
        purposes: list[str],
        identifiability: str,
        controllers: list[str],
        **extra: Any,
    ) -> dict[str, Any]:
        row: dict[str, Any] = {
            "flow_id": flow_id,
            "source": source,
            "destination": destination,
            "data_categories": list(categories),
            "purposes": purposes,
            "identifiability": identifiability,
            "controllers": controllers,
            "joint": "false",
            "status": "live",
        }
        row.update(extra)
        self.flows.append(row)
        return row

    def agreement(self, agreement_id: str, agreement_type: str, parties: list[str], **extra: Any) -> None:
        row = {"agreement_id": agreement_id, "agreement_type": agreement_type, "parties": parties}
        self.agreements.append({**row, **extra})

    def get_flow(self, flow_id: str) -> dict[str, Any]:
        return next(f for f in self.flows if f["flow_id"] == flow_id)

    def get_agreement(self, agreement_id: str) -> dict[str, Any]:
        return next(a for a in self.agreements if a["agreement_id"] == agreement_id)


@dataclass(frozen=True)
class Defect:
    check: str
    register: str
    flow_id: str  # or a system id for the hosting check
    what: str


CHECK_TITLES = {
    "no_art6": "Personal data with no Art 6 basis",
    "no_art9": "Special category (health) data with no Art 9 condition",
    "no_cldc": "Identifiable data with no CLDC basis",
    "ndop_not_applied": "s251 secondary use with the national data opt-out not applied",
    "type1_not_applied": "GP data leaving a practice for secondary use, Type 1 not applied, no direction",
    "not_legal_entity": "Controller or processor role held by a body that is not a legal entity (PCN)",
    "processor_no_contract": "Processor with no Art 28 contract or DSA naming it and a controller",
    "art26_gap": "Joint controllers not all covered by an Art 26 arrangement",
    "agreement_expired": "Live flow whose agreement has expired",
    "agreement_expiring": f"Live flow whose agreement expires within {EXPIRY_WINDOW_DAYS} days",
    "copi_after_2022": "Reliance on COPI after 30 June 2022",
    "identifiable_secondary_platform": "Identifiable data entering a PHM platform, SDE or data warehouse",
    "hosted_outside_uk": "Personal data processed by a system hosted outside the UK",
}


def build_national() -> Register:
    """Bodies, suppliers and national collections that every ICS register refers to, defined once."""
    reg = Register("national", "National bodies, suppliers and national collections")
    reg.org("X26", "NHS England", "nhs_england")
    reg.org("dhsc", "Department of Health and Social Care", "dhsc")
    reg.org("0AR", "NHS North of England Commissioning Support Unit (NECS)", "csu")
    reg.org("necs-dscro", "NHS England DSCRO (North), Data Services for Commissioners Regional Office", "dscro")
    reg.org("emis", "EMIS Health (Optum)", "supplier")
    reg.org("tpp", "The Phoenix Partnership (TPP)", "supplier")
    reg.org("graphnet", "Graphnet Health", "supplier")
    reg.org("orion", "Orion Health", "supplier")
    reg.org("blackpear", "Black Pear Software", "supplier")
    reg.org("palantir", "Palantir Technologies UK", "supplier")
    reg.org("aws", "Amazon Web Services EMEA", "supplier")
    reg.org("optum", "Optum Health Solutions UK", "supplier")
    reg.org("epic", "Epic Systems", "supplier")
    reg.org(
        "health-research-consortium", "Health Research Consortium (fictional research organisation)", "research_org"
    )

    collections = [
        ("gpes", "GPES extract for General Practice Data for Planning and Research (GDPPR)"),
        ("sus-plus", "Secondary Uses Service (SUS+)"),
        ("ecds", "Emergency Care Data Set (ECDS)"),
        ("mhsds", "Mental Health Services Data Set (MHSDS)"),
        ("csds", "Community Services Data Set (CSDS)"),
        ("ads", "Ambulance Data Set (ADS)"),
        ("asc-cld", "Adult Social Care Client Level Data (ASC-CLD)"),
    ]
    for system_id, name in collections:
        reg.system(system_id, name, "national_collection", operator="X26")
    reg.system("nhse-sde", "NHS England Secure Data Environment", "sde", operator="X26")

    reg.agreement(
        "gdppr-direction",
        "direction",
        ["dhsc", "X26"],
        start="2020-05-27",
        reference="General Practice Data for Planning and Research Directions (s254 HSCA 2012)",
    )
    reg.agreement(
        "gdppr-dpn",
        "dpn",
        ["X26"],
        start="2020-05-27",
        reference="GDPPR Data Provision Notice to GP practices (s259 HSCA 2012)",
    )
    for dataset, (_system, _category, agreement_id) in DATASETS.items():
        reg.agreement(
            agreement_id,
            "other",
            ["X26"],
            start="2019-04-01",
            reference=f"{dataset} information standard, mandated for NHS providers (s250 HSCA 2012)",
        )
    reg.agreement(
        "ascld-mandate",
        "direction",
        ["dhsc", "X26"],
        start="2023-04-01",
        reference="Adult Social Care Client Level Data: mandatory quarterly return from 1 April 2023",
    )
    reg.agreement(
        "cag-7-04a",
        "cag_approval",
        ["QOP", "QWO", "0AR"],
        start="2013-04-01",
        reference="CAG 7-04(a)/2013 s251 support for risk stratification (commissioners and CSUs)",
    )
    reg.agreement(
        "nhse-sde-direction",
        "direction",
        ["dhsc", "X26"],
        start="2023-10-01",
        reference="Direction establishing the NHS England Secure Data Environment service",
    )
    reg.agreement(
        "nhse-sde-research-dsa",
        "dsa",
        ["X26", "health-research-consortium"],
        start="2024-04-01",
        end="2029-03-31",
        reference="NHS England SDE access: aggregate outputs only",
    )

    for system_id, category in [
        ("sus-plus", "acute"),
        ("ecds", "acute"),
        ("mhsds", "mental_health"),
        ("csds", "community"),
        ("asc-cld", "social_care"),
    ]:
        reg.flow(
            f"nat-{system_id}-sde",
            system_id,
            "nhse-sde",
            [category],
            ["research", "planning"],
            "pseudonymised",
            ["X26"],
            art6=["6(1)(e)"],
            art9=["9(2)(h)", "9(2)(j)"],
            cldc_basis="statutory_direction",
            legal_instruments=["NHS England SDE Direction"],
            ndop="applied",
            agreements=["nhse-sde-direction"],
            valid_from="2024-04-01",
            frequency="monthly",
            transport="internal NHS England platform",
        )
    reg.flow(
        "nat-sde-research",
        "nhse-sde",
        "health-research-consortium",
        ["acute", "mental_health"],
        ["research"],
        "aggregate",
        ["X26"],
        recipient_controller="health-research-consortium",
        agreements=["nhse-sde-research-dsa"],
        valid_from="2024-06-01",
        frequency="per approved project",
        transport="SDE output checking (airlock)",
        **AGGREGATE_OUTPUT,
    )
    return reg


@dataclass(frozen=True)
class Ics:
    key: str
    prefix: str
    icb: str
    name: str
    shcr_id: str
    shcr_name: str
    shcr_operator: str
    shcr_supplier: str
    shcr_processors: tuple[str, ...]
    shcr_start: date
    sde_org: str
    sde_org_name: str
    sde_system: str
    sde_name: str
    fdp_trusts: tuple[str, ...]


ICSS = [
    Ics(
        "greater-manchester",
        "gm",
        "QOP",
        "Greater Manchester",
        "gmcr",
        "Greater Manchester Care Record",
        "graphnet",
        "graphnet",
        ("graphnet",),
        date(2018, 4, 1),
        "nw-sde",
        "NHS North West Secure Data Environment (operator)",
        "nw-sde-tre",
        "NHS North West Secure Data Environment",
        ("R0A", "RM3"),
    ),
    Ics(
        "west-yorkshire",
        "wy",
        "QWO",
        "West Yorkshire",
        "yhcr",
        "Yorkshire & Humber Care Record (West Yorkshire, incl. Leeds Care Record)",
        "RR8",
        "orion",
        ("RR8", "orion"),
        date(2020, 6, 1),
        "yh-sde",
        "Yorkshire and Humber Secure Data Environment (operator)",
        "yh-sde-tre",
        "Yorkshire and Humber Secure Data Environment",
        ("RR8", "RXF"),
    ),
    Ics(
        "cornwall",
        "cios",
        "QT6",
        "Cornwall and the Isles of Scilly",
        "cios-shcr",
        "Cornwall and Isles of Scilly Shared Care Record",
        "blackpear",
        "blackpear",
        ("blackpear",),
        date(2022, 10, 1),
        "sw-sde",
        "South West Secure Data Environment (operator)",
        "sw-sde-tre",
        "South West Secure Data Environment",
        ("REF", "RJ8"),
    ),
]
NOT_OPTED_IN_SHARE = {"QOP": 0.04, "QWO": 0.04, "QT6": 0.04}


@dataclass
class Plan:
    """Choices made before building an ICS: who is not opted in, where defects sit."""

    not_opted_in: list[str]
    withdrawn: str | None = None  # a not-opted-in practice whose ShCR flow ceased
    art26_gap: str | None = None  # opted-in practice missing from the Art 26 arrangement
    type1_defect: str | None = None  # practice whose PHM extract ignores Type 1
    pcn_defect: Practice | None = None  # practice whose PCN is recorded as controller


def make_plan(ics: Ics, practices: list[Practice]) -> Plan:
    reserved: list[str] = []
    plan = Plan(not_opted_in=[])
    if ics.icb == "QOP":
        # The newest real practice (with registered patients in a PCN) joined the GMCR last.
        newest = max((p for p in practices if re.fullmatch(r"U\d{5}", p.pcn)), key=lambda p: (p.opened, p.code))
        plan.art26_gap = newest.code
        reserved.append(newest.code)
    if ics.icb == "QWO":
        real = [p for p in practices if re.fullmatch(r"U\d{5}", p.pcn)]
        plan.type1_defect = real[0].code
        plan.pcn_defect = real[1]
        reserved += [real[0].code, real[1].code]
    n = round(len(practices) * NOT_OPTED_IN_SHARE[ics.icb])
    candidates = sorted((p.code for p in practices if p.code not in reserved), key=lambda c: ranked(f"opt:{c}"))
    plan.not_opted_in = sorted(candidates[:n])
    if ics.icb == "QWO":
        plan.withdrawn = candidates[0]
    return plan


def build_ics(ref: Reference, ics: Ics, plan: Plan) -> Register:
    reg = Register(ics.key, f"{ics.name} ({ics.icb})")
    p, icb = ics.prefix, ics.icb
    practices, trusts, las = ref.practices[icb], ref.trusts[icb], ref.las[icb]
    opted_in = [pr for pr in practices if pr.code not in plan.not_opted_in]

    # Organisations: only the regional SDE operator; practices, trusts and councils are reference data.
    reg.org(ics.sde_org, ics.sde_org_name, "sde_operator")

    # Systems
    gp_system = {"EMIS": f"{p}-emis-web", "TPP": f"{p}-systmone"}
    reg.system(
        gp_system["EMIS"],
        f"EMIS Web ({ics.name} practices)",
        "gp_clinical_system",
        operator="emis",
        supplier="emis",
        icb=icb,
    )
    reg.system(
        gp_system["TPP"],
        f"TPP SystmOne ({ics.name} practices)",
        "gp_clinical_system",
        operator="tpp",
        supplier="tpp",
        icb=icb,
    )
    reg.system(
        ics.shcr_id,
        ics.shcr_name,
        "shared_care_record",
        operator=ics.shcr_operator,
        supplier=ics.shcr_supplier,
        icb=icb,
    )
    for t in trusts:
        reg.system(
            f"epr-{t.code.lower()}",
            f"{display_name(t.name)} EPR",
            "epr",
            operator=t.code,
            supplier="epic" if t.code == "R0A" else "",
            icb=icb,
        )
    for la in las:
        reg.system(
            f"socialcare-{la.slug}",
            f"{la.name} Council social care case management system",
            "social_care_system",
            operator=la.code,
            icb=icb,
        )
    reg.system(
        f"fdp-{icb.lower()}",
        f"Federated Data Platform: NHS {ics.name} ICB instance",
        "fdp_instance",
        operator="palantir",
        supplier="palantir",
        icb=icb,
    )
    for code in ics.fdp_trusts:
        reg.system(
            f"fdp-{code.lower()}",
            f"Federated Data Platform: {code} trust instance",
            "fdp_instance",
            operator="palantir",
            supplier="palantir",
            icb=icb,
        )
    reg.system(ics.sde_system, ics.sde_name, "sde", operator=ics.sde_org)

    # Agreements common to every ICS
    for supplier, system_id in gp_system.items():
        users = [pr.code for pr in practices if pr.supplier == supplier]
        extra = ["aws"] if supplier == "EMIS" else []
        reg.agreement(
            f"{p}-art28-{supplier.lower()}",
            "art28_contract",
            [*users, supplier.lower(), *extra],
            start="2018-04-01",
            end="2028-03-31",
            reference=f"GP IT Futures call-off: data processing terms for {system_id}",
        )
    contributors = [pr.code for pr in opted_in] + [t.code for t in trusts] + [la.code for la in las]
    shcr_processors = [x for x in ics.shcr_processors if x not in contributors]
    reg.agreement(
        f"{p}-art26-shcr",
        "art26_arrangement",
        contributors,
        start=ics.shcr_start.isoformat(),
        reference=f"{ics.shcr_name}: joint controller arrangement (UK GDPR Art 26)",
    )
    reg.agreement(
        f"{p}-art28-shcr",
        "art28_contract",
        [*contributors, *shcr_processors],
        start=ics.shcr_start.isoformat(),
        end="2029-03-31",
        reference=f"{ics.shcr_name}: processing contract with host and supplier (Art 28)",
    )
    social_care_las = [la.code for la in las]
    reg.agreement(
        f"{p}-dsa-ascld",
        "dsa",
        [*social_care_las, "0AR", "X26"],
        start="2023-04-01",
        end="2028-03-31",
        reference="ASC-CLD submission via the Data Landing Portal (NECS)",
    )
    for code in ics.fdp_trusts:
        reg.agreement(
            f"{p}-art28-fdp-{code.lower()}",
            "art28_contract",
            [code, "palantir", "X26"],
            start="2024-01-15",
            end="2031-02-28",
            reference="NHS FDP: trust instance data processing agreement",
        )
    reg.agreement(
        f"{p}-dsa-fdp-icb",
        "dsa",
        [*ics.fdp_trusts, icb, "palantir", "X26"],
        start="2024-04-01",
        end="2031-02-28",
        reference="NHS FDP: trust instances to the ICB instance (pseudonymised)",
    )
    reg.agreement(
        f"{p}-dsa-sde-research",
        "dsa",
        [ics.sde_org, "health-research-consortium"],
        start="2024-04-01",
        end="2029-03-31",
        reference=f"{ics.sde_name}: aggregate outputs",
    )

    # Practices: own GP system, shared care record, GPES
    for pr in practices:
        system_id = gp_system[pr.supplier]
        supplier = pr.supplier.lower()
        reg.flow(
            f"{p}-gpsys-{pr.code}",
            pr.code,
            system_id,
            ["primary_care"],
            ["direct_care"],
            "identifiable",
            [pr.code],
            processors=[supplier],
            sub_processors=["aws"] if supplier == "emis" else [],
            type1="not_applicable",
            agreements=[f"{p}-art28-{supplier}"],
            frequency="continuous",
            transport="GP clinical system (hosted)",
            **DIRECT_CARE,
        )
    for pr in opted_in:
        start = max(add_months(ics.shcr_start, ranked(f"onboard:{pr.code}") % 24).isoformat(), pr.opened)
        reg.flow(
            f"{p}-shcr-{pr.code}",
            pr.code,
            ics.shcr_id,
            ["primary_care"],
            ["direct_care"],
            "identifiable",
            [pr.code],
            joint="true",
            processors=list(ics.shcr_processors),
            type1="not_applicable",
            agreements=[f"{p}-art26-shcr", f"{p}-art28-shcr"],
            valid_from=start,
            frequency="real time",
            transport="FHIR API from the GP system",
            **DIRECT_CARE,
        )
    for pr in practices:
        reg.flow(
            f"{p}-gpes-{pr.code}",
            pr.code,
            "gpes",
            ["primary_care"],
            ["national_collection"],
            "identifiable",
            [pr.code],
            recipient_controller="X26",
            type1="applied",
            datasets=["GDPPR"],
            legal_instruments=["GDPPR Directions", "GDPPR Data Provision Notice"],
            agreements=["gdppr-direction", "gdppr-dpn"],
            valid_from=max("2020-05-27", pr.opened),
            frequency="fortnightly",
            transport="GPES extraction",
            **STATUTORY,
        )

    # Trusts: EPR, shared care record, national collections, FDP
    for t in trusts:
        facts = TRUSTS[t.code]
        reg.flow(
            f"{p}-epr-{t.code}",
            t.code,
            f"epr-{t.code.lower()}",
            facts.categories,
            ["direct_care"],
            "identifiable",
            [t.code],
            frequency="continuous",
            transport="trust EPR",
            **DIRECT_CARE,
        )
        reg.flow(
            f"{p}-shcr-{t.code}",
            t.code,
            ics.shcr_id,
            facts.categories,
            ["direct_care"],
            "identifiable",
            [t.code],
            joint="true",
            processors=[x for x in ics.shcr_processors if x != t.code],
            agreements=[f"{p}-art26-shcr", f"{p}-art28-shcr"],
            valid_from=ics.shcr_start.isoformat(),
            frequency="real time",
            transport="HL7 v2 / FHIR feed",
            **DIRECT_CARE,
        )
        for dataset in facts.datasets:
            system_id, category, agreement_id = DATASETS[dataset]
            reg.flow(
                f"{p}-{system_id}-{t.code}",
                t.code,
                system_id,
                [category],
                ["national_collection"],
                "identifiable",
                [t.code],
                recipient_controller="X26",
                datasets=[dataset],
                legal_instruments=[f"{dataset} information standard"],
                agreements=[agreement_id],
                frequency="monthly",
                transport="SUS+ / DLP submission",
                **STATUTORY,
            )
    for code in ics.fdp_trusts:
        categories = TRUSTS[code].categories
        reg.flow(
            f"{p}-fdp-{code}",
            code,
            f"fdp-{code.lower()}",
            categories,
            ["direct_care"],
            "identifiable",
            [code],
            processors=["palantir"],
            agreements=[f"{p}-art28-fdp-{code.lower()}"],
            valid_from="2024-09-01",
            frequency="daily",
            transport="FDP data pipeline from the EPR",
            notes="Operational use: waiting lists, discharge and theatre scheduling",
            **DIRECT_CARE,
        )
        reg.flow(
            f"{p}-fdp-icb-{code}",
            f"fdp-{code.lower()}",
            f"fdp-{icb.lower()}",
            categories,
            ["planning", "population_health_management"],
            "pseudonymised",
            [code],
            recipient_controller=icb,
            processors=["palantir"],
            art6=["6(1)(e)"],
            art9=["9(2)(h)"],
            cldc_basis="not_confidential",
            ndop="applied",
            agreements=[f"{p}-dsa-fdp-icb"],
            valid_from="2025-04-01",
            frequency="daily",
            transport="FDP privacy enhancing technology",
            notes="Pseudonymised before it leaves the trust instance",
        )

    # Local authorities: social care system, shared care record, ASC-CLD via the CSU
    for la in las:
        system_id = f"socialcare-{la.slug}"
        reg.flow(
            f"{p}-sc-{la.slug}",
            la.code,
            system_id,
            ["social_care"],
            ["direct_care"],
            "identifiable",
            [la.code],
            frequency="continuous",
            transport="case management system",
            **DIRECT_CARE,
        )
        reg.flow(
            f"{p}-shcr-{la.slug}",
            system_id,
            ics.shcr_id,
            ["social_care"],
            ["direct_care"],
            "identifiable",
            [la.code],
            joint="true",
            processors=list(ics.shcr_processors),
            agreements=[f"{p}-art26-shcr", f"{p}-art28-shcr"],
            valid_from=add_months(ics.shcr_start, 6).isoformat(),
            frequency="daily",
            transport="FHIR API",
            **DIRECT_CARE,
        )
        reg.flow(
            f"{p}-ascld-{la.slug}",
            system_id,
            "asc-cld",
            ["social_care"],
            ["national_collection"],
            "pseudonymised",
            [la.code],
            processors=["0AR"],
            recipient_controller="X26",
            datasets=["ASC-CLD"],
            legal_instruments=["ASC-CLD mandatory collection"],
            agreements=["ascld-mandate", f"{p}-dsa-ascld"],
            valid_from="2023-04-01",
            frequency="quarterly",
            transport="Data Landing Portal (pseudonymised on submission)",
            **STATUTORY,
        )

    # Research outputs leave the regional SDE only as aggregates.
    reg.flow(
        f"{p}-sde-research",
        ics.sde_system,
        "health-research-consortium",
        ["acute", "community"],
        ["research"],
        "aggregate",
        [ics.sde_org],
        recipient_controller="health-research-consortium",
        agreements=[f"{p}-dsa-sde-research"],
        valid_from="2025-01-06",
        frequency="per approved project",
        transport="SDE output checking (airlock)",
        **AGGREGATE_OUTPUT,
    )
    return reg


def gm_extras(reg: Register, ics: Ics, plan: Plan, ref: Reference, defects: list[Defect]) -> None:
    """Greater Manchester: PHM fed from the GMCR, into the North West SDE."""
    reg.org("example-rpm", "Example Remote Monitoring Ltd (fictional supplier)", "supplier")
    reg.system(
        "phm-gm",
        "Greater Manchester population health management platform (illustrative)",
        "phm_platform",
        operator="0AR",
        icb="QOP",
    )
    reg.system(
        "gm-remote-monitoring",
        "Virtual ward remote monitoring service (illustrative)",
        "other",
        operator="example-rpm",
        supplier="example-rpm",
        icb="QOP",
        hosting_location="United States",
    )
    reg.agreement(
        "gm-art28-phm",
        "art28_contract",
        ["QOP", "0AR"],
        start="2021-04-01",
        end="2028-03-31",
        reference="GM PHM: CSU pseudonymisation and linkage services",
    )
    reg.agreement(
        "gm-dsa-phm-trusts",
        "dsa",
        ["RXV", "RMC", "QOP", "0AR"],
        start="2022-04-01",
        end="2028-03-31",
        reference="GM PHM: direct trust feeds (pseudonymised by the CSU)",
    )
    reg.agreement(
        "gm-dsa-sde",
        "dsa",
        ["QOP", "nw-sde"],
        start="2023-10-01",
        end="2029-03-31",
        reference="GM PHM to the North West SDE",
    )
    reg.agreement(
        "gm-copi-covid",
        "other",
        ["QOP", "0AR"],
        start="2020-03-20",
        end="2022-06-30",
        reference="COVID-19 COPI notice (Reg 3(4) Health Service (Control of Patient Information))",
    )
    reg.agreement(
        "gm-art28-remote-monitoring",
        "art28_contract",
        ["R0A", "example-rpm"],
        start="2025-02-01",
        end="2028-01-31",
        reference="Virtual ward remote monitoring: processing contract",
    )
    reg.agreement(
        "gm-dpia-remote-monitoring",
        "dpia",
        ["R0A"],
        start="2025-01-10",
        reference="DPIA for the virtual ward remote monitoring service",
    )

    core = ["primary_care", "acute", "community", "mental_health", "social_care"]
    reg.flow(
        "gm-phm-gmcr",
        "gmcr",
        "phm-gm",
        core,
        ["population_health_management", "risk_stratification"],
        "pseudonymised",
        ["QOP"],
        processors=["0AR"],
        type1="applied",
        agreements=["gm-art28-phm", "cag-7-04a"],
        valid_from="2021-04-01",
        frequency="weekly",
        transport="GMCR extract, pseudonymised by the CSU",
        **RISK_STRAT,
    )
    reg.flow(
        "gm-phm-covid",
        "gmcr",
        "phm-gm",
        core,
        ["planning", "population_health_management"],
        "pseudonymised",
        ["QOP"],
        processors=["0AR"],
        art6=["6(1)(e)"],
        art9=["9(2)(h)", "9(2)(i)"],
        cldc_basis="copi",
        legal_instruments=["COPI notice 2020"],
        ndop="not_applicable",
        type1="applied",
        agreements=["gm-copi-covid"],
        status="ceased",
        valid_from="2020-03-20",
        valid_to="2022-06-30",
        frequency="daily",
        transport="GMCR extract",
        notes="COVID-19 response linkage; stopped when the general COPI notices expired",
    )
    reg.flow(
        "gm-phm-RXV",
        "RXV",
        "phm-gm",
        ["mental_health"],
        ["risk_stratification"],
        "pseudonymised",
        ["RXV"],
        processors=["0AR"],
        recipient_controller="QOP",
        agreements=["gm-dsa-phm-trusts", "cag-7-04a"],
        valid_from="2023-02-01",
        frequency="monthly",
        transport="SFTP to the CSU",
        notes="Mental health feed for risk stratification; opt-out filter not configured [demo defect]",
        **{**RISK_STRAT, "ndop": "not_applied"},
    )
    defects.append(
        Defect(
            "ndop_not_applied",
            reg.key,
            "gm-phm-RXV",
            "s251 (CAG 7-04(a)) risk stratification feed with ndop not_applied",
        )
    )
    reg.flow(
        "gm-phm-RMC",
        "RMC",
        "phm-gm",
        ["acute", "community"],
        ["population_health_management"],
        "pseudonymised",
        ["RMC"],
        processors=["0AR"],
        recipient_controller="QOP",
        art6=["6(1)(e)"],
        art9=["9(2)(h)"],
        cldc_basis="copi",
        legal_instruments=["COPI notice 2020"],
        ndop="not_applicable",
        agreements=["gm-dsa-phm-trusts"],
        valid_from="2023-01-09",
        frequency="weekly",
        transport="SFTP to the CSU",
        notes="Set up in 2023 citing the COVID-19 COPI notice [demo defect]",
    )
    defects.append(
        Defect(
            "copi_after_2022",
            reg.key,
            "gm-phm-RMC",
            "cldc copi on a flow running from 2023-01-09, after the notices expired",
        )
    )
    reg.flow(
        "gm-sde-phm",
        "phm-gm",
        "nw-sde-tre",
        core,
        ["research"],
        "pseudonymised",
        ["QOP"],
        recipient_controller="nw-sde",
        type1="applied",
        agreements=["gm-dsa-sde"],
        valid_from="2024-04-01",
        frequency="monthly",
        transport="SDE ingestion pipeline",
        **SDE_RESEARCH,
    )
    reg.flow(
        "gm-remote-monitoring-R0A",
        "R0A",
        "gm-remote-monitoring",
        ["acute", "community"],
        ["direct_care"],
        "identifiable",
        ["R0A"],
        processors=["example-rpm"],
        agreements=["gm-art28-remote-monitoring", "gm-dpia-remote-monitoring"],
        valid_from="2025-02-01",
        frequency="continuous",
        transport="HTTPS API",
        notes="Supplier hosts readings outside the UK [demo defect]",
        **DIRECT_CARE,
    )
    defects.append(
        Defect(
            "hosted_outside_uk",
            reg.key,
            "gm-remote-monitoring",
            "system hosted in the United States receives identifiable data (flow gm-remote-monitoring-R0A)",
        )
    )

    # Defects planted in rows built by build_ics
    bury = next(la for la in ref.las["QOP"] if la.code == "E08000002")
    reg.get_flow(f"gm-shcr-{bury.slug}").update(art6=[], notes="Art 6 basis not recorded [demo defect]")
    defects.append(
        Defect("no_art6", reg.key, f"gm-shcr-{bury.slug}", "Bury social care into the GMCR: identifiable, no art6")
    )
    gap = plan.art26_gap
    assert gap is not None
    art26 = reg.get_agreement("gm-art26-shcr")
    art26["parties"] = [x for x in art26["parties"] if x != gap]
    reg.get_flow(f"gm-shcr-{gap}").update(
        valid_from="2026-10-01",
        notes="Joined October 2026; has not yet signed the GMCR joint controller arrangement [demo defect]",
    )
    defects.append(
        Defect(
            "art26_gap", reg.key, f"gm-shcr-{gap}", f"joint flow into the GMCR; {gap} is not a party to gm-art26-shcr"
        )
    )


def wy_extras(reg: Register, ics: Ics, plan: Plan, ref: Reference, defects: list[Defect]) -> None:
    """West Yorkshire: practices feed the PHM platform directly; trusts feed a data warehouse."""
    practices = ref.practices["QWO"]
    trusts = ref.trusts["QWO"]
    opted_in = [pr for pr in practices if pr.code not in plan.not_opted_in]
    reg.system(
        "phm-wy",
        "West Yorkshire population health management platform (illustrative)",
        "phm_platform",
        operator="0AR",
        icb="QWO",
    )
    reg.system(
        "wy-dw",
        "West Yorkshire ICB data warehouse (illustrative)",
        "data_warehouse",
        operator="QWO",
        supplier="optum",
        icb="QWO",
    )

    reg.agreement(
        "wy-dsa-phm",
        "dsa",
        [*(pr.code for pr in opted_in), "QWO", "0AR"],
        start="2021-10-01",
        end="2028-09-30",
        reference="WY PHM: practice extracts pseudonymised by the CSU",
    )
    reg.agreement(
        "wy-art28-phm",
        "art28_contract",
        ["QWO", "0AR"],
        start="2021-10-01",
        end="2028-09-30",
        reference="WY PHM: CSU pseudonymisation, linkage and hosting",
    )
    reg.agreement(
        "wy-dsa-sde",
        "dsa",
        ["QWO", "yh-sde"],
        start="2023-10-01",
        end="2029-03-31",
        reference="WY PHM to the Yorkshire and Humber SDE",
    )
    reg.agreement(
        "wy-dsa-dscro",
        "dsa",
        [*(t.code for t in trusts if t.code != "RX8"), "QWO", "necs-dscro"],
        start="2019-04-01",
        end="2029-03-31",
        reference="Commissioning data via the DSCRO (pseudonymisation at source)",
    )
    ends = {"RAE": "2026-03-31", "RWY": "2026-12-15", "RCF": "2024-03-31"}
    for t in trusts:
        if t.code == "RX8":
            continue
        reg.agreement(
            f"wy-dsa-dw-{t.code.lower()}",
            "dsa",
            [t.code, "QWO"],
            start="2019-04-01",
            end=ends.get(t.code, "2028-03-31"),
            reference=f"{t.code} to the WY data warehouse",
        )

    # Withdrawn practice: its ShCR flow ceased; the earlier arrangement it signed has ended.
    withdrawn = plan.withdrawn
    assert withdrawn is not None
    old_parties = sorted([*reg.get_agreement("wy-art26-shcr")["parties"], withdrawn])
    reg.agreement(
        "wy-art26-shcr-2020",
        "art26_arrangement",
        old_parties,
        start="2020-06-01",
        end="2025-03-31",
        reference="Earlier version of the YHCR joint controller arrangement (superseded)",
    )
    reg.flow(
        f"wy-shcr-{withdrawn}",
        withdrawn,
        "yhcr",
        ["primary_care"],
        ["direct_care"],
        "identifiable",
        [withdrawn],
        joint="true",
        processors=["RR8", "orion"],
        type1="not_applicable",
        agreements=["wy-art26-shcr-2020"],
        status="ceased",
        valid_from="2020-09-01",
        valid_to="2025-03-31",
        frequency="real time",
        transport="FHIR API from the GP system",
        notes="Practice withdrew from the YHCR on 31 March 2025",
        **DIRECT_CARE,
    )

    for pr in opted_in:
        row = reg.flow(
            f"wy-phm-{pr.code}",
            pr.code,
            "phm-wy",
            ["primary_care"],
            ["population_health_management", "risk_stratification"],
            "pseudonymised",
            [pr.code],
            processors=["0AR"],
            recipient_controller="QWO",
            type1="applied",
            agreements=["wy-dsa-phm", "cag-7-04a"],
            valid_from=max("2021-10-01", pr.opened),
            frequency="weekly",
            transport="supplier extract, pseudonymised at source",
            **RISK_STRAT,
        )
        if pr.code == plan.type1_defect:
            row.update(
                type1="not_applied", notes="Extract re-configured in 2025 without the Type 1 filter [demo defect]"
            )
    defects.append(
        Defect(
            "type1_not_applied",
            reg.key,
            f"wy-phm-{plan.type1_defect}",
            "pseudonymised GP data to the PHM platform (s251), type1 not_applied",
        )
    )
    reg.flow(
        "wy-phm-yhcr",
        "yhcr",
        "phm-wy",
        ["acute", "community", "mental_health", "social_care"],
        ["population_health_management", "risk_stratification"],
        "pseudonymised",
        ["QWO"],
        processors=["0AR"],
        agreements=["wy-art28-phm", "cag-7-04a"],
        valid_from="2022-01-10",
        frequency="weekly",
        transport="YHCR extract, pseudonymised by the CSU",
        **RISK_STRAT,
    )
    reg.flow(
        "wy-sde-phm",
        "phm-wy",
        "yh-sde-tre",
        ["primary_care", "acute", "community", "mental_health", "social_care"],
        ["research"],
        "pseudonymised",
        ["QWO"],
        recipient_controller="yh-sde",
        type1="applied",
        agreements=["wy-dsa-sde"],
        valid_from="2024-07-01",
        frequency="monthly",
        transport="SDE ingestion pipeline",
        **SDE_RESEARCH,
    )

    for t in trusts:
        if t.code in ("RX8", "RGD"):
            continue
        categories = [c for c in TRUSTS[t.code].categories if c != "maternity"]
        row = reg.flow(
            f"wy-dw-{t.code}",
            t.code,
            "wy-dw",
            categories,
            ["commissioning", "planning"],
            "pseudonymised",
            [t.code],
            processors=["necs-dscro"],
            recipient_controller="QWO",
            art6=["6(1)(e)"],
            art9=["9(2)(h)"],
            cldc_basis="not_confidential",
            ndop="applied",
            datasets=["SUS+ (local commissioning extract)"],
            agreements=[f"wy-dsa-dw-{t.code.lower()}", "wy-dsa-dscro"],
            valid_from="2019-04-01",
            frequency="monthly",
            transport="DSCRO, pseudonymised at source",
        )
        if t.code == "RCF":
            row.update(
                valid_to="2024-03-31", notes="Feed replaced by the Bradford District and Craven extract; row left live"
            )
    reg.get_flow("wy-dw-RAE").update(notes="DSA ended 31 March 2026, renewal not signed [demo defect]")
    defects.append(Defect("agreement_expired", reg.key, "wy-dw-RAE", "live flow; wy-dsa-dw-rae ended 2026-03-31"))
    reg.get_flow("wy-dw-RWY").update(notes="DSA wy-dsa-dw-rwy ends 15 December 2026 [demo defect]")
    defects.append(Defect("agreement_expiring", reg.key, "wy-dw-RWY", "live flow; wy-dsa-dw-rwy ends 2026-12-15"))
    reg.flow(
        "wy-dw-RGD",
        "RGD",
        "wy-dw",
        ["mental_health"],
        ["risk_stratification"],
        "identifiable",
        ["RGD"],
        recipient_controller="QWO",
        agreements=["wy-dsa-dw-rgd"],
        valid_from="2022-11-01",
        frequency="monthly",
        transport="SFTP",
        notes="Identifiable mental health extract sent straight to the warehouse [demo defect]",
        **RISK_STRAT,
    )
    defects.append(
        Defect(
            "identifiable_secondary_platform",
            reg.key,
            "wy-dw-RGD",
            "identifiable mental health data into the data warehouse",
        )
    )

    # A live flow that only starts next year.
    reg.get_flow("wy-fdp-RXF").update(valid_from="2027-01-04", notes="Go-live booked for January 2027")
    reg.get_flow("wy-fdp-icb-RXF").update(valid_from="2027-01-04", notes="Follows the RXF go-live")

    pcn_practice = plan.pcn_defect
    assert pcn_practice is not None
    gp_system = "wy-emis-web" if pcn_practice.supplier == "EMIS" else "wy-systmone"
    reg.flow(
        f"wy-pcnhub-{pcn_practice.pcn}",
        pcn_practice.code,
        gp_system,
        ["primary_care"],
        ["direct_care"],
        "identifiable",
        [pcn_practice.pcn],
        type1="not_applicable",
        valid_from="2022-10-01",
        frequency="continuous",
        transport="enhanced access hub",
        notes=f"Enhanced access hub records; PCN {pcn_practice.pcn} recorded as controller instead of "
        "its member practices [demo defect]",
        **DIRECT_CARE,
    )
    defects.append(
        Defect(
            "not_legal_entity", reg.key, f"wy-pcnhub-{pcn_practice.pcn}", f"PCN {pcn_practice.pcn} named as controller"
        )
    )

    reg.get_flow("wy-shcr-RY6").update(art9=[], notes="Art 9 condition not recorded [demo defect]")
    defects.append(Defect("no_art9", reg.key, "wy-shcr-RY6", "community health data into the YHCR, no art9"))


def cornwall_extras(reg: Register, ics: Ics, plan: Plan, ref: Reference, defects: list[Defect]) -> None:
    """Cornwall: primary care data goes no further than the shared care record."""
    reg.agreement(
        "cios-dsa-sde",
        "dsa",
        ["REF", "sw-sde"],
        start="2024-01-01",
        end="2029-03-31",
        reference="RCHT acute data to the South West SDE",
    )
    reg.flow(
        "cios-sde-REF",
        "REF",
        "sw-sde-tre",
        ["acute"],
        ["research"],
        "pseudonymised",
        ["REF"],
        recipient_controller="sw-sde",
        agreements=["cios-dsa-sde"],
        valid_from="2024-06-03",
        frequency="monthly",
        transport="SDE ingestion pipeline",
        **SDE_RESEARCH,
    )
    # The ICB's FDP instance is planned: the trust-to-ICB feeds have not started.
    for code in ics.fdp_trusts:
        reg.get_flow(f"cios-fdp-icb-{code}").update(
            status="planned", valid_from="2027-04-01", notes="Planned for April 2027"
        )
    scilly = next(la for la in ref.las["QT6"] if la.code == "E06000053")
    reg.get_flow(f"cios-shcr-{scilly.slug}").update(status="paused", notes="Paused while the interface is upgraded")
    dsa = reg.get_agreement("cios-dsa-ascld")
    dsa["parties"] = [x for x in dsa["parties"] if x != scilly.code]
    reg.get_flow(f"cios-ascld-{scilly.slug}").update(
        notes="Council not yet party to the Data Landing Portal DSA [demo defect]"
    )
    defects.append(
        Defect(
            "processor_no_contract",
            reg.key,
            f"cios-ascld-{scilly.slug}",
            f"processor 0AR; no art28 or DSA names both 0AR and {scilly.code}",
        )
    )
    reg.get_flow("cios-fdp-RJ8").update(cldc_basis="", notes="CLDC basis not recorded [demo defect]")
    defects.append(Defect("no_cldc", reg.key, "cios-fdp-RJ8", "identifiable data into the RJ8 FDP instance"))


EXTRAS = {"QOP": gm_extras, "QWO": wy_extras, "QT6": cornwall_extras}

# ---------------------------------------------------------------------------------------------
# Writing


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(value)
    return str(value)


def write_table(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            unknown = set(row) - set(columns)
            if unknown:
                raise SystemExit(f"make_demo: {path.name}: unknown columns {sorted(unknown)}")
            writer.writerow([cell(row.get(c)) for c in columns])


def write_register(out: Path, reg: Register) -> None:
    folder = out / reg.key
    folder.mkdir(parents=True, exist_ok=True)
    write_table(folder / "organisations.csv", ORG_COLUMNS, reg.organisations)
    write_table(folder / "systems.csv", SYSTEM_COLUMNS, reg.systems)
    write_table(folder / "flows.csv", FLOW_COLUMNS, reg.flows)
    write_table(folder / "agreements.csv", AGREEMENT_COLUMNS, reg.agreements)


# ---------------------------------------------------------------------------------------------
# Self-check: re-read the written files as a loader would, then run the IG checks.


def read_register(folder: Path) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in ("organisations", "systems", "flows", "agreements"):
        with (folder / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
            rows = []
            for row in csv.DictReader(fh):
                parsed: dict[str, Any] = {}
                for k, v in row.items():
                    parsed[k] = [x for x in v.split(";") if x] if k in LIST_COLUMNS else v
                rows.append(parsed)
            tables[table] = rows
    return tables


def day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def live_at(flow: dict[str, Any], as_of: date) -> bool:
    start, end = day(flow["valid_from"]), day(flow["valid_to"])
    status = flow["status"] or "live"
    return status == "live" and (start is None or start <= as_of) and (end is None or as_of <= end)


def self_check(out: Path, keys: list[str], ref: Reference, defects: list[Defect]) -> list[str]:
    errors: list[str] = []
    registers = {key: read_register(out / key) for key in keys}

    # Ids: organisations and systems unique across registers (identical rows allowed), no collisions.
    orgs: dict[str, dict[str, Any]] = {}
    systems: dict[str, dict[str, Any]] = {}
    agreements: dict[str, dict[str, Any]] = {}
    flow_ids: set[str] = set()
    for key, tables in registers.items():
        for row in tables["organisations"]:
            if row["org_id"] in orgs and orgs[row["org_id"]] != row:
                errors.append(f"{key}: organisation {row['org_id']} defined twice with different facts")
            orgs[row["org_id"]] = row
            if row["org_type"] not in VOCAB["org_type"]:
                errors.append(f"{key}: organisation {row['org_id']}: org_type {row['org_type']!r}")
            if (
                re.fullmatch(r"[a-z0-9-]+", row["org_id"]) is None
                and ref.kind_of(row["org_id"]) is None
                and row["org_id"] not in ("X26", "0AR")
            ):
                errors.append(f"{key}: local id {row['org_id']} looks like an ODS code")
        for row in tables["systems"]:
            if row["system_id"] in systems:
                errors.append(f"{key}: system {row['system_id']} defined twice")
            systems[row["system_id"]] = row
            if row["system_type"] not in VOCAB["system_type"]:
                errors.append(f"{key}: system {row['system_id']}: system_type {row['system_type']!r}")
        for row in tables["agreements"]:
            if row["agreement_id"] in agreements:
                errors.append(f"{key}: agreement {row['agreement_id']} defined twice")
            agreements[row["agreement_id"]] = row
            if row["agreement_type"] not in VOCAB["agreement_type"]:
                errors.append(f"{key}: agreement {row['agreement_id']}: type {row['agreement_type']!r}")
        for row in tables["flows"]:
            if row["flow_id"] in flow_ids:
                errors.append(f"{key}: flow {row['flow_id']} defined twice")
            flow_ids.add(row["flow_id"])
    for system_id in systems:
        if system_id in orgs or ref.kind_of(system_id):
            errors.append(f"system id {system_id} collides with an organisation id")

    def org_known(node: str) -> bool:
        return node in orgs or ref.kind_of(node) is not None

    def org_type(node: str) -> str:
        return orgs[node]["org_type"] if node in orgs else (ref.kind_of(node) or "")

    for system_id, row in systems.items():
        for column in ("operator", "supplier"):
            if row[column] and not org_known(row[column]):
                errors.append(f"system {system_id}: {column} {row[column]} unknown")
        if row["icb"] and row["icb"] not in ref.ids["icb"]:
            errors.append(f"system {system_id}: icb {row['icb']} unknown")
    for agreement_id, row in agreements.items():
        if not row["parties"]:
            errors.append(f"agreement {agreement_id}: no parties")
        errors += [f"agreement {agreement_id}: party {x} unknown" for x in row["parties"] if not org_known(x)]
        if row["start"] and row["end"] and row["end"] < row["start"]:
            errors.append(f"agreement {agreement_id}: end before start")

    all_flows = [(key, f) for key, tables in registers.items() for f in registers[key]["flows"]]
    for key, f in all_flows:
        where = f"{key}/flows.csv {f['flow_id']}"
        for column in (
            "flow_id",
            "source",
            "destination",
            "data_categories",
            "purposes",
            "identifiability",
            "controllers",
        ):
            if not f[column]:
                errors.append(f"{where}: {column} missing")
        for column, vocab in FLOW_VOCAB.items():
            values = f[column] if isinstance(f[column], list) else [f[column]] if f[column] else []
            errors += [f"{where}: {column} {v!r} not in {vocab}" for v in values if v not in VOCAB[vocab]]
        for column in ("source", "destination"):
            if f[column] not in systems and not org_known(f[column]):
                errors.append(f"{where}: {column} {f[column]} unknown")
        if f["source"] == f["destination"]:
            errors.append(f"{where}: flow from a node to itself")
        roles = [*f["controllers"], *f["processors"], *f["sub_processors"]]
        roles += [f["recipient_controller"]] if f["recipient_controller"] else []
        errors += [f"{where}: role holder {x} unknown" for x in roles if not org_known(x)]
        errors += [f"{where}: agreement {a} unknown" for a in f["agreements"] if a not in agreements]
        if f["valid_from"] and f["valid_to"] and f["valid_to"] < f["valid_from"]:
            errors.append(f"{where}: valid_to before valid_from")
        if f["joint"] not in ("true", "false"):
            errors.append(f"{where}: joint {f['joint']!r}")

    # IG checks, as a compliance checker would run them as of AS_OF.
    found: dict[str, set[str]] = defaultdict(set)

    def valid(agreement: dict[str, Any]) -> bool:
        start, end = day(agreement["start"]), day(agreement["end"])
        return (start is None or start <= AS_OF) and (end is None or end >= AS_OF)

    joint_by_destination: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _key, f in all_flows:
        fid, personal = f["flow_id"], f["identifiability"] in PERSONAL
        secondary = any(p != "direct_care" for p in f["purposes"])
        special = any(c not in NOT_SPECIAL_CATEGORY for c in f["data_categories"])
        if personal and not f["art6"]:
            found["no_art6"].add(fid)
        if personal and special and not f["art9"]:
            found["no_art9"].add(fid)
        if f["identifiability"] == "identifiable" and not f["cldc_basis"]:
            found["no_cldc"].add(fid)
        if f["cldc_basis"] == "s251" and secondary and f["ndop"] in ("not_applied", "unknown", ""):
            found["ndop_not_applied"].add(fid)
        from_practice = org_type(f["source"]) == "gp_practice" or (
            f["source"] in systems and systems[f["source"]]["system_type"] == "gp_clinical_system"
        )
        if (
            from_practice
            and personal
            and secondary
            and "primary_care" in f["data_categories"]
            and f["type1"] in ("not_applied", "unknown", "")
            and f["cldc_basis"] != "statutory_direction"
        ):
            found["type1_not_applied"].add(fid)
        if any(
            org_type(x) in NOT_LEGAL_ENTITY_TYPES for x in [*f["controllers"], *f["processors"], *f["sub_processors"]]
        ):
            found["not_legal_entity"].add(fid)
        if f["cldc_basis"] == "copi" and (not f["valid_to"] or f["valid_to"] > COPI_END.isoformat()):
            found["copi_after_2022"].add(fid)
        destination = systems.get(f["destination"])
        if f["identifiability"] == "identifiable" and destination and destination["system_type"] in SECONDARY_PLATFORMS:
            found["identifiable_secondary_platform"].add(fid)
        if personal and destination and destination["hosting_location"] not in ("", "UK"):
            found["hosted_outside_uk"].add(f["destination"])
        if not live_at(f, AS_OF):
            continue
        listed = [agreements[a] for a in f["agreements"]]
        for processor in [*f["processors"], *f["sub_processors"]]:
            # Strict: a contract listed on the flow; lenient: any contract anywhere. Both must agree.
            for pool in (listed, list(agreements.values())):
                if not any(
                    a["agreement_type"] in ("art28_contract", "dsa")
                    and valid(a)
                    and processor in a["parties"]
                    and set(f["controllers"]) & set(a["parties"])
                    for a in pool
                ):
                    found["processor_no_contract"].add(fid)
        if f["joint"] == "true":
            joint_by_destination[f["destination"]].append(f)
            if not any(
                a["agreement_type"] == "art26_arrangement" and valid(a) and set(f["controllers"]) <= set(a["parties"])
                for a in listed
            ):
                found["art26_gap"].add(fid)
        for a in listed:
            end = day(a["end"])
            if end is not None and end < AS_OF:
                found["agreement_expired"].add(fid)
            elif end is not None and end <= AS_OF + timedelta(days=EXPIRY_WINDOW_DAYS):
                found["agreement_expiring"].add(fid)
    # Group reading of Art 26: every joint controller of a system covered by its arrangements.
    for flows in joint_by_destination.values():
        parties = {
            p
            for f in flows
            for a in f["agreements"]
            if agreements[a]["agreement_type"] == "art26_arrangement" and valid(agreements[a])
            for p in agreements[a]["parties"]
        }
        for f in flows:
            if not set(f["controllers"]) <= parties:
                found["art26_gap"].add(f["flow_id"])

    planted: dict[str, set[str]] = defaultdict(set)
    for d in defects:
        planted[d.check].add(d.flow_id)
    for check in CHECK_TITLES:
        if not planted[check]:
            errors.append(f"IG check {check}: no defect planted")
        if found[check] != planted[check]:
            errors.append(f"IG check {check}: planted {sorted(planted[check])}, found {sorted(found[check])}")
    return errors


def headline(out: Path, keys: list[str], ref: Reference) -> dict[str, tuple[int, int]]:
    """Query 1: practices whose primary care goes no further than shared care records, per ICB."""
    flows: list[dict[str, Any]] = []
    systems: dict[str, dict[str, Any]] = {}
    for key in keys:
        tables = read_register(out / key)
        flows += tables["flows"]
        systems.update({s["system_id"]: s for s in tables["systems"]})
    edges: dict[str, list[str]] = defaultdict(list)
    for f in flows:
        destination = systems.get(f["destination"], {})
        if (
            live_at(f, AS_OF)
            and "primary_care" in f["data_categories"]
            and "national_collection" not in f["purposes"]
            and destination.get("system_type") != "national_collection"
        ):
            edges[f["source"]].append(f["destination"])
    result: dict[str, tuple[int, int]] = {}
    for icb, practices in ref.practices.items():
        qualifying = 0
        for pr in practices:
            seen, todo = set(), list(edges[pr.code])
            while todo:
                node = todo.pop()
                if node not in seen:
                    seen.add(node)
                    todo += edges[node]
            kinds = {systems.get(n, {}).get("system_type", "organisation") for n in seen}
            if kinds <= {"shared_care_record", "gp_clinical_system"}:
                qualifying += 1
        result[icb] = (qualifying, len(practices))
    return result


# ---------------------------------------------------------------------------------------------
# README


def readme(
    registers: list[Register],
    plans: dict[str, Plan],
    defects: list[Defect],
    ref: Reference,
    heads: dict[str, tuple[int, int]],
) -> str:
    lines = [
        "# Demo registers: three real ICSs, illustrative flows",
        "",
        "**The flows and agreements in this folder are fictional.** They are illustrative data flows, not",
        "real data sharing agreements, contracts, approvals or IG decisions of any organisation named here.",
        "The organisations are real: GP practices, NHS trusts, ICBs, PCNs and local authorities appear under",
        "their real ODS / ONS codes from the national reference data, and the suppliers and national bodies",
        "are real companies and bodies. Which supplier runs which system, every date, every legal basis and",
        "every defect below was made up to exercise the project's questions. Do not read any of it as a",
        "statement about how these organisations actually handle data.",
        "",
        "Generated by `scripts/make_demo.py` (deterministic; standard library only) from the reference files",
        f"`{EPRACCUR}`, `{ETR}`, `{PRACTICE_MAP}`, `{GP_SUPPLIERS}` and `{BOUNDARY_MAP}`.",
        "Re-run `python scripts/make_demo.py` to rebuild; it self-checks what it writes and fails loudly.",
        f"Dates are chosen so that the interesting findings appear as of **{AS_OF.isoformat()}**.",
        "",
        "## Registers",
        "",
        "| folder | what | organisations | systems | flows | agreements |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for reg in registers:
        lines.append(
            f"| `{reg.key}/` | {reg.title} | {len(reg.organisations)} | {len(reg.systems)} | "
            f"{len(reg.flows)} | {len(reg.agreements)} |"
        )
    lines += [
        "",
        "Load all four together: the ICS registers name NHS England (`X26`), NECS (`0AR`), the DSCRO,",
        "the suppliers, the research organisation and the national collection systems (`gpes`, `sus-plus`,",
        "`ecds`, `mhsds`, `csds`, `ads`, `asc-cld`, `nhse-sde`), which are defined once, in `national/`.",
        "Practices, trusts, ICBs, PCNs and local authorities (UTLA21 `E0…` codes) are not defined here: they",
        "come from the reference data, trust types included, so the ICS registers define only what it lacks.",
        "",
        "## What each ICS shows",
        "",
    ]
    for ics in ICSS:
        plan, icb = plans[ics.icb], ics.icb
        n_pr = len(ref.practices[icb])
        suppliers = Counter(p.supplier for p in ref.practices[icb])
        qualifying, total = heads[icb]
        lines += [
            f"### {ics.name} (`{icb}`, folder `{ics.key}/`)",
            "",
            f"- {n_pr} active GP practices (ODS epraccur Feb 2026): {suppliers['EMIS']} EMIS Web, "
            f"{suppliers['TPP']} TPP SystmOne; {len(ref.trusts[icb])} open NHS trusts "
            f"({', '.join(t.code for t in ref.trusts[icb])}); local authorities "
            f"{', '.join(f'{la.name} `{la.code}`' for la in ref.las[icb])}.",
            f"- Shared care record `{ics.shcr_id}` ({ics.shcr_name}); FDP instances for the ICB and for "
            f"{' and '.join(ics.fdp_trusts)}; regional SDE `{ics.sde_system}`.",
            f"- Headline query as of {AS_OF.isoformat()}: {qualifying} of {total} practices send primary care "
            "data no further than the shared care record (national collections left out).",
        ]
        if icb == "QOP":
            lines.append(
                "- PHM platform `phm-gm` fed from the GMCR (pseudonymised by NECS, CAG 7-04(a)), "
                "passing on to the North West SDE."
            )
        if icb == "QWO":
            lines.append(
                "- PHM platform `phm-wy` fed by each opted-in practice directly and by the YHCR; a data "
                "warehouse `wy-dw` fed by trusts through the DSCRO."
            )
        if icb == "QT6":
            lines.append(
                '- **The report\'s "one ICS"**: practices send primary care only to their GP system, '
                "the shared care record and GPES. Acute and community data still reach FDP and the "
                "South West SDE."
            )
        lines += [
            f"- Not opted in to the shared care record ({len(plan.not_opted_in)} of {n_pr}, "
            f"{100 * len(plan.not_opted_in) / n_pr:.1f}%): {', '.join(f'`{c}`' for c in plan.not_opted_in)}."
            + (
                f" `{plan.withdrawn}` withdrew: its flow `wy-shcr-{plan.withdrawn}` is `ceased`."
                if plan.withdrawn
                else ""
            )
            + (" These practices also send nothing to the PHM platform." if icb == "QWO" else ""),
            "",
        ]
    lines += [
        "Other dated rows: `gm-phm-covid` is `ceased` (COPI, 2020-03-20 to 2022-06-30, a correct use);",
        f"`wy-shcr-{plans['QWO'].withdrawn}` is `ceased`; `cios-fdp-icb-REF` and `cios-fdp-icb-RJ8` are `planned`",
        "from 2027-04-01; `wy-fdp-RXF` and `wy-fdp-icb-RXF` are `live` but start on 2027-01-04;",
        "`wy-dw-RCF` is `live` with a `valid_to` of 2024-03-31 (a stale row); `cios-shcr-isles-of-scilly`",
        "is `paused`.",
        "",
        "## Planted IG defects",
        "",
        f"Each IG check has exactly the findings below as of {AS_OF.isoformat()} (the generator's",
        "self-check runs the checks and fails if anything else is found). Every defect row also says",
        "`[demo defect]` in its `notes`.",
        "",
        "| check | register | flow (or system) | what is wrong |",
        "| --- | --- | --- | --- |",
    ]
    for d in defects:
        lines.append(f"| {CHECK_TITLES[d.check]} | `{d.register}` | `{d.flow_id}` | {d.what} |")
    lines += [
        "",
        "How the self-check reads the rules (so a checker that reads them the same way finds exactly these):",
        "",
        "- Content checks (Art 6, Art 9, CLDC, opt-outs, legal entity, COPI, identifiable into a PHM",
        "  platform / SDE / data warehouse, hosting) apply to every flow whatever its status; agreement",
        f"  checks (processor contract, Art 26, expiry) apply to flows live on {AS_OF.isoformat()}.",
        "- Health categories are special category data; `demographics` and `wider_determinants` are not.",
        "- A processor (or sub-processor) is covered by an `art28_contract` or `dsa` valid at the date whose",
        "  parties include it and one of the flow's controllers, whether or not the flow lists it.",
        "- Joint flows need an `art26_arrangement` listed on the flow whose parties include every",
        "  controller of the flow (and every joint controller of that destination).",
        "- Trust flows into their own FDP instance are identifiable **direct care** (operational use) and",
        '  are not planted defects; FDP instances are not in the "identifiable into a secondary-use',
        '  platform" check here. The ICB FDP instances receive pseudonymised data only.',
        "- Aggregate outputs from the SDEs carry no Art 6 / Art 9 (not personal data).",
        "",
        "## Choices made in building it",
        "",
        "- Practices: every ACTIVE row of the Feb 2026 epraccur with role `RO76` and the ICB in column 4,",
        "  including `Y…` codes (extended access hubs and the like) because ODS lists them as GP practices.",
        "  Supplier from the Oct 2025 registered-patients mapping, else `gp_suppliers.csv`, else the ICB's",
        "  majority supplier (this applies only to `Y05088` and `Y05250` in Greater Manchester: EMIS).",
        "- Trusts: open trusts of `etr-2024-12` with the ICB in column 4; the data categories each holds",
        "  and the national collections each feeds (SUS+, ECDS, MHSDS, CSDS, and the Ambulance Data Set",
        "  for ambulance trusts) are set by hand in the script.",
        "- Local authorities: UTLA21 codes of the 2023-24 boundary mapping, each given to the ICB that",
        "  holds most of its practices (so North Yorkshire, four of whose practices sit in West Yorkshire,",
        "  is left out).",
        "- Practices not opted in are picked by a stable hash of their code (about 4% of each ICB), never",
        "  the practices that carry a planted defect.",
        "- The regional SDEs (`nw-sde-tre`, `yh-sde-tre`, `sw-sde-tre`) have no `icb`: they serve a region.",
        "  The national collections and the NHS England SDE have none either.",
        "- Local ids are lower-case words (`nw-sde`, `necs-dscro`, `example-rpm`); the only ODS codes defined",
        "  here are `X26` (NHS England) and `0AR` (NECS), which the reference files lack.",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    out: Path = args.out

    ref = read_reference([ics.icb for ics in ICSS])
    defects: list[Defect] = []
    registers = [build_national()]
    plans: dict[str, Plan] = {}
    for ics in ICSS:
        plan = make_plan(ics, ref.practices[ics.icb])
        plans[ics.icb] = plan
        reg = build_ics(ref, ics, plan)
        EXTRAS[ics.icb](reg, ics, plan, ref, defects)
        registers.append(reg)

    out.mkdir(parents=True, exist_ok=True)
    for reg in registers:
        write_register(out, reg)
    keys = [reg.key for reg in registers]
    errors = self_check(out, keys, ref, defects)
    heads = headline(out, keys, ref)
    for ics in ICSS:
        qualifying, total = heads[ics.icb]
        expected = total if ics.icb == "QT6" else len(plans[ics.icb].not_opted_in)
        if qualifying != expected:
            errors.append(f"headline {ics.icb}: {qualifying} of {total} qualify, expected {expected}")
    (out / "README.md").write_text(readme(registers, plans, defects, ref, heads), encoding="utf-8")
    if errors:
        print(f"make_demo: self-check FAILED with {len(errors)} problem(s):", file=sys.stderr)
        for error in errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    for reg in registers:
        print(
            f"{reg.key}: {len(reg.organisations)} organisations, {len(reg.systems)} systems, "
            f"{len(reg.flows)} flows, {len(reg.agreements)} agreements"
        )
    print(f"self-check passed; {len(defects)} planted defects found exactly; wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
