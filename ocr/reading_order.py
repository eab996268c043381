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
    if not words:
        return []
    height = statistics.median(w.height for w in words)
    rows = rows_of(words)
    lines: list[str] = []
    i = 0
    while i < len(rows):
        end, gutter = _column_region(rows, i, height, rules)
        if gutter is None:
            lines += [s.text for s in rows[i]]
            i += 1
            continue
        region = [s for row in rows[i:end] for s in row]
        lines += [s.text for s in region if s.right <= gutter]
        lines += [s.text for s in region if s.right > gutter]
        i = end
    return lines


def rows_of(words: list[Word]) -> list[list[Segment]]:
    """Runs of words split at column gaps, grouped into rows top to bottom, each row left to right."""
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
    return segments


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
    """(end, gutter x) of a two-column region starting at row ``start``, or (start + 1, None)."""
    row = rows[start]
    if len(row) != 2:
        return start + 1, None
    lo, hi = row[0].right, row[1].left  # the gutter, narrowed row by row
    end = start + 1
    while end < len(rows) and len(rows[end]) <= 2:
        nxt = rows[end]
        if min(s.top for s in nxt) - max(s.bottom for s in rows[end - 1]) > 1.2 * height:
            break  # a wider space ends the block (the title below a header)
        if len(nxt) == 2:
            new_lo, new_hi = max(lo, nxt[0].right), min(hi, nxt[1].left)
        elif nxt[0].right <= hi:  # one segment, left of the gutter
            new_lo, new_hi = max(lo, nxt[0].right), hi
        elif nxt[0].left >= lo:  # one segment, right of the gutter
            new_lo, new_hi = lo, min(hi, nxt[0].left)
        else:
            break
        if new_hi - new_lo < 0.25 * height:  # the columns touch: no common gutter
            break
        lo, hi = new_lo, new_hi
        end += 1
    top, bottom = rows[start][0].top, max(s.bottom for s in rows[end - 1])
    ruled = any(lo <= (r[0] + r[2]) / 2 <= hi and r[1] < bottom and r[3] > top for r in rules)
    if end - start < 2 or ruled or all(_form_row(r) for r in rows[start:end]):
        return start + 1, None
    return end, (lo + hi) / 2


def _form_row(row: list[Segment]) -> bool:
    """Two cells that each start with a label ending in a colon: one line of a form set at tab stops."""
    return len(row) == 2 and all(any(w.text.endswith(":") for w in s.words[:5]) for s in row)
