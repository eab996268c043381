"""The pipeline's stages as plain functions of small picklable values, whatever schedules them."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from ingest.errors import InputError
from ingest.hashing import sha256_page
from ingest.limits import Limits
from ingest.pages import read_page
from ingest.pdftext import PdfText
from ingest.separator import Separator, find_separator
from ingest.sniff import Kind
from ocr.analysis import ink_gray
from ocr.engine import OcrConfig, OcrError
from ocr.ghostscript import GhostscriptError, pdfa_page
from ocr.page import read_page_text
from ocr.pdfa import KeptPage, PdfInfo, PdfPage, build_pdfa
from ocr.quality import rescan_reasons
from ocr.recognize import Word
from ocr.rules import Rules
from ocr.textlayer import distrust, read_layer
from signing.request import SignRequest
from signing.signer import Signature, SignerConfig, sign_pdf

log = logging.getLogger(__name__)

JPEG_QUALITY = 85
A4_LONG_SIDE_INCHES = 11.69


@dataclass(frozen=True)
class PageJob:
    path: Path
    kind: Kind
    number: int  # 1-based, counting every page of the file
    ocr: OcrConfig
    work_dir: Path  # where the page image to show is written
    limits: Limits


@dataclass
class PageOutcome:
    number: int
    error: str | None = None
    page_hash: str = ""
    separator: Separator | None = None
    blank: bool = False
    dpi: float = 0.0
    rotation: int = 0
    skew_deg: float = 0.0
    text: str = ""
    confidence: float = 0.0
    words: list[Word] = field(default_factory=list)
    image: Path | None = None  # JPEG of the page as shown in the PDF
    kept: Path | None = None  # or, for a born-digital page read from its own text, the page itself as PDF/A
    text_source: Literal["ocr", "pdf"] = "ocr"  # "pdf" when the text came from the page's own text layer
    size: tuple[int, int] = (0, 0)
    gray: bool = False
    rescan: list[str] = field(default_factory=list)
    rules: Rules = field(default_factory=Rules)  # ruling lines, in the same pixels as ``words``


def run_page(job: PageJob) -> PageOutcome:
    """Read, hash, look for a separator, recognize; any failure is reported in the outcome, never raised."""
    where = _where(job)
    try:
        return _run_page(job)
    except InputError as exc:  # the file's failure is reported (and logged) with its documents
        log.info("page %d of %s cannot be read: %s", job.number, job.path.name, exc, extra=where)
        return PageOutcome(job.number, error=str(exc))
    except OcrError as exc:  # Tesseract gave up on the page, or stopped: its document fails with the reason
        log.warning("page %d of %s cannot be read: %s", job.number, job.path.name, exc, extra=where)
        return PageOutcome(job.number, error=f"page {job.number}: {exc}")
    except Exception as exc:  # noqa: BLE001 - one bad page must not stop a batch
        log.warning("page %d of %s failed", job.number, job.path.name, exc_info=True, extra=where)
        return PageOutcome(job.number, error=f"internal error on page {job.number}: {type(exc).__name__}: {exc}")


def _where(job: PageJob) -> dict[str, object]:
    """The fields of a log line about the page (its file by name only)."""
    return {"file": job.path.name, "page": job.number}


def _run_page(job: PageJob) -> PageOutcome:
    raw = read_page(job.path, job.kind, job.number, job.limits)
    image = np.asarray(raw.image)
    outcome = PageOutcome(job.number, page_hash=sha256_page(raw.image))
    outcome.dpi = raw.dpi or round(max(image.shape[:2]) / A4_LONG_SIDE_INCHES)
    gray = ink_gray(image)
    outcome.separator = find_separator(gray, outcome.dpi)
    if outcome.separator:
        log.debug("page %d of %s is a separator sheet", job.number, job.path.name,
                  extra=_where(job))
        return outcome
    if raw.text is not None and _from_text_layer(job, raw.text, gray, outcome):
        return outcome
    page = read_page_text(image, outcome.dpi, job.ocr, gray)
    prepared = page.prepared
    outcome.blank, outcome.rotation = bool(prepared.blank), int(prepared.rotation)
    outcome.skew_deg = float(prepared.skew_deg)
    outcome.text, outcome.confidence, outcome.words, outcome.rules = page.text, page.confidence, page.words, page.rules
    outcome.rescan = rescan_reasons(page)
    if not raw.dpi:
        outcome.rescan.append(f"the file records no resolution: {outcome.dpi:.0f} dpi assumed for an A4 page")
    if prepared.blank:
        log.debug("page %d of %s is blank: not recognized", job.number, job.path.name,
                  extra=_where(job))
    else:
        display = prepared.display
        outcome.gray = display.ndim == 2
        outcome.size = (display.shape[1], display.shape[0])
        outcome.image = job.work_dir / f"{outcome.page_hash}.jpg"
        bgr = display if outcome.gray else cv2.cvtColor(display, cv2.COLOR_RGB2BGR)
        cv2.imwrite(str(outcome.image), bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    return outcome


def _from_text_layer(job: PageJob, layer: PdfText, gray: np.ndarray, outcome: PageOutcome) -> bool:
    """Read a born-digital page from its own text and keep the page as it is; False (the reason logged) when its text
    layer cannot be believed and OCR must read the page."""
    reason = distrust(layer)
    if reason is None:
        try:
            kept = pdfa_page(job.path, job.number)
        except GhostscriptError as exc:
            reason = str(exc)
    if reason is not None:
        log.info("page %d of %s is read by OCR, not from its text layer: %s", job.number, job.path.name, reason,
                 extra=_where(job))
        return False
    read = read_layer(layer, gray, outcome.dpi)
    outcome.text, outcome.words, outcome.rules, outcome.confidence = read.text, read.words, read.rules, 1.0
    outcome.text_source, outcome.size = "pdf", (gray.shape[1], gray.shape[0])
    outcome.kept = job.work_dir / f"{outcome.page_hash}.pdf"
    outcome.kept.write_bytes(kept)
    return True


def document_id(page_hashes: list[str]) -> str:
    """Derived from the pages' content: the same pages give the same id, whatever file they came in."""
    return hashlib.sha256("\n".join(page_hashes).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class DocJob:
    doc_id: str
    pages: list[PageOutcome]  # the pages shown in the PDF, in order
    info: PdfInfo
    signer: SignerConfig
    work_dir: Path
    sign: SignRequest = field(default_factory=SignRequest)  # what the signature shows (CONTRACT §6)


@dataclass
class DocOutcome:
    doc_id: str
    pdf: Path | None = None
    sha256: str = ""
    signature: Signature | None = None
    error: str | None = None
    signing_seconds: float = 0.0  # of this worker's time, spent signing (stamp and QR included)


def build_document(job: DocJob) -> DocOutcome:
    """Assemble the searchable PDF/A and sign it; the signed file is written to the work folder."""
    try:
        pdfa = build_pdfa([_shown(p) for p in job.pages], job.info)
        started = time.monotonic()
        signed, signature = sign_pdf(pdfa, job.signer, job.sign)
        spent = time.monotonic() - started
        path = job.work_dir / f"{job.doc_id}.pdf"
        path.write_bytes(signed)
        return DocOutcome(job.doc_id, path, hashlib.sha256(signed).hexdigest(), signature, signing_seconds=spent)
    except Exception as exc:  # noqa: BLE001 - reported per document
        log.warning("document %s: the PDF could not be made", job.doc_id, exc_info=True, extra={"doc_id": job.doc_id})
        return DocOutcome(job.doc_id, error=f"{type(exc).__name__}: {exc}")


def _shown(page: PageOutcome) -> PdfPage | KeptPage:
    """A page as its document shows it: the born-digital page kept, or the scan's JPEG under its text (every page
    read has one or the other; a failed one has none)."""
    if page.kept is not None:
        return KeptPage(page.kept.read_bytes())
    if page.image is None:
        raise ValueError(f"page {page.number} has no image to show")
    return PdfPage(page.image.read_bytes(), page.size[0], page.size[1], page.dpi, page.gray, page.words)


def init_worker() -> None:
    """One Tesseract and OpenCV thread per process: parallelism comes from processes, one per core."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    cv2.setNumThreads(1)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
