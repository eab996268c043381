"""Separator sheets: a page whose QR code payload starts with ``SOHOA-SEP`` starts a new document.

The payload may carry ``;key=value`` fields after the prefix (``SOHOA-SEP;pages=3;dossier=CODE``);
anything else after the prefix is ignored.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import cv2
import numpy as np

log = logging.getLogger(__name__)

PREFIX = "SOHOA-SEP"
# Where the code is looked for, coarse to fine: a separator's code is printed large and the coarsest finds it fastest;
# 150 dpi finds a smaller or noisier one, and a code seen but not decoded is read at the scan's own resolution. (Finer
# steps only ever found the small codes of ID cards, at 0.1 s a page.) OpenCV's ArUco-based detector locates finder
# patterns much faster than its classic one on a page holding no code (every page but the separators).
SEARCH_DPI = (75, 150)
ASSUMED_DPI = 300.0  # for a caller that does not say


@dataclass(frozen=True)
class Separator:
    payload: str
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> int | None:
        """The page count the sheet announces for the next document, when it announces one."""
        value = self.fields.get("pages", "")
        return int(value) if value.isdigit() else None

    @property
    def dossier(self) -> str | None:
        return self.fields.get("dossier") or None


def parse_payload(payload: str) -> Separator | None:
    """The separator a QR payload describes, or None when it is another code."""
    if not payload.startswith(PREFIX):
        return None
    fields = {}
    for part in payload[len(PREFIX):].split(";"):
        key, sep, value = part.partition("=")
        if sep and key.strip():
            fields[key.strip().lower()] = value.strip()
    return Separator(payload, fields)


def find_separator(gray: np.ndarray, dpi: float | None = None) -> Separator | None:
    """The separator sheet on this page (8-bit grey, scanned at ``dpi``), or None."""
    detector = cv2.QRCodeDetectorAruco()
    scales = [target / (dpi or ASSUMED_DPI) for target in SEARCH_DPI]
    smaller = [scale for scale in scales if scale < 1]
    seen_code = False
    for scale in smaller:
        small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        payload, points = _detect(detector, small)
        if payload:
            return parse_payload(payload)
        seen_code = seen_code or points is not None
    if seen_code or len(smaller) < len(scales):  # a code seen but not decoded, or a coarse scan: its full resolution
        payload, _ = _detect(detector, gray)
        return parse_payload(payload) if payload else None
    return None


def _detect(detector: cv2.QRCodeDetectorAruco, gray: np.ndarray) -> tuple[str, np.ndarray | None]:
    """OpenCV's detector, which on some pages fails inside (an assertion): no code found there."""
    try:
        payload, points, _ = detector.detectAndDecode(gray)
    except cv2.error as exc:
        log.debug("OpenCV's QR code detector failed inside (%s): no code read at this scale", exc)
        return "", None
    return payload, points
