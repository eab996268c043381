"""Pictures of pages for people to look at: a stored document's page as its signed PDF shows it (stamp and QR code
included), rendered once per PDF, page and resolution and kept in a cache folder."""
from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from storage.catalog import Catalog
from storage.objects import ObjectStore, read_object
from storage.retrieval import DocumentNotFound, audit_read, find_document

MIN_DPI, MAX_DPI, DEFAULT_DPI = 30, 200, 110  # 110 dpi: an A4 page about 900 pixels wide


@dataclass(frozen=True)
class PagePicture:
    png: bytes
    etag: str  # the same for the same signed PDF, page and resolution


def document_page_png(catalog: Catalog, store: ObjectStore, cache: Path, doc_id: str, index: int, *, actor: str,
                      version: int | None = None, agencies: Collection[str] | None = None,
                      dpi: int = DEFAULT_DPI) -> PagePicture:
    """Page ``index`` (as the document's JSON numbers its pages, from 1) of a stored document, as a PNG. Raises
    DocumentNotFound for a document the caller may not see, a page it does not have, or a blank page (blank pages are
    left out of the PDF); the signed PDF is checked against its SHA-256 and its reading audited ("view")."""
    doc = find_document(catalog, doc_id, version, agencies)
    pages = doc.record["pages"]
    if not 1 <= index <= len(pages):
        raise DocumentNotFound(f"document {doc_id} has {len(pages)} pages, not a page {index}")
    if pages[index - 1]["blank"]:
        raise DocumentNotFound(f"page {index} of document {doc_id} is blank: it is not kept in the PDF")
    pdf_page = pages[index - 1].get("pdf_page") or sum(not p["blank"] for p in pages[:index])
    dpi = max(MIN_DPI, min(MAX_DPI, dpi))
    path = cache / doc.sha256 / f"{pdf_page}-{dpi}.png"
    if not path.exists():
        _write_atomically(path, render_pdf_page(read_object(store, doc.pdf_key, doc.sha256), pdf_page, dpi))
    audit_read(catalog, actor, "view", doc, doc.pdf_key, doc.sha256, page=index)
    return PagePicture(path.read_bytes(), f'"{doc.sha256[:32]}-{pdf_page}-{dpi}"')


def render_pdf_page(pdf: bytes, number: int, dpi: int) -> bytes:
    """Page ``number`` (from 1) of a PDF as a PNG at ``dpi``."""
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[number - 1].render(scale=dpi / 72, may_draw_forms=True).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as part:
        part.write(data)
    os.replace(part.name, path)
