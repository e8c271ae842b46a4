"""What sets each demo ICS apart, and the IG defects planted in it, each declared once as a ``Defect``.

Greater Manchester links its shared care record into a PHM platform and on to the North West SDE; West
Yorkshire's practices feed a PHM platform directly and its trusts a data warehouse; in Cornwall and the
Isles of Scilly primary care data goes no further than the shared care record (the report's "one ICS").
Each story returns the practices that the headline question must name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from graph.model import Organisation
from graph.vocab import CORE_CATEGORIES, FlowStatus, OptOutStatus, OrgType, SystemType
from graph.vocab import DataCategory as C
from graph.vocab import Identifiability as ID
from graph.vocab import Purpose as P
from loaders.synth.demo_ics import AS_OF, TRUSTS, A, Build, Defect, slug
from loaders.synth.demo_kinds import (
    APPLIED,
    CAG_RISK,
    COPI_LINKAGE,
    INTO_WAREHOUSE,
    NECS,
    PCN_HUB,
    PRACTICE_SHCR,
    RECORD_TO_PHM,
    REMOTE_MONITORING,
    SDE_INGESTION,
    TRUST_TO_PHM,
)
from loaders.synth.ics import since

CORE = tuple(CORE_CATEGORIES)


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
    rpm = r.org("example-rpm", "Example Remote Monitoring Ltd (fictional supplier)", OrgType.SUPPLIER)
    name = "Greater Manchester population health management platform (illustrative)"
    r.system("phm-gm", name, SystemType.PHM_PLATFORM, operator=NECS, icb=icb)
    name, abroad = "Virtual ward remote monitoring service (illustrative)", "United States"
    r.system(
        "gm-remote-monitoring", name, SystemType.OTHER, operator=rpm, supplier=rpm, icb=icb, hosting_location=abroad
    )
    b.agree(
        "gm-art28-phm",
        A.ART28_CONTRACT,
        [icb, NECS],
        "2021-04-01..2028-03-31",
        "GM PHM: CSU pseudonymisation and linkage services",
    )
    b.agree(
        "gm-dsa-phm-trusts",
        A.DSA,
        ["RXV", "RMC", icb, NECS],
        "2022-04-01..2028-03-31",
        "GM PHM: direct trust feeds (pseudonymised by the CSU)",
    )
    b.agree("gm-dsa-sde", A.DSA, [icb, "nw-sde"], "2023-10-01..2029-03-31", "GM PHM to the North West SDE")
    b.agree(
        "gm-copi-covid",
        A.OTHER,
        [icb, NECS],
        "2020-03-20..2022-06-30",
        "COVID-19 COPI notice (Reg 3(4) Health Service (Control of Patient Information))",
    )
    b.agree(
        "gm-art28-remote-monitoring",
        A.ART28_CONTRACT,
        ["R0A", rpm],
        "2025-02-01..2028-01-31",
        "Virtual ward remote monitoring: processing contract",
    )
    b.agree(
        "gm-dpia-remote-monitoring",
        A.DPIA,
        ["R0A"],
        "2025-01-10..",
        "DPIA for the virtual ward remote monitoring service",
    )

    b.send(
        RECORD_TO_PHM,
        "phm-gmcr",
        "gmcr",
        "phm-gm",
        CORE,
        controllers=[icb],
        type1=APPLIED,
        agreements=["gm-art28-phm", CAG_RISK],
        valid_from=date(2021, 4, 1),
        transport="GMCR extract, pseudonymised by the CSU",
    )
    b.send(
        COPI_LINKAGE,
        "phm-covid",
        "gmcr",
        "phm-gm",
        CORE,
        controllers=[icb],
        type1=APPLIED,
        agreements=["gm-copi-covid"],
        status=FlowStatus.CEASED,
        valid_from=date(2020, 3, 20),
        valid_to=date(2022, 6, 30),
        frequency="daily",
        transport="GMCR extract",
        notes="COVID-19 response linkage; stopped when the general COPI notices expired",
    )
    b.send(
        TRUST_TO_PHM,
        "phm-RXV",
        "RXV",
        "phm-gm",
        [C.MENTAL_HEALTH],
        recipient_controller=icb,
        agreements=["gm-dsa-phm-trusts", CAG_RISK],
        valid_from=date(2023, 2, 1),
        frequency="monthly",
    )
    b.plant(
        Defect(
            "opt-outs", key, "gm-phm-RXV", None, "s251 (CAG 7-04(a)) risk stratification feed with ndop not_applied"
        ),
        "Mental health feed for risk stratification; opt-out filter not configured",
        ndop=OptOutStatus.NOT_APPLIED,
    )
    copi = {"purposes": [P.POPULATION_HEALTH_MANAGEMENT], "basis": replace(COPI_LINKAGE.basis, art9=("9(2)(h)",))}
    b.send(
        TRUST_TO_PHM,
        "phm-RMC",
        "RMC",
        "phm-gm",
        [C.ACUTE, C.COMMUNITY],
        recipient_controller=icb,
        agreements=["gm-dsa-phm-trusts"],
        valid_from=date(2023, 1, 9),
        frequency="weekly",
        **copi,
    )
    b.plant(
        Defect(
            "copi", key, "gm-phm-RMC", None, "cldc copi on a flow running from 2023-01-09, after the notices expired"
        ),
        "Set up in 2023 citing the COVID-19 COPI notice",
    )
    b.send(
        SDE_INGESTION,
        "sde-phm",
        "phm-gm",
        "nw-sde-tre",
        CORE,
        controllers=[icb],
        recipient_controller="nw-sde",
        type1=APPLIED,
        agreements=["gm-dsa-sde"],
        valid_from=date(2024, 4, 1),
    )
    b.send(
        REMOTE_MONITORING,
        "remote-monitoring-R0A",
        "R0A",
        "gm-remote-monitoring",
        [C.ACUTE, C.COMMUNITY],
        processors=[rpm],
        agreements=["gm-art28-remote-monitoring", "gm-dpia-remote-monitoring"],
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

    b.plant(
        Defect("lawful-basis", key, "gm-shcr-bury", None, "Bury social care into the GMCR: identifiable, no art6"),
        "Art 6 basis not recorded",
        art6=(),
    )

    # Manchester's trust and council jointly control a linked PHM dataset. The DSA with the CSU governs it
    # through its covers; no Art 26 arrangement does: the GMCR's names both but is paperwork for the record.
    mlco, council = "phm-manchester", "E08000003"
    b.agree(
        "gm-dsa-phm-manchester",
        A.DSA,
        ["R0A", council, NECS],
        "2024-09-01..2028-08-31",
        "Manchester locality linked dataset: extract, pseudonymisation and linkage by the CSU",
        covers=[f"gm-{mlco}"],
    )
    b.send(
        RECORD_TO_PHM,
        mlco,
        "gmcr",
        "phm-gm",
        [C.ACUTE, C.COMMUNITY, C.SOCIAL_CARE],
        controllers=["R0A", council],
        joint=True,
        agreements=[CAG_RISK],
        valid_from=date(2024, 10, 7),
        transport="GMCR extract, pseudonymised by the CSU",
    )
    b.plant(
        Defect(
            "joint-arrangements",
            key,
            f"gm-{mlco}",
            None,
            f"R0A and {council} jointly control a PHM dataset; gm-art26-shcr names both but governs the GMCR's flows",
        ),
        "Joint controllers of the Manchester linked dataset; the GMCR arrangement was taken to cover it",
    )
    gap = b.chosen["art26"].org_id
    b.leave("gm-art26-shcr", gap)
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
    b.agree(
        "wy-dsa-phm",
        A.DSA,
        [*opted_in, icb, NECS],
        "2021-10-01..2028-09-30",
        "WY PHM: practice extracts pseudonymised by the CSU",
    )
    b.agree(
        "wy-art28-phm",
        A.ART28_CONTRACT,
        [icb, NECS],
        "2021-10-01..2028-09-30",
        "WY PHM: CSU pseudonymisation, linkage and hosting",
    )
    b.agree("wy-dsa-sde", A.DSA, [icb, "yh-sde"], "2023-10-01..2029-03-31", "WY PHM to the Yorkshire and Humber SDE")
    feeding = [t.org_id for t in b.trusts if t.org_id != "RX8"]  # all but the ambulance trust
    b.agree(
        "wy-dsa-dscro",
        A.DSA,
        [*feeding, icb, "necs-dscro"],
        "2019-04-01..2029-03-31",
        "Commissioning data via the DSCRO (pseudonymisation at source)",
    )
    # RAE's DSA has expired; RWY's ends on the demo date, the one day agreement-expiry reports by default.
    ends = {"RAE": "2026-03-31", "RWY": AS_OF.isoformat(), "RCF": "2024-03-31"}
    for code in feeding:
        during = f"2019-04-01..{ends.get(code, '2028-03-31')}"
        b.agree(f"wy-dsa-dw-{code.lower()}", A.DSA, [code, icb], during, f"{code} to the WY data warehouse")

    # The withdrawn practice: its flow into the YHCR ceased, under the arrangement it had signed, now ended.
    withdrawn = b.outside[0]
    parties = sorted([*r.agreements["wy-art26-shcr"].parties, withdrawn])
    b.agree(
        "wy-art26-shcr-2020",
        A.ART26_ARRANGEMENT,
        parties,
        "2020-06-01..2025-03-31",
        "Earlier version of the YHCR joint controller arrangement (superseded)",
    )
    b.send(
        PRACTICE_SHCR,
        f"shcr-{withdrawn}",
        withdrawn,
        "yhcr",
        [C.PRIMARY_CARE],
        processors=["RR8", "orion"],
        agreements=["wy-art26-shcr-2020"],
        status=FlowStatus.CEASED,
        valid_from=date(2020, 9, 1),
        valid_to=date(2025, 3, 31),
        notes="Practice withdrew from the YHCR on 31 March 2025",
    )

    for x in b.opted_in:
        start = since(date(2021, 10, 1), x.valid_from)
        b.send(
            RECORD_TO_PHM,
            f"phm-{x.org_id}",
            x.org_id,
            "phm-wy",
            [C.PRIMARY_CARE],
            recipient_controller=icb,
            type1=APPLIED,
            agreements=["wy-dsa-phm", CAG_RISK],
            valid_from=start,
            transport="supplier extract, pseudonymised at source",
        )
    type1 = f"wy-phm-{b.chosen['type1'].org_id}"
    b.plant(
        Defect("opt-outs", key, type1, None, "pseudonymised GP data to the PHM platform (s251), type1 not_applied"),
        "Extract re-configured in 2025 without the Type 1 filter",
        type1=OptOutStatus.NOT_APPLIED,
    )
    b.send(
        RECORD_TO_PHM,
        "phm-yhcr",
        "yhcr",
        "phm-wy",
        [C.ACUTE, C.COMMUNITY, C.MENTAL_HEALTH, C.SOCIAL_CARE],
        controllers=[icb],
        agreements=["wy-art28-phm", CAG_RISK],
        valid_from=date(2022, 1, 10),
        transport="YHCR extract, pseudonymised by the CSU",
    )
    b.send(
        SDE_INGESTION,
        "sde-phm",
        "phm-wy",
        "yh-sde-tre",
        CORE,
        controllers=[icb],
        recipient_controller="yh-sde",
        type1=APPLIED,
        agreements=["wy-dsa-sde"],
        valid_from=date(2024, 7, 1),
    )

    for code in feeding:
        if code != "RGD":
            categories = [c for c in TRUSTS[code][0] if c is not C.MATERNITY]
            agreements = [f"wy-dsa-dw-{code.lower()}", "wy-dsa-dscro"]
            b.send(
                INTO_WAREHOUSE, f"dw-{code}", code, "wy-dw", categories, recipient_controller=icb, agreements=agreements
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
        Defect("agreement-expiry", key, "wy-dw-RWY", None, f"live flow; wy-dsa-dw-rwy ends on {AS_OF.isoformat()}"),
        "DSA wy-dsa-dw-rwy ends 25 November 2026, renewal not yet signed",
    )
    identifiable = {"identifiability": ID.IDENTIFIABLE, "processors": [], "transport": "SFTP"}
    b.send(
        TRUST_TO_PHM,
        "dw-RGD",
        "RGD",
        "wy-dw",
        [C.MENTAL_HEALTH],
        recipient_controller=icb,
        agreements=["wy-dsa-dw-rgd"],
        valid_from=date(2022, 11, 1),
        frequency="monthly",
        **identifiable,
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

    practice, pcn = b.chosen["pcn"].org_id, b.chosen["pcn"].pcn or ""
    b.send(
        PCN_HUB,
        f"pcnhub-{pcn}",
        practice,
        b.gp_system(practice),
        [C.PRIMARY_CARE],
        controllers=[pcn],
        valid_from=date(2022, 10, 1),
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
    key = b.ics.key
    b.agree("cios-dsa-sde", A.DSA, ["REF", "sw-sde"], "2024-01-01..2029-03-31", "RCHT acute data to the South West SDE")
    b.send(
        SDE_INGESTION,
        "sde-REF",
        "REF",
        "sw-sde-tre",
        [C.ACUTE],
        recipient_controller="sw-sde",
        agreements=["cios-dsa-sde"],
        valid_from=date(2024, 6, 3),
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
    b.leave("cios-dsa-ascld", scilly.org_id)
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
