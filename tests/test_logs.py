"""Log lines (CONTRACT §4: SOHOA_LOG_LEVEL, SOHOA_LOG_FORMAT): JSON or text on stderr, naming their batch and HTTP
request; uvicorn's access lines the same, without query strings."""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from sohoa import logs

log = logging.getLogger("sohoa.test")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:], root.level = handlers, level


def lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


def test_json_lines_name_their_batch(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("INFO", "json")
    log.debug("not at INFO")
    with logs.batch_context("b-20261129-1"):
        log.info("page %d read", 3, extra={"page": 3})
    log.warning("after the batch")
    first, second = (json.loads(line) for line in lines(capsys))
    assert first["message"] == "page 3 read" and first["level"] == "INFO" and first["logger"] == "sohoa.test"
    assert first["batch_id"] == "b-20261129-1" and first["page"] == 3 and first["time"].endswith("+00:00")
    assert second["message"] == "after the batch" and "batch_id" not in second


def test_text_lines(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("WARNING", "text")
    log.info("not at WARNING")
    with logs.batch_context("b-1"):
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("the batch stopped")
    first, *traceback = lines(capsys)
    assert first.endswith(" ERROR sohoa.test: the batch stopped [batch=b-1]") and traceback[-1] == "ValueError: boom"


def test_each_request_has_an_id(capsys: pytest.CaptureFixture[str]) -> None:
    async def hello(request: Request) -> PlainTextResponse:
        log.info("handling")
        return PlainTextResponse("hi")

    async def request_id(headers: dict[str, str]) -> str:
        transport = httpx.ASGITransport(app=logs.RequestIds(Starlette(routes=[Route("/", hello)])))
        async with httpx.AsyncClient(transport=transport, base_url="http://sohoa") as client:
            return (await client.get("/", headers=headers)).headers["x-request-id"]

    logs.configure("INFO", "json")
    made, kept, replaced = (asyncio.run(request_id(h)) for h in ({}, {"X-Request-ID": "lb-42"},
                                                                 {"X-Request-ID": "not an id\t"}))
    assert len(made) == 32 and kept == "lb-42" and replaced not in ("not an id\t", made)
    handled = [json.loads(line) for line in lines(capsys)]
    assert [e["request_id"] for e in handled if e["message"] == "handling"] == [made, kept, replaced]


def test_access_lines_leave_out_the_query(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("INFO", "json")
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "10.0.0.7:5123", "GET",
                                             "/api/documents?personal_id=001090012345", "1.1", 200)
    (line,) = lines(capsys)
    entry = json.loads(line)
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/api/documents", 200)
    assert "001090012345" not in line
