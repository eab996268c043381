"""``POST /api/batches``: a scanning team uploads scans and a manifest; ``GET /api/batches/{id}``: how it goes."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from redis import RedisError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ingest.errors import InputError
from ingest.limits import Limits
from ingest.manifest import Manifest, parse_manifest
from sohoa.api.auth import require
from sohoa.api.deps import Resources, ResourcesDep
from sohoa.api.uploads import limited_form
from sohoa.batch_queue import BatchRunner
from storage.users import Caller
from workers.service import BatchExists, TooLarge, UploadError, batch_status, fail_batch, store_upload

router = APIRouter(prefix="/api/batches", tags=["batches"])
Uploader = Annotated[Caller, require("scanner")]
Watcher = Annotated[Caller, require("scanner", "archivist")]
_UPLOAD_FORM = {"multipart/form-data": {"schema": {"type": "object", "required": ["files"], "properties": {
    "files": {"type": "array", "items": {"type": "string", "format": "binary"},
              "description": "scans: PNG, JPEG, TIFF (multi-page) or PDF"},
    "manifest": {"type": "string", "description": "the batch manifest (JSON, CONTRACT §6), as a field or a file"}}}}}


@router.post("", status_code=202, openapi_extra={"requestBody": {"required": True, "content": _UPLOAD_FORM}})
async def upload(request: Request, resources: ResourcesDep, caller: Uploader) -> dict[str, str]:
    """Keep the scans and queue their batch. Refused, with nothing kept: 400 for a file that is not a scan or two
    files with one name, 413 for a file or a body over its size limit, 422 for a bad manifest or no files."""
    limits = Limits.from_env()
    form = await limited_form(request, limits.max_upload_bytes)
    try:
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not files:
            raise HTTPException(422, "no scans: send them in the multipart field `files`")
        manifest = await _manifest(form.get("manifest"))
        agency = manifest.agency or resources.settings.agency
        if not caller.sees(agency):
            raise HTTPException(403, f"{caller.name} may not upload for agency {agency}")
        runner: BatchRunner = request.app.state.batch_runner
        batch_id = await run_in_threadpool(_queue, resources, runner, caller, files, manifest, agency, limits)
    finally:
        await form.close()
    return {"id": batch_id}


@router.get("/{batch_id}")
def batch(batch_id: str, resources: ResourcesDep, caller: Watcher) -> dict[str, Any]:
    """queued, running (pages read of pages to read), done or failed; documents stored and what failed."""
    found = resources.catalog().batch(batch_id)
    if found is None or not caller.sees(found.agency):
        raise HTTPException(404, f"no batch {batch_id}")
    return batch_status(found)


async def _manifest(field: str | UploadFile | None) -> Manifest:
    text = await field.read() if isinstance(field, UploadFile) else field
    if not text or not text.strip():
        return Manifest()
    try:
        return parse_manifest(text)
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None


def _queue(resources: Resources, runner: BatchRunner, caller: Caller, files: list[UploadFile], manifest: Manifest,
           agency: str, limits: Limits) -> str:
    catalog = resources.catalog()
    try:
        batch_id = store_upload([(f.filename, f.file) for f in files], manifest, agency, caller.name, catalog,
                                resources.object_store(), limits, resources.settings.data_dir / "work")
    except TooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    except BatchExists as exc:
        raise HTTPException(409, str(exc)) from None
    except UploadError as exc:
        raise HTTPException(400, str(exc)) from None
    try:
        runner.submit(batch_id)
    except RedisError as exc:
        reason = f"the queue did not answer ({type(exc).__name__}); upload the files again"
        fail_batch(catalog, batch_id, reason)
        raise HTTPException(503, f"batch {batch_id}: {reason}") from None
    return batch_id
