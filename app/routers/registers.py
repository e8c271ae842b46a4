"""``/api/registers``: what is loaded, and uploads and removals (which need the write token).

An upload is validated against everything loaded and stored as one step, the same all-or-nothing rule
as ``icsgraph load``: a register with any problem changes nothing, and the 422 lists every problem.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, UploadFile

from app.deps import Readable, State, Writable
from app.errors import READ_ERRORS, ApiError, documented, not_found, register_problems
from app.schemas import LoadSummary, RegisterInfo, RemovalSummary
from app.upload import load_register, read_imported, read_upload, refuse
from loaders.register import InvalidRegister, validate_together

router = APIRouter(prefix="/api/registers", tags=["registers"])

Name = Annotated[str, Path(description="the register's name", max_length=200)]


@router.get("", response_model=list[RegisterInfo], dependencies=[Readable], responses=READ_ERRORS)
def registers(state: State) -> list[dict[str, Any]]:
    """Every loaded register: its name, where it came from, when, and how much it holds."""
    return [info.as_dict() for info in state.store.registers()]


@router.get(
    "/{name}", response_model=RegisterInfo, dependencies=[Readable], responses={**READ_ERRORS, **documented(404)}
)
def register(state: State, name: Name) -> dict[str, Any]:
    for info in state.store.registers():
        if info.name == name:
            return info.as_dict()
    raise not_found("register", name, "GET /api/registers lists the loaded registers")


@router.post(
    "",
    response_model=LoadSummary,
    dependencies=[Writable],
    responses=documented(400, 401, 403, 413, 422),
)
def upload(
    state: State,
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
    """Validate an uploaded register and load it atomically, replacing any register of the same name.

    A release register (``format=release-register``) or a sheet with its mapping (a ``map`` part) is imported
    as ``icsgraph import`` does first; the answer then also says what the import read and made."""
    imported: dict[str, Any] | None = None
    if kind == "register" and mapping is None:
        register = read_upload(file.file, file.filename, name, state.settings.max_upload_bytes)
    else:
        if mapping is not None and kind == "release-register":
            raise refuse("a release register takes no mapping", "send either format=release-register or a map", "map")
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
    answer = load_register(state, register)
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


@router.delete(
    "/{name}", response_model=RemovalSummary, dependencies=[Writable], responses=documented(401, 403, 404, 409)
)
def remove(state: State, name: Name) -> dict[str, Any]:
    """Remove a register, unless another loaded register names what only it defines."""
    with state.write_lock:
        loaded = state.store.loaded()
        if name not in loaded:
            raise not_found("register", name, "GET /api/registers lists the loaded registers")
        remaining = [register for other, register in loaded.items() if other != name]
        try:
            validate_together(state.reference, {}, remaining)
        except InvalidRegister as error:
            raise ApiError(
                409,
                f"removing {name!r} would leave other registers naming what only it defines",
                "remove or replace those registers first (their problems are listed)",
                error="conflict",
                problems=register_problems(error),
                problem_count=len(error.problems),
            ) from None
        state.store.remove([name])
        infos = state.store.registers()
        counts = state.store.counts()
    return {"removed": name, "graph": counts, "registers": [info.name for info in infos]}
