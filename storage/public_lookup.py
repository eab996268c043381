"""What anyone may learn of a stored result without signing in (public verification): a result found by its code or
by the SHA-256 of its signed PDF is told by its agency, code, document type, fingerprint and signature — never by
anything of the person it is for (no field, register entry, page text or source file name leaves this module).

Only results are told of: documents of a ``result`` batch, or that carry a result code. Not an audit event: nothing
personal is read, and the caller is nobody.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from storage.catalog import Catalog
from storage.folding import fold
from storage.schema import Batch, Document, Field

MAX_CODE_LENGTH = 100  # a one-stop result code is about 32 characters; longer input is no code


@dataclass(frozen=True)
class PublicResult:
    agency: str  # the agency's code
    agency_name: str | None  # as the batch manifest names it
    result_code: str | None
    doc_type: str
    sha256: str  # of the signed PDF
    signer: str  # the signing certificate's common name (the agency's key)
    signed_at: str  # ISO 8601
    version: int
    superseded: bool  # a later version (a correction) replaced this one


def result_by_code(catalog: Catalog, code: str) -> PublicResult | None:
    """The newest version of the result with this code (case and surrounding spaces do not matter)."""
    wanted = code.strip()
    if not wanted or len(wanted) > MAX_CODE_LENGTH:
        return None
    statement = (_rows().join(Field, Field.document_pk == Document.pk)
                 .where(Field.name == "result_code", Field.record_index.is_(None), Field.folded == fold(wanted),
                        Document.latest))
    with Session(catalog.engine) as session:
        found = [(doc, batch) for doc, batch in session.execute(statement)
                 if (doc.record.get("result_code") or "").casefold() == wanted.casefold()]
    return _public(*found[0]) if found else None


def result_by_sha256(catalog: Catalog, sha256: str) -> PublicResult | None:
    """The stored result version whose signed PDF has this SHA-256 (hex)."""
    with Session(catalog.engine) as session:
        found = [(doc, batch) for doc, batch in session.execute(_rows().where(Document.sha256 == sha256.lower()))
                 if _is_result(doc, batch)]
    return _public(*found[0]) if found else None


def _rows() -> Select[Document, Batch]:  # the Batch is None for a document stored without one (outer join)
    return select(Document, Batch).outerjoin(Batch, Batch.id == Document.batch_id).order_by(Document.version.desc())


def _is_result(doc: Document, batch: Batch | None) -> bool:
    return (batch is not None and batch.kind == "result") or bool(doc.record.get("result_code"))


def _public(doc: Document, batch: Batch | None) -> PublicResult:
    """Only what may be told to anyone: picked key by key, never the record as a whole."""
    manifest: dict[str, Any] = batch.manifest if batch is not None else {}
    signature = doc.record.get("signature") or {}
    return PublicResult(agency=doc.agency, agency_name=manifest.get("agency_name") or None,
                        result_code=doc.record.get("result_code"), doc_type=doc.doc_type, sha256=doc.sha256,
                        signer=signature.get("signer", ""), signed_at=signature.get("signed_at", ""),
                        version=doc.version, superseded=not doc.latest)
