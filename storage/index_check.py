"""Whether what the catalog indexes for a document version is what its signed JSON in the object store says.

The catalog is derived data: a row edited in the database (a name, a type) would be served by search while the
object store, the record of truth, says otherwise. Fixity compares them and names what differs; ``sohoa catalog
rebuild`` makes the rows again from the store.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from storage import fulltext
from storage.indexing import StoredDocument, document_row, index_rows
from storage.objects import StoredObject
from storage.schema import Document, Field, Page, Record

_DOCUMENT_COLUMNS = ("id", "version", "agency", "batch_id", "doc_type", "needs_review", "source", "sha256", "record",
                     "signed_at", "retention_class", "retain_until")


def index_differences(connection: Connection, pk: int, record: dict[str, Any]) -> list[str]:
    """What of document version ``pk``'s catalog rows differs from its stored JSON ``record`` (empty: nothing)."""
    row = connection.execute(select(Document.__table__).where(Document.pk == pk)).one()
    stored = StoredDocument(record, StoredObject(row.pdf_key, "", 0, ""), StoredObject(row.json_key, "", 0, ""))
    expected, rows = document_row(stored), index_rows(pk, record)
    differs = [f"document {name}" for name in _DOCUMENT_COLUMNS if getattr(row, name) != expected[name]]
    pages = connection.execute(select(Page.index, Page.source_page, Page.blank, Page.confidence, Page.text)
                               .where(Page.document_pk == pk).order_by(Page.index)).all()
    if [tuple(p) for p in pages] != [(p["index"], p["source_page"], p["blank"], p["confidence"], p["text"])
                                     for p in rows.pages]:
        differs.append("pages")
    fields = connection.execute(select(Field.record_index, Field.name, Field.value, Field.folded, Field.date_value)
                                .where(Field.document_pk == pk)).all()
    if sorted(map(_comparable, fields)) != sorted(_comparable((f["record_index"], f["name"], f["value"],
                                                                f["folded"], f["date_value"])) for f in rows.fields):
        differs.append("fields")
    entries = connection.execute(select(Record.index, Record.data).where(Record.document_pk == pk)
                                 .order_by(Record.index)).all()
    if [tuple(e) for e in entries] != [(r["index"], r["data"]) for r in rows.records]:
        differs.append("register entries")
    if not fulltext.body_matches(connection, pk, rows.body):
        differs.append("full text")
    return differs


def _comparable(values: Any) -> tuple[Any, ...]:
    """A field row, sortable whatever its empty parts (None sorts first)."""
    return tuple((value is not None, value) for value in values)
