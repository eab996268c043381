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
# A separator's code is large: a small scale finds it fastest, and OpenCV misses some noisy codes at full size.
_SCALES = (0.5, 0.25, 0.75)


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


def find_separator(gray: np.ndarray) -> Separator | None:
    """The separator sheet on this page (8-bit grey), or None."""
    detector = cv2.QRCodeDetector()
    seen_code = False
    for scale in _SCALES:
        small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        payload, points = _detect(detector, small)
        if payload:
            return parse_payload(payload)
        seen_code = seen_code or points is not None
    if seen_code:  # found but not decoded at any small scale: try the full resolution once
        payload, _ = _detect(detector, gray)
        return parse_payload(payload) if payload else None
    return None


def _detect(detector: cv2.QRCodeDetector, gray: np.ndarray) -> tuple[str, np.ndarray | None]:
    """OpenCV's detector, which on some pages fails inside (an assertion in convexHull): no code found there."""
    try:
        payload, points, _ = detector.detectAndDecode(gray)
    except cv2.error as exc:
        log.debug("OpenCV's QR code detector failed inside (%s): no code read at this scale", exc)
        return "", None
    return payload, points
