"""The benchmark's peers answer as our embedded store does, so that the speeds it compares are of one answer.

``bench/peers.py`` asks the headline of DuckDB (a recursive CTE over the register CSV files) and of plain
networkx (``nx.descendants`` per practice), and two IG checks of DuckDB in plain SQL. Here each is asked
of small registers drawn at random (seeded) from a few reference practices and systems of every kind,
with flows of every status, date window, category, purpose and legal basis, and compared, id for id, with
the named queries on the embedded store.
"""

from __future__ import annotations

import importlib.util
import random
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from support import TODAY

import queries
from app.stores import reference_data
from graph.memory import MemoryStore
from graph.model import Flow, ReferenceData, Register, System
from graph.vocab import (
    CldcBasis,
    DataCategory,
    FlowStatus,
    Identifiability,
    OptOutStatus,
    OrgType,
    Purpose,
    SystemType,
)
from loaders.register import read_register, validate_together
from loaders.register_writer import write_register

ROOT = Path(__file__).resolve().parents[2]


def bench_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


peers = bench_module("peers")


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return reference_data()


def maybe(rng: random.Random, value: object, chance: float = 0.7) -> object:
    return value if rng.random() < chance else None


def drawn(reference: ReferenceData, seed: int) -> Register:
    """A register of a dozen practices of one ICB, systems of every kind, and 150 flows drawn at random."""
    rng = random.Random(seed)
    practices = sorted(
        (o for o in reference.organisations if o.org_type is OrgType.GP_PRACTICE and o.icb and o.valid_at(TODAY)),
        key=lambda o: o.org_id,
    )
    icb = practices[0].icb
    chosen = [p.org_id for p in practices if p.icb == icb][:12]
    systems = [
        System(f"peer-{kind.value}-{n}", f"{kind.value} {n}", kind, operator=chosen[0], icb=icb, source="peers")
        for kind in SystemType
        for n in range(2 if kind in (SystemType.SHARED_CARE_RECORD, SystemType.GP_CLINICAL_SYSTEM) else 1)
    ]
    nodes = chosen + [s.system_id for s in systems]
    flows = []
    for n in range(150):
        source = rng.choice(chosen if n < 60 else nodes)
        destination = rng.choice([node for node in nodes if node != source])
        start = TODAY + timedelta(days=rng.choice([-400, -30, 30]))
        identifiability = rng.choice(list(Identifiability))
        flows.append(
            Flow(
                flow_id=f"pf{n:03}",
                source=source,
                destination=destination,
                data_categories=tuple(rng.sample(list(DataCategory), rng.choice([1, 2]) if rng.random() < 0.4 else 1))
                if rng.random() < 0.5
                else (DataCategory.PRIMARY_CARE,),
                purposes=tuple(rng.sample(list(Purpose), rng.choice([1, 2]))),
                identifiability=identifiability,
                controllers=(chosen[0],),
                art6=("6(1)(e)",) if rng.random() < 0.6 else (),
                art9=("9(2)(h)",) if rng.random() < 0.6 else (),
                cldc_basis=maybe(rng, rng.choice(list(CldcBasis))),  # type: ignore[arg-type]
                ndop=maybe(rng, rng.choice(list(OptOutStatus))),  # type: ignore[arg-type]
                type1=maybe(rng, rng.choice(list(OptOutStatus))),  # type: ignore[arg-type]
                status=rng.choice([FlowStatus.LIVE] * 4 + list(FlowStatus)),
                valid_from=maybe(rng, start),  # type: ignore[arg-type]
                valid_to=maybe(rng, start + timedelta(days=rng.choice([10, 100, 1000])), 0.4),  # type: ignore[arg-type]
                source_register="peers",
            )
        )
    return Register(name="peers", path="peers", systems=systems, flows=flows)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_peers_answer_as_the_embedded_store(reference: ReferenceData, tmp_path: Path, seed: int) -> None:
    folder = tmp_path / "peers"
    write_register(drawn(reference, seed), folder)
    register = read_register(folder)
    validate_together(reference, {}, [register])
    store = MemoryStore(reference, None)
    store.replace([register])
    as_of: date = TODAY

    def ours(name: str, key: str) -> list[str]:
        query = queries.get(name)
        return sorted(str(row[key]) for row in store.run(query, query.bind({"as_of": as_of})))

    headline = ours("practices-shcr-only", "practice")
    chosen = {f.source for f in register.flows} & {o.org_id for o in reference.organisations}
    # The draw is worth comparing: some of its practices qualify and some do not.
    assert chosen & set(headline) and chosen - set(headline)

    practices = peers.write_practices(reference, tmp_path / "practices.csv")
    db = peers.duckdb_connect(folder, practices)
    assert sorted(peers.duckdb_ask(db, "headline", as_of)) == headline
    for check in ("lawful-basis", "opt-outs"):
        findings = ours(check, "flow_id")
        assert findings, f"seed {seed}: no {check} finding to compare"
        assert sorted(peers.duckdb_ask(db, check, as_of)) == findings, check
    graph, kinds, live = peers.networkx_build(folder, practices, as_of)
    assert sorted(peers.networkx_headline(graph, kinds, live)) == headline
    assert peers.answer(headline) == peers.answer(reversed(headline)) != peers.answer(headline[1:])
