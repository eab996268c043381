"""From a raw scan to an upright page to show and a clean page to recognize."""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ocr.analysis import analyse, flatten_background, ink_gray, seal_boxes
from ocr.blank import is_blank
from ocr.geometry import is_upside_down, sideways_and_skew
from ocr.rules import Rules, erase_rules

RECOGNITION_DPI = 300  # Tesseract reads best at about 300 dpi; lower-resolution scans are upsampled
MIN_DESKEW_DEG = 0.2


@dataclass
class Prepared:
    display: np.ndarray  # the original colours, turned upright and deskewed, at ``dpi``
    recognition: np.ndarray  # 8-bit grey, cleaned, at ``recognition_dpi``
    dpi: float
    recognition_dpi: float
    rotation: int  # clockwise correction applied: 0, 90, 180, 270
    skew_deg: float  # counter-clockwise tilt found (and undone)
    blank: bool
    orientation_sure: bool  # False when the text gave too little evidence of which way is up
    rules: Rules = field(default_factory=Rules)  # ruling lines erased from ``recognition``, in its pixels

    @property
    def scale(self) -> float:
        """Recognition pixels per display pixel."""
        return self.recognition_dpi / self.dpi


def prepare(image: np.ndarray, dpi: float, gray: np.ndarray | None = None) -> Prepared:
    """Orientation, deskew, border removal, blank detection and a recognition image, from an L or RGB array."""
    gray = ink_gray(image) if gray is None else gray  # the caller may have made it already (separator search)
    view = analyse(gray, dpi)
    # a stamp alone keeps a page: looked for (in colour) only on a page that holds nothing else
    blank = is_blank(view) and not (image.ndim == 3 and seal_boxes(image))
    rotation, skew, sure = 0, 0.0, True
    if not blank:
        ink = view.ink
        sideways, skew = sideways_and_skew(ink)
        if sideways:
            rotation, ink = 90, np.rot90(ink, -1)
        upright = _rotate_small(ink, skew)
        upside_down = is_upside_down(upright, view.dpi)
        sure = upside_down is not None
        if upside_down:
            rotation = (rotation + 180) % 360  # also mends a sideways page turned the wrong way first
    # linear, as it always ran (resize's third positional argument is ``dst``, so INTER_NEAREST given there was unused)
    border = cv2.resize(view.border.astype(np.uint8), (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    clean = gray.copy()
    clean[border.astype(bool)] = 255
    display = turn(image, rotation, skew, fill=_paper_colour(image))
    clean = turn(clean, rotation, skew, fill=255)
    erased, rules = erase_rules(recognition_image(clean, dpi), max(dpi, RECOGNITION_DPI))
    recognition = cv2.medianBlur(erased, 3)  # after the rules are found: it would wipe a 1-pixel one
    return Prepared(display, recognition, dpi, max(dpi, RECOGNITION_DPI), rotation, skew, blank, sure, rules)


def _rotate_small(mask: np.ndarray, skew: float) -> np.ndarray:
    if abs(skew) < MIN_DESKEW_DEG:
        return mask
    return turn(mask.astype(np.uint8), 0, skew, fill=0).astype(bool)


def _paper_colour(image: np.ndarray) -> tuple[int, ...]:
    """The page's own background, to fill the corners that deskewing uncovers."""
    sample = image[:: max(1, image.shape[0] // 64), :: max(1, image.shape[1] // 64)]
    if image.ndim == 2:
        return (int(np.percentile(sample, 90)),)
    return tuple(int(v) for v in np.percentile(sample.reshape(-1, sample.shape[-1]), 90, axis=0))


def turn(image: np.ndarray, rotation: int, skew_deg: float, fill: int | tuple[int, ...]) -> np.ndarray:
    """Apply a clockwise quarter-turn correction, then undo a counter-clockwise tilt on a canvas that cuts nothing."""
    if rotation:
        image = np.ascontiguousarray(np.rot90(image, -rotation // 90))
    if abs(skew_deg) < MIN_DESKEW_DEG:
        return image
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -skew_deg, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(round(h * sin + w * cos)), int(round(h * cos + w * sin))
    matrix[0, 2] += new_w / 2 - w / 2
    matrix[1, 2] += new_h / 2 - h / 2
    colour = fill if isinstance(fill, tuple) and len(fill) == 3 else (int(np.mean(fill)),) * 3
    return cv2.warpAffine(image, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=colour)


def recognition_image(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Flattened background, upsampled to the recognition resolution."""
    flat = flatten_background(gray, dpi)
    if dpi < RECOGNITION_DPI:
        factor = RECOGNITION_DPI / dpi
        flat = cv2.resize(flat, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return flat
