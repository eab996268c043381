"""One page through recognition: preprocess, Tesseract, reading order, and a second look when unsure which way is up."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from ocr.cells import reread_cells
from ocr.engine import OcrConfig
from ocr.preprocess import Prepared, prepare
from ocr.reading_order import reading_order_lines
from ocr.recognize import Word, page_confidence, recognize
from ocr.rules import Rules

log = logging.getLogger(__name__)

# Below this confidence a page whose orientation was a guess is read upside down as well, and the better reading kept.
RECHECK_CONFIDENCE = 0.80
UNREADABLE = 0.60  # a reading this poor is retried upside down even when the page seemed upright


@dataclass
class PageText:
    prepared: Prepared
    words: list[Word] = field(default_factory=list)  # in display-image pixels
    lines: list[str] = field(default_factory=list)
    confidence: float = 0.0
    rules: Rules = field(default_factory=Rules)  # in display-image pixels

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def read_page_text(image: np.ndarray, dpi: float, ocr: OcrConfig, gray: np.ndarray | None = None) -> PageText:
    """Recognize one scan (L or RGB array at ``dpi``); blank pages are not sent to Tesseract. Raises
    :class:`~ocr.engine.OcrError` when Tesseract cannot read the page."""
    prepared = prepare(image, dpi, gray)
    if prepared.blank:
        return PageText(prepared)
    words = recognize(prepared.recognition, prepared.recognition_dpi, ocr)
    confidence = page_confidence(words)
    if confidence < UNREADABLE or not prepared.orientation_sure and confidence < RECHECK_CONFIDENCE:
        flipped = np.ascontiguousarray(np.rot90(prepared.recognition, 2))
        other = recognize(flipped, prepared.recognition_dpi, ocr)
        if page_confidence(other) > confidence:
            log.debug("the page reads better turned half (confidence %.2f, not %.2f): turned", page_confidence(other),
                      confidence)
            prepared = _turned_half(prepared, flipped)
            words, confidence = other, page_confidence(other)
    words = reread_cells(prepared.recognition, prepared.rules, words, prepared.recognition_dpi, ocr)
    words = [w.scaled(1 / prepared.scale) for w in words]
    rules = prepared.rules.scaled(1 / prepared.scale)
    return PageText(prepared, words, reading_order_lines(words, rules.vertical), confidence, rules)


def _turned_half(p: Prepared, recognition: np.ndarray) -> Prepared:
    display = np.ascontiguousarray(np.rot90(p.display, 2))
    height, width = recognition.shape[:2]
    return Prepared(display, recognition, p.dpi, p.recognition_dpi, (p.rotation + 180) % 360, p.skew_deg, False, True,
                    p.rules.turned_half(width, height))

