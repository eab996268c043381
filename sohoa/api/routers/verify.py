"""``POST /api/verify``: the report of ``sohoa verify --format json`` on an uploaded PDF, for any caller. The answer is
200 whenever a report was made, valid or not (``valid`` says which; ``error`` names a file that is not a readable
PDF or has no signature); a request body over MAX_UPLOAD_BYTES answers 413."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from signing.verify import verify_pdf
from sohoa.api.auth import ERRORS, require
from sohoa.api.deps import SettingsDep
from sohoa.api.models import VerificationReport
from sohoa.api.uploads import limited_form
from sohoa.settings import Settings

MAX_UPLOAD_BYTES = 50 * 1024**2
router = APIRouter(tags=["verify"])
_FILE_FORM = {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary", "description": "the signed PDF"}}}}}


@router.post("/api/verify", dependencies=[require()], response_model=VerificationReport,
             openapi_extra={"requestBody": {"required": True, "content": _FILE_FORM}},
             responses={**ERRORS, 411: {"description": "no Content-Length"},
                        413: {"description": f"a body over {MAX_UPLOAD_BYTES:,} bytes"},
                        422: {"description": "no file in the field `file`"}})
async def verify(request: Request, settings: SettingsDep) -> dict[str, Any]:
    """Signatures, integrity, trust, timestamps and revocation of the PDF in the multipart field ``file``."""
    form = await limited_form(request, MAX_UPLOAD_BYTES)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HTTPException(422, "the multipart field `file` should hold the PDF")
        data, name = await upload.read(), upload.filename or "upload.pdf"
    finally:
        await form.close()
    return await run_in_threadpool(_report, settings, data, name)


def _report(settings: Settings, data: bytes, name: str) -> dict[str, Any]:
    return verify_pdf(data, settings.trusted_roots(), name, settings.verify_crls()).to_dict()
