"""``/api/batches``: a scanning team uploads scans and a manifest, lists its agencies' batches and follows one; a page
to scan again is shown from the batch's raw scan."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field
from redis import RedisError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from ingest.errors import InputError
from ingest.limits import Limits
from ingest.manifest import Manifest, parse_manifest
from sohoa.api.auth import ERRORS, require
from sohoa.api.deps import Resources, ResourcesDep
from sohoa.api.uploads import limited_form
from sohoa.batch_queue import BatchRunner
from storage.objects import ObjectChanged, ObjectMissing
from storage.search import MAX_LIMIT, BadCursor
from storage.users import Caller
from workers import metrics
from workers.previews import ScanNotFound, scan_page_png
from workers.service import (
    BatchExists,
    BatchNotFound,
    TooLarge,
    UploadError,
    fail_batch,
    list_batch_entries,
    store_upload,
    watch_batch,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/batches", tags=["batches"])
Uploader = Annotated[Caller, require("scanner")]
Watcher = Annotated[Caller, require("scanner", "archivist")]
_UPLOAD_FORM = {"multipart/form-data": {"schema": {"type": "object", "required": ["files"], "properties": {
    "files": {"type": "array", "items": {"type": "string", "format": "binary"},
              "description": "scans: PNG, JPEG, TIFF (multi-page) or PDF; a file's name may hold the folders it was "
                             "in (`so-2017/trang-001.tif`), kept as its documents' source"},
    "manifest": {"type": "string", "description": "the batch manifest (JSON, CONTRACT §6), as a field or a file"}}}}}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such batch, or one of an agency the caller does not see"}}
_REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"description": "a file is not a scan, or two files have one name: nothing was kept"},
    409: {"description": "the same files were uploaded a moment ago"},
    411: {"description": "no Content-Length"},
    413: {"description": "a file over SOHOA_MAX_FILE_BYTES, or a body over SOHOA_MAX_UPLOAD_BYTES"},
    422: {"description": "no files, or a bad manifest"},
    503: {"description": "the queue did not answer: the batch is failed, send the files again"}}


class Failure(BaseModel):
    source: str = Field(description="the file (and `#p<first>-<last>` for a part of it), or the batch itself")
    error: str


class Skip(BaseModel):
    source: str
    reason: str = Field(description="every page blank, only separator sheets, a duplicate of another file…")


class Rescan(BaseModel):
    source: str
    page: int = Field(description="the page of the file, from 1")
    reason: str
    sha256: str | None = Field(None, description="the file's SHA-256: its page image is "
                                                 "`/api/batches/{id}/scans/{sha256}/pages/{page}.png`")


class Retry(BaseModel):
    at: dt.datetime = Field(description="when the batch is run again")
    after_run: int = Field(description="the run that stopped (1, 2 …)")
    reason: str = Field(description="why it stopped, in words")


class BatchStatus(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed", "unknown"] = Field(
        description="unknown: a batch known only from its documents after a catalog rebuild")
    documents: int = Field(description="documents stored (so far, while it runs)")
    pages: int = Field(description="pages to read (0 while queued)")
    done: int = Field(description="pages read so far")
    failed: list[Failure]
    skipped: list[Skip]
    rescan: list[Rescan] = Field(description="pages to scan again, and why")
    retry: Retry | None = Field(None, description="queued again after a run that stopped: when, and why")


class BatchEntry(BatchStatus):
    agency: str
    kind: Literal["dossier", "result", "registry_book"] | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


class BatchList(BaseModel):
    items: list[BatchEntry] = Field(description="newest first")
    next: str | None = Field(description="the cursor of the next page; null on the last")


class Accepted(BaseModel):
    id: str


@router.post("", status_code=202, response_model=Accepted, responses={**ERRORS, **_REFUSED},
             openapi_extra={"requestBody": {"required": True, "content": _UPLOAD_FORM}})
async def upload(request: Request, resources: ResourcesDep, caller: Uploader) -> Accepted:
    """Keep the scans and queue their batch. Refused, with nothing kept: 400 for a file that is not a scan or two
    files with one name, 413 for a file or a body over its size limit, 422 for a bad manifest or no files."""
    form = await limited_form(request, resources.settings.limits.max_upload_bytes)
    try:
        manifest = await read_manifest(form.get("manifest"))
        return Accepted(id=await take_upload(request, resources, caller, form, manifest))
    finally:
        await form.close()


@router.get("", response_model=BatchList, response_model_exclude_unset=True,  # `retry` only when there is one
            responses={**ERRORS, 400: {"description": "a cursor this list did not give"}})
def list_batches(resources: ResourcesDep, caller: Watcher,
                 cursor: Annotated[str | None, Query(description="the `next` of the previous page")] = None,
                 limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="batches per page")] = 20,
                 ) -> dict[str, Any]:
    """The batches of the caller's agencies, newest first: each as ``GET /api/batches/{id}`` answers, with its
    agency, kind and times."""
    try:
        items, next_cursor = list_batch_entries(resources.catalog(), caller.agencies, cursor, limit)
    except BadCursor as exc:
        raise HTTPException(400, str(exc)) from None
    return {"items": items, "next": next_cursor}


@router.get("/{batch_id}", response_model=BatchStatus, response_model_exclude_unset=True,
            responses={**ERRORS, **_NOT_FOUND})
def batch(batch_id: str, resources: ResourcesDep, caller: Watcher) -> dict[str, Any]:
    """queued, running (pages read of pages to read, documents stored so far), done or failed; documents stored,
    what failed, what was skipped and the pages to scan again."""
    try:
        return watch_batch(resources.catalog(), batch_id, caller.agencies)[1]
    except BatchNotFound as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/{batch_id}/scans/{sha256}/pages/{page}.png", response_class=Response,
            responses={**ERRORS, **_NOT_FOUND, 200: {"content": {"image/png": {}}},
                       304: {"description": "not changed since"},
                       500: {"description": "the stored scan is missing or changed"}})
def scan_page(batch_id: str, sha256: Annotated[str, Path(pattern="^[0-9a-f]{64}$")],
              page: Annotated[int, Path(ge=1)], caller: Watcher, resources: ResourcesDep,
              request: Request) -> Response:
    """Page ``page`` (from 1) of one of the batch's raw scans, found by its SHA-256 (the ``sha256`` of a
    ``rescan`` entry), as a small PNG; made once and cached, a "view" audit event."""
    try:
        picture = scan_page_png(resources.catalog(), resources.object_store(),
                                resources.settings.data_dir / "cache" / "scans", batch_id, sha256, page,
                                actor=caller.name, agencies=caller.agencies, limits=resources.settings.limits)
    except ScanNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except (ObjectMissing, ObjectChanged) as exc:
        log.error("batch %s: scan %s could not be shown: %s", batch_id, sha256, exc)
        raise HTTPException(500, f"the scan {sha256} of batch {batch_id} is missing or changed in the store; an "
                                 "archivist should run `sohoa fixity`") from None
    headers = {"ETag": picture.etag, "Cache-Control": "private, max-age=300"}
    if request.headers.get("if-none-match") == picture.etag:
        return Response(status_code=304, headers=headers)
    return Response(picture.png, media_type="image/png", headers=headers)


async def read_manifest(field: str | UploadFile | None) -> Manifest:
    """The manifest of an upload (a form field or a file; none: an empty one); HTTPException 422 when bad."""
    text = await field.read() if isinstance(field, UploadFile) else field
    if not text or not text.strip():
        return Manifest()
    try:
        return parse_manifest(text)
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None


async def take_upload(request: Request, resources: Resources, caller: Caller, form: FormData,
                      manifest: Manifest) -> str:
    """The intake of an upload, from the API or the upload page's form: the scans of ``form`` (field ``files``)
    kept and their batch queued; its id. HTTPException (400, 403, 409, 413, 422, 503) when refused: nothing is
    kept."""
    # a file field left empty comes from a browser as a part with no name and no bytes: no file
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and (f.filename or f.size)]
    if not files:
        raise HTTPException(422, "no scans: send them in the multipart field `files`")
    agency = manifest.agency or resources.settings.agency
    if not caller.sees(agency):
        raise HTTPException(403, f"{caller.name} may not upload for agency {agency}")
    runner: BatchRunner = request.app.state.batch_runner
    return await run_in_threadpool(_queue, resources, runner, caller, files, manifest, agency,
                                  resources.settings.limits)


def _queue(resources: Resources, runner: BatchRunner, caller: Caller, files: list[UploadFile], manifest: Manifest,
           agency: str, limits: Limits) -> str:
    catalog = resources.catalog()
    try:
        batch_id = store_upload([(f.filename, f.file) for f in files], manifest, agency, caller.name, catalog,
                                resources.object_store(), limits, resources.settings.data_dir / "work")
    except TooLarge as exc:
        metrics.count_failure("too_large")
        raise HTTPException(413, str(exc)) from None
    except BatchExists as exc:
        metrics.count_failure("duplicate")
        raise HTTPException(409, str(exc)) from None
    except UploadError as exc:
        raise HTTPException(400, str(exc)) from None
    try:
        runner.submit(batch_id)
    except RedisError as exc:
        reason = f"the queue did not answer ({type(exc).__name__}); upload the files again"
        fail_batch(catalog, batch_id, reason)
        metrics.count_failure("batch_error")
        raise HTTPException(503, f"batch {batch_id}: {reason}") from None
    return batch_id
