"""Retrieval of a stored signed PDF: checked against the catalog's SHA-256 on the way out, and audited."""
from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from storage import audit
from storage.catalog import Catalog
from storage.objects import ObjectStore, write_object
from storage.schema import Document


class DocumentNotFound(LookupError):
    pass


def fetch_pdf(catalog: Catalog, store: ObjectStore, doc_id: str, out: Path, *, actor: str,
              version: int | None = None, agencies: Collection[str] | None = None) -> Document:
    """Write a document's signed PDF (its latest version unless ``version`` is given) to ``out``."""
    doc = catalog.document(doc_id, version)
    if doc is None or (agencies is not None and doc.agency not in agencies):
        raise DocumentNotFound(f"no document {doc_id}" + (f" version {version}" if version else ""))
    write_object(store, doc.pdf_key, out, doc.sha256)
    with catalog.engine.begin() as connection:
        audit.append(connection, actor, "download", f"{doc.id} v{doc.version}", {"key": doc.pdf_key,
                                                                                 "sha256": doc.sha256})
    return doc
