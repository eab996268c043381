"""Tesseract through pytesseract: words with boxes and confidences."""
from __future__ import annotations

import os
import tempfile
import unicodedata
from dataclasses import dataclass

import cv2
import numpy as np
import pytesseract


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


def recognize(image: np.ndarray, dpi: float, lang: str, psm: int = 3) -> list[Word]:
    """Words of an 8-bit grey page, in Tesseract's order. The image goes to Tesseract as PGM (no compression cost)."""
    with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as tmp:
        path = os.path.join(tmp, "page.pgm")
        cv2.imwrite(path, image)
        data = pytesseract.image_to_data(path, lang=lang, config=f"--dpi {round(dpi)} --psm {psm}",
                                         output_type=pytesseract.Output.DICT)
    words = []
    for i, text in enumerate(data["text"]):
        text = unicodedata.normalize("NFC", text.strip())
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        left, top = data["left"][i], data["top"][i]
        words.append(Word(text, left, top, left + data["width"][i], top + data["height"][i], conf / 100,
                          (data["block_num"][i], data["par_num"][i], data["line_num"][i])))
    return words


def page_confidence(words: list[Word]) -> float:
    """Mean word confidence weighted by word length, 0 for a page without words."""
    total = sum(len(w.text) for w in words)
    return round(sum(w.conf * len(w.text) for w in words) / total, 4) if total else 0.0
