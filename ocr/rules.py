"""Ruling lines (table grids, underlines): erased before recognition, kept as boxes to read tables by."""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

Box = tuple[float, float, float, float]  # left, top, right, bottom
RULE_INCHES = 0.6  # straight ink runs longer than any word
INK = 128  # darker than this on a flattened page: print
FAINT = 245  # a light grey (or faded) grid: darker than this across three pixels, however deskewing spread it
FAINT_ROWS = 4  # faint lines count where they rule at least this many rows: a table's, not a card's border
RULE_THICKNESS_INCHES = 0.025  # a faint stroke thicker than this is shading or a picture, not a rule


@dataclass(frozen=True)
class Rules:
    horizontal: list[Box] = field(default_factory=list)
    vertical: list[Box] = field(default_factory=list)

    def scaled(self, factor: float) -> Rules:
        return Rules([_scale(b, factor) for b in self.horizontal], [_scale(b, factor) for b in self.vertical])

    def turned_half(self, width: float, height: float) -> Rules:
        """The same rules on the page turned 180° (``width`` × ``height`` pixels)."""
        def turn(b: Box) -> Box:
            return width - b[2], height - b[3], width - b[0], height - b[1]
        return Rules([turn(b) for b in self.horizontal], [turn(b) for b in self.vertical])


def _scale(box: Box, factor: float) -> Box:
    return box[0] * factor, box[1] * factor, box[2] * factor, box[3] * factor


def rule_positions(boxes: list[Box], vertical: bool, min_gap: float) -> list[float]:
    """Where ruling lines run (x of vertical ones, y of horizontal ones), in order; lines closer than ``min_gap``
    count once (a thick rule can come out as two)."""
    merged: list[float] = []
    for p in sorted((b[0] + b[2]) / 2 if vertical else (b[1] + b[3]) / 2 for b in boxes):
        if not merged or p - merged[-1] >= min_gap:
            merged.append(p)
    return merged


def rule_masks(ink: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal, vertical) uint8 masks of the ruling lines in a boolean or 0/1 ink mask."""
    run = max(10, int(dpi * RULE_INCHES))
    mask = ink.astype(np.uint8)
    return _open_along(mask, run, 0), _open_along(mask, run, 1)


def _open_along(mask: np.ndarray, run: int, axis: int) -> np.ndarray:
    """The morphological opening of ``mask`` by a line of ``run`` pixels along rows (``axis`` 0) or columns (1). What
    the erosion leaves are the few rows (columns) a rule runs in; the dilation, which works within one row (column),
    only needs those: the same mask as ``cv2.morphologyEx(MORPH_OPEN)`` for half its time."""
    kernel = np.ones((1, run) if axis == 0 else (run, 1), np.uint8)
    opened = cv2.erode(mask, kernel)
    lines = np.flatnonzero(opened.any(axis=1 - axis))
    if not lines.size:
        return opened
    if axis == 0:
        opened[lines] = cv2.dilate(opened[lines], kernel)
    else:
        opened[:, lines] = cv2.dilate(np.ascontiguousarray(opened[:, lines]), kernel)
    return opened


def erase_rules(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, Rules]:
    """The page (flattened: white paper) without its ruling lines (they read as '|', '1' or '_'), and the lines as
    boxes: printed ones, and faint thin ones (a light grey grid, a faded one), but no pale shading or picture. Of a
    faint line only its pale pixels go: the print of a word written across it stays whole."""
    horizontal, vertical, faint = line_masks(gray, dpi)
    if not horizontal.any() and not vertical.any():
        return gray, Rules()
    erased = gray.copy()
    printed = (horizontal | vertical) & ~faint
    erased[cv2.dilate(printed, np.ones((5, 5), np.uint8)).astype(bool)] = 255
    erased[cv2.dilate(faint, np.ones((3, 3), np.uint8)).astype(bool) & (gray >= INK)] = 255
    return erased, Rules(_boxes(horizontal), _boxes(vertical))


def line_masks(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(horizontal, vertical, faint) uint8 masks of a flattened page's ruling lines, printed or faint and thin, and
    of the faint ones alone."""
    horizontal, vertical = rule_masks(gray < INK, dpi)
    run, thickest = max(10, int(dpi * RULE_INCHES)), max(2, round(dpi * RULE_THICKNESS_INCHES))
    faint_h = _open_along((cv2.blur(gray, (1, 3)) < FAINT).astype(np.uint8), run, 0)
    rows = np.flatnonzero((faint_h & (1 - horizontal)).any(axis=1))
    if np.count_nonzero(np.diff(rows) > thickest) + 1 < FAINT_ROWS:  # most pages: not even that many faint lines
        return horizontal, vertical, np.zeros_like(horizontal)
    faint_h = _thin(faint_h, thickest, 0)
    if len(_boxes(faint_h & (1 - horizontal))) < FAINT_ROWS:  # a card's border, a frame: no table of faint rules
        return horizontal, vertical, np.zeros_like(horizontal)
    faint_v = _thin(_open_along((cv2.blur(gray, (3, 1)) < FAINT).astype(np.uint8), run, 1), thickest, 1)
    faint = (faint_h | faint_v) & (1 - (horizontal | vertical))
    return horizontal | faint_h, vertical | faint_v, faint


def _thin(mask: np.ndarray, thickest: int, axis: int) -> np.ndarray:
    """The parts of a horizontal (``axis`` 0) or vertical (1) line mask at most ``thickest`` pixels across (worked
    out on the box that holds them)."""
    ys, xs = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    if not ys.size:
        return mask
    top, bottom = max(0, ys[0] - 2), ys[-1] + 3
    left, right = max(0, xs[0] - 2), xs[-1] + 3
    box = mask[top:bottom, left:right]
    across = np.ones((thickest + 1, 1) if axis == 0 else (1, thickest + 1), np.uint8)
    thick = cv2.dilate(cv2.morphologyEx(box, cv2.MORPH_OPEN, across), np.ones((3, 3), np.uint8))
    thinned = np.zeros_like(mask)
    thinned[top:bottom, left:right] = box & (1 - thick)
    return thinned


def _boxes(mask: np.ndarray) -> list[Box]:
    """The boxes of the mask's 8-connected pieces, top to bottom. Traced from their outer borders: the same boxes as
    connected-component labelling gives, for a tenth of its time on a page's few thin rules (labelling visits every
    pixel of the 300 dpi page, twice a page)."""
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return []
    outer = [cv2.boundingRect(c) for c, h in zip(contours, hierarchy[0], strict=True) if h[3] < 0]  # not a hole
    outer.sort(key=lambda b: (b[1], b[0]))
    return [(float(x), float(y), float(x + w), float(y + h)) for x, y, w, h in outer]
