"""Retrieval of a stored document version: its signed PDF, or its CONTRACT §2 JSON with the page texts. Each is
checked against the SHA-256 the catalog recorded on the way out, and audited ("download", "view")."""
from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

from sqlalchemy import select

from storage.catalog import Catalog
from storage.objects import ObjectStore, read_object, write_object
from storage.schema import Document, ObjectRow


class DocumentNotFound(LookupError):
    pass


def fetch_pdf(catalog: Catalog, store: ObjectStore, doc_id: str, out: Path, *, actor: str,
              version: int | None = None, agencies: Collection[str] | None = None) -> Document:
    """Write a document's signed PDF (its latest version unless ``version`` is given) to ``out``."""
    doc = find_document(catalog, doc_id, version, agencies)
    write_object(store, doc.pdf_key, out, doc.sha256)
    audit_read(catalog, actor, "download", doc, doc.pdf_key, doc.sha256)
    return doc


def read_pdf(catalog: Catalog, store: ObjectStore, doc_id: str, *, actor: str, version: int | None = None,
             agencies: Collection[str] | None = None) -> tuple[Document, bytes]:
    """A document's signed PDF (its latest version unless ``version`` is given), as ``fetch_pdf`` writes it."""
    doc = find_document(catalog, doc_id, version, agencies)
    data = read_object(store, doc.pdf_key, doc.sha256)
    audit_read(catalog, actor, "download", doc, doc.pdf_key, doc.sha256)
    return doc, data


def read_record(catalog: Catalog, store: ObjectStore, doc_id: str, *, actor: str, version: int | None = None,
                agencies: Collection[str] | None = None) -> dict[str, Any]:
    """A document's stored JSON (CONTRACT §2, with page texts): its latest version unless ``version`` is given."""
    doc = find_document(catalog, doc_id, version, agencies)
    with catalog.engine.connect() as connection:
        # no row: no hash is recorded, so none matches and read_object says the object changed
        sha256 = connection.scalar(select(ObjectRow.sha256).where(ObjectRow.key == doc.json_key)) or ""
    record = json.loads(read_object(store, doc.json_key, sha256))
    audit_read(catalog, actor, "view", doc, doc.json_key, sha256)
    return record


def find_document(catalog: Catalog, doc_id: str, version: int | None = None,
                  agencies: Collection[str] | None = None) -> Document:
    """The document version; DocumentNotFound also when it belongs to an agency not in ``agencies`` (None: all)."""
    doc = catalog.document(doc_id, version)
    if doc is None or (agencies is not None and doc.agency not in agencies):
        raise DocumentNotFound(f"no document {doc_id}" + (f" version {version}" if version else ""))
    return doc


def audit_read(catalog: Catalog, actor: str, action: str, doc: Document, key: str, sha256: str,
               **details: object) -> None:
    """An audit event for something of a document that was read (``view``, ``download``)."""
    catalog.note_read(actor, action, f"{doc.id} v{doc.version}", {"key": key, "sha256": sha256, **details})
