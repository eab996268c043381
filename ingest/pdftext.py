"""A PDF page's own text layer as pdfium reads it: each character, where it sits on the page as rendered, and the two
facts that decide whether it can be believed (is it drawn, does its font map it to Unicode)."""
from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

_NOT_DRAWN = (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, pdfium_c.FPDF_TEXTRENDERMODE_CLIP)
Box = tuple[float, float, float, float]  # left, top, right, bottom in points from the rendered page's top-left


@dataclass(frozen=True)
class PdfChar:
    char: str  # '\n' ends a line (pdfium puts one where the text moves to a new line)
    box: Box | None  # None for the spaces and line ends pdfium adds between words and lines
    drawn: bool  # False for invisible text (an earlier OCR's layer) and text used only as a clip path
    mapped: bool  # False when the font gives no Unicode value for the character (the text is then guesswork)


@dataclass(frozen=True)
class PdfText:
    chars: list[PdfChar]  # in the order the page's content draws them
    picture_share: float  # of the page's area covered by images: their content is not in the text layer


def text_layer(page: pdfium.PdfPage) -> PdfText | None:
    """The page's text, or None when it has none."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count <= 0:
            return None
        to_rendered = _orientation(page)
        chars = [_char(textpage, i, to_rendered) for i in range(count)]
    finally:
        textpage.close()
    return PdfText(chars, _picture_share(page, to_rendered.width, to_rendered.height))


def _char(textpage: pdfium.PdfTextPage, index: int, to_rendered: _Orientation) -> PdfChar:
    raw = textpage.raw
    code = pdfium_c.FPDFText_GetUnicode(raw, index)
    char = "\n" if code in (0x0A, 0x0D) else chr(code) if code else "\ufffd"
    if pdfium_c.FPDFText_IsGenerated(raw, index) == 1 or char.isspace():
        return PdfChar(" " if char != "\n" else char, None, True, True)
    obj = pdfium_c.FPDFText_GetTextObject(raw, index)
    mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj) if obj else pdfium_c.FPDF_TEXTRENDERMODE_FILL
    mapped = pdfium_c.FPDFText_HasUnicodeMapError(raw, index) != 1
    return PdfChar(char, to_rendered(textpage.get_charbox(index)), mode not in _NOT_DRAWN, mapped)


class _Orientation:
    """From pdfium's boxes (points, origin at the bottom-left of the page as stored) to the page as rendered, which
    turns it by its /Rotate (clockwise)."""

    def __init__(self, width: float, height: float, rotation: int) -> None:
        self.width, self.height, self.rotation = width, height, rotation

    def __call__(self, box: tuple[float, float, float, float]) -> Box:
        left, bottom, right, top = box
        w, h = self.width, self.height
        if self.rotation == 90:
            return bottom, left, top, right
        if self.rotation == 180:
            return w - right, bottom, w - left, top
        if self.rotation == 270:
            return h - top, w - right, h - bottom, w - left
        return left, h - top, right, h - bottom


def _orientation(page: pdfium.PdfPage) -> _Orientation:
    rotation = page.get_rotation()
    width, height = page.get_size()
    if rotation in (90, 270):  # get_size gives the turned page's size
        width, height = height, width
    return _Orientation(width, height, rotation)


def _picture_share(page: pdfium.PdfPage, width: float, height: float) -> float:
    """``width`` and ``height`` of the page as stored, the space image bounds are given in once taken out of the
    form XObjects that hold them."""
    covered = 0.0
    to_page = [pdfium.PdfMatrix()]  # from the space of the objects at each depth to the page's
    for obj in page.get_objects(max_depth=4):
        del to_page[obj.level + 1:]
        if obj.type == pdfium_c.FPDF_PAGEOBJ_FORM:
            to_page.append(obj.get_matrix().multiply(to_page[obj.level]))
        elif obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = to_page[obj.level].on_rect(*obj.get_bounds())
            covered += max(0.0, min(right, width) - max(left, 0.0)) * max(0.0, min(top, height) - max(bottom, 0.0))
    return min(1.0, covered / (width * height)) if width * height > 0 else 0.0
