"""A second look at the cells of a table that came back empty or unsure.

Tesseract's page layout analysis drops or garbles short, isolated words such as an entry number or 'Nữ' alone
in a cell. The inked cells it left empty, or read with low confidence, are cut out, stacked into one strip and
read in a single call, and the words found replace the unsure ones where their cells are. The cells are those of
the ruled grid, or where the page rules no grid, those of a register book's entries (``ocr.registers``).
"""
from __future__ import annotations

import logging
from typing import NamedTuple

import numpy as np

from ocr.engine import OcrConfig
from ocr.recognize import Word, recognize
from ocr.registers import entry_cells
from ocr.rules import Box, Rules, rule_positions

MIN_RULES = 3  # a grid needs at least this many rules each way
INSET = 6  # pixels kept away from the (erased) rules
GAP = 40  # white pixels between two cells in the strip
MIN_INK = 25  # dark pixels that make a cell worth reading
UNSURE = 0.6  # a cell whose best word is below this confidence is read again

log = logging.getLogger(__name__)


def grid_cells(rules: Rules, min_size: float) -> list[Box]:
    """The cells between neighbouring long rules, when the page has a grid."""
    if len(rules.vertical) < MIN_RULES or len(rules.horizontal) < MIN_RULES:
        return []
    xs = rule_positions(rules.vertical, True, min_size)
    ys = rule_positions(rules.horizontal, False, min_size)
    top, bottom = ys[0], ys[-1]
    cells = []
    for y0, y1 in zip(ys, ys[1:], strict=False):
        for x0, x1 in zip(xs, xs[1:], strict=False):
            if _spans(rules.vertical, x0, top, bottom) and _spans(rules.vertical, x1, top, bottom):
                cells.append((x0, y0, x1, y1))
    return cells


def _spans(vertical: list[Box], x: float, top: float, bottom: float) -> bool:
    """A vertical rule at ``x`` runs along most of the grid's height (a real column border)."""
    return any(abs((b[0] + b[2]) / 2 - x) < 5 and b[3] - b[1] > 0.5 * (bottom - top) for b in vertical)


def reread_cells(image: np.ndarray, rules: Rules, words: list[Word], dpi: float, ocr: OcrConfig) -> list[Word]:
    """``words`` with the inked grid cells that hold no word, or only unsure ones, read again (``image`` pixels)."""
    unsure = _unsure_cells(image, rules, words, dpi / 12)
    if not unsure:
        return words
    strip, placed = _strip(unsure)
    found = _words_by_cell(recognize(strip, dpi, ocr, psm=6), placed)
    better = {cell: new for cell, new in found.items() if _reads_better(new, unsure[cell].words, words)}
    log.debug("%d table cells read again, %d of them read better", len(unsure), len(better))
    replaced = {i for cell in better for i in unsure[cell].words}
    kept = [w for i, w in enumerate(words) if i not in replaced]
    return kept + [w for new in better.values() for w in new]


def _reads_better(new: list[Word], old: list[int], words: list[Word]) -> bool:
    """A cell's second reading wins where it had no word, or where its best word is surer than the first's."""
    return not old or max(w.conf for w in new) > max(words[i].conf for i in old)


class _Cell(NamedTuple):
    origin: tuple[float, float]  # its top left corner in the page
    crop: np.ndarray  # its pixels, inset from the rules
    words: list[int]  # the indices of the words read in it


def _unsure_cells(image: np.ndarray, rules: Rules, words: list[Word], min_size: float) -> list[_Cell]:
    """The inked cells of the grid that hold no word, or no word read with confidence."""
    unsure = []
    for x0, y0, x1, y1 in grid_cells(rules, min_size) or entry_cells(words, rules):
        inside = [i for i, w in enumerate(words)
                  if x0 <= (w.left + w.right) / 2 < x1 and y0 <= (w.top + w.bottom) / 2 < y1]
        if inside and max(words[i].conf for i in inside) >= UNSURE:
            continue
        crop = image[int(y0) + INSET: int(y1) - INSET, int(x0) + INSET: int(x1) - INSET]
        if crop.size and int((crop < 128).sum()) >= MIN_INK:
            unsure.append(_Cell((x0, y0), crop, inside))
    return unsure


def _strip(cells: list[_Cell]) -> tuple[np.ndarray, list[tuple[int, int, tuple[float, float]]]]:
    """The cells stacked into one white strip, and where each went: (top, bottom, the cell's origin)."""
    width = max(c.crop.shape[1] for c in cells) + 2 * GAP
    height = sum(c.crop.shape[0] + GAP for c in cells) + GAP
    strip = np.full((height, width), 255, np.uint8)
    placed = []
    y = GAP
    for origin, crop, _ in cells:
        strip[y: y + crop.shape[0], GAP: GAP + crop.shape[1]] = crop
        placed.append((y, y + crop.shape[0], origin))
        y += crop.shape[0] + GAP
    return strip, placed


def _words_by_cell(read: list[Word], placed: list[tuple[int, int, tuple[float, float]]]) -> dict[int, list[Word]]:
    """The words read in the strip, by the cell they stand in, moved back to the page's pixels."""
    found: dict[int, list[Word]] = {}
    for w in read:
        centre = (w.top + w.bottom) / 2
        for cell, (top, bottom, (x0, y0)) in enumerate(placed):
            if top - GAP / 2 <= centre < bottom + GAP / 2:
                dx, dy = x0 + INSET - GAP, y0 + INSET - top
                line = (10_000 + cell, w.line[1], w.line[2])  # a line of its own, apart from Tesseract's
                found.setdefault(cell, []).append(
                    Word(w.text, w.left + dx, w.top + dy, w.right + dx, w.bottom + dy, w.conf, line))
                break
    return found
