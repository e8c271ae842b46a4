"""The Record of Processing Activities (UK GDPR Art 30) of one organisation, from what the graph holds.

Two tables, as the ICO's documentation templates have them:

- **Controller** (Art 30(1)): the ICO controller template's columns, in its order and wording, one row per
  processing activity: the organisation's live flows of personal data on which it is controller, joint
  controller or recipient controller (an independent controller of what it receives), grouped by purpose
  and by the system or organisation where the processing happens (the flow's destination).
- **Processor** (Art 30(2)): one row per controller the organisation acts for, as processor or
  sub-processor on live flows of personal data. The ICO's own processor wording was not to hand, so these
  headings are Art 30(2)'s elements as the Article lists them, not the ICO template's wording.

Both end with two columns of ours: ``icsgraph flows`` (the flows the row covers) and ``icsgraph findings``
(the IG checks' findings on them). A cell is filled only from the graph: purposes, the joint controllers
(co-controllers on the flows, parties to the Art 26 arrangements governing them), data categories,
recipients, the Art 28 contracts governing the flows, third countries from the destination's hosting, Art 6,
Art 9 and the common law duty of confidentiality basis, sources, locations, DPIAs governing the flows. The
rest (business function, categories of individuals, retention, security measures...) stays empty: the graph
does not hold it, and a record must not guess. Flows of anonymised or aggregate data are not processing of
personal data and are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.model import Flow, Organisation
from graph.store import CypherRunner, Row
from graph.view import GraphView
from graph.vocab import AgreementType, CldcBasis, DataCategory, Purpose
from queries.cells import abroad, agreement_label, findings_text, in_vocabulary_order, joined, location, words
from queries.dossier import Dossier, dossier_cypher, dossier_networkx

FLOWS_COLUMN = "icsgraph flows"
FINDINGS_COLUMN = "icsgraph findings"

# The ICO controller template (sheet "Template", header row 9, columns A..AD), its wording and order.
BUSINESS_FUNCTION = "Business function"
PURPOSE = "Purpose of processing"
JOINT_CONTROLLER = "Name and contact details of joint controller (if applicable)"
INDIVIDUALS = "Categories of individuals"
PERSONAL_DATA = "Categories of personal data"
RECIPIENTS = "Categories of recipients"
PROCESSOR_CONTRACT = "Link to contract with processor"
THIRD_COUNTRIES = (
    "Names of third countries or international organisations that personal data are transferred to (if applicable)"
)
SAFEGUARDS = (
    "Safeguards for exceptional transfers of personal data to third countries or international organisations "
    "(if applicable)"
)
RETENTION = "Retention schedule (if possible)"
SECURITY = "General description of technical and organisational security measures (if possible)"
ART6 = "Article 6 lawful basis for processing personal data"
ART9 = "Article 9 condition for processing special category data"
LEGITIMATE_INTERESTS = "Legitimate interests for the processing (if applicable)"
LIA = "Link to record of legitimate interests assessment (if applicable)"
RIGHTS = "Rights available to individuals"
AUTOMATED = "Existence of automated decision-making, including profiling (if applicable)"
SOURCE = "The source of the personal data (if applicable)"
CONSENT = "Link to record of consent"
LOCATION = "Location of personal data"
DPIA_REQUIRED = "Data Protection Impact Assessment required?"
DPIA_PROGRESS = "Data Protection Impact Assessment progress"
DPIA_LINK = "Link to Data Protection Impact Assessment"
BREACH = "Has a personal data breach occurred?"
BREACH_LINK = "Link to record of personal data breach"
SCHEDULE_1 = "Data Protection Act 2018 Schedule 1 Condition for processing"
GDPR_ART6 = "GDPR Article 6 lawful basis for processing"
RETENTION_POLICY = "Link to retention and erasure policy document"
RETAINED_PER_POLICY = "Is personal data retained and erased in accordance with the policy document?"
NOT_ADHERING = "Reasons for not adhering to policy document (if applicable)"

ICO_CONTROLLER_COLUMNS = (
    BUSINESS_FUNCTION,
    PURPOSE,
    JOINT_CONTROLLER,
    INDIVIDUALS,
    PERSONAL_DATA,
    RECIPIENTS,
    PROCESSOR_CONTRACT,
    THIRD_COUNTRIES,
    SAFEGUARDS,
    RETENTION,
    SECURITY,
    ART6,
    ART9,
    LEGITIMATE_INTERESTS,
    LIA,
    RIGHTS,
    AUTOMATED,
    SOURCE,
    CONSENT,
    LOCATION,
    DPIA_REQUIRED,
    DPIA_PROGRESS,
    DPIA_LINK,
    BREACH,
    BREACH_LINK,
    SCHEDULE_1,
    GDPR_ART6,
    RETENTION_POLICY,
    RETAINED_PER_POLICY,
    NOT_ADHERING,
)
CONTROLLER_COLUMNS = (*ICO_CONTROLLER_COLUMNS, FLOWS_COLUMN, FINDINGS_COLUMN)

# Art 30(2)'s elements, in the Article's order (not the ICO template's wording, which was not to hand).
CONTROLLER_NAME = "Name and contact details of controller"
PROCESSING = "Categories of processing carried out on behalf of each controller"
SUB_PROCESSORS = "Sub-processors"
PROCESSOR_COLUMNS = (
    CONTROLLER_NAME,
    PROCESSING,
    THIRD_COUNTRIES,
    SAFEGUARDS,
    SECURITY,
    SUB_PROCESSORS,
    FLOWS_COLUMN,
    FINDINGS_COLUMN,
)
PROCESSOR_FILLED_FROM = {
    CONTROLLER_NAME: "a controller of the flows the organisation processes on (name and ODS code)",
    PROCESSING: "the purposes of those flows",
    THIRD_COUNTRIES: "where the flows' destination systems are hosted, when that is recorded and is not the UK",
    SUB_PROCESSORS: "the flows' sub-processors, other than the organisation itself",
    FLOWS_COLUMN: "the ids of the flows the row covers",
    FINDINGS_COLUMN: "the IG checks' findings on those flows, one per line: rule, then reason",
}
CONTACT_FIELDS = ("Name", "Address", "Email", "Telephone")

# What fills each column the graph can fill (docs/records.md is written from these); every other stays empty.
CONTROLLER_FILLED_FROM = {
    PURPOSE: "the purpose the row is for: one row per purpose and place of the organisation's flows",
    JOINT_CONTROLLER: "the other controllers of its joint flows, and the parties of the valid Art 26 arrangements "
    "that govern them (names and ODS codes; the graph holds no contact details)",
    PERSONAL_DATA: "the flows' data categories",
    RECIPIENTS: "the flows' recipient controllers, and their destinations when these are organisations",
    PROCESSOR_CONTRACT: "the Art 28 contracts valid at the date that govern flows with processors (id and reference)",
    THIRD_COUNTRIES: "where the flows' destination systems are hosted, when that is recorded and is not the UK",
    ART6: "the flows' Art 6 bases",
    ART9: "the flows' Art 9 conditions, then their common law duty of confidentiality basis",
    SOURCE: "the flows' sources, other than the organisation itself",
    LOCATION: "the place: the system or organisation the flows go into, with its hosting location",
    DPIA_LINK: "the DPIAs (agreement_type dpia) that govern the flows (id and reference)",
    GDPR_ART6: "the flows' Art 6 bases, as in the earlier Article 6 column",
    FLOWS_COLUMN: "the ids of the flows the row covers",
    FINDINGS_COLUMN: "the IG checks' findings on those flows, one per line: rule, then reason",
}


def art9_cell(flows: Iterable[Flow]) -> str:
    """Art 9 conditions, then the common law duty of confidentiality basis (the third layer of a health
    flow's legal basis, DOMAIN.md), for which the ICO template has no column of its own.

    >>> from graph.vocab import DataCategory as C, Identifiability as ID, Purpose as P
    >>> flow = Flow("f", "a", "b", (C.ACUTE,), (P.DIRECT_CARE,), ID.IDENTIFIABLE, ("a",), art9=("9(2)(h)",),
    ...             cldc_basis=CldcBasis.IMPLIED_CONSENT)
    >>> art9_cell([flow])
    '9(2)(h); common law duty of confidentiality: implied consent'
    """
    flows = list(flows)
    conditions = sorted({condition for flow in flows for condition in flow.art9})
    bases = in_vocabulary_order((flow.cldc_basis for flow in flows if flow.cldc_basis), CldcBasis)
    return joined([*conditions, *(f"common law duty of confidentiality: {words(basis)}" for basis in bases)])


def controller_row(dossier: Dossier, purpose: Purpose, place: str, flows: list[Flow]) -> dict[str, str]:
    """One processing activity: the organisation's flows for ``purpose`` into ``place``."""
    org_id, as_of = dossier.organisation.org_id, dossier.as_of
    joint = [flow for flow in flows if flow.joint]
    co_controllers = {c for flow in joint for c in flow.controllers}
    for flow in joint:
        for agreement in dossier.governing_of(flow):
            if agreement.agreement_type is AgreementType.ART26_ARRANGEMENT and agreement.valid_at(as_of):
                co_controllers |= set(agreement.parties)
    recipients = {flow.recipient_controller for flow in flows if flow.recipient_controller}
    recipients |= {
        flow.destination for flow in flows if dossier.nodes.get(flow.destination, {}).get("kind") == "organisation"
    }
    contracts = {
        agreement.agreement_id: agreement
        for flow in flows
        if flow.processors
        for agreement in dossier.governing_of(flow)
        if agreement.agreement_type is AgreementType.ART28_CONTRACT and agreement.valid_at(as_of)
    }
    dpias = {
        agreement.agreement_id: agreement
        for flow in flows
        for agreement in dossier.governing_of(flow)
        if agreement.agreement_type is AgreementType.DPIA
    }
    art6 = joined(sorted({basis for flow in flows for basis in flow.art6}))
    flow_ids = sorted(flow.flow_id for flow in flows)
    cells = {
        PURPOSE: words(purpose),
        JOINT_CONTROLLER: joined(dossier.name(c) for c in sorted(co_controllers - {org_id})),
        PERSONAL_DATA: joined(
            words(c) for c in in_vocabulary_order((c for f in flows for c in f.data_categories), DataCategory)
        ),
        RECIPIENTS: joined(dossier.name(r) for r in sorted(recipients - {org_id})),
        PROCESSOR_CONTRACT: joined(agreement_label(contracts[i]) for i in sorted(contracts)),
        THIRD_COUNTRIES: joined(abroad(flows, dossier.nodes)),
        ART6: art6,
        ART9: art9_cell(flows),
        SOURCE: joined(dossier.name(s) for s in sorted({flow.source for flow in flows} - {org_id})),
        LOCATION: location(place, dossier.nodes, dossier.name(place)),
        DPIA_LINK: joined(agreement_label(dpias[i]) for i in sorted(dpias)),
        GDPR_ART6: art6,
        FLOWS_COLUMN: joined(flow_ids),
        FINDINGS_COLUMN: findings_text(dossier.findings_for(flow_ids)),
    }
    return {column: cells.get(column, "") for column in CONTROLLER_COLUMNS}


def controller_rows(dossier: Dossier) -> list[dict[str, str]]:
    """The controller table: one row per (purpose, place) of the organisation's flows as a controller."""
    org_id = dossier.organisation.org_id
    activities: dict[tuple[Purpose, str], list[Flow]] = defaultdict(list)
    for flow in dossier.flows:
        if flow.identifiability.personal and (org_id in flow.controllers or flow.recipient_controller == org_id):
            for purpose in flow.purposes:
                activities[purpose, flow.destination].append(flow)
    order = {purpose: index for index, purpose in enumerate(Purpose)}
    keys = sorted(activities, key=lambda key: (order[key[0]], key[1]))
    return [controller_row(dossier, purpose, place, activities[purpose, place]) for purpose, place in keys]


def processor_rows(dossier: Dossier) -> list[dict[str, str]]:
    """The processor table: one row per controller the organisation processes for, as processor or
    sub-processor, on live flows of personal data."""
    org_id = dossier.organisation.org_id
    by_controller: dict[str, list[Flow]] = defaultdict(list)
    for flow in dossier.flows:
        if flow.identifiability.personal and (org_id in flow.processors or org_id in flow.sub_processors):
            for controller in flow.controllers:
                by_controller[controller].append(flow)
    rows = []
    for controller in sorted(by_controller):
        flows = by_controller[controller]
        flow_ids = sorted(flow.flow_id for flow in flows)
        purposes = in_vocabulary_order((p for flow in flows for p in flow.purposes), Purpose)
        subs = sorted({s for flow in flows for s in flow.sub_processors} - {org_id})
        cells = {
            CONTROLLER_NAME: dossier.name(controller),
            PROCESSING: joined(words(p) for p in purposes),
            THIRD_COUNTRIES: joined(abroad(flows, dossier.nodes)),
            SUB_PROCESSORS: joined(dossier.name(s) for s in subs),
            FLOWS_COLUMN: joined(flow_ids),
            FINDINGS_COLUMN: findings_text(dossier.findings_for(flow_ids)),
        }
        rows.append({column: cells.get(column, "") for column in PROCESSOR_COLUMNS})
    return rows


def ropa(dossier: Dossier) -> Row:
    """The RoPA of the dossier's organisation: who, as of when, and both tables."""
    organisation: Organisation = dossier.organisation
    return {
        "organisation": {"id": organisation.org_id, "name": organisation.name},
        "as_of": dossier.as_of.isoformat(),
        "controller": controller_rows(dossier),
        "processor": processor_rows(dossier),
    }


@dataclass(frozen=True, slots=True)
class RopaQuery:
    """``store.run(ROPA, {"org_id": ..., "as_of": ...})``: one row (``ropa``), or none for an unknown
    organisation; the same on both stores, built from the same dossier."""

    name: str = "lookup:ropa"

    def on_networkx(self, view: GraphView, params: Mapping[str, Any]) -> list[Row]:
        return [ropa(Dossier.of(row, params["as_of"])) for row in dossier_networkx(view, params)]

    def on_cypher(self, run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
        return [ropa(Dossier.of(row, params["as_of"])) for row in dossier_cypher(run, params)]


ROPA = RopaQuery()
