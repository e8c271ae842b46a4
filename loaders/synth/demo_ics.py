"""One ICS of the bundled demo: who is in it, the choices made for it, and the rows every ICS shares.

Each demo ICS has GP clinical systems (EMIS Web and SystmOne, by each practice's real supplier), a shared
care record, trust EPRs, council social care systems, FDP instances, national collection feeds and a
regional SDE. What sets each one apart, and the defects planted in it, is in ``loaders.synth.demo_stories``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from graph.model import Organisation
from graph.vocab import AgreementType, DataCategory, OrgType, SystemType
from loaders.synth.demo_kinds import (
    ASC_CLD,
    COLLECTION,
    COUNCIL_SHCR,
    EPR,
    FDP,
    FDP_ICB,
    GP_RECORD,
    GPES,
    NECS,
    NHS_ENGLAND,
    PALANTIR,
    PRACTICE_SHCR,
    RESEARCH,
    SDE_OUTPUT,
    SOCIAL_CARE,
    TRUST_SHCR,
    Kind,
    send,
)
from loaders.synth.ics import add_months, since
from loaders.synth.national import Collection
from loaders.synth.records import STATUTORY, Records

C, A = DataCategory, AgreementType
AS_OF = date(2026, 11, 25)
"""The demo's date: the planted defects are what the checks find as of this day."""
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


def span(text: str) -> tuple[date, date | None]:
    """A ``start..end`` span of ISO dates; the end may be left open.

    >>> span("2021-04-01..2028-03-31"), span("2021-04-01..")
    ((datetime.date(2021, 4, 1), datetime.date(2028, 3, 31)), (datetime.date(2021, 4, 1), None))
    """
    start, _, end = text.partition("..")
    return date.fromisoformat(start), date.fromisoformat(end) if end else None


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
    guessed: list[str] = field(default_factory=list)  # practices given their ICB's usual GP supplier
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

    def agree(
        self,
        agreement_id: str,
        agreement_type: AgreementType,
        parties: Iterable[str],
        during: str,
        reference: str,
        covers: Iterable[str] = (),
    ) -> None:
        """An agreement valid ``during`` (``start..end``), governing ``covers`` besides the flows listing it."""
        self.records.agreement(agreement_id, agreement_type, parties, *span(during), reference, covers)

    def send(self, kind: Kind, flow_id: str, source: str, to: str, what: Iterable[DataCategory], **own: Any) -> None:
        send(self.records, kind, f"{self.ics.prefix}-{flow_id}", source, to, what, **own)

    def leave(self, agreement_id: str, party: str) -> None:
        """Take ``party`` off an agreement's parties."""
        agreement = self.records.agreements[agreement_id]
        parties = tuple(x for x in agreement.parties if x != party)
        self.records.agreements[agreement_id] = replace(agreement, parties=parties)

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


def systems(b: Build) -> None:
    """The regional SDE's operator, then GP systems, shared care record, EPRs, social care systems, FDP, SDE."""
    ics, r, icb = b.ics, b.records, b.ics.icb
    r.org(*ics.sde_operator, OrgType.SDE_OPERATOR)
    for system, product, supplier in GP_SYSTEMS.values():
        name = f"{product} ({ics.name} practices)"
        r.system(
            f"{ics.prefix}-{system}", name, SystemType.GP_CLINICAL_SYSTEM, operator=supplier, supplier=supplier, icb=icb
        )
    r.system(*ics.shcr, SystemType.SHARED_CARE_RECORD, operator=ics.shcr_operator, supplier=ics.shcr_supplier, icb=icb)
    for t in b.trusts:
        epic = "epic" if t.org_id == "R0A" else None
        name = f"{display_name(t.name)} EPR"
        r.system(f"epr-{t.org_id.lower()}", name, SystemType.EPR, operator=t.org_id, supplier=epic, icb=icb)
    for la in b.councils:
        name = f"{la.name} Council social care case management system"
        r.system(f"socialcare-{slug(la.name)}", name, SystemType.SOCIAL_CARE_SYSTEM, operator=la.org_id, icb=icb)
    for code, instance in [(icb, f"NHS {ics.name} ICB"), *((t, f"{t} trust") for t in ics.fdp_trusts)]:
        name = f"Federated Data Platform: {instance} instance"
        r.system(f"fdp-{code.lower()}", name, SystemType.FDP_INSTANCE, operator=PALANTIR, supplier=PALANTIR, icb=icb)
    r.system(*ics.sde, SystemType.SDE, operator=ics.sde_operator[0])


def agreements(b: Build) -> None:
    """GP system contracts, the shared care record's Art 26 and Art 28 paperwork, ASC-CLD, FDP, SDE outputs."""
    ics, p = b.ics, b.ics.prefix
    for label, (system, _, supplier) in GP_SYSTEMS.items():
        users = [x.org_id for x in b.practices if b.suppliers[x.org_id] == label]
        parties = [*users, supplier, *(["aws"] if supplier == "emis" else [])]
        reference = f"GP IT Futures call-off: data processing terms for {p}-{system}"
        b.agree(f"{p}-art28-{supplier}", A.ART28_CONTRACT, parties, "2018-04-01..2028-03-31", reference)
    councils = [la.org_id for la in b.councils]
    contributors = [*(x.org_id for x in b.opted_in), *(t.org_id for t in b.trusts), *councils]
    start = f"{ics.shcr_start.isoformat()}.."
    b.agree(
        f"{p}-art26-shcr",
        A.ART26_ARRANGEMENT,
        contributors,
        start,
        f"{ics.shcr[1]}: joint controller arrangement (UK GDPR Art 26)",
    )
    b.agree(
        f"{p}-art28-shcr",
        A.ART28_CONTRACT,
        [*contributors, *ics.shcr_processors],
        f"{start}2029-03-31",
        f"{ics.shcr[1]}: processing contract with host and supplier (Art 28)",
    )
    b.agree(
        f"{p}-dsa-ascld",
        A.DSA,
        [*councils, NECS, NHS_ENGLAND],
        "2023-04-01..2028-03-31",
        "ASC-CLD submission via the Data Landing Portal (NECS)",
    )
    for code in ics.fdp_trusts:
        b.agree(
            f"{p}-art28-fdp-{code.lower()}",
            A.ART28_CONTRACT,
            [code, PALANTIR, NHS_ENGLAND],
            "2024-01-15..2031-02-28",
            "NHS FDP: trust instance data processing agreement",
        )
    b.agree(
        f"{p}-dsa-fdp-icb",
        A.DSA,
        [*ics.fdp_trusts, ics.icb, PALANTIR, NHS_ENGLAND],
        "2024-04-01..2031-02-28",
        "NHS FDP: trust instances to the ICB instance (pseudonymised)",
    )
    b.agree(
        f"{p}-dsa-sde-research",
        A.DSA,
        [ics.sde_operator[0], RESEARCH],
        "2024-04-01..2029-03-31",
        f"{ics.sde[1]}: aggregate outputs",
    )


def flows(b: Build) -> None:
    """Practices feed their GP system, the shared care record (unless not opted in) and GPES; trusts their
    EPR, the record, national collections and FDP; councils their social care system, the record and ASC-CLD.
    """
    ics, p, gp = b.ics, b.ics.prefix, [C.PRIMARY_CARE]
    shcr, joint = ics.shcr[0], [f"{p}-art26-shcr", f"{p}-art28-shcr"]
    for x in b.practices:
        code, supplier = x.org_id, GP_SYSTEMS[b.suppliers[x.org_id]][2]
        hosted = {"processors": [supplier], "sub_processors": ["aws"] if supplier == "emis" else []}
        b.send(GP_RECORD, f"gpsys-{code}", code, b.gp_system(code), gp, agreements=[f"{p}-art28-{supplier}"], **hosted)
    for x in b.opted_in:
        joined = since(add_months(ics.shcr_start, ranked(f"onboard:{x.org_id}") % 24), x.valid_from)
        hosts = ics.shcr_processors
        b.send(
            PRACTICE_SHCR, f"shcr-{x.org_id}", x.org_id, shcr, gp, processors=hosts, agreements=joint, valid_from=joined
        )
    for x in b.practices:
        b.send(GPES, f"gpes-{x.org_id}", x.org_id, "gpes", gp, valid_from=since(date(2020, 5, 27), x.valid_from))
    for code, (categories, datasets) in ((t.org_id, TRUSTS[t.org_id]) for t in b.trusts):
        b.send(EPR, f"epr-{code}", code, f"epr-{code.lower()}", categories)
        hosts = tuple(x for x in ics.shcr_processors if x != code)
        b.send(
            TRUST_SHCR,
            f"shcr-{code}",
            code,
            shcr,
            categories,
            processors=hosts,
            agreements=joint,
            valid_from=ics.shcr_start,
        )
        for dataset, c in ((d, COLLECTIONS[d]) for d in datasets):
            standard = replace(STATUTORY, legal_instruments=(f"{dataset} information standard",))
            b.send(
                COLLECTION,
                f"{c.system}-{code}",
                code,
                c.system,
                [c.category],
                basis=standard,
                datasets=[dataset],
                agreements=[c.standard],
            )
    for code in ics.fdp_trusts:
        categories, instance, icb = TRUSTS[code][0], f"fdp-{code.lower()}", ics.icb
        b.send(FDP, f"fdp-{code}", code, instance, categories, agreements=[f"{p}-art28-fdp-{code.lower()}"])
        b.send(
            FDP_ICB,
            f"fdp-icb-{code}",
            instance,
            f"fdp-{icb.lower()}",
            categories,
            controllers=[code],
            recipient_controller=icb,
            agreements=[f"{p}-dsa-fdp-icb"],
        )
    for la, name in ((la, slug(la.name)) for la in b.councils):
        system, by = f"socialcare-{name}", [la.org_id]
        b.send(SOCIAL_CARE, f"sc-{name}", la.org_id, system, [C.SOCIAL_CARE])
        joined = add_months(ics.shcr_start, 6)
        b.send(
            COUNCIL_SHCR,
            f"shcr-{name}",
            system,
            shcr,
            [C.SOCIAL_CARE],
            controllers=by,
            processors=ics.shcr_processors,
            agreements=joint,
            valid_from=joined,
        )
        b.send(
            ASC_CLD,
            f"ascld-{name}",
            system,
            "asc-cld",
            [C.SOCIAL_CARE],
            controllers=by,
            agreements=["ascld-mandate", f"{p}-dsa-ascld"],
        )
    # Research outputs leave the regional SDE only as aggregates.
    b.send(
        SDE_OUTPUT,
        "sde-research",
        ics.sde[0],
        RESEARCH,
        [C.ACUTE, C.COMMUNITY],
        controllers=[ics.sde_operator[0]],
        agreements=[f"{p}-dsa-sde-research"],
        valid_from=date(2025, 1, 6),
    )


def build_common(b: Build) -> None:
    """The rows every demo ICS has, in the order the register lists them."""
    systems(b)
    agreements(b)
    flows(b)
