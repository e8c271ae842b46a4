"""One ICS of the bundled demo: who is in it, the choices made for it, and the rows every ICS shares.

Each demo ICS has GP clinical systems (EMIS Web and SystmOne, by each practice's real supplier), a shared
care record, trust EPRs, council social care systems, FDP instances, national collection feeds and a
regional SDE. What sets each one apart, and the defects planted in it, is in ``loaders.synth_demo_stories``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from graph.model import Organisation
from graph.vocab import (
    CORE_CATEGORIES,
    AgreementType,
    DataCategory,
    Identifiability,
    OptOutStatus,
    OrgType,
    Purpose,
    SystemType,
)
from loaders.synth_ics import add_months, since
from loaders.synth_national import Collection
from loaders.synth_records import AGGREGATE, DE_IDENTIFIED, DIRECT_CARE, STATUTORY, Records

C, P, ID, A = DataCategory, Purpose, Identifiability, AgreementType
CORE = list(CORE_CATEGORIES)
AS_OF = date(2026, 11, 25)
"""The demo's date: its planted findings are those of this day."""
NHS_ENGLAND, NECS, RESEARCH, PALANTIR = "X26", "0AR", "health-research-consortium", "palantir"
# The demo's national collections (its national register defines them) and the standards mandating them.
COLLECTIONS = {
    "SUS+": Collection("sus-plus", "Secondary Uses Service (SUS+)", C.ACUTE, "sus-information-standard"),
    "ECDS": Collection("ecds", "Emergency Care Data Set (ECDS)", C.ACUTE, "ecds-information-standard"),
    "MHSDS": Collection(
        "mhsds", "Mental Health Services Data Set (MHSDS)", C.MENTAL_HEALTH, "mhsds-information-standard"
    ),
    "CSDS": Collection("csds", "Community Services Data Set (CSDS)", C.COMMUNITY, "csds-information-standard"),
    "ADS": Collection("ads", "Ambulance Data Set (ADS)", C.AMBULANCE, "ads-information-standard"),
}
# What each trust's records hold and the collections it feeds, following its main services: facts the
# reference data lacks (it knows the trust's type only), set by hand.
TrustFacts = tuple[tuple[DataCategory, ...], tuple[str, ...]]
ACUTE_COMMUNITY: TrustFacts = ((C.ACUTE, C.COMMUNITY, C.MATERNITY), ("SUS+", "ECDS", "CSDS"))
TRUSTS: dict[str, TrustFacts] = {
    **dict.fromkeys(("R0A", "RM3", "RMC", "RMP", "RRF", "RWJ", "RCF", "RWY", "RXF"), ACUTE_COMMUNITY),
    **dict.fromkeys(("RAE", "RR8", "REF"), ((C.ACUTE, C.MATERNITY), ("SUS+", "ECDS"))),
    "RBV": ((C.ACUTE,), ("SUS+",)),
    **dict.fromkeys(("RT2", "RXG", "RJ8"), ((C.MENTAL_HEALTH, C.COMMUNITY), ("MHSDS", "CSDS"))),
    **dict.fromkeys(("RXV", "RGD"), ((C.MENTAL_HEALTH,), ("MHSDS",))),
    "RY6": ((C.COMMUNITY,), ("CSDS",)),
    **dict.fromkeys(("RX7", "RX8"), ((C.AMBULANCE,), ("ADS",))),
}
# Supplier label (as in the reference data) -> system id suffix, product, supplier organisation.
GP_SYSTEMS = {"EMIS": ("emis-web", "EMIS Web", "emis"), "TPP": ("systmone", "TPP SystmOne", "tpp")}


@dataclass(frozen=True, slots=True)
class Ics:
    """What the demo says of one ICS before building it: its ids, its shared care record, SDE and FDP."""

    key: str  # the register's name and folder
    prefix: str  # of its flow and agreement ids
    icb: str
    name: str
    shcr: tuple[str, str]  # id, name
    shcr_operator: str
    shcr_supplier: str
    shcr_processors: tuple[str, ...]
    shcr_start: date
    sde_operator: tuple[str, str]  # id, name
    sde: tuple[str, str]  # id, name
    fdp_trusts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Defect:
    """An IG defect planted on purpose: the check that must find it, where, and why it is one."""

    check: str  # a check of the query catalogue
    register: str
    flow_id: str
    org_id: str | None  # the role holder, for the checks that name one
    why: str


@dataclass(slots=True)
class Build:
    """One ICS while it is built: its real organisations (from the reference data), choices and records."""

    ics: Ics
    practices: list[Organisation]
    trusts: list[Organisation]
    councils: list[Organisation]
    suppliers: dict[str, str]  # practice -> "EMIS" or "TPP"
    chosen: dict[str, Organisation]  # the practices a story plants a defect on, by role
    outside: list[str] = field(default_factory=list)  # practices not in the shared care record, by rank
    records: Records = field(default_factory=Records)
    defects: list[Defect] = field(default_factory=list)

    @property
    def not_opted_in(self) -> list[str]:
        return sorted(self.outside)

    @property
    def opted_in(self) -> list[Organisation]:
        return [p for p in self.practices if p.org_id not in self.outside]

    def gp_system(self, practice: str) -> str:
        return f"{self.ics.prefix}-{GP_SYSTEMS[self.suppliers[practice]][0]}"

    def change(self, flow_id: str, **changes: Any) -> None:
        self.records.flows[flow_id] = replace(self.records.flows[flow_id], **changes)

    def plant(self, defect: Defect, note: str, **changes: Any) -> None:
        """Declare ``defect`` and make it true of its flow; ``note`` says so in the flow's notes."""
        self.change(defect.flow_id, notes=f"{note} [demo defect]", **changes)
        self.defects.append(defect)


def ranked(key: str) -> int:
    """A stable pseudo-random rank, so choices look arbitrary but never change between runs."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:12], 16)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def display_name(upper: str) -> str:
    """ODS names are upper case: 'TAMESIDE AND GLOSSOP ... NHS TRUST' -> 'Tameside and Glossop ... NHS Trust'."""
    small = {"and", "of", "the", "for"}
    words = [w.lower() if i and w.lower() in small else w.capitalize() for i, w in enumerate(upper.split())]
    return " ".join("NHS" if w == "Nhs" else w for w in words)


def choose_outside(build: Build, share: float = 0.04) -> list[str]:
    """About 4% of the practices, by a stable hash of their code, never one a story plants a defect on."""
    reserved = {p.org_id for p in build.chosen.values()}
    candidates = [p.org_id for p in build.practices if p.org_id not in reserved]
    return sorted(candidates, key=lambda code: ranked(f"opt:{code}"))[: round(len(build.practices) * share)]


def systems(build: Build) -> None:
    ics, r, icb = build.ics, build.records, build.ics.icb
    for system, product, supplier in GP_SYSTEMS.values():
        name = f"{product} ({ics.name} practices)"
        r.system(
            f"{ics.prefix}-{system}", name, SystemType.GP_CLINICAL_SYSTEM, operator=supplier, supplier=supplier, icb=icb
        )
    r.system(*ics.shcr, SystemType.SHARED_CARE_RECORD, operator=ics.shcr_operator, supplier=ics.shcr_supplier, icb=icb)
    for t in build.trusts:
        supplier = "epic" if t.org_id == "R0A" else None
        name = f"{display_name(t.name)} EPR"
        r.system(f"epr-{t.org_id.lower()}", name, SystemType.EPR, operator=t.org_id, supplier=supplier, icb=icb)
    for la in build.councils:
        name = f"{la.name} Council social care case management system"
        r.system(f"socialcare-{slug(la.name)}", name, SystemType.SOCIAL_CARE_SYSTEM, operator=la.org_id, icb=icb)
    for code, instance in [(icb, f"NHS {ics.name} ICB"), *((t, f"{t} trust") for t in ics.fdp_trusts)]:
        name = f"Federated Data Platform: {instance} instance"
        r.system(f"fdp-{code.lower()}", name, SystemType.FDP_INSTANCE, operator=PALANTIR, supplier=PALANTIR, icb=icb)
    r.system(*ics.sde, SystemType.SDE, operator=ics.sde_operator[0])


def agreements(build: Build) -> None:
    ics, r, p = build.ics, build.records, build.ics.prefix
    for label, (system, _, supplier) in GP_SYSTEMS.items():
        users = [x.org_id for x in build.practices if build.suppliers[x.org_id] == label]
        parties = [*users, supplier, *(["aws"] if supplier == "emis" else [])]
        reference = f"GP IT Futures call-off: data processing terms for {p}-{system}"
        r.agreement(f"{p}-art28-{supplier}", A.ART28_CONTRACT, parties, date(2018, 4, 1), date(2028, 3, 31), reference)
    councils = [la.org_id for la in build.councils]
    contributors = [*(x.org_id for x in build.opted_in), *(t.org_id for t in build.trusts), *councils]
    shcr_name, start = ics.shcr[1], ics.shcr_start
    reference = f"{shcr_name}: joint controller arrangement (UK GDPR Art 26)"
    r.agreement(f"{p}-art26-shcr", A.ART26_ARRANGEMENT, contributors, start, reference=reference)
    reference = f"{shcr_name}: processing contract with host and supplier (Art 28)"
    parties = [*contributors, *ics.shcr_processors]
    r.agreement(f"{p}-art28-shcr", A.ART28_CONTRACT, parties, start, date(2029, 3, 31), reference)
    reference = "ASC-CLD submission via the Data Landing Portal (NECS)"
    parties = [*councils, NECS, NHS_ENGLAND]
    r.agreement(f"{p}-dsa-ascld", A.DSA, parties, date(2023, 4, 1), date(2028, 3, 31), reference)
    end = date(2031, 2, 28)
    for code in ics.fdp_trusts:
        reference = "NHS FDP: trust instance data processing agreement"
        parties = [code, PALANTIR, NHS_ENGLAND]
        r.agreement(f"{p}-art28-fdp-{code.lower()}", A.ART28_CONTRACT, parties, date(2024, 1, 15), end, reference)
    reference = "NHS FDP: trust instances to the ICB instance (pseudonymised)"
    parties = [*ics.fdp_trusts, ics.icb, PALANTIR, NHS_ENGLAND]
    r.agreement(f"{p}-dsa-fdp-icb", A.DSA, parties, date(2024, 4, 1), end, reference)
    reference = f"{ics.sde[1]}: aggregate outputs"
    parties = [ics.sde_operator[0], RESEARCH]
    r.agreement(f"{p}-dsa-sde-research", A.DSA, parties, date(2024, 4, 1), date(2029, 3, 31), reference)


def practice_flows(build: Build) -> None:
    """Every practice feeds its GP system and GPES; those in the shared care record feed it too."""
    ics, r, p = build.ics, build.records, build.ics.prefix
    primary, direct, identifiable = [C.PRIMARY_CARE], [P.DIRECT_CARE], ID.IDENTIFIABLE
    na = OptOutStatus.NOT_APPLICABLE
    for x in build.practices:
        code, supplier = x.org_id, GP_SYSTEMS[build.suppliers[x.org_id]][2]
        r.flow(
            "gp",
            f"{p}-gpsys-{code}",
            code,
            build.gp_system(code),
            primary,
            direct,
            identifiable,
            [code],
            DIRECT_CARE,
            processors=[supplier],
            sub_processors=["aws"] if supplier == "emis" else [],
            type1=na,
            agreements=[f"{p}-art28-{supplier}"],
            frequency="continuous",
            transport="GP clinical system (hosted)",
        )
    for x in build.opted_in:
        code = x.org_id
        onboarded = since(add_months(ics.shcr_start, ranked(f"onboard:{code}") % 24), x.valid_from)
        r.flow(
            "shcr",
            f"{p}-shcr-{code}",
            code,
            ics.shcr[0],
            primary,
            direct,
            identifiable,
            [code],
            DIRECT_CARE,
            joint=True,
            processors=ics.shcr_processors,
            type1=na,
            agreements=[f"{p}-art26-shcr", f"{p}-art28-shcr"],
            valid_from=onboarded,
            frequency="real time",
            transport="FHIR API from the GP system",
        )
    gdppr = replace(STATUTORY, legal_instruments=("GDPPR Directions", "GDPPR Data Provision Notice"))
    for x in build.practices:
        code = x.org_id
        r.flow(
            "gpes",
            f"{p}-gpes-{code}",
            code,
            "gpes",
            primary,
            [P.NATIONAL_COLLECTION],
            identifiable,
            [code],
            gdppr,
            recipient_controller=NHS_ENGLAND,
            type1=OptOutStatus.APPLIED,
            datasets=["GDPPR"],
            agreements=["gdppr-direction", "gdppr-dpn"],
            valid_from=since(date(2020, 5, 27), x.valid_from),
            frequency="fortnightly",
            transport="GPES extraction",
        )


def trust_flows(build: Build) -> None:
    """Every trust feeds its EPR, the shared care record and national collections; some, FDP instances."""
    ics, r, p = build.ics, build.records, build.ics.prefix
    direct, identifiable = [P.DIRECT_CARE], ID.IDENTIFIABLE
    for t in build.trusts:
        code = t.org_id
        categories, datasets = TRUSTS[code]
        r.flow(
            "epr",
            f"{p}-epr-{code}",
            code,
            f"epr-{code.lower()}",
            categories,
            direct,
            identifiable,
            [code],
            DIRECT_CARE,
            frequency="continuous",
            transport="trust EPR",
        )
        r.flow(
            "shcr",
            f"{p}-shcr-{code}",
            code,
            ics.shcr[0],
            categories,
            direct,
            identifiable,
            [code],
            DIRECT_CARE,
            joint=True,
            processors=[x for x in ics.shcr_processors if x != code],
            agreements=[f"{p}-art26-shcr", f"{p}-art28-shcr"],
            valid_from=ics.shcr_start,
            frequency="real time",
            transport="HL7 v2 / FHIR feed",
        )
        for dataset in datasets:
            c = COLLECTIONS[dataset]
            basis = replace(STATUTORY, legal_instruments=(f"{dataset} information standard",))
            r.flow(
                "collection",
                f"{p}-{c.system}-{code}",
                code,
                c.system,
                [c.category],
                [P.NATIONAL_COLLECTION],
                identifiable,
                [code],
                basis,
                recipient_controller=NHS_ENGLAND,
                datasets=[dataset],
                agreements=[c.standard],
                frequency="monthly",
                transport="SUS+ / DLP submission",
            )
    for code in ics.fdp_trusts:
        categories, _ = TRUSTS[code]
        instance = f"fdp-{code.lower()}"
        r.flow(
            "fdp",
            f"{p}-fdp-{code}",
            code,
            instance,
            categories,
            direct,
            identifiable,
            [code],
            DIRECT_CARE,
            processors=[PALANTIR],
            agreements=[f"{p}-art28-fdp-{code.lower()}"],
            valid_from=date(2024, 9, 1),
            frequency="daily",
            transport="FDP data pipeline from the EPR",
            notes="Operational use: waiting lists, discharge and theatre scheduling",
        )
        r.flow(
            "fdp-icb",
            f"{p}-fdp-icb-{code}",
            instance,
            f"fdp-{ics.icb.lower()}",
            categories,
            [P.PLANNING, P.POPULATION_HEALTH_MANAGEMENT],
            ID.PSEUDONYMISED,
            [code],
            DE_IDENTIFIED,
            recipient_controller=ics.icb,
            processors=[PALANTIR],
            agreements=[f"{p}-dsa-fdp-icb"],
            valid_from=date(2025, 4, 1),
            frequency="daily",
            transport="FDP privacy enhancing technology",
            notes="Pseudonymised before it leaves the trust instance",
        )


def council_flows(build: Build) -> None:
    """Every council feeds its social care system, which feeds the shared care record and ASC-CLD."""
    ics, r, p = build.ics, build.records, build.ics.prefix
    social, direct, identifiable = [C.SOCIAL_CARE], [P.DIRECT_CARE], ID.IDENTIFIABLE
    ascld = replace(STATUTORY, legal_instruments=("ASC-CLD mandatory collection",))
    for la in build.councils:
        code, name = la.org_id, slug(la.name)
        system = f"socialcare-{name}"
        r.flow(
            "social-care",
            f"{p}-sc-{name}",
            code,
            system,
            social,
            direct,
            identifiable,
            [code],
            DIRECT_CARE,
            frequency="continuous",
            transport="case management system",
        )
        r.flow(
            "shcr",
            f"{p}-shcr-{name}",
            system,
            ics.shcr[0],
            social,
            direct,
            identifiable,
            [code],
            DIRECT_CARE,
            joint=True,
            processors=ics.shcr_processors,
            agreements=[f"{p}-art26-shcr", f"{p}-art28-shcr"],
            valid_from=add_months(ics.shcr_start, 6),
            frequency="daily",
            transport="FHIR API",
        )
        r.flow(
            "ascld",
            f"{p}-ascld-{name}",
            system,
            "asc-cld",
            social,
            [P.NATIONAL_COLLECTION],
            ID.PSEUDONYMISED,
            [code],
            ascld,
            processors=[NECS],
            recipient_controller=NHS_ENGLAND,
            datasets=["ASC-CLD"],
            agreements=["ascld-mandate", f"{p}-dsa-ascld"],
            valid_from=date(2023, 4, 1),
            frequency="quarterly",
            transport="Data Landing Portal (pseudonymised on submission)",
        )


def sde_outputs(build: Build) -> None:
    """Research outputs leave the regional SDE only as aggregates."""
    ics, p = build.ics, build.ics.prefix
    build.records.flow(
        "sde-output",
        f"{p}-sde-research",
        ics.sde[0],
        RESEARCH,
        [C.ACUTE, C.COMMUNITY],
        [P.RESEARCH],
        ID.AGGREGATE,
        [ics.sde_operator[0]],
        AGGREGATE,
        recipient_controller=RESEARCH,
        agreements=[f"{p}-dsa-sde-research"],
        valid_from=date(2025, 1, 6),
        frequency="per approved project",
        transport="SDE output checking (airlock)",
    )


def build_common(build: Build) -> None:
    """The rows every demo ICS has, in the order the register lists them."""
    build.records.org(*build.ics.sde_operator, OrgType.SDE_OPERATOR)
    systems(build)
    agreements(build)
    practice_flows(build)
    trust_flows(build)
    council_flows(build)
    sde_outputs(build)
