"""A born-digital page read from its own text layer instead of by OCR (as OCRmyPDF's ``--skip-text`` does), but only
when the layer can be believed: drawn (not an earlier OCR's hidden layer), every character mapped to Unicode by its
font, letters rather than symbols, words that read as Vietnamese, and no large picture whose text it would lack."""
from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from ingest.pdftext import PdfChar, PdfText
from ocr.reading_order import reading_order_lines
from ocr.recognize import Word
from ocr.rules import Rules, erase_rules
from ocr.syllables import is_syllable

MAX_HIDDEN = 0.5  # of the characters: more than this hidden is an earlier OCR's layer over a scan
MAX_UNMAPPED = 0.02  # characters without a Unicode meaning: the font's encoding is guesswork
MIN_LETTERS = 0.5  # of the drawn characters: text is mostly letters
MAX_PICTURES = 0.3  # of the page's area: a larger picture (a scan, a photographed card) may hold text of its own
MIN_SYLLABLES = 0.7  # of the words: Vietnamese text, abbreviations and a few foreign words aside
MIN_WORDS = 5  # fewer words than this are too few to judge the language by
_EDGE_PUNCTUATION = string.punctuation + "“”‘’…–—«»"


@dataclass
class LayerText:
    words: list[Word] = field(default_factory=list)  # in the rendered page's pixels
    lines: list[str] = field(default_factory=list)
    rules: Rules = field(default_factory=Rules)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def distrust(layer: PdfText) -> str | None:
    """Why the layer cannot stand in for OCR, in words; None when it can."""
    glyphs = [c for c in layer.chars if c.box is not None]
    drawn = [c for c in glyphs if c.drawn]
    if len(drawn) <= MAX_HIDDEN * len(glyphs):
        return "its text is hidden (an earlier OCR's layer over a scan)"
    unmapped = sum(not c.mapped or _meaningless(c.char) for c in drawn)
    if unmapped > MAX_UNMAPPED * len(drawn):
        return f"{unmapped} of its {len(drawn)} characters have no Unicode meaning (a font without a Unicode map)"
    if sum(c.char.isalpha() for c in drawn) < MIN_LETTERS * len(drawn):
        return "its text is mostly symbols and figures, not words"
    if layer.picture_share > MAX_PICTURES:
        return f"pictures cover {layer.picture_share:.0%} of the page, and their text is not in the layer"
    words = [w for w in _words(layer.chars) if w.isalpha() and not _abbreviation(w)]
    syllables = sum(map(is_syllable, words))
    if len(words) >= MIN_WORDS and syllables < MIN_SYLLABLES * len(words):
        return f"its words do not read as Vietnamese (only {syllables} of {len(words)} are Vietnamese syllables)"
    return None


def read_layer(layer: PdfText, gray: np.ndarray, dpi: float) -> LayerText:
    """The layer's words, in the pixels of the page rendered at ``dpi`` (``gray``, where the ruling lines are found),
    and its lines in reading order."""
    words = layer_words(layer, dpi)
    _, rules = erase_rules(gray, dpi)
    return LayerText(words, reading_order_lines(words, rules.vertical), rules)


def layer_words(layer: PdfText, dpi: float) -> list[Word]:
    """Drawn characters joined into words (split at spaces and line ends), one ``line`` number per text line."""
    scale = dpi / 72.0
    words: list[Word] = []
    run: list[PdfChar] = []
    line = 0
    for char in [*layer.chars, PdfChar(" ", None, True, True)]:
        if char.box is not None:
            if char.drawn:
                run.append(char)
            continue
        if run:
            words.append(_word(run, scale, line))
            run = []
        line += char.char == "\n"
    return words


def _word(chars: list[PdfChar], scale: float, line: int) -> Word:
    boxes = [c.box for c in chars if c.box is not None]
    text = unicodedata.normalize("NFC", "".join(c.char for c in chars))
    return Word(text, min(b[0] for b in boxes) * scale, min(b[1] for b in boxes) * scale,
                max(b[2] for b in boxes) * scale, max(b[3] for b in boxes) * scale, 1.0, (1, 1, line))


def _words(chars: list[PdfChar]) -> list[str]:
    text = "".join(c.char for c in chars if c.drawn)
    return [w.strip(_EDGE_PUNCTUATION) for w in text.split()]


def _meaningless(char: str) -> bool:
    """A control code, a private-use or unassigned code point, or the replacement character."""
    return char == "\ufffd" or unicodedata.category(char) in ("Cc", "Co", "Cn", "Cs")


def _abbreviation(word: str) -> bool:
    """Capitals without a vowel (UBND, HĐND, CCCD, TP): an abbreviation, no word of any language."""
    return word.isupper() and not any(ch in "AEIOUY" for ch in unicodedata.normalize("NFD", word))
