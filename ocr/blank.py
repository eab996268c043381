"""Whether a page is blank: nothing on it but paper — scanner noise, bleed-through from the other side, punch holes,
the scanner's lid along an edge. Any content keeps a page: a single line of text, a picture (photographic or dark,
also where it touches the edge), a signature, a stamp. Ink density alone is not the test: one line of text is very
little ink, and a dark picture is a lot of it but vanishes once the background is flattened.

All measures are on the page's analysis view (``ocr.analysis``, at most 150 dpi), in inches converted to its pixels.
"""
from __future__ import annotations

import cv2
import numpy as np

from ocr.analysis import Analysis
from ocr.components import components

GLYPH_HEIGHT = (0.035, 0.5)  # inches: from 5 pt small print to a large title letter
READABLE_PIXELS = 10  # print this tall is letters whatever resolution the file claims (a slip "scanned" at 2400 dpi)
GLYPH_WIDTH = 1.0
GLYPH_FILL = 0.7  # a letter covers less of its box than a blot or a punch hole (~0.8)
WORD_GAP = 0.12  # inches: letters of one line closer than this join it
WORD_GLYPHS = 2  # a word of two letters is content already
MARK_SIDE = 0.4  # inches: a pen stroke (a signature, a handwritten mark) at least this long …
MARK_FILL = 0.3  # … covering at most this share of its box (a punch hole or a blot fills ~0.8)
BLOCK = 0.25  # inches: pictures are judged by blocks of this side, on the page as scanned
PICTURE_AREA = 1.0  # square inches of picture that make a picture
TEXTURE_STD = 25.0  # grey levels: paper, even grey recycled paper, varies less than this …
MIDTONE_SHARE = 0.5  # … and a photograph is mostly mid-tones, where print is mostly paper and ink
DARK_MEAN = 100  # a block this dark (away from the edges' lid) is picture
LID_STD = 15.0  # the lid, beyond the page, is a nearly even dark; a picture reaching the edge is not


def is_blank(view: Analysis, seals: bool = False) -> bool:
    """Whether the page holds nothing worth keeping (``seals``: a stamp was found on the colour image)."""
    return not (seals or has_text_line(view) or has_marks(view) or has_picture(view))


def has_text_line(view: Analysis) -> bool:
    """A row of letter-sized marks, side by side, at least LINE_WIDTH long: across the page, or down it (a page
    scanned sideways is turned upright only once it is known not to be blank)."""
    return _text_line(view.ink, view.dpi) or _text_line(np.ascontiguousarray(view.ink.T), view.dpi)


def _text_line(ink: np.ndarray, dpi: float) -> bool:
    """Letter-sized marks (not blots) at least WORD_GLYPHS of them side by side: a word, a line."""
    count, labels, stats, centroids = components(ink.astype(np.uint8))
    heights, widths, areas = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_AREA]
    lowest = min(GLYPH_HEIGHT[0] * dpi, READABLE_PIXELS)
    glyph = ((heights >= lowest) & (heights <= GLYPH_HEIGHT[1] * dpi) & (widths <= GLYPH_WIDTH * dpi)
             & (areas >= min((dpi / 60) ** 2, READABLE_PIXELS ** 2 / 4)) & (areas <= GLYPH_FILL * heights * widths))
    if glyph.sum() < WORD_GLYPHS:
        return False
    glyphs = np.isin(labels, np.flatnonzero(glyph) + 1)
    joined = cv2.dilate(glyphs.astype(np.uint8), np.ones((1, max(3, int(WORD_GAP * dpi))), np.uint8))
    words, word_labels, word_stats, _ = components(joined)
    centres = centroids[1:][glyph].astype(int)
    per_word = np.bincount(word_labels[centres[:, 1], centres[:, 0]], minlength=words)
    tallest = np.zeros(words)
    np.maximum.at(tallest, word_labels[centres[:, 1], centres[:, 0]], heights[glyph])
    side_by_side = word_stats[:, cv2.CC_STAT_HEIGHT] <= 1.5 * tallest  # not letters stacked in a column
    return bool(np.any((per_word[1:] >= WORD_GLYPHS) & side_by_side[1:]))


def has_marks(view: Analysis) -> bool:
    """A long, thin pen stroke away from the edges: a signature or a handwritten mark."""
    dpi = view.dpi
    count, _, stats, _ = components(view.ink.astype(np.uint8))
    h, w = view.ink.shape
    for x, y, bw, bh, area in stats[1:count]:
        inside = x > 0 and y > 0 and x + bw < w and y + bh < h
        if inside and max(bw, bh) >= MARK_SIDE * dpi and area <= MARK_FILL * bw * bh:
            return True
    return False


def has_picture(view: Analysis) -> bool:
    """At least PICTURE_AREA of photograph (mid-tones with texture) or of dark print, away from the edges' lid; or a
    dark region at an edge that is not the lid's even dark."""
    return _picture_inside(view) or _picture_at_edge(view)


def _picture_inside(view: Analysis) -> bool:
    side = max(4, int(BLOCK * view.dpi))
    rows, cols = view.raw.shape[0] // side, view.raw.shape[1] // side
    if not rows or not cols:
        return False
    raw = _blocks(view.raw, side, rows, cols)
    near_edge = _blocks(cv2.dilate(view.border.astype(np.uint8), np.ones((side, side), np.uint8)), side, rows,
                        cols).max(axis=2) > 0
    photographic = (raw.std(axis=2) > TEXTURE_STD) & (((raw > 50) & (raw < 200)).mean(axis=2) > MIDTONE_SHARE)
    dark = raw.mean(axis=2) < DARK_MEAN
    picture = (photographic | dark) & ~near_edge
    return bool(picture.sum() * (side / view.dpi) ** 2 >= PICTURE_AREA)


def _picture_at_edge(view: Analysis) -> bool:
    """A dark region touching the edge (taken for the scanner's lid by border removal) that varies like a picture."""
    count, labels, stats, _ = components(view.border.astype(np.uint8))
    core = cv2.erode(view.border.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)  # its inside, not its rim
    for label in range(1, count):
        if stats[label, cv2.CC_STAT_AREA] < PICTURE_AREA * view.dpi ** 2:
            continue
        inside = core & (labels == label)
        if inside.any() and float(view.raw[inside].std()) > LID_STD:
            return True
    return False


def _blocks(image: np.ndarray, side: int, rows: int, cols: int) -> np.ndarray:
    """The image cut into rows × cols blocks of side × side pixels, each block's pixels flattened."""
    cut = image[: rows * side, : cols * side].astype(np.float32)
    return cut.reshape(rows, side, cols, side).transpose(0, 2, 1, 3).reshape(rows, cols, side * side)
