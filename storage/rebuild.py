"""``sohoa catalog rebuild``: the catalog made again from the object store alone.

Batches come from their ``batch.json`` records (or, for a batch without one, from its documents), raw scans
from ``raw/``, document versions from the ``docs/<agency>/<doc_id>/v<n>.json`` objects beside their PDFs. Every
object's SHA-256 is the one its store metadata kept from when it was written. The audit log is not derived data:
it is kept, and the rebuild is one more event in it.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from storage import audit, fulltext
from storage.batches import BATCH_RECORD
from storage.catalog import Catalog, now
from storage.indexing import StoredDocument, index_documents
from storage.objects import ObjectStore
from storage.schema import Batch, Document, Field, ObjectRow, Page, Record

CHUNK = 500


@dataclass(frozen=True)
class RebuildReport:
    batches: int
    documents: int
    raw_objects: int


def rebuild(catalog: Catalog, store: ObjectStore, *, actor: str) -> RebuildReport:
    with catalog.engine.begin() as connection:
        fulltext.clear(connection)
        for table in (ObjectRow, Record, Field, Page, Document, Batch):
            connection.execute(delete(table))
        batches, raw = _load_raw(connection, store)
        documents = 0
        chunk: list[StoredDocument] = []
        for doc in _stored_documents(store):
            chunk.append(doc)
            if len(chunk) == CHUNK:
                documents += len(index_documents(connection, chunk))
                chunk = []
        documents += len(index_documents(connection, chunk))
        batches += _add_missing_batches(connection, now())
        report = RebuildReport(batches, documents, raw)
        audit.append(connection, actor, "rebuild", "catalog", report.__dict__)
    catalog.optimize()
    return report


def _load_raw(connection: Connection, store: ObjectStore) -> tuple[int, int]:
    """Batch records and raw scans; how many of each."""
    batches, raw = [], []
    for key in store.keys("raw/"):
        if key.endswith("/" + BATCH_RECORD):
            record = json.loads(store.get(key))
            batches.append({**record, "created_at": dt.datetime.fromisoformat(record["created_at"]),
                            "finished_at": _datetime(record["finished_at"])})
        else:
            obj = store.stat(key)
            raw.append({"key": key, "sha256": obj.sha256, "size": obj.size, "content_type": obj.content_type,
                        "batch_id": key.split("/")[2]})
    for table, rows in ((Batch, batches), (ObjectRow, raw)):
        for start in range(0, len(rows), CHUNK):
            connection.execute(insert(table), rows[start:start + CHUNK])
    return len(batches), len(raw)


def _stored_documents(store: ObjectStore) -> Iterator[StoredDocument]:
    for key in store.keys("docs/"):
        if key.endswith(".json"):
            record = json.loads(store.get(key))
            yield StoredDocument(record, store.stat(key.removesuffix(".json") + ".pdf"), store.stat(key))


def _add_missing_batches(connection: Connection, at: dt.datetime) -> int:
    """A batch whose record is not in the store (it was cut short) is known from its documents."""
    known = select(Batch.id)
    rows = connection.execute(select(Document.batch_id, Document.agency).where(Document.batch_id.not_in(known))
                              .distinct()).all()
    if rows:
        connection.execute(insert(Batch), [{"id": b, "agency": a, "kind": None, "manifest": {}, "status": "unknown",
                                             "summary": {}, "created_at": at, "finished_at": None} for b, a in rows])
    return len(rows)


def _datetime(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None
