"""What the catalog tells about batches beyond one row: the batches of some agencies, newest first and paged by an
opaque cursor bound to those agencies; the documents a batch has stored so far; the raw scan of a batch that has a
given SHA-256; how many batches are in each status and how many workers are running one."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from storage import audit
from storage.catalog import Catalog, now
from storage.keys import raw_prefix
from storage.schema import Batch, Document, ObjectRow

# one cursor format for every paged listing: the search's (opaque, bound to what was asked)
from storage.search import MAX_LIMIT, BadCursor, decode_cursor, encode_cursor


@dataclass(frozen=True)
class BatchPage:
    items: list[Batch]  # newest first
    next: str | None  # the cursor of the next page; None on the last


def list_batches(catalog: Catalog, *, agencies: Collection[str] | None = None, cursor: str | None = None,
                 limit: int = 20) -> BatchPage:
    """One page of the batches of ``agencies`` (None: all), newest first. BadCursor for a cursor this listing did
    not give (or gave for other agencies)."""
    limit = max(1, min(limit, MAX_LIMIT))
    fingerprint = _fingerprint(agencies)
    query = select(Batch).order_by(Batch.created_at.desc(), Batch.id.desc()).limit(limit + 1)
    if agencies is not None:
        query = query.where(Batch.agency.in_(sorted(agencies)))
    if cursor:
        query = query.where(_older_than(decode_cursor(cursor, fingerprint)))
    with Session(catalog.engine) as session:
        rows = list(session.scalars(query))
    page = rows[:limit]
    last = page[-1] if page and len(rows) > limit else None
    return BatchPage(page, encode_cursor([last.created_at.isoformat(), last.id], fingerprint) if last else None)


def documents_stored(catalog: Catalog, batch_ids: Collection[str]) -> dict[str, int]:
    """How many documents each batch has stored so far (a running batch stores them as it goes)."""
    if not batch_ids:
        return {}
    query = (select(Document.batch_id, func.count(func.distinct(Document.id)))
             .where(Document.batch_id.in_(sorted(batch_ids)), Document.version == 1).group_by(Document.batch_id))
    with Session(catalog.engine) as session:
        return {batch_id: count for batch_id, count in session.execute(query)}


def batches_by_status(catalog: Catalog) -> dict[str, int]:
    """How many batches there are in each status (counted on the index that leads with the status)."""
    with Session(catalog.engine) as session:
        return {status: count for status, count in
                session.execute(select(Batch.status, func.count()).group_by(Batch.status))}


def busy_workers(catalog: Catalog, dead_after: dt.timedelta) -> int:
    """How many workers are running a batch and beat its heartbeat within ``dead_after``."""
    query = select(func.count(func.distinct(Batch.worker))).where(Batch.status == "running",
                                                                   Batch.heartbeat_at >= now() - dead_after)
    with Session(catalog.engine) as session:
        return session.scalar(query) or 0


def raw_scan(catalog: Catalog, batch: Batch, sha256: str) -> ObjectRow | None:
    """The catalogued raw scan ``raw/<agency>/<batch>/<sha256>.<ext>`` of ``batch``, if it has one."""
    prefix = f"{raw_prefix(batch.agency, batch.id)}{sha256}."
    query = select(ObjectRow).where(ObjectRow.batch_id == batch.id, ObjectRow.sha256 == sha256,
                                    ObjectRow.key.startswith(prefix, autoescape=True))
    with Session(catalog.engine) as session:
        return session.scalars(query).first()


def _older_than(key: list[str]) -> ColumnElement[bool]:
    """Batches after the cursor's in the listing's order (created_at, then id, both descending)."""
    try:
        created_at, batch_id = key
        moment = dt.datetime.fromisoformat(created_at)
    except (TypeError, ValueError):
        raise BadCursor("the cursor is not one this listing gave") from None
    return or_(Batch.created_at < moment, and_(Batch.created_at == moment, Batch.id < batch_id))


def _fingerprint(agencies: Collection[str] | None) -> str:
    scope = {"batches": sorted(agencies) if agencies is not None else None}
    return hashlib.sha256(audit.canonical(scope).encode()).hexdigest()[:16]
