"""The FastAPI application: settings on ``app.state``, the routers included."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from sohoa.api.deps import Resources
from sohoa.api.routers import (
    audit,
    batches,
    corrections,
    documents,
    health,
    keys,
    metrics,
    public,
    reports,
    users,
    verify,
)
from sohoa.api.unavailable import answer_unavailable
from sohoa.batch_queue import BatchRunner
from sohoa.logs import RequestIds
from sohoa.settings import Settings
from sohoa.web.app import mount_web
from storage.catalog import Catalog


def create_app(settings: Settings) -> FastAPI:
    runner = BatchRunner(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(Catalog.migrated, settings.database_url)  # before anything opens it
        runner.start()
        yield
        await asyncio.to_thread(runner.close)

    app = FastAPIOffline(title="sohoa", summary="Scans in; signed, searchable PDF/A and structured data out.",
                         lifespan=lifespan, static_url="/static/api-docs")  # Swagger UI and ReDoc with no CDN
    app.state.settings = settings
    app.state.resources = Resources(settings)
    app.state.batch_runner = runner
    app.state.metrics = metrics.metrics_registry(app.state.resources, runner)
    for module in (health, keys, metrics, batches, documents, corrections, verify, reports, audit, users, public):
        app.include_router(module.router)
    answer_unavailable(app)
    mount_web(app)
    app.add_middleware(RequestIds)  # every log line of a request names it
    return app
