"""A service the API needs that does not answer (the object store, the catalog) is a 503 in words, for every call:
never a bare 500, never a host, bucket, key or driver message (those go to the log)."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from sohoa.exits import SERVICE_ERRORS

log = logging.getLogger(__name__)
RETRY_AFTER = "30"  # seconds; a store or database restarting is usually back by then


UNAVAILABLE = SERVICE_ERRORS  # what a store or a database that does not answer raises


def answer_unavailable(app: FastAPI) -> None:
    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, unavailable_json)


def which_service(request: Request, exc: Exception) -> str:
    """The part that did not answer ("object store" or "catalog"), logged with what the driver said."""
    part = "catalog" if isinstance(exc, OperationalError) else "object store"
    log.error("%s %s: the %s did not answer: %r", request.method, request.url.path, part, exc)
    return part


async def unavailable_json(request: Request, exc: Exception) -> JSONResponse:
    part = which_service(request, exc)
    return JSONResponse({"detail": f"the {part} did not answer: nothing was changed, try again in a moment"},
                        status_code=503, headers={"Retry-After": RETRY_AFTER})
