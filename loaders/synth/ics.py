"""One integrated care system of the synthetic register: the choices made for it, its systems and agreements.

Every ICS gets GP clinical systems (EMIS or TPP, by each practice's real supplier), one shared care
record, trust EPRs and council social care systems, FDP instances, national collection feeds and a
link to its regional SDE. How far its data goes beyond that depends on its ``Tier``, as the 2024
study of 11 ICSs found: some link all five core categories into analytics, some are far behind, and
some send no primary care data beyond the shared care record at all.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from random import Random

from graph.model import Organisation
from graph.vocab import (
    CORE_CATEGORIES,
    AgreementType,
    CldcBasis,
    DataCategory,
    FlowStatus,
    Identifiability,
    OptOutStatus,
    OrgType,
    Purpose,
    SystemType,
)
from loaders.synth.national import (
    CAG_RISK,
    DSCRO,
    EMIS,
    GP_SUPPLIERS,
    NHS_ENGLAND,
    PALANTIR,
    PHM_SUPPLIERS,
    RPM_SUPPLIERS,
    SHCR_SUPPLIERS,
    csu_of,
    sde_of,
)
from loaders.synth.records import (
    PREFIX,
    RISK_STRATIFICATION,
    SDE_RESEARCH,
    Basis,
    Records,
)

C, P, ID, NA = DataCategory, Purpose, Identifiability, OptOutStatus.NOT_APPLICABLE
A = AgreementType
# A correct use of COPI: the COVID-19 notices, on flows that stopped when they expired on 30 June 2022.
COPI_2020 = Basis(("6(1)(e)",), ("9(2)(h)", "9(2)(i)"), CldcBasis.COPI, ("COPI notice 2020",), NA)


class Tier(StrEnum):
    """How far an ICS has gone in linking its data for analysis."""

    LEADING = "leading"  # all five core categories reach the ICB's PHM, FDP and warehouse
    DEVELOPING = "developing"  # some categories linked; social care never
    BEHIND = "behind"  # no analytical platform live; practices feed a risk stratification tool
    SHCR_ONLY = "shcr_only"  # no primary care data leaves the shared care record (the report's "one ICS")


@dataclass(frozen=True, slots=True)
class Ics:
    """What the generator knows of one ICS before building it."""

    icb: Organisation
    tier: Tier
    practices: Sequence[Organisation]
    trusts: Sequence[Organisation]
    local_authorities: Sequence[Organisation]
    suppliers: Mapping[str, str]  # practice -> "EMIS" or "TPP"

    @property
    def short_name(self) -> str:
        return self.icb.name.removeprefix("NHS ").removesuffix(" Integrated Care Board")


def add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    day = min(start.day, calendar.monthrange(start.year + year, month + 1)[1])
    return date(start.year + year, month + 1, day)


def since(start: date, opened: date | None) -> date:
    """A flow from an organisation starts no earlier than the organisation."""
    return max(start, opened) if opened else start


def trust_categories(trust: Organisation, rng: Random) -> tuple[DataCategory, ...]:
    """What a trust's records hold, from its type; some acute and mental health trusts run community services."""
    community = rng.random() < 0.4
    match trust.org_type:
        case OrgType.ACUTE_TRUST:
            return (C.ACUTE, C.MATERNITY, C.COMMUNITY) if community else (C.ACUTE, C.MATERNITY)
        case OrgType.MENTAL_HEALTH_TRUST:
            return (C.MENTAL_HEALTH, C.COMMUNITY) if community else (C.MENTAL_HEALTH,)
        case OrgType.COMMUNITY_TRUST:
            return (C.COMMUNITY,)
        case OrgType.AMBULANCE_TRUST:
            return (C.AMBULANCE,)
        case _:
            return (C.ACUTE, C.MATERNITY, C.COMMUNITY, C.MENTAL_HEALTH)


def core(categories: Sequence[DataCategory]) -> list[DataCategory]:
    return [c for c in categories if c in CORE_CATEGORIES]


def chosen(rng: Random, items: Sequence[Organisation], share: float) -> list[Organisation]:
    return [item for item in items if rng.random() < share]


class Plan:
    """The choices made for one ICS, drawn first and in a fixed order, so that a seed fixes them all."""

    def __init__(self, ics: Ics, rng: Random) -> None:
        self.ics, self.rng = ics, rng
        self.icb = ics.icb.org_id
        self.p = f"{PREFIX}{self.icb.lower()}"
        self.csu = csu_of(ics.icb)
        self.sde = sde_of(ics.icb)
        tier = ics.tier
        self.categories = {t.org_id: trust_categories(t, rng) for t in ics.trusts}
        # A leading ICS links community data, so some trust of it must hold some.
        if tier is Tier.LEADING and not any(C.COMMUNITY in c for c in self.categories.values()):
            first = next(t.org_id for t in ics.trusts if t.org_type is not OrgType.AMBULANCE_TRUST)
            self.categories[first] += (C.COMMUNITY,)
        self.acute = [t for t in ics.trusts if C.ACUTE in self.categories[t.org_id]]
        self.analysed = [t for t in ics.trusts if core(self.categories[t.org_id])]

        # Leaders started early: their records fed the COVID-19 linkage of 2020.
        last = 2019 if tier is Tier.LEADING else 2022
        self.shcr_start = date(rng.randint(2017, last), rng.choice((1, 4, 7, 10)), 1)
        self.shcr_supplier = rng.choice(SHCR_SUPPLIERS)
        hosted_by_trust = bool(self.acute) and rng.random() < 0.5
        self.shcr_host = rng.choice(self.acute).org_id if hosted_by_trust else self.icb
        codes = sorted(p.org_id for p in ics.practices)
        outside = set(rng.sample(codes, round(len(codes) * rng.uniform(0.01, 0.07))))
        self.in_shcr = [p for p in ics.practices if p.org_id not in outside]
        self.in_shcr_ids = {p.org_id for p in self.in_shcr}
        self.withdrawn = set(sorted(outside)[: len(outside) // 4])
        self.shcr_las = (
            list(ics.local_authorities) if tier is Tier.LEADING else chosen(rng, ics.local_authorities, 0.75)
        )

        self.phms = {Tier.LEADING: rng.choice((1, 2)), Tier.DEVELOPING: int(rng.random() < 0.75)}.get(tier, 0)
        # An ICS without a PHM platform still stratifies risk from its practices' data, except the one
        # whose primary care data goes no further than its shared care record.
        self.risk_tool = self.phms == 0 and tier in (Tier.DEVELOPING, Tier.BEHIND)
        self.warehouse = tier is Tier.LEADING or (tier is Tier.DEVELOPING and rng.random() < 0.5)
        self.analytics_start = date(rng.randint(2020, 2024), rng.choice((4, 10)), 1)
        skipped = rng.uniform(0.02, 0.08)
        linked = self.phms or self.risk_tool
        self.participants = [p for p in self.in_shcr if linked and rng.random() >= skipped]
        self.participant_ids = {p.org_id for p in self.participants}

        if tier is Tier.LEADING:
            fdp = [t for t in self.analysed if t in self.acute or rng.random() < 0.5]
        else:
            fdp = chosen(rng, self.acute, 0.4 if tier is Tier.BEHIND else 0.6) or self.acute[:1]
        self.fdp_trusts = fdp
        self.fdp_status = FlowStatus.PLANNED if tier is Tier.BEHIND else FlowStatus.LIVE
        rpm = tier in (Tier.LEADING, Tier.DEVELOPING) and bool(self.acute) and rng.random() < 0.6
        self.rpm_supplier = rng.choice(RPM_SUPPLIERS)
        self.rpm_trusts = rng.sample(self.acute, min(2, len(self.acute))) if rpm else []
        sde_share = {Tier.LEADING: 0.0, Tier.DEVELOPING: 0.6}.get(tier, 0.3)
        self.sde_trusts = self.acute[:1] if self.acute and rng.random() < sde_share else []

    def direct_phm_trusts(self) -> list[Organisation]:
        """Trusts that feed a PHM platform themselves: the second platform of a leading ICS, or the only one."""
        if (self.ics.tier is Tier.LEADING and self.phms == 2) or (self.ics.tier is Tier.DEVELOPING and self.phms):
            return self.analysed
        return []

    def shcr_processors(self, contributor: str) -> list[str]:
        """The shared care record's host and supplier, but not a host trust on its own flows."""
        return [x for x in (self.shcr_host, self.shcr_supplier) if x != contributor]

    # --- systems, agreements and the links between platforms ---------------------------------------

    def systems(self, r: Records) -> None:
        p, icb, name = self.p, self.icb, self.ics.short_name
        for label in sorted({self.ics.suppliers[x.org_id] for x in self.ics.practices}):
            supplier = GP_SUPPLIERS[label]
            product = "EMIS Web" if supplier == EMIS else "TPP SystmOne"
            r.system(
                f"{p}-{label.lower()}",
                f"{product} ({name} practices)",
                SystemType.GP_CLINICAL_SYSTEM,
                operator=supplier,
                supplier=supplier,
                icb=icb,
            )
        r.system(
            f"{p}-shcr",
            f"{name} Shared Care Record",
            SystemType.SHARED_CARE_RECORD,
            operator=self.shcr_host,
            supplier=self.shcr_supplier,
            icb=icb,
        )
        for t in self.ics.trusts:
            title = t.name.title().replace("Nhs", "NHS")
            r.system(f"{p}-epr-{t.org_id.lower()}", f"{title} EPR", SystemType.EPR, operator=t.org_id, icb=icb)
        for la in self.ics.local_authorities:
            r.system(
                f"{p}-sc-{la.org_id.lower()}",
                f"{la.name} Council social care system",
                SystemType.SOCIAL_CARE_SYSTEM,
                operator=la.org_id,
                icb=icb,
            )
        r.system(
            f"{p}-fdp",
            f"Federated Data Platform: {name} ICB instance",
            SystemType.FDP_INSTANCE,
            operator=PALANTIR,
            supplier=PALANTIR,
            icb=icb,
        )
        for t in self.fdp_trusts:
            r.system(
                f"{p}-fdp-{t.org_id.lower()}",
                f"Federated Data Platform: {t.org_id} trust instance",
                SystemType.FDP_INSTANCE,
                operator=PALANTIR,
                supplier=PALANTIR,
                icb=icb,
            )
        for n in range(1, self.phms + 1):
            r.system(
                f"{p}-phm-{n}",
                f"{name} population health management platform {n}",
                SystemType.PHM_PLATFORM,
                operator=self.csu,
                supplier=self.rng.choice(PHM_SUPPLIERS),
                icb=icb,
            )
        if self.warehouse:
            r.system(f"{p}-dw", f"{name} ICB data warehouse", SystemType.DATA_WAREHOUSE, operator=self.csu, icb=icb)
        if self.risk_tool:
            r.system(f"{p}-risk", f"{name} risk stratification tool", SystemType.OTHER, operator=self.csu, icb=icb)
        if self.rpm_trusts:
            r.system(
                f"{p}-rpm",
                f"{name} virtual ward remote monitoring",
                SystemType.OTHER,
                operator=self.rpm_supplier,
                supplier=self.rpm_supplier,
                icb=icb,
            )

    def agreements(self, r: Records) -> None:
        p, icb, start = self.p, self.icb, self.shcr_start
        practices = [x.org_id for x in self.in_shcr]
        trusts = [t.org_id for t in self.ics.trusts]
        las = [la.org_id for la in self.shcr_las]
        contributors = [*practices, *trusts, *las]
        r.agreement(
            f"{p}-art26-shcr",
            A.ART26_ARRANGEMENT,
            contributors,
            start,
            reference=f"{self.ics.short_name} Shared Care Record: joint controller arrangement (Art 26)",
        )
        r.agreement(
            f"{p}-art28-shcr",
            A.ART28_CONTRACT,
            [*contributors, self.shcr_host, self.shcr_supplier],
            start,
            date(2029 + self.rng.randint(0, 2), 3, 31),
            "Shared care record: host and supplier (Art 28)",
        )
        if self.participants:
            r.agreement(
                f"{p}-dsa-analytics",
                A.DSA,
                [*(x.org_id for x in self.participants), icb, self.csu],
                self.analytics_start,
                date(2029, 9, 30),
                "System-wide DSA: practice extracts via the CSU",
            )
        if self.phms or self.risk_tool or self.warehouse:
            r.agreement(
                f"{p}-art28-csu",
                A.ART28_CONTRACT,
                [icb, self.csu],
                self.analytics_start,
                date(2029, 3, 31),
                "CSU pseudonymisation, linkage and hosting (Art 28)",
            )
        if self.direct_phm_trusts():
            r.agreement(
                f"{p}-dsa-phm-trusts",
                A.DSA,
                [*(t.org_id for t in self.direct_phm_trusts()), icb, self.csu],
                self.analytics_start,
                date(2029, 3, 31),
                "Trust feeds to the PHM platform via the CSU",
            )
        r.agreement(
            f"{p}-dsa-fdp",
            A.DSA,
            [*(t.org_id for t in self.fdp_trusts), icb, PALANTIR, NHS_ENGLAND],
            date(2024, 4, 1),
            date(2031, 2, 28),
            "NHS FDP: trust instances to the ICB instance",
        )
        if self.warehouse:
            r.agreement(
                f"{p}-dsa-dscro",
                A.DSA,
                [*(t.org_id for t in self.analysed), icb, DSCRO],
                date(2019, 4, 1),
                date(2030, 3, 31),
                "Commissioning data via the DSCRO (pseudonymised at source)",
            )
        if self.ics.tier is Tier.LEADING:
            r.agreement(
                f"{p}-dsa-sde",
                A.DSA,
                [icb, self.sde.operator],
                date(2023, 10, 1),
                date(2029, 3, 31),
                f"PHM platform to the {self.sde.name}",
            )
            r.agreement(
                f"{p}-copi-covid",
                A.OTHER,
                [icb, self.csu],
                date(2020, 3, 20),
                date(2022, 6, 30),
                "COVID-19 COPI notice (Regulation 3(4))",
            )

    def platform_links(self, r: Records) -> None:
        """A leading ICS links its shared care record into the PHM platform, and that into its SDE."""
        if self.ics.tier is not Tier.LEADING:
            return
        p, icb = self.p, self.icb
        linked = [*(c for t in self.ics.trusts for c in core(self.categories[t.org_id])), C.SOCIAL_CARE]
        categories = [c for c in CORE_CATEGORIES if c in linked and c is not C.PRIMARY_CARE]
        purposes = [P.POPULATION_HEALTH_MANAGEMENT, P.RISK_STRATIFICATION]
        r.flow(
            "phm-shcr",
            f"{p}-shcr-to-phm",
            f"{p}-shcr",
            f"{p}-phm-1",
            categories,
            purposes,
            ID.PSEUDONYMISED,
            [icb],
            RISK_STRATIFICATION,
            processors=[self.csu],
            type1=NA,
            agreements=[f"{p}-art28-csu", CAG_RISK],
            valid_from=max(self.analytics_start, self.shcr_start),
            frequency="weekly",
            transport="shared care record extract, pseudonymised by the CSU",
        )
        r.flow(
            "copi-ceased",
            f"{p}-shcr-to-phm-covid",
            f"{p}-shcr",
            f"{p}-phm-1",
            categories,
            [P.PLANNING, P.POPULATION_HEALTH_MANAGEMENT],
            ID.PSEUDONYMISED,
            [icb],
            COPI_2020,
            processors=[self.csu],
            agreements=[f"{p}-copi-covid"],
            status=FlowStatus.CEASED,
            valid_from=date(2020, 3, 20),
            valid_to=date(2022, 6, 30),
            notes="COVID-19 linkage; stopped when the general COPI notices expired",
        )
        r.flow(
            "sde-phm",
            f"{p}-phm-to-sde",
            f"{p}-phm-1",
            self.sde.system,
            list(CORE_CATEGORIES),
            [P.RESEARCH],
            ID.PSEUDONYMISED,
            [icb],
            SDE_RESEARCH,
            recipient_controller=self.sde.operator,
            type1=OptOutStatus.APPLIED,
            agreements=[f"{p}-dsa-sde"],
            valid_from=date(2024, 4, 1),
            frequency="monthly",
            transport="SDE ingestion pipeline",
        )
