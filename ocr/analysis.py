"""A small binary view of a page, the common input of border, blank, orientation and skew detection."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocr.components import components
from ocr.rules import rule_masks

ANALYSIS_DPI = 150
ANALYSIS_PIXELS = 1200


@dataclass
class Analysis:
    raw: np.ndarray  # 8-bit, as scanned (borders and all), at ``dpi``
    gray: np.ndarray  # 8-bit, background flattened to 255, at ``dpi``
    ink: np.ndarray  # bool, True where there is ink (borders removed)
    border: np.ndarray  # bool, the scanner's dark bands along the edges
    dpi: float
    scale: float  # analysis px per scan px


def ink_gray(image: np.ndarray) -> np.ndarray:
    """Grey of a scan in which seals fade away but text printed in colour (a red title) stays dark."""
    if image.ndim == 2:
        return image
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    for x, y, w, h in seal_boxes(image):
        part = image[y: y + h, x: x + w]
        brightest = part.max(axis=2)
        seal = (brightest.astype(np.int16) - part.min(axis=2)) > COLOUR_SPREAD
        gray[y: y + h, x: x + w][seal] = brightest[seal]
    return gray


COLOUR_SPREAD = 70  # brightest minus darkest channel: ink that is clearly coloured
SEAL_MIN_WIDTH = 0.08  # of the page's width: a round seal is about 4 cm across on an A4 page
SEAL_ASPECT = (0.6, 1.7)


def seal_boxes(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of stamps and seals: roughly round or square blots of colour, not lines of text."""
    factor = 4
    small = cv2.resize(image, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA)
    colour = ((small.max(axis=2).astype(np.int16) - small.min(axis=2)) > COLOUR_SPREAD).astype(np.uint8)
    if not colour.any():
        return []
    colour = cv2.dilate(colour, np.ones((5, 5), np.uint8))
    count, _, stats, _ = components(colour)
    min_side = SEAL_MIN_WIDTH * small.shape[1]
    return [(int(x * factor), int(y * factor), int(w * factor), int(h * factor))
            for x, y, w, h, _ in stats[1:count]
            if min(w, h) >= min_side and SEAL_ASPECT[0] <= w / h <= SEAL_ASPECT[1]]


def flatten_background(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Divide by a smooth estimate of the paper so uneven light and tinted paper become white."""
    kernel = max(3, int(dpi / 8)) | 1  # wider than any stroke: the closing removes the text
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kernel // 4 | 1,) * 2))
    paper = cv2.resize(cv2.GaussianBlur(paper, (0, 0), 2), (gray.shape[1], gray.shape[0]),
                       interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, np.maximum(paper, 1), scale=255.0)  # in 8 bits: rounded, and whiter than paper is 255


def analyse(gray: np.ndarray, dpi: float) -> Analysis:
    """The view, at ANALYSIS_DPI — or finer for a small page scanned at a high resolution (a card, a stamp), so that its
    print is still letters: at least ANALYSIS_PIXELS on its long side when the scan has them."""
    scale = min(1.0, max(ANALYSIS_DPI / dpi, ANALYSIS_PIXELS / max(gray.shape[:2])))
    raw = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    border = scanner_border(raw)
    small = raw.copy()
    small[border] = 255
    flat = flatten_background(small, dpi * scale)
    ink = flat < 150
    return Analysis(raw, flat, ink & ~rules(ink, dpi * scale), border, dpi * scale, scale)


def rules(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Ruling lines (table grids, underlines), a little widened, as a boolean mask."""
    horizontal, vertical = rule_masks(ink, dpi)
    return cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8)).astype(bool)


def scanner_border(gray: np.ndarray) -> np.ndarray:
    """Dark regions that touch the image edge and run along it (lid, book beyond the page), dilated a little."""
    dark = (gray < 110).astype(np.uint8)
    mask = np.zeros(gray.shape, bool)
    if not (dark[0].any() or dark[-1].any() or dark[:, 0].any() or dark[:, -1].any()):
        return mask  # nothing dark touches the edge (most pages): no need to label the page's every blot
    count, labels, stats, _ = components(dark)
    h, w = gray.shape
    for i in range(1, count):
        x, y, bw, bh, _ = stats[i]
        touches = x == 0 or y == 0 or x + bw == w or y + bh == h
        long_side = bw > 0.15 * w or bh > 0.15 * h
        if touches and long_side:
            mask |= labels == i
    if mask.any():
        mask = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    return mask
