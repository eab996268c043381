"""The archivist's calls: ``GET /api/audit`` (the audit log with the hash chain's verification status),
``GET|POST /api/fixity`` (fixity runs, one at a time per service, in a thread of their own) and
``GET /api/reports/dashboard`` (the dashboard's numbers)."""
from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from pydantic import BaseModel, Field

from sohoa.api.auth import ERRORS, require
from sohoa.api.deps import Resources, ResourcesDep
from storage.auditlog import MAX_LIMIT, AuditFilter, AuditItem, ChainStatus, audit_events, chain_status
from storage.dashboard import Dashboard, UnknownAgency, agencies_in_view, dashboard
from storage.fixity import check_fixity
from storage.fixity_status import FixityRun, ObjectCounts, fixity_runs, object_counts
from storage.search import BadCursor
from storage.users import Caller

log = logging.getLogger(__name__)
router = APIRouter(tags=["archive"])
Archivist = Annotated[Caller, require("archivist")]
_LOCK = threading.Lock()  # makes each application's FixityRunner once


class AuditAnswer(BaseModel):
    items: list[AuditItem]
    next: str | None = Field(description="the cursor of the next, older page; null at the log's start")
    chain: ChainStatus


@router.get("/api/audit", response_model=AuditAnswer, responses={
    **ERRORS, 400: {"description": "a cursor this list did not give"}, 422: {"description": "an unknown action"}})
def audit_log(
    caller: Archivist, resources: ResourcesDep,
    actor: Annotated[str | None, Query(description="the user name, exactly")] = None,
    action: Annotated[str | None, Query(description="upload, processing, signing, download, view, correction, "
                                                    "fixity, search, rebuild, export, user, sign-in, sign-out")] = None,
    since: Annotated[dt.date | None, Query(description="on or after this day (Vietnam's), YYYY-MM-DD")] = None,
    until: Annotated[dt.date | None, Query(description="on or before this day (Vietnam's), YYYY-MM-DD")] = None,
    subject: Annotated[str | None, Query(description="a part of the subject, in any case")] = None,
    cursor: Annotated[str | None, Query(description="the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> AuditAnswer:
    """Events newest first, and whether the hash chain is intact (checked against the object store's anchors; this
    reads the whole log). The log holds every agency's work, searches for personal IDs among it: only an archivist of
    every agency reads it (403 for one limited to some)."""
    if caller.agencies is not None:
        raise HTTPException(403, "the audit log holds every agency's work: it is for archivists of every agency")
    where = AuditFilter(actor=actor, action=action, since=since, until=until, subject=subject)
    try:
        page = audit_events(resources.catalog(), where, cursor=cursor, limit=limit)
    except BadCursor as exc:
        raise HTTPException(400, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return AuditAnswer(items=page.items, next=page.next, chain=chain_status(resources.catalog(),
                                                                            resources.object_store()))


class FixityState(BaseModel):
    """The run this service started last."""
    running: bool = False
    everything: bool | None = None  # every object, or only those due
    actor: str | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    failed: bool = False  # it stopped without a result (the service's log says why)


class FixityStatus(BaseModel):
    state: FixityState
    objects: ObjectCounts
    runs: list[FixityRun] = Field(description="the last finished runs, newest first (from the audit log)")


class FixityOrder(BaseModel):
    all: bool = Field(False, description="every object (true), or only those not checked in the last 30 days")


class FixityRunner:
    """Runs ``storage.fixity.check_fixity`` in a thread of its own, one run at a time for this service."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.state = FixityState()

    def start(self, resources: Resources, actor: str, everything: bool) -> bool:
        """Start a run; False when one is running already."""
        with self._lock:
            if self.state.running:
                return False
            self.state = FixityState(running=True, everything=everything, actor=actor,
                                     started_at=dt.datetime.now(dt.UTC))
        threading.Thread(target=self._run, args=(resources, actor, everything), name="sohoa-fixity",
                         daemon=True).start()
        return True

    def _run(self, resources: Resources, actor: str, everything: bool) -> None:
        failed = False
        try:
            check_fixity(resources.catalog(), resources.object_store(), actor=actor, everything=everything)
        except Exception:  # noqa: BLE001 - the run is reported failed; the service goes on
            log.exception("the fixity run started by %s stopped", actor)
            failed = True
        with self._lock:
            self.state = self.state.model_copy(update={"running": False, "failed": failed,
                                                       "finished_at": dt.datetime.now(dt.UTC)})


def fixity_runner(app: FastAPI) -> FixityRunner:
    with _LOCK:
        if not hasattr(app.state, "fixity_runner"):
            app.state.fixity_runner = FixityRunner()
        return app.state.fixity_runner


def fixity_status(request: Request, resources: Resources) -> FixityStatus:
    catalog = resources.catalog()
    return FixityStatus(state=fixity_runner(request.app).state, objects=object_counts(catalog),
                        runs=fixity_runs(catalog))


@router.get("/api/fixity", response_model=FixityStatus, responses=ERRORS)
def fixity(request: Request, caller: Archivist, resources: ResourcesDep) -> FixityStatus:
    """Whether a run is going, how many objects are due, and the last runs' results."""
    return fixity_status(request, resources)


@router.post("/api/fixity", status_code=202, response_model=FixityStatus, responses={
    **ERRORS, 409: {"description": "a run is going already"}})
def start_fixity(request: Request, caller: Archivist, resources: ResourcesDep,
                 order: FixityOrder | None = None) -> FixityStatus:
    """Start a run (every object, or those due) in the background; poll ``GET /api/fixity`` for its end."""
    if not fixity_runner(request.app).start(resources, caller.name, bool(order and order.all)):
        raise HTTPException(409, "a fixity run is going already: wait for its end")
    return fixity_status(request, resources)


@router.get("/api/reports/dashboard", response_model=Dashboard, responses={
    **ERRORS, 404: {"description": "an agency the caller does not see"},
    422: {"description": "a day window that ends before it starts or is longer than 366 days"}})
def dashboard_report(
    caller: Archivist, resources: ResourcesDep,
    agency: Annotated[list[str] | None, Query(description="these agencies (default: every one the caller sees)")]
    = None,
    since: Annotated[dt.date | None, Query(description="first day of the per-day figures (default: 29 days before "
                                                       "`until`)")] = None,
    until: Annotated[dt.date | None, Query(description="last day of the per-day figures (default: today)")] = None,
) -> Dashboard:
    """Per agency: documents, dossiers digitized (documents and distinct codes), results digitized and the share
    signed (failed files counted), register entries; entries per book type and year; pages, failures and rescans
    per day (Vietnam's days); the review backlog."""
    try:
        wanted = agencies_in_view(agency or [], caller.agencies)
        return dashboard(resources.catalog(), wanted, since=since, until=until)
    except UnknownAgency as exc:
        raise HTTPException(404, f"no agency {exc}") from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
