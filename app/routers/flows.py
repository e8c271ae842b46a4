"""``/api/flows``: flows by source, destination, category, purpose, identifiability, role, status or date."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from app.deps import Pages, Readable, State
from app.errors import READ_ERRORS, documented, not_found
from app.schemas import Flow, Page
from graph.vocab import DataCategory, FlowStatus, Identifiability, Purpose
from queries.lookups import FLOWS, FLOWS_BY_ID
from queries.records import FlowFilter

router = APIRouter(prefix="/api/flows", tags=["flows"], dependencies=[Readable], responses=READ_ERRORS)


@router.get("", response_model=Page[Flow])
def flows(
    state: State,
    pages: Pages,
    source: Annotated[str | None, Query(max_length=200, description="sent by this node")] = None,
    destination: Annotated[str | None, Query(max_length=200, description="received by this node")] = None,
    category: Annotated[DataCategory | None, Query(description="carrying this data category")] = None,
    purpose: Annotated[Purpose | None, Query(description="for this purpose")] = None,
    identifiability: Annotated[Identifiability | None, Query(description="as received")] = None,
    controller: Annotated[str | None, Query(max_length=200, description="with this controller")] = None,
    processor: Annotated[str | None, Query(max_length=200, description="with this processor")] = None,
    status: Annotated[FlowStatus | None, Query(description="with this status")] = None,
    as_of: Annotated[
        date | None, Query(description="only flows live at this date: status live and the date within their dates")
    ] = None,
) -> dict[str, Any]:
    """Flows matching every filter given, by flow id, a page at a time."""
    where = FlowFilter(
        source=source,
        destination=destination,
        category=category.value if category else None,
        purpose=purpose.value if purpose else None,
        identifiability=identifiability.value if identifiability else None,
        controller=controller,
        processor=processor,
        status=status.value if status else None,
        as_of=as_of,
    )
    found = state.ask(FLOWS, {"where": where, "limit": pages.limit, "offset": pages.offset})[0]
    return {"total": found["total"], "limit": pages.limit, "offset": pages.offset, "items": found["items"]}


@router.get("/{flow_id}", response_model=Flow, responses=documented(404))
def flow(state: State, flow_id: Annotated[str, Path(description="the flow's id in its register")]) -> dict[str, Any]:
    """One flow with every register column."""
    found = state.ask(FLOWS_BY_ID, {"ids": [flow_id]})
    if not found:
        raise not_found("flow", flow_id, "GET /api/flows lists the flows, filtered by source, destination and more")
    record: dict[str, Any] = found[0]
    return record
