"""Bad registers, one defect each: every problem is located exactly, and nothing of a bad register is loaded.

Each case takes the good register (``fixtures/registers/good``) as grids of cells, where row 1 is the header
as in a spreadsheet, changes one thing and says which problem the loader must report. The store already
holds the good register; after the attempt it must be exactly as it was, on every store.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fixtures.make_fixtures import Tables, read_folder, write_folder, write_workbook
from support import tiny_reference

from app.stores import load_into
from graph.model import ReferenceData
from graph.state import STATE_FILE
from graph.store import Store
from loaders.register import InvalidRegister, Problem, read_register, validate_together

FIXTURES = Path(__file__).parent.parent / "fixtures" / "registers"
GOOD = FIXTURES / "good"

Defect = Callable[[Tables], None]
Place = Callable[[Path, Tables], Path]
"""Writes the tables under a temporary folder and gives the path to load."""


# --- defects ---------------------------------------------------------------------------------------------


def edit(table: str, row: int, **cells: str) -> Defect:
    """Set cells of one spreadsheet row (the header is row 1)."""

    def apply(tables: Tables) -> None:
        header = tables[table][0]
        for column, value in cells.items():
            tables[table][row - 1][header.index(column)] = value

    return apply


def copy_row(table: str, row: int, **cells: str) -> Defect:
    """Append a copy of a row, some cells changed, as the table's last row."""

    def apply(tables: Tables) -> None:
        tables[table].append(list(tables[table][row - 1]))
        edit(table, len(tables[table]), **cells)(tables)

    return apply


def drop_column(table: str, column: str) -> Defect:
    def apply(tables: Tables) -> None:
        index = tables[table][0].index(column)
        for cells in tables[table]:
            del cells[index]

    return apply


def drop_table(table: str) -> Defect:
    def apply(tables: Tables) -> None:
        del tables[table]

    return apply


def empty_table(table: str) -> Defect:
    def apply(tables: Tables) -> None:
        tables[table] = []

    return apply


def blank_rows_above(table: str, count: int) -> Defect:
    def apply(tables: Tables) -> None:
        width = len(tables[table][0])
        tables[table][:0] = [[""] * width for _ in range(count)]

    return apply


def alone(table: str, row: int, **cells: str) -> Defect:
    """Another register holding just this row of the good register (changed) and a flows.csv of its header."""

    def apply(tables: Tables) -> None:
        kept = {"flows": tables["flows"][:1], table: [tables[table][0], tables[table][row - 1]]}
        tables.clear()
        tables.update(kept)
        edit(table, 2, **cells)(tables)

    return apply


def both(*defects: Defect) -> Defect:
    def apply(tables: Tables) -> None:
        for defect in defects:
            defect(tables)

    return apply


def unchanged(tables: Tables) -> None:
    pass


# --- where the register is written -----------------------------------------------------------------------


def in_folder(tmp: Path, tables: Tables) -> Path:
    return write_folder(tmp / "register", tables)


def in_workbook(tmp: Path, tables: Tables) -> Path:
    return write_workbook(tmp / "register.xlsx", tables)


def as_lone_csv_file(tmp: Path, tables: Tables) -> Path:
    return write_folder(tmp / "register", tables) / "flows.csv"


def as_csv_named_xlsx(tmp: Path, tables: Tables) -> Path:
    path = tmp / "register.xlsx"
    path.write_bytes((write_folder(tmp / "register", tables) / "flows.csv").read_bytes())
    return path


def nowhere(tmp: Path, tables: Tables) -> Path:
    return tmp / "no-such-register"


def where(path: Path, table: str | None) -> str:
    """A problem's ``where``: the file or sheet of a table, or the register itself."""
    if table is None:
        return str(path)
    if path.suffix == ".xlsx":
        return f"{path}, sheet {table}"
    return str(path / f"{table}.csv")


# --- the cases -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """The one problem a case must give: where, row, column, value, and words its ``expected`` contains."""

    table: str | None
    row: int | None
    column: str | None
    value: str | None
    words: tuple[str, ...]


def at(table: str | None, row: int | None, column: str | None, value: str | None, *words: str) -> Expect:
    return Expect(table, row, column, value, words)


@dataclass(frozen=True)
class Case:
    id: str
    defect: Defect
    expect: Expect
    # The name it is loaded under: "good" replaces the loaded good register, another name joins it.
    name: str = "good"
    # When the clash is with the good register, the good register reports it too, in this column.
    mirror: str | None = None
    place: Place = in_folder


# From the spec, not from the loader: these are the contract.
REQUIRED_COLUMNS = {
    "organisations": ["org_id", "name", "org_type"],
    "systems": ["system_id", "name", "system_type"],
    "flows": ["flow_id", "source", "destination", "data_categories", "purposes", "identifiability", "controllers"],
    "agreements": ["agreement_id", "agreement_type", "parties"],
}
# A row of the good register for each required cell to blank.
BLANKED = {
    "organisations": {"org_id": 5, "name": 4, "org_type": 2},
    "systems": {"system_id": 4, "name": 2, "system_type": 5},
    "flows": {"flow_id": 7, "source": 2, "destination": 3, "data_categories": 4, "purposes": 5,
              "identifiability": 6, "controllers": 3},
    "agreements": {"agreement_id": 4, "agreement_type": 2, "parties": 3},
}  # fmt: skip
OPT_OUT = ("applied", "not_applied", "not_applicable", "exempt", "unknown")
NOT_IN_REFERENCE = "not in the reference data"

CASES = [
    # Files
    Case("no-flows-csv", drop_table("flows"), at(None, None, None, None, "flows.csv")),
    Case("empty-flows-csv", empty_table("flows"), at("flows", None, None, None, "empty")),
    # Required columns and cells
    *[
        Case(f"no-column-{table}-{column}", drop_column(table, column), at(table, 1, column, None, "required", column))
        for table, columns in REQUIRED_COLUMNS.items()
        for column in columns
    ],
    Case(
        "no-column-under-blank-rows",
        both(drop_column("flows", "purposes"), blank_rows_above("flows", 2)),
        at("flows", 3, "purposes", None, "required", "purposes"),
    ),
    *[
        Case(f"blank-{table}-{column}", edit(table, row, **{column: ""}), at(table, row, column, "", "required"))
        for table, rows in BLANKED.items()
        for column, row in rows.items()
    ],
    Case("controllers-only-separators", edit("flows", 4, controllers=" ; "),
         at("flows", 4, "controllers", ";", "required")),
    # Vocabularies: the problem names the allowed values
    Case("data-category-not-in-vocabulary", edit("flows", 3, data_categories="primary_care;genomics"),
         at("flows", 3, "data_categories", "genomics",
            "expected one of", "primary_care", "social_care", "wider_determinants")),
    Case("purpose-not-in-vocabulary", edit("flows", 4, purposes="marketing"),
         at("flows", 4, "purposes", "marketing",
            "expected one of", "direct_care", "population_health_management", "safeguarding")),
    Case("identifiability-not-in-vocabulary", edit("flows", 2, identifiability="pseudonymous"),
         at("flows", 2, "identifiability", "pseudonymous",
            "expected one of", "identifiable", "pseudonymised", "anonymised", "aggregate")),
    Case("org-type-not-in-vocabulary", edit("organisations", 4, org_type="software_house"),
         at("organisations", 4, "org_type", "software_house",
            "expected one of", "gp_practice", "supplier", "csu", "vcse")),
    Case("system-type-not-in-vocabulary", edit("systems", 4, system_type="dashboard"),
         at("systems", 4, "system_type", "dashboard",
            "expected one of", "phm_platform", "shared_care_record", "sde")),
    Case("agreement-type-not-in-vocabulary", edit("agreements", 3, agreement_type="mou"),
         at("agreements", 3, "agreement_type", "mou",
            "expected one of", "dsa", "art26_arrangement", "art28_contract")),
    Case("status-not-in-vocabulary", edit("flows", 6, status="active"),
         at("flows", 6, "status", "active", "expected one of", "planned", "live", "paused", "ceased")),
    Case("cldc-basis-not-in-vocabulary", edit("flows", 5, cldc_basis="consent"),
         at("flows", 5, "cldc_basis", "consent",
            "expected one of", "implied_consent", "explicit_consent", "s251", "copi")),
    Case("ndop-not-in-vocabulary", edit("flows", 4, ndop="yes"),
         at("flows", 4, "ndop", "yes", "expected one of", *OPT_OUT)),
    Case("type1-not-in-vocabulary", edit("flows", 2, type1="n/a"),
         at("flows", 2, "type1", "n/a", "expected one of", *OPT_OUT)),
    Case("art6-no-such-condition", edit("flows", 2, art6="6(1)(g)"),
         at("flows", 2, "art6", "6(1)(g)", "Art 6", "6(1)(e)")),
    Case("art6-given-an-art9-condition", edit("flows", 3, art6="9(2)(h)"),
         at("flows", 3, "art6", "9(2)(h)", "Art 6")),
    Case("art9-no-such-condition", edit("flows", 5, art9="9(2)(b);9(2)(k)"),
         at("flows", 5, "art9", "9(2)(k)", "Art 9", "9(2)(e)")),
    # Dates and booleans
    Case("organisation-valid-from-not-a-date", edit("organisations", 3, valid_from="01/04/2019"),
         at("organisations", 3, "valid_from", "01/04/2019", "YYYY-MM-DD")),
    Case("organisation-valid-to-not-a-date", edit("organisations", 3, valid_to="2030-02-30"),
         at("organisations", 3, "valid_to", "2030-02-30", "YYYY-MM-DD")),
    Case("flow-valid-from-not-a-date", edit("flows", 3, valid_from="2021-4-1"),
         at("flows", 3, "valid_from", "2021-4-1", "YYYY-MM-DD")),
    Case("flow-valid-to-not-a-date", edit("flows", 4, valid_to="31 Dec 2026"),
         at("flows", 4, "valid_to", "31 Dec 2026", "YYYY-MM-DD")),
    Case("agreement-start-not-a-date", edit("agreements", 2, start="April 2021"),
         at("agreements", 2, "start", "April 2021", "YYYY-MM-DD")),
    Case("agreement-end-not-a-date", edit("agreements", 4, end="2025-12-32"),
         at("agreements", 4, "end", "2025-12-32", "YYYY-MM-DD")),
    Case("joint-not-a-boolean", edit("flows", 3, joint="jointly"), at("flows", 3, "joint", "jointly", "true or false")),
    Case("legal-entity-not-a-boolean", edit("organisations", 2, legal_entity="maybe"),
         at("organisations", 2, "legal_entity", "maybe", "true or false")),
    Case("flow-valid-to-before-valid-from", edit("flows", 3, valid_to="2021-03-31"),
         at("flows", 3, "valid_to", "2021-03-31", "before valid_from", "2021-04-01")),
    Case("organisation-valid-to-before-valid-from", edit("organisations", 3, valid_to="2019-03-31"),
         at("organisations", 3, "valid_to", "2019-03-31", "before valid_from", "2019-04-01")),
    Case("agreement-end-before-start", edit("agreements", 2, end="2021-03-31"),
         at("agreements", 2, "end", "2021-03-31", "before start", "2021-04-01")),
    # Flows and ids within the register
    Case("flow-to-itself", edit("flows", 4, destination="shcr"), at("flows", 4, "destination", "shcr", "itself")),
    Case("duplicate-flow-id", copy_row("flows", 2, flow_id="f3"),
         at("flows", 8, "flow_id", "f3", "duplicate", "row 4")),
    Case("duplicate-org-id", copy_row("organisations", 4, org_id="0DF"),
         at("organisations", 7, "org_id", "0DF", "duplicate", "row 3")),
    Case("duplicate-system-id", copy_row("systems", 4, system_id="shcr"),
         at("systems", 6, "system_id", "shcr", "duplicate", "row 3")),
    Case("duplicate-agreement-id", copy_row("agreements", 4, agreement_id="dsa-1"),
         at("agreements", 5, "agreement_id", "dsa-1", "duplicate", "row 2")),
    Case("system-id-is-own-organisation-id", copy_row("systems", 5, system_id="YDD82"),
         at("systems", 6, "system_id", "YDD82", "duplicate", "organisations.csv row 4")),
    Case("system-id-is-reference-organisation-id", copy_row("systems", 5, system_id="QBB"),
         at("systems", 6, "system_id", "QBB", "must not collide with an organisation id")),
    # Ids the register names that nothing defines
    Case("unknown-source", edit("flows", 2, source="A99999"),
         at("flows", 2, "source", "A99999", "unknown id", NOT_IN_REFERENCE)),
    Case("unknown-destination", edit("flows", 3, destination="shcr-beta"),
         at("flows", 3, "destination", "shcr-beta", "unknown id", NOT_IN_REFERENCE)),
    Case("unknown-controller", edit("flows", 3, controllers="A00001;A00002;RAB"),
         at("flows", 3, "controllers", "RAB", "organisation", NOT_IN_REFERENCE)),
    Case("unknown-processor", edit("flows", 4, processors="0DX"),
         at("flows", 4, "processors", "0DX", "organisation", NOT_IN_REFERENCE)),
    Case("unknown-sub-processor", edit("flows", 3, sub_processors="YDD83"),
         at("flows", 3, "sub_processors", "YDD83", NOT_IN_REFERENCE)),
    Case("unknown-recipient-controller", edit("flows", 6, recipient_controller="E06000099"),
         at("flows", 6, "recipient_controller", "E06000099", NOT_IN_REFERENCE)),
    Case("unknown-party", edit("agreements", 4, parties="QAA;0DG"),
         at("agreements", 4, "parties", "0DG", NOT_IN_REFERENCE)),
    Case("unknown-parent", edit("organisations", 3, parent="X27"),
         at("organisations", 3, "parent", "X27", NOT_IN_REFERENCE)),
    Case("unknown-operator", edit("systems", 3, operator="0DE"), at("systems", 3, "operator", "0DE", NOT_IN_REFERENCE)),
    Case("unknown-supplier", edit("systems", 2, supplier="YDD99"),
         at("systems", 2, "supplier", "YDD99", NOT_IN_REFERENCE)),
    Case("unknown-icb", edit("systems", 4, icb="QCC"), at("systems", 4, "icb", "QCC", NOT_IN_REFERENCE)),
    Case("controller-is-a-system", edit("flows", 6, controllers="phm"),
         at("flows", 6, "controllers", "phm", "expected an organisation id", "system")),
    Case("parent-is-a-system", edit("organisations", 3, parent="gpes"),
         at("organisations", 3, "parent", "gpes", "expected an organisation id", "system")),
    Case("unknown-agreement", edit("flows", 2, agreements="dsa-2"),
         at("flows", 2, "agreements", "dsa-2", "unknown agreement")),
    Case("covers-an-unknown-id", edit("agreements", 4, covers="f3;phm-x"),
         at("agreements", 4, "covers", "phm-x", "expected a flow_id or a system_id", "not a flow or system")),
    Case("covers-an-organisation", edit("agreements", 3, covers="shcr;RAA"),
         at("agreements", 3, "covers", "RAA", "expected a flow_id or a system_id", "it is an organisation")),
    # Another register that contradicts the good one
    Case("organisation-defined-differently", alone("organisations", 2, name="NHS England and NHS Improvement"),
         at("organisations", 2, "org_id", "X26", "defined differently", "'good'"), name="other", mirror="org_id"),
    Case("reference-override-defined-differently", alone("organisations", 6, name="Alpha Hospitals NHS Trust"),
         at("organisations", 2, "org_id", "RAA", "defined differently", "'good'"), name="other", mirror="org_id"),
    Case("system-defined-differently", alone("systems", 3, hosting_location="Ireland"),
         at("systems", 2, "system_id", "shcr", "defined differently", "'good'"), name="other", mirror="system_id"),
    Case("flow-defined-differently", alone("flows", 4, purposes="planning"),
         at("flows", 2, "flow_id", "f3", "defined differently", "'good'"), name="other", mirror="flow_id"),
    Case("agreement-defined-differently", alone("agreements", 2, end="2027-03-31"),
         at("agreements", 2, "agreement_id", "dsa-1", "defined differently", "'good'"),
         name="other", mirror="agreement_id"),
    Case("system-id-is-other-registers-organisation", alone("systems", 5, system_id="0DF"),
         at("systems", 2, "system_id", "0DF", "must not collide with an organisation id"),
         name="other", mirror="org_id"),
    Case("organisation-id-is-other-registers-system", alone("organisations", 4, org_id="phm"),
         at("organisations", 2, "org_id", "phm", "already a system", "'good'"), name="other", mirror="system_id"),
    # Paths that are no register
    Case("neither-folder-nor-workbook", unchanged, at(None, None, None, None, "folder of CSV files", ".xlsx workbook"),
         place=as_lone_csv_file),
    Case("xlsx-that-is-not-a-workbook", unchanged, at(None, None, None, None, "not a readable .xlsx workbook"),
         place=as_csv_named_xlsx),
    Case("no-such-path", unchanged, at(None, None, None, None, "no such file or folder"), place=nowhere),
]  # fmt: skip

# The same defects in a workbook: the sheet is named in `where`, rows are counted as Excel shows them.
IN_WORKBOOK = {
    "no-flows-csv",
    "empty-flows-csv",
    "no-column-organisations-org_type",
    "no-column-under-blank-rows",
    "blank-flows-controllers",
    "purpose-not-in-vocabulary",
    "agreement-end-not-a-date",
    "legal-entity-not-a-boolean",
    "flow-valid-to-before-valid-from",
    "duplicate-flow-id",
    "unknown-operator",
}
WORKBOOK_CASES = [replace(case, id=f"{case.id}-xlsx", place=in_workbook) for case in CASES if case.id in IN_WORKBOOK]


# --- running a case --------------------------------------------------------------------------------------


def good_tables() -> Tables:
    return read_folder(GOOD)


def with_good_register(make_store: Callable[..., Store]) -> tuple[Store, ReferenceData]:
    reference = tiny_reference()
    store = make_store(reference=reference)
    load_into(store, reference, [read_register(GOOD, "good")])
    return store, reference


def snapshot(store: Store) -> tuple[object, ...]:
    """Everything a failed load must leave as it was, down to the embedded store's file on disk."""
    data_dir: Path | None = getattr(store, "data_dir", None)
    saved = (data_dir / STATE_FILE).read_bytes() if data_dir is not None else None
    if store.kind == "embedded":
        assert saved, "the embedded store should have persisted the good register"
    return store.loaded(), store.registers(), store.counts(), store.version(), saved


def attempt(store: Store, reference: ReferenceData, path: Path, name: str) -> list[Problem]:
    """Read and load a register as the CLI and API do; it must fail. The problems it gave."""
    with pytest.raises(InvalidRegister) as raised:
        load_into(store, reference, [read_register(path, name)])
    return raised.value.problems


def from_good(problem: Problem) -> bool:
    return problem.where == str(GOOD) or problem.where.startswith(str(GOOD) + os.sep)


@pytest.mark.parametrize("case", CASES + WORKBOOK_CASES, ids=lambda case: case.id)
def test_bad_register_is_reported_exactly_and_loads_nothing(case: Case, make_store, tmp_path: Path) -> None:
    store, reference = with_good_register(make_store)
    before = snapshot(store)
    tables = good_tables()
    case.defect(tables)
    path = case.place(tmp_path, tables)

    problems = attempt(store, reference, path, case.name)

    assert snapshot(store) == before
    listed = "\n".join(map(str, problems))
    own = [problem for problem in problems if not from_good(problem)]
    assert len(own) == 1, listed
    expect = case.expect
    found = own[0]
    assert (found.where, found.row, found.column, found.value) == (
        where(path, expect.table),
        expect.row,
        expect.column,
        expect.value,
    ), listed
    for word in expect.words:
        assert word in found.expected, listed
    mirrored = [(problem.column, problem.value) for problem in problems if from_good(problem)]
    assert mirrored == ([(case.mirror, expect.value)] if case.mirror else []), listed


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 45
    assert len({case.id for case in CASES + WORKBOOK_CASES}) == len(CASES + WORKBOOK_CASES)
    assert len(WORKBOOK_CASES) == len(IN_WORKBOOK)


def test_good_register_loads_on_every_store(make_store) -> None:
    store, _ = with_good_register(make_store)
    # The tiny reference has 12 organisations; the register adds 4 and overrides RAA.
    assert store.counts() == {"organisations": 16, "systems": 4, "flows": 6, "agreements": 3}
    assert [(info.name, info.path, dict(info.counts)) for info in store.registers()] == [
        ("good", str(GOOD), {"organisations": 5, "systems": 4, "flows": 6, "agreements": 3})
    ]


# --- every problem at once -------------------------------------------------------------------------------


def test_every_problem_in_the_cells_is_reported_at_once(tmp_path: Path) -> None:
    tables = good_tables()
    both(
        edit("organisations", 4, org_type="software_house"),
        edit("systems", 5, name=""),
        edit("flows", 2, purposes="marketing", valid_from="01/01/2020"),
        copy_row("flows", 3, flow_id="f1", joint="maybe"),  # a duplicate whose row is bad besides
        edit("agreements", 3, end="2020-01-01"),
    )(tables)
    folder = write_folder(tmp_path / "register", tables)

    with pytest.raises(InvalidRegister) as raised:
        read_register(folder)

    problems = raised.value.problems
    assert [(Path(p.where).name, p.row, p.column, p.value) for p in problems] == [
        ("organisations.csv", 4, "org_type", "software_house"),
        ("systems.csv", 5, "name", ""),
        ("flows.csv", 2, "purposes", "marketing"),
        ("flows.csv", 2, "valid_from", "01/01/2020"),
        ("flows.csv", 8, "joint", "maybe"),
        ("flows.csv", 8, "flow_id", "f1"),
        ("agreements.csv", 3, "end", "2020-01-01"),
    ]
    assert str(raised.value) == "register 'register' has 7 problem(s)"
    for problem in problems:
        message = str(problem)
        assert message.startswith(f"{problem.where}, row {problem.row}, column {problem.column}: {problem.value!r}: ")
        assert message.endswith(problem.expected)
    assert str(problems[2]) == (
        f"{folder / 'flows.csv'}, row 2, column purposes: 'marketing': expected one of: direct_care, "
        "risk_stratification, population_health_management, planning, commissioning, invoice_validation, "
        "national_collection, public_health, research, service_evaluation, clinical_audit, safeguarding, other"
    )
    assert problems[5].expected == f"duplicate id: already defined in {folder / 'flows.csv'} row 2"


def test_every_unknown_id_is_reported_at_once(tmp_path: Path) -> None:
    tables = good_tables()
    both(
        edit("systems", 2, supplier="YDD99"),
        edit("flows", 2, source="A99999", agreements="dsa-2"),
        edit("flows", 6, controllers="phm;B00002"),
        edit("agreements", 4, parties="QAA;0DG"),
    )(tables)
    register = read_register(write_folder(tmp_path / "register", tables))

    with pytest.raises(InvalidRegister) as raised:
        validate_together(tiny_reference(), {}, [register])

    assert [(Path(p.where).name, p.row, p.column, p.value) for p in raised.value.problems] == [
        ("systems.csv", 2, "supplier", "YDD99"),
        ("agreements.csv", 4, "parties", "0DG"),
        ("flows.csv", 2, "source", "A99999"),
        ("flows.csv", 2, "agreements", "dsa-2"),
        ("flows.csv", 6, "controllers", "phm"),
        ("flows.csv", 6, "controllers", "B00002"),
    ]
    assert "it is a system" in raised.value.problems[4].expected


def test_a_problem_without_a_row_says_so_plainly(tmp_path: Path) -> None:
    tables = good_tables()
    del tables["flows"]
    folder = write_folder(tmp_path / "register", tables)

    with pytest.raises(InvalidRegister) as raised:
        read_register(folder)

    [problem] = raised.value.problems
    assert str(problem) == f"{folder}: a register needs flows.csv (or a sheet named 'flows')"
    assert problem.as_dict()["message"] == str(problem)
