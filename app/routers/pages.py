"""The site's pages under ``/views/``: an ICB's page, the findings, a flow's page, search results, upload.

Server-rendered HTML; a form left empty sends empty values (``?icb=&org=``), which mean "any" here.
Unknown ICBs, flows, checks and organisations are JSON 404s with a fix, as for the network views.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BeforeValidator, StringConstraints

from app.audit import Actor
from app.deps import Readable, State, may_write, require_write
from app.errors import READ_ERRORS, ApiError, documented, register_problems
from app.upload import load_upload, register_name
from app.views.findings import all_findings, chosen, findings_csv, findings_page, require_filters
from app.views.flow_page import flow_page
from app.views.icb_page import icb_page
from app.views.network import Links, render_page
from app.views.search_page import search_page
from loaders.register import InvalidRegister
from queries.deprivation import OptInSystem

router = APIRouter(prefix="/views", tags=["views"], dependencies=[Readable], responses=READ_ERRORS)
LINKS = Links("")
HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "the page"}
}


def blank(value: Any) -> Any:
    """An empty form field is no value."""
    return None if isinstance(value, str) and not value.strip() else value


AsOf = Annotated[
    date | None, BeforeValidator(blank), Query(description="the date the answers hold at (default: today)")
]
Text = Annotated[str, StringConstraints(max_length=200)]
SystemKind = Annotated[
    OptInSystem, Query(description="the kind of system practices opt into (default: shared care record)")
]


def kept(as_of: date | None) -> dict[str, str]:
    """The parameters a page passes on to the pages it links to: a date chosen on purpose."""
    return {"as_of": as_of.isoformat()} if as_of else {}


@router.get("/icb/{icb}/overview", response_model=None, responses={**HTML, **documented(404)})
def icb_overview(
    state: State,
    icb: Annotated[str, Path(max_length=200, description="the ICB's ODS code, e.g. QOP")],
    as_of: AsOf = None,
    system_type: SystemKind = OptInSystem.SHARED_CARE_RECORD,
) -> HTMLResponse:
    """An ICB's numbers beside England's, its practices not opted in, its network and its findings."""
    page = icb_page(state.ask, LINKS, icb, as_of=as_of or date.today(), system_type=system_type.value, keep=kept(as_of))
    return HTMLResponse(page)


FINDINGS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/html": {"schema": {"type": "string"}}, "text/csv": {"schema": {"type": "string"}}},
        "description": "the page, or with format=csv the findings it shows",
    }
}


@router.get("/findings", response_model=None, responses={**FINDINGS, **documented(404)})
def findings(
    state: State,
    request: Request,
    check: Annotated[Text | None, BeforeValidator(blank), Query(description="an IG check's name")] = None,
    icb: Annotated[Text | None, BeforeValidator(blank), Query(description="an ICB's code")] = None,
    org: Annotated[Text | None, BeforeValidator(blank), Query(description="an organisation's or system's id")] = None,
    as_of: AsOf = None,
    format: Annotated[Literal["html", "csv"], Query(description="csv: the rows shown, as CSV")] = "html",
) -> Response:
    """Every IG finding, filtered by check, ICB and organisation; ``format=csv`` downloads what is shown."""
    when = as_of or date.today()
    if format == "csv":
        require_filters(state.ask, check, org)
        rows = chosen(all_findings(state.ask, when), check, icb, org)
        return Response(
            findings_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="icsgraph-findings-{when.isoformat()}.csv"'},
        )
    as_csv = request.url.include_query_params(format="csv")
    page = findings_page(
        state.ask,
        LINKS,
        as_of=when,
        check=check,
        icb=icb,
        org=org,
        keep=kept(as_of),
        csv_href=f"{as_csv.path}?{as_csv.query}",
    )
    return HTMLResponse(page)


@router.get("/flow/{flow_id}", response_model=None, responses={**HTML, **documented(404)})
def flow(
    state: State,
    flow_id: Annotated[str, Path(max_length=200, description="the flow's id")],
    as_of: AsOf = None,
) -> HTMLResponse:
    """One flow's whole record, its agreements and whether each governs it, its findings and its neighbours."""
    return HTMLResponse(flow_page(state.ask, LINKS, flow_id, as_of=as_of or date.today()))


@router.get("/search", response_model=None, responses=HTML)
def search(
    state: State,
    q: Annotated[str, Query(min_length=1, max_length=200, description="part of a name, or a code")],
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> HTMLResponse:
    """Search results as a page: the search box's answer when its script is not running."""
    return HTMLResponse(search_page(LINKS, q, state.search.of(state.store).search(q, limit), limit))


def upload_form(state: State, status: int = 200, **outcome: Any) -> HTMLResponse:
    context = {"outcome": None, "name": None, "message": "", "fix": "", "problems": None, **outcome}
    page = render_page("upload.html", writable=state.settings.write_token is not None, **context)
    # As the API's 401 (no browser prompts for a bearer token: the form asks for it instead).
    headers = {"WWW-Authenticate": 'Bearer realm="icsgraph"'} if status == 401 else None
    return HTMLResponse(page, status_code=status, headers=headers)


@router.get("/upload", response_model=None, responses=HTML)
def upload_page(state: State) -> HTMLResponse:
    """A form to upload a register (zip of CSV files or .xlsx) with the write token."""
    return upload_form(state)


def html_or_json(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Errors the upload page shows as the page (a wrong token, a refused register) or, for a malformed
    request, as the usual JSON body."""
    entries = documented(*codes)
    for entry in entries.values():
        entry["content"] = {"text/html": {"schema": {"type": "string"}}}
    return entries


@router.post("/upload", response_model=None, responses={**HTML, **html_or_json(400, 401, 403, 409, 413, 422, 429)})
def upload(
    request: Request,
    state: State,
    file: Annotated[UploadFile, File(description="a .zip of the register's CSV files, or an .xlsx workbook")],
    token: Annotated[str, Form(description="the server's write token, or a writer's or admin's token")],
    name: Annotated[Text | None, BeforeValidator(blank), Form(description="the register's name")] = None,
) -> HTMLResponse:
    """Check and load an uploaded register, then show the load summary, or every problem with nothing loaded."""
    if state.settings.write_token is None and not state.scoped:
        return upload_form(
            state, 403, outcome="refused", message="Uploads are turned off on this server.", fix="", name=name
        )
    try:
        # The API's own rules: who may write, which registers (a writer's globs), how often; each refusal logged.
        caller = require_write(request, state, HTTPAuthorizationCredentials(scheme="Bearer", credentials=token))
        may_write(state, request, caller, register_name(name, file.filename))
        summary = load_upload(state, file.file, file.filename, name, Actor(caller.name, "api"))
    except InvalidRegister as error:
        problems = register_problems(error)
        return upload_form(
            state,
            422,
            outcome="refused",
            message=f"Register {error.name!r} has {len(problems)} problem(s); nothing was loaded.",
            fix="Correct each one (file, row, column, value, what was expected) and upload it again.",
            problems=problems,
            name=name,
        )
    except ApiError as error:
        if error.status == 401:
            return upload_form(
                state,
                401,
                outcome="refused",
                message="The token is not this server's write token, nor a writer's or admin's token.",
                fix="Give the write token the server was started with (ICSGRAPH_WRITE_TOKEN), or your own token "
                "from `icsgraph token add`.",
                name=name,
            )
        body = error.body
        return upload_form(
            state,
            error.status,
            outcome="refused",
            message=body.message,
            fix=body.fix,
            problems=body.problems,
            name=name,
        )
    return upload_form(state, outcome="loaded", **summary)
