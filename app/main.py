"""The FastAPI application: ``create_app(settings, store)``.

One router per resource; the queries router is generated from the catalogue as it is when the app is
built. Every error is a 4xx JSON body (``app.errors``); request bodies are bounded (``app.limits``).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from app import errors
from app.deps import AppState
from app.leftovers import sweep_data, sweep_uploads
from app.limits import BodyLimit
from app.routers import (
    audit,
    checks,
    flows,
    health,
    organisations,
    pages,
    query,
    records,
    registers,
    search,
    systems,
    views,
)
from app.settings import Settings
from app.stores import reference_data
from graph.model import ReferenceData
from graph.store import Store

DESCRIPTION = """\
Health and care data flows in England and who controls them, as a graph.

Reads are open unless the server has a read token (`ICSGRAPH_READ_TOKEN`) or a tokens file (`icsgraph token
add`); then send a token as `Authorization: Bearer <token>`. Writes (uploads, removals, rollbacks) need a
writer token whose globs match the register, an admin token, or `ICSGRAPH_WRITE_TOKEN`; they are refused
when none is configured, and rate-limited per token. Every write attempt is in the audit log (`/api/audit`,
admins only), and every version of every register is kept (`/api/registers/{name}/versions`).
Every error is JSON with `error`, `message`, `fix` and, where there are several, `problems`.
Interactive network views are under [/views/](/views/).
"""


def reference_of(store: Store) -> ReferenceData:
    """The reference data the store was opened with (both stores keep it), else the bundled one."""
    reference = getattr(store, "reference", None)
    return reference if isinstance(reference, ReferenceData) else reference_data()


def create_app(settings: Settings, store: Store) -> FastAPI:
    # A server killed before may have left upload folders and half-written files.
    sweep_uploads()
    sweep_data(settings.data_dir)
    app = FastAPI(title="icsgraph", version="0.1.0", description=DESCRIPTION)
    app.state.settings = settings
    app.state.store = store
    app.state.icsgraph = AppState(settings, store, reference_of(store))
    errors.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    for router in (
        health.router,
        organisations.router,
        records.router,
        systems.router,
        flows.router,
        query.build(),
        checks.router,
        registers.router,
        search.router,
        audit.router,
        views.router,
        pages.router,
    ):
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/views/")

    return app
