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
from graph.vocab import DataCategory as C
from graph.vocab import OrgType, SystemType
from loaders.reference import GP_SUPPLIERS
from loaders.synth.demo_ics import (
    AS_OF,
    COLLECTIONS,
    GP_SYSTEMS,
    TRUSTS,
    A,
    Build,
    Defect,
    Ics,
    build_common,
    choose_outside,
    span,
)
from loaders.synth.demo_kinds import INTO_NHSE_SDE, NECS, NHS_ENGLAND, RESEARCH, SDE_OUTPUT, send
from loaders.synth.demo_stories import STORIES, chosen_practices
from loaders.synth.england import England, resolve_suppliers
from loaders.synth.records import Records

__all__ = ["AS_OF", "FROM_REFERENCE", "ICSS", "Defect", "Demo", "build_demo"]

FROM_REFERENCE = {
    "dspt": "DSPT status is a fact of the bundled national reference data (data/reference), not of a register: "
    "the demo plants none, and this check reports the real organisations' published statuses, or that none is "
    "on record (practices, suppliers and ICBs are not in the 2020/21 extract)",
}
"""IG checks whose findings come from the reference data alone, so the demo cannot plant them: the self-check
compares every other check with what was planted, and the README says why these are left out."""

ICSS = (
    Ics(
        key="greater-manchester",
        prefix="gm",
        icb="QOP",
        name="Greater Manchester",
        shcr=("gmcr", "Greater Manchester Care Record"),
        shcr_operator="graphnet",
        shcr_supplier="graphnet",
        shcr_processors=("graphnet",),
        shcr_start=date(2018, 4, 1),
        sde_operator=("nw-sde", "NHS North West Secure Data Environment (operator)"),
        sde=("nw-sde-tre", "NHS North West Secure Data Environment"),
        fdp_trusts=("R0A", "RM3"),
    ),
    Ics(
        key="west-yorkshire",
        prefix="wy",
        icb="QWO",
        name="West Yorkshire",
        shcr=("yhcr", "Yorkshire & Humber Care Record (West Yorkshire, incl. Leeds Care Record)"),
        shcr_operator="RR8",  # hosted by Leeds Teaching Hospitals
        shcr_supplier="orion",
        shcr_processors=("RR8", "orion"),
        shcr_start=date(2020, 6, 1),
        sde_operator=("yh-sde", "Yorkshire and Humber Secure Data Environment (operator)"),
        sde=("yh-sde-tre", "Yorkshire and Humber Secure Data Environment"),
        fdp_trusts=("RR8", "RXF"),
    ),
    Ics(
        key="cornwall",
        prefix="cios",
        icb="QT6",
        name="Cornwall and the Isles of Scilly",
        shcr=("cios-shcr", "Cornwall and Isles of Scilly Shared Care Record"),
        shcr_operator="blackpear",
        shcr_supplier="blackpear",
        shcr_processors=("blackpear",),
        shcr_start=date(2022, 10, 1),
        sde_operator=("sw-sde", "South West Secure Data Environment (operator)"),
        sde=("sw-sde-tre", "South West Secure Data Environment"),
        fdp_trusts=("REF", "RJ8"),
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
    sources: list[str]  # the reference files it was built from


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

    mandates = [
        (
            "gdppr-direction",
            A.DIRECTION,
            ["dhsc", NHS_ENGLAND],
            "2020-05-27..",
            "General Practice Data for Planning and Research Directions (s254 HSCA 2012)",
        ),
        (
            "gdppr-dpn",
            A.DPN,
            [NHS_ENGLAND],
            "2020-05-27..",
            "GDPPR Data Provision Notice to GP practices (s259 HSCA 2012)",
        ),
    ]
    mandates += [
        (
            c.standard,
            A.OTHER,
            [NHS_ENGLAND],
            "2019-04-01..",
            f"{d} information standard, mandated for NHS providers (s250 HSCA 2012)",
        )
        for d, c in COLLECTIONS.items()
    ]
    mandates += [
        (
            "ascld-mandate",
            A.DIRECTION,
            ["dhsc", NHS_ENGLAND],
            "2023-04-01..",
            "Adult Social Care Client Level Data: mandatory quarterly return from 1 April 2023",
        ),
        (
            "cag-7-04a",
            A.CAG_APPROVAL,
            ["QOP", "QWO", NECS],
            "2013-04-01..",
            "CAG 7-04(a)/2013 s251 support for risk stratification (commissioners and CSUs)",
        ),
        (
            "nhse-sde-direction",
            A.DIRECTION,
            ["dhsc", NHS_ENGLAND],
            "2023-10-01..",
            "Direction establishing the NHS England Secure Data Environment service",
        ),
        (
            "nhse-sde-research-dsa",
            A.DSA,
            [NHS_ENGLAND, RESEARCH],
            "2024-04-01..2029-03-31",
            "NHS England SDE access: aggregate outputs only",
        ),
    ]
    for agreement_id, agreement_type, parties, during, reference in mandates:
        r.agreement(agreement_id, agreement_type, parties, *span(during), reference)

    for system_id, category in (
        ("sus-plus", C.ACUTE),
        ("ecds", C.ACUTE),
        ("mhsds", C.MENTAL_HEALTH),
        ("csds", C.COMMUNITY),
        ("asc-cld", C.SOCIAL_CARE),
    ):
        send(r, INTO_NHSE_SDE, f"nat-{system_id}-sde", system_id, "nhse-sde", [category])
    send(
        r,
        SDE_OUTPUT,
        "nat-sde-research",
        "nhse-sde",
        RESEARCH,
        [C.ACUTE, C.MENTAL_HEALTH],
        controllers=[NHS_ENGLAND],
        agreements=["nhse-sde-research-dsa"],
        valid_from=date(2024, 6, 1),
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
    build.guessed = [p.org_id for p in practices if suppliers.get(p.org_id) not in GP_SYSTEMS]
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
    sources = sorted({*reference.sources.values(), GP_SUPPLIERS})
    return Demo(registers, titles, defects, headline, builds, sources)
