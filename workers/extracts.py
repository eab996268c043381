"""Extracts an officer hands out or files elsewhere.

- The data extract: one document version's data — id and version, type, agency, batch, source, one-stop codes, the
  fields, the register entries, the signature (level, signer, time) and the SHA-256 of the signed PDF it describes,
  whether it awaits review, retention — as JSON, or as a one-sheet XLSX: the document's facts and fields as
  ``name | value`` rows, then the register entries as a table (the register's fields, then the entry's page). Names
  are the contract's (CONTRACT §2, §3), so other systems read it as they read the API. Reading it is audited as a
  view of the document's data.
- The signed extract of a register entry: the page of the book the entry is on, as a signed PDF/A — the stored
  signed document itself when it is exactly that page, else that page cut from the unsigned PDF/A and signed as a
  registry book, as ``sohoa export book`` makes the PDF of each entry. Audited as a download.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pikepdf
from openpyxl import Workbook
from pydantic import BaseModel, ConfigDict, Field

from ocr.doctypes import RECORD_FIELDS
from ocr.understand import ENTRY_PAGE
from signing.revisions import unsigned_original
from signing.signer import SignerConfig, sign_pdf
from storage.catalog import Catalog
from storage.export import entry_pdf_pages, extract_pages, registry_request, shown_pages
from storage.objects import ObjectStore, read_object
from storage.retrieval import DocumentNotFound, audit_read, find_document, read_record
from workers.record import RetentionRecord, SignatureRecord

SHEET = "document"
FACTS = ("id", "version", "doc_type", "agency", "batch", "source", "dossier_code", "result_code", "signature_level",
         "signer", "signed_at", "sha256", "needs_review", "review_reasons", "retention_class", "retain_until",
         "extracted_at")


class DocumentExtract(BaseModel):
    """One document version's data (CONTRACT §2 without the page texts and page details)."""
    model_config = ConfigDict(populate_by_name=True)
    id: str
    version: int
    doc_type: str
    agency: str
    batch: str
    source: str
    dossier_code: str | None = None
    result_code: str | None = None
    fields: dict[str, str] = {}
    records: list[dict[str, str | int]] = Field([], description="register entries; `page`: the document page")
    signature: SignatureRecord
    sha256: str = Field(description="of the signed PDF this data belongs to")
    needs_review: bool
    review_reasons: list[str] = []
    retention: RetentionRecord | None = None
    extracted_at: str = Field(description="when this extract was made, ISO 8601")


@dataclass(frozen=True)
class EntryExtract:
    pdf: bytes
    filename: str
    pdf_pages: tuple[int, ...]  # pages of the document's signed PDF
    stored: bool  # the stored signed document itself (it is that one page)


def data_extract(catalog: Catalog, store: ObjectStore, doc_id: str, *, actor: str, version: int | None = None,
                 agencies: Collection[str] | None = None) -> DocumentExtract:
    """A version's data (the latest unless ``version``), read from its stored JSON; a "view" audit event."""
    record = read_record(catalog, store, doc_id, actor=actor, version=version, agencies=agencies)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    kept = {k: v for k, v in record.items() if k in DocumentExtract.model_fields}
    return DocumentExtract.model_validate({**kept, "extracted_at": now})


def extract_xlsx(extract: DocumentExtract) -> bytes:
    """The extract as one sheet: facts, fields, then the register entries as a table."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    data = extract.model_dump(mode="json", by_alias=True)
    retention = data["retention"] or {}
    facts: dict[str, Any] = {**data, "signature_level": extract.signature.level, "signer": extract.signature.signer,
                             "signed_at": extract.signature.signed_at, "review_reasons": "; ".join(
                                 extract.review_reasons), "retention_class": retention.get("class"),
                             "retain_until": retention.get("until")}
    sheet.append(["name", "value"])
    for name in FACTS:
        sheet.append([name, facts.get(name)])
    for name, value in extract.fields.items():
        sheet.append([name, value])
    if extract.records:
        columns = list(dict.fromkeys([*RECORD_FIELDS.get(extract.doc_type, ()),
                                      *(k for r in extract.records for k in r if k != ENTRY_PAGE)]))
        sheet.append([])
        sheet.append(["entry", *columns, ENTRY_PAGE])
        for position, entry in enumerate(extract.records, 1):
            sheet.append([position, *(entry.get(c) for c in columns), entry.get(ENTRY_PAGE)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def entry_extract(catalog: Catalog, store: ObjectStore, doc_id: str, entry: int, signer: SignerConfig, *,
                  actor: str, version: int | None = None,
                  agencies: Collection[str] | None = None) -> EntryExtract:
    """The signed PDF of the register page entry ``entry`` (from 1) of a version is on; a "download" audit event.
    Raises DocumentNotFound (no such document or entry), ObjectMissing, ObjectChanged, NotSigned."""
    doc = find_document(catalog, doc_id, version, agencies)
    entries = doc.record.get("records") or []
    if not 1 <= entry <= len(entries):
        raise DocumentNotFound(f"document {doc_id} has {len(entries)} register entries, not an entry {entry}")
    pages, label = entry_pdf_pages(doc.record, entries[entry - 1])
    data = read_object(store, doc.pdf_key, doc.sha256)
    stored = pages == shown_pages(doc.record)
    if not stored:
        batch = catalog.batch(doc.batch_id)
        with pikepdf.open(io.BytesIO(unsigned_original(data))) as source:
            page = extract_pages(source, pages, f"{doc.id} v{doc.version} entry {entry} p{label}")
        data = sign_pdf(page, signer, registry_request(batch.manifest if batch else None, doc.agency))[0]
    audit_read(catalog, actor, "download", doc, doc.pdf_key, doc.sha256, entry=entry, pdf_pages=list(pages),
               extract_sha256=hashlib.sha256(data).hexdigest())
    return EntryExtract(data, f"{doc.id}-v{doc.version}-entry{entry}-p{label}.pdf", pages, stored)
