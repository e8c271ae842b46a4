"""The FastAPI application: ``create_app(settings, store)``."""

from __future__ import annotations

from fastapi import FastAPI

from app.routers import health, query
from app.settings import Settings
from graph.store import Store


def create_app(settings: Settings, store: Store) -> FastAPI:
    app = FastAPI(
        title="icsgraph",
        version="0.1.0",
        description="Health and care data flows and data controllership in England, as a graph.",
    )
    app.state.settings = settings
    app.state.store = store
    app.include_router(health.router)
    app.include_router(query.router)
    return app
