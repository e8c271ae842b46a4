"""The national part of the synthetic register: bodies, suppliers, SDEs, national collections.

The reference data has no suppliers, CSUs or national bodies, so the register defines them. Only NHS
England (``X24``) and NECS (``0AR``) carry their real ODS codes, defined exactly as the demo registers
define them so that both can be loaded together; every other body gets a ``syn-`` id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from graph.model import Organisation
from graph.vocab import AgreementType, DataCategory, Identifiability, OptOutStatus, OrgType, Purpose, SystemType
from loaders.synth.records import AGGREGATE, PREFIX, STATUTORY, Basis, Records

C, P, ID = DataCategory, Purpose, Identifiability

NHS_ENGLAND = "X24"
DHSC = PREFIX + "dhsc"
DSCRO = PREFIX + "dscro"
RESEARCH = PREFIX + "research"
AWS = PREFIX + "aws"
PALANTIR = PREFIX + "palantir"
EMIS, TPP = PREFIX + "emis", PREFIX + "tpp"
GP_SUPPLIERS = {"EMIS": EMIS, "TPP": TPP}

# Commissioning support units serve regions; NECS has its real code, the others local ids.
CSUS = {
    "0AR": "NHS North of England Commissioning Support Unit (NECS)",
    PREFIX + "csu-ml": "NHS Midlands and Lancashire Commissioning Support Unit",
    PREFIX + "csu-agem": "NHS Arden and Greater East Midlands Commissioning Support Unit",
    PREFIX + "csu-nel": "NHS North East London Commissioning Support Unit",
    PREFIX + "csu-scw": "NHS South, Central and West Commissioning Support Unit",
}
CSU_OF_REGION = {
    "Y63": "0AR",
    "Y62": PREFIX + "csu-ml",
    "Y60": PREFIX + "csu-agem",
    "Y61": PREFIX + "csu-nel",
    "Y56": PREFIX + "csu-nel",
    "Y58": PREFIX + "csu-scw",
    "Y59": PREFIX + "csu-scw",
}
SUPPLIERS = {
    EMIS: "EMIS Health (Optum)",
    TPP: "The Phoenix Partnership (TPP)",
    AWS: "Amazon Web Services EMEA",
    PALANTIR: "Palantir Technologies UK",
    PREFIX + "graphnet": "Graphnet Health",
    PREFIX + "orion": "Orion Health",
    PREFIX + "oracle": "Oracle Health (Cerner)",
    PREFIX + "blackpear": "Black Pear Software",
    PREFIX + "optum": "Optum Health Solutions UK",
    # Fictional: remote monitoring suppliers, some of which host abroad (a planted defect).
    PREFIX + "rpm-a": "Example Remote Monitoring A Ltd (fictional)",
    PREFIX + "rpm-b": "Example Remote Monitoring B Ltd (fictional)",
    PREFIX + "rpm-c": "Example Remote Monitoring C Ltd (fictional)",
}
SHCR_SUPPLIERS = (PREFIX + "graphnet", PREFIX + "orion", PREFIX + "oracle", PREFIX + "blackpear")
PHM_SUPPLIERS = (PREFIX + "optum", PREFIX + "graphnet", PREFIX + "oracle")
RPM_SUPPLIERS = (PREFIX + "rpm-a", PREFIX + "rpm-b", PREFIX + "rpm-c")


@dataclass(frozen=True, slots=True)
class Sde:
    slug: str
    name: str

    @property
    def system(self) -> str:
        return f"{PREFIX}sde-{self.slug}"

    @property
    def operator(self) -> str:
        return f"{PREFIX}sde-operator-{self.slug}"


# The 11 regional secure data environments of the NHS Research SDE Network, and which ICBs each
# serves (approximately: the split of the South East and the Midlands is illustrative).
SDES = {
    s.slug: s
    for s in (
        Sde("london", "London Secure Data Environment"),
        Sde("east-of-england", "East of England Secure Data Environment"),
        Sde("south-west", "South West Secure Data Environment"),
        Sde("wessex", "Wessex Secure Data Environment"),
        Sde("thames-valley-surrey", "Thames Valley and Surrey Secure Data Environment"),
        Sde("kent-medway-sussex", "Kent, Medway and Sussex Secure Data Environment"),
        Sde("east-midlands", "East Midlands Secure Data Environment"),
        Sde("west-midlands", "West Midlands Secure Data Environment"),
        Sde("north-west", "North West Secure Data Environment"),
        Sde("yorkshire-humber", "Yorkshire and Humber Secure Data Environment"),
        Sde("north-east-north-cumbria", "North East and North Cumbria Secure Data Environment"),
    )
}
SDE_OF_REGION = {
    "Y56": "london",
    "Y61": "east-of-england",
    "Y58": "south-west",
    "Y59": "thames-valley-surrey",
    "Y60": "west-midlands",
    "Y62": "north-west",
    "Y63": "yorkshire-humber",
}
SDE_OF_ICB = {
    **dict.fromkeys(("QRL", "QVV"), "wessex"),
    **dict.fromkeys(("QKS", "QNX"), "kent-medway-sussex"),
    **dict.fromkeys(("QJ2", "QJM", "QK1", "QPM", "QT1"), "east-midlands"),
    "QHM": "north-east-north-cumbria",
}


def sde_of(icb: Organisation) -> Sde:
    return SDES[SDE_OF_ICB.get(icb.org_id) or SDE_OF_REGION.get(icb.region or "", "london")]


def csu_of(icb: Organisation) -> str:
    return CSU_OF_REGION.get(icb.region or "", "0AR")


@dataclass(frozen=True, slots=True)
class Collection:
    """A national collection: its system, the category it carries and the standard mandating it."""

    system: str
    name: str
    category: DataCategory
    standard: str


COLLECTIONS = {
    "SUS+": Collection(PREFIX + "sus", "Secondary Uses Service (SUS+)", C.ACUTE, PREFIX + "standard-sus"),
    "ECDS": Collection(PREFIX + "ecds", "Emergency Care Data Set (ECDS)", C.ACUTE, PREFIX + "standard-ecds"),
    "MSDS": Collection(PREFIX + "msds", "Maternity Services Data Set (MSDS)", C.MATERNITY, PREFIX + "standard-msds"),
    "MHSDS": Collection(
        PREFIX + "mhsds", "Mental Health Services Data Set (MHSDS)", C.MENTAL_HEALTH, PREFIX + "standard-mhsds"
    ),
    "CSDS": Collection(PREFIX + "csds", "Community Services Data Set (CSDS)", C.COMMUNITY, PREFIX + "standard-csds"),
    "ADS": Collection(PREFIX + "ads", "Ambulance Data Set (ADS)", C.AMBULANCE, PREFIX + "standard-ads"),
}
# Which collections a trust feeds, from the categories its records hold.
DATASETS_OF = {
    C.ACUTE: ("SUS+", "ECDS"),
    C.MATERNITY: ("MSDS",),
    C.MENTAL_HEALTH: ("MHSDS",),
    C.COMMUNITY: ("CSDS",),
    C.AMBULANCE: ("ADS",),
}
GPES = PREFIX + "gpes"
CQRS = PREFIX + "cqrs"
IMMFORM = PREFIX + "immform"
UKHSA = PREFIX + "ukhsa"
ASC_CLD = PREFIX + "asc-cld"
NHSE_SDE = PREFIX + "nhse-sde"
GDPPR_DIRECTION = PREFIX + "gdppr-direction"
GDPPR_DPN = PREFIX + "gdppr-dpn"
QOF_DPN = PREFIX + "qof-dpn"
ASCLD_DIRECTION = PREFIX + "ascld-direction"
CAG_RISK = PREFIX + "cag-7-04a"
EMIS_AWS = PREFIX + "art28-emis-aws"
SDE_DIRECTION = PREFIX + "nhse-sde-direction"


def ascld_dsa(csu: str) -> str:
    return f"{PREFIX}dsa-ascld-{csu.lower()}"


def build_national(
    records: Records, icbs: Sequence[str], sdes: Iterable[Sde], las_by_csu: Mapping[str, Sequence[str]]
) -> None:
    """Bodies, suppliers, SDEs and national collections, with the flows and agreements among them."""
    records.org(NHS_ENGLAND, "NHS England", OrgType.NHS_ENGLAND)
    records.org(DHSC, "Department of Health and Social Care", OrgType.DHSC)
    for csu, name in CSUS.items():
        records.org(csu, name, OrgType.CSU)
    records.org(DSCRO, "NHS England Data Services for Commissioners Regional Offices (DSCRO)", OrgType.DSCRO)
    for supplier, name in SUPPLIERS.items():
        records.org(supplier, name, OrgType.SUPPLIER)
    records.org(RESEARCH, "Health Research Consortium (fictional research organisation)", OrgType.RESEARCH_ORG)
    records.org(UKHSA, "UK Health Security Agency", OrgType.OTHER)

    for dataset, collection in COLLECTIONS.items():
        records.system(collection.system, collection.name, SystemType.NATIONAL_COLLECTION, operator=NHS_ENGLAND)
        records.agreement(
            collection.standard,
            AgreementType.OTHER,
            [NHS_ENGLAND],
            date(2019, 4, 1),
            reference=f"{dataset} information standard, mandated for NHS providers (s250 HSCA 2012)",
        )
    for system, name in (
        (GPES, "GPES extract for General Practice Data for Planning and Research (GDPPR)"),
        (CQRS, "Calculating Quality Reporting Service (QOF achievement, via GPES)"),
        (ASC_CLD, "Adult Social Care Client Level Data (ASC-CLD)"),
    ):
        records.system(system, name, SystemType.NATIONAL_COLLECTION, operator=NHS_ENGLAND)
    records.system(IMMFORM, "ImmForm (vaccine uptake)", SystemType.NATIONAL_COLLECTION, operator=UKHSA)
    records.system(NHSE_SDE, "NHS England Secure Data Environment", SystemType.SDE, operator=NHS_ENGLAND)
    sdes = list(sdes)
    for sde in sdes:
        records.org(sde.operator, f"{sde.name} (operator)", OrgType.SDE_OPERATOR)
        records.system(sde.system, sde.name, SystemType.SDE, operator=sde.operator)

    agreements = (
        (GDPPR_DIRECTION, AgreementType.DIRECTION, [DHSC, NHS_ENGLAND], date(2020, 5, 27), "GDPPR Directions (s254)"),
        (GDPPR_DPN, AgreementType.DPN, [NHS_ENGLAND], date(2020, 5, 27), "GDPPR Data Provision Notice (s259)"),
        (QOF_DPN, AgreementType.DPN, [NHS_ENGLAND], date(2019, 4, 1), "QOF extraction Data Provision Notice (s259)"),
        (ASCLD_DIRECTION, AgreementType.DIRECTION, [DHSC, NHS_ENGLAND], date(2023, 4, 1), "ASC-CLD mandatory return"),
        (SDE_DIRECTION, AgreementType.DIRECTION, [DHSC, NHS_ENGLAND], date(2023, 10, 1), "NHS England SDE Direction"),
        (
            CAG_RISK,
            AgreementType.CAG_APPROVAL,
            [*icbs, *CSUS],
            date(2013, 4, 1),
            "CAG 7-04(a)/2013 risk stratification",
        ),
    )
    for agreement_id, kind, parties, start, reference in agreements:
        records.agreement(agreement_id, kind, parties, start, reference=reference)
    records.agreement(
        EMIS_AWS, AgreementType.ART28_CONTRACT, [EMIS, AWS], date(2019, 1, 1), date(2030, 3, 31), "EMIS Web hosting"
    )
    for csu, las in las_by_csu.items():
        records.agreement(
            ascld_dsa(csu),
            AgreementType.DSA,
            [*las, csu, NHS_ENGLAND],
            date(2023, 4, 1),
            date(2028, 3, 31),
            "ASC-CLD submission via the Data Landing Portal",
        )

    research = Basis(
        ("6(1)(e)",), ("9(2)(h)", "9(2)(j)"), STATUTORY.cldc_basis, ("NHS England SDE Direction",), OptOutStatus.APPLIED
    )
    into_sde = [(GPES, C.PRIMARY_CARE), (ASC_CLD, C.SOCIAL_CARE)]
    into_sde += [(c.system, c.category) for c in COLLECTIONS.values()]
    for system, category in into_sde:
        records.flow(
            "national",
            f"{system}-to-nhse-sde",
            system,
            NHSE_SDE,
            [category],
            [P.RESEARCH, P.PLANNING],
            ID.PSEUDONYMISED,
            [NHS_ENGLAND],
            research,
            agreements=[SDE_DIRECTION],
            valid_from=date(2024, 4, 1),
            frequency="monthly",
        )
    records.agreement(
        f"{PREFIX}dsa-nhse-sde-research",
        AgreementType.DSA,
        [NHS_ENGLAND, RESEARCH],
        date(2024, 4, 1),
        date(2029, 3, 31),
        "NHS England SDE access: aggregate outputs only",
    )
    outputs = [(NHSE_SDE, NHS_ENGLAND, f"{PREFIX}dsa-nhse-sde-research")]
    for sde in sdes:
        records.agreement(
            f"{PREFIX}dsa-{sde.slug}-research",
            AgreementType.DSA,
            [sde.operator, RESEARCH],
            date(2024, 4, 1),
            date(2029, 3, 31),
            f"{sde.name}: aggregate outputs only",
        )
        outputs.append((sde.system, sde.operator, f"{PREFIX}dsa-{sde.slug}-research"))
    # Research outputs leave an SDE only as aggregates, through its output checking.
    for system, controller, agreement in outputs:
        records.flow(
            "sde-output",
            f"{system}-outputs",
            system,
            RESEARCH,
            [C.PRIMARY_CARE, C.ACUTE, C.MENTAL_HEALTH],
            [P.RESEARCH],
            ID.AGGREGATE,
            [controller],
            AGGREGATE,
            recipient_controller=RESEARCH,
            agreements=[agreement],
            valid_from=date(2024, 6, 1),
            transport="SDE output checking (airlock)",
        )


def cover_hosting(records: Records) -> None:
    """EMIS's hosting contract with AWS governs every flow into or out of an EMIS Web system.

    A sub-processing contract is recorded once, its ``covers`` naming the systems it is for, not listed on
    every practice's flow; the GP systems exist once every ICS is built, so this runs last.
    """
    hosted = [
        s.system_id
        for s in records.systems.values()
        if s.system_type is SystemType.GP_CLINICAL_SYSTEM and s.supplier == EMIS
    ]
    records.agreements[EMIS_AWS] = replace(records.agreements[EMIS_AWS], covers=tuple(hosted))
