"""``/api/registers``: what is loaded and every version of it; uploads, removals and rollbacks (which need
a writer token covering the register, or an admin's).

An upload is validated against everything loaded and stored as one step, the same all-or-nothing rule
as ``icsgraph load``: a register with any problem changes nothing, and the 422 lists every problem. A
load that changes a register makes its next version; earlier versions are kept, listed, compared and
rolled back to here. Every write attempt is in the audit log (``/api/audit``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile

from app.audit import Actor
from app.changes import NoSuchRegister
from app.deps import Readable, State, Writer, may_write
from app.errors import READ_ERRORS, ApiError, documented, not_found, register_problems
from app.schemas import ErrorBody, LoadSummary, RegisterDiff, RegisterInfo, RemovalSummary, VersionInfo
from app.upload import load_register, loaded_message, read_imported, read_upload, refuse, register_name, summary
from app.versions import compare, listed
from loaders.register import InvalidRegister

router = APIRouter(prefix="/api/registers", tags=["registers"])

Name = Annotated[str, Path(description="the register's name", max_length=200)]
Number = Annotated[int, Query(ge=1, le=1_000_000_000, description="a version number")]
RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ErrorBody,
        "description": "too many writes with this token",
        "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
    }
}
WRITE_ERRORS = {**documented(401, 403), **RATE_LIMITED}


@router.get("", response_model=list[RegisterInfo], dependencies=[Readable], responses=READ_ERRORS)
def registers(state: State) -> list[dict[str, Any]]:
    """Every loaded register: its name, where it came from, when, how much it holds, and its version."""
    return [info.as_dict() for info in state.store.registers()]


@router.get(
    "/{name}", response_model=RegisterInfo, dependencies=[Readable], responses={**READ_ERRORS, **documented(404)}
)
def register(state: State, name: Name) -> dict[str, Any]:
    for info in state.store.registers():
        if info.name == name:
            return info.as_dict()
    raise not_found("register", name, "GET /api/registers lists the loaded registers")


@router.get(
    "/{name}/versions",
    response_model=list[VersionInfo],
    dependencies=[Readable],
    responses={**READ_ERRORS, **documented(404)},
)
def versions(state: State, name: Name) -> list[dict[str, Any]]:
    """Every version of a register, oldest first: number, content hash, when, who, source file, counts;
    a removed register's versions are kept too."""
    try:
        return listed(state.store, name)
    except NoSuchRegister as error:
        raise ApiError(404, str(error), "GET /api/registers lists the loaded registers") from None


@router.get(
    "/{name}/diff",
    response_model=RegisterDiff,
    response_model_by_alias=True,
    dependencies=[Readable],
    responses={**READ_ERRORS, **documented(404)},
)
def difference(
    state: State,
    name: Name,
    old: Annotated[
        Number | None, Query(alias="from", description="the older version (default: the one before to)")
    ] = None,
    new: Annotated[Number | None, Query(alias="to", description="the newer version (default: the last)")] = None,
) -> dict[str, Any]:
    """What changed between two versions: organisations, systems, flows and agreements added and removed,
    and for each one changed, every field with its old and new value."""
    try:
        return compare(state.store, name, old, new)
    except NoSuchRegister as error:
        raise ApiError(404, str(error), f"GET /api/registers/{name}/versions lists its versions") from None


@router.post(
    "",
    response_model=LoadSummary,
    responses={**documented(400, 409, 413, 422), **WRITE_ERRORS},
)
def upload(
    request: Request,
    state: State,
    caller: Writer,
    file: Annotated[
        UploadFile,
        File(
            description="a .zip of the register's CSV files or an .xlsx workbook; with format=release-register a "
            "Data Release Register or Data Uses Register workbook; with a map, your own sheet (.xlsx or .csv)"
        ),
    ],
    name: Annotated[
        str | None, Form(description="the register's name (default: the file's name); replaces one so named")
    ] = None,
    kind: Annotated[
        Literal["register", "release-register"],
        Form(alias="format", description="register: the spec layout; release-register: a national release register"),
    ] = "register",
    mapping: Annotated[
        UploadFile | None,
        File(alias="map", description="a TOML mapping of your sheet to the register (docs/import.md)"),
    ] = None,
    period: Annotated[
        str | None, Form(description="release-register: the months it covers, FROM..TO, when its title does not say")
    ] = None,
) -> dict[str, Any]:
    """Validate an uploaded register and load it atomically as its next version, replacing any register of
    the same name; identical to the version in the graph, it changes nothing and says so.

    A release register (``format=release-register``) or a sheet with its mapping (a ``map`` part) is imported
    as ``icsgraph import`` does first; the answer then also says what the import read and made."""
    actor = Actor(caller.name, "api")
    try:
        chosen = register_name(name, file.filename)
    except ApiError as error:
        state.changes.refused(actor, "load", name or file.filename, error)
        raise
    may_write(state, request, caller, chosen)
    imported: dict[str, Any] | None = None
    try:
        if kind == "register" and mapping is None:
            register = read_upload(file.file, file.filename, name, state.settings.max_upload_bytes)
        else:
            if mapping is not None and kind == "release-register":
                raise refuse(
                    "a release register takes no mapping", "send either format=release-register or a map", "map"
                )
            register, imported = read_imported(
                file.file,
                file.filename,
                name,
                state.settings.max_upload_bytes,
                state.reference,
                mapping=mapping.file if mapping else None,
                mapping_name=mapping.filename if mapping else None,
                period=months(period),
            )
    except (ApiError, InvalidRegister) as error:
        state.changes.refused(actor, "load", chosen, error)
        raise
    answer = load_register(state, register, actor)
    return answer | ({"imported": imported} if imported is not None else {})


def months(period: str | None) -> tuple[date, date] | None:
    """``FROM..TO`` as two dates, or a 422 saying how to write it."""
    if not period:
        return None
    first, _, last = period.partition("..")
    refusal = refuse("the period is not FROM..TO", "send e.g. period=2017-09-01..2017-11-30", "period", period[:100])
    try:
        start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError:
        raise refusal from None
    if end < start:
        raise refusal
    return start, end


@router.post(
    "/{name}/rollback",
    response_model=LoadSummary,
    responses={**documented(404, 409, 422), **WRITE_ERRORS},
)
def rollback(request: Request, state: State, caller: Writer, name: Name, version: Number) -> dict[str, Any]:
    """Make a register's next version equal to an earlier one (nothing, if that is the one in the graph).

    It is validated as any load is: if the graph has changed so that the old version no longer fits
    (it names what another register has since removed), the 422 lists why."""
    may_write(state, request, caller, name)
    with state.changes.holding():
        try:
            outcome = state.changes.rollback(name, version, Actor(caller.name, "api"))
        except NoSuchRegister as error:
            raise ApiError(404, str(error), f"GET /api/registers/{name}/versions lists its versions") from None
        message = loaded_message(outcome)
        if not outcome.unchanged:
            message = f"{name} rolled back to version {version}, as version {outcome.info.version}"
        return summary(state, outcome, message)


@router.delete("/{name}", response_model=RemovalSummary, responses={**documented(404, 409), **WRITE_ERRORS})
def remove(request: Request, state: State, caller: Writer, name: Name) -> dict[str, Any]:
    """Remove a register, unless another loaded register names what only it defines. Its versions are kept."""
    may_write(state, request, caller, name)
    with state.changes.holding():
        try:
            state.changes.remove([name], Actor(caller.name, "api"))
        except NoSuchRegister:
            raise not_found("register", name, "GET /api/registers lists the loaded registers") from None
        except InvalidRegister as error:
            raise ApiError(
                409,
                f"removing {name!r} would leave other registers naming what only it defines",
                "remove or replace those registers first (their problems are listed)",
                error="conflict",
                problems=register_problems(error),
                problem_count=len(error.problems),
            ) from None
        infos = state.store.registers()
        counts = state.store.counts()
    return {"removed": name, "graph": counts, "registers": [info.name for info in infos]}
