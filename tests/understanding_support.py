"""One scan read by real Tesseract and understood as a one-page document, as the pipeline does it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocr.engine import OcrConfig
from ocr.page import read_page_text
from ocr.understand import Understanding, understand


@dataclass
class _Page:
    number: int
    text: str
    words: list
    rules: object
    blank: bool
    confidence: float
    size: tuple[int, int]


def understand_scan(image: np.ndarray, dpi: float) -> Understanding:
    """The understanding of a one-page document scanned as ``image`` at ``dpi``."""
    read = read_page_text(image, dpi, OcrConfig())
    height, width = read.prepared.display.shape[:2]
    return understand([_Page(1, read.text, read.words, read.rules, read.prepared.blank, read.confidence,
                             (width, height))])
