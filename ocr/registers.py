"""Register book pages: one record per entry of the table, from the ruling lines and the words' boxes.

Columns come from the vertical rules, or where a book has none, from the words' alignment down the entries (the
gutters no entry writes in). Rows come from the horizontal rules, or from the text lines, a line that starts an
entry number (or fills most columns) starting a new entry. The titles above the first entry name the columns by
what they mean (``ocr.register_headers``), a title spanning several columns (no rule under it) naming each of them
with its own words; a row of column numbers is no entry, and neither is a row without a date.
"""
from __future__ import annotations

import dataclasses
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ocr.doctypes import RECORD_FIELDS
from ocr.fields import normalize_value
from ocr.normalize import parse_date
from ocr.recognize import Word
from ocr.register_headers import Meaning, field_of, is_column_numbering, meaning
from ocr.rules import Box, Rules, rule_positions
from ocr.syllables import is_syllable, split_syllables

MIN_COLUMNS = 3
UNSURE, HANDWRITTEN, MIN_WORDS = 0.6, 0.35, 20  # this share of a page's entry words read below UNSURE: handwriting
TITLE_LINES = 10  # an unruled table's titles stand within this many line heights above its first entry,
TITLE_GAP = 1.5  # their lines this close to each other
_DATE_LIKE = re.compile(r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}")  # every entry has one: its registration
_GENDER_LINE = re.compile(r"\s*\(?\s*(?:nam|nữ|nu)\s*\)?\s*", re.IGNORECASE)  # '(Nam)' under a name
_DATES = {"registration_date", "date_of_birth", "date_of_death"}
_LOOKALIKE_DIGITS = str.maketrans("OoDQlIi!|SsBZz", "00001111155822")
_DATE_SHAPED = re.compile(r"[\dOoDQlIi!|SsBZz]{1,4}(?:[/.\-][\dOoDQlIi!|SsBZz]{1,4}){2}")  # 'O5/l2/2OO4'
_SMALL_NUMBER = re.compile(r"\d{1,5}")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_ENTRY_NUMBER = re.compile(r"\d{1,5}[.)]?")
_SECOND_LINE = re.compile(r"^\s*\(|:|^\s*(?:nam|nữ|nu)\s*$|^\s*(?:tên gọi|tên khác|bí danh)",
                          re.IGNORECASE)  # under a name: '(Nam)', 'Tên gọi khác: …', a former name
# The book's main date, for a date column whose title does not say of what.
_MAIN_DATE = {"birth_register_page": "date_of_birth", "death_register_page": "date_of_death"}
# The people a book names, in the order its columns name them: a name column whose title does not say whose (or
# was misread) is the first of them not yet named.
_PEOPLE = {"birth_register_page": ["full_name", "father_name", "mother_name"],
           "marriage_register_page": ["husband_name", "wife_name"], "death_register_page": ["full_name"]}
# What columns tell one book from another, on a page that does not print its title, and how surely: a death book
# also gives the dead's birth date and gender, a birth book never a date of death.
_BOOK_COLUMNS = {
    "birth_register_page": {"father_name": 2, "mother_name": 2, "date_of_birth": 1, "gender": 1, "place_of_birth": 1},
    "marriage_register_page": {"husband_name": 3, "wife_name": 3, "husband_date_of_birth": 1,
                               "wife_date_of_birth": 1},
    "death_register_page": {"date_of_death": 3, "place_of_death": 3, "cause": 3},
}

_BOOK_OWNERS = {"birth_register_page": {"father", "mother"}, "marriage_register_page": {"husband", "wife"},
                "death_register_page": set()}

Band = tuple[float, float]  # the top and bottom of one row of the table


@dataclass
class Column:
    left: float
    right: float
    field: str | None = None  # the record key its title names, if any
    said: Meaning = dataclasses.field(default_factory=Meaning)


@dataclass(frozen=True)
class Grid:
    """A register table's ruling: the column edges left to right and the row edges top to bottom, in the page's
    pixels (no row edges: the book rules no rows); ``height`` (the words' median height) is the scale of every
    tolerance, ``vertical`` the column rules, whose extents tell where a title spans several columns."""
    xs: list[float]
    ys: list[float]
    height: float
    vertical: tuple[Box, ...] = ()

    @property
    def bands(self) -> list[Band]:
        return list(zip(self.ys, self.ys[1:], strict=False))

    def holds(self, word: Word) -> bool:
        """A word of the table: between its outer edges, from a little above its first rule (titles printed above
        the grid) down to its last."""
        x, y = _centre(word)
        top, bottom = (self.ys[0], self.ys[-1]) if self.ys else (-np.inf, np.inf)
        return self.xs[0] <= x <= self.xs[-1] and top - 4 * self.height <= y <= bottom

    def cuts(self, x: float, y: float) -> bool:
        """A column rule runs at ``x`` through height ``y`` (or the edge is one the book does not rule at all)."""
        if not self.vertical or x in (self.xs[0], self.xs[-1]):
            return True
        near = [b for b in self.vertical if abs((b[0] + b[2]) / 2 - x) < self.height]
        return not near or any(b[1] - self.height / 2 <= y <= b[3] + self.height / 2 for b in near)


@dataclass
class Table:
    """A grid's words, its columns named by their titles, the ``header`` zone above the first entry, and the
    entries' bands."""
    words: list[Word]
    columns: list[Column]
    header: Band
    bands: list[Band]

    def reads_as(self, wanted: list[str]) -> bool:
        """The columns make a register: an entry number, a name or one of the ``wanted`` fields is among them."""
        fields = {c.field for c in self.columns}
        return "registration_number" in fields or "full_name" in fields or bool(fields & set(wanted))


def _centre(w: Word) -> tuple[float, float]:
    return (w.left + w.right) / 2, (w.top + w.bottom) / 2


@dataclass(frozen=True)
class Entries:
    """A register page's entries as contract records; none when they are ``handwritten`` (Tesseract cannot read
    handwriting, and what it makes of it must not pass for entries)."""
    records: list[dict[str, str]]
    handwritten: bool = False


def read_entries(doc_type: str, words: list[Word], rules: Rules) -> Entries:
    """The entries of one register page: find the grid, take its words, name its columns, read one record per
    entry, repair the entry numbers."""
    wanted = RECORD_FIELDS.get(doc_type)
    words = [w for w in words if _legible(w)]
    if not wanted or not words:
        return Entries([])
    found = _table(words, rules, doc_type)
    if found is None:
        return Entries([], handwriting(words))
    grid, table = found
    if handwriting(_entry_words(grid, table)):
        return Entries([], True)
    if not table.reads_as(wanted):
        return Entries([])
    return Entries(number_in_sequence(read_rows(table, wanted)))


def _table(words: list[Word], rules: Rules, doc_type: str = "") -> tuple[Grid, Table] | None:
    """The table of a page's legible words: its grid and its columns named (for ``doc_type``'s book); None without
    a grid."""
    grid = find_grid(words, rules) if words else None
    held = [w for w in words if grid.holds(w)] if grid else []
    if grid is None or not held:  # a picture's lines, say, with the page's words all outside them
        return None
    return grid, name_columns(grid, held, doc_type)


def _entry_words(grid: Grid, table: Table) -> list[Word]:
    """The words of the entries; where no entry reads (handwriting rarely gives a date), all under the first row."""
    below = table.bands[0][0] if table.bands else grid.ys[1] if len(grid.ys) > 1 else table.header[0]
    return [w for w in table.words if _centre(w)[1] >= below]


def handwriting(words: list[Word]) -> bool:
    """Entries written by hand: many of their words read unsure (printed entries, even on a poor scan, read mostly
    sure)."""
    return len(words) >= MIN_WORDS and sum(w.conf < UNSURE for w in words) >= HANDWRITTEN * len(words)


def register_type(words: list[Word], rules: Rules) -> str | None:
    """The book a page belongs to, from its table alone (a page from the middle of a book prints no title): a table
    of dated (or handwritten) entries whose columns include an entry number or registration date and those of one
    book; None when the page holds no such table."""
    found = _table([w for w in words if _legible(w)], rules)
    if found is None:
        return None
    grid, table = found
    fields = {c.field for c in table.columns}
    if not fields & {"registration_number", "registration_date"} or (
            len(table.bands) < 2 and not handwriting(_entry_words(grid, table))):
        return None
    votes = {book: sum(weight for name, weight in columns.items() if name in fields)
             + sum(c.said.owner in _BOOK_OWNERS[book] for c in table.columns)  # 'Dân tộc chồng': a spouse's too
             for book, columns in _BOOK_COLUMNS.items()}
    ranked = sorted(votes, key=lambda book: -votes[book])
    return ranked[0] if votes[ranked[0]] > votes[ranked[1]] else None


def entry_cells(words: list[Word], rules: Rules) -> list[Box]:
    """The cells of a register table's entries, one per column and entry, reaching halfway to the next entry: what a
    second reading looks at, also where the book rules no columns or nothing at all."""
    found = _table([w for w in words if _legible(w)], rules)
    if found is None:
        return []
    table = found[1]
    named = {c.field for c in table.columns} - {None}
    if not named & {"registration_number", "registration_date"} or len(named) < MIN_COLUMNS:
        return []  # not a register's table (a form's lines can align too)
    bands = table.bands
    edges = [bands[0][0], *((a[1] + b[0]) / 2 for a, b in zip(bands, bands[1:], strict=False)), bands[-1][1]] \
        if bands else []
    return [(c.left, top, c.right, bottom) for top, bottom in zip(edges, edges[1:], strict=False)
            for c in table.columns]


def _legible(word: Word) -> bool:
    """A word and not a speck, a stray stroke or punctuation (they must not split columns or start entries)."""
    return any(c.isalnum() for c in word.text)


def find_grid(words: list[Word], rules: Rules) -> Grid | None:
    """The table's ruling: row edges from the rules long for the page's words (none for a book without row rules),
    column edges from the long column rules, or from the words' alignment where fewer than ``MIN_COLUMNS`` edges
    are ruled; None without ``MIN_COLUMNS`` column edges."""
    height = statistics.median(w.height for w in words)
    long_h = [b for b in rules.horizontal if b[2] - b[0] > 10 * height]
    ys = rule_positions(long_h, False, height * 0.8)
    if len(ys) < 3:  # no two rows ruled apart: an underline, a border, not the rows of a table
        ys = []
    body = _entry_lines(words if not ys else [w for w in words if ys[0] - 4 * height <= _centre(w)[1] <= ys[-1]])
    tall = 0.3 * (body[-1][0].bottom - body[0][0].top) if body else 0.0  # a column rule runs down the entries
    long_v = [b for b in rules.vertical if b[3] - b[1] > max(4 * height, tall)]
    ruled = rule_positions(long_v + (_outer_edges(long_h) if ys else []), True, height)
    aligned = aligned_edges(body, height)
    if len(aligned) >= len(ruled) + 2:  # the book rules some columns only (or a fold or an edge passed for one)
        ruled = sorted(ruled + [x for x in aligned if min((abs(x - r) for r in ruled), default=np.inf) > height])
    xs = ruled if len(ruled) >= MIN_COLUMNS else aligned
    return Grid(xs, ys, height, tuple(long_v) if xs is ruled else ()) if len(xs) >= MIN_COLUMNS else None


def _outer_edges(long_h: list[Box]) -> list[Box]:
    """The horizontal rules' ends, standing for outer borders that faded or were never printed."""
    left, right = min(b[0] for b in long_h), max(b[2] for b in long_h)
    return [(left, 0.0, left, 0.0), (right, 0.0, right, 0.0)]


def _entry_lines(words: list[Word]) -> list[list[Word]]:
    """The text lines from the first one holding a date down: the entries (every entry has a date)."""
    lines = text_lines(words)
    first = next((i for i, line in enumerate(lines) if _DATE_LIKE.search(_line_text(line))), len(lines))
    return lines[first:]


def aligned_edges(lines: Sequence[list[Word]], height: float) -> list[float]:
    """Column edges of an unruled table: the middles of the gutters, stripes at least a word space wide that
    (almost) no line writes in, and the table's outer ends."""
    if len(lines) < 2:
        return []
    left = min(w.left for line in lines for w in line)
    right = max(w.right for line in lines for w in line)
    step, pad = height / 8, height * 0.25  # a word space is about a third of the height: spaces close up
    covered = np.zeros(int((right - left) / step) + 2, int)
    for line in lines:
        mark = np.zeros_like(covered, bool)
        for w in line:
            mark[max(0, int((w.left - pad - left) / step)): int((w.right + pad - left) / step) + 1] = True
        covered += mark
    free = covered <= max(1, len(lines) // 10)
    edges, start = [left], None
    for i, empty in enumerate(free):
        if empty and start is None:
            start = i
        elif not empty and start is not None:
            if (i - start) * step >= 0.3 * height and start > 0:
                edges.append(left + (start + i) / 2 * step)
            start = None
    return [*edges, right]


def name_columns(grid: Grid, words: list[Word], doc_type: str = "") -> Table:
    """The grid's columns named by their titles (the words above the first entry); a column whose title was
    misread but whose cells are all small numbers is the entry number."""
    columns = [Column(a, b) for a, b in zip(grid.xs, grid.xs[1:], strict=False)]
    rows = _rows(grid, words, columns)
    first = next((i for i, band in enumerate(rows) if _is_entry(words, columns, band)), len(rows))
    end = rows[first][0] if first < len(rows) else max(w.bottom for w in words)
    header = (_ruled_titles_top(words, grid) if grid.ys else _titles_top(words, end, grid.height), end)
    entries = [band for band in rows[first:] if not is_column_numbering(_cells(words, columns, band))]
    titles = _below_book_titles([w for w in words if header[0] <= _centre(w)[1] < header[1]], grid.height)
    body = [w for band in entries for w in words if band[0] <= _centre(w)[1] < band[1]]
    columns = [part for col in columns for part in _split_by_titles(titles, body, col, grid.height)]
    _name_by_titles(grid, titles, columns)
    _name_by_cells(words, columns, entries)
    guessed = {id(c) for c in columns if c.field == "date"}
    _resolve(columns, doc_type)
    _order_dates(words, [c for c in columns if id(c) in guessed], columns, entries)
    return Table(words, columns, header, entries)


def _titles_top(words: list[Word], end: float, height: float) -> float:
    """Where the column titles above ``end`` (the first entry) begin: the lines set close together above it, up to
    ``TITLE_LINES`` line heights; a book's title or running head stands apart."""
    above = [line for line in text_lines([w for w in words if _centre(w)[1] < end]) if line]
    top = end
    for line in reversed(above):
        gap = top - max(w.bottom for w in line)
        if (top < end and gap > TITLE_GAP * height) or end - min(w.top for w in line) > TITLE_LINES * height \
                or _is_book_title(line, height):
            break
        top = min(w.top for w in line)
    return top - 1


def _ruled_titles_top(words: list[Word], grid: Grid) -> float:
    """Where a ruled table's column titles begin: at its top, or above it where titles stand over its first rule,
    but below a line of the book's own title or running head there."""
    above = [line for line in text_lines([w for w in words if _centre(w)[1] < grid.ys[0]])
             if _is_book_title(line, grid.height)]
    return max([max(w.bottom for w in line) for line in above] + [min(w.top for w in words) - 1])


def _below_book_titles(titles: list[Word], height: float) -> list[Word]:
    """The column titles without the book's own title lines printed inside the table's top (and what is above)."""
    lines = text_lines(titles)
    last = max((i for i, line in enumerate(lines) if _is_book_title(line, height)), default=-1)
    return [w for line in lines[last + 1:] for w in line]


def _is_book_title(line: list[Word], height: float) -> bool:
    """A line of the book's own title ('SỔ ĐĂNG KÝ KHAI TỬ', 'Quyển số: 01 - Năm 2010'), not of a column's: it
    names a year, or it is one phrase in capitals."""
    text = _line_text(line)
    letters = [c for c in text if c.isalpha()]
    capitals = len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
    return bool(_YEAR.search(text)) or (capitals and len(_phrases(line, height)) == 1)


def _split_by_titles(titles: list[Word], body: list[Word], col: Column, height: float) -> list[Column]:
    """A column holding two titles side by side (each of one or more lines): 'Số' and 'Ngày đăng ký' where the
    rule between them faded, or two columns of an unruled book whose entries leave no gutter the whole page down.
    Split where the titles leave an empty stripe (wide, or between titles of two kinds) and so do the entries."""
    inside = sorted((w for w in titles if col.left <= _centre(w)[0] < col.right), key=lambda w: w.left)
    reach = inside[0].right if inside else 0.0
    for i, word in enumerate(inside[1:], 1):
        gap = word.left - reach
        left = [w for w in inside if w.right <= reach]
        if gap > 2.5 * height or (gap > 1.2 * height and _two_kinds(left, inside[i:])):
            middle = _gutter(body, col, (reach + word.left) / 2)
            if middle is None and _side_by_side(left, inside[i:]):  # one of them has no entries read (gender
                middle = (reach + word.left) / 2                    # cells OCR dropped, notes never written)
            if middle is not None:  # and the right part may hold two titles again
                return [Column(col.left, middle), *_split_by_titles(titles, body, Column(middle, col.right), height)]
        reach = max(reach, word.right)
    return [col]


def _side_by_side(left: list[Word], right: list[Word]) -> bool:
    """Two titles on the same level of the header (their heights overlap), not a group title above a column's."""
    return min(w.top for w in left) < max(w.bottom for w in right) and min(w.top for w in right) < max(
        w.bottom for w in left)


def _gutter(body: list[Word], col: Column, near: float) -> float | None:
    """The middle of the empty stripe that the entries of a column leave around ``near`` (between the titles):
    entries are aligned in their own columns, not under the middle of the titles' gap; None when a word crosses it
    or when one side has no entries (a group title above, not a second column)."""
    inside = [w for w in body if col.left <= _centre(w)[0] < col.right]
    before = [w.right for w in inside if _centre(w)[0] < near]
    after = [w.left for w in inside if _centre(w)[0] >= near]
    if not before or not after or max(before) >= min(after):  # two columns, each with its entries, or none
        return None
    return (max(before) + min(after)) / 2


def _two_kinds(left: list[Word], right: list[Word]) -> bool:
    """Two titles side by side that name different values ('Ngày chết', 'NN chết'; 'Ngày chết', 'Ngày đăng ký')."""
    said = [meaning(" ".join(_line_text(line) for line in text_lines(part))) for part in (left, right)]
    kinds, abouts = {s.kind for s in said}, {s.about for s in said}
    return None not in kinds and (len(kinds) == 2 or (None not in abouts and len(abouts) == 2))


def _rows(grid: Grid, words: list[Word], columns: list[Column]) -> list[Band]:
    """The table's rows: its ruled bands, or where the book rules no rows, one row per title line and one per entry,
    an entry being the lines around one that starts it, cut from the next where the lines stand farthest apart."""
    if grid.ys:
        return grid.bands
    lines = text_lines(words)
    starts = [i for i, line in enumerate(lines) if _starts_entry(line, columns)]
    if not starts:
        return [_band(line) for line in lines]
    top = _first_entry_top(lines, starts)
    rows = [_band(line) for line in lines[:top]]
    cuts = [top]
    for a, b in zip(starts, starts[1:], strict=False):
        gaps = [lines[i + 1][0].top - max(w.bottom for w in lines[i]) for i in range(a, b)]
        cuts.append(a + 1 + max(range(len(gaps)), key=lambda i: (gaps[i], i)))
    cuts.append(len(lines))
    for first, end in zip(cuts, cuts[1:], strict=False):
        block = [w for line in lines[first:end] for w in line]
        rows.append((min(w.top for w in block) - 1, max(w.bottom for w in block) + 1))
    return rows


def _first_entry_top(lines: list[list[Word]], starts: list[int]) -> int:
    """The first line of the first entry: a cell of several lines can rise above the line that starts its entry (as
    far as half the distance between entries), and the entry then begins after the widest gap above that line."""
    first = starts[0]
    if len(starts) < 2 or first == 0:
        return first
    spacing = statistics.median(_mid(lines[b]) - _mid(lines[a]) for a, b in zip(starts, starts[1:], strict=False))
    lead = first
    while lead > 0 and _mid(lines[lead - 1]) > _mid(lines[first]) - spacing / 2:
        lead -= 1
    if lead == first:
        return first
    gaps = [min(w.top for w in lines[i + 1]) - max(w.bottom for w in lines[i]) for i in range(lead - 1, first)]
    return lead + max(range(len(gaps)), key=lambda i: (gaps[i], -i))


def _mid(line: list[Word]) -> float:
    return _centre(line[0])[1]


def _band(line: list[Word]) -> Band:
    return min(w.top for w in line) - 1, max(w.bottom for w in line) + 1


def _starts_entry(line: list[Word], columns: list[Column]) -> bool:
    """A line opening a new entry: it holds a date (a cell's second line, a wrapped name or '(Nam)', does not), or
    an entry number in the first column."""
    first = min(line, key=lambda w: w.left)
    return bool(_DATE_LIKE.search(_line_text(line))) or (
        bool(_ENTRY_NUMBER.fullmatch(first.text)) and _centre(first)[0] < columns[0].right)


def _is_entry(words: list[Word], columns: list[Column], band: Band) -> bool:
    return bool(_DATE_LIKE.search(" ".join(_cells(words, columns, band))))


def _name_by_titles(grid: Grid, titles: list[Word], columns: list[Column]) -> None:
    """Each column's meaning from its own title and from the titles spanning it: a title word belongs to the cell
    between the nearest column rules that run through its line (no rules: the column it stands in, or every column
    its phrase reaches well into)."""
    cells: dict[tuple[int, ...], list[Word]] = {}  # the title words of each cell, in reading order
    for line in text_lines(titles):
        if is_column_numbering([w.text for w in line]):
            continue
        for unit in [[w] for w in line] if grid.vertical else _phrases(line, grid.height):
            spanned = tuple(_spanned(grid, columns, unit))
            if spanned and len(spanned) <= max(3, 0.6 * len(columns)):  # wider: the book's title, a running head
                cells.setdefault(spanned, []).extend(unit)
    for i, col in enumerate(columns):
        col.said = _own_meaning(cells.get((i,), []))
        for spanned in sorted((s for s in cells if len(s) > 1 and i in s), key=len):  # the nearest group first
            col.said = col.said.under(meaning(_line_text(cells[spanned])))
        col.field = field_of(col.said)


def _own_meaning(words: list[Word]) -> Meaning:
    """A column's own title, its lines read together ('Số thứ / tự'); where its lines name different people (a group
    title 'Họ tên cha mẹ' taken for this column's over its own 'Mẹ'), the lowest one's, the title nearest the cells."""
    lines = text_lines(words)
    said = meaning(" ".join(_line_text(line) for line in lines))
    owners = [owner for line in lines if (owner := meaning(_line_text(line)).owner)]
    return dataclasses.replace(said, owner=owners[-1]) if owners else said


def _phrases(line: list[Word], height: float) -> list[list[Word]]:
    """A title line cut where words stand farther apart than a word space: one phrase per cell it crosses."""
    phrases = [[line[0]]]
    for word in line[1:]:
        if word.left - phrases[-1][-1].right > 1.2 * height:
            phrases.append([word])
        else:
            phrases[-1].append(word)
    return phrases


def _spanned(grid: Grid, columns: list[Column], phrase: list[Word]) -> list[int]:
    """The columns a title word (ruled) or phrase (unruled) belongs to: ruled, those between the rules through its
    line around it; unruled, the one it stands in or those it reaches a word's height into."""
    left, right = phrase[0].left, phrase[-1].right
    x, y = (left + right) / 2, _centre(phrase[0])[1]
    if grid.vertical:
        home = next((i for i, c in enumerate(columns) if c.left <= x < c.right), None)
        if home is None:
            return []
        first, last = home, home
        while first > 0 and not grid.cuts(columns[first].left, y):
            first -= 1
        while last < len(columns) - 1 and not grid.cuts(columns[last].right, y):
            last += 1
        return list(range(first, last + 1))
    reach = [i for i, c in enumerate(columns) if min(right, c.right) - max(left, c.left) > grid.height]
    if len(reach) > 1:  # a group title is centred over its columns; a running head or a title is not
        start, stop = columns[reach[0]].left, columns[reach[-1]].right
        return reach if abs(x - (start + stop) / 2) < 0.2 * (stop - start) else []
    return [i for i, c in enumerate(columns) if c.left <= x < c.right]


def _resolve(columns: list[Column], doc_type: str) -> None:
    """Settle what titles leave open: a date that does not say of what is the registration date, or the book's own
    event where the registration date has its column; names that do not say whose are the book's people not yet
    named, in order."""
    for col in columns:
        if col.field == "date":
            taken = {c.field for c in columns}
            col.field = "registration_date" if "registration_date" not in taken else _MAIN_DATE.get(doc_type)
    people = _PEOPLE.get(doc_type, [])
    unowned = [c for c in columns if c.field == "full_name"]
    if len(unowned) > 1 or (unowned and "full_name" not in people):
        named = {c.field for c in columns if c.field in people and c.field != "full_name"}
        for col, person in zip(unowned, [p for p in people if p not in named], strict=False):
            col.field = person


def _order_dates(words: list[Word], guessed: list[Column], columns: list[Column], bands: list[Band]) -> None:
    """Where a date column's title did not say of what, the dates themselves do: an entry is registered on or after
    the birth or death it records, so the registration date column is the one whose dates are the later ones."""
    by_field = {c.field: c for c in columns}
    registered = by_field.get("registration_date")
    event = by_field.get("date_of_birth") or by_field.get("date_of_death")
    if registered is None or event is None or not {id(registered), id(event)} & {id(c) for c in guessed}:
        return
    pairs = [(parse_date(_cell_text(words, registered, b)), parse_date(_cell_text(words, event, b))) for b in bands]
    earlier = sum(r < e for r, e in pairs if r and e)
    if earlier > len(bands) / 2:
        registered.field, event.field = event.field, registered.field


def _name_by_cells(words: list[Word], columns: list[Column], bands: list[Band]) -> None:
    """What the cells say where the title said nothing or was misread: a column of small numbers is the entry
    number, a column of dates a date (of what, ``_resolve`` decides) whatever its title made of it, an untitled
    column of people's names a name (whose, ``_resolve`` decides)."""
    if not bands:
        return
    for col in columns:
        dated = col.field is not None and (col.field.endswith("date") or "date_of" in col.field)
        cells = [_cell_text(words, col, band) for band in bands]
        taken = {c.field for c in columns}
        if col.field is None and "registration_number" not in taken and _most(cells, _SMALL_NUMBER.fullmatch):
            col.field = "registration_number"
        elif not dated and _most(cells, _DATE_LIKE.fullmatch):
            col.field = "date"
        elif col.field is None and _most(cells, _person_name):
            col.field = "full_name"


def _person_name(text: str) -> bool:
    """Two to five capitalised syllables, as a person's name is written."""
    words = text.split()
    return 2 <= len(words) <= 5 and all(w[0].isupper() and is_syllable(w) for w in words)


def _most(cells: list[str], test: Callable[[str], object]) -> bool:
    return sum(bool(test(c)) for c in cells) >= max(2, 0.6 * len(cells))


def read_rows(table: Table, wanted: list[str]) -> list[dict[str, str]]:
    """One record per entry band, from its cells in the ``wanted`` columns; a band where fewer than two values read
    is no entry."""
    records = [_record(table.words, table.columns, band, wanted) for band in table.bands]
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


def _cell_words(words: list[Word], col: Column, band: Band) -> list[Word]:
    inside = [w for w in words if col.left <= _centre(w)[0] < col.right and band[0] <= _centre(w)[1] < band[1]]
    return [w for line in text_lines(inside) for w in line]


def _cells(words: list[Word], columns: list[Column], band: Band) -> list[str]:
    return [_cell_text(words, col, band) for col in columns]


def text_lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines by their vertical centres (accents make tops uneven), each line left to right."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: _centre(w)[1]):
        if lines and abs(_centre(w)[1] - _centre(lines[-1][0])[1]) < 0.6 * w.height:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w.left) for line in lines]


def _line_text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def _cell_text(words: list[Word], col: Column, band: Band) -> str:
    return _line_text(_cell_words(words, col, band)).strip(" |")


def _name_text(words: list[Word], col: Column, band: Band) -> tuple[str, str | None]:
    """A name cell's name alone, and the gender some books write under it: a second line in brackets or after a
    label ('(Nam)', 'Tên gọi khác: …') is not part of the name, a name wrapped onto a second line is."""
    lines = text_lines([w for w in words if col.left <= _centre(w)[0] < col.right
                        and band[0] <= _centre(w)[1] < band[1]])
    kept: list[str] = []
    gender = None
    for line in lines:
        text = _line_text(line)
        if kept and _SECOND_LINE.search(text):
            gender = normalize_value("gender", text.strip(" ()|")) if _GENDER_LINE.fullmatch(text) else None
            break
        kept.append(text)
    return _unglued(" ".join(kept)).strip(" |"), gender


def _unglued(name: str) -> str:
    """A name whose syllables were read without their spaces ('LýHữuSơn', 'LƯƠNGĐÌNHSƠN'), spaced again."""
    spaced = "".join(f" {c}" if c.isupper() and i and name[i - 1].islower() else c for i, c in enumerate(name))
    return " ".join(" ".join(split_syllables(w) or [w]) if not is_syllable(w) else w for w in spaced.split())


def _digits_read_as_letters(text: str) -> str:
    """A date cell with the letters OCR reads for digits put back ('O'→0, 'l', 'I', '!'→1, 'S'→5, 'B'→8)."""
    return " ".join(word.translate(_LOOKALIKE_DIGITS) if _DATE_SHAPED.fullmatch(word) else word
                    for word in text.split())


def _record(words: list[Word], columns: list[Column], band: Band, wanted: list[str]) -> dict[str, str]:
    record: dict[str, str] = {}
    for col in columns:
        if col.field not in wanted or col.field in record:
            continue
        gender = None
        if col.field.endswith("name"):
            text, gender = _name_text(words, col, band)
        else:
            text = _cell_text(words, col, band)
        value = normalize_value(col.field, text) if text else None
        if not value and text and col.field in _DATES:
            value = normalize_value(col.field, _digits_read_as_letters(text))  # '12/O3/2019', '1!/03/2019'
        if value:
            record[col.field] = value
        if gender and "gender" in wanted and col.field == "full_name":
            record.setdefault("gender", gender)
    return record if len(record) >= 2 else {}
