"""Page text in reading order from word boxes.

Tesseract sometimes reads a two-column block (the authority beside the national motto, the recipients beside
the signer) straight across. Here lines are rebuilt from geometry: a run of rows that split at one common
gutter is read column by column, left first, unless a ruling line stands in the gutter (a table reads across)
or every row is a pair of aligned 'label: value' cells (a form set at tab stops reads across).
"""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ocr.recognize import Word
from ocr.rules import Box

GUTTER_HEIGHTS = 1.8  # a gap this many text heights wide separates columns rather than words
NOISE_CONFIDENCE = 0.6  # a mark without letter or digit that Tesseract doubts this much is background
DOUBTED = 0.2  # a reading of one or two characters this doubtful is background (a guilloche, a speck, a seal's rim)
PICTURE_HEIGHTS = 3.0  # a "word" of a few characters this many text heights tall is the edge of a picture
BLOCK_GAP = 1.2  # text heights: a wider space between rows ends a two-column block …
SIGNATURE_GAP = 6.0  # … unless both columns go on below it (the space left for signatures)


@dataclass
class Segment:
    words: list[Word]

    @property
    def left(self) -> float:
        return self.words[0].left

    @property
    def right(self) -> float:
        return max(w.right for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def reading_order_lines(words: list[Word], rules: Sequence[Box] = ()) -> list[str]:
    """Text lines in reading order; ``rules`` are vertical ruling lines in the words' coordinates."""
    words = legible(words)
    if not words:
        return []
    height = statistics.median(w.height for w in words)
    rows = rows_of(words)
    lines: list[str] = []
    i = 0
    while i < len(rows):
        end, gutter = _column_region(rows, i, height, rules)
        if gutter is None:
            lines.append(" ".join(s.text for s in rows[i]))  # a row read across is one line
            i += 1
            continue
        for left in (True, False):  # the left column, then the right
            lines += [text for row in rows[i:end]
                      if (text := " ".join(s.text for s in row if (s.right <= gutter) == left))]
        i = end
    return lines


def legible(words: list[Word]) -> list[Word]:
    """The words without background read as text: marks with no letter or digit that Tesseract doubts, readings it
    hardly believes at all, a few tall characters read off the edge of a photograph or an emblem, and underscores
    (an underline, a blank to fill in)."""
    if not words:
        return []
    tallest = PICTURE_HEIGHTS * statistics.median(w.height for w in words)
    return [w for w in words if (w.conf >= DOUBTED or len(w.text) > 2)
            and (w.conf >= NOISE_CONFIDENCE or any(c.isalnum() for c in w.text))
            and not (w.height > tallest and len(w.text) <= 3) and w.text.strip("_")]  # underscores: a rule or blank


def rows_of(words: list[Word]) -> list[list[Segment]]:
    """Runs of legible words split at column gaps, grouped into rows top to bottom, each row left to right."""
    words = legible(words)
    if not words:
        return []
    height = statistics.median(w.height for w in words)
    return _rows(_segments(words, height * GUTTER_HEIGHTS))


def _segments(words: list[Word], gap: float) -> list[Segment]:
    """Tesseract's lines, split where two neighbouring words stand further apart than ``gap``."""
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        by_line.setdefault(w.line, []).append(w)
    segments = []
    for line in by_line.values():
        line.sort(key=lambda w: w.left)
        current = [line[0]]
        for w in line[1:]:
            if w.left - current[-1].right > gap:
                segments.append(Segment(current))
                current = []
            current.append(w)
        segments.append(Segment(current))
    return [s for s in segments if any(c.isalnum() for c in s.text)]  # a dash or a bracket alone is no text


def _rows(segments: list[Segment]) -> list[list[Segment]]:
    """Segments grouped into rows (vertical centres close together), top to bottom, each row left to right."""
    rows: list[list[Segment]] = []
    for seg in sorted(segments, key=lambda s: (s.top + s.bottom) / 2):
        centre = (seg.top + seg.bottom) / 2
        if rows:
            last = rows[-1]
            top, bottom = min(s.top for s in last), max(s.bottom for s in last)
            if top <= centre <= bottom and all(seg.right <= s.left or seg.left >= s.right for s in last):
                last.append(seg)
                continue
        rows.append([seg])
    return [sorted(row, key=lambda s: s.left) for row in rows]


def _column_region(rows: list[list[Segment]], start: int, height: float,
                   rules: Sequence[Box]) -> tuple[int, float | None]:
    """(end, gutter x) of a two-column region starting at row ``start``, or (start + 1, None). The gutter is the
    widest gap of the first row; each row below keeps every segment on one side of it, and narrows it."""
    row = rows[start]
    if len(row) < 2:
        return start + 1, None
    k = max(range(len(row) - 1), key=lambda i: row[i + 1].left - row[i].right)
    lo, hi = row[k].right, row[k + 1].left  # the gutter, narrowed row by row
    end = start + 1
    while end < len(rows):
        nxt = rows[end]
        left = [s for s in nxt if s.right <= hi]
        right = [s for s in nxt if s.left >= lo and s.right > hi]
        space = min(s.top for s in nxt) - max(s.bottom for s in rows[end - 1])
        if len(left) + len(right) < len(nxt) or space > (SIGNATURE_GAP if left and right else BLOCK_GAP) * height:
            break  # a segment across the gutter, or a wider space (the title below a header), ends the block
        new_lo = max([lo, *(s.right for s in left)])
        new_hi = min([hi, *(s.left for s in right)])
        if new_hi - new_lo < 0.25 * height:  # the columns touch: no common gutter
            break
        lo, hi = new_lo, new_hi
        end += 1
    top, bottom = min(s.top for s in row), max(s.bottom for s in rows[end - 1])
    ruled = any(lo <= (r[0] + r[2]) / 2 <= hi and r[1] < bottom and r[3] > top for r in rules)
    region, gutter = rows[start:end], (lo + hi) / 2
    tabular = sum(len(r) > 2 for r in region) * 2 > len(region)  # most rows of three cells or more: a table
    one_sided = min(sum(any((s.right <= gutter) == left for s in r) for r in region) for left in (True, False)) < 2
    if one_sided or ruled or tabular or all(_form_row(r) for r in region if len(r) > 1):
        return start + 1, None  # a column is two lines at least; a table or a form at tab stops reads across
    return end, gutter


def _form_row(row: list[Segment]) -> bool:
    """Cells that each start with a label ending in a colon: one line of a form set at tab stops."""
    return all(any(w.text.endswith(":") for w in s.words[:5]) for s in row)
