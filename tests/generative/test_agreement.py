"""Both stores agree: random registers, every registered query, a range of parameters.

Like ehrQL's generative tests: Hypothesis builds random registers over the tiny reference graph
(random systems, organisations, flows, categories, statuses, dates, roles and agreements) and every
query in the catalogue must give identical rows, or the same error, on the embedded store (the
reference semantics) and on Neo4j. The tiny reference carries IMD scores (one practice without), so
opt-in-by-deprivation cuts real quintiles. Raise ICSGRAPH_HYPOTHESIS_EXAMPLES for a longer hunt.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from conftest import neo4j_uri
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import TODAY, deprived_reference

import queries
from graph.memory import MemoryStore
from graph.model import Agreement, Flow, Organisation, Register, System
from graph.neo4j_store import Neo4jStore
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
from loaders.register import validate_together
from queries.registry import NamedQuery, ParamError

EXAMPLES = int(os.environ.get("ICSGRAPH_HYPOTHESIS_EXAMPLES", "25"))
REFERENCE = deprived_reference()
REFERENCE_IDS = [o.org_id for o in REFERENCE.organisations]
DATES = [None, date(2020, 1, 1), date(2022, 6, 30), date(2024, 4, 1), TODAY, date(2027, 1, 1)]
AS_OF = [TODAY, date(2022, 6, 30), date(2023, 1, 1), date(2028, 1, 1)]


def some(values: Any, min_size: int = 0, max_size: int = 3) -> st.SearchStrategy[tuple[Any, ...]]:
    if not values:
        return st.just(())
    return st.lists(st.sampled_from(list(values)), min_size=min_size, max_size=max_size, unique=True).map(tuple)


def dates() -> st.SearchStrategy[tuple[date | None, date | None]]:
    def ordered(pair: tuple[date | None, date | None]) -> tuple[date | None, date | None]:
        first, last = pair
        if first is not None and last is not None and last < first:
            return last, first
        return pair

    return st.tuples(st.sampled_from(DATES), st.sampled_from(DATES)).map(ordered)


@st.composite
def registers(draw: st.DrawFn) -> Register:
    extra_orgs = [
        Organisation(
            f"org{i}",
            f"Body {i}",
            draw(st.sampled_from([OrgType.SUPPLIER, OrgType.CSU, OrgType.PCN, OrgType.ICS])),
            legal_entity=draw(st.sampled_from([None, True, False])),
            icb=draw(st.sampled_from([None, "QAA", "QBB"])),
            source="random",
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    if draw(st.booleans()):
        # A register may override a reference organisation's facts.
        extra_orgs.append(
            Organisation(
                "A00002", "Renamed", OrgType.GP_PRACTICE, valid_to=draw(st.sampled_from(DATES)), source="random"
            )
        )
    if draw(st.booleans()):
        # A register's own organisation with a DSPT status on record under its ODS code (dspt).
        extra_orgs.append(Organisation("0AR", "NECS", OrgType.CSU, source="random"))
    org_ids = REFERENCE_IDS + [o.org_id for o in extra_orgs if o.org_id not in REFERENCE_IDS]
    systems = [
        System(
            f"sys{i}",
            f"System {i}",
            draw(st.sampled_from(list(SystemType))),
            operator=draw(st.sampled_from([None, *org_ids])),
            icb=draw(st.sampled_from([None, "QAA", "QBB"])),
            hosting_location=draw(st.sampled_from([None, "UK", "Ireland"])),
            source="random",
        )
        for i in range(draw(st.integers(1, 6)))
    ]
    node_ids = org_ids + [s.system_id for s in systems]
    agreements = []
    for i in range(draw(st.integers(0, 4))):
        start, end = draw(dates())
        agreements.append(
            Agreement(
                f"agr{i}",
                draw(st.sampled_from(list(AgreementType))),
                draw(some(org_ids, 1, 3)),
                start=start,
                end=end,
                covers=draw(some([s.system_id for s in systems], 0, 2)),
                source_register="random",
            )
        )
    flows = []
    for i in range(draw(st.integers(0, 16))):
        source, destination = draw(st.lists(st.sampled_from(node_ids), min_size=2, max_size=2, unique=True))
        valid_from, valid_to = draw(dates())
        flows.append(
            Flow(
                flow_id=f"f{i}",
                source=source,
                destination=destination,
                data_categories=draw(some(list(DataCategory), 1, 3)),
                purposes=draw(some(list(Purpose), 1, 2)),
                identifiability=draw(st.sampled_from(list(Identifiability))),
                controllers=draw(some(org_ids, 1, 2)),
                joint=draw(st.booleans()),
                processors=draw(some(org_ids, 0, 2)),
                sub_processors=draw(some(org_ids, 0, 1)),
                recipient_controller=draw(st.sampled_from([None, *org_ids])),
                art6=draw(some(["6(1)(c)", "6(1)(e)"], 0, 1)),
                art9=draw(some(["9(2)(h)", "9(2)(i)", "9(2)(j)"], 0, 1)),
                cldc_basis=draw(st.sampled_from([None, *CldcBasis])),
                ndop=draw(st.sampled_from([None, *OptOutStatus])),
                type1=draw(st.sampled_from([None, *OptOutStatus])),
                agreements=draw(some([a.agreement_id for a in agreements], 0, 2)),
                status=draw(st.sampled_from([FlowStatus.LIVE, FlowStatus.LIVE, FlowStatus.LIVE, *FlowStatus])),
                valid_from=valid_from,
                valid_to=valid_to,
                source_register="random",
            )
        )
    return Register("random", "random", organisations=extra_orgs, systems=systems, flows=flows, agreements=agreements)


def params_for(query: NamedQuery, register: Register, draw: st.DrawFn) -> dict[str, Any]:
    node_ids = REFERENCE_IDS + [o.org_id for o in register.organisations] + [s.system_id for s in register.systems]
    pools: dict[str, list[Any]] = {
        "icb": ["QAA", "QBB"],
        "node": node_ids,
        "source": node_ids,
        "destination": node_ids,
        "system": [s.system_id for s in register.systems],
        "max_depth": [1, 2, 3, 6],
        "within_days": [0, 30, 400],
        "as_of": AS_OF,
    }
    params: dict[str, Any] = {}
    for param in query.params:
        if param.name in pools:
            pool = pools[param.name]
        elif param.choices:
            pool = list(param.choices)
        elif param.kind is bool:
            pool = [True, False]
        else:
            pool = []
        if not pool or (not param.required and draw(st.booleans())):
            continue
        params[param.name] = draw(st.sampled_from(pool))
    return params


@pytest.fixture(scope="module")
def neo4j_store() -> Iterator[Neo4jStore]:
    store = Neo4jStore.connect(neo4j_uri(), REFERENCE, database=os.environ.get("NEO4J_DATABASE"))
    yield store
    store.reset()
    store.close()


def outcome(store: Any, query: NamedQuery, params: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "rows", store.run(query, query.bind(params, today=TODAY))
    except ParamError as error:
        return "error", type(error).__name__


def loaded_on_both(neo4j_store: Neo4jStore, register: Register) -> MemoryStore:
    """``register``, valid, as the only register of a new embedded store and of the emptied Neo4j store."""
    validate_together(REFERENCE, {}, [register])
    embedded = MemoryStore(REFERENCE, None)
    embedded.replace([register])
    neo4j_store.reset()
    neo4j_store.replace([register])
    return embedded


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_both_stores_give_identical_answers_to_every_query(neo4j_store: Neo4jStore, data: st.DataObject) -> None:
    register = data.draw(registers())
    embedded = loaded_on_both(neo4j_store, register)
    assert neo4j_store.counts() == embedded.counts()
    for query in queries.CATALOGUE.values():
        params = params_for(query, register, data.draw)
        expected = outcome(embedded, query, params)
        assert outcome(neo4j_store, query, params) == expected, f"{query.name} {params}"
