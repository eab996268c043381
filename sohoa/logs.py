"""Logging for every command, set up once at its start (CONTRACT §4: SOHOA_LOG_LEVEL, SOHOA_LOG_FORMAT).

One handler on stderr for the root logger, so the module loggers of the domain packages, uvicorn's and RQ's all
write the same way: JSON lines (for a log collector; the default when stderr is not a terminal) or text. Each line
carries the batch and the HTTP request it belongs to where they are known: from ``extra={"batch_id": ...}`` of
the call, else from the context variables set by a batch's run (:func:`batch_context`) and by the API's
:class:`RequestIds` middleware.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

batch_id: ContextVar[str | None] = ContextVar("sohoa_batch_id", default=None)
request_id: ContextVar[str | None] = ContextVar("sohoa_request_id", default=None)
IDS = {"batch_id": batch_id, "request_id": request_id}
# what every record has: anything else on a record came from ``extra=`` and is written out (uvicorn's
# color_message is its text again with terminal colours)
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message", "taskName"}
QUIET = ("alembic",)  # say what they do at every start ("Context impl SQLiteImpl."): heard from at DEBUG only
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")  # a caller's X-Request-ID kept as it is; anything else is replaced


class _ContextIds(logging.Filter):
    """Puts the batch and request ids of the current context on a record that does not carry its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in IDS.items():
            if getattr(record, name, None) is None and (value := var.get()) is not None:
                setattr(record, name, value)
        return True


class _AccessFields(logging.Filter):
    """uvicorn's access lines as fields (client, method, path, status), the path without its query string:
    queries carry what people searched for (personal IDs, names), which has no place in a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            path = str(path).split("?", 1)[0]
            record.args = (client, method, path, version, status)
            record.client, record.method, record.path, record.status = client, method, path, status
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the ids and ``extra=`` fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        entry.update((k, v) for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_"))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger message [batch=… request=…]`` for a person at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ids = " ".join(f"{name.removesuffix('_id')}={value}" for name in IDS
                       if (value := getattr(record, name, None)) is not None)
        if not ids:
            return text
        first, newline, rest = text.partition("\n")  # after the message, before a traceback
        return f"{first} [{ids}]{newline}{rest}"


class _Stderr(logging.StreamHandler):
    """Writes to what ``sys.stderr`` is when a record comes (a stream swapped in later, as a test runner does, gets
    the lines; a closed one never does)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def configure(level: str = "INFO", format: str | None = None) -> None:
    """Send every logger's records at ``level`` and above to stderr as JSON lines or text (``None``: text on a
    terminal, else JSON); replaces what was set up before, so calling it twice is harmless."""
    handler = _Stderr()
    json_lines = format == "json" or (format is None and not sys.stderr.isatty())
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    handler.addFilter(_ContextIds())
    handler.addFilter(_AccessFields())
    handler.setLevel(level)
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Stderr)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in SERVER_LOGGERS:  # what an earlier uvicorn set up on its own loggers must not keep their records
        server = logging.getLogger(name)
        server.handlers.clear()
        server.setLevel(logging.NOTSET)
        server.propagate = True
    for name in QUIET:
        logging.getLogger(name).setLevel(level if level == "DEBUG" else "WARNING")


@contextmanager
def batch_context(batch: str) -> Iterator[None]:
    """Log lines written while a batch runs name it."""
    token = batch_id.set(batch)
    try:
        yield
    finally:
        batch_id.reset(token)


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class RequestIds:
    """ASGI middleware: each HTTP request gets an id (the caller's ``X-Request-ID`` when it is a short token, else a
    new one) for the log lines written while it is handled, uvicorn's access line included, and sent back in the
    response's ``X-Request-ID``."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or ()).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", rid.encode())]
            await send(message)

        token = request_id.set(rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
