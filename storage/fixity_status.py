"""What archivists see of fixity: the last runs (their ``fixity`` audit events) and how many stored objects are due
for a check."""
from __future__ import annotations

import datetime as dt
import json

from pydantic import BaseModel
from sqlalchemy import Integer, func, or_, select

from storage.catalog import Catalog, now
from storage.fixity import RECHECK_AFTER
from storage.schema import AuditEvent, ObjectRow


class FixityRun(BaseModel):
    """One finished run, as its audit event tells it (at most 100 keys of each kind are named)."""
    seq: int  # its audit event
    at: dt.datetime
    actor: str
    everything: bool  # every object, or only those due
    checked: int
    missing: int
    changed: int
    missing_keys: list[str]
    changed_keys: list[str]
    forged: int = 0  # document versions the catalog indexes otherwise than their signed JSON says
    forged_keys: list[str] = []


class ObjectCounts(BaseModel):
    stored: int  # objects the catalog records
    due: int  # never checked, or not in the last 30 days
    problems: int  # found missing or changed, or indexed otherwise, by their last check


def fixity_runs(catalog: Catalog, limit: int = 10) -> list[FixityRun]:
    """The last runs, newest first."""
    query = (select(AuditEvent).where(AuditEvent.action == "fixity").order_by(AuditEvent.seq.desc()).limit(limit))
    with catalog.engine.connect() as connection:
        events = connection.execute(query).all()
    return [_run(e.seq, e.at, e.actor, e.subject, json.loads(e.details or "{}")) for e in events]


def object_counts(catalog: Catalog) -> ObjectCounts:
    due = or_(ObjectRow.checked_at.is_(None), ObjectRow.checked_at < now() - RECHECK_AFTER)
    query = select(func.count(), func.sum(due.cast(Integer)),
                   func.sum(ObjectRow.check_status.in_(("missing", "mismatch", "index")).cast(Integer)))
    with catalog.engine.connect() as connection:
        stored, waiting, problems = connection.execute(query).one()
    return ObjectCounts(stored=stored, due=int(waiting or 0), problems=int(problems or 0))


def _run(seq: int, at: str, actor: str, subject: str, details: dict) -> FixityRun:
    return FixityRun(seq=seq, at=dt.datetime.fromisoformat(at), actor=actor, everything=subject == "all objects",
                     checked=details.get("checked", 0), missing=details.get("missing", 0),
                     changed=details.get("mismatched", 0), missing_keys=details.get("missing_keys", []),
                     changed_keys=details.get("mismatched_keys", []), forged=details.get("forged", 0),
                     forged_keys=details.get("forged_keys", []))
