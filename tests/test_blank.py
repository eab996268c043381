"""Blank means blank (issue 11): a page with a single line of text, a picture (dark or photographic, also where it
touches the edge), a stamp or a signature holds content and is kept; a page of paper with scanner noise,
bleed-through from the other side, punch holes or the scanner lid along an edge is blank. Pages generated here, A4
at 200 dpi, judged by the preprocessing every scan goes through."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr.preprocess import prepare
from sohoa.sample import blank_page, render_page

DPI = 200
A4 = (210.0, 297.0)
_rng = np.random.default_rng(20261129)


def _px(mm: float) -> int:
    return round(mm * DPI / 25.4)


def paper(value: int = 250, noise: float = 2.0) -> np.ndarray:
    shape = (_px(A4[1]), _px(A4[0]))
    return np.clip(value + _rng.normal(0, noise, shape), 0, 255).astype(np.uint8)


def specks(page: np.ndarray, count: int = 300) -> np.ndarray:
    """Dust: single dark pixels and pairs, as a scanner's glass leaves them."""
    ys, xs = _rng.integers(0, page.shape[0] - 2, count), _rng.integers(0, page.shape[1] - 2, count)
    page[ys, xs] = 40
    page[ys + 1, xs] = 60
    return page


def words(text: str) -> np.ndarray:
    return render_page([text], dpi=DPI, size_mm=A4)[..., 0].copy()


def small_print_at_high_resolution() -> np.ndarray:
    """A small slip (4 × 3 cm) of typewriting scanned at 1200 dpi: its letters are fine print on a page an inch wide."""
    return render_page(["4 ons linzen", "3 liter water", "bloem, boter"], dpi=1200, size_mm=(40, 30),
                       font_pt=5)[..., 0].copy()


def one_line() -> np.ndarray:
    return render_page(["Kính gửi: Ủy ban nhân dân xã An Hòa"], dpi=DPI, size_mm=A4)[..., 0].copy()


def photo(page: np.ndarray, box: tuple[int, int, int, int], dark: bool = False) -> np.ndarray:
    """A photographic region: smooth shapes and grain in mid-tones (or dark ones), as a picture prints."""
    x0, y0, x1, y1 = box
    h, w = y1 - y0, x1 - x0
    yy, xx = np.mgrid[0:h, 0:w]
    base = 70 if dark else 140
    picture = base + 45 * np.sin(xx / 37.0) * np.cos(yy / 53.0) + _rng.normal(0, 18, (h, w))
    page[y0:y1, x0:x1] = np.clip(picture, 0, 255).astype(np.uint8)
    return page


def rgb(gray: np.ndarray) -> np.ndarray:
    return np.repeat(gray[..., None], 3, axis=2)


def red_stamp(page: np.ndarray) -> np.ndarray:
    """A round red seal, ring and star, with no black ink: the kind the grey image fades."""
    colour = rgb(page)
    centre, radius = (_px(150), _px(230)), _px(20)
    cv2.circle(colour, centre, radius, (200, 30, 40), _px(1.2))
    cv2.circle(colour, centre, radius - _px(4), (200, 30, 40), _px(0.6))
    star = np.array([[centre[0], centre[1] - _px(7)], [centre[0] + _px(6), centre[1] + _px(6)],
                     [centre[0] - _px(7), centre[1] - _px(2)], [centre[0] + _px(7), centre[1] - _px(2)],
                     [centre[0] - _px(6), centre[1] + _px(6)]], np.int32)
    cv2.fillPoly(colour, [star], (200, 30, 40))
    return colour


def signature(page: np.ndarray) -> np.ndarray:
    """A handwritten signature: a few looping pen strokes, no letters in a row."""
    t = np.linspace(0, 6 * np.pi, 400)
    x = _px(120) + _px(30) * t / (6 * np.pi) + _px(6) * np.sin(2.3 * t)
    y = _px(240) + _px(8) * np.sin(t) * np.cos(0.7 * t)
    cv2.polylines(page, [np.stack([x, y], axis=1).astype(np.int32)], False, 30, _px(0.5), cv2.LINE_AA)
    return page


def punch_holes(page: np.ndarray) -> np.ndarray:
    for y in (_px(110), _px(190)):
        cv2.circle(page, (_px(12), y), _px(3), 25, -1)
    return page


def lid_band(page: np.ndarray) -> np.ndarray:
    """The scanner's lid beyond a page laid a little crooked: a dark band along the right edge."""
    page[:, -_px(14):] = np.clip(_rng.normal(25, 4, (page.shape[0], _px(14))), 0, 255).astype(np.uint8)
    return page


def card_on_lid() -> np.ndarray:
    """A small card (a few lines of small print) laid on the dark lid."""
    page = np.clip(_rng.normal(22, 5, (_px(A4[1]), _px(A4[0]))), 0, 255).astype(np.uint8)
    card = render_page(["CĂN CƯỚC CÔNG DÂN", "Số: 001090012345", "Họ và tên: NGUYỄN VĂN AN"], dpi=DPI,
                       size_mm=(86, 54), font_pt=7)[..., 0]
    y, x = _px(40), _px(30)
    page[y:y + card.shape[0], x:x + card.shape[1]] = card
    return page


CONTENT = {
    "one line of text": lambda: one_line(),
    "one line of text, scanned sideways": lambda: np.ascontiguousarray(np.rot90(one_line())),
    "a single word": lambda: words("Phone"),
    "two letters": lambda: words("ua"),
    "one line above a dark picture touching the edge": lambda: photo(one_line(), (0, _px(40), _px(210), _px(297)),
                                                                   dark=True),
    "a photograph alone": lambda: photo(paper(), (_px(40), _px(60), _px(170), _px(160))),
    "a dark picture alone, touching the edge": lambda: photo(paper(), (0, _px(150), _px(210), _px(297)), dark=True),
    "a red stamp alone": lambda: red_stamp(paper()),
    "a signature alone": lambda: signature(paper()),
    "a card on the scanner's dark lid": lambda: card_on_lid(),
}
EMPTY = {
    "paper with scanner noise": lambda: specks(paper()),
    "bleed-through from the other side": lambda: blank_page(dpi=DPI, size_mm=A4),
    "punch holes": lambda: punch_holes(specks(paper())),
    "the lid along an edge": lambda: lid_band(paper()),
    "grey recycled paper": lambda: specks(paper(188, 4.0)),
}


@pytest.mark.parametrize("kind", list(CONTENT))
def test_a_page_with_content_is_not_blank(kind: str) -> None:
    assert not prepare(CONTENT[kind](), DPI).blank


def test_small_print_scanned_at_a_high_resolution_is_not_blank() -> None:
    assert not prepare(small_print_at_high_resolution(), 1200).blank


def test_a_page_whose_file_claims_too_high_a_resolution_is_not_blank() -> None:
    """A typed page stored as if scanned at 2400 dpi (as OCRmyPDF's 2400dpi.pdf): its letters measure 2 pt by the
    file's word, yet they are letters."""
    page = render_page(["4 ons linzen", "3 liter water", "bloem, boter"], dpi=300, size_mm=(120, 60),
                       font_pt=11)[..., 0].copy()
    assert not prepare(page, 2400).blank


@pytest.mark.parametrize("kind", list(EMPTY))
def test_a_page_without_content_is_blank(kind: str) -> None:
    assert prepare(EMPTY[kind](), DPI).blank
