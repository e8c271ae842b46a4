"""``/api/organisations/{id}/ropa`` and ``/iafr``: an organisation's IG records, built from the graph.

The Record of Processing Activities (UK GDPR Art 30) and the information assets and flows register
(DSPT 1.1.2), as an ``.xlsx`` workbook by default, or CSV or JSON (``?format=``). What they hold is
``queries.ropa`` and ``queries.iafr``; how they are written, ``app.exports.records``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from app.deps import Readable, State
from app.errors import READ_ERRORS, documented, not_found
from app.exports.records import MEDIA_TYPES, Form, RopaSheet, filename, iafr_bytes, ropa_bytes
from queries.iafr import IAFR
from queries.ropa import ROPA

router = APIRouter(prefix="/api/organisations", tags=["records"], dependencies=[Readable], responses=READ_ERRORS)

OrgId = Annotated[str, Path(description="the organisation's ODS code or local id")]
AsOf = Annotated[date | None, Query(description="only flows live at this date count (default: today)")]
FormQuery = Annotated[Form, Query(description="xlsx (a workbook, the default), csv or json")]


def files(what: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": f"the {what}: a workbook, CSV or JSON",
            "content": {media_type: {"schema": {"type": "string"}} for media_type in MEDIA_TYPES.values()},
        },
        **documented(404),
    }


def download(data: bytes, form: Form, name: str) -> Response:
    return Response(
        data, media_type=MEDIA_TYPES[form.value], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def record(state: State, query: Any, org_id: str, as_of: date) -> dict[str, Any]:
    found = state.ask(query, {"org_id": org_id, "as_of": as_of})
    if not found:
        raise not_found("organisation", org_id, "give an ODS code or local id; GET /api/organisations lists them")
    answer: dict[str, Any] = found[0]
    return answer


@router.get("/{org_id}/ropa", response_class=Response, responses=files("Record of Processing Activities"))
def ropa(
    state: State,
    org_id: OrgId,
    as_of: AsOf = None,
    format: FormQuery = Form.XLSX,
    sheet: Annotated[
        RopaSheet, Query(description="which table CSV holds (the workbook and JSON hold both)")
    ] = RopaSheet.CONTROLLER,
) -> Response:
    """The organisation's Record of Processing Activities (UK GDPR Art 30): the ICO controller template's
    columns, one row per processing activity (its live flows of personal data as controller, grouped by
    purpose and place), and an Art 30(2) processor table; each row names its flows and their IG findings.
    Cells the graph holds nothing for are empty."""
    day = as_of or date.today()
    answer = record(state, ROPA, org_id, day)
    chosen = sheet if format is Form.CSV else None
    return download(
        ropa_bytes(answer, format, sheet), format, filename("ropa", org_id, day.isoformat(), format, chosen)
    )


@router.get("/{org_id}/iafr", response_class=Response, responses=files("information assets and flows register"))
def iafr(state: State, org_id: OrgId, as_of: AsOf = None, format: FormQuery = Form.XLSX) -> Response:
    """The organisation's information assets and flows register (DSPT 1.1.2): every flow live at the date
    that it sends or receives, that its systems do, or on which it holds a role, with purpose, legal basis,
    categories, recipients, where held and overseas transfer, agreements in place and when they end."""
    day = as_of or date.today()
    answer = record(state, IAFR, org_id, day)
    return download(iafr_bytes(answer, format), format, filename("iafr", org_id, day.isoformat(), format))
