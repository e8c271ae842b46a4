"""Over the synthetic England: every filled cell of a RoPA traces back to a field of the flows its row names.

The register is synthesised (seed 11, as ``test_synth``), loaded into the embedded store, and the RoPA of a
sample of organisations of every kind (practices, ICBs, trusts, a council, CSUs, suppliers, NHS England, the
controller of a flow into a system hosted abroad) is built. For each row, each item of each filled cell must
be one the row's own flows hold: a purpose, a category, a controller's or recipient's or source's name, a
legal basis, the reference of an agreement governing one of them, a hosting country, a finding on one of
them. Every column the graph holds nothing for must be empty in every row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from random import Random

import pytest

import queries
from app.stores import reference_data
from graph.memory import MemoryStore
from graph.model import Flow, Organisation
from graph.vocab import OrgType
from loaders.reference import read_gp_suppliers
from loaders.synth import ANCHOR, synthesise
from loaders.synth.national import NHS_ENGLAND
from queries import ropa as r
from queries.agreements import governing as governing_ids
from queries.cells import agreement_label, words

pytestmark = pytest.mark.slow

SEED = 11
Found = dict[str, set[tuple[str, str]]]  # flow id -> (rule, reason) of each finding on it
NEVER_FILLED = set(r.ICO_CONTROLLER_COLUMNS) - set(r.CONTROLLER_FILLED_FROM)


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    reference = reference_data()
    synthesis = synthesise(reference, read_gp_suppliers(), seed=SEED)
    loaded = MemoryStore(reference, None)
    loaded.replace([synthesis.register])
    return loaded


def sample(store: MemoryStore) -> list[str]:
    view, rng = store.view, Random(SEED)
    live = [f for f in view.flows.values() if f.live_at(ANCHOR)]

    def of_type(*types: OrgType) -> list[str]:
        held = {c for f in live for c in (*f.controllers, f.recipient_controller) if c}
        return sorted(i for i in held if isinstance(n := view.nodes[i], Organisation) and n.org_type in types)

    abroad = [
        c
        for f in live
        if (view.nodes[f.destination].icb is not None)
        and getattr(view.nodes[f.destination], "hosting_location", None) not in (None, "UK")
        for c in f.controllers
    ]
    chosen = rng.sample(of_type(OrgType.GP_PRACTICE), 3) + rng.sample(of_type(OrgType.ICB), 2)
    chosen += rng.sample(of_type(OrgType.ACUTE_TRUST, OrgType.MENTAL_HEALTH_TRUST, OrgType.COMMUNITY_TRUST), 2)
    chosen += rng.sample(of_type(OrgType.LOCAL_AUTHORITY), 1) + sorted(set(abroad))[:1]
    chosen += ["0AR", "syn-csu-ml", "syn-emis", "syn-palantir", NHS_ENGLAND]
    return list(dict.fromkeys(chosen))


def items(cell: str) -> list[str]:
    return cell.split("; ") if cell else []


def traced(column: str, cell: str, allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    strays = [item for item in items(cell) if item not in allowed]
    assert not strays, f"{column}: {strays} trace to no field of the row's flows"


def check_row(
    store: MemoryStore,
    org: str,
    row: dict[str, str],
    role: Callable[[Flow], bool],
    found: dict[str, set[tuple[str, str]]],
) -> None:
    view = store.view
    flows = [view.flows[i] for i in items(row[r.FLOWS_COLUMN])]
    assert flows, row
    assert all(f.live_at(ANCHOR) and f.identifiability.personal and role(f) for f in flows)

    def name(node: str) -> str:
        return f"{view.nodes[node].name} ({node})"

    # The rule's own index (its spec tests are in tests/spec/test_agreements.py), not a scan of every agreement.
    governing = [view.agreements[a] for f in flows for a in governing_ids(view, f)]
    findings = {f"{rule}: {reason}" for f in flows for rule, reason in found.get(f.flow_id, ())}
    for line in row[r.FINDINGS_COLUMN].splitlines():
        assert line in findings, line
    hosting = [getattr(view.nodes[f.destination], "hosting_location", None) for f in flows]
    traced(r.THIRD_COUNTRIES, row[r.THIRD_COUNTRIES], [h for h in hosting if h])
    if r.PURPOSE in row:  # a controller row
        assert all(row[r.PURPOSE] in {words(p) for p in f.purposes} for f in flows)
        traced(
            r.JOINT_CONTROLLER,
            row[r.JOINT_CONTROLLER],
            [name(c) for f in flows for c in f.controllers] + [name(p) for a in governing for p in a.parties],
        )
        traced(r.PERSONAL_DATA, row[r.PERSONAL_DATA], [words(c) for f in flows for c in f.data_categories])
        traced(
            r.RECIPIENTS,
            row[r.RECIPIENTS],
            [name(n) for f in flows for n in (f.recipient_controller, f.destination) if n],
        )
        traced(r.PROCESSOR_CONTRACT, row[r.PROCESSOR_CONTRACT], [agreement_label(a) for a in governing])
        traced(r.DPIA_LINK, row[r.DPIA_LINK], [agreement_label(a) for a in governing])
        for column in (r.ART6, r.GDPR_ART6):
            traced(column, row[column], [b for f in flows for b in f.art6])
        cldc = [f"common law duty of confidentiality: {words(f.cldc_basis)}" for f in flows if f.cldc_basis]
        traced(r.ART9, row[r.ART9], [c for f in flows for c in f.art9] + cldc)
        traced(r.SOURCE, row[r.SOURCE], [name(f.source) for f in flows])
        [place] = {f.destination for f in flows}
        assert row[r.LOCATION] in (name(place), *(f"{name(place)}, hosted in {h}" for h in hosting if h))
        assert not [column for column in NEVER_FILLED if row[column]]
    else:
        assert all(any(row[r.CONTROLLER_NAME] == name(c) for c in f.controllers) for f in flows)
        traced(r.PROCESSING, row[r.PROCESSING], [words(p) for f in flows for p in f.purposes])
        traced(r.SUB_PROCESSORS, row[r.SUB_PROCESSORS], [name(s) for f in flows for s in f.sub_processors])
        assert not row[r.SAFEGUARDS] and not row[r.SECURITY]


def test_every_filled_cell_traces_back_to_a_field_of_the_rows_flows(store: MemoryStore) -> None:
    found: Found = {}
    for check in queries.CATALOGUE.values():
        if check.kind == "check":
            for row in store.run(check, check.bind({"as_of": ANCHOR})):
                found.setdefault(row["flow_id"], set()).add((row["rule"], row["reason"]))
    filled: set[str] = set()
    chosen = sample(store)
    assert all(org in store.view.nodes for org in chosen), [org for org in chosen if org not in store.view.nodes]
    for org in chosen:
        [ropa] = store.run(r.ROPA, {"org_id": org, "as_of": ANCHOR})
        for row in ropa["controller"]:
            check_row(store, org, row, lambda f, o=org: o in f.controllers or f.recipient_controller == o, found)
            filled |= {column for column, value in row.items() if value}
        for row in ropa["processor"]:
            check_row(store, org, row, lambda f, o=org: o in f.processors or o in f.sub_processors, found)
            filled |= {column for column, value in row.items() if value}
    # The sample exercised every column the graph can fill (DPIAs apart: the synthetic register records none).
    assert filled >= {
        r.PURPOSE, r.JOINT_CONTROLLER, r.PERSONAL_DATA, r.RECIPIENTS, r.PROCESSOR_CONTRACT, r.THIRD_COUNTRIES, r.ART6,
        r.ART9, r.SOURCE, r.LOCATION, r.GDPR_ART6, r.FLOWS_COLUMN, r.FINDINGS_COLUMN, r.CONTROLLER_NAME, r.PROCESSING,
        r.SUB_PROCESSORS,
    }  # fmt: skip
