"""``/views/``: the interactive network pages (HTML), one route per kind of view, and their index."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

import queries
from app.deps import Readable, State
from app.errors import READ_ERRORS, documented
from app.routers import pages
from app.routers.query import run_named
from app.views.chain import chain_view
from app.views.groups import expanded
from app.views.home import home_page
from app.views.icb import icb_view
from app.views.lineage import lineage_view
from app.views.network import Links, render
from app.views.org import org_view, render_org
from app.views.result import result_view
from graph.vocab import DataCategory, Identifiability, Purpose
from queries.deprivation import OptInSystem

router = APIRouter(
    prefix="/views",
    tags=["views"],
    dependencies=[Readable],
    responses=READ_ERRORS,
)
LINKS = Links("")
MAX_DEPTH = 8
HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "the page"}
}

AsOf = Annotated[date | None, Query(description="only flows live at this date (default: today)")]
Expand = Annotated[
    list[str],
    Query(max_length=100, description="PCN codes whose practices to show one by one (repeat, or comma-separate; all)"),
]
Depth = Annotated[int, Query(ge=1, le=MAX_DEPTH, description="how many hops to follow")]
NodeId = Annotated[str, Path(description="ODS code or system id")]


@router.get("/", response_model=None, responses=HTML)
def index(
    state: State, as_of: pages.AsOf = None, system_type: pages.SystemKind = OptInSystem.SHARED_CARE_RECORD
) -> HTMLResponse:
    """The home page: what is loaded, the national picture, every ICB, and links to every view."""
    page = home_page(
        state.ask,
        LINKS,
        queries.CATALOGUE.values(),
        state.store.registers(),
        as_of=as_of or date.today(),
        system_type=system_type.value,
        keep=pages.kept(as_of),
    )
    return HTMLResponse(page)


@router.get("/node/{node_id}", response_model=None, responses={**HTML, **documented(404)})
def node(
    state: State,
    node_id: NodeId,
    direction: Annotated[Literal["downstream", "upstream"], Query()] = "downstream",
    depth: Depth = 3,
    as_of: AsOf = None,
    category: Annotated[DataCategory | None, Query(description="only flows carrying this category")] = None,
    purpose: Annotated[Purpose | None, Query(description="only flows for this purpose")] = None,
    identifiability: Annotated[Identifiability | None, Query()] = None,
    expand: Expand = [],  # noqa: B006 - FastAPI copies defaults per request
) -> HTMLResponse:
    """A practice's or system's lineage: where its data goes, or (upstream) where it comes from."""
    filters = {
        "category": category.value if category else None,
        "purpose": purpose.value if purpose else None,
        "identifiability": identifiability.value if identifiability else None,
    }
    picture = lineage_view(
        state.ask,
        LINKS,
        node_id,
        upstream=direction == "upstream",
        depth=depth,
        as_of=as_of or date.today(),
        filters=filters,
        expand=expanded(expand),
    )
    return HTMLResponse(render(picture, site=True))


@router.get("/icb/{icb}", response_model=None, responses={**HTML, **documented(404)})
def icb(
    state: State,
    icb: Annotated[str, Path(description="the ICB's ODS code, e.g. QOP")],
    as_of: AsOf = None,
    expand: Expand = [],  # noqa: B006 - FastAPI copies defaults per request
) -> HTMLResponse:
    """An ICB's data-flow network, practices grouped by PCN (expand a group with ``expand``)."""
    return HTMLResponse(
        render(icb_view(state.ask, LINKS, icb, as_of=as_of or date.today(), expand=expanded(expand)), site=True)
    )


@router.get("/org/{org_id}", response_model=None, responses={**HTML, **documented(404)})
def org(
    state: State,
    org_id: Annotated[str, Path(description="the organisation's ODS code or local id")],
    as_of: AsOf = None,
) -> HTMLResponse:
    """One organisation: the roles it holds, its live flows in and out (a table and a small network), its
    agreements, the IG findings on its flows, and links to its RoPA and IAFR downloads and lineage views."""
    return HTMLResponse(render_org(org_view(state.ask, LINKS, org_id, as_of=as_of or date.today())))


@router.get("/chain", response_model=None, responses={**HTML, **documented(404)})
def chain(
    state: State,
    source: Annotated[str, Query(max_length=200, description="where the chain starts")],
    target: Annotated[str, Query(max_length=200, description="where it ends")],
    as_of: AsOf = None,
    path: Annotated[int, Query(ge=1, le=100, description="which of the paths found to draw (shortest first)")] = 1,
) -> HTMLResponse:
    """The controllership chain along a path of live flows from ``source`` to ``target``, hop by hop."""
    picture = chain_view(state.ask, LINKS, source, target, as_of=as_of or date.today(), path=path)
    return HTMLResponse(render(picture, site=True))


@router.get("/query/{name}", response_model=None, responses={**HTML, **documented(404)})
def query(state: State, request: Request, name: Annotated[str, Path(description="a query's name")]) -> HTMLResponse:
    """Any named query's answer drawn as a network; parameters as for ``/api/queries/{name}``."""
    named = queries.get(name)
    params = named.bind(dict(request.query_params))
    picture = result_view(state.ask, LINKS, named, params, run_named(state, named, params))
    return HTMLResponse(render(picture, site=True))
