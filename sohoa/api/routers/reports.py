"""``GET /api/reports/progress``: digitization progress for archivists, over the agencies the caller sees."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from sohoa.api.auth import ERRORS, require
from sohoa.api.deps import ResourcesDep
from sohoa.api.models import ProgressReport
from storage.report import progress, progress_json
from storage.users import Caller

router = APIRouter(prefix="/api/reports", tags=["reports"])


@router.get("/progress", response_model=ProgressReport, responses=ERRORS)
def progress_report(caller: Annotated[Caller, require("archivist")], resources: ResourcesDep) -> dict[str, Any]:
    """Documents, pages shown, signed, awaiting review and failed files per agency, batch kind, register book and
    document type, with the review and failure rates and a total row: what ``sohoa report --format json`` prints."""
    agencies = sorted(caller.agencies) if caller.agencies is not None else None
    return progress_json(progress(resources.catalog(), agencies))
