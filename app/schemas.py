"""The API's response bodies, as OpenAPI documents them (and the fuzz tests hold the API to).

Organisations, systems, flows and agreements are derived from the register declaration
(``graph.schema``) and the model records, so a new column reaches the API and its docs by itself.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from enum import Enum
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, create_model

from graph import schema
from graph.schema import TableSchema

T = TypeVar("T")


class Problem(BaseModel):
    """One thing wrong with a request or an uploaded register, located as precisely as possible."""

    where: str = Field(description="file, sheet or request part (e.g. flows.csv, query.limit)")
    row: int | None = None
    column: str | None = None
    value: str | None = Field(None, description="the value found")
    expected: str = Field(description="what was expected instead")
    message: str = Field(description="the whole problem as one sentence")


class ErrorBody(BaseModel):
    """Every 4xx answer: what was wrong and how to fix it."""

    error: str = Field(description="a short code, e.g. not_found, invalid_register, unauthorised")
    message: str = Field(description="what was wrong")
    fix: str | None = Field(None, description="how to put it right")
    problems: list[Problem] | None = Field(
        None, description="the problems found, for a request or register: the first 1,000 when there are more"
    )
    problem_count: int | None = Field(None, description="how many problems there are in all, listed or not")


def record_fields(table: TableSchema) -> dict[str, Any]:
    """The fields of a table's model record as the API writes them, in the record's order.

    Types follow ``graph.codec.plain`` (enums and dates as strings, tuples as lists), a field that may be
    unrecorded is nullable, and each is described in the words of the register declaration.
    """
    hints = typing.get_type_hints(table.record)
    meanings = {column.field: column.meaning for column in table.columns} | dict(table.unfilled)
    found: dict[str, Any] = {}
    for field in dataclasses.fields(table.record):
        kind, nullable = _json_type(hints[field.name])
        described = Field(None if nullable else ..., description=meanings.get(field.name))
        found[field.name] = (kind | None if nullable else kind, described)
    return found


def _json_type(hint: Any) -> tuple[Any, bool]:
    """The JSON type of a model field's type hint, and whether it may be null."""
    nullable = typing.get_origin(hint) in (typing.Union, types.UnionType)
    if nullable:
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    if typing.get_origin(hint) is tuple:
        return list[_json_type(typing.get_args(hint)[0])[0]], nullable  # type: ignore[misc]
    if hint is date or (isinstance(hint, type) and issubclass(hint, Enum)):
        return str, nullable
    return hint, nullable


def _with(fields: dict[str, Any], after: str, **extra: Any) -> dict[str, Any]:
    """``fields`` with ``extra`` inserted after the field ``after``."""
    out: dict[str, Any] = {}
    for name, definition in fields.items():
        out[name] = definition
        if name == after:
            out.update(extra)
    return out


NODE_ID = (str, Field(description="The node's id in the graph: its org_id or system_id."))
LEGAL = (bool, Field(description="legal_entity as recorded, else what org_type implies."))
ORGANISATION_FIELDS = {
    "id": NODE_ID,
    "kind": (Literal["organisation"], ...),
    **_with(record_fields(schema.ORGANISATIONS), "legal_entity", is_legal_entity=LEGAL),
}
SYSTEM_FIELDS = {"id": NODE_ID, "kind": (Literal["system"], ...), **record_fields(schema.SYSTEMS)}

# A class over each derived model gives OpenAPI its name and description (and mypy a type to check).


class Organisation(create_model("OrganisationFields", **ORGANISATION_FIELDS)):  # type: ignore[misc]
    """An organisation: an ODS code (or local id) with its type and its place in the NHS hierarchy."""


class System(create_model("SystemFields", **SYSTEM_FIELDS)):  # type: ignore[misc]
    """A system that holds or passes on data, with who runs it and where it is hosted."""


class Flow(create_model("FlowFields", **record_fields(schema.FLOWS))):  # type: ignore[misc]
    """A flow of data from a source to a destination, with every register column."""


class Agreement(create_model("AgreementFields", **record_fields(schema.AGREEMENTS))):  # type: ignore[misc]
    """An agreement (DSA, contract, arrangement, approval) with its parties, dates and what it covers."""


class Page(BaseModel, Generic[T]):
    total: int = Field(description="how many match, over all pages")
    limit: int
    offset: int
    items: list[T]


class OrganisationDetail(BaseModel):
    organisation: Organisation
    flows_in: list[Flow]
    flows_out: list[Flow]


class SystemDetail(BaseModel):
    system: System
    flows_in: list[Flow]
    flows_out: list[Flow]


class Parameter(BaseModel):
    name: str
    type: str
    required: bool
    default: Any = None
    choices: list[str]
    description: str


class QueryInfo(BaseModel):
    name: str
    kind: str = Field(description="question, or check for an IG check")
    description: str
    parameters: list[Parameter]
    columns: list[str]


class QueryResult(BaseModel):
    query: str
    params: dict[str, Any]
    count: int
    rows: list[dict[str, Any]]


class CheckSummary(BaseModel):
    name: str
    description: str
    findings: int | None = Field(description="rows found at the date; null when the check needs parameters")
    url: str


class RegisterInfo(BaseModel):
    name: str
    path: str
    loaded_at: str = Field(description="when the version in the graph was loaded (UTC)")
    counts: dict[str, int]
    version: int | None = Field(description="the version in the graph (GET /api/registers/{name}/versions)")


class LoadSummary(BaseModel):
    loaded: RegisterInfo
    graph: dict[str, int] = Field(description="what the whole graph holds now")
    registers: list[str] = Field(description="every register now loaded")
    imported: dict[str, Any] | None = Field(
        None, description="for a release register or a mapped sheet: what the import read and made"
    )
    unchanged: bool = Field(False, description="true when identical to the version in the graph: no new version")
    message: str = Field("", description="what happened, in a sentence")


class RemovalSummary(BaseModel):
    removed: str
    graph: dict[str, int]
    registers: list[str]


class Health(BaseModel):
    status: Literal["ok"]
    store: str
    counts: dict[str, int]
    registers: int


class SearchHit(BaseModel):
    kind: Literal["organisation", "system", "flow"]
    id: str = Field(description="ODS code, system id or flow id")
    name: str = Field(description="the name; for a flow, its source and destination")
    type: str = Field(description="org_type, system_type, or 'flow'")
    icb: str | None = None
    match: Literal["code", "prefix", "words", "part"] = Field(
        description="code: the code exactly; prefix: the name or code starts with the query; words: the name "
        "has words starting with each of the query's; part: the name holds the query"
    )
    url: str = Field(description="the page to open: an ICB's page, a flow's page, or a node's lineage view")


class SearchResult(BaseModel):
    query: str
    count: int
    results: list[SearchHit]


class VersionInfo(BaseModel):
    """One version of a register."""

    name: str
    version: int = Field(description="numbered 1, 2, 3... per register name")
    sha256: str = Field(description="sha256 of the canonical register (records sorted by id)")
    created_at: str = Field(description="when it was loaded (UTC)")
    actor: str = Field(description="who loaded it: a token's name, or the OS user of the command line")
    source: str = Field(description="the file it was loaded from")
    counts: dict[str, int]
    note: str = Field(description="e.g. 'rollback to version 2'")
    current: bool = Field(description="whether it is the version in the graph")


class Record(BaseModel):
    """A record added or removed."""

    kind: Literal["organisation", "system", "flow", "agreement"]
    id: str
    record: dict[str, Any] = Field(description="the record's every field, as in the register")


class FieldChange(BaseModel):
    old: Any = None
    new: Any = None


class Changed(BaseModel):
    """A record in both versions, with every field whose value differs."""

    kind: Literal["organisation", "system", "flow", "agreement"]
    id: str
    fields: dict[str, FieldChange]


class RegisterDiff(BaseModel):
    name: str
    from_: int | None = Field(alias="from", description="the older version (null: before version 1)")
    to: int
    added: list[Record]
    removed: list[Record]
    changed: list[Changed]


class AuditEntry(BaseModel):
    """One write attempt."""

    time: str
    actor: str = Field(description="the token's name; for the command line, the OS user")
    via: Literal["api", "cli", "unknown"]
    action: str = Field(description="load, remove, rollback, token-add, token-revoke")
    # "register" is a name BaseModel has: the field goes by it on the wire only.
    register_: str | None = Field(alias="register", description="the register's name")
    version: int | None
    result: Literal["accepted", "unchanged", "refused", "failed", "interrupted"]
    problems: int
    detail: str
