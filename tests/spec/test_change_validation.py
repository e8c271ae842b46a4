"""A change validated by what it touches (``loaders.change``) finds exactly what the whole check finds.

Each case loads two registers that name each other's ids, then makes one change (a register loaded,
replaced or removed) and checks it both ways on both stores: the narrow check (``Store.neighbourhood``
and ``check_against``) must never accept a change the whole check (``validate_together`` over every
loaded register) refuses; ``check_change`` must report the same problems, in the same order; and the
problems the narrow read finds with the incoming register must be those the whole read finds with it.
Cases marked ``fast`` must be accepted by the narrow check alone, so that the fast path is exercised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from support import header, register, tiny_reference

from graph.merge import merge
from graph.model import Node, Register
from graph.store import ChangedSinceValidated, Store
from loaders.change import check_change, narrow
from loaders.register import InvalidRegister, Problem, check_against, validate_together

FLOWS = header(
    "flows", "flow_id", "source", "destination", "data_categories", "purposes", "identifiability", "controllers",
    "processors", "agreements",
)  # fmt: skip
AGREEMENTS = header("agreements", "agreement_id", "agreement_type", "parties", "start", "end", "covers")
ORGANISATIONS = "org_id,name,org_type\n"

ALPHA = {
    "systems": "shcr-a,Alpha Care Record,shared_care_record,,,QAA,UK",
    "organisations": ORGANISATIONS + "sup-a,Alpha Supplier,supplier\nshared-x,Shared Body,supplier",
    "flows": FLOWS
    + "\na1,A00001,shcr-a,primary_care,direct_care,identifiable,A00001,,"
    + "\na2,A00002,shcr-a,primary_care,direct_care,identifiable,A00002,sup-a,",
}
BETA = {
    "systems": "epr-b,Beta EPR,epr,,,QBB,UK",
    "organisations": ORGANISATIONS + "shared-x,Shared Body,supplier\norg-b,Beta Body,supplier",
    "agreements": AGREEMENTS + "\nb1,dsa,B00001;QBB,2020-01-01,,a1",
    "flows": FLOWS
    + "\nb1f,B00001,epr-b,acute,direct_care,identifiable,B00001,sup-a,b1"
    + "\nb2f,B00001,shcr-a,acute,direct_care,identifiable,B00001,,",
}


def alpha(**changes: str) -> Register:
    return register("alpha", **{**ALPHA, **changes})


def beta() -> Register:
    return register("beta", **BETA)


def alpha_flows(*rows: str, keep: tuple[str, ...] = ("a1", "a2")) -> str:
    kept = [line for line in ALPHA["flows"].splitlines()[1:] if line.split(",")[0] in keep]
    return "\n".join([FLOWS, *kept, *rows])


@dataclass(frozen=True)
class Case:
    id: str
    incoming: Callable[[], list[Register]]
    removing: tuple[str, ...] = ()
    fast: bool = False  # accepted by the narrow check alone


CASES = [
    Case("a flow's facts changed", lambda: [alpha(flows=ALPHA["flows"].replace("a1,A00001", "a1,A00003"))], fast=True),
    Case(
        "a new flow into another register's system under its agreement",
        lambda: [alpha(flows=alpha_flows("a3,A00001,epr-b,primary_care,direct_care,identifiable,A00001,org-b,b1"))],
        fast=True,
    ),
    Case(
        "a new register naming both",
        lambda: [register("gamma", flows=FLOWS + "\ng1,shcr-a,epr-b,acute,direct_care,identifiable,QAA,sup-a,b1")],
        fast=True,
    ),
    Case(
        "an organisation's facts changed",
        lambda: [alpha(organisations=ORGANISATIONS + "sup-a,A,supplier\nshared-x,Shared Body,supplier")],
        fast=True,
    ),
    Case(
        "an id both define, dropped by one, the other's kept",
        lambda: [alpha(organisations=ORGANISATIONS + "sup-a,Alpha Supplier,supplier")],
        fast=True,
    ),
    Case(
        "a duplicate id defined differently",
        lambda: [alpha(organisations=ORGANISATIONS + "sup-a,Alpha Supplier,supplier\nshared-x,Other Body,supplier")],
    ),
    Case(
        "a system only this register defines, named by another, removed",
        lambda: [
            alpha(
                systems="phm-a,Alpha PHM,phm_platform,,,QAA,UK",
                flows=ALPHA["flows"].replace("shcr-a", "phm-a"),
            )
        ],
    ),
    Case("a flow another register's agreement covers, removed", lambda: [alpha(flows=alpha_flows(keep=("a2",)))]),
    Case("a flow nothing else names, removed", lambda: [alpha(flows=alpha_flows(keep=("a1",)))], fast=True),
    Case(
        "an organisation another register names turned into a system",
        lambda: [
            alpha(
                organisations=ORGANISATIONS + "shared-x,Shared Body,supplier",
                systems=ALPHA["systems"] + "\nsup-a,Alpha Supplier System,epr,,,QAA,UK",
                flows=alpha_flows(keep=("a1",)),
            )
        ],
    ),
    Case(
        "a system with another register's organisation id",
        lambda: [alpha(systems=ALPHA["systems"] + "\norg-b,Clash,epr,,,QAA,UK")],
    ),
    Case(
        "another register's flow defined differently",
        lambda: [alpha(flows=alpha_flows("b1f,B00001,epr-b,acute,planning,identifiable,B00001,,"))],
    ),
    Case(
        "another register's flow defined the same",
        lambda: [alpha(flows=alpha_flows("b1f,B00001,epr-b,acute,direct_care,identifiable,B00001,sup-a,b1"))],
        fast=True,
    ),
    Case(
        "another register's agreement defined differently",
        lambda: [alpha(agreements=AGREEMENTS + "\nb1,dpia,B00001;QBB,2020-01-01,,a1")],
    ),
    Case(
        "another register's agreement defined the same",
        lambda: [alpha(agreements=AGREEMENTS + "\nb1,dsa,B00001;QBB,2020-01-01,,a1")],
        fast=True,
    ),
    Case(
        "an id nothing defines",
        lambda: [alpha(flows=alpha_flows("a4,A00001,nowhere,primary_care,direct_care,identifiable,A00001,,"))],
    ),
    Case(
        "a reference organisation overridden",
        lambda: [alpha(organisations=ALPHA["organisations"] + "\nRAA,Alpha Hospitals,acute_trust")],
        fast=True,
    ),
    Case(
        "another register's organisation defined differently",
        lambda: [alpha(organisations=ALPHA["organisations"] + "\norg-b,Alpha's Beta Body,supplier")],
    ),
    Case("removing a register another names", lambda: [], removing=("alpha",)),
    Case("removing a register nothing names", lambda: [], removing=("beta",)),
    Case(
        "two registers at once",
        lambda: [alpha(), register("gamma", flows=FLOWS + "\ng1,shcr-a,epr-b,acute,direct_care,identifiable,QAA,,")],
    ),
]


def problems_of(check: Callable[[], Any]) -> list[Problem] | None:
    try:
        check()
    except InvalidRegister as error:
        return error.problems
    return None


def whole(store: Store, incoming: list[Register], removing: tuple[str, ...]) -> list[Problem] | None:
    """The problems the whole check finds, as the change was validated before ``loaders.change``."""
    reference = tiny_reference()
    loaded = store.loaded()
    if removing:
        remaining = [r for name, r in loaded.items() if name not in removing]
        return problems_of(lambda: validate_together(reference, {}, remaining))
    return problems_of(lambda: validate_together(reference, loaded, incoming))


def incoming_side(store: Store, incoming: Register) -> tuple[list[Problem] | None, list[Problem] | None]:
    """The incoming register's own problems against the other registers, read narrowly and wholly."""
    hood = store.neighbourhood([incoming])
    others = [r for name, r in store.loaded().items() if name != incoming.name]
    defined: dict[str, Node] = {}
    for other in others:
        defined.update((o.org_id, o) for o in other.organisations)
        defined.update((s.system_id, s) for s in other.systems)
    narrowly = problems_of(lambda: check_against(incoming, hood.others, hood.defined))
    wholly = problems_of(lambda: check_against(incoming, merge(tiny_reference(), others), defined))
    return narrowly, wholly


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_the_narrow_check_finds_what_the_whole_one_does(case: Case, make_store: Any) -> None:
    store = make_store(alpha(), beta())
    incoming = case.incoming()
    expected = whole(store, incoming, case.removing)
    accepted = narrow(tiny_reference(), store, incoming, case.removing)
    assert accepted is None or expected is None, f"the narrow check accepted what the whole one refuses: {expected}"
    assert (accepted is not None) == case.fast
    assert problems_of(lambda: check_change(tiny_reference(), store, incoming, case.removing)) == expected
    if len(incoming) == 1 and not case.removing:
        narrowly, wholly = incoming_side(store, incoming[0])
        assert narrowly == wholly


def test_the_cases_include_refusals_and_acceptances(make_store: Any) -> None:
    """The cases above are worth running: some are refused on the other register's side too."""
    store = make_store(alpha(), beta())
    refused = [case for case in CASES if whole(store, case.incoming(), case.removing) is not None]
    assert 5 < len(refused) < len(CASES) - 3
    (strands,) = [case for case in CASES if case.id.startswith("a system only this register defines")]
    stranded = whole(store, strands.incoming(), ())
    assert stranded is not None and [p.value for p in stranded] == ["shcr-a"]  # beta's flow b2f, stranded


def test_a_change_validated_before_another_writer_wrote_is_not_written(make_store: Any) -> None:
    store = make_store(alpha(), beta())
    changed = alpha(flows=ALPHA["flows"].replace("a1,A00001", "a1,A00003"))
    checked = check_change(tiny_reference(), store, [changed])
    store.replace([register("gamma", flows=FLOWS + "\ng1,shcr-a,epr-b,acute,direct_care,identifiable,QAA,,")])
    before = (store.version(), store.loaded()["alpha"])
    with pytest.raises(ChangedSinceValidated, match="another writer changed the graph"):
        store.replace([changed], validated_at=checked)
    with pytest.raises(ChangedSinceValidated):
        store.remove(["beta"], validated_at=checked)
    assert (store.version(), store.loaded()["alpha"]) == before
    store.replace([changed], validated_at=check_change(tiny_reference(), store, [changed]))
    assert store.loaded()["alpha"] == changed
