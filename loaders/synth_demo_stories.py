"""What sets each demo ICS apart, and the IG defects planted in it, each declared once as a ``Defect``.

Greater Manchester links its shared care record into a PHM platform and on to the North West SDE; West
Yorkshire's practices feed a PHM platform directly and its trusts a data warehouse; in Cornwall and the
Isles of Scilly primary care data goes no further than the shared care record (the report's "one ICS").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from graph.model import Organisation
from graph.vocab import FlowStatus, OptOutStatus, OrgType, SystemType
from loaders.synth_demo_ics import AS_OF, CORE, ID, NECS, TRUSTS, A, Build, C, Defect, P, slug
from loaders.synth_ics import COPI_2020, since
from loaders.synth_records import DE_IDENTIFIED, DIRECT_CARE, RISK_STRATIFICATION, SDE_RESEARCH

CAG_RISK = "cag-7-04a"
SDE_INGESTION = replace(
    SDE_RESEARCH, legal_instruments=("s251 support for the SDE programme (illustrative)", "SDE data access committee")
)
APPLIED, NA = OptOutStatus.APPLIED, OptOutStatus.NOT_APPLICABLE
PHM_PURPOSES = [P.POPULATION_HEALTH_MANAGEMENT, P.RISK_STRATIFICATION]


def chosen_practices(icb: str, practices: Sequence[Organisation]) -> dict[str, Organisation]:
    """The practices a story plants a defect on, by role; they stay in the shared care record."""
    in_pcn = [p for p in practices if p.pcn]
    if icb == "QOP":  # the newest practice in a PCN joined the GMCR last
        return {"art26": max(in_pcn, key=lambda p: (p.valid_from or date.min, p.org_id))}
    if icb == "QWO":
        return {"type1": in_pcn[0], "pcn": in_pcn[1]}
    return {}


def greater_manchester(b: Build) -> list[str]:
    """PHM fed from the GMCR (pseudonymised by NECS), passing on to the North West SDE."""
    r, key, icb = b.records, b.ics.key, b.ics.icb
    r.org("example-rpm", "Example Remote Monitoring Ltd (fictional supplier)", OrgType.SUPPLIER)
    name = "Greater Manchester population health management platform (illustrative)"
    r.system("phm-gm", name, SystemType.PHM_PLATFORM, operator=NECS, icb=icb)
    name = "Virtual ward remote monitoring service (illustrative)"
    r.system(
        "gm-remote-monitoring",
        name,
        SystemType.OTHER,
        operator="example-rpm",
        supplier="example-rpm",
        icb=icb,
        hosting_location="United States",
    )
    r.agreement(
        "gm-art28-phm",
        A.ART28_CONTRACT,
        [icb, NECS],
        date(2021, 4, 1),
        date(2028, 3, 31),
        "GM PHM: CSU pseudonymisation and linkage services",
    )
    r.agreement(
        "gm-dsa-phm-trusts",
        A.DSA,
        ["RXV", "RMC", icb, NECS],
        date(2022, 4, 1),
        date(2028, 3, 31),
        "GM PHM: direct trust feeds (pseudonymised by the CSU)",
    )
    r.agreement(
        "gm-dsa-sde", A.DSA, [icb, "nw-sde"], date(2023, 10, 1), date(2029, 3, 31), "GM PHM to the North West SDE"
    )
    r.agreement(
        "gm-copi-covid",
        A.OTHER,
        [icb, NECS],
        date(2020, 3, 20),
        date(2022, 6, 30),
        "COVID-19 COPI notice (Reg 3(4) Health Service (Control of Patient Information))",
    )
    r.agreement(
        "gm-art28-remote-monitoring",
        A.ART28_CONTRACT,
        ["R0A", "example-rpm"],
        date(2025, 2, 1),
        date(2028, 1, 31),
        "Virtual ward remote monitoring: processing contract",
    )
    r.agreement(
        "gm-dpia-remote-monitoring",
        A.DPIA,
        ["R0A"],
        date(2025, 1, 10),
        reference="DPIA for the virtual ward remote monitoring service",
    )

    r.flow(
        "phm",
        "gm-phm-gmcr",
        "gmcr",
        "phm-gm",
        CORE,
        PHM_PURPOSES,
        ID.PSEUDONYMISED,
        [icb],
        RISK_STRATIFICATION,
        processors=[NECS],
        type1=APPLIED,
        agreements=["gm-art28-phm", CAG_RISK],
        valid_from=date(2021, 4, 1),
        frequency="weekly",
        transport="GMCR extract, pseudonymised by the CSU",
    )
    r.flow(
        "phm",
        "gm-phm-covid",
        "gmcr",
        "phm-gm",
        CORE,
        [P.PLANNING, P.POPULATION_HEALTH_MANAGEMENT],
        ID.PSEUDONYMISED,
        [icb],
        COPI_2020,
        processors=[NECS],
        type1=APPLIED,
        agreements=["gm-copi-covid"],
        status=FlowStatus.CEASED,
        valid_from=date(2020, 3, 20),
        valid_to=date(2022, 6, 30),
        frequency="daily",
        transport="GMCR extract",
        notes="COVID-19 response linkage; stopped when the general COPI notices expired",
    )
    r.flow(
        "phm",
        "gm-phm-RXV",
        "RXV",
        "phm-gm",
        [C.MENTAL_HEALTH],
        [P.RISK_STRATIFICATION],
        ID.PSEUDONYMISED,
        ["RXV"],
        RISK_STRATIFICATION,
        processors=[NECS],
        recipient_controller=icb,
        agreements=["gm-dsa-phm-trusts", CAG_RISK],
        valid_from=date(2023, 2, 1),
        frequency="monthly",
        transport="SFTP to the CSU",
    )
    b.plant(
        Defect(
            "opt-outs", key, "gm-phm-RXV", None, "s251 (CAG 7-04(a)) risk stratification feed with ndop not_applied"
        ),
        "Mental health feed for risk stratification; opt-out filter not configured",
        ndop=OptOutStatus.NOT_APPLIED,
    )
    r.flow(
        "phm",
        "gm-phm-RMC",
        "RMC",
        "phm-gm",
        [C.ACUTE, C.COMMUNITY],
        [P.POPULATION_HEALTH_MANAGEMENT],
        ID.PSEUDONYMISED,
        ["RMC"],
        replace(COPI_2020, art9=("9(2)(h)",)),
        processors=[NECS],
        recipient_controller=icb,
        agreements=["gm-dsa-phm-trusts"],
        valid_from=date(2023, 1, 9),
        frequency="weekly",
        transport="SFTP to the CSU",
    )
    b.plant(
        Defect(
            "copi", key, "gm-phm-RMC", None, "cldc copi on a flow running from 2023-01-09, after the notices expired"
        ),
        "Set up in 2023 citing the COVID-19 COPI notice",
    )
    r.flow(
        "sde",
        "gm-sde-phm",
        "phm-gm",
        "nw-sde-tre",
        CORE,
        [P.RESEARCH],
        ID.PSEUDONYMISED,
        [icb],
        SDE_INGESTION,
        recipient_controller="nw-sde",
        type1=APPLIED,
        agreements=["gm-dsa-sde"],
        valid_from=date(2024, 4, 1),
        frequency="monthly",
        transport="SDE ingestion pipeline",
    )
    r.flow(
        "rpm",
        "gm-remote-monitoring-R0A",
        "R0A",
        "gm-remote-monitoring",
        [C.ACUTE, C.COMMUNITY],
        [P.DIRECT_CARE],
        ID.IDENTIFIABLE,
        ["R0A"],
        DIRECT_CARE,
        processors=["example-rpm"],
        agreements=["gm-art28-remote-monitoring", "gm-dpia-remote-monitoring"],
        valid_from=date(2025, 2, 1),
        frequency="continuous",
        transport="HTTPS API",
    )
    b.plant(
        Defect(
            "offshore",
            key,
            "gm-remote-monitoring-R0A",
            None,
            "identifiable data into gm-remote-monitoring, a system hosted in the United States",
        ),
        "Supplier hosts readings outside the UK",
    )

    bury = f"gm-shcr-{slug('Bury')}"
    b.plant(
        Defect("lawful-basis", key, bury, None, "Bury social care into the GMCR: identifiable, no art6"),
        "Art 6 basis not recorded",
        art6=(),
    )
    gap = b.chosen["art26"].org_id
    art26 = r.agreements["gm-art26-shcr"]
    r.agreements[art26.agreement_id] = replace(art26, parties=tuple(x for x in art26.parties if x != gap))
    b.plant(
        Defect(
            "joint-arrangements",
            key,
            f"gm-shcr-{gap}",
            None,
            f"joint flow into the GMCR; {gap} is not a party to gm-art26-shcr",
        ),
        "Joined October 2026; has not yet signed the GMCR joint controller arrangement",
        valid_from=date(2026, 10, 1),
    )
    return b.not_opted_in


def west_yorkshire(b: Build) -> list[str]:
    """Practices feed the PHM platform directly; trusts feed a data warehouse through the DSCRO."""
    r, key, icb = b.records, b.ics.key, b.ics.icb
    name = "West Yorkshire population health management platform (illustrative)"
    r.system("phm-wy", name, SystemType.PHM_PLATFORM, operator=NECS, icb=icb)
    name = "West Yorkshire ICB data warehouse (illustrative)"
    r.system("wy-dw", name, SystemType.DATA_WAREHOUSE, operator=icb, supplier="optum", icb=icb)
    opted_in = [x.org_id for x in b.opted_in]
    r.agreement(
        "wy-dsa-phm",
        A.DSA,
        [*opted_in, icb, NECS],
        date(2021, 10, 1),
        date(2028, 9, 30),
        "WY PHM: practice extracts pseudonymised by the CSU",
    )
    r.agreement(
        "wy-art28-phm",
        A.ART28_CONTRACT,
        [icb, NECS],
        date(2021, 10, 1),
        date(2028, 9, 30),
        "WY PHM: CSU pseudonymisation, linkage and hosting",
    )
    r.agreement(
        "wy-dsa-sde",
        A.DSA,
        [icb, "yh-sde"],
        date(2023, 10, 1),
        date(2029, 3, 31),
        "WY PHM to the Yorkshire and Humber SDE",
    )
    feeding = [t.org_id for t in b.trusts if t.org_id != "RX8"]  # all but the ambulance trust
    r.agreement(
        "wy-dsa-dscro",
        A.DSA,
        [*feeding, icb, "necs-dscro"],
        date(2019, 4, 1),
        date(2029, 3, 31),
        "Commissioning data via the DSCRO (pseudonymisation at source)",
    )
    # RAE's DSA has expired; RWY's ends on the demo date (agreement-expiry's default window: that day only).
    ends = {"RAE": date(2026, 3, 31), "RWY": AS_OF, "RCF": date(2024, 3, 31)}
    for code in feeding:
        r.agreement(
            f"wy-dsa-dw-{code.lower()}",
            A.DSA,
            [code, icb],
            date(2019, 4, 1),
            ends.get(code, date(2028, 3, 31)),
            f"{code} to the WY data warehouse",
        )

    # The withdrawn practice: its flow into the YHCR ceased, under the arrangement it had signed, now ended.
    withdrawn = b.outside[0]
    parties = sorted([*r.agreements["wy-art26-shcr"].parties, withdrawn])
    r.agreement(
        "wy-art26-shcr-2020",
        A.ART26_ARRANGEMENT,
        parties,
        date(2020, 6, 1),
        date(2025, 3, 31),
        "Earlier version of the YHCR joint controller arrangement (superseded)",
    )
    r.flow(
        "shcr",
        f"wy-shcr-{withdrawn}",
        withdrawn,
        "yhcr",
        [C.PRIMARY_CARE],
        [P.DIRECT_CARE],
        ID.IDENTIFIABLE,
        [withdrawn],
        DIRECT_CARE,
        joint=True,
        processors=["RR8", "orion"],
        type1=NA,
        agreements=["wy-art26-shcr-2020"],
        status=FlowStatus.CEASED,
        valid_from=date(2020, 9, 1),
        valid_to=date(2025, 3, 31),
        frequency="real time",
        transport="FHIR API from the GP system",
        notes="Practice withdrew from the YHCR on 31 March 2025",
    )

    for x in b.opted_in:
        r.flow(
            "phm",
            f"wy-phm-{x.org_id}",
            x.org_id,
            "phm-wy",
            [C.PRIMARY_CARE],
            PHM_PURPOSES,
            ID.PSEUDONYMISED,
            [x.org_id],
            RISK_STRATIFICATION,
            processors=[NECS],
            recipient_controller=icb,
            type1=APPLIED,
            agreements=["wy-dsa-phm", CAG_RISK],
            valid_from=since(date(2021, 10, 1), x.valid_from),
            frequency="weekly",
            transport="supplier extract, pseudonymised at source",
        )
    type1 = f"wy-phm-{b.chosen['type1'].org_id}"
    b.plant(
        Defect("opt-outs", key, type1, None, "pseudonymised GP data to the PHM platform (s251), type1 not_applied"),
        "Extract re-configured in 2025 without the Type 1 filter",
        type1=OptOutStatus.NOT_APPLIED,
    )
    r.flow(
        "phm",
        "wy-phm-yhcr",
        "yhcr",
        "phm-wy",
        [C.ACUTE, C.COMMUNITY, C.MENTAL_HEALTH, C.SOCIAL_CARE],
        PHM_PURPOSES,
        ID.PSEUDONYMISED,
        [icb],
        RISK_STRATIFICATION,
        processors=[NECS],
        agreements=["wy-art28-phm", CAG_RISK],
        valid_from=date(2022, 1, 10),
        frequency="weekly",
        transport="YHCR extract, pseudonymised by the CSU",
    )
    r.flow(
        "sde",
        "wy-sde-phm",
        "phm-wy",
        "yh-sde-tre",
        CORE,
        [P.RESEARCH],
        ID.PSEUDONYMISED,
        [icb],
        SDE_INGESTION,
        recipient_controller="yh-sde",
        type1=APPLIED,
        agreements=["wy-dsa-sde"],
        valid_from=date(2024, 7, 1),
        frequency="monthly",
        transport="SDE ingestion pipeline",
    )

    for code in feeding:
        if code == "RGD":
            continue
        categories = [c for c in TRUSTS[code][0] if c is not C.MATERNITY]
        r.flow(
            "dw",
            f"wy-dw-{code}",
            code,
            "wy-dw",
            categories,
            [P.COMMISSIONING, P.PLANNING],
            ID.PSEUDONYMISED,
            [code],
            DE_IDENTIFIED,
            processors=["necs-dscro"],
            recipient_controller=icb,
            datasets=["SUS+ (local commissioning extract)"],
            agreements=[f"wy-dsa-dw-{code.lower()}", "wy-dsa-dscro"],
            valid_from=date(2019, 4, 1),
            frequency="monthly",
            transport="DSCRO, pseudonymised at source",
        )
    b.change(
        "wy-dw-RCF",
        valid_to=date(2024, 3, 31),
        notes="Feed replaced by the Bradford District and Craven extract; row left live",
    )
    b.plant(
        Defect("agreement-expiry", key, "wy-dw-RAE", None, "live flow; wy-dsa-dw-rae ended 2026-03-31"),
        "DSA ended 31 March 2026, renewal not signed",
    )
    b.plant(
        Defect(
            "agreement-expiry",
            key,
            "wy-dw-RWY",
            None,
            f"live flow; wy-dsa-dw-rwy ends {AS_OF.isoformat()}, the demo date",
        ),
        "DSA wy-dsa-dw-rwy ends 25 November 2026, renewal not yet signed",
    )
    r.flow(
        "dw",
        "wy-dw-RGD",
        "RGD",
        "wy-dw",
        [C.MENTAL_HEALTH],
        [P.RISK_STRATIFICATION],
        ID.IDENTIFIABLE,
        ["RGD"],
        RISK_STRATIFICATION,
        recipient_controller=icb,
        agreements=["wy-dsa-dw-rgd"],
        valid_from=date(2022, 11, 1),
        frequency="monthly",
        transport="SFTP",
    )
    b.plant(
        Defect(
            "identifiable-to-analytics",
            key,
            "wy-dw-RGD",
            None,
            "identifiable mental health data into the data warehouse",
        ),
        "Identifiable mental health extract sent straight to the warehouse",
    )

    # A live flow that only starts next year.
    b.change("wy-fdp-RXF", valid_from=date(2027, 1, 4), notes="Go-live booked for January 2027")
    b.change("wy-fdp-icb-RXF", valid_from=date(2027, 1, 4), notes="Follows the RXF go-live")

    practice = b.chosen["pcn"]
    pcn = practice.pcn or ""
    r.flow(
        "pcn-hub",
        f"wy-pcnhub-{pcn}",
        practice.org_id,
        b.gp_system(practice.org_id),
        [C.PRIMARY_CARE],
        [P.DIRECT_CARE],
        ID.IDENTIFIABLE,
        [pcn],
        DIRECT_CARE,
        type1=NA,
        valid_from=date(2022, 10, 1),
        frequency="continuous",
        transport="enhanced access hub",
    )
    b.plant(
        Defect("role-holders", key, f"wy-pcnhub-{pcn}", pcn, f"PCN {pcn} named as controller"),
        f"Enhanced access hub records; PCN {pcn} recorded as controller instead of its member practices",
    )
    b.plant(
        Defect("lawful-basis", key, "wy-shcr-RY6", None, "community health data into the YHCR, no art9"),
        "Art 9 condition not recorded",
        art9=(),
    )
    return b.not_opted_in


def cornwall(b: Build) -> list[str]:
    """Primary care data goes no further than the shared care record; acute and community data go on."""
    r, key = b.records, b.ics.key
    r.agreement(
        "cios-dsa-sde",
        A.DSA,
        ["REF", "sw-sde"],
        date(2024, 1, 1),
        date(2029, 3, 31),
        "RCHT acute data to the South West SDE",
    )
    r.flow(
        "sde",
        "cios-sde-REF",
        "REF",
        "sw-sde-tre",
        [C.ACUTE],
        [P.RESEARCH],
        ID.PSEUDONYMISED,
        ["REF"],
        SDE_INGESTION,
        recipient_controller="sw-sde",
        agreements=["cios-dsa-sde"],
        valid_from=date(2024, 6, 3),
        frequency="monthly",
        transport="SDE ingestion pipeline",
    )
    # The ICB's FDP instance is planned: the trust-to-ICB feeds have not started.
    for code in b.ics.fdp_trusts:
        b.change(
            f"cios-fdp-icb-{code}",
            status=FlowStatus.PLANNED,
            valid_from=date(2027, 4, 1),
            notes="Planned for April 2027",
        )
    scilly = next(la for la in b.councils if la.org_id == "E06000053")
    b.change(f"cios-shcr-{slug(scilly.name)}", status=FlowStatus.PAUSED, notes="Paused while the interface is upgraded")
    dsa = r.agreements["cios-dsa-ascld"]
    r.agreements[dsa.agreement_id] = replace(dsa, parties=tuple(x for x in dsa.parties if x != scilly.org_id))
    b.plant(
        Defect(
            "processor-contracts",
            key,
            f"cios-ascld-{slug(scilly.name)}",
            NECS,
            f"processor {NECS}; no art28 or DSA names both {NECS} and {scilly.org_id}",
        ),
        "Council not yet party to the Data Landing Portal DSA",
    )
    b.plant(
        Defect("lawful-basis", key, "cios-fdp-RJ8", None, "identifiable data into the RJ8 FDP instance, no CLDC basis"),
        "CLDC basis not recorded",
        cldc_basis=None,
    )
    return [p.org_id for p in b.practices]


STORIES = {"QOP": greater_manchester, "QWO": west_yorkshire, "QT6": cornwall}
