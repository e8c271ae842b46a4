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

from graph.merge import Contents, merge
from graph.model import Agreement, Flow, Node, Organisation, ReferenceData, Register, System
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
    canonical_article,
)
from loaders.problem import Problem
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


def article(prefix: str) -> Parse:
    def parse(cell: str) -> str:
        canonical = canonical_article(cell)
        if canonical is None or not canonical.startswith(prefix):
            raise CellError(f"expected an Art {prefix} reference such as {prefix}({'1' if prefix == '6' else '2'})(e)")
        return canonical

    return parse


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    parse: Parse = text
    required: bool = False
    is_list: bool = False


def _columns(*columns: Column) -> dict[str, Column]:
    return {column.name: column for column in columns}


ORGANISATION_COLUMNS = _columns(
    Column("org_id", required=True),
    Column("name", required=True),
    Column("org_type", vocabulary(OrgType), required=True),
    Column("legal_entity", boolean),
    Column("parent"),
    Column("valid_from", iso_date),
    Column("valid_to", iso_date),
)
SYSTEM_COLUMNS = _columns(
    Column("system_id", required=True),
    Column("name", required=True),
    Column("system_type", vocabulary(SystemType), required=True),
    Column("operator"),
    Column("supplier"),
    Column("icb"),
    Column("hosting_location"),
)
FLOW_COLUMNS = _columns(
    Column("flow_id", required=True),
    Column("source", required=True),
    Column("destination", required=True),
    Column("data_categories", vocabulary(DataCategory), required=True, is_list=True),
    Column("purposes", vocabulary(Purpose), required=True, is_list=True),
    Column("identifiability", vocabulary(Identifiability), required=True),
    Column("controllers", required=True, is_list=True),
    Column("joint", boolean),
    Column("processors", is_list=True),
    Column("sub_processors", is_list=True),
    Column("recipient_controller"),
    Column("art6", article("6"), is_list=True),
    Column("art9", article("9"), is_list=True),
    Column("cldc_basis", vocabulary(CldcBasis)),
    Column("legal_instruments", is_list=True),
    Column("ndop", vocabulary(OptOutStatus)),
    Column("type1", vocabulary(OptOutStatus)),
    Column("agreements", is_list=True),
    Column("datasets", is_list=True),
    Column("status", vocabulary(FlowStatus)),
    Column("valid_from", iso_date),
    Column("valid_to", iso_date),
    Column("frequency"),
    Column("transport"),
    Column("evidence"),
    Column("notes"),
)
AGREEMENT_COLUMNS = _columns(
    Column("agreement_id", required=True),
    Column("agreement_type", vocabulary(AgreementType), required=True),
    Column("parties", required=True, is_list=True),
    Column("start", iso_date),
    Column("end", iso_date),
    Column("reference"),
)
SCHEMA: dict[str, dict[str, Column]] = {
    "organisations": ORGANISATION_COLUMNS,
    "systems": SYSTEM_COLUMNS,
    "flows": FLOW_COLUMNS,
    "agreements": AGREEMENT_COLUMNS,
}


KEYS = {"organisations": "org_id", "systems": "system_id", "flows": "flow_id", "agreements": "agreement_id"}
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
        items = ([item.strip() for item in cell.split(";")] if column.is_list else [cell]) if cell else []
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

    def known(identifier: str) -> bool:
        return identifier in own or identifier in nodes

    def is_organisation(identifier: str) -> bool:
        return isinstance(own.get(identifier) or nodes.get(identifier), Organisation)

    def need(where: str, number: int | None, column: str, identifier: str | None, what: str = "node") -> None:
        if identifier is None:
            return
        if what == "organisation" and not is_organisation(identifier):
            hint = "it is a system" if known(identifier) else "not in the reference data nor in organisations.csv"
            report.add(where, number, column, identifier, f"expected an organisation id ({hint})")
        elif not known(identifier):
            report.add(
                where,
                number,
                column,
                identifier,
                "unknown id: not in the reference data, organisations.csv or systems.csv",
            )

    for organisation_row in register.organisations:
        where, number = at(organisation_row.org_id)
        need(where, number, "parent", organisation_row.parent, "organisation")
    for system in register.systems:
        where, number = at(system.system_id)
        need(where, number, "operator", system.operator, "organisation")
        need(where, number, "supplier", system.supplier, "organisation")
        need(where, number, "icb", system.icb, "organisation")

    agreement_ids = {a.agreement_id for a in register.agreements} | set(agreements)
    for agreement in register.agreements:
        where, number = at("agreement:" + agreement.agreement_id)
        for party in agreement.parties:
            need(where, number, "parties", party, "organisation")
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
        need(where, number, "source", flow.source)
        need(where, number, "destination", flow.destination)
        for column, ids in (
            ("controllers", flow.controllers),
            ("processors", flow.processors),
            ("sub_processors", flow.sub_processors),
        ):
            for identifier in ids:
                need(where, number, column, identifier, "organisation")
        need(where, number, "recipient_controller", flow.recipient_controller, "organisation")
        for agreement_id in flow.agreements:
            if agreement_id not in agreement_ids:
                report.add(where, number, "agreements", agreement_id, "unknown agreement id: not in agreements.csv")
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
