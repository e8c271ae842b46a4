"""``/api/systems``: systems by type and ICB; one with its flows."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from app.deps import Pages, Readable, State
from app.errors import READ_ERRORS, ApiError, documented, not_found
from app.schemas import Page, System, SystemDetail
from graph.vocab import SystemType
from queries.lookups import NODE_DETAIL, SYSTEMS

router = APIRouter(prefix="/api/systems", tags=["systems"], dependencies=[Readable], responses=READ_ERRORS)


@router.get("", response_model=Page[System])
def systems(
    state: State,
    pages: Pages,
    system_type: Annotated[SystemType | None, Query(description="only this type of system")] = None,
    icb: Annotated[str | None, Query(max_length=200, description="only systems scoped to this ICB")] = None,
) -> dict[str, Any]:
    """Systems the registers define, by id, a page at a time."""
    where = {"system_type": system_type.value if system_type else None, "icb": icb}
    found = state.ask(SYSTEMS, {"where": where, "limit": pages.limit, "offset": pages.offset})[0]
    return {"total": found["total"], "limit": pages.limit, "offset": pages.offset, "items": found["items"]}


@router.get("/{system_id}", response_model=SystemDetail, responses=documented(404))
def system(
    state: State,
    system_id: Annotated[str, Path(description="the system's id in its register")],
    as_of: Annotated[date | None, Query(description="only flows live at this date (default: every flow)")] = None,
) -> dict[str, Any]:
    """One system with every flow into and out of it."""
    found = state.ask(NODE_DETAIL, {"id": system_id, "as_of": as_of})
    if not found:
        raise not_found("system", system_id, "give a system id; GET /api/systems lists them")
    if found[0]["node"]["kind"] != "system":
        raise ApiError(404, f"{system_id!r} is an organisation, not a system", f"GET /api/organisations/{system_id}")
    return {"system": found[0]["node"], "flows_in": found[0]["flows_in"], "flows_out": found[0]["flows_out"]}
