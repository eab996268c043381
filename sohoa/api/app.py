"""The FastAPI application: settings on ``app.state``, the routers included."""
from __future__ import annotations

from fastapi import FastAPI

from sohoa.api.deps import Resources
from sohoa.api.routers import health, keys
from sohoa.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="sohoa", summary="Scans in; signed, searchable PDF/A and structured data out.")
    app.state.settings = settings
    app.state.resources = Resources(settings)
    app.include_router(health.router)
    app.include_router(keys.router)
    return app
