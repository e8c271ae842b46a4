"""The register's vocabularies as types.

Values are the contract written out in ``docs/register.md``: lower-case with underscores, except the
``art6``/``art9`` values which are written as in the law. ``graph.schema`` says which column uses which.
"""

from __future__ import annotations

import re
from enum import StrEnum


class OrgType(StrEnum):
    GP_PRACTICE = "gp_practice"
    ACUTE_TRUST = "acute_trust"
    COMMUNITY_TRUST = "community_trust"
    MENTAL_HEALTH_TRUST = "mental_health_trust"
    AMBULANCE_TRUST = "ambulance_trust"
    COMBINED_TRUST = "combined_trust"
    ICB = "icb"
    SUB_ICB_LOCATION = "sub_icb_location"
    PCN = "pcn"
    REGION = "region"
    ICS = "ics"
    LOCAL_AUTHORITY = "local_authority"
    CSU = "csu"
    DSCRO = "dscro"
    NHS_ENGLAND = "nhs_england"
    DHSC = "dhsc"
    SUPPLIER = "supplier"
    SDE_OPERATOR = "sde_operator"
    RESEARCH_ORG = "research_org"
    CARE_PROVIDER = "care_provider"
    VCSE = "vcse"
    OTHER = "other"


# Bodies that are not legal entities: they can never lawfully hold a controller or processor role.
NOT_LEGAL_ENTITIES = frozenset({OrgType.ICS, OrgType.PCN, OrgType.SUB_ICB_LOCATION, OrgType.REGION})


class SystemType(StrEnum):
    GP_CLINICAL_SYSTEM = "gp_clinical_system"
    EPR = "epr"
    SHARED_CARE_RECORD = "shared_care_record"
    PHM_PLATFORM = "phm_platform"
    SDE = "sde"
    FDP_INSTANCE = "fdp_instance"
    DATA_WAREHOUSE = "data_warehouse"
    NATIONAL_COLLECTION = "national_collection"
    SOCIAL_CARE_SYSTEM = "social_care_system"
    OTHER = "other"


ANALYTICAL_PLATFORMS = frozenset(
    {SystemType.PHM_PLATFORM, SystemType.SDE, SystemType.FDP_INSTANCE, SystemType.DATA_WAREHOUSE}
)


class DataCategory(StrEnum):
    PRIMARY_CARE = "primary_care"
    ACUTE = "acute"
    COMMUNITY = "community"
    MENTAL_HEALTH = "mental_health"
    SOCIAL_CARE = "social_care"
    AMBULANCE = "ambulance"
    MATERNITY = "maternity"
    PUBLIC_HEALTH = "public_health"
    DEMOGRAPHICS = "demographics"
    WIDER_DETERMINANTS = "wider_determinants"
    OTHER = "other"


CORE_CATEGORIES = (
    DataCategory.PRIMARY_CARE,
    DataCategory.ACUTE,
    DataCategory.COMMUNITY,
    DataCategory.MENTAL_HEALTH,
    DataCategory.SOCIAL_CARE,
)


class Purpose(StrEnum):
    DIRECT_CARE = "direct_care"
    RISK_STRATIFICATION = "risk_stratification"
    POPULATION_HEALTH_MANAGEMENT = "population_health_management"
    PLANNING = "planning"
    COMMISSIONING = "commissioning"
    INVOICE_VALIDATION = "invoice_validation"
    NATIONAL_COLLECTION = "national_collection"
    PUBLIC_HEALTH = "public_health"
    RESEARCH = "research"
    SERVICE_EVALUATION = "service_evaluation"
    CLINICAL_AUDIT = "clinical_audit"
    SAFEGUARDING = "safeguarding"
    OTHER = "other"

    @property
    def secondary(self) -> bool:
        """Every purpose but direct care is a secondary use."""
        return self is not Purpose.DIRECT_CARE


class Identifiability(StrEnum):
    IDENTIFIABLE = "identifiable"
    PSEUDONYMISED = "pseudonymised"
    ANONYMISED = "anonymised"
    AGGREGATE = "aggregate"

    @property
    def personal(self) -> bool:
        return self in (Identifiability.IDENTIFIABLE, Identifiability.PSEUDONYMISED)


class Art6(StrEnum):
    A = "6(1)(a)"
    B = "6(1)(b)"
    C = "6(1)(c)"
    D = "6(1)(d)"
    E = "6(1)(e)"
    F = "6(1)(f)"


class Art9(StrEnum):
    A = "9(2)(a)"
    B = "9(2)(b)"
    C = "9(2)(c)"
    D = "9(2)(d)"
    E = "9(2)(e)"
    F = "9(2)(f)"
    G = "9(2)(g)"
    H = "9(2)(h)"
    I = "9(2)(i)"  # noqa: E741 - the letter of the law
    J = "9(2)(j)"


class CldcBasis(StrEnum):
    IMPLIED_CONSENT = "implied_consent"
    EXPLICIT_CONSENT = "explicit_consent"
    S251 = "s251"
    STATUTORY_DIRECTION = "statutory_direction"
    COPI = "copi"
    OVERRIDING_PUBLIC_INTEREST = "overriding_public_interest"
    COURT_ORDER = "court_order"
    NOT_CONFIDENTIAL = "not_confidential"


class OptOutStatus(StrEnum):
    APPLIED = "applied"
    NOT_APPLIED = "not_applied"
    NOT_APPLICABLE = "not_applicable"
    EXEMPT = "exempt"
    UNKNOWN = "unknown"


class AgreementType(StrEnum):
    DSA = "dsa"
    ART28_CONTRACT = "art28_contract"
    ART26_ARRANGEMENT = "art26_arrangement"
    DPIA = "dpia"
    DIRECTION = "direction"
    DPN = "dpn"
    CAG_APPROVAL = "cag_approval"
    OTHER = "other"


class FlowStatus(StrEnum):
    PLANNED = "planned"
    LIVE = "live"
    PAUSED = "paused"
    CEASED = "ceased"


_ARTICLE = re.compile(
    r"^(?:art(?:icle)?\.?\s*)?(?P<art>[69])\s*[.(]?\s*(?P<para>[12])\s*[.)]?\s*[.(]?\s*(?P<letter>[a-j])\s*\)?$"
)


def canonical_article(text: str) -> str | None:
    """The canonical form of an Art 6 or Art 9 reference, or None when it is not one.

    >>> canonical_article("Art 6(1)(e)"), canonical_article("6.1.e"), canonical_article("9(2)h")
    ('6(1)(e)', '6(1)(e)', '9(2)(h)')
    """
    match = _ARTICLE.match(text.strip().lower())
    if match is None:
        return None
    art, para, letter = match["art"], match["para"], match["letter"]
    if (art, para) not in (("6", "1"), ("9", "2")) or (art == "6" and letter > "f"):
        return None
    return f"{art}({para})({letter})"


# Data Security and Protection Toolkit statuses, as the DSPT publishes them. An organisation meets the
# toolkit with the first two; the others fall short.
DSPT_STATUSES = ("Standards Exceeded", "Standards Met", "Approaching Standards", "Standards Not Met", "Not Published")
DSPT_MET = ("Standards Met", "Standards Exceeded")
