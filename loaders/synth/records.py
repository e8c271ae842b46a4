"""The records of a synthetic register while it is being built, and the legal bases flows share.

Records are kept by id in the order they are made, so the written register is the same, byte for
byte, for the same seed. Each flow is also tagged with its kind (``gp``, ``shcr``, ``phm``...), which
is what the defect planter draws its populations from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from graph.model import Agreement, Flow, Organisation, Register, System
from graph.vocab import (
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

PREFIX = "syn-"
"""Every id the generator makes up starts with this: lower case, so it cannot be an ODS code."""


@dataclass(frozen=True, slots=True)
class Basis:
    """The three layers of legal basis (and the opt-out handling) a kind of flow relies on."""

    art6: tuple[str, ...] = ()
    art9: tuple[str, ...] = ()
    cldc_basis: CldcBasis | None = None
    legal_instruments: tuple[str, ...] = ()
    ndop: OptOutStatus | None = None


DIRECT_CARE = Basis(("6(1)(e)",), ("9(2)(h)",), CldcBasis.IMPLIED_CONSENT, (), OptOutStatus.NOT_APPLICABLE)
STATUTORY = Basis(("6(1)(c)",), ("9(2)(h)",), CldcBasis.STATUTORY_DIRECTION, (), OptOutStatus.NOT_APPLICABLE)
RISK_STRATIFICATION = Basis(("6(1)(e)",), ("9(2)(h)",), CldcBasis.S251, ("CAG 7-04(a)/2013",), OptOutStatus.APPLIED)
SDE_RESEARCH = Basis(
    ("6(1)(e)",), ("9(2)(j)",), CldcBasis.S251, ("s251 support for the SDE programme",), OptOutStatus.APPLIED
)
# Pseudonymised at source for commissioning: confidentiality no longer engaged, opt-outs still honoured.
DE_IDENTIFIED = Basis(("6(1)(e)",), ("9(2)(h)",), CldcBasis.NOT_CONFIDENTIAL, (), OptOutStatus.APPLIED)
AGGREGATE = Basis((), (), CldcBasis.NOT_CONFIDENTIAL, (), OptOutStatus.NOT_APPLICABLE)


@dataclass(slots=True)
class Records:
    """A register under construction: records by id, in the order made, and each flow's kind."""

    organisations: dict[str, Organisation] = field(default_factory=dict)
    systems: dict[str, System] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    agreements: dict[str, Agreement] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    def org(self, org_id: str, name: str, org_type: OrgType) -> str:
        self.organisations[org_id] = Organisation(org_id, name, org_type, source="")
        return org_id

    def system(
        self,
        system_id: str,
        name: str,
        system_type: SystemType,
        *,
        operator: str | None = None,
        supplier: str | None = None,
        icb: str | None = None,
        hosting_location: str = "UK",
    ) -> str:
        assert system_id not in self.systems, system_id
        self.systems[system_id] = System(
            system_id, name, system_type, operator, supplier, icb, hosting_location, source=""
        )
        return system_id

    def agreement(
        self,
        agreement_id: str,
        agreement_type: AgreementType,
        parties: Iterable[str],
        start: date | None,
        end: date | None = None,
        reference: str | None = None,
        covers: Iterable[str] = (),
    ) -> str:
        assert agreement_id not in self.agreements, agreement_id
        self.agreements[agreement_id] = Agreement(
            agreement_id, agreement_type, tuple(dict.fromkeys(parties)), start, end, reference, tuple(covers)
        )
        return agreement_id

    def flow(
        self,
        kind: str,
        flow_id: str,
        source: str,
        destination: str,
        categories: Iterable[DataCategory],
        purposes: Iterable[Purpose],
        identifiability: Identifiability,
        controllers: Iterable[str],
        basis: Basis,
        *,
        joint: bool = False,
        processors: Iterable[str] = (),
        sub_processors: Iterable[str] = (),
        recipient_controller: str | None = None,
        type1: OptOutStatus | None = None,
        agreements: Iterable[str] = (),
        datasets: Iterable[str] = (),
        status: FlowStatus = FlowStatus.LIVE,
        valid_from: date | None = None,
        valid_to: date | None = None,
        frequency: str | None = None,
        transport: str | None = None,
        notes: str | None = None,
    ) -> str:
        assert flow_id not in self.flows, flow_id
        self.flows[flow_id] = Flow(
            flow_id=flow_id,
            source=source,
            destination=destination,
            data_categories=tuple(dict.fromkeys(categories)),
            purposes=tuple(purposes),
            identifiability=identifiability,
            controllers=tuple(controllers),
            joint=joint,
            processors=tuple(processors),
            sub_processors=tuple(sub_processors),
            recipient_controller=recipient_controller,
            art6=basis.art6,
            art9=basis.art9,
            cldc_basis=basis.cldc_basis,
            legal_instruments=basis.legal_instruments,
            ndop=basis.ndop,
            type1=type1,
            agreements=tuple(agreements),
            datasets=tuple(datasets),
            status=status,
            valid_from=valid_from,
            valid_to=valid_to,
            frequency=frequency,
            transport=transport,
            notes=notes,
        )
        self.kinds[flow_id] = kind
        return flow_id

    def register(self, name: str, path: str = "") -> Register:
        return Register(
            name=name,
            path=path,
            organisations=list(self.organisations.values()),
            systems=list(self.systems.values()),
            flows=list(self.flows.values()),
            agreements=list(self.agreements.values()),
        )
