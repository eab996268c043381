"""A document's versions as the catalog holds them: when each was signed and by whom, and the corrections that made
it (who, when, what changed, why). Version 1 is what the pipeline made; each later one a reviewer's correction."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.catalog import Catalog
from storage.retrieval import DocumentNotFound
from storage.schema import Document


@dataclass(frozen=True)
class Change:
    target: str  # a field, records.N.FIELD or doc_type
    old: str | None
    new: str | None  # None: removed


@dataclass(frozen=True)
class Correction:
    """What made a version: who, when, why, the values changed and the values confirmed as right."""
    by: str
    at: str  # ISO 8601
    note: str | None
    changes: list[Change] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Version:
    version: int
    latest: bool
    signed_at: str  # ISO 8601, from the signature
    signer: str
    level: str
    sha256: str  # of the signed PDF
    needs_review: bool
    correction: Correction | None  # None for version 1 (and any version not made by a correction)


def document_versions(catalog: Catalog, doc_id: str, agencies: Collection[str] | None = None) -> list[Version]:
    """Every version of ``doc_id``, oldest first; DocumentNotFound when there is none the caller may see."""
    query = select(Document).where(Document.id == doc_id).order_by(Document.version)
    with Session(catalog.engine) as session:
        rows = [d for d in session.scalars(query) if agencies is None or d.agency in agencies]
    if not rows:
        raise DocumentNotFound(f"no document {doc_id}")
    return [_version(d) for d in rows]


def _version(doc: Document) -> Version:
    signature = doc.record.get("signature") or {}
    made = next((c for c in doc.record.get("corrections") or [] if c.get("version") == doc.version), None)
    return Version(doc.version, doc.latest, signature.get("signed_at", ""), signature.get("signer", ""),
                   signature.get("level", ""), doc.sha256, doc.needs_review, _correction(made) if made else None)


def _correction(data: dict[str, Any]) -> Correction:
    changes = [Change(c["target"], c.get("old"), c.get("new")) for c in data.get("changes") or []]
    return Correction(data.get("by", ""), data.get("at", ""), data.get("note"), changes,
                      list(data.get("confirmed") or []))
