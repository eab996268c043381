"""``POST /api/documents/{id}/corrections``: a reviewer corrects or confirms fields, or keys in a register page's
entries; the answer is the new signed version's JSON (the old version stays)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from ocr.corrections import BadCorrection
from sohoa.api.auth import ERRORS, require
from sohoa.api.deps import ResourcesDep
from storage.objects import ObjectExists
from storage.retrieval import DocumentNotFound
from storage.users import Caller
from workers.correct import correct_document
from workers.record import DocumentRecord

router = APIRouter(prefix="/api/documents", tags=["corrections"])
Reviewer = Annotated[Caller, require("reviewer")]


class CorrectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    values: dict[str, str] = Field(default={}, alias="set", description=(
        "FIELD (or records.N.FIELD, or doc_type) → the right value; an empty value removes the field"))
    confirm: list[str] = Field(default=[], description="fields in doubt whose value is right, as read")
    records: list[dict[str, str | int]] | None = Field(default=None, description=(
        "a register page's entries, whole (as keyed in): they replace the entries read"))
    note: str | None = Field(default=None, max_length=2000, description="why, for the history and the audit log")


@router.post("/{doc_id}/corrections", status_code=201, response_model=DocumentRecord, responses={
    **ERRORS, 404: {"description": "no such document, or one of an agency the caller does not see"},
    409: {"description": "another correction of this document was stored first"},
    422: {"description": "a value that is not right for its field, or nothing to change"}})
def correct(doc_id: str, request: CorrectionRequest, caller: Reviewer, resources: ResourcesDep) -> JSONResponse:
    """Store version n+1: the values set, the register entries replaced, the confirmed fields no longer in doubt;
    signed again. The corrections are the document's history and an audit event."""
    settings = resources.settings
    try:
        record = correct_document(resources.catalog(), resources.object_store(), doc_id,
                                  list(request.values.items()), confirm=request.confirm, entries=request.records,
                                  note=request.note, signer=settings.signer_config(), actor=caller.name,
                                  default_agency=settings.agency, agencies=caller.agencies)
    except DocumentNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except BadCorrection as exc:
        raise HTTPException(422, str(exc)) from None
    except (IntegrityError, ObjectExists):
        raise HTTPException(409, f"another correction of {doc_id} was stored first: read it again") from None
    return JSONResponse(record.to_json(), 201)  # as stored: keys the document lacks are left out
