"""The synthetic England register: valid, complete, deterministic, scalable, with its defects found.

The register is generated once per module (a national one takes a second or two), written, read back
through the loader and loaded into the embedded store; the IG checks and ICB questions run on that.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from support import TODAY

import queries
from app.cli import main
from app.stores import reference_data
from graph.memory import MemoryStore
from graph.model import Organisation, ReferenceData, Register, System, within
from graph.vocab import OrgType, SystemType
from loaders.reference import read_gp_suppliers
from loaders.register import read_register, validate_together
from loaders.register_writer import register_tables, write_register
from loaders.synth import ANCHOR, RATES, Synthesis, Tier, synthesise

# Synthesising and checking all of England takes half a minute: left out of `make test-quick`.
pytestmark = pytest.mark.slow

SEED = 11
FILES = ("organisations.csv", "systems.csv", "flows.csv", "agreements.csv")
CHECKS = sorted({rate.check for rate in RATES.values()})


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return reference_data()


@pytest.fixture(scope="module")
def suppliers() -> dict[str, str]:
    return read_gp_suppliers()


@pytest.fixture(scope="module")
def synthesis(reference: ReferenceData, suppliers: dict[str, str]) -> Synthesis:
    return synthesise(reference, suppliers, seed=SEED)


@pytest.fixture(scope="module")
def folder(synthesis: Synthesis, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "synthetic-england"
    write_register(synthesis.register, path)
    return path


@pytest.fixture(scope="module")
def loaded(reference: ReferenceData, folder: Path) -> Register:
    register = read_register(folder)
    validate_together(reference, {}, [register])
    return register


@pytest.fixture(scope="module")
def store(reference: ReferenceData, loaded: Register) -> Iterator[MemoryStore]:
    store = MemoryStore(reference, None)
    store.replace([loaded])
    yield store
    store.close()


def ask(store: MemoryStore, name: str, **params: Any) -> list[dict[str, Any]]:
    query = queries.get(name)
    return store.run(query, query.bind(params, today=TODAY))


def english_practices(reference: ReferenceData) -> set[str]:
    return {
        o.org_id
        for o in reference.organisations
        if o.org_type is OrgType.GP_PRACTICE and o.icb and within(ANCHOR, None, o.valid_to)
    }


# --- the register as written -----------------------------------------------------------------------


def test_written_register_reads_back_as_generated_and_validates(synthesis: Synthesis, loaded: Register) -> None:
    generated = synthesis.register
    assert loaded.counts() == generated.counts()
    assert [replace(f, source_register="") for f in loaded.flows] == generated.flows
    assert [replace(a, source_register="") for a in loaded.agreements] == generated.agreements
    assert [replace(s, source="") for s in loaded.systems] == generated.systems
    assert [replace(o, source="") for o in loaded.organisations] == generated.organisations


def test_national_size_at_scale_one(synthesis: Synthesis) -> None:
    counts = synthesis.register.counts()
    assert 30_000 <= counts["flows"] <= 60_000
    assert Counter(synthesis.tiers.values()) == {
        Tier.SHCR_ONLY: 2,
        Tier.LEADING: 10,
        Tier.BEHIND: 8,
        Tier.DEVELOPING: 22,
    }


def test_every_active_practice_trust_council_and_icb_is_present(reference: ReferenceData, store: MemoryStore) -> None:
    view = store.view
    into_gp_system = {
        f.source
        for f in view.flows.values()
        if f.live_at(TODAY)
        and f.controllers == (f.source,)
        and isinstance(s := view.nodes[f.destination], System)
        and s.system_type is SystemType.GP_CLINICAL_SYSTEM
    }
    assert into_gp_system == english_practices(reference)
    sources = {f.source for f in view.flows.values()} | {f.controllers[0] for f in view.flows.values()}
    trusts = {o.org_id for o in reference.organisations if o.org_type.value.endswith("_trust") and o.icb}
    councils = {o.org_id for o in reference.organisations if o.org_type is OrgType.LOCAL_AUTHORITY}
    assert trusts <= sources
    assert councils <= sources
    icbs = {o.org_id for o in reference.organisations if o.org_type is OrgType.ICB}
    assert icbs == {n.icb for n in view.nodes.values() if isinstance(n, System) and n.icb}


def test_made_up_ids_cannot_be_ods_codes(reference: ReferenceData, synthesis: Synthesis) -> None:
    real = {o.org_id for o in reference.organisations}
    register = synthesis.register
    made_up = [o.org_id for o in register.organisations] + [s.system_id for s in register.systems]
    made_up += [f.flow_id for f in register.flows] + [a.agreement_id for a in register.agreements]
    assert not real & set(made_up)
    # X24 and 0AR are the real codes of NHS England and NECS, defined as the demo registers define them.
    assert all(i.startswith("syn-") for i in made_up if i not in ("X24", "0AR"))


# --- determinism and scale -------------------------------------------------------------------------


def test_the_cli_writes_the_same_bytes_for_the_same_seed(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    assert main(["synth", "--out", str(out), "--seed", str(SEED)]) == 0
    for name in FILES:
        assert (out / name).read_bytes() == (folder / name).read_bytes(), name
    assert f"seed {SEED}" in (out / "README.md").read_text()


def test_another_seed_gives_another_register(
    reference: ReferenceData, suppliers: dict[str, str], synthesis: Synthesis
) -> None:
    other = synthesise(reference, suppliers, seed=SEED + 1)
    assert list(register_tables(other.register)["flows"]) != list(register_tables(synthesis.register)["flows"])
    assert other.tiers != synthesis.tiers


def test_scale_two_doubles_systems_flows_and_findings(
    reference: ReferenceData, suppliers: dict[str, str], synthesis: Synthesis
) -> None:
    doubled = synthesise(reference, suppliers, seed=SEED, scale=2)
    base, counts = synthesis.register.counts(), doubled.register.counts()
    assert counts["flows"] == 2 * base["flows"]
    assert counts["systems"] == 2 * base["systems"]
    assert counts["agreements"] == base["agreements"]
    assert len(doubled.planted) == 2 * len(synthesis.planted)
    # The copies come after the register as built, which they leave as it was.
    assert doubled.register.flows[: base["flows"]] == synthesis.register.flows


def test_scale_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["synth", "--out", "unused", "--scale", "0"])
    assert "expected 1 or more" in capsys.readouterr().err


# --- the planted IG defects ------------------------------------------------------------------------


def expected(synthesis: Synthesis, check: str, within_days: int = 0) -> set[tuple[str, str | None]]:
    return {
        (p.flow_id, p.org_id)
        for p in synthesis.planted
        if p.check == check and (p.defect != "expiring" or within_days >= 30)
    }


@pytest.mark.parametrize("check", CHECKS)
def test_each_check_finds_exactly_the_planted_defects(synthesis: Synthesis, store: MemoryStore, check: str) -> None:
    found = {(row["flow_id"], row["org_id"]) for row in ask(store, check)}
    assert found == expected(synthesis, check)


def test_agreements_expiring_soon_are_found_with_a_window(synthesis: Synthesis, store: MemoryStore) -> None:
    found = {(row["flow_id"], row["org_id"]) for row in ask(store, "agreement-expiry", within_days=30)}
    assert found == expected(synthesis, "agreement-expiry", within_days=30)


def test_defects_are_found_at_the_documented_rates(synthesis: Synthesis, store: MemoryStore) -> None:
    window = {"agreement-expiry": {"within_days": 30}}
    found = {
        check: {(r["flow_id"], r["org_id"]) for r in ask(store, check, **window.get(check, {}))} for check in CHECKS
    }
    for defect, rate in RATES.items():
        population = synthesis.populations[defect]
        units = {p.unit for p in synthesis.planted if p.defect == defect and (p.flow_id, p.org_id) in found[rate.check]}
        if rate.count is not None:
            assert len(units) == rate.count, defect
        else:
            assert rate.share is not None
            assert population >= 10, defect
            assert abs(len(units) - rate.share * population) <= max(1.0, 0.05 * rate.share * population), defect


def test_lawful_basis_findings_per_layer(synthesis: Synthesis, store: MemoryStore) -> None:
    reasons = [row["reason"] for row in ask(store, "lawful-basis")]
    planted = Counter(p.defect for p in synthesis.planted)
    assert sum("no UK GDPR Art 6" in r for r in reasons) == planted["no-art6"]
    assert sum("no Art 9 condition" in r for r in reasons) == planted["no-art9"]
    assert sum("no common law duty" in r for r in reasons) == planted["no-cldc"]
    opt_outs = [row["reason"] for row in ask(store, "opt-outs")]
    assert sum("national data opt-out" in r for r in opt_outs) == planted["ndop"]
    assert sum("Type 1 opt-out" in r for r in opt_outs) == planted["type1"]


def test_pcn_controllers_sit_in_the_documented_number_of_icss(synthesis: Synthesis, store: MemoryStore) -> None:
    pcns = {row["org_id"] for row in ask(store, "role-holders")}
    view = store.view
    assert all(isinstance(n := view.nodes[p], Organisation) and n.org_type is OrgType.PCN for p in pcns)
    icbs = {n.icb for p in pcns if isinstance(n := view.nodes[p], Organisation)}
    assert len(icbs) == RATES["pcn-controller"].count


# --- the ICS variation -----------------------------------------------------------------------------


def test_icb_coverage_varies_by_tier(synthesis: Synthesis, store: MemoryStore) -> None:
    score = {row["icb"]: row["score"] for row in ask(store, "icb-coverage")}
    by_tier: dict[Tier, list[float]] = {}
    for icb, tier in synthesis.tiers.items():
        by_tier.setdefault(tier, []).append(score[icb])
    assert set(by_tier[Tier.LEADING]) == {1.0}
    assert set(by_tier[Tier.BEHIND]) == {0.0}
    assert all(0.2 <= s <= 0.8 for s in by_tier[Tier.DEVELOPING])
    assert all(s < 1.0 for s in by_tier[Tier.SHCR_ONLY])


def test_the_one_ics_whose_primary_care_goes_no_further_than_its_shcr(
    reference: ReferenceData, synthesis: Synthesis, store: MemoryStore
) -> None:
    summary = ask(store, "icb-shcr-only-summary")
    every = sorted(row["icb"] for row in summary if row["all_practices"])
    assert every == sorted(icb for icb, tier in synthesis.tiers.items() if tier is Tier.SHCR_ONLY)
    assert all(row["share"] < 0.3 for row in summary if not row["all_practices"])
    icb = every[0]
    practices = {row["practice"] for row in ask(store, "practices-shcr-only", icb=icb)}
    assert practices == {p for p in english_practices(reference) if store.view.nodes[p].icb == icb}
