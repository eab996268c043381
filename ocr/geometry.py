"""Page geometry from the binary analysis view: quarter-turn orientation and skew angle."""
from __future__ import annotations

import cv2
import numpy as np

from ocr.components import components

MAX_SKEW_DEG = 10.0


def is_sideways(ink: np.ndarray) -> bool:
    """True when text lines run vertically: column projections are sharper than row projections."""
    return sideways_and_skew(ink)[0]


def sideways_and_skew(ink: np.ndarray) -> tuple[bool, float]:
    """:func:`is_sideways`, and the :func:`skew_angle` of the page once turned upright by a quarter turn when it is:
    the row projections' search serves both when the page is not sideways (as most are), not run twice."""
    across = _best_alignment(ink)
    if _best_alignment(ink.T)[1] > across[1] * 1.1:
        return True, skew_angle(np.rot90(ink, -1))
    return False, across[0]


def is_upside_down(ink: np.ndarray, dpi: float) -> bool | None:
    """Compare ink above the x-height band with ink below it, line by line.

    Latin script has more ascenders, capitals and (in Vietnamese) diacritics above than descenders below,
    so the ratio flips when the page is upside down. None when there is too little text to tell.
    """
    rows = _text_lines(ink, dpi)
    above = below = 0
    for top, bottom, left, right in rows:
        profile = ink[top:bottom, left:right].sum(axis=1).astype(np.float64)
        if profile.max() <= 0:
            continue
        band = np.flatnonzero(profile >= 0.5 * profile.max())
        core_top, core_bottom = band[0], band[-1]
        above += profile[:core_top].sum()
        below += profile[core_bottom + 1:].sum()
    if above + below < 300 or max(above, below) < 1.3 * min(above, below):
        return None
    return below > above


def _text_lines(ink: np.ndarray, dpi: float) -> list[tuple[int, int, int, int]]:
    """Boxes of text lines: ink smeared along rows into line-shaped blobs."""
    reach = max(3, round(dpi / 6))
    smeared = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((1, reach), np.uint8))
    _, _, stats, _ = components(smeared)
    lines = []
    for x, y, w, h, _ in stats[1:]:
        if w > 2.5 * h and dpi / 16 <= h <= dpi / 2.5:
            lines.append((y, y + h, x, x + w))
    return lines


def skew_angle(ink: np.ndarray) -> float:
    """Counter-clockwise tilt of the text in degrees, by maximizing the sharpness of row projections."""
    return _best_alignment(ink)[0]


def _best_alignment(ink: np.ndarray) -> tuple[float, float]:
    """(angle, sharpness) of the tilt whose row projection of the ink is sharpest."""
    ys, xs = np.nonzero(ink)
    if len(xs) < 200:
        return 0.0, 0.0
    if len(xs) > 60000:
        pick = np.random.default_rng(0).choice(len(xs), 60000, replace=False)
        ys, xs = ys[pick], xs[pick]
    xs = xs.astype(np.float64) - ink.shape[1] / 2
    ys = ys.astype(np.float64) - ink.shape[0] / 2
    bins = ink.shape[0] + ink.shape[1]

    def sharpness(angle: float) -> float:
        theta = np.deg2rad(angle)
        # a line tilted counter-clockwise by theta has y + x*tan(theta) constant (image y points down)
        projected = ys * np.cos(theta) + xs * np.sin(theta)
        hist = np.bincount((projected + bins / 2).astype(np.int64), minlength=bins)
        return float(np.dot(hist, hist))

    best = max(np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 0.01, 0.5), key=sharpness)
    best = max(np.arange(best - 0.5, best + 0.51, 0.05), key=sharpness)
    return round(float(best), 2), sharpness(best)
