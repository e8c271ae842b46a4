"""The API's response bodies, as OpenAPI documents them (and the fuzz tests hold the API to)."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

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
    problems: list[Problem] | None = Field(None, description="every problem found, for a request or register")


class Organisation(BaseModel):
    id: str
    kind: Literal["organisation"]
    org_id: str
    name: str
    org_type: str
    legal_entity: bool | None = None
    is_legal_entity: bool
    parent: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    sub_icb: str | None = None
    icb: str | None = None
    region: str | None = None
    pcn: str | None = None
    list_size: int | None = None
    imd_score: float | None = None
    source: str = Field(description="'reference' or the name of the register that defines it")


class System(BaseModel):
    id: str
    kind: Literal["system"]
    system_id: str
    name: str
    system_type: str
    operator: str | None = None
    supplier: str | None = None
    icb: str | None = None
    hosting_location: str | None = None
    source: str


class Flow(BaseModel):
    flow_id: str
    source: str
    destination: str
    data_categories: list[str]
    purposes: list[str]
    identifiability: str
    controllers: list[str]
    joint: bool
    processors: list[str]
    sub_processors: list[str]
    recipient_controller: str | None = None
    art6: list[str]
    art9: list[str]
    cldc_basis: str | None = None
    legal_instruments: list[str]
    ndop: str | None = None
    type1: str | None = None
    agreements: list[str]
    datasets: list[str]
    status: str
    valid_from: str | None = None
    valid_to: str | None = None
    frequency: str | None = None
    transport: str | None = None
    evidence: str | None = None
    notes: str | None = None
    source_register: str


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
