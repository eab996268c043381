"""``GET /healthz``: whether the catalog, the object store and (when configured) the queue answer."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import redis
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from sohoa.api.deps import Resources, ResourcesDep

CHECK_TIMEOUT = 5.0  # seconds a part has to answer
log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(resources: ResourcesDep) -> JSONResponse:
    """200 when every part answers, else 503; each part's answer names only the kind of failure (never a secret)."""
    checks: dict[str, Callable[[], object]] = {"catalog": lambda: _catalog(resources),
                                               "object_store": lambda: _object_store(resources)}
    redis_url = resources.settings.redis_url
    if redis_url:
        checks["queue"] = lambda: _queue(redis_url)
    answers = await asyncio.gather(*(_answer(name, check) for name, check in checks.items()))
    ok = all(answer == "ok" for answer in answers)
    return JSONResponse({"status": "ok" if ok else "failing", "checks": dict(zip(checks, answers, strict=True))},
                        status_code=200 if ok else 503)


async def _answer(name: str, check: Callable[[], object]) -> str:
    try:
        await asyncio.wait_for(asyncio.to_thread(check), CHECK_TIMEOUT)
    except TimeoutError:
        log.warning("health check: the %s gave no answer within %g s", name, CHECK_TIMEOUT)
        return f"no answer within {CHECK_TIMEOUT:g} s"
    except Exception as exc:  # noqa: BLE001 - the answer names the failing part; messages may hold addresses
        log.warning("health check: the %s failed (%s)", name, type(exc).__name__)
        return f"failing ({type(exc).__name__})"
    return "ok"


def _catalog(resources: Resources) -> None:
    with resources.catalog().engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _object_store(resources: Resources) -> None:
    resources.object_store().exists("healthz")


def _queue(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT)
    try:
        client.ping()
    finally:
        client.close()
