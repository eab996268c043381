"""Reading the audit log: events filtered and paged newest first, and the hash chain's verification status.

Paging follows the events' numbers (the primary key), so a page costs the same at the end of a long log as at its
start. Verifying the chain (``storage.audit.verify``) reads every event and every anchor object: its cost grows with
the log (see ``chain_status``).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select

from storage import audit
from storage.catalog import Catalog
from storage.days import day_start
from storage.objects import ObjectStore
from storage.schema import AuditEvent
from storage.search import BadCursor

MAX_LIMIT = 200


class AuditFilter(BaseModel):
    """Which events: all of these that are given (days are Vietnam's, both included)."""
    actor: str | None = None  # the user name, exactly
    action: str | None = None  # one of storage.audit.ACTIONS
    since: dt.date | None = None
    until: dt.date | None = None
    subject: str | None = None  # a part of the subject, in any case


class AuditItem(BaseModel):
    seq: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    hash: str


class AuditPage(BaseModel):
    items: list[AuditItem]
    next: str | None  # the cursor of the next (older) page; None at the log's start


class ChainProblem(BaseModel):
    seq: int
    reason: str  # storage.audit's words (English)


class ChainStatus(BaseModel):
    intact: bool
    events: int  # events in the log
    problems: list[ChainProblem]


def audit_events(catalog: Catalog, where: AuditFilter, *, cursor: str | None = None, limit: int = 50) -> AuditPage:
    """One page of matching events, newest first. Raises BadCursor for a cursor this did not give, ValueError for an
    unknown action."""
    if where.action and where.action not in audit.ACTIONS:
        raise ValueError(f"unknown action {where.action!r}: expected one of {', '.join(audit.ACTIONS)}")
    limit = max(1, min(limit, MAX_LIMIT))
    query = select(AuditEvent).where(*_conditions(where)).order_by(AuditEvent.seq.desc()).limit(limit + 1)
    if cursor is not None:
        query = query.where(AuditEvent.seq < _seq(cursor))
    with catalog.engine.connect() as connection:
        rows = connection.execute(query).all()
    items = [AuditItem(seq=r.seq, at=dt.datetime.fromisoformat(r.at), actor=r.actor, action=r.action,
                       subject=r.subject, details=json.loads(r.details or "{}"), hash=r.hash) for r in rows[:limit]]
    return AuditPage(items=items, next=str(items[-1].seq) if len(rows) > limit else None)


def chain_status(catalog: Catalog, store: ObjectStore | None) -> ChainStatus:
    """Whether the log is intact: its chain, head row and (given the store) anchors checked. This reads every event
    (streamed, 10,000 at a time) and every anchor object, so it takes time in proportion to the log."""
    with catalog.engine.connect() as connection:
        problems = audit.verify(connection, store)
        events = connection.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return ChainStatus(intact=not problems, events=events,
                       problems=[ChainProblem(seq=p.seq, reason=p.reason) for p in problems])


def _conditions(where: AuditFilter) -> list[Any]:
    conditions: list[Any] = []
    if where.actor:
        conditions.append(AuditEvent.actor == where.actor.strip())
    if where.action:
        conditions.append(AuditEvent.action == where.action)
    if where.since:
        conditions.append(AuditEvent.at >= _utc_text(where.since))
    if where.until:
        conditions.append(AuditEvent.at < _utc_text(where.until + dt.timedelta(days=1)))
    if where.subject and where.subject.strip():
        conditions.append(func.lower(AuditEvent.subject).contains(where.subject.strip().lower(), autoescape=True))
    return conditions


def _utc_text(day: dt.date) -> str:
    """The start of a day in Vietnam as the log writes times (UTC ISO text, fixed width: text order is time order)."""
    return day_start(day).isoformat(timespec="microseconds")


def _seq(cursor: str) -> int:
    if not cursor.isdigit():
        raise BadCursor("the cursor is not one this list gave")
    return int(cursor)
