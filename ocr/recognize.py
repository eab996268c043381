"""The words of a page, with boxes and confidences, as the OCR engine (:mod:`ocr.engine`) reads them."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from ocr import engine
from ocr.engine import OcrConfig


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
    words = []
    for text, left, top, right, bottom, conf, line in engine.read(image, dpi, ocr, psm):
        text = unicodedata.normalize("NFC", text.strip())
        if text:
            words.append(Word(text, left, top, right, bottom, conf / 100, line))
    return words


def page_confidence(words: list[Word]) -> float:
    """Mean word confidence weighted by word length, 0 for a page without words."""
    total = sum(len(w.text) for w in words)
    return round(sum(w.conf * len(w.text) for w in words) / total, 4) if total else 0.0
