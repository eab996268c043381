"""Export of a civil-registry book for the ministry's import: one ZIP with a signed PDF per entry, a spreadsheet.

The ZIP holds, for every entry of the book's register pages (latest versions), the signed page(s) the entry is on:
the stored signed document itself when it is exactly those pages (byte for byte, its signature intact), else those
pages extracted into a new PDF/A-2b signed as a registry book (once per page, shared by the entries on it). Beside
them: ``<book>.xlsx`` (one row per entry), ``manifest.json`` and ``SHA256SUMS`` (``sha256sum -c``) over the rest.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from ocr.doctypes import RECORD_FIELDS
from ocr.understand import ENTRY_PAGE
from signing.request import SignRequest
from signing.revisions import unsigned_original
from signing.signer import SignerConfig, sign_pdf
from storage import audit
from storage.catalog import Catalog
from storage.objects import ObjectStore, file_sha256, fsync_dir, read_object
from storage.report import UNKNOWN, book_id
from storage.schema import Batch, Document

SUMS = "SHA256SUMS"
MANIFEST = "manifest.json"
STORED, EXTRACT = "stored signed document", "signed extract"
EXTRA_COLUMNS = ["pdf", "doc_id", "version", "page"]


class BookNotFound(LookupError):
    """No register document belongs to the book."""


@dataclass(frozen=True)
class ExportSummary:
    book_id: str
    path: Path
    sha256: str  # of the ZIP
    documents: int
    entries: int
    pdfs: int  # one per entry
    stored: int  # entry PDFs that are the stored signed document
    extracts: int  # entry PDFs that are signed extracts
    signed: int  # extracts signed (a page shared by entries is signed once)


@dataclass
class _Entry:
    doc: Document
    position: int  # 1-based, in the document's records
    data: dict[str, Any]
    pdf_pages: tuple[int, ...]  # pages of the signed PDF the entry is on
    page_label: str
    file: str = ""

    @property
    def whole(self) -> bool:
        return self.pdf_pages == shown_pages(self.doc.record)


def export_book(catalog: Catalog, store: ObjectStore, book: str, out_path: Path, signer: SignerConfig, *,
                actor: str) -> ExportSummary:
    """Write the book's ZIP to ``out_path`` atomically and record an ``export`` audit event.

    Raises BookNotFound (naming the books that exist) when the book has no register document, and ObjectChanged
    when a stored PDF no longer hashes to what the catalog recorded; no ZIP is left behind then.
    """
    batches = _book_batches(catalog, book)
    docs = _register_documents(catalog, list(batches))
    if not docs:
        known = ", ".join(_known_books(catalog)[:20]) or "none"
        raise BookNotFound(f"no register pages of book {book!r} (books with a manifest: {known})")
    entries = _entries(docs)
    manifest = batches[docs[0].batch_id].manifest
    request = registry_request(manifest, docs[0].agency)
    exported_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    fd, tmp = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as archive:
                stored, extracts, signed = _write_zip(archive, store, book, docs, entries, signer, request,
                                                      exported_at)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out_path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    fsync_dir(out_path.parent)
    sha256 = file_sha256(out_path)[0]
    with catalog.engine.begin() as connection:
        audit.append(connection, actor, "export", book, {
            "file": out_path.name, "sha256": sha256, "entries": len(entries), "signed_extracts": signed,
            "documents": [f"{d.id} v{d.version}" for d in docs]})
    return ExportSummary(book, out_path, sha256, documents=len(docs), entries=len(entries), pdfs=len(entries),
                         stored=stored, extracts=extracts, signed=signed)


def registry_request(manifest: dict[str, Any] | None, agency: str) -> SignRequest:
    """How a page cut from a register book is signed: the agency's signature, named as its batch manifest names it."""
    return SignRequest(kind="registry_book", agency_name=(manifest or {}).get("agency_name") or agency)


def _book_batches(catalog: Catalog, book: str) -> dict[str, Batch]:
    agency = book.split("/", 1)[0]
    with Session(catalog.engine) as session:
        found = session.scalars(select(Batch).where(Batch.agency == agency))
        return {b.id: b for b in found if book_id(b.agency, b.manifest or {}) == book}


def _known_books(catalog: Catalog) -> list[str]:
    with Session(catalog.engine) as session:
        found = {book_id(b.agency, b.manifest or {}) for b in session.scalars(select(Batch))}
    return sorted(found - {UNKNOWN})


def _register_documents(catalog: Catalog, batch_ids: list[str]) -> list[Document]:
    if not batch_ids:
        return []
    query = (select(Document).where(Document.batch_id.in_(batch_ids), Document.latest,
                                    Document.doc_type.in_(list(RECORD_FIELDS)))
             .order_by(Document.id))
    with Session(catalog.engine) as session:
        return list(session.scalars(query))


def shown_pages(record: dict[str, Any]) -> tuple[int, ...]:
    """The pages of a document's signed PDF (its JSON ``record``), in order."""
    return tuple(sorted(pdf_pages(record).values()))


def pdf_pages(record: dict[str, Any]) -> dict[int, int]:
    """Document page index → page of the signed PDF, for the pages not blank (they alone are in the PDF)."""
    mapping, shown = {}, 0
    for page in record["pages"]:
        if not page["blank"]:
            shown += 1
            mapping[page["index"]] = page.get("pdf_page") or shown
    return mapping


def entry_pdf_pages(record: dict[str, Any], entry: dict[str, Any]) -> tuple[tuple[int, ...], str]:
    """The pages of a register document's signed PDF one of its ``records`` is on, and their label by document page
    ("3", "1-3"): the entry's own page, or every page for an entry read before entries carried their page."""
    pages = pdf_pages(record)
    index = entry.get(ENTRY_PAGE)
    if index is not None and int(index) in pages:
        return (pages[int(index)],), str(index)
    first, last = min(pages), max(pages)
    return shown_pages(record), str(first) if first == last else f"{first}-{last}"


def _entries(docs: list[Document]) -> list[_Entry]:
    """Every entry, sorted by numeric registration number, then document and position; file names given."""
    entries = []
    for doc in docs:
        for position, data in enumerate(doc.record.get("records") or [], 1):
            entries.append(_Entry(doc, position, data, *entry_pdf_pages(doc.record, data)))
    rank = {doc.id: n for n, doc in enumerate(docs)}
    entries.sort(key=lambda e: (_number_key(e.data.get("registration_number")), rank[e.doc.id], e.position))
    taken: set[str] = set()
    for entry in entries:
        label = _safe(str(entry.data.get("registration_number") or "")) or f"entry-{entry.position}"
        stem = f"{label}_{entry.doc.id[:12]}_p{entry.page_label}"
        name, n = f"{stem}.pdf", 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}.pdf"
        taken.add(name)
        entry.file = name
    return entries


def _number_key(value: Any) -> tuple[int, int]:
    digits = re.match(r"\d+", str(value or "").strip())
    return (0, int(digits.group())) if digits else (1, 0)


def _safe(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "-", text).strip(".-_")[:40]


def _write_zip(archive: zipfile.ZipFile, store: ObjectStore, book: str, docs: list[Document], entries: list[_Entry],
               signer: SignerConfig, request: SignRequest, exported_at: str) -> tuple[int, int, int]:
    """The members, one document at a time (its PDF and extracts in memory, no more); (stored, extracts, signed)."""
    sums: dict[str, str] = {}
    pdfs: list[dict[str, Any]] = []
    stored = extracts = signed = 0

    def add(name: str, data: bytes, compress: int = zipfile.ZIP_DEFLATED) -> str:
        sums[name] = hashlib.sha256(data).hexdigest()
        archive.writestr(name, data, compress_type=compress)
        return sums[name]

    for doc in docs:
        mine = [e for e in entries if e.doc is doc]
        if not mine:
            continue
        data = read_object(store, doc.pdf_key, doc.sha256)
        made: dict[tuple[int, ...], bytes] = {}
        with pikepdf.open(io.BytesIO(unsigned_original(data))) as source:
            for entry in mine:
                if entry.whole:
                    pdf, stored = data, stored + 1
                else:
                    if entry.pdf_pages not in made:
                        title = f"{book} {doc.id} p{entry.page_label}"
                        made[entry.pdf_pages] = sign_pdf(extract_pages(source, entry.pdf_pages, title), signer,
                                                         request)[0]
                        signed += 1
                    pdf, extracts = made[entry.pdf_pages], extracts + 1
                pdfs.append({"file": entry.file, "doc_id": doc.id, "version": doc.version,
                             "pdf_pages": list(entry.pdf_pages), "origin": STORED if entry.whole else EXTRACT,
                             "sha256": add(entry.file, pdf, zipfile.ZIP_STORED)})
    sheet = f"{_safe(book.replace('/', '_')) or 'book'}.xlsx"
    add(sheet, _spreadsheet(docs, entries))
    add(MANIFEST, json.dumps({
        "book": book, "exported_at": exported_at, "entries": len(entries), "spreadsheet": sheet,
        "documents": [{"id": d.id, "version": d.version, "doc_type": d.doc_type, "batch": d.batch_id,
                       "sha256": d.sha256, "entries": len(d.record.get("records") or []),
                       "needs_review": d.needs_review} for d in docs],
        "pdfs": sorted(pdfs, key=lambda p: p["file"])}, ensure_ascii=False, indent=1).encode())
    archive.writestr(SUMS, "".join(f"{digest}  {name}\n" for name, digest in sums.items()))
    return stored, extracts, signed


def extract_pages(source: pikepdf.Pdf, pages: tuple[int, ...], title: str) -> bytes:
    """The given pages (1-based) of the unsigned original as a new PDF/A-2b with its output intent and XMP."""
    pdf = pikepdf.new()
    for number in pages:
        pdf.pages.append(source.pages[number - 1])
    pdf.Root.OutputIntents = pdf.copy_foreign(source.make_indirect(source.Root.OutputIntents))  # direct there
    pdf.Root.Metadata = pdf.copy_foreign(source.Root.Metadata)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
        meta["xmp:ModifyDate"] = stamp
        meta["xmp:MetadataDate"] = stamp
    out = io.BytesIO()
    pdf.save(out, min_version="1.7", object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _spreadsheet(docs: list[Document], entries: list[_Entry]) -> bytes:
    """One row per entry: the register type's fields (CONTRACT §3 order, text as recorded), then where it is."""
    columns = list(dict.fromkeys(f for t in sorted({d.doc_type for d in docs}) for f in RECORD_FIELDS[t]))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("entries")
    sheet.append(columns + EXTRA_COLUMNS)
    for e in entries:
        page = e.data.get(ENTRY_PAGE)
        sheet.append([str(e.data[c]) if e.data.get(c) else None for c in columns]
                     + [e.file, e.doc.id, e.doc.version, page])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
