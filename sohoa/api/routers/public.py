"""``POST /api/public/verify``: public verification of a result, no token, rate-limited per client address; never
personal data. The answer is the verification page's (``sohoa.web.routes.public``), in the request's language."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from sohoa.api.deps import ResourcesDep, SettingsDep
from sohoa.api.routers.verify import MAX_UPLOAD_BYTES
from sohoa.api.uploads import limited_form
from sohoa.web.routes.public import PublicAnswer, answer_for_code, answer_for_pdf, rate_limited, too_many_words

router = APIRouter(tags=["public"])
_FORM = {"multipart/form-data": {"schema": {"type": "object", "properties": {
    "file": {"type": "string", "format": "binary", "description": "the result's PDF, at most 50 MiB"},
    "code": {"type": "string", "description": "or the result code printed on it (`<dossier code>-KQ<n>`)"}}}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"description": "the upload is over 50 MiB"},
    422: {"description": "neither a file nor a code, or both"},
    429: {"description": "too many checks from this address: wait the seconds `Retry-After` gives"},
}


@router.post("/api/public/verify", responses=_ERRORS,
             openapi_extra={"requestBody": {"required": True, "content": _FORM}})
async def public_verify(request: Request, settings: SettingsDep, resources: ResourcesDep) -> PublicAnswer:
    """Whether a result is authentic, from its PDF (multipart field `file`) or its result code (field `code`): the
    checks in words, signer, signing time, issuing agency, result code and fingerprint (SHA-256). 200 whether
    authentic or not."""
    if wait := rate_limited(request):
        raise HTTPException(429, too_many_words(wait), headers={"Retry-After": str(wait)})
    form = await limited_form(request, MAX_UPLOAD_BYTES)
    try:
        upload, code = form.get("file"), form.get("code")
        typed = code.strip() if isinstance(code, str) else ""
        if isinstance(upload, UploadFile) == bool(typed):
            raise HTTPException(422, "send either the PDF in the multipart field `file` or a result code in `code`")
        data = await upload.read() if isinstance(upload, UploadFile) else None
    finally:
        await form.close()
    if data is None:
        return await run_in_threadpool(answer_for_code, resources.catalog(), typed)
    return await run_in_threadpool(answer_for_pdf, settings, resources.catalog(), data)
