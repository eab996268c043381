"""The one place a document version is stored, whoever made it (``process``, service mode, ``correct``): its signed
PDF and its JSON under ``docs/<agency>/<id>/v<n>``, write-once and under retention, then catalogued and audited."""
from __future__ import annotations

import hashlib
import logging
from typing import Any

from storage.catalog import Catalog
from storage.keys import doc_key
from storage.objects import ObjectStore
from workers.record import DocumentRecord

log = logging.getLogger(__name__)


def store_version(store: ObjectStore, catalog: Catalog, record: DocumentRecord, pdf_bytes: bytes, actor: str, *,
                  correction: dict[str, Any] | None = None) -> None:
    """Store and catalog one version; ``correction`` (its audit details) when a reviewer made it.

    Raises ObjectExists when that version's objects already hold other bytes, sqlalchemy's IntegrityError when the
    catalog already has that version."""
    if hashlib.sha256(pdf_bytes).hexdigest() != record.sha256:
        raise ValueError(f"document {record.id} v{record.version}: the record's SHA-256 is not the PDF's")
    retention = record.retention.policy() if record.retention else None
    pdf = store.put(doc_key(record.agency, record.id, record.version, "pdf"), pdf_bytes, "application/pdf",
                    retention)
    data = store.put(doc_key(record.agency, record.id, record.version, "json"), record.to_bytes(),
                     "application/json", retention)
    catalog.add_document(record.to_json(), pdf, data, actor, correction=correction)
    log.debug("document %s v%d stored", record.id, record.version, extra={"doc_id": record.id})


def catalog_stored(store: ObjectStore, catalog: Catalog, agency: str, doc_id: str, version: int,
                   actor: str) -> DocumentRecord | None:
    """Catalog a version whose two objects a run cut short stored before it could catalog them; None when its JSON
    is not stored (the version is to be made)."""
    json_key = doc_key(agency, doc_id, version, "json")
    if not store.exists(json_key):
        return None
    record = DocumentRecord.from_bytes(store.get(json_key))
    catalog.add_document(record.to_json(), store.stat(doc_key(agency, doc_id, version, "pdf")), store.stat(json_key),
                         actor)
    log.info("document %s v%d was stored by a run cut short: catalogued now", doc_id, version, extra={"doc_id": doc_id})
    return record
