"""The national data release registers as a spec register: how each published release becomes a flow.

NHS Digital (now NHS England) publishes which organisations received which national datasets, under
which legal basis, and whether opt-outs were applied: the Data Release Register, since renamed the Data
Uses Register. ``loaders.importers.release_layouts`` reads its two layouts into ``Release`` rows; this
module applies the mapping, each rule in a function of its own (``docs/import.md`` shows them all):

- one system per dataset (``dataset_system_id``), one flow per distinct release (``release_key``), one
  agreement per reference number, recipients matched to the reference data by name (``Recipients``);
- nothing is invented: Art 6 and Art 9 stay empty unless the legal-basis text cites them, a dataset the
  curated table lacks is ``other``, and the summary reports both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from graph.model import Agreement, Flow, Organisation, ReferenceData, Register, System
from graph.vocab import AgreementType, DataCategory, FlowStatus, Purpose, SystemType
from loaders.importers.dataset_categories import categories_of
from loaders.importers.names import RecipientIndex, normalise, recipient_type, slug
from loaders.importers.release_rules import (
    NATIONAL,
    articles_in,
    cldc_of,
    collapsed,
    dataset_system_id,
    discloser,
    identifiability_of,
    ndop_of,
    purposes_of,
)
from loaders.register import InvalidRegister, Problem


@dataclass(frozen=True, slots=True)
class Release:
    """One file released, as a row of the register says it (texts as written, cells trimmed)."""

    where: str
    row: int
    reference: str
    dataset: str
    recipient: str
    identifiability: str
    legal_basis: str = ""
    opt_outs: str = ""
    one_off: bool | None = None
    purpose: str = ""
    cldc: str = ""  # the current layout's "Common Law Duty of Confidentiality" column
    file: str = ""  # RowID or File Reference


@dataclass(frozen=True, slots=True)
class Dsa:
    """What the current layout's Agreements sheet says of one agreement (the 2017 layout has no such sheet)."""

    where: str
    row: int
    controllers: tuple[str, ...] = ()  # "Data Controller(s)", by name
    joint: bool = False
    applicant: str = ""
    start: date | None = None
    end: date | None = None
    title: str = ""


@dataclass(slots=True)
class ReleaseRegister:
    """A release register as read: its period, every release, each agreement and purpose statement.

    ``columns`` names, for each sheet (``where``), the header of each ``Release`` field, so that a problem
    names the user's column.
    """

    layout: str
    where: str
    period: tuple[date, date]
    releases: list[Release]
    agreements: dict[str, Dsa] = field(default_factory=dict)
    objectives: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(slots=True)
class Summary:
    """What the import did, for the user to check: counts, every name matched or made, every legal basis."""

    layout: str
    period: tuple[date, date]
    discloser: str
    rows: int = 0
    flows: int = 0
    datasets: int = 0
    agreements: int = 0
    matched: dict[str, str] = field(default_factory=dict)  # recipient name -> reference id
    created: dict[str, str] = field(default_factory=dict)  # recipient name -> register id
    legal_bases: dict[str, str] = field(default_factory=dict)  # text -> what it became
    unknown_datasets: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        first, last = self.period
        out = [
            f"{self.layout} layout, {first.isoformat()} to {last.isoformat()}, discloser {self.discloser}",
            f"rows read: {self.rows}; flows written: {self.flows}; datasets: {self.datasets}; "
            f"agreements: {self.agreements}",
            f"recipients matched to a reference organisation by name: {len(self.matched)}; "
            f"recipients created: {len(self.created)}",
            "legal bases (as written -> what it became):",
            *(f"  {text or '(none stated)'} -> {became}" for text, became in sorted(self.legal_bases.items())),
        ]
        if self.unknown_datasets:
            out.append("datasets not in the curated table, given data category 'other':")
            out += [f"  {dataset}" for dataset in self.unknown_datasets]
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "layout": self.layout,
            "period": [day.isoformat() for day in self.period],
            "discloser": self.discloser,
            "rows": self.rows,
            "flows": self.flows,
            "datasets": self.datasets,
            "agreements": self.agreements,
            "recipients_matched": dict(sorted(self.matched.items())),
            "recipients_created": dict(sorted(self.created.items())),
            "legal_bases": dict(sorted(self.legal_bases.items())),
            "unknown_datasets": self.unknown_datasets,
        }


# --- the register ---------------------------------------------------------------------------------------


def listable(text: str) -> str:
    """A text as one item of a ``;`` list column: its own ``;`` become ``,`` so it is not split in two."""
    return collapsed(text).replace(";", ",")


def release_key(release: Release, system_id: str, recipient: str) -> tuple[str, ...]:
    """What tells releases apart: reference number, dataset, recipient, identifiability, legal-basis text
    (white space collapsed) and opt-outs applied. Each way the data went is its own flow, never a blend."""
    return (
        release.reference,
        system_id,
        recipient,
        normalise(release.identifiability),
        collapsed(release.legal_basis),
        normalise(release.opt_outs),
    )


class Recipients:
    """Recipient names to node ids: the national bodies by ODS code, else the one reference organisation
    with the same normalised name, else an organisation of the register's own, ``drr-`` + slug of the name."""

    def __init__(self, reference: ReferenceData, summary: Summary) -> None:
        self.index = RecipientIndex(reference.organisations)
        self.summary = summary
        self.ids: dict[str, str] = {}
        self.own: dict[str, Organisation] = {}

    def resolve(self, name: str) -> str | None:
        key = normalise(name)
        if key in self.ids:
            return self.ids[key]
        written = collapsed(name)
        national = NATIONAL.get(key)
        found = national.org_id if national else self.index.match(name)
        if national:
            self.own.setdefault(national.org_id, national)
        if found:
            self.summary.matched[written] = found
        elif key:
            found = "drr-" + slug(key)
            self.own[found] = Organisation(found, written, recipient_type(name), source="")
            self.summary.created[written] = found
        else:
            return None
        self.ids[key] = found
        return found


@dataclass(slots=True)
class _Flow:
    """A flow being gathered: its first release says what it is; every release adds its file and frequency."""

    flow_id: str
    system_id: str
    recipient: str
    first: Release
    one_off: list[bool | None] = field(default_factory=list)
    files: list[Release] = field(default_factory=list)


def build(read: ReleaseRegister, reference: ReferenceData, name: str, path: str) -> tuple[Register, Summary]:
    """The spec register of a release register, and the summary; ``InvalidRegister`` with every problem."""
    source = discloser(read.period)
    summary = Summary(read.layout, read.period, source.org_id, rows=len(read.releases))
    recipients = Recipients(reference, summary)
    recipients.own[source.org_id] = source
    problems: list[Problem] = []

    def problem(release: Release, attribute: str, value: str, expected: str) -> None:
        header = read.columns.get(release.where, {}).get(attribute, attribute)
        problems.append(Problem(release.where, release.row, header, value, expected))

    systems: dict[str, System] = {}
    gathered: dict[tuple[str, ...], _Flow] = {}
    numbering: dict[str, int] = {}
    for release in read.releases:
        if identifiability_of(release.identifiability) is None:
            problem(
                release,
                "identifiability",
                release.identifiability,
                "expected Identifiable, Pseudonymised, Anonymised or Aggregated (any case or spacing)",
            )
            continue
        try:
            ndop_of(release.opt_outs)
        except ValueError:
            problem(release, "opt_outs", release.opt_outs, "expected Y or N (Yes, No, Not applicable)")
            continue
        system_id = dataset_system_id(release.dataset)
        if system_id == "drr-":
            problem(release, "dataset", release.dataset, "expected a dataset name with letters or digits")
            continue
        dsa = read.agreements.get(release.reference)
        names = (dsa.controllers if dsa and dsa.controllers else ()) or ((dsa.applicant,) if dsa else ())
        for recipient_name in names or (release.recipient,):
            recipient = recipients.resolve(recipient_name)
            if recipient is None:
                problem(release, "recipient", recipient_name, "expected an organisation name")
                continue
            systems.setdefault(
                system_id,
                System(system_id, collapsed(release.dataset), SystemType.NATIONAL_COLLECTION, operator=source.org_id),
            )
            key = release_key(release, system_id, recipient)
            if key not in gathered:
                base = f"{release.reference}:{system_id}"
                numbering[base] = numbering.get(base, 0) + 1
                flow_id = base if numbering[base] == 1 else f"{base}:{numbering[base]}"
                gathered[key] = _Flow(flow_id, system_id, recipient, release)
            gathered[key].one_off.append(release.one_off)
            gathered[key].files.append(release)
    for dsa in read.agreements.values():
        if dsa.start and dsa.end and dsa.end < dsa.start:
            problems.append(
                Problem(dsa.where, dsa.row, "DSA End Date", dsa.end.isoformat(), f"ends before it starts ({dsa.start})")
            )
    if problems:
        raise InvalidRegister(name, problems)
    flows = [_flow(flow, read, source, summary) for flow in gathered.values()]
    agreements = _agreements(flows, read, source)
    summary.flows, summary.datasets, summary.agreements = len(flows), len(systems), len(agreements)
    organisations = list(recipients.own.values())
    register = Register(name, path, organisations, list(systems.values()), flows, agreements)
    return register, summary


def _flow(gathered: _Flow, read: ReleaseRegister, source: Organisation, summary: Summary) -> Flow:
    first = gathered.first
    categories = categories_of(first.dataset)
    if categories is None:
        categories = (DataCategory.OTHER,)
        if collapsed(first.dataset) not in summary.unknown_datasets:
            summary.unknown_datasets.append(collapsed(first.dataset))
    legal = collapsed(first.legal_basis)
    cldc = cldc_of(first.cldc) if first.cldc else cldc_of(legal)
    art6, art9 = articles_in(f"{legal} {first.cldc}")
    said = legal + (f" [CLDC: {collapsed(first.cldc)}]" if first.cldc else "")
    became = [f"cldc_basis {cldc.value}" if cldc else "no cldc_basis (left empty)"]
    became += [f"art6 {';'.join(art6)}"] if art6 else []
    became += [f"art9 {';'.join(art9)}"] if art9 else []
    summary.legal_bases[said] = ", ".join(became)
    purposes = purposes_of(first.purpose) if first.purpose else (Purpose.OTHER,)
    notes = [read.objectives.get(first.reference, "").strip()]
    if first.purpose and purposes == (Purpose.OTHER,):
        notes.append(f"Purpose as registered: {collapsed(first.purpose)}")
    dsa = read.agreements.get(first.reference)
    if dsa and dsa.joint and len(dsa.controllers) > 1:
        notes.append(f"Joint data controllers under {first.reference}: {'; '.join(map(collapsed, dsa.controllers))}")
    if dsa and dsa.applicant and normalise(dsa.applicant) not in {normalise(c) for c in dsa.controllers}:
        notes.append(f"Applicant: {collapsed(dsa.applicant)}")
    one_off = gathered.one_off
    ends = all(one_off) and None not in one_off
    frequency = "one-off" if ends else "ongoing" if any(flag is False for flag in one_off) else None
    files = gathered.files
    evidence = f"{Path(read.where).name}, sheet {first.where.split(', sheet ')[-1]} row {first.row}"
    evidence += f" ({first.file})" if first.file else ""
    evidence += f" and {len(files) - 1} more release(s)" if len(files) > 1 else ""
    ident = identifiability_of(first.identifiability)
    assert ident is not None  # checked as the releases were gathered
    return Flow(
        flow_id=gathered.flow_id,
        source=gathered.system_id,
        destination=gathered.recipient,
        data_categories=categories,
        purposes=purposes,
        identifiability=ident,
        controllers=(source.org_id,),
        recipient_controller=gathered.recipient,
        art6=art6,
        art9=art9,
        cldc_basis=cldc,
        legal_instruments=tuple(dict.fromkeys(listable(t) for t in (legal, first.cldc) if t.strip())),
        ndop=ndop_of(first.opt_outs),
        agreements=(first.reference,),
        datasets=(listable(first.dataset),),
        status=FlowStatus.LIVE,
        valid_from=read.period[0],
        valid_to=read.period[1] if ends else None,
        frequency=frequency,
        evidence=evidence,
        notes="\n\n".join(note for note in notes if note) or None,
    )


def _agreements(flows: Sequence[Flow], read: ReleaseRegister, source: Organisation) -> list[Agreement]:
    """One data sharing agreement per reference number, between the discloser and its recipients."""
    parties: dict[str, list[str]] = {}
    for flow in flows:
        for reference_number in flow.agreements:
            parties.setdefault(reference_number, [source.org_id])
            if flow.destination not in parties[reference_number]:
                parties[reference_number].append(flow.destination)
    agreements = []
    for reference_number, members in parties.items():
        dsa = read.agreements.get(reference_number)
        agreements.append(
            Agreement(
                reference_number,
                AgreementType.DSA,
                tuple(members),
                start=dsa.start if dsa else None,
                end=dsa.end if dsa else None,
                reference=(dsa.title or None) if dsa else None,
            )
        )
    return agreements
