"""The register schema, declared once: every table's columns in the spec's order, with their meaning.

This is the contract a register must meet (written out for users in ``docs/register.md``, which is
generated from it). Pure data: the register parser and writer, the API's schemas, the docs and the test
fixtures all read their columns from here, and ``tests/test_schema.py`` fails when the model drifts from it.

>>> [column.name for column in AGREEMENTS.columns if column.required]
['agreement_id', 'agreement_type', 'parties']
>>> FLOWS.column("purposes").kind, FLOWS.column("purposes").many, FLOWS.column("purposes").vocabulary
(<Kind.VOCABULARY: 'vocabulary'>, True, 'purpose')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from graph import vocab
from graph.model import Agreement, Flow, Organisation, System

LIST_SEPARATOR = ";"

VOCABULARIES: dict[str, type[StrEnum]] = {
    "org_type": vocab.OrgType,
    "system_type": vocab.SystemType,
    "data_category": vocab.DataCategory,
    "purpose": vocab.Purpose,
    "identifiability": vocab.Identifiability,
    "art6": vocab.Art6,
    "art9": vocab.Art9,
    "cldc_basis": vocab.CldcBasis,
    "opt_out_status": vocab.OptOutStatus,
    "agreement_type": vocab.AgreementType,
    "status": vocab.FlowStatus,
}
"""Each vocabulary by the name the spec gives it (``status`` is the flows column's own list)."""


class Kind(StrEnum):
    """What a cell holds, which says how it is read, checked and written."""

    ID = "id"  # the row's own id
    TEXT = "text"
    BOOLEAN = "boolean"
    DATE = "date"
    VOCABULARY = "vocabulary"
    ARTICLE = "article"  # an Art 6 or Art 9 reference, accepted in common spellings
    ORGANISATION = "organisation id"
    NODE = "organisation or system id"
    AGREEMENT = "agreement id"
    FLOW_OR_SYSTEM = "flow or system id"


REFERENCES = frozenset({Kind.ORGANISATION, Kind.NODE, Kind.AGREEMENT, Kind.FLOW_OR_SYSTEM})
"""Kinds whose values name another record, which must exist when the register is loaded."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name, what it holds, whether a row needs it, and what it means to a user.

    ``field`` is the model field the column fills (the column's own name unless given).
    """

    name: str
    kind: Kind
    meaning: str
    required: bool = False
    many: bool = False
    vocabulary: str | None = None
    default: str | None = None
    field: str = ""

    def __post_init__(self) -> None:
        if not self.field:
            object.__setattr__(self, "field", self.name)
        if (self.vocabulary is None) != (self.kind not in (Kind.VOCABULARY, Kind.ARTICLE)):
            raise ValueError(f"column {self.name}: a vocabulary goes with kind vocabulary or article, and only then")

    @property
    def values(self) -> tuple[str, ...]:
        """The allowed values of a vocabulary column (empty for other columns)."""
        return tuple(member.value for member in self.enum) if self.vocabulary else ()

    @property
    def enum(self) -> type[StrEnum]:
        if self.vocabulary is None:
            raise ValueError(f"column {self.name} has no vocabulary")
        return VOCABULARIES[self.vocabulary]


@dataclass(frozen=True, slots=True)
class TableSchema:
    """One file of a register (or sheet of a workbook) and the model record each of its rows becomes.

    ``unfilled`` describes the record's fields that no column fills, saying where their values come from.
    """

    name: str
    record: type
    required: bool
    meaning: str
    columns: tuple[Column, ...]
    unfilled: Mapping[str, str] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def key(self) -> str:
        """The column of the row's own id."""
        return next(column.name for column in self.columns if column.kind is Kind.ID)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.file} has no column {name!r}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def _dates(what: str) -> tuple[Column, Column]:
    return (
        Column("valid_from", Kind.DATE, f"The first day {what}, when known."),
        Column("valid_to", Kind.DATE, f"The last day {what}, when it has an end; not before valid_from."),
    )


ORGANISATIONS = TableSchema(
    "organisations",
    Organisation,
    required=False,
    meaning=(
        "Organisations the national reference data lacks (suppliers, CSUs, NHS England, research bodies, "
        "local ids) or whose reference facts this register corrects."
    ),
    columns=(
        Column("org_id", Kind.ID, "The ODS code (A81001, RXL, QE1, 00L, U12345), or an id of your own for a "
               "body that has none.", required=True),
        Column("name", Kind.TEXT, "The organisation's name, as it should be shown.", required=True),
        Column("org_type", Kind.VOCABULARY, "What kind of body it is.", required=True, vocabulary="org_type"),
        Column("legal_entity", Kind.BOOLEAN, "Whether it is a legal entity. An ICS, PCN, sub-ICB location or "
               "region is not, so it can never lawfully be a controller or processor.",
               default="follows org_type"),
        Column("parent", Kind.ORGANISATION, "The org_id of the body it sits under: a practice's sub-ICB "
               "location, a sub-ICB location's ICB."),
        *_dates("the organisation exists"),
    ),
    unfilled={
        "sub_icb": "The sub-ICB location it belongs to, from the reference data.",
        "icb": "The ICB it belongs to, from the reference data.",
        "region": "The NHS England region it belongs to, from the reference data.",
        "pcn": "The primary care network of a practice, from the reference data.",
        "list_size": "The patients registered at a practice, from the reference data.",
        "imd_score": "The deprivation score (IMD) of a practice's patients, from the reference data.",
        "source": "'reference', or the name of the register that defines it.",
        "dspt_status": "Its latest Data Security and Protection Toolkit status, from the DSPT reference file.",
        "dspt_edition": "The toolkit edition that status is for (2020/21), from the DSPT reference file.",
        "dspt_published": "When that status was published, from the DSPT reference file.",
    },
)  # fmt: skip

SYSTEMS = TableSchema(
    "systems",
    System,
    required=False,
    meaning="Systems that hold or pass on data. Optional, but every system a flow names must be here.",
    columns=(
        Column("system_id", Kind.ID, "An id of your choosing (gmcr, emis-web, phm-wy); never an "
               "organisation's id.", required=True),
        Column("name", Kind.TEXT, "The system's name, as it should be shown.", required=True),
        Column("system_type", Kind.VOCABULARY, "What the system is.", required=True, vocabulary="system_type"),
        Column("operator", Kind.ORGANISATION, "The org_id of the organisation that runs it (often a processor)."),
        Column("supplier", Kind.ORGANISATION, "The org_id of the software supplier."),
        Column("icb", Kind.ORGANISATION, "The code of the ICB whose system this is: it scopes ICS-level "
               "questions."),
        Column("hosting_location", Kind.TEXT, "Where its data is held: UK, or the name of a country."),
    ),
    unfilled={"source": "The name of the register that defines it."},
)  # fmt: skip

FLOWS = TableSchema(
    "flows",
    Flow,
    required=True,
    meaning="One row per flow of data from a source to a destination. The only file a register needs.",
    columns=(
        Column("flow_id", Kind.ID, "An id for the flow, unique within the register.", required=True),
        Column("source", Kind.NODE, "The org_id or system_id the data leaves.", required=True),
        Column("destination", Kind.NODE, "The org_id or system_id the data arrives at; not the source "
               "itself.", required=True),
        Column("data_categories", Kind.VOCABULARY, "The kinds of data the flow carries.", required=True,
               many=True, vocabulary="data_category"),
        Column("purposes", Kind.VOCABULARY, "What the data is used for. Every purpose but direct_care is a "
               "secondary use.", required=True, many=True, vocabulary="purpose"),
        Column("identifiability", Kind.VOCABULARY, "How identifiable the data is as the destination receives "
               "it.", required=True, vocabulary="identifiability"),
        Column("controllers", Kind.ORGANISATION, "The org_ids that are controllers of the data in this flow.",
               required=True, many=True),
        Column("joint", Kind.BOOLEAN, "true when the controllers decide together as joint controllers (an "
               "Art 26 arrangement is then expected).", default="false"),
        Column("processors", Kind.ORGANISATION, "The org_ids processing the data on the controllers' behalf.",
               many=True),
        Column("sub_processors", Kind.ORGANISATION, "The org_ids a processor engages.", many=True),
        Column("recipient_controller", Kind.ORGANISATION, "The org_id that becomes an independent controller "
               "of the copy it receives."),
        Column("art6", Kind.ARTICLE, "The UK GDPR Article 6 lawful basis.", many=True, vocabulary="art6"),
        Column("art9", Kind.ARTICLE, "The Article 9 condition for special category (health) data.", many=True,
               vocabulary="art9"),
        Column("cldc_basis", Kind.VOCABULARY, "The basis under the common law duty of confidentiality.",
               vocabulary="cldc_basis"),
        Column("legal_instruments", Kind.TEXT, "References to the instruments relied on, as you write them "
               "(CAG 7-04(a)/2013, GDPPR Direction 2020).", many=True),
        Column("ndop", Kind.VOCABULARY, "How the national data opt-out is handled.",
               vocabulary="opt_out_status"),
        Column("type1", Kind.VOCABULARY, "How GP Type 1 opt-outs are handled.", vocabulary="opt_out_status"),
        Column("agreements", Kind.AGREEMENT, "The agreement_ids (of agreements.csv) that govern this flow.",
               many=True),
        Column("datasets", Kind.TEXT, "The names of the datasets it carries (GDPPR, SUS+, ECDS, MHSDS, CSDS, "
               "ASC-CLD).", many=True),
        Column("status", Kind.VOCABULARY, "Where the flow stands.", vocabulary="status", default="live"),
        *_dates("the flow runs"),
        Column("frequency", Kind.TEXT, "How often data moves (continuous, daily, monthly)."),
        Column("transport", Kind.TEXT, "How it travels (HSCN, SFTP, MESH)."),
        Column("evidence", Kind.TEXT, "Where the flow is evidenced (a DPIA, a schedule of a DSA)."),
        Column("notes", Kind.TEXT, "Anything else worth knowing."),
    ),
    unfilled={"source_register": "The name of the register that defines it."},
)  # fmt: skip

AGREEMENTS = TableSchema(
    "agreements",
    Agreement,
    required=False,
    meaning="The paperwork behind flows: data sharing agreements, contracts, arrangements, approvals.",
    columns=(
        Column("agreement_id", Kind.ID, "An id for the agreement, unique within the register; flows name it "
               "in their agreements column.", required=True),
        Column("agreement_type", Kind.VOCABULARY, "What kind of agreement it is.", required=True,
               vocabulary="agreement_type"),
        Column("parties", Kind.ORGANISATION, "The org_ids of its parties.", required=True, many=True),
        Column("start", Kind.DATE, "The day it takes effect, when known."),
        Column("end", Kind.DATE, "The last day it is in force, when it has an end; not before start."),
        Column("covers", Kind.FLOW_OR_SYSTEM, "The flow_ids or system_ids it governs besides the flows that "
               "list it; a system_id stands for every flow into or out of that system.", many=True),
        Column("reference", Kind.TEXT, "Your reference for the document."),
    ),
    unfilled={"source_register": "The name of the register that defines it."},
)  # fmt: skip

TABLES: dict[str, TableSchema] = {table.name: table for table in (ORGANISATIONS, SYSTEMS, FLOWS, AGREEMENTS)}
"""Every table of a register, by name, in the spec's order."""
