"""Batch quality control: why a page should be scanned again."""
from __future__ import annotations

from ocr.page import PageText

MIN_DPI = 200
UNREADABLE_CONFIDENCE = 0.55
_EDGE_MM = 0.8


def rescan_reasons(page: PageText) -> list[str]:
    prepared = page.prepared
    reasons = []
    if prepared.dpi < MIN_DPI:
        reasons.append(f"resolution {prepared.dpi:.0f} dpi is below {MIN_DPI} dpi")
    if prepared.blank:
        return reasons
    if page.confidence < UNREADABLE_CONFIDENCE:
        reasons.append(f"unreadable: recognition confidence {page.confidence:.0%}")
    sides = _cut_sides(page)
    if sides:
        reasons.append(f"text cut off at the {' and '.join(sides)} edge")
    return reasons


def _cut_sides(page: PageText) -> list[str]:
    """Sides of the scan that confidently read words touch: the page went past the scanner's edge."""
    height, width = page.prepared.display.shape[:2]
    margin = _EDGE_MM * page.prepared.dpi / 25.4
    sides = []
    for side, touches in (("top", lambda w: w.top <= margin), ("bottom", lambda w: w.bottom >= height - margin),
                          ("left", lambda w: w.left <= margin), ("right", lambda w: w.right >= width - margin)):
        if any(touches(w) and w.conf >= 0.5 and len(w.text) > 1 for w in page.words):
            sides.append(side)
    return sides
