"""The flows each organisation of a synthetic ICS sends: practices, trusts and councils.

What an organisation sends depends on the ICS's ``Plan``: whether it joined the shared care record,
which analytical platforms the ICS runs, which trusts have FDP instances.
"""

from __future__ import annotations

from datetime import date

from graph.model import Organisation
from graph.vocab import AgreementType, DataCategory, FlowStatus, Identifiability, OptOutStatus, Purpose
from loaders.synth.ics import Plan, add_months, core, since
from loaders.synth.national import (
    ASC_CLD,
    ASCLD_DIRECTION,
    AWS,
    CAG_RISK,
    COLLECTIONS,
    CQRS,
    DATASETS_OF,
    DSCRO,
    EMIS,
    GDPPR_DIRECTION,
    GDPPR_DPN,
    GP_SUPPLIERS,
    GPES,
    IMMFORM,
    NHS_ENGLAND,
    PALANTIR,
    QOF_DPN,
    UKHSA,
    ascld_dsa,
    csu_of,
)
from loaders.synth.records import (
    AGGREGATE,
    DE_IDENTIFIED,
    DIRECT_CARE,
    PREFIX,
    RISK_STRATIFICATION,
    SDE_RESEARCH,
    STATUTORY,
    Records,
)

C, P, ID, NA = DataCategory, Purpose, Identifiability, OptOutStatus.NOT_APPLICABLE
A = AgreementType


def practice_flows(r: Records, plan: Plan, practice: Organisation) -> None:
    """A practice's flows: its GP system, the shared care record, national collections, analytics."""
    p, rng = plan.p, plan.rng
    code, opened = practice.org_id, practice.valid_from
    ident = f"{PREFIX}{code.lower()}"
    label = plan.ics.suppliers[code]
    supplier = GP_SUPPLIERS[label]
    dpa = r.agreement(
        f"{ident}-dpa",
        A.ART28_CONTRACT,
        [code, supplier],
        since(date(2018, 4, 1), opened),
        date(2028 + rng.randint(0, 2), 3, 31),
        "GP clinical system data processing agreement",
    )
    r.flow(
        "gp",
        f"{ident}-gp",
        code,
        f"{p}-{label.lower()}",
        [C.PRIMARY_CARE],
        [P.DIRECT_CARE],
        ID.IDENTIFIABLE,
        [code],
        DIRECT_CARE,
        processors=[supplier],
        sub_processors=[AWS] if supplier == EMIS else [],
        type1=NA,
        agreements=[dpa],
        valid_from=since(date(2012, 4, 1), opened),
        frequency="continuous",
        transport="hosted clinical system",
    )
    onboarded = since(add_months(plan.shcr_start, rng.randint(0, 30)), opened)
    joined = code in plan.in_shcr_ids
    # A few practices outside the record had joined it once: their flow is kept, ceased.
    if joined or (code in plan.withdrawn and onboarded < date(2025, 3, 31)):
        r.flow(
            "shcr",
            f"{ident}-shcr",
            code,
            f"{p}-shcr",
            [C.PRIMARY_CARE],
            [P.DIRECT_CARE],
            ID.IDENTIFIABLE,
            [code],
            DIRECT_CARE,
            joint=True,
            processors=plan.shcr_processors(code),
            type1=NA,
            agreements=[f"{p}-art26-shcr", f"{p}-art28-shcr"] if joined else [f"{p}-art26-shcr"],
            status=FlowStatus.LIVE if joined else FlowStatus.CEASED,
            valid_from=onboarded,
            valid_to=None if joined else date(2025, 3, 31),
            frequency="real time",
            transport="FHIR API from the GP system",
            notes=None if joined else "The practice withdrew from the record",
        )
    r.flow(
        "gpes",
        f"{ident}-gpes",
        code,
        GPES,
        [C.PRIMARY_CARE],
        [P.NATIONAL_COLLECTION],
        ID.IDENTIFIABLE,
        [code],
        STATUTORY,
        recipient_controller=NHS_ENGLAND,
        type1=OptOutStatus.APPLIED,
        datasets=["GDPPR"],
        agreements=[GDPPR_DIRECTION, GDPPR_DPN],
        valid_from=since(date(2020, 5, 27), opened),
        frequency="fortnightly",
        transport="GPES extraction",
    )
    r.flow(
        "qof",
        f"{ident}-qof",
        code,
        CQRS,
        [C.PRIMARY_CARE],
        [P.NATIONAL_COLLECTION],
        ID.AGGREGATE,
        [code],
        AGGREGATE,
        recipient_controller=NHS_ENGLAND,
        type1=NA,
        datasets=["QOF"],
        agreements=[QOF_DPN],
        valid_from=since(date(2019, 4, 1), opened),
        frequency="monthly",
        transport="GPES extraction",
    )
    r.flow(
        "immform",
        f"{ident}-immform",
        code,
        IMMFORM,
        [C.PRIMARY_CARE, C.PUBLIC_HEALTH],
        [P.NATIONAL_COLLECTION, P.PUBLIC_HEALTH],
        ID.AGGREGATE,
        [code],
        AGGREGATE,
        recipient_controller=UKHSA,
        type1=NA,
        datasets=["Seasonal vaccine uptake"],
        valid_from=since(date(2021, 9, 1), opened),
        frequency="monthly",
        transport="automated extract from the GP system",
    )
    if plan.acute:
        # Discharge summaries and results from the practice's usual hospital into its GP system.
        hospital = rng.choice(plan.acute).org_id
        r.flow(
            "discharge",
            f"{ident}-discharge",
            f"{p}-epr-{hospital.lower()}",
            f"{p}-{label.lower()}",
            [C.ACUTE],
            [P.DIRECT_CARE],
            ID.IDENTIFIABLE,
            [hospital],
            DIRECT_CARE,
            recipient_controller=code,
            valid_from=since(date(2016, 4, 1), opened),
            frequency="per discharge",
            transport="MESH / Docman",
        )
    if code not in plan.participant_ids:
        return
    # The practice's own sign-up to the system-wide DSA: the agreement whose expiry is planted.
    signup = r.agreement(
        f"{ident}-signup",
        A.DSA,
        [code, plan.icb],
        since(plan.analytics_start, opened),
        date(2028 + rng.randint(0, 2), 9, 30),
        "Practice sign-up to the system-wide DSA",
    )
    destination, kind = (f"{p}-phm-1", "phm") if plan.phms else (f"{p}-risk", "risk")
    purposes = [P.POPULATION_HEALTH_MANAGEMENT, P.RISK_STRATIFICATION] if plan.phms else [P.RISK_STRATIFICATION]
    r.flow(
        kind,
        f"{ident}-{kind}",
        code,
        destination,
        [C.PRIMARY_CARE],
        purposes,
        ID.PSEUDONYMISED,
        [code],
        RISK_STRATIFICATION,
        processors=[plan.csu],
        recipient_controller=plan.icb,
        type1=OptOutStatus.APPLIED,
        agreements=[signup, f"{p}-dsa-analytics", CAG_RISK],
        valid_from=since(plan.analytics_start, opened),
        frequency="weekly",
        transport="extract pseudonymised at source by the CSU",
    )


def trust_flows(r: Records, plan: Plan, trust: Organisation) -> None:
    """A trust's flows: its EPR, the shared care record, national collections, FDP and analytics."""
    p, icb, code, rng = plan.p, plan.icb, trust.org_id, plan.rng
    ident, own = f"{PREFIX}{code.lower()}", plan.categories[code]
    r.flow(
        "epr",
        f"{ident}-epr",
        code,
        f"{p}-epr-{code.lower()}",
        own,
        [P.DIRECT_CARE],
        ID.IDENTIFIABLE,
        [code],
        DIRECT_CARE,
        frequency="continuous",
        transport="trust EPR",
    )
    r.flow(
        "shcr",
        f"{ident}-shcr",
        code,
        f"{p}-shcr",
        own,
        [P.DIRECT_CARE],
        ID.IDENTIFIABLE,
        [code],
        DIRECT_CARE,
        joint=True,
        processors=plan.shcr_processors(code),
        agreements=[f"{p}-art26-shcr", f"{p}-art28-shcr"],
        valid_from=plan.shcr_start,
        frequency="real time",
        transport="HL7 v2 / FHIR feed",
    )
    for dataset in dict.fromkeys(d for c in own for d in DATASETS_OF.get(c, ())):
        collection = COLLECTIONS[dataset]
        r.flow(
            "collection",
            f"{ident}-{dataset.lower().rstrip('+')}",
            code,
            collection.system,
            [collection.category],
            [P.NATIONAL_COLLECTION],
            ID.IDENTIFIABLE,
            [code],
            STATUTORY,
            recipient_controller=NHS_ENGLAND,
            datasets=[dataset],
            agreements=[collection.standard],
            valid_from=date(2019, 4, 1),
            frequency="monthly",
            transport="SUS+ / Data Landing Portal",
        )
    linked = core(own)
    if trust in plan.fdp_trusts:
        fdp = f"{p}-fdp-{code.lower()}"
        start = date(2027, 4, 1) if plan.fdp_status is FlowStatus.PLANNED else date(2024, 9, 1)
        contract = r.agreement(
            f"{ident}-art28-fdp",
            A.ART28_CONTRACT,
            [code, PALANTIR, NHS_ENGLAND],
            date(2024, 1, 15),
            date(2031, 2, 28),
            "NHS FDP trust instance (Art 28)",
        )
        r.flow(
            "fdp",
            f"{ident}-fdp",
            code,
            fdp,
            own,
            [P.DIRECT_CARE],
            ID.IDENTIFIABLE,
            [code],
            DIRECT_CARE,
            processors=[PALANTIR],
            agreements=[contract],
            status=plan.fdp_status,
            valid_from=start,
            frequency="daily",
            notes="Operational use: waiting lists, discharge and theatre scheduling",
        )
        r.flow(
            "fdp-icb",
            f"{ident}-fdp-icb",
            fdp,
            f"{p}-fdp",
            own,
            [P.PLANNING, P.POPULATION_HEALTH_MANAGEMENT],
            ID.PSEUDONYMISED,
            [code],
            DE_IDENTIFIED,
            processors=[PALANTIR],
            recipient_controller=icb,
            agreements=[f"{p}-dsa-fdp"],
            status=plan.fdp_status,
            valid_from=add_months(start, 6),
            frequency="daily",
            transport="FDP privacy enhancing technology",
        )
    if not linked:
        return
    if plan.warehouse:
        dsa = r.agreement(
            f"{ident}-dsa-dw",
            A.DSA,
            [code, icb],
            date(2019, 4, 1),
            date(2027 + rng.randint(0, 3), 3, 31),
            f"{code} to the ICB data warehouse",
        )
        r.flow(
            "dw",
            f"{ident}-dw",
            code,
            f"{p}-dw",
            linked,
            [P.COMMISSIONING, P.PLANNING],
            ID.PSEUDONYMISED,
            [code],
            DE_IDENTIFIED,
            processors=[DSCRO],
            recipient_controller=icb,
            agreements=[dsa, f"{p}-dsa-dscro"],
            datasets=["SUS+ (local commissioning extract)"],
            valid_from=date(2019, 4, 1),
            frequency="monthly",
            transport="DSCRO, pseudonymised at source",
        )
    if trust in plan.direct_phm_trusts():
        n = plan.phms
        r.flow(
            "phm-trust",
            f"{ident}-phm-{n}",
            code,
            f"{p}-phm-{n}",
            linked,
            [P.POPULATION_HEALTH_MANAGEMENT, P.RISK_STRATIFICATION],
            ID.PSEUDONYMISED,
            [code],
            RISK_STRATIFICATION,
            processors=[plan.csu],
            recipient_controller=icb,
            agreements=[f"{p}-dsa-phm-trusts", CAG_RISK],
            valid_from=plan.analytics_start,
            frequency="monthly",
            transport="SFTP to the CSU",
        )
    if trust in plan.sde_trusts:
        dsa = r.agreement(
            f"{ident}-dsa-sde",
            A.DSA,
            [code, plan.sde.operator],
            date(2024, 1, 1),
            date(2029, 3, 31),
            f"{code} to the {plan.sde.name}",
        )
        r.flow(
            "sde-trust",
            f"{ident}-sde",
            code,
            plan.sde.system,
            linked,
            [P.RESEARCH],
            ID.PSEUDONYMISED,
            [code],
            SDE_RESEARCH,
            recipient_controller=plan.sde.operator,
            agreements=[dsa],
            valid_from=date(2024, 6, 3),
            frequency="monthly",
            transport="SDE ingestion pipeline",
        )
    if trust in plan.rpm_trusts:
        contract = r.agreement(
            f"{ident}-art28-rpm",
            A.ART28_CONTRACT,
            [code, plan.rpm_supplier],
            date(2025, 2, 1),
            date(2028, 1, 31),
            "Virtual ward remote monitoring (Art 28)",
        )
        r.flow(
            "rpm",
            f"{ident}-rpm",
            code,
            f"{p}-rpm",
            [C.ACUTE, C.COMMUNITY],
            [P.DIRECT_CARE],
            ID.IDENTIFIABLE,
            [code],
            DIRECT_CARE,
            processors=[plan.rpm_supplier],
            agreements=[contract],
            valid_from=date(2025, 2, 1),
            frequency="continuous",
            transport="HTTPS API",
        )


def local_authority_flows(r: Records, plan: Plan, la: Organisation) -> None:
    """A council's flows: its social care system, the shared care record and ASC-CLD via the CSU."""
    p, code = plan.p, la.org_id
    ident, system = f"{PREFIX}{code.lower()}", f"{p}-sc-{code.lower()}"
    r.flow(
        "social-care",
        f"{ident}-sc",
        code,
        system,
        [C.SOCIAL_CARE],
        [P.DIRECT_CARE],
        ID.IDENTIFIABLE,
        [code],
        DIRECT_CARE,
        frequency="continuous",
        transport="case management system",
    )
    if la in plan.shcr_las:
        r.flow(
            "shcr",
            f"{ident}-shcr",
            system,
            f"{p}-shcr",
            [C.SOCIAL_CARE],
            [P.DIRECT_CARE],
            ID.IDENTIFIABLE,
            [code],
            DIRECT_CARE,
            joint=True,
            processors=plan.shcr_processors(code),
            agreements=[f"{p}-art26-shcr", f"{p}-art28-shcr"],
            valid_from=add_months(plan.shcr_start, 6),
            frequency="daily",
            transport="FHIR API",
        )
    csu = csu_of(la)
    r.flow(
        "ascld",
        f"{ident}-ascld",
        system,
        ASC_CLD,
        [C.SOCIAL_CARE],
        [P.NATIONAL_COLLECTION],
        ID.PSEUDONYMISED,
        [code],
        STATUTORY,
        processors=[csu],
        recipient_controller=NHS_ENGLAND,
        datasets=["ASC-CLD"],
        agreements=[ASCLD_DIRECTION, ascld_dsa(csu)],
        valid_from=date(2023, 4, 1),
        frequency="quarterly",
        transport="Data Landing Portal (pseudonymised on submission)",
    )
