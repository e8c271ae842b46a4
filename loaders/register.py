"""Parsing and validating a register: cells in, a ``Register`` or every problem found out.

Nothing of a register is loaded unless all of it is valid, so validation collects every problem at once,
each with the file (or sheet), row, column, the value found and what was expected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from graph import schema
from graph.merge import Contents, merge
from graph.model import Agreement, Flow, Node, Organisation, ReferenceData, Register, System
from graph.schema import LIST_SEPARATOR, Kind
from graph.vocab import canonical_article
from loaders.problem import Problem as Problem  # re-exported: callers name it from here
from loaders.register_files import read_tables
from loaders.table import Table, UnreadableRegister


class InvalidRegister(Exception):
    """A register with problems; ``problems`` lists every one."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.name = name
        self.problems = problems
        super().__init__(f"register {name!r} has {len(problems)} problem(s)")


# --- cell types ------------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell's value is not of its column's type; the message says what was expected."""


Parse = Callable[[str], Any]


def text(cell: str) -> str:
    return cell


def boolean(cell: str) -> bool:
    lowered = cell.lower()
    if lowered in ("true", "yes", "y", "1"):
        return True
    if lowered in ("false", "no", "n", "0"):
        return False
    raise CellError("expected true or false")


def iso_date(cell: str) -> date:
    try:
        return date.fromisoformat(cell)
    except ValueError:
        raise CellError("expected an ISO date YYYY-MM-DD") from None


def vocabulary(enum: type[StrEnum]) -> Parse:
    allowed = {member.value: member for member in enum}

    def parse(cell: str) -> StrEnum:
        member = allowed.get(cell.lower().replace(" ", "_").replace("-", "_"))
        if member is None:
            raise CellError(f"expected one of: {', '.join(allowed)}")
        return member

    return parse


def article(enum: type[StrEnum]) -> Parse:
    """Art 6 or Art 9 references (``enum`` lists the canonical ones), in their common spellings."""
    allowed = {member.value for member in enum}
    example = next(value for value in allowed if value.endswith("(e)"))
    prefix = example[0]

    def parse(cell: str) -> str:
        canonical = canonical_article(cell)
        if canonical is None or canonical not in allowed:
            raise CellError(f"expected an Art {prefix} reference such as {example}")
        return canonical

    return parse


def parser_for(column: schema.Column) -> Parse:
    """How one cell (one item of a list) of the column is read."""
    if column.kind is Kind.BOOLEAN:
        return boolean
    if column.kind is Kind.DATE:
        return iso_date
    if column.kind is Kind.VOCABULARY:
        return vocabulary(column.enum)
    if column.kind is Kind.ARTICLE:
        return article(column.enum)
    return text  # free text, and ids (which ``check_against`` resolves)


@dataclass(frozen=True, slots=True)
class Column:
    """A declared column with the function that reads its cells."""

    name: str
    parse: Parse
    required: bool
    is_list: bool


SCHEMA: dict[str, dict[str, Column]] = {
    table.name: {c.name: Column(c.name, parser_for(c), c.required, c.many) for c in table.columns}
    for table in schema.TABLES.values()
}
KEYS = {table.name: table.key for table in schema.TABLES.values()}
# Columns whose model field has another name (none today): their values are renamed before the record is made.
RENAMED = {t.name: {c.name: c.field for c in t.columns if c.field != c.name} for t in schema.TABLES.values()}
NOT_AN_ORGANISATION = "not in the reference data nor in organisations.csv"
# The columns that name other records, which must exist in the graph the register joins.
REFERENCE_COLUMNS = {
    table.name: tuple(c for c in table.columns if c.kind in schema.REFERENCES) for table in schema.TABLES.values()
}
# Nodes share one id space; flows and agreements each have their own.
KEY_PREFIX = {"organisations": "", "systems": "", "flows": "flow:", "agreements": "agreement:"}


# --- rows into records -----------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, row: int | None, column: str | None, value: str | None, expected: str) -> None:
        self.problems.append(Problem(where, row, column, value, expected))


# Cells repeat: a national register has a few hundred distinct category lists, dates and controller
# lists over tens of thousands of rows. Each column remembers what its valid cells parse to, so a
# repeated cell costs one dict lookup; single free-text cells (names, notes) are not remembered.
Memo = dict[str, dict[str, Any]]


def _parse_row(
    table: Table, number: int, cells: Mapping[str, str], report: _Collector, memo: Memo
) -> tuple[dict[str, Any], bool]:
    """The row's parsed values (those that parsed) and whether every cell was valid."""
    columns = SCHEMA[table.name]
    values: dict[str, Any] = {}
    ok = True
    for column in columns.values():
        cell = cells.get(column.name, "")
        remembered = memo[column.name] if column.is_list or column.parse is not text else None
        if remembered is not None and cell in remembered:
            values[column.name] = remembered[cell]
            continue
        items = ([item.strip() for item in cell.split(LIST_SEPARATOR)] if column.is_list else [cell]) if cell else []
        items = [item for item in items if item]
        if not items:  # an empty cell, or a list cell of separators only (";"), records nothing
            if column.required:
                report.add(table.where, number, column.name, cell, "a value is required")
                ok = False
            continue
        parsed = []
        valid = True
        for item in items:
            try:
                parsed.append(column.parse(item))
            except CellError as error:
                report.add(table.where, number, column.name, item, str(error))
                ok = valid = False
        if column.is_list:
            values[column.name] = tuple(dict.fromkeys(parsed))
        elif parsed:
            values[column.name] = parsed[0]
        if valid and remembered is not None:
            remembered[cell] = values[column.name]
    return values, ok


def _check_header(table: Table, report: _Collector) -> bool:
    columns = SCHEMA[table.name]
    missing = [column.name for column in columns.values() if column.required and column.name not in table.header]
    for name in missing:
        report.add(
            table.where, table.header_row, name, None, f"the required column {name!r} is missing from the header"
        )
    return not missing


def _check_dates(where: str, number: int, values: Mapping[str, Any], start: str, end: str, report: _Collector) -> None:
    first, last = values.get(start), values.get(end)
    if first is not None and last is not None and last < first:
        report.add(where, number, end, last.isoformat(), f"{end} must not be before {start} ({first.isoformat()})")


def parse_register(name: str, path: str, tables: Mapping[str, Table]) -> Register:
    """A validated register from its tables, or ``InvalidRegister`` with every problem in it.

    This checks what the register says of itself: cells, vocabularies, duplicate ids, dates, self-flows.
    Whether the ids it names exist in the graph is ``check_against`` 's job.
    """
    report = _Collector()
    register = Register(name=name, path=path)
    if "flows" not in tables:
        report.add(path, None, None, None, "a register needs flows.csv (or a sheet named 'flows')")
    seen: dict[str, tuple[str, int]] = {}

    def claim(table_name: str, identifier: str, where: str, number: int) -> bool:
        key = KEY_PREFIX[table_name] + identifier
        if key in seen:
            first_where, first_row = seen[key]
            report.add(
                where,
                number,
                KEYS[table_name],
                identifier,
                f"duplicate id: already defined in {first_where} row {first_row}",
            )
            return False
        seen[key] = (where, number)
        return True

    for table in tables.values():
        table_name = table.name
        if not table.header:
            if table_name == "flows":
                report.add(table.where, None, None, None, "the file is empty: expected a header row and flows")
            continue
        if not _check_header(table, report):
            continue
        memo: Memo = {column: {} for column in SCHEMA[table_name]}
        for number, cells in table.rows:
            values, ok = _parse_row(table, number, cells, report, memo)
            if table_name in ("organisations", "flows"):
                _check_dates(table.where, number, values, "valid_from", "valid_to", report)
            elif table_name == "agreements":
                _check_dates(table.where, number, values, "start", "end", report)
            if table_name == "flows" and values.get("source") and values.get("source") == values.get("destination"):
                report.add(
                    table.where, number, "destination", values["destination"], "a flow cannot go from a node to itself"
                )
            # Claim the id even when another cell is bad, so that a duplicate is reported in the same run.
            key_column = KEYS[table_name]
            fresh = key_column in values and claim(table_name, values[key_column], table.where, number)
            if not (ok and fresh):
                continue
            if RENAMED[table_name]:
                values = {RENAMED[table_name].get(column, column): value for column, value in values.items()}
            if table_name == "organisations":
                register.organisations.append(Organisation(**values, source=name))
            elif table_name == "systems":
                register.systems.append(System(**values, source=name))
            elif table_name == "flows":
                register.flows.append(Flow(**values, source_register=name))
            else:
                register.agreements.append(Agreement(**values, source_register=name))
    if report.problems:
        raise InvalidRegister(name, report.problems)
    register.locations = seen
    return register


# --- the register against the graph it joins ----------------------------------------------------------


def _facts(node: Node) -> Node:
    return replace(node, source="")


def check_against(register: Register, others: Contents, defined: Mapping[str, Node]) -> None:
    """Raise ``InvalidRegister`` unless every id the register names exists and none contradicts the graph.

    ``others`` is the graph without this register (reference data and the other registers) and
    ``defined`` the organisation and system rows those other registers wrote. An organisation row may
    override a reference organisation's facts; an id another register defines must mean the same.
    """
    report = _Collector()
    nodes, flows, agreements = others.nodes, others.flows, others.agreements
    own: dict[str, Node] = {}
    for organisation in register.organisations:
        own[organisation.org_id] = organisation
    for system in register.systems:
        own[system.system_id] = system

    def at(key: str) -> tuple[str, int | None]:
        return register.locations.get(key, (register.path, None))

    for identifier, node in own.items():
        where, number = at(identifier)
        column = "org_id" if isinstance(node, Organisation) else "system_id"
        other = nodes.get(identifier)
        if other is None:
            continue
        if isinstance(node, System) and isinstance(other, Organisation):
            report.add(where, number, column, identifier, "a system id must not collide with an organisation id")
        elif isinstance(node, Organisation) and isinstance(other, System):
            report.add(where, number, column, identifier, f"this id is already a system in register {other.source!r}")
        elif identifier in defined and _facts(defined[identifier]) != _facts(node):
            report.add(
                where,
                number,
                column,
                identifier,
                f"defined differently in register {defined[identifier].source!r}: an id must mean one thing",
            )

    # Which ids are organisations and which systems, a register's own rows first: sets, as a national
    # register names a few hundred thousand ids.
    organisation_ids = {i for i, n in own.items() if isinstance(n, Organisation)}
    organisation_ids |= {i for i, n in nodes.items() if isinstance(n, Organisation) and i not in own}
    system_ids = {i for i, n in own.items() if isinstance(n, System)}
    system_ids |= {i for i, n in nodes.items() if isinstance(n, System) and i not in own}
    agreement_ids = {a.agreement_id for a in register.agreements} | set(agreements)
    flow_ids = {f.flow_id for f in register.flows} | set(flows)

    # What is wrong with an id named in a column of each kind, or None when it names the right record.
    def organisation_problem(identifier: str) -> str | None:
        if identifier in organisation_ids:
            return None
        known = identifier in system_ids
        return f"expected an organisation id ({'it is a system' if known else NOT_AN_ORGANISATION})"

    def node_problem(identifier: str) -> str | None:
        if identifier in organisation_ids or identifier in system_ids:
            return None
        return "unknown id: not in the reference data, organisations.csv or systems.csv"

    def agreement_problem(identifier: str) -> str | None:
        return None if identifier in agreement_ids else "unknown agreement id: not in agreements.csv"

    def covered_problem(identifier: str) -> str | None:
        if identifier in flow_ids or identifier in system_ids:
            return None
        hint = "it is an organisation" if identifier in organisation_ids else "not a flow or system of the graph"
        return f"expected a flow_id or a system_id ({hint})"

    problem_of = {
        Kind.ORGANISATION: organisation_problem,
        Kind.NODE: node_problem,
        Kind.AGREEMENT: agreement_problem,
        Kind.FLOW_OR_SYSTEM: covered_problem,
    }
    checks = {
        table: [(c.field, c.name, c.many, problem_of[c.kind]) for c in columns]
        for table, columns in REFERENCE_COLUMNS.items()
    }

    def resolve_all(table: str, record: object, where: str, number: int | None) -> None:
        """Report every id the record's reference columns name that names no record of the right kind."""
        for field, column, many, problem in checks[table]:
            value = getattr(record, field)
            if value is None:
                continue
            for identifier in value if many else (value,):
                expected = problem(identifier)
                if expected is not None:
                    report.add(where, number, column, identifier, expected)

    for organisation_row in register.organisations:
        resolve_all("organisations", organisation_row, *at(organisation_row.org_id))
    for system in register.systems:
        resolve_all("systems", system, *at(system.system_id))

    for agreement in register.agreements:
        where, number = at("agreement:" + agreement.agreement_id)
        resolve_all("agreements", agreement, where, number)
        other_agreement = agreements.get(agreement.agreement_id)
        if other_agreement is not None and replace(other_agreement, source_register="") != replace(
            agreement, source_register=""
        ):
            report.add(
                where,
                number,
                "agreement_id",
                agreement.agreement_id,
                f"defined differently in register {other_agreement.source_register!r}",
            )

    for flow in register.flows:
        where, number = at("flow:" + flow.flow_id)
        resolve_all("flows", flow, where, number)
        other_flow = flows.get(flow.flow_id)
        if other_flow is not None and replace(other_flow, source_register="") != replace(flow, source_register=""):
            report.add(
                where,
                number,
                "flow_id",
                flow.flow_id,
                f"defined differently in register {other_flow.source_register!r}",
            )
    if report.problems:
        raise InvalidRegister(register.name, report.problems)


def register_name(path: Path) -> str:
    """A register is named after its folder or workbook file unless given a name."""
    resolved = path.resolve()
    return resolved.stem if resolved.is_file() else resolved.name


def read_register(path: Path, name: str | None = None) -> Register:
    """Read and validate one register folder or workbook (its own content only)."""
    name = name or register_name(path)
    try:
        # The tables' rows are read as they are parsed, so a file's flaw can surface in either step.
        return parse_register(name, str(path), read_tables(path))
    except UnreadableRegister as error:
        raise InvalidRegister(name, list(error.problems)) from None


def validate_together(reference: ReferenceData, loaded: Mapping[str, Register], incoming: list[Register]) -> None:
    """Raise ``InvalidRegister`` with every problem unless loading ``incoming`` leaves a sound graph.

    Registers of the same name as an incoming one are replaced. Every register of the resulting graph
    is checked against all the others, so replacing one cannot strand another's flows.
    """
    problems: list[Problem] = []
    names = [register.name for register in incoming]
    for name in {n for n in names if names.count(n) > 1}:
        problems.append(Problem(name, None, None, None, "two registers given the same name: name them apart"))
    final = {name: register for name, register in loaded.items() if name not in names}
    final.update({register.name: register for register in incoming})
    for register in final.values():
        others = [other for other in final.values() if other is not register]
        defined: dict[str, Node] = {}
        for other in others:
            defined.update((o.org_id, o) for o in other.organisations)
            defined.update((s.system_id, s) for s in other.systems)
        try:
            check_against(register, merge(reference, others), defined)
        except InvalidRegister as error:
            problems += error.problems
    if problems:
        raise InvalidRegister(", ".join(names), problems)
