"""Digitization progress for archivists: per agency, batch kind, register book and document type.

Counted in the database per batch and type (documents, signed, awaiting review, pages shown), then gathered by the
batch's agency, kind and book; files a batch could not read count as failed under their batch, with no type.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from storage.catalog import Catalog
from storage.schema import Batch, Document, Page

UNKNOWN = "-"


@dataclass
class ProgressRow:
    agency: str
    kind: str
    book: str  # <agency>/<type>/<year>/<volume> (CONTRACT §6), or "-"
    doc_type: str  # "-" for files that failed before they had a type
    documents: int = 0
    pages: int = 0
    signed: int = 0
    awaiting_review: int = 0
    failed: int = 0

    @property
    def review_rate(self) -> float:
        return round(self.awaiting_review / self.documents, 4) if self.documents else 0.0

    @property
    def failure_rate(self) -> float:
        attempted = self.documents + self.failed
        return round(self.failed / attempted, 4) if attempted else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "review_rate": self.review_rate, "failure_rate": self.failure_rate}


def book_id(agency: str, manifest: dict[str, Any]) -> str:
    book = manifest.get("book") or {}
    if not book:
        return UNKNOWN
    return f"{agency}/{book.get('type') or UNKNOWN}/{book.get('year') or UNKNOWN}/{book.get('volume') or UNKNOWN}"


def progress(catalog: Catalog, agencies: list[str] | None = None) -> list[ProgressRow]:
    """Rows sorted by agency, kind, book and type; only the latest version of each document counts."""
    with Session(catalog.engine) as session:
        batches = {b.id: b for b in session.scalars(select(Batch))}
        shown_pages = (select(Page.document_pk, func.count().label("pages")).where(Page.blank.is_(False))
                       .group_by(Page.document_pk).subquery())
        counts = session.execute(
            select(Document.batch_id, Document.doc_type, func.count(),
                   func.sum(func.coalesce(shown_pages.c.pages, 0)),
                   func.sum((Document.signed_at != "").cast(Integer)),
                   func.sum(Document.needs_review.cast(Integer)))
            .outerjoin(shown_pages, shown_pages.c.document_pk == Document.pk)
            .where(Document.latest.is_(True))
            .group_by(Document.batch_id, Document.doc_type)).all()
    rows: dict[tuple[str, str, str, str], ProgressRow] = {}

    def row(batch_id: str, doc_type: str) -> ProgressRow | None:
        batch = batches.get(batch_id)
        agency = batch.agency if batch else UNKNOWN
        if agencies and agency not in agencies:
            return None
        kind = (batch.kind if batch else None) or UNKNOWN
        key = (agency, kind, book_id(agency, batch.manifest or {}) if batch else UNKNOWN, doc_type)
        return rows.setdefault(key, ProgressRow(*key))

    for batch_id, doc_type, documents, pages, signed, review in counts:
        target = row(batch_id, doc_type)
        if target:
            target.documents += documents
            target.pages += int(pages or 0)
            target.signed += int(signed or 0)
            target.awaiting_review += int(review or 0)
    for batch in batches.values():
        failed = len((batch.summary or {}).get("failed") or [])
        target = row(batch.id, UNKNOWN) if failed else None
        if target:
            target.failed += failed
    return [rows[k] for k in sorted(rows)]


def totals(rows: list[ProgressRow]) -> ProgressRow:
    total = ProgressRow("all", "all", "all", "all")
    for r in rows:
        total.documents += r.documents
        total.pages += r.pages
        total.signed += r.signed
        total.awaiting_review += r.awaiting_review
        total.failed += r.failed
    return total


def progress_json(rows: list[ProgressRow]) -> dict[str, Any]:
    """The rows and their total, as ``sohoa report --format json`` prints and ``GET /api/reports/progress`` answers."""
    return {"rows": [r.to_dict() for r in rows], "total": totals(rows).to_dict()}
