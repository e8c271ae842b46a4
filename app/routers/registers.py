"""``/api/registers``: what is loaded, and uploads and removals (which need the write token).

An upload is validated against everything loaded and stored as one step, the same all-or-nothing rule
as ``icsgraph load``: a register with any problem changes nothing, and the 422 lists every problem.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, UploadFile

from app.changes import NoSuchRegister
from app.deps import Readable, State, Writable
from app.errors import READ_ERRORS, ApiError, documented, not_found, register_problems
from app.schemas import LoadSummary, RegisterInfo, RemovalSummary
from app.upload import read_upload
from loaders.register import InvalidRegister

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
    file: Annotated[UploadFile, File(description="a .zip of the register's CSV files, or an .xlsx workbook")],
    name: Annotated[
        str | None, Form(description="the register's name (default: the file's name); replaces one so named")
    ] = None,
) -> dict[str, Any]:
    """Validate an uploaded register and load it atomically, replacing any register of the same name."""
    register = read_upload(file.file, file.filename, name, state.settings.max_upload_bytes)
    with state.changes.holding():
        (loaded,) = state.changes.load([register])
        infos = state.store.registers()
        counts = state.store.counts()
    return {"loaded": loaded.as_dict(), "graph": counts, "registers": [info.name for info in infos]}


@router.delete(
    "/{name}", response_model=RemovalSummary, dependencies=[Writable], responses=documented(401, 403, 404, 409)
)
def remove(state: State, name: Name) -> dict[str, Any]:
    """Remove a register, unless another loaded register names what only it defines."""
    with state.changes.holding():
        try:
            state.changes.remove([name])
        except NoSuchRegister:
            raise not_found("register", name, "GET /api/registers lists the loaded registers") from None
        except InvalidRegister as error:
            raise ApiError(
                409,
                f"removing {name!r} would leave other registers naming what only it defines",
                "remove or replace those registers first (their problems are listed)",
                error="conflict",
                problems=register_problems(error),
            ) from None
        infos = state.store.registers()
        counts = state.store.counts()
    return {"removed": name, "graph": counts, "registers": [info.name for info in infos]}
