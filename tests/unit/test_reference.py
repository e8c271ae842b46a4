"""The reference loaders, on the real bundled files, checked against counts taken from the raw files."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from graph.model import Organisation, ReferenceData
from graph.vocab import OrgType
from loaders.geography import Area, Geography
from loaders.ods import Layout, detect_layout, parse_practices, parse_trusts, trust_type
from loaders.reference import (
    BUNDLED,
    ENV_VAR,
    EPRACCUR_DSE,
    EPRACCUR_LEGACY,
    FILES,
    load_reference,
    read_gp_suppliers,
    reference_root,
    reference_summary,
)

FOLDERS = [
    EPRACCUR_DSE,
    EPRACCUR_LEGACY,
    "ons-sicbl-icb-nhser-2022-07",
    "ons-icb-2024-12",
    "etr-2024-12",
    "epcn-2024-10",
    "nhse-practice-boundary-mapping-2023-24",
    "gp-reg-pat-prac-map-2025-10",
    "gp-practice-imd-fingertips",
    "derived-dspt-status-2022-02",
    "nhsd-data-release-register-2017-09-11",
]


def raw_csv(relative: str, encoding: str = "utf-8-sig") -> list[list[str]]:
    with (BUNDLED / relative).open(encoding=encoding, newline="") as file:
        return list(csv.reader(file))


def raw_lookup() -> dict[str, tuple[str, str]]:
    """Sub-ICB -> (ICB, region), straight from the ONS CSV."""
    header, *rows = raw_csv(FILES["ons_lookup"])
    sub, icb, region = (header.index(name) for name in ("LOC22CDH", "ICB22CDH", "NHSER22CDH"))
    return {row[sub]: (row[icb], row[region]) for row in rows}


def raw_active_practices(folder: str) -> list[list[str]]:
    """Active GP practices by the SOURCE.md rule: status col 13, prescribing setting col 26."""
    rows = raw_csv(f"{folder}/epraccur.csv", encoding="latin-1")
    if folder == EPRACCUR_LEGACY:
        return [row for row in rows if row[12] == "A" and row[25] == "4"]
    return [row for row in rows if row[12] == "ACTIVE" and "RO76" in row[25].split("|")]


@cache
def load(folder: str) -> ReferenceData:
    # Each full load takes a second or two (mostly the ePCN workbook), so each layout loads once.
    return load_reference(epraccur=folder)


@pytest.fixture(params=[EPRACCUR_DSE, EPRACCUR_LEGACY])
def loaded(request: pytest.FixtureRequest) -> tuple[str, ReferenceData]:
    folder: str = request.param
    return folder, load(folder)


@pytest.fixture
def dse() -> ReferenceData:
    return load(EPRACCUR_DSE)


def of_type(ref: ReferenceData, org_type: OrgType) -> dict[str, Organisation]:
    return {o.org_id: o for o in ref.organisations if o.org_type is org_type}


@pytest.mark.parametrize("folder", FOLDERS)
def test_bundled_files_are_byte_for_byte_the_sources(folder: str) -> None:
    source = (BUNDLED / folder / "SOURCE.md").read_text(encoding="utf-8")
    named = re.findall(r"File: `([^`]+)` — [\d,]+ bytes; sha256 `([0-9a-f]{64})`", source)
    assert named, f"{folder}/SOURCE.md names no file and sha256"
    for name, sha256 in named:
        assert hashlib.sha256((BUNDLED / folder / name).read_bytes()).hexdigest() == sha256


def test_reference_root_defaults_to_bundled_and_env_var_overrides(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert reference_root() == BUNDLED
    assert (BUNDLED / FILES["etr"]).is_file()
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert reference_root() == tmp_path
    assert reference_root(BUNDLED) == BUNDLED


def test_hierarchy_has_the_ons_counts(dse: ReferenceData) -> None:
    lookup = raw_lookup()
    assert len(of_type(dse, OrgType.REGION)) == 7
    icbs = of_type(dse, OrgType.ICB)
    assert len(icbs) == 42 == len({icb for icb, _ in lookup.values()})
    subs = {o.org_id: o for o in dse.organisations if o.org_type is OrgType.SUB_ICB_LOCATION}
    assert len(subs) == 106
    assert {code: (o.icb, o.region) for code, o in subs.items()} == lookup
    assert all(o.parent == o.icb for o in subs.values())
    header, *rows = raw_csv(FILES["icb_names"])
    names = {row[header.index("ICB24CDH")]: row[header.index("ICB24NM")] for row in rows}
    assert {o.org_id: o.name for o in dse.organisations if o.org_type is OrgType.ICB} == names


def test_active_practices_per_icb_match_the_raw_file(loaded: tuple[str, ReferenceData]) -> None:
    folder, ref = loaded
    lookup = raw_lookup()
    raw = raw_active_practices(folder)
    icbs = {icb for icb, _ in lookup.values()}
    # Through the lookup; failing that column 4, if it names one of the 42 ICBs.
    resolved = (lookup[row[14]][0] if row[14] in lookup else row[3] for row in raw)
    expected = Counter(icb for icb in resolved if icb in icbs)
    summary = reference_summary(ref)
    assert summary["gp_practices_by_icb"] == dict(sorted(expected.items()))
    practices = [o for o in ref.organisations if o.org_type is OrgType.GP_PRACTICE]
    assert len(practices) == len(raw) == {EPRACCUR_LEGACY: 6618, EPRACCUR_DSE: 6604}[folder]


def test_dse_count_differs_from_source_md_only_by_pipe_joined_roles() -> None:
    # SOURCE.md counts col 26 == "RO76" (6,599); practices that also hold RO268 are GP practices too
    # (the legacy file has them as setting 4), so the loader counts 6,604.
    raw = raw_active_practices(EPRACCUR_DSE)
    assert Counter(row[25] for row in raw) == {"RO76": 6599, "RO76|RO268": 5}


def test_practices_sit_in_the_hierarchy_through_their_commissioner(loaded: tuple[str, ReferenceData]) -> None:
    folder, ref = loaded
    lookup = raw_lookup()
    commissioner = {row[0]: row[14] for row in raw_active_practices(folder)}
    for practice in (o for o in ref.organisations if o.org_type is OrgType.GP_PRACTICE):
        sub_icb = commissioner[practice.org_id]
        if sub_icb in lookup:
            assert (practice.parent, practice.sub_icb) == (sub_icb, sub_icb)
            assert (practice.icb, practice.region) == lookup[sub_icb]
        else:
            assert practice.parent is None and practice.sub_icb is None


def test_every_reference_points_at_a_loaded_organisation(loaded: tuple[str, ReferenceData]) -> None:
    _, ref = loaded
    ids = [o.org_id for o in ref.organisations]
    assert len(ids) == len(set(ids))
    known = set(ids)
    for org in ref.organisations:
        for value in (org.parent, org.sub_icb, org.icb, org.region, org.pcn):
            assert value is None or value in known, (org.org_id, value)


def test_unknown_commissioners_are_kept_and_reported_one_line_each(loaded: tuple[str, ReferenceData]) -> None:
    folder, ref = loaded
    lookup = raw_lookup()
    outside = [row for row in raw_active_practices(folder) if row[14] not in lookup]
    assert outside  # the Welsh practices (7A1-7A7)
    warned = [w for w in ref.warnings if "is not one of the 106 sub-ICB locations" in w]
    assert len(warned) == len(outside)
    for row, warning in zip(outside, warned, strict=True):
        assert warning.startswith(f"GP practice {row[0]} {row[1]}: commissioner {row[14]!r}")


def test_dse_column_4_disagreements_are_reported(loaded: tuple[str, ReferenceData]) -> None:
    folder, ref = loaded
    mismatches = [w for w in ref.warnings if "column 4 says ICB" in w]
    assert len(mismatches) == {EPRACCUR_DSE: 27, EPRACCUR_LEGACY: 0}[folder]
    if folder == EPRACCUR_DSE:
        assert any(w.startswith("GP practice C82040 ORCHARD SURGERY: column 4 says ICB 'QK1'") for w in mismatches)
        orchard = next(o for o in ref.organisations if o.org_id == "C82040")
        assert (orchard.sub_icb, orchard.icb) == ("52R", "QT1")


def test_practice_facts_from_pcn_list_size_and_imd(dse: ReferenceData) -> None:
    densham = next(o for o in dse.organisations if o.org_id == "A81001")
    assert (densham.name, densham.pcn, densham.list_size) == ("THE DENSHAM SURGERY", "U89141", 4049)
    assert densham.imd_score == pytest.approx(32.36093926)
    assert densham.valid_from is not None and densham.valid_from.isoformat() == "1974-04-01"
    practices = [o for o in dse.organisations if o.org_type is OrgType.GP_PRACTICE]
    assert sum(1 for o in practices if o.pcn) > 6000


def test_pcns_open_under_their_sub_icb(dse: ReferenceData) -> None:
    pcns = [o for o in dse.organisations if o.org_type is OrgType.PCN]
    assert len(pcns) == 1285  # SOURCE.md: 1,366 PCNs, 1,285 open
    assert all(o.valid_to is None and o.parent == o.sub_icb and o.icb and o.region for o in pcns)
    assert len({o.sub_icb for o in pcns}) == 106


def test_trusts_open_with_their_icb_and_type(dse: ReferenceData) -> None:
    raw = raw_csv(FILES["etr"], encoding="latin-1")
    trusts = {o.org_id: o for o in dse.organisations if o.org_id in {row[0] for row in raw}}
    assert sorted(trusts) == sorted(row[0] for row in raw if not row[11])
    assert len(trusts) == 205
    expected = {
        "RX7": OrgType.AMBULANCE_TRUST,  # North West Ambulance Service
        "RXV": OrgType.MENTAL_HEALTH_TRUST,  # Greater Manchester Mental Health
        "RX3": OrgType.MENTAL_HEALTH_TRUST,  # Tees, Esk and Wear Valleys (exceptions table)
        "RLY": OrgType.MENTAL_HEALTH_TRUST,  # North Staffordshire Combined Healthcare
        "RXG": OrgType.MENTAL_HEALTH_TRUST,  # South West Yorkshire Partnership
        "RYW": OrgType.COMMUNITY_TRUST,  # Birmingham Community Healthcare
        "RH5": OrgType.COMBINED_TRUST,  # Somerset
        "R0A": OrgType.ACUTE_TRUST,  # Manchester University
    }
    assert {code: trusts[code].org_type for code in expected} == expected
    manchester = trusts["R0A"]
    assert (manchester.parent, manchester.icb, manchester.region) == ("QOP", "QOP", "Y62")
    welsh = sorted(code for code, o in trusts.items() if o.icb is None)
    assert welsh == ["RQF", "RT4", "RYT"]
    assert sum("NHS trust" in w for w in dse.warnings) == 3


def test_trust_type_rules() -> None:
    assert trust_type("RZZ", "SOMEWHERE AMBULANCE SERVICE NHS TRUST") is OrgType.AMBULANCE_TRUST
    assert trust_type("RZZ", "SOMEWHERE PARTNERSHIP NHS TRUST") is OrgType.MENTAL_HEALTH_TRUST
    assert trust_type("RZZ", "SOMEWHERE COMMUNITY HEALTHCARE NHS TRUST") is OrgType.COMMUNITY_TRUST
    assert trust_type("RZZ", "SOMEWHERE HOSPITALS NHS TRUST") is OrgType.ACUTE_TRUST


def test_local_authorities_take_the_icb_with_most_list_size(dse: ReferenceData) -> None:
    las = {o.org_id: o for o in dse.organisations if o.org_type is OrgType.LOCAL_AUTHORITY}
    assert len(las) == 152
    assert all(code[:3] in {"E06", "E08", "E09", "E10"} for code in las)
    assert all(o.icb and o.region for o in las.values())
    cumbria = las["E10000006"]  # QHM holds ~330k of its list size, QE1 ~186k
    assert (cumbria.name, cumbria.icb, cumbria.region) == ("Cumbria", "QHM", "Y63")


def test_summary_counts(dse: ReferenceData) -> None:
    summary = reference_summary(dse)
    by_type = summary["by_type"]
    assert isinstance(by_type, dict)
    assert (by_type["region"], by_type["icb"], by_type["sub_icb_location"]) == (7, 42, 106)
    assert by_type["gp_practice"] == 6604
    by_icb = summary["gp_practices_by_icb"]
    assert isinstance(by_icb, dict)
    assert (by_icb["QOP"], by_icb["QWO"]) == (408, 263)
    assert sum(by_icb.values()) + summary["gp_practices_without_icb"] == 6604  # type: ignore[operator]
    assert dse.sources["epraccur"] == f"{EPRACCUR_DSE}/epraccur.csv"
    assert all((BUNDLED / path).is_file() for path in dse.sources.values())


def test_gp_suppliers_are_the_official_mapping() -> None:
    suppliers = read_gp_suppliers()
    assert Counter(suppliers.values()) == {"EMIS": 3624, "TPP": 2571}  # SOURCE.md, less 7 "Unknown"
    assert suppliers["A81001"] == "TPP"


# In-memory rows for the pure parse functions.

GEOGRAPHY = Geography(
    sub_icbs={"52R": Area("52R", "NHS Nottingham and Nottinghamshire ICB - 52R", "QT1")},
    icbs={"QT1": Area("QT1", "NHS Nottingham ICB", "Y60"), "QR1": Area("QR1", "NHS Glos ICB", "Y58")},
    regions={"Y60": Area("Y60", "Midlands"), "Y58": Area("Y58", "South West")},
)


def ods_row(code: str, name: str, icb: str, status: str, commissioner: str, setting: str, close: str = "") -> list[str]:
    row = [""] * 27
    row[0], row[1], row[3], row[10], row[11] = code, name, icb, "19740401", close
    row[12], row[14], row[25] = status, commissioner, setting
    return row


def test_practice_with_commissioner_outside_the_lookup_is_kept_and_reported() -> None:
    rows = [
        ods_row("W93019", "WYE VALLEY PRACTICE", "QR1", "ACTIVE", "7A6", "RO76"),
        ods_row("W00001", "SOME WELSH PRACTICE", "", "ACTIVE", "7A1", "RO76"),
        ods_row("C82040", "ORCHARD SURGERY", "QT1", "ACTIVE", "52R", "RO76"),
        ods_row("Y00001", "NOT A PRACTICE", "QT1", "ACTIVE", "52R", "RO72"),
        ods_row("C82999", "CLOSED SURGERY", "QT1", "INACTIVE", "52R", "RO76", close="20200101"),
    ]
    practices, warnings = parse_practices(rows, GEOGRAPHY)
    by_code = {o.org_id: o for o in practices}
    assert sorted(by_code) == ["C82040", "W00001", "W93019"]
    assert (by_code["W93019"].icb, by_code["W93019"].region, by_code["W93019"].parent) == ("QR1", "Y58", None)
    assert by_code["W00001"].icb is None
    assert (by_code["C82040"].parent, by_code["C82040"].icb) == ("52R", "QT1")
    assert len(warnings) == 2
    assert warnings[0].startswith("GP practice W93019 WYE VALLEY PRACTICE: commissioner '7A6' (column 15)")
    assert "kept under ICB QR1" in warnings[0] and "kept without an ICB" in warnings[1]

    everything, _ = parse_practices(rows, GEOGRAPHY, include_inactive=True)
    closed = next(o for o in everything if o.org_id == "C82999")
    assert closed.valid_to is not None and closed.valid_to.isoformat() == "2020-01-01"


def test_layouts_are_detected_from_the_values() -> None:
    legacy = [ods_row("C82040", "ORCHARD SURGERY", "QT1", "A", "52R", "4")]
    dse = [ods_row("C82040", "ORCHARD SURGERY", "QT1", "DORMANT", "52R", "RO76|RO268")]
    assert detect_layout(legacy) is Layout.LEGACY
    assert detect_layout(dse) is Layout.DSE
    assert [o.org_id for o in parse_practices(legacy, GEOGRAPHY)[0]] == ["C82040"]
    assert [o.org_id for o in parse_practices(dse, GEOGRAPHY, include_inactive=True)[0]] == ["C82040"]
    with pytest.raises(ValueError, match="neither"):
        detect_layout(legacy + dse)
    with pytest.raises(ValueError, match="26 columns"):
        parse_practices([legacy[0][:26]], GEOGRAPHY)


def test_closed_trusts_only_when_asked() -> None:
    rows = [
        ods_row("RX9", "EAST MIDLANDS AMBULANCE SERVICE NHS TRUST", "QT1", "", "", ""),
        ods_row("RZZ", "OLD HOSPITAL NHS TRUST", "QT1", "", "", "", close="20200331"),
    ]
    assert [o.org_id for o in parse_trusts(rows, GEOGRAPHY)[0]] == ["RX9"]
    assert [o.org_id for o in parse_trusts(rows, GEOGRAPHY, include_inactive=True)[0]] == ["RX9", "RZZ"]
