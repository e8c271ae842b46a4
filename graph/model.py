"""The pure graph model: organisations, systems, flows and agreements. No I/O here.

Every node (organisation or system) has one id, unique across the graph. A flow is a directed edge
from a source node to a destination node carrying data categories for purposes, with the roles
(controllers, processors, sub-processors, recipient controller), legal bases and agreements that
govern it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import ClassVar

from graph.vocab import (
    NOT_LEGAL_ENTITIES,
    AgreementType,
    CldcBasis,
    DataCategory,
    FlowStatus,
    Identifiability,
    OptOutStatus,
    OrgType,
    Purpose,
    SystemType,
)

REFERENCE = "reference"
"""The source name of nodes that come from the bundled national reference data."""


class Role(StrEnum):
    """Roles on a flow, aligned with the W3C Data Privacy Vocabulary."""

    CONTROLLER = "controller"  # dpv:DataController
    JOINT_CONTROLLER = "joint_controller"  # dpv:JointDataControllers
    PROCESSOR = "processor"  # dpv:DataProcessor
    SUB_PROCESSOR = "sub_processor"  # dpv:DataSubProcessor
    RECIPIENT_CONTROLLER = "recipient_controller"  # dpv:hasRecipientDataController


def within(as_of: date, valid_from: date | None, valid_to: date | None) -> bool:
    """True when ``as_of`` lies in the inclusive range; an open end is unbounded.

    The one definition of "valid at a date" for organisations, flows and agreements (the Cypher side's
    is ``queries.flows.within``).

    >>> within(date(2024, 3, 31), None, date(2024, 3, 31)), within(date(2024, 4, 1), None, date(2024, 3, 31))
    (True, False)
    """
    return (valid_from is None or valid_from <= as_of) and (valid_to is None or as_of <= valid_to)


@dataclass(frozen=True, slots=True)
class Organisation:
    org_id: str
    name: str
    org_type: OrgType
    legal_entity: bool | None = None
    parent: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    # Hierarchy, resolved by the reference loader for practices and sub-ICB locations.
    sub_icb: str | None = None
    icb: str | None = None
    region: str | None = None
    pcn: str | None = None
    list_size: int | None = None
    imd_score: float | None = None
    # The latest Data Security and Protection Toolkit status on record (from the DSPT reference file,
    # never from a register): "Standards Met", the assessment year it is for ("2020/21"), and when published.
    dspt_status: str | None = None
    dspt_edition: str | None = None
    dspt_published: date | None = None
    source: str = REFERENCE

    kind: ClassVar[str] = "organisation"

    @property
    def id(self) -> str:
        """Its id in the graph: the ODS code or local id."""
        return self.org_id

    @property
    def node_type(self) -> str:
        """Its org_type's value, as ``System.node_type`` is the system_type's."""
        return self.org_type.value

    @property
    def is_legal_entity(self) -> bool:
        if self.legal_entity is not None:
            return self.legal_entity
        return self.org_type not in NOT_LEGAL_ENTITIES

    def valid_at(self, as_of: date) -> bool:
        """The organisation exists at the date: within valid_from..valid_to."""
        return within(as_of, self.valid_from, self.valid_to)


@dataclass(frozen=True, slots=True)
class System:
    system_id: str
    name: str
    system_type: SystemType
    operator: str | None = None
    supplier: str | None = None
    icb: str | None = None
    hosting_location: str | None = None
    source: str = REFERENCE

    kind: ClassVar[str] = "system"

    @property
    def id(self) -> str:
        """Its id in the graph."""
        return self.system_id

    @property
    def node_type(self) -> str:
        """Its system_type's value, as ``Organisation.node_type`` is the org_type's."""
        return self.system_type.value


@dataclass(frozen=True, slots=True)
class Flow:
    flow_id: str
    source: str
    destination: str
    data_categories: tuple[DataCategory, ...]
    purposes: tuple[Purpose, ...]
    identifiability: Identifiability
    controllers: tuple[str, ...]
    joint: bool = False
    processors: tuple[str, ...] = ()
    sub_processors: tuple[str, ...] = ()
    recipient_controller: str | None = None
    art6: tuple[str, ...] = ()
    art9: tuple[str, ...] = ()
    cldc_basis: CldcBasis | None = None
    legal_instruments: tuple[str, ...] = ()
    ndop: OptOutStatus | None = None
    type1: OptOutStatus | None = None
    agreements: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    status: FlowStatus = FlowStatus.LIVE
    valid_from: date | None = None
    valid_to: date | None = None
    frequency: str | None = None
    transport: str | None = None
    evidence: str | None = None
    notes: str | None = None
    source_register: str = ""

    def live_at(self, as_of: date) -> bool:
        """Status ``live`` and the date within valid_from..valid_to."""
        return self.status is FlowStatus.LIVE and within(as_of, self.valid_from, self.valid_to)

    def roles(self) -> list[tuple[str, Role]]:
        """Every (organisation, role) pair this flow names, in a stable order."""
        held: list[tuple[str, Role]] = []
        controller_role = Role.JOINT_CONTROLLER if self.joint else Role.CONTROLLER
        held += [(org, controller_role) for org in self.controllers]
        held += [(org, Role.PROCESSOR) for org in self.processors]
        held += [(org, Role.SUB_PROCESSOR) for org in self.sub_processors]
        if self.recipient_controller:
            held.append((self.recipient_controller, Role.RECIPIENT_CONTROLLER))
        return held


@dataclass(frozen=True, slots=True)
class Agreement:
    agreement_id: str
    agreement_type: AgreementType
    parties: tuple[str, ...]
    start: date | None = None
    end: date | None = None
    reference: str | None = None
    # After ``reference``, unlike the spec's column order, so that positional construction stays as it was.
    covers: tuple[str, ...] = ()
    source_register: str = ""

    def valid_at(self, as_of: date) -> bool:
        """In force at the date: within start..end."""
        return within(as_of, self.start, self.end)


Node = Organisation | System
"""A node of the graph; ``node.id``, ``node.kind`` and ``node.node_type`` read the same on both."""


@dataclass(slots=True)
class Register:
    """One named, validated register: the records it defines."""

    name: str
    path: str
    organisations: list[Organisation] = field(default_factory=list)
    systems: list[System] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    # Where each record was read ("flow:f1" -> ("flows.csv", 5)), to locate problems found later.
    locations: dict[str, tuple[str, int]] = field(default_factory=dict, compare=False)

    def counts(self) -> dict[str, int]:
        return {
            "organisations": len(self.organisations),
            "systems": len(self.systems),
            "flows": len(self.flows),
            "agreements": len(self.agreements),
        }


@dataclass(frozen=True, slots=True)
class DsptStatus:
    """An organisation's latest DSPT assessment status as published (``status`` without its year)."""

    status: str
    edition: str | None = None
    published: date | None = None


@dataclass(slots=True)
class ReferenceData:
    """The national reference data: organisations and the hierarchy, plus what was not resolved."""

    organisations: list[Organisation] = field(default_factory=list)
    # Plain-English notes about rows kept but not fully resolved (e.g. unknown commissioner).
    warnings: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    # DSPT status by ODS code, applied to every organisation of that code, from the reference or a register.
    dspt: dict[str, DsptStatus] = field(default_factory=dict)
