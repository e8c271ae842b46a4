"""The bundled demo (data/demo): rebuilt byte for byte by its scenario, and what it plants is what the product finds.

The scenario (``loaders.synth.demo``) declares each defect it plants; the self-check (``app.cli.demo_check``)
reads the registers with the real loader and runs the real checks and the headline. Here it runs on the
committed demo, and must also fail, saying what differs, when the scenario and the registers disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import pytest

import app.cli.synth
from app.cli import main
from app.cli.demo_check import self_check
from app.settings import DEMO_DIR
from app.stores import reference_data
from graph.model import ReferenceData
from loaders.reference import read_gp_suppliers
from loaders.synth.demo import Demo, build_demo


def files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return reference_data()


@pytest.fixture
def demo(reference: ReferenceData) -> Demo:
    return build_demo(reference, read_gp_suppliers())


def test_the_generator_rebuilds_the_committed_demo_byte_for_byte(tmp_path: Path) -> None:
    assert main(["synth", "--demo", "--out", str(tmp_path)]) == 0
    built, committed = files(tmp_path), files(DEMO_DIR)
    assert sorted(built) == sorted(committed)
    for name, content in committed.items():
        assert built[name] == content, f"data/demo/{name} differs from what the scenario writes: rebuild it"


def test_the_committed_demo_passes_its_self_check(demo: Demo, reference: ReferenceData) -> None:
    assert self_check(DEMO_DIR, demo, reference) == []
    # Something of each kind is checked: defects on several checks, every ICS's headline.
    assert len({d.check for d in demo.defects}) > 1
    assert {b.ics.icb for b in demo.builds} == set(demo.headline) == {"QOP", "QWO", "QT6"}


def test_the_self_check_names_a_defect_planted_but_not_found(demo: Demo, reference: ReferenceData) -> None:
    fixed = demo.defects[0]
    demo.defects.append(replace(fixed, flow_id="gm-phm-gmcr"))
    assert self_check(DEMO_DIR, demo, reference) == [
        f"IG checks: planted but not found: ('{fixed.check}', 'gm-phm-gmcr', None)"
    ]


def test_the_self_check_names_a_finding_not_planted_and_a_headline_practice(
    demo: Demo, reference: ReferenceData
) -> None:
    dropped = demo.defects.pop()
    practice = demo.headline["QT6"].pop()
    assert self_check(DEMO_DIR, demo, reference) == [
        f"IG checks: found but not planted: ('{dropped.check}', '{dropped.flow_id}', {dropped.org_id!r})",
        f"practices-shcr-only QT6: found but not planted: {practice}",
    ]


def test_the_self_check_reports_an_invalid_register(demo: Demo, reference: ReferenceData, tmp_path: Path) -> None:
    copy = tmp_path / "demo"
    for name, content in files(DEMO_DIR).items():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes(content)
    flows = copy / "cornwall" / "flows.csv"
    flows.write_text(flows.read_text(encoding="utf-8").replace(",cios-shcr,", ",cios-shcr-x,", 1), encoding="utf-8")
    [problem] = self_check(copy, demo, reference)
    assert "cios-shcr-x" in problem and "unknown id" in problem


def test_the_generator_fails_loudly_when_the_product_finds_something_else(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dropped = []

    def misplanted(reference: ReferenceData, suppliers: Mapping[str, str]) -> Demo:
        demo = build_demo(reference, suppliers)
        dropped.append(demo.defects.pop(0))
        return demo

    monkeypatch.setattr(app.cli.synth, "build_demo", misplanted)
    assert main(["synth", "--demo", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    [defect] = dropped
    assert "fails its self-check: 1 difference(s)" in err
    assert f"IG checks: found but not planted: ('{defect.check}', '{defect.flow_id}', {defect.org_id!r})" in err


def test_demo_takes_no_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--demo", "--seed", "3", "--out", str(tmp_path)]) == 2
    assert "--demo takes no --seed or --scale" in capsys.readouterr().err
