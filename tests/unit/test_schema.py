"""The register declaration (``graph.schema``) against the model, the vocabularies, the loader, the writer and
the API: a test here fails when any of them drifts from the one declaration.

The declaration against the spec itself is checked through ``docs/register.md`` (generated from the
declaration and committed, so a change to the contract shows in review) by ``tests/test_docs.py``.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from fixtures.make_fixtures import good_tables, write_folder
from support import SYSTEMS, header, register, tiny_reference

from app import schemas
from graph import schema, vocab
from graph.schema import TABLES, Column, Kind, TableSchema
from loaders.register import InvalidRegister, read_register, validate_together
from loaders.register_writer import write_register

ITEM_TYPES = {
    Kind.ID: str,
    Kind.TEXT: str,
    Kind.BOOLEAN: bool,
    Kind.DATE: date,
    Kind.ORGANISATION: str,
    Kind.NODE: str,
    Kind.AGREEMENT: str,
    Kind.FLOW_OR_SYSTEM: str,
    Kind.ARTICLE: str,  # stored in canonical form; the vocabulary lists the forms
}


def expected_hint(column: Column) -> Any:
    """The model field type a column of this kind fills."""
    item = column.enum if column.kind is Kind.VOCABULARY else ITEM_TYPES[column.kind]
    if column.many:
        return tuple[item, ...]  # type: ignore[valid-type]
    return item


def unwrap(hint: Any) -> tuple[Any, bool]:
    """A hint without its ``| None``, and whether it had one."""
    args = typing.get_args(hint)
    if type(None) in args:
        rest = [arg for arg in args if arg is not type(None)]
        return rest[0], True
    return hint, False


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda table: table.name)
def test_every_model_field_is_a_declared_column_or_said_to_come_from_elsewhere(table: TableSchema) -> None:
    fields = [field.name for field in dataclasses.fields(table.record)]
    filled = [column.field for column in table.columns]
    assert len(set(filled)) == len(filled), "two columns fill one field"
    assert set(filled).isdisjoint(table.unfilled), "a field both filled by a column and said to come from elsewhere"
    assert sorted(fields) == sorted([*filled, *table.unfilled]), (
        f"{table.record.__name__}'s fields and the declared columns of {table.file} differ: declare the new column "
        "in graph/schema.py (or say in `unfilled` where the field's value comes from)"
    )


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda table: table.name)
def test_every_column_fills_a_field_of_its_type(table: TableSchema) -> None:
    hints = typing.get_type_hints(table.record)
    defaults = {field.name: field for field in dataclasses.fields(table.record)}
    for column in table.columns:
        hint, nullable = unwrap(hints[column.field])
        assert hint == expected_hint(column), f"{table.file} {column.name}: the model says {hint}"
        field = defaults[column.field]
        has_default = field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
        if column.required:
            assert not nullable and not has_default, f"{column.name} is required: its field needs a value"
        else:
            assert nullable or has_default, f"{column.name} is optional: its field needs None or a default"
        if has_default and not nullable and not column.many:
            assert column.default is not None, f"{column.name}: say what an empty cell means (the field's default)"


def test_the_declared_vocabularies_are_the_vocabularies_of_graph_vocab() -> None:
    enums = {value for value in vars(vocab).values() if inspect.isclass(value) and issubclass(value, StrEnum)}
    enums.discard(StrEnum)
    assert set(schema.VOCABULARIES.values()) == enums
    used = {column.vocabulary for table in TABLES.values() for column in table.columns if column.vocabulary}
    assert used == set(schema.VOCABULARIES), "a vocabulary no column uses, or a column naming an unknown one"


def test_each_table_has_one_id_column_and_the_order_of_the_spec() -> None:
    assert list(TABLES) == ["organisations", "systems", "flows", "agreements"]
    assert [table.key for table in TABLES.values()] == ["org_id", "system_id", "flow_id", "agreement_id"]
    assert [table.name for table in TABLES.values() if table.required] == ["flows"]
    for table in TABLES.values():
        assert [column.kind for column in table.columns].count(Kind.ID) == 1
        assert table.columns[0].kind is Kind.ID and table.columns[0].required


def test_a_column_pairs_a_vocabulary_with_its_kind() -> None:
    with pytest.raises(ValueError, match="vocabulary"):
        Column("status", Kind.TEXT, "Where the flow stands.", vocabulary="status")
    with pytest.raises(ValueError, match="vocabulary"):
        Column("status", Kind.VOCABULARY, "Where the flow stands.")


# --- every layer reads the declaration --------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda table: table.name)
def test_the_api_schema_has_every_field_of_the_record_typed_as_json(table: TableSchema) -> None:
    model = {"organisations": schemas.Organisation, "systems": schemas.System, "flows": schemas.Flow}.get(
        table.name, schemas.Agreement
    )
    api_fields = model.model_fields
    record_fields = [field.name for field in dataclasses.fields(table.record)]
    assert [name for name in api_fields if name in record_fields] == record_fields
    for column in table.columns:
        api = api_fields[column.field]
        assert api.description == column.meaning
        annotation, nullable = unwrap(api.annotation)
        plain = {Kind.BOOLEAN: bool}.get(column.kind, str)
        assert annotation == (list[plain] if column.many else plain), column.name  # type: ignore[valid-type]
        assert api.is_required() == (not nullable), column.name


def test_the_writer_writes_every_declared_column_in_order_and_reads_back(tmp_path: Path) -> None:
    good = read_register(write_folder(tmp_path / "good", good_tables()), "good")
    written = write_register(good, tmp_path / "written")
    for table in TABLES.values():
        text = (tmp_path / "written" / table.file).read_text(encoding="utf-8")
        assert text.splitlines()[0] == header(table.name)
    assert set(written) == {table.file for table in TABLES.values()}
    again = read_register(tmp_path / "written", "good")
    assert dataclasses.replace(again, path=good.path) == good
    assert [a.covers for a in again.agreements] == [(), ("shcr",), ("f3", "phm")]


# --- the covers column of agreements.csv ----------------------------------------------------------------


def covering(covers: str, flows: str = "f1,A00001,gp-a,primary_care,direct_care,identifiable,A00001,,,") -> Any:
    agreements = header("agreements", "agreement_id", "agreement_type", "parties", "covers") + "\n"
    return register("covering", systems=SYSTEMS, flows=flows, agreements=agreements + f"a1,dsa,A00001,{covers}\n")


def test_covers_names_flows_of_any_loaded_register_or_systems() -> None:
    other = register("other", systems=SYSTEMS, flows="f9,A00002,gp-a,primary_care,direct_care,identifiable,A00002,,,")
    mine = covering("f1;f9;shcr")
    validate_together(tiny_reference(), {"other": other}, [mine])
    assert mine.agreements[0].covers == ("f1", "f9", "shcr")


def test_covers_refuses_an_id_that_is_no_flow_or_system_and_says_where() -> None:
    mine = covering("f1;f2;QAA")
    with pytest.raises(InvalidRegister) as raised:
        validate_together(tiny_reference(), {}, [mine])
    assert [str(problem) for problem in raised.value.problems] == [
        "agreements.csv, row 2, column covers: 'f2': expected a flow_id or a system_id "
        "(not a flow or system of the graph)",
        "agreements.csv, row 2, column covers: 'QAA': expected a flow_id or a system_id (it is an organisation)",
    ]


def test_a_register_whose_flow_another_agreement_covers_cannot_be_dropped() -> None:
    other = register("other", systems=SYSTEMS, flows="f9,A00002,gp-a,primary_care,direct_care,identifiable,A00002,,,")
    mine = covering("f9", flows="")
    validate_together(tiny_reference(), {}, [other, mine])
    emptied = register("other", systems=SYSTEMS, flows="")
    with pytest.raises(InvalidRegister) as raised:
        validate_together(tiny_reference(), {"other": other, "covering": mine}, [emptied])
    assert [(p.column, p.value) for p in raised.value.problems] == [("covers", "f9")]
