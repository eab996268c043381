"""Pictures of pages for people to look at, each made once and kept in a cache folder: a stored document's page as
its signed PDF shows it (stamp and QR code included), and a small picture of a raw scan's page (the pages a scanning
team is asked to scan again)."""
from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from ingest.errors import InputError
from ingest.limits import Limits
from ingest.pages import page_count, read_page
from ingest.sniff import sniff
from storage.batch_list import raw_scan
from storage.catalog import Catalog
from storage.export import pdf_pages
from storage.objects import ObjectStore, read_object, write_object
from storage.retrieval import DocumentNotFound, audit_read, find_document

MIN_DPI, MAX_DPI, DEFAULT_DPI = 30, 200, 110  # 110 dpi: an A4 page about 900 pixels wide
THUMBNAIL_WIDTH = 240  # pixels: a scan's page in a list, big enough to tell what went wrong


class ScanNotFound(LookupError):
    """No such batch, scan or page for the caller (another agency's batch included), or a page that cannot be
    drawn."""


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
    pdf_page = pdf_pages(doc.record)[index]
    dpi = max(MIN_DPI, min(MAX_DPI, dpi))
    path = cache / doc.sha256 / f"{pdf_page}-{dpi}.png"
    if not path.exists():
        _write_atomically(path, render_pdf_page(read_object(store, doc.pdf_key, doc.sha256), pdf_page, dpi))
    audit_read(catalog, actor, "view", doc, doc.pdf_key, doc.sha256, page=index)
    return PagePicture(path.read_bytes(), f'"{doc.sha256[:32]}-{pdf_page}-{dpi}"')


def scan_page_png(catalog: Catalog, store: ObjectStore, cache: Path, batch_id: str, sha256: str, page: int, *,
                  actor: str, agencies: Collection[str] | None, limits: Limits,
                  width: int = THUMBNAIL_WIDTH) -> PagePicture:
    """Page ``page`` (from 1) of the raw scan ``raw/<agency>/<batch>/<sha256>.<ext>`` as a PNG ``width`` pixels
    wide. The scan is read with the intake's limits, checked against the SHA-256 the catalog recorded; its reading
    is audited ("view"). ScanNotFound for a batch of an agency not in ``agencies`` (None: all), a scan the batch
    does not have, or a page the scan does not have or that cannot be read."""
    batch = catalog.batch(batch_id)
    if batch is None or (agencies is not None and batch.agency not in agencies):
        raise ScanNotFound(f"no batch {batch_id}")
    scan = raw_scan(catalog, batch, sha256)
    if scan is None:
        raise ScanNotFound(f"batch {batch_id} has no scan {sha256}")
    path = cache / sha256 / f"{page}-{width}.png"
    if not path.exists():
        _write_atomically(path, _scan_thumbnail(store, scan.key, scan.sha256, page, width, limits, cache))
    catalog.note_read(actor, "view", scan.key, {"batch": batch_id, "sha256": sha256, "page": page})
    return PagePicture(path.read_bytes(), f'"{sha256[:32]}-{page}-{width}"')


def _scan_thumbnail(store: ObjectStore, key: str, sha256: str, page: int, width: int, limits: Limits,
                    work: Path) -> bytes:
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work, prefix="scan-") as folder:
        scan = Path(folder) / "scan"
        write_object(store, key, scan, sha256)
        try:
            kind = sniff(scan)
            pages = page_count(scan, kind, limits)
            if not 1 <= page <= pages:
                raise ScanNotFound(f"the scan {sha256} has {pages} pages, not a page {page}")
            image = read_page(scan, kind, page, limits).image
        except InputError as exc:
            raise ScanNotFound(f"page {page} of the scan {sha256} cannot be read: {exc}") from None
    image.thumbnail((width, width * 20), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


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
