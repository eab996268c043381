"""Search over the catalog's latest document versions: the library call behind ``sohoa search`` and the API.

Filters combine with AND: personal ID, a person's full name (diacritics, case and spacing folded) in any name
field or register entry, document type, document number, agency, batch, a date range over the date fields, whether
a person must review it, and full text over field values, register entries and OCR text (which also finds parts of
names). With text, results are ranked by relevance (bm25 / ts_rank), then newest signature first; without, newest
signature first, or oldest first for the review queue.
The order depends on the documents only (a rebuilt catalog answers in the same order). Pages are cut by an
opaque cursor bound to the query. Every search is an audit event.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, tuple_

from storage import audit, fulltext
from storage.catalog import Catalog
from storage.folding import fold
from storage.schema import Document, Field

PERSONAL_ID_FIELDS = ("personal_id", "husband_personal_id", "wife_personal_id")
NAME_FIELDS = ("full_name", "father_name", "mother_name", "husband_name", "wife_name", "owner_name",
               "applicant_name", "signer_name")
NUMBER_FIELDS = ("document_number", "registration_number", "certificate_number", "license_number", "record_number",
                 "dossier_code", "result_code")
MAX_LIMIT = 100


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class SearchQuery:
    text: str | None = None
    personal_id: str | None = None
    name: str | None = None
    doc_type: str | None = None
    number: str | None = None
    agency: str | None = None
    batch: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    needs_review: bool | None = None  # True: the review queue; False: only documents nobody needs to look at
    oldest_first: bool = False  # the review queue is worked from its oldest document

    def params(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items() if v not in (None, "") and not (k == "oldest_first"
                                                                                             and not v)}


@dataclass(frozen=True)
class SearchPage:
    items: list[dict[str, Any]]
    next: str | None

    def to_dict(self) -> dict[str, Any]:
        """What ``GET /api/documents`` answers."""
        return {"items": self.items, "next": self.next}


def search(catalog: Catalog, query: SearchQuery, *, actor: str, agencies: Collection[str] | None = None,
           cursor: str | None = None, limit: int = 20) -> SearchPage:
    """One page of matching documents (CONTRACT §2 JSON without page texts); ``agencies`` None means all."""
    limit = max(1, min(limit, MAX_LIMIT))
    fingerprint = _fingerprint(query, agencies)
    after = decode_cursor(cursor, fingerprint) if cursor else None
    docs = Document.__table__
    match = fulltext.matches(catalog.dialect, query.text) if query.text else None
    newest = tuple_(docs.c.signed_at, docs.c.id)
    statement = select(docs.c.pk, *newest.clauses).where(*_filters(query, agencies))  # records: for the page only
    if match is not None:
        statement = statement.add_columns(match.c.rank).join(match, match.c.pk == docs.c.pk)
        statement = statement.order_by(match.c.rank, docs.c.signed_at.desc(), docs.c.id.desc())
        if after:
            rank, signed_at, doc_id = after
            statement = statement.where(or_(match.c.rank > rank,
                                            and_(match.c.rank == rank, newest < tuple_(signed_at, doc_id))))
    elif query.oldest_first:
        statement = statement.order_by(docs.c.signed_at, docs.c.id)
        if after:
            statement = statement.where(newest > tuple_(*after))
    else:
        statement = statement.order_by(docs.c.signed_at.desc(), docs.c.id.desc())
        if after:
            statement = statement.where(newest < tuple_(*after))
    with catalog.engine.connect() as connection:
        rows = connection.execute(statement.limit(limit + 1)).all()
        page, more = rows[:limit], len(rows) > limit
        wanted = select(docs.c.pk, docs.c.record).where(docs.c.pk.in_([row.pk for row in page]))
        records = {pk: record for pk, record in connection.execute(wanted)}
    catalog.note_read(actor, "search", "", {"query": query.params(), "results": len(page),
                                             "agencies": sorted(agencies) if agencies is not None else None,
                                             "next_page": cursor is not None})
    last = page[-1] if page else None
    key = ([last.rank] if match is not None else []) + [last.signed_at, last.id] if last else None
    return SearchPage([records[row.pk] for row in page], encode_cursor(key, fingerprint) if more and key else None)


def _documents_with(condition: ColumnElement[bool]) -> Select:
    """pks of the documents that have a field (or register entry field) meeting ``condition``."""
    return select(Field.document_pk).where(condition)


def _filters(query: SearchQuery, agencies: Collection[str] | None) -> list[ColumnElement[bool]]:
    docs = Document.__table__
    filters: list[ColumnElement[bool]] = [docs.c.latest]
    if agencies is not None:
        filters.append(docs.c.agency.in_(sorted(agencies)))
    for column, value in ((docs.c.agency, query.agency), (docs.c.batch_id, query.batch),
                          (docs.c.doc_type, query.doc_type)):
        if value:
            filters.append(column == value)
    if query.needs_review is not None:
        filters.append(docs.c.needs_review.is_(query.needs_review))
    if query.personal_id:
        filters.append(docs.c.pk.in_(_documents_with(
            and_(Field.folded == fold(query.personal_id), Field.name.in_(PERSONAL_ID_FIELDS)))))
    if query.name:
        filters.append(docs.c.pk.in_(_documents_with(
            and_(Field.folded == fold(query.name), Field.name.in_(NAME_FIELDS)))))
    if query.number:
        filters.append(docs.c.pk.in_(_documents_with(
            and_(Field.folded == fold(query.number), Field.name.in_(NUMBER_FIELDS)))))
    if query.date_from or query.date_to:
        low, high = query.date_from or dt.date.min, query.date_to or dt.date.max
        filters.append(docs.c.pk.in_(_documents_with(Field.date_value.between(low, high))))
    return filters


def _fingerprint(query: SearchQuery, agencies: Collection[str] | None) -> str:
    scope = [query.params(), sorted(agencies) if agencies is not None else None]
    return hashlib.sha256(audit.canonical({"scope": scope}).encode()).hexdigest()[:16]


def encode_cursor(key: list[Any], fingerprint: str) -> str:
    """An opaque cursor: the last item's sort key, bound to the query (``fingerprint``) it belongs to."""
    return base64.urlsafe_b64encode(json.dumps({"k": key, "q": fingerprint}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> list[Any]:
    """The sort key of a cursor ``encode_cursor`` gave for the same query; BadCursor otherwise."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key = data["k"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise BadCursor("the cursor is not one this list gave") from None
    if data.get("q") != fingerprint:
        raise BadCursor("the cursor belongs to another list")
    return key
