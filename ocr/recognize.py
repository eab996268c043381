"""The words of a page, with boxes and confidences, as the OCR engine (:mod:`ocr.engine`) reads them."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from ocr import engine
from ocr.engine import OcrConfig

PRINT = 160  # darker than this on a flattened page: print, whose box is what Tesseract is given
MARGIN_INCHES = 0.15  # of white kept around it: Tesseract reads a line that touches the image's edge worse


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    top: float
    right: float
    bottom: float
    conf: float  # 0-1
    line: tuple[int, int, int]  # Tesseract's (block, paragraph, line)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def scaled(self, factor: float) -> Word:
        return Word(self.text, self.left * factor, self.top * factor, self.right * factor, self.bottom * factor,
                    self.conf, self.line)


def recognize(image: np.ndarray, dpi: float, ocr: OcrConfig, psm: int = 3) -> list[Word]:
    """Words of an 8-bit grey page, in Tesseract's order; an :class:`~ocr.engine.OcrError` when Tesseract cannot
    read it (within ``ocr.timeout``)."""
    x, y, part = _print_box(image, dpi)
    words = []
    for text, left, top, right, bottom, conf, line in engine.read(part, dpi, ocr, psm):
        text = unicodedata.normalize("NFC", text.strip())
        if text:
            words.append(Word(text, left + x, top + y, right + x, bottom + y, conf / 100, line))
    return words


def _print_box(image: np.ndarray, dpi: float) -> tuple[int, int, np.ndarray]:
    """The part of the page that holds print, with a margin, and where it starts: Tesseract's layout analysis works
    on every pixel it is given, and a page's white margins are a third of it."""
    dark = image < PRINT
    rows, columns = np.flatnonzero(dark.any(axis=1)), np.flatnonzero(dark.any(axis=0))
    if not rows.size:
        return 0, 0, image
    margin = round(dpi * MARGIN_INCHES)
    top, left = max(0, rows[0] - margin), max(0, columns[0] - margin)
    bottom, right = min(image.shape[0], rows[-1] + 1 + margin), min(image.shape[1], columns[-1] + 1 + margin)
    return left, top, image[top:bottom, left:right]


def page_confidence(words: list[Word]) -> float:
    """Mean word confidence weighted by word length, 0 for a page without words."""
    total = sum(len(w.text) for w in words)
    return round(sum(w.conf * len(w.text) for w in words) / total, 4) if total else 0.0
