"""Register book pages: one record per table row, from the ruling lines and the words' boxes.

Columns come from the vertical rules (or, on an unruled page, from the gaps between the header's cells), rows
from the horizontal rules (or from where a new entry number starts). Each column is named by its printed header,
matched fuzzily, so the order and wording of the columns may differ from book to book.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ocr.doctypes import RECORD_FIELDS
from ocr.fields import normalize_value
from ocr.normalize import fold
from ocr.recognize import Word
from ocr.rules import Box, Rules, rule_positions

COLUMNS: list[tuple[str, list[str]]] = [
    ("registration_number", ["Số", "Số TT", "STT", "Số đăng ký", "Số thứ tự"]),
    ("registration_date", ["Ngày đăng ký", "Ngày, tháng, năm đăng ký", "Ngày tháng năm đăng ký"]),
    ("full_name", ["Họ, chữ đệm, tên", "Họ và tên", "Họ tên", "Họ, chữ đệm, tên người chết", "Họ và tên người chết",
                   "Họ, chữ đệm, tên người được khai sinh", "Họ và tên người được khai sinh"]),
    ("father_name", ["Họ, chữ đệm, tên cha", "Họ và tên cha", "Họ tên cha", "Cha"]),
    ("mother_name", ["Họ, chữ đệm, tên mẹ", "Họ và tên mẹ", "Họ tên mẹ", "Mẹ"]),
    ("husband_name", ["Họ, chữ đệm, tên chồng", "Họ và tên chồng", "Họ tên chồng", "Chồng"]),
    ("wife_name", ["Họ, chữ đệm, tên vợ", "Họ và tên vợ", "Họ tên vợ", "Vợ"]),
    ("date_of_birth", ["Ngày sinh", "Ngày, tháng, năm sinh", "Ngày tháng năm sinh"]),
    ("gender", ["Giới tính", "Nam/Nữ", "Nam, Nữ"]),
    ("date_of_death", ["Ngày chết", "Ngày, tháng, năm chết", "Ngày tháng năm chết"]),
    ("place_of_death", ["Nơi chết"]),
    ("note", ["Ghi chú"]),
]
MIN_COLUMNS = 3


Band = tuple[float, float]  # the top and bottom of one row of the table


@dataclass
class Column:
    left: float
    right: float
    field: str | None = None  # the record field its title names, if any


@dataclass(frozen=True)
class Grid:
    """A register table's ruling: the column edges left to right and the row edges top to bottom, in the page's
    pixels; ``height`` (the words' median height) is the scale of every tolerance."""
    xs: list[float]
    ys: list[float]
    height: float

    @property
    def bands(self) -> list[Band]:
        return list(zip(self.ys, self.ys[1:], strict=False))

    def holds(self, word: Word) -> bool:
        """A word of the table: between its outer edges, from a little above its first rule (titles printed above
        the grid) down to its last."""
        x, y = _centre(word)
        return self.xs[0] <= x <= self.xs[-1] and self.ys[0] - 4 * self.height <= y <= self.ys[-1]


@dataclass
class Table:
    """A grid's words and its columns, named by the titles that stand in the ``header`` band."""
    words: list[Word]
    columns: list[Column]
    header: Band
    bands: list[Band]

    def reads_as(self, wanted: list[str]) -> bool:
        """The columns make a register: an entry number, a name or one of the ``wanted`` fields is among them."""
        fields = {c.field for c in self.columns}
        return "registration_number" in fields or "full_name" in fields or bool(fields & set(wanted))


def _key(text: str) -> str:
    return " ".join(fold(text).replace(",", " ").replace(".", " ").replace("|", " ").split())


def _column_field(header: str) -> str | None:
    if not header.strip():
        return None
    keys = [(_key(w), name) for name, wordings in COLUMNS for w in wordings]
    best = process.extractOne(_key(header), [k for k, _ in keys], scorer=fuzz.ratio, score_cutoff=75)
    return keys[best[2]][1] if best else None


def _centre(w: Word) -> Band:
    return (w.left + w.right) / 2, (w.top + w.bottom) / 2


def read_records(doc_type: str, words: list[Word], rules: Rules) -> list[dict[str, str]]:
    """The entries of one register page as contract records: find the grid, take its words, name its columns, read
    one record per row, repair the entry numbers."""
    wanted = RECORD_FIELDS.get(doc_type)
    if not wanted or not words:
        return []
    grid = find_grid(words, rules)
    if grid is None:
        return []
    table = name_columns(grid, [w for w in words if grid.holds(w)])
    if not table.reads_as(wanted):
        return []
    return number_in_sequence(read_rows(table, wanted))


def find_grid(words: list[Word], rules: Rules) -> Grid | None:
    """The table's ruling, from the rules long for the page's words; None without two row rules and
    ``MIN_COLUMNS`` column edges."""
    height = statistics.median(w.height for w in words)
    long_h = [b for b in rules.horizontal if b[2] - b[0] > 10 * height]
    ys = rule_positions(long_h, False, height * 0.8)
    if len(ys) < 2:
        return None
    long_v = [b for b in rules.vertical if b[3] - b[1] > 4 * height]
    xs = rule_positions(long_v + _outer_edges(long_h), True, height)
    return Grid(xs, ys, height) if len(xs) >= MIN_COLUMNS else None


def _outer_edges(long_h: list[Box]) -> list[Box]:
    """The horizontal rules' ends, standing for outer borders that faded or were never printed."""
    left, right = min(b[0] for b in long_h), max(b[2] for b in long_h)
    return [(left, 0.0, left, 0.0), (right, 0.0, right, 0.0)]


def name_columns(grid: Grid, words: list[Word]) -> Table:
    """The grid's columns named by their titles: a column holding two titles far apart is split in two, and an
    untitled column of small numbers is the entry number."""
    bands = grid.bands
    columns = [Column(a, b) for a, b in zip(grid.xs, grid.xs[1:], strict=False)]
    header = _header_band(words, columns, bands, grid.ys[0], grid.height)
    columns = [part for col in columns for part in _split_by_header(words, col, header, grid.height)]
    for col in columns:
        col.field = _column_field(_cell_text(words, col, header))
    _number_column(words, columns, [b for b in bands if b[0] >= header[1]])
    return Table(words, columns, header, bands)


def read_rows(table: Table, wanted: list[str]) -> list[dict[str, str]]:
    """One record per band below the titles, from its cells in the ``wanted`` columns; a band where fewer than two
    values read is no entry."""
    records = [_record(table.words, table.columns, band, wanted) for band in table.bands
               if not (band == table.header or band[1] <= table.header[1])]
    return [record for record in records if record]


def number_in_sequence(records: list[dict[str, str]]) -> list[dict[str, str]]:
    """Entries of a book page follow each other: where most numbers agree on one run (n, n+1, ...), a number that
    breaks it or is missing was misread, and the run gives it back."""
    starts = [int(r["registration_number"]) - i for i, r in enumerate(records)
              if r.get("registration_number", "").isdigit()]
    if not starts:
        return records
    start = max(set(starts), key=starts.count)
    if starts.count(start) < 2 or starts.count(start) <= len(starts) / 2:
        return records
    return [{"registration_number": str(start + i), **{k: v for k, v in r.items() if k != "registration_number"}}
            for i, r in enumerate(records)]


def _split_by_header(words: list[Word], col: Column, band: Band, height: float) -> list[Column]:
    """A column holding two titles far apart ('Số' and 'Ngày đăng ký' where the rule between them is missing)."""
    titles = sorted(_cell_words(words, col, band), key=lambda w: w.left)
    reach = titles[0].right if titles else 0.0
    for word in titles[1:]:
        if word.left - reach > 2.5 * height:  # an empty stripe down the whole title cell
            middle = (reach + word.left) / 2
            return [Column(col.left, middle), Column(middle, col.right)]
        reach = max(reach, word.right)
    return [col]


def _number_column(words: list[Word], columns: list[Column], bands: list[Band]) -> None:
    """A column whose title was misread but whose cells are all small numbers is the entry number."""
    if any(c.field == "registration_number" for c in columns) or not bands:
        return
    for col in columns:
        if col.field is None:
            cells = [_cell_text(words, col, band) for band in bands]
            numbers = [c for c in cells if re.fullmatch(r"\d{1,5}", c)]
            if len(numbers) >= max(2, 0.6 * len(cells)):
                col.field = "registration_number"
                return


def _header_band(words: list[Word], columns: list[Column], bands: list[Band], top: float,
                 height: float) -> Band:
    """The band holding the column titles: the first band whose cells read as titles (or the space above the grid)."""
    for band in bands[:2]:
        named = sum(_column_field(_cell_text(words, c, band)) is not None for c in columns)
        if named >= max(2, len(columns) // 2):
            return band
    return (top - 4 * height, top)


def _cell_words(words: list[Word], col: Column, band: Band) -> list[Word]:
    inside = [w for w in words if col.left <= _centre(w)[0] < col.right and band[0] <= _centre(w)[1] < band[1]]
    return [w for line in text_lines(inside) for w in line]


def text_lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines by their vertical centres (accents make tops uneven), each line left to right."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: _centre(w)[1]):
        if lines and abs(_centre(w)[1] - _centre(lines[-1][0])[1]) < 0.6 * w.height:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w.left) for line in lines]


def _cell_text(words: list[Word], col: Column, band: Band) -> str:
    return " ".join(w.text for w in _cell_words(words, col, band)).strip(" |")


def _record(words: list[Word], columns: list[Column], band: Band,
            wanted: list[str]) -> dict[str, str]:
    record: dict[str, str] = {}
    for col in columns:
        if col.field not in wanted:
            continue
        text = _cell_text(words, col, band)
        value = normalize_value(col.field, text) if text else None
        if value:
            record[col.field] = value
    return record if len(record) >= 2 else {}
