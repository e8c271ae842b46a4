"""The kinds of flow in the demo registers: what every flow of a kind shares, written once.

A demo flow is a ``Kind`` (its purposes, identifiability, legal basis and the other fields all flows of
the kind have) and what is its own: ``send`` makes it. The legal bases are the synthetic generator's
(``loaders.synth.records``), so the demo and synthetic England read alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from graph.vocab import CldcBasis, DataCategory, Identifiability, OptOutStatus
from graph.vocab import Purpose as P
from loaders.synth.ics import COPI_2020
from loaders.synth.records import (
    AGGREGATE,
    DE_IDENTIFIED,
    DIRECT_CARE,
    RISK_STRATIFICATION,
    SDE_RESEARCH,
    STATUTORY,
    Basis,
    Records,
)

C, ID = DataCategory, Identifiability
NHS_ENGLAND, NECS, RESEARCH, PALANTIR = "X24", "0AR", "health-research-consortium", "palantir"
CAG_RISK = "cag-7-04a"


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of flow: the purposes, identifiability and legal basis every flow of it has, and more."""

    name: str
    purposes: tuple[P, ...]
    identifiability: Identifiability
    basis: Basis
    shared: dict[str, Any] = field(default_factory=dict)  # other fields of ``Records.flow``


def kind(name: str, purposes: Iterable[P], identifiability: Identifiability, basis: Basis, **shared: Any) -> Kind:
    return Kind(name, tuple(purposes), identifiability, basis, shared)


def send(r: Records, kind: Kind, flow_id: str, source: str, to: str, what: Iterable[DataCategory], **own: Any) -> None:
    """A flow of ``kind`` carrying ``what`` from ``source`` to ``to``; its ``own`` fields override the kind's.

    Its controller is ``source`` unless ``controllers`` says otherwise.
    """
    fields = {"controllers": [source], **kind.shared, **own}
    purposes = fields.pop("purposes", kind.purposes)
    identifiability = fields.pop("identifiability", kind.identifiability)
    basis, controllers = fields.pop("basis", kind.basis), fields.pop("controllers")
    r.flow(kind.name, flow_id, source, to, what, purposes, identifiability, controllers, basis, **fields)


DIRECT, IDENTIFIABLE, PSEUDONYMISED = (P.DIRECT_CARE,), ID.IDENTIFIABLE, ID.PSEUDONYMISED
APPLIED, NA = OptOutStatus.APPLIED, OptOutStatus.NOT_APPLICABLE
PHM = (P.POPULATION_HEALTH_MANAGEMENT, P.RISK_STRATIFICATION)

# --- what every ICS has: practices, trusts, councils ------------------------------------------------
GP_RECORD = kind(
    "gp", DIRECT, IDENTIFIABLE, DIRECT_CARE, type1=NA, frequency="continuous", transport="GP clinical system (hosted)"
)
PRACTICE_SHCR = kind(
    "shcr",
    DIRECT,
    IDENTIFIABLE,
    DIRECT_CARE,
    joint=True,
    type1=NA,
    frequency="real time",
    transport="FHIR API from the GP system",
)
GPES = kind(
    "gpes",
    (P.NATIONAL_COLLECTION,),
    IDENTIFIABLE,
    replace(STATUTORY, legal_instruments=("GDPPR Directions", "GDPPR Data Provision Notice")),
    recipient_controller=NHS_ENGLAND,
    type1=APPLIED,
    datasets=["GDPPR"],
    agreements=["gdppr-direction", "gdppr-dpn"],
    frequency="fortnightly",
    transport="GPES extraction",
)
EPR = kind("epr", DIRECT, IDENTIFIABLE, DIRECT_CARE, frequency="continuous", transport="trust EPR")
TRUST_SHCR = kind(
    "shcr", DIRECT, IDENTIFIABLE, DIRECT_CARE, joint=True, frequency="real time", transport="HL7 v2 / FHIR feed"
)
# Each collection's own legal instrument is added per flow.
COLLECTION = kind(
    "collection",
    (P.NATIONAL_COLLECTION,),
    IDENTIFIABLE,
    STATUTORY,
    recipient_controller=NHS_ENGLAND,
    frequency="monthly",
    transport="SUS+ / DLP submission",
)
# A trust's own use of its FDP instance is direct care; what it passes to the ICB's is pseudonymised.
FDP = kind(
    "fdp",
    DIRECT,
    IDENTIFIABLE,
    DIRECT_CARE,
    processors=[PALANTIR],
    valid_from=date(2024, 9, 1),
    frequency="daily",
    transport="FDP data pipeline from the EPR",
    notes="Operational use: waiting lists, discharge and theatre scheduling",
)
FDP_ICB = kind(
    "fdp-icb",
    (P.PLANNING, P.POPULATION_HEALTH_MANAGEMENT),
    PSEUDONYMISED,
    DE_IDENTIFIED,
    processors=[PALANTIR],
    valid_from=date(2025, 4, 1),
    frequency="daily",
    transport="FDP privacy enhancing technology",
    notes="Pseudonymised before it leaves the trust instance",
)
SOCIAL_CARE = kind(
    "social-care", DIRECT, IDENTIFIABLE, DIRECT_CARE, frequency="continuous", transport="case management system"
)
COUNCIL_SHCR = kind("shcr", DIRECT, IDENTIFIABLE, DIRECT_CARE, joint=True, frequency="daily", transport="FHIR API")
ASC_CLD = kind(
    "ascld",
    (P.NATIONAL_COLLECTION,),
    PSEUDONYMISED,
    replace(STATUTORY, legal_instruments=("ASC-CLD mandatory collection",)),
    processors=[NECS],
    recipient_controller=NHS_ENGLAND,
    datasets=["ASC-CLD"],
    valid_from=date(2023, 4, 1),
    frequency="quarterly",
    transport="Data Landing Portal (pseudonymised on submission)",
)
# Research outputs leave an SDE only as aggregates.
SDE_OUTPUT = kind(
    "sde-output",
    (P.RESEARCH,),
    ID.AGGREGATE,
    AGGREGATE,
    recipient_controller=RESEARCH,
    frequency="per approved project",
    transport="SDE output checking (airlock)",
)

# --- what sets the ICSs apart: analytics, remote monitoring ------------------------------------------
RECORD_TO_PHM = kind("phm", PHM, PSEUDONYMISED, RISK_STRATIFICATION, processors=[NECS], frequency="weekly")
TRUST_TO_PHM = kind(
    "phm", (P.RISK_STRATIFICATION,), PSEUDONYMISED, RISK_STRATIFICATION, processors=[NECS], transport="SFTP to the CSU"
)
# In the last year of the COVID-19 notices; a flow still relying on them after 30 June 2022 is a defect.
COPI_LINKAGE = kind("phm", (P.PLANNING, P.POPULATION_HEALTH_MANAGEMENT), PSEUDONYMISED, COPI_2020, processors=[NECS])
SDE_INGESTION = kind(
    "sde",
    (P.RESEARCH,),
    PSEUDONYMISED,
    replace(
        SDE_RESEARCH,
        legal_instruments=("s251 support for the SDE programme (illustrative)", "SDE data access committee"),
    ),
    frequency="monthly",
    transport="SDE ingestion pipeline",
)
INTO_WAREHOUSE = kind(
    "dw",
    (P.COMMISSIONING, P.PLANNING),
    PSEUDONYMISED,
    DE_IDENTIFIED,
    processors=["necs-dscro"],
    datasets=["SUS+ (local commissioning extract)"],
    valid_from=date(2019, 4, 1),
    frequency="monthly",
    transport="DSCRO, pseudonymised at source",
)
REMOTE_MONITORING = kind(
    "rpm", DIRECT, IDENTIFIABLE, DIRECT_CARE, valid_from=date(2025, 2, 1), frequency="continuous", transport="HTTPS API"
)
PCN_HUB = kind(
    "pcn-hub", DIRECT, IDENTIFIABLE, DIRECT_CARE, type1=NA, frequency="continuous", transport="enhanced access hub"
)

# --- national: NHS England's collections into its own SDE --------------------------------------------
INTO_NHSE_SDE = kind(
    "national",
    (P.RESEARCH, P.PLANNING),
    PSEUDONYMISED,
    Basis(
        ("6(1)(e)",),
        ("9(2)(h)", "9(2)(j)"),
        CldcBasis.STATUTORY_DIRECTION,
        ("NHS England SDE Direction",),
        OptOutStatus.APPLIED,
    ),
    controllers=[NHS_ENGLAND],
    agreements=["nhse-sde-direction"],
    valid_from=date(2024, 4, 1),
    frequency="monthly",
    transport="internal NHS England platform",
)
