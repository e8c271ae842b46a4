"""The bundled demo registers: three real ICSs and the national bodies they share, with IG defects planted.

Pure: the national reference data and each practice's GP system supplier in, a ``Demo`` out: four
registers (``national``, ``greater-manchester``, ``west-yorkshire``, ``cornwall``), every IG defect
planted in them (each declared once, as a ``Defect``: the check that must find it, the flow, why), and
the practices the headline question must name. The organisations are real, under their codes in the
reference data; the flows, agreements and dates are illustrative. Nothing here decides what a check
finds: ``app.demo_check`` loads the written registers with the real loader, runs the real checks and
the headline, and fails unless they find exactly what was planted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from graph.model import ReferenceData, Register
from graph.vocab import CldcBasis, OptOutStatus, OrgType, SystemType
from loaders.synth import England, resolve_suppliers
from loaders.synth_demo_ics import (
    AS_OF,
    COLLECTIONS,
    ID,
    NECS,
    NHS_ENGLAND,
    RESEARCH,
    TRUSTS,
    A,
    Build,
    C,
    Defect,
    Ics,
    P,
    build_common,
    choose_outside,
)
from loaders.synth_demo_stories import STORIES, chosen_practices
from loaders.synth_records import AGGREGATE, Basis, Records

__all__ = ["AS_OF", "ICSS", "Defect", "Demo", "build_demo"]

ICSS = (
    Ics(
        "greater-manchester",
        "gm",
        "QOP",
        "Greater Manchester",
        ("gmcr", "Greater Manchester Care Record"),
        "graphnet",
        "graphnet",
        ("graphnet",),
        date(2018, 4, 1),
        ("nw-sde", "NHS North West Secure Data Environment (operator)"),
        ("nw-sde-tre", "NHS North West Secure Data Environment"),
        ("R0A", "RM3"),
    ),
    Ics(
        "west-yorkshire",
        "wy",
        "QWO",
        "West Yorkshire",
        ("yhcr", "Yorkshire & Humber Care Record (West Yorkshire, incl. Leeds Care Record)"),
        "RR8",
        "orion",
        ("RR8", "orion"),
        date(2020, 6, 1),
        ("yh-sde", "Yorkshire and Humber Secure Data Environment (operator)"),
        ("yh-sde-tre", "Yorkshire and Humber Secure Data Environment"),
        ("RR8", "RXF"),
    ),
    Ics(
        "cornwall",
        "cios",
        "QT6",
        "Cornwall and the Isles of Scilly",
        ("cios-shcr", "Cornwall and Isles of Scilly Shared Care Record"),
        "blackpear",
        "blackpear",
        ("blackpear",),
        date(2022, 10, 1),
        ("sw-sde", "South West Secure Data Environment (operator)"),
        ("sw-sde-tre", "South West Secure Data Environment"),
        ("REF", "RJ8"),
    ),
)


@dataclass(slots=True)
class Demo:
    """The demo registers, what was planted in them, and the ICSs as built (for the README)."""

    registers: list[Register]
    titles: dict[str, str]  # register name -> what it holds
    defects: list[Defect]
    headline: dict[str, list[str]]  # ICB -> the practices whose primary care goes no further than the ShCR
    builds: list[Build]


def national() -> Records:
    """Bodies, suppliers and national collections that every ICS register names, defined once."""
    r = Records()
    for org_id, name, org_type in (
        (NHS_ENGLAND, "NHS England", OrgType.NHS_ENGLAND),
        ("dhsc", "Department of Health and Social Care", OrgType.DHSC),
        (NECS, "NHS North of England Commissioning Support Unit (NECS)", OrgType.CSU),
        ("necs-dscro", "NHS England DSCRO (North), Data Services for Commissioners Regional Office", OrgType.DSCRO),
        ("emis", "EMIS Health (Optum)", OrgType.SUPPLIER),
        ("tpp", "The Phoenix Partnership (TPP)", OrgType.SUPPLIER),
        ("graphnet", "Graphnet Health", OrgType.SUPPLIER),
        ("orion", "Orion Health", OrgType.SUPPLIER),
        ("blackpear", "Black Pear Software", OrgType.SUPPLIER),
        ("palantir", "Palantir Technologies UK", OrgType.SUPPLIER),
        ("aws", "Amazon Web Services EMEA", OrgType.SUPPLIER),
        ("optum", "Optum Health Solutions UK", OrgType.SUPPLIER),
        ("epic", "Epic Systems", OrgType.SUPPLIER),
        (RESEARCH, "Health Research Consortium (fictional research organisation)", OrgType.RESEARCH_ORG),
    ):
        r.org(org_id, name, org_type)
    collections = [("gpes", "GPES extract for General Practice Data for Planning and Research (GDPPR)")]
    collections += [(c.system, c.name) for c in COLLECTIONS.values()]
    collections += [("asc-cld", "Adult Social Care Client Level Data (ASC-CLD)")]
    for system_id, name in collections:
        r.system(system_id, name, SystemType.NATIONAL_COLLECTION, operator=NHS_ENGLAND)
    r.system("nhse-sde", "NHS England Secure Data Environment", SystemType.SDE, operator=NHS_ENGLAND)

    gdppr = date(2020, 5, 27)
    r.agreement(
        "gdppr-direction",
        A.DIRECTION,
        ["dhsc", NHS_ENGLAND],
        gdppr,
        reference="General Practice Data for Planning and Research Directions (s254 HSCA 2012)",
    )
    r.agreement(
        "gdppr-dpn",
        A.DPN,
        [NHS_ENGLAND],
        gdppr,
        reference="GDPPR Data Provision Notice to GP practices (s259 HSCA 2012)",
    )
    for dataset, c in COLLECTIONS.items():
        r.agreement(
            c.standard,
            A.OTHER,
            [NHS_ENGLAND],
            date(2019, 4, 1),
            reference=f"{dataset} information standard, mandated for NHS providers (s250 HSCA 2012)",
        )
    r.agreement(
        "ascld-mandate",
        A.DIRECTION,
        ["dhsc", NHS_ENGLAND],
        date(2023, 4, 1),
        reference="Adult Social Care Client Level Data: mandatory quarterly return from 1 April 2023",
    )
    r.agreement(
        "cag-7-04a",
        A.CAG_APPROVAL,
        ["QOP", "QWO", NECS],
        date(2013, 4, 1),
        reference="CAG 7-04(a)/2013 s251 support for risk stratification (commissioners and CSUs)",
    )
    r.agreement(
        "nhse-sde-direction",
        A.DIRECTION,
        ["dhsc", NHS_ENGLAND],
        date(2023, 10, 1),
        reference="Direction establishing the NHS England Secure Data Environment service",
    )
    r.agreement(
        "nhse-sde-research-dsa",
        A.DSA,
        [NHS_ENGLAND, RESEARCH],
        date(2024, 4, 1),
        date(2029, 3, 31),
        "NHS England SDE access: aggregate outputs only",
    )

    instrument, applied = ("NHS England SDE Direction",), OptOutStatus.APPLIED
    direction = Basis(("6(1)(e)",), ("9(2)(h)", "9(2)(j)"), CldcBasis.STATUTORY_DIRECTION, instrument, applied)
    for system_id, category in (
        ("sus-plus", C.ACUTE),
        ("ecds", C.ACUTE),
        ("mhsds", C.MENTAL_HEALTH),
        ("csds", C.COMMUNITY),
        ("asc-cld", C.SOCIAL_CARE),
    ):
        r.flow(
            "national",
            f"nat-{system_id}-sde",
            system_id,
            "nhse-sde",
            [category],
            [P.RESEARCH, P.PLANNING],
            ID.PSEUDONYMISED,
            [NHS_ENGLAND],
            direction,
            agreements=["nhse-sde-direction"],
            valid_from=date(2024, 4, 1),
            frequency="monthly",
            transport="internal NHS England platform",
        )
    r.flow(
        "sde-output",
        "nat-sde-research",
        "nhse-sde",
        RESEARCH,
        [C.ACUTE, C.MENTAL_HEALTH],
        [P.RESEARCH],
        ID.AGGREGATE,
        [NHS_ENGLAND],
        AGGREGATE,
        recipient_controller=RESEARCH,
        agreements=["nhse-sde-research-dsa"],
        valid_from=date(2024, 6, 1),
        frequency="per approved project",
        transport="SDE output checking (airlock)",
    )
    return r


def cast(ics: Ics, england: England, suppliers: Mapping[str, str]) -> Build:
    """The real organisations of an ICS, from the reference data, and the choices made for it."""
    practices = england.practices.get(ics.icb, [])
    trusts = england.trusts.get(ics.icb, [])
    unknown = [t.org_id for t in trusts if t.org_id not in TRUSTS]
    if not practices or unknown:
        raise ValueError(
            f"the demo's {ics.name} ({ics.icb}) needs the bundled reference data: "
            f"{'no practices' if not practices else f'open trusts with no facts recorded: {unknown}'}"
        )
    build = Build(
        ics,
        practices,
        trusts,
        england.councils.get(ics.icb, []),
        resolve_suppliers(practices, suppliers),
        chosen_practices(ics.icb, practices),
    )
    build.outside = choose_outside(build)
    return build


def build_demo(reference: ReferenceData, suppliers: Mapping[str, str]) -> Demo:
    """The demo registers on ``reference``; ``suppliers`` maps practice codes to EMIS or TPP."""
    england = England.of(reference)
    registers = [national().register("national")]
    titles = {"national": "National bodies, suppliers and national collections"}
    builds, defects, headline = [], [], {}
    for ics in ICSS:
        build = cast(ics, england, suppliers)
        build_common(build)
        headline[ics.icb] = sorted(STORIES[ics.icb](build))
        registers.append(build.records.register(ics.key))
        titles[ics.key] = f"{ics.name} ({ics.icb})"
        builds.append(build)
        defects += build.defects
    return Demo(registers, titles, defects, headline, builds)
