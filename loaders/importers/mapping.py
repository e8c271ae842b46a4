"""The mapping file of ``icsgraph import sheet``: which of a user's sheets and columns become which register
tables and columns, in TOML.

```toml
[[table]]
register = "flows"            # which register table these rows become
sheet = "Data flows"          # xlsx sheet name; default the first sheet
header_row = 3                # 1-based row holding the headers; default 1
[table.columns]               # register column = header in your file
flow_id = "Flow ref"
[table.values.identifiability]   # your value = register value, matched ignoring case and spaces
"Personal confidential data" = "identifiable"
[table.defaults]              # register column = value when the cell is empty or not mapped
status = "live"
[table.split]                 # separator your file uses in a list column (default ";")
controllers = ","
```

``parse_mapping`` checks the mapping on its own (register tables and columns, types, required columns,
default and mapped values against the register's vocabularies), every problem located in the mapping file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from loaders.register import SCHEMA, CellError, Column, InvalidRegister, Problem

KEYS = ("register", "sheet", "header_row", "columns", "values", "defaults", "split")


def value_key(value: str) -> str:
    """How a user's value is looked up in ``[table.values.*]``: ignoring case and spaces.

    >>> value_key(" Personal  Confidential data ")
    'personalconfidentialdata'
    """
    return "".join(value.split()).casefold()


@dataclass(frozen=True, slots=True)
class TableMap:
    """One ``[[table]]``: where its rows are, and how each register column is filled."""

    number: int  # 1-based position in the mapping file, for messages
    register: str
    sheet: str | None
    header_row: int
    columns: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> value_key(theirs) -> ours
    defaults: dict[str, str] = field(default_factory=dict)
    split: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"[[table]] {self.number} ({self.register})"


@dataclass(frozen=True, slots=True)
class SheetMapping:
    path: str
    tables: tuple[TableMap, ...]


def _text(value: Any) -> str | None:
    """A TOML value as register text: strings as written, booleans true/false, numbers and dates as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float):
        return str(value)
    return None


class _Problems:
    """Problems of one mapping file, each at the entry and key it is about."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.found: list[Problem] = []

    def add(self, place: str, value: object, expected: str) -> None:
        shown = None if value is None else str(value)[:200]
        self.found.append(Problem(f"{self.where}, {place}" if place else self.where, None, None, shown, expected))

    def register_value(self, place: str, column: Column, value: Any) -> str | None:
        """The value as register text, if the register's loader accepts it for ``column``; else a problem."""
        text = _text(value)
        if text is None:
            self.add(place, value, "expected a value as text")
            return None
        items = [item.strip() for item in text.split(";")] if column.is_list else [text]
        ok = True
        for item in items:
            try:
                column.parse(item)  # the loader's own rule for the column
            except CellError as error:
                self.add(place, item, str(error))
                ok = False
        return text if ok else None

    def fail_if_any(self) -> None:
        if self.found:
            raise InvalidRegister(Path(self.where).stem, self.found)


def parse_mapping(document: str, where: str) -> SheetMapping:
    """The mapping in a TOML text, or ``InvalidRegister`` listing every problem with it.

    >>> m = parse_mapping('[[table]]\\nregister = "flows"\\ncolumns = {flow_id = "Ref", source = "From", '
    ...   'destination = "To", data_categories = "Data", purposes = "Why", identifiability = "Type", '
    ...   'controllers = "Controller"}', "map.toml")
    >>> m.tables[0].columns["flow_id"], m.tables[0].header_row, m.tables[0].sheet is None
    ('Ref', 1, True)
    """
    problems = _Problems(where)
    try:
        data = tomllib.loads(document)
    except tomllib.TOMLDecodeError as error:
        problems.add("", None, f"not valid TOML: {error}")
        problems.fail_if_any()
    for key in data:
        if key != "table":
            problems.add(f"key {key}", None, "unknown key: a mapping holds [[table]] entries only")
    entries = data.get("table")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        problems.add("[[table]]", None, 'expected at least one [[table]] entry: [[table]], then register = "flows"')
        problems.fail_if_any()
    assert isinstance(entries, list)
    tables = [table for number, entry in enumerate(entries, start=1) if (table := _table(number, entry, problems))]
    problems.fail_if_any()
    return SheetMapping(where, tuple(tables))


def _table(number: int, entry: dict[str, Any], problems: _Problems) -> TableMap | None:
    for key in entry:
        if key not in KEYS:
            problems.add(f"[[table]] {number}, key {key}", None, f"unknown key: expected one of {', '.join(KEYS)}")
    register = entry.get("register")
    if register not in SCHEMA:
        problems.add(f"[[table]] {number}, key register", register, f"expected one of: {', '.join(SCHEMA)}")
        return None
    place = f"[[table]] {number} ({register})"
    schema = SCHEMA[register]
    sheet = entry.get("sheet")
    if sheet is not None and (not isinstance(sheet, str) or not sheet.strip()):
        problems.add(f"{place}, key sheet", sheet, 'expected the sheet\'s name as text, e.g. sheet = "Data flows"')
        sheet = None
    header_row = entry.get("header_row", 1)
    if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
        problems.add(f"{place}, key header_row", header_row, "expected the number of your header row, 1 or more")
        header_row = 1
    sections: dict[str, dict[str, Any]] = {}
    for section in ("columns", "values", "defaults", "split"):
        found = entry.get(section, {})
        if not isinstance(found, dict):
            problems.add(f"{place}, key {section}", found, f"expected a table: [table.{section}]")
            found = {}
        for column in found:
            if column not in schema:
                known = ", ".join(schema)
                problems.add(
                    f"{place}, [table.{section}] {column}", None, f"not a {register} column; they are: {known}"
                )
        sections[section] = {column: value for column, value in found.items() if column in schema}
    columns: dict[str, str] = {}
    for column, header in sections["columns"].items():
        if isinstance(header, str) and header.strip():
            columns[column] = " ".join(header.split())
        else:
            problems.add(
                f"{place}, [table.columns] {column}", header, "expected the header of a column of yours, as text"
            )
    defaults = {
        column: text
        for column, value in sections["defaults"].items()
        if (text := problems.register_value(f"{place}, [table.defaults] {column}", schema[column], value)) is not None
    }
    values: dict[str, dict[str, str]] = {}
    for column, table in sections["values"].items():
        if not isinstance(table, dict):
            problems.add(f"{place}, [table.values] {column}", table, f"expected a table: [table.values.{column}]")
            continue
        values[column] = {}
        for theirs, ours in table.items():
            text = problems.register_value(f"{place}, [table.values.{column}] {theirs!r}", schema[column], ours)
            if text is not None:
                values[column][value_key(theirs)] = text
    split: dict[str, str] = {}
    for column, separator in sections["split"].items():
        if not schema[column].is_list:
            lists = ", ".join(c for c, spec in schema.items() if spec.is_list)
            problems.add(
                f"{place}, [table.split] {column}", separator, f"not a list column; the list columns are: {lists}"
            )
        elif not isinstance(separator, str) or not separator:
            problems.add(f"{place}, [table.split] {column}", separator, 'expected the separator as text, e.g. ","')
        else:
            split[column] = separator
    for column, spec in schema.items():
        if spec.required and column not in columns and column not in defaults:
            problems.add(
                place,
                None,
                f"the {register} table needs {column}: map it in [table.columns] or set it in [table.defaults]",
            )
    return TableMap(number, register, sheet, header_row, columns, values, defaults, split)


def read_mapping(path: Path) -> SheetMapping:
    """The mapping in a TOML file (UTF-8)."""
    try:
        document = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = "it is not UTF-8 text" if isinstance(error, UnicodeDecodeError) else error.strerror or str(error)
        raise InvalidRegister(
            path.stem, [Problem(str(path), None, None, None, f"cannot read the mapping: {reason}")]
        ) from None
    return parse_mapping(document, str(path))
