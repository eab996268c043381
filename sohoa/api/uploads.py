"""Uploads read only once the caller is known, and only up to a size. FastAPI reads a declared form body before any
dependency (the token check among them) runs, so an endpoint that limits what it takes has the Request and reads the
form here, after its dependencies."""
from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.datastructures import FormData

MAX_FILES = 20_000  # files in one upload: a civil-registry book scanned a page a file, with room to spare


async def limited_form(request: Request, max_bytes: int) -> FormData:
    """The request's form (the caller closes it): 411 without a Content-Length, 413 when the body is over
    ``max_bytes``; the server reads no more than the Content-Length announces."""
    length = request.headers.get("content-length")
    if length is None:
        raise HTTPException(411, "an upload needs a Content-Length")
    if not length.isdigit():
        raise HTTPException(400, f"not a Content-Length: {length!r}")
    if int(length) > max_bytes:
        raise HTTPException(413, f"an upload may be at most {max_bytes:,} bytes; this one is {int(length):,}")
    return await request.form(max_files=MAX_FILES)
