"""``/api/organisations``: organisations by type, ICB, sub-ICB location or PCN; one with its flows."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from app.deps import Pages, Readable, State
from app.errors import READ_ERRORS, ApiError, documented, not_found
from app.schemas import Organisation, OrganisationDetail, Page
from graph.vocab import OrgType
from queries.lookups import NODE_DETAIL, ORGANISATIONS

router = APIRouter(prefix="/api/organisations", tags=["organisations"], dependencies=[Readable], responses=READ_ERRORS)


@router.get("", response_model=Page[Organisation])
def organisations(
    state: State,
    pages: Pages,
    org_type: Annotated[OrgType | None, Query(description="only this type of organisation")] = None,
    icb: Annotated[str | None, Query(max_length=200, description="only those of this ICB (ODS code)")] = None,
    sub_icb: Annotated[str | None, Query(max_length=200, description="only those of this sub-ICB location")] = None,
    pcn: Annotated[str | None, Query(max_length=200, description="only practices of this PCN (U + 5 digits)")] = None,
) -> dict[str, Any]:
    """Organisations from the reference data and the registers, by ODS code, a page at a time."""
    where = {"org_type": org_type.value if org_type else None, "icb": icb, "sub_icb": sub_icb, "pcn": pcn}
    found = state.ask(ORGANISATIONS, {"where": where, "limit": pages.limit, "offset": pages.offset})[0]
    return {"total": found["total"], "limit": pages.limit, "offset": pages.offset, "items": found["items"]}


@router.get("/{org_id}", response_model=OrganisationDetail, responses=documented(404))
def organisation(
    state: State,
    org_id: Annotated[str, Path(description="ODS code or local id")],
    as_of: Annotated[date | None, Query(description="only flows live at this date (default: every flow)")] = None,
) -> dict[str, Any]:
    """One organisation with every flow into and out of it."""
    found = state.ask(NODE_DETAIL, {"id": org_id, "as_of": as_of})
    if not found:
        raise not_found("organisation", org_id, "give an ODS code or local id; GET /api/organisations lists them")
    if found[0]["node"]["kind"] != "organisation":
        raise ApiError(404, f"{org_id!r} is a system, not an organisation", f"GET /api/systems/{org_id}")
    return {"organisation": found[0]["node"], "flows_in": found[0]["flows_in"], "flows_out": found[0]["flows_out"]}
