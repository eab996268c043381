"""A document's versions as the catalog holds them: when each was signed and by whom, and the correction that made
it (who, when, what changed, what was confirmed, why). Version 1 is what the pipeline made; each later one a
reviewer's correction."""
from __future__ import annotations

from collections.abc import Collection

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.catalog import Catalog
from storage.retrieval import DocumentNotFound
from storage.schema import Document
from workers.record import CorrectionRecord, DocumentRecord


class Version(BaseModel):
    version: int
    latest: bool
    signed_at: str = Field(description="ISO 8601")
    signer: str
    level: str
    sha256: str = Field(description="of the version's signed PDF")
    needs_review: bool
    correction: CorrectionRecord | None = Field(description="what made this version; null for the pipeline's")


def document_versions(catalog: Catalog, doc_id: str, agencies: Collection[str] | None = None) -> list[Version]:
    """Every version of ``doc_id``, oldest first; DocumentNotFound when there is none the caller may see."""
    query = select(Document).where(Document.id == doc_id).order_by(Document.version)
    with Session(catalog.engine) as session:
        rows = [d for d in session.scalars(query) if agencies is None or d.agency in agencies]
    if not rows:
        raise DocumentNotFound(f"no document {doc_id}")
    return [_version(doc) for doc in rows]


def _version(doc: Document) -> Version:
    record = DocumentRecord.model_validate(doc.record)
    made = next((c for c in record.corrections if c.version == doc.version), None)
    return Version(version=doc.version, latest=doc.latest, signed_at=record.signature.signed_at,
                   signer=record.signature.signer, level=record.signature.level, sha256=doc.sha256,
                   needs_review=record.needs_review, correction=made)
