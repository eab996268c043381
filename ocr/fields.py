"""Field values of a document: read after their printed labels, given to the person whose block they are in,
normalized and repaired with domain knowledge; on cards, found by their pattern and place where no label reads."""
from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from ocr import domain
from ocr.doctypes import FIELDS
from ocr.labels import NUMBERING, Found, find_labels, merge_wrapped_labels, owners_in, starts_with_label
from ocr.normalize import (
    clean_value,
    find_dates,
    fold,
    iso_date,
    parse_area,
    parse_date,
    parse_document_number,
    parse_gender,
    parse_number,
    parse_personal_id,
    parse_phone,
)
from ocr.reading_order import Segment, rows_of
from ocr.recognize import Word

# Generic label key → contract field for the document's own subject; per-type differences below.
SUBJECT = {"name": "full_name", "date_of_birth": "date_of_birth", "gender": "gender", "ethnicity": "ethnicity",
           "nationality": "nationality", "place_of_birth": "place_of_birth", "hometown": "hometown",
           "personal_id": "personal_id", "residence": "place_of_residence", "date_of_death": "date_of_death",
           "place_of_death": "place_of_death", "expiry_date": "expiry_date", "license_class": "license_class",
           "phone": "phone", "parcel_number": "parcel_number", "map_sheet_number": "map_sheet_number",
           "area": "area_m2", "address": "address", "book_number": "book_number",
           "registration_date": "registration_date", "registration_authority": "registration_authority",
           "issue_date": "issue_date", "date_in_words": "date_of_birth", "submission_date": "submission_date"}
NUMBER_FIELD = {"birth_certificate": "registration_number", "marriage_certificate": "registration_number",
                "death_extract": "registration_number", "criminal_record": "record_number",
                "citizen_id": "personal_id", "driving_license": "license_number",
                "decision": "document_number", "official_letter": "document_number"}
NAME_FIELD = {"land_use_certificate": "owner_name", "application_form": "applicant_name"}
SPOUSE_KEYS = {"name": "name", "date_of_birth": "date_of_birth", "personal_id": "personal_id"}
# Facts of the registration, whoever's block they are printed in.
DOCUMENT_KEYS = {"registration_date", "registration_authority", "book_number"}
# Sections about the document's own subject: the unnamed one, and the person a type of document is about.
OWN_SECTIONS = {None, "subject", "document"}
SUBJECT_OWNER = {"birth_certificate": "child", "death_extract": "deceased", "application_form": "applicant"}
# An issue date printed with a label is a licence's; elsewhere it is an identity card's ('cấp ngày'), and the
# document's own is its date line.
LABELLED_ISSUE = {"driving_license"}
NUMBERED = NUMBERING + r"\s"  # a line that starts a numbered item ('9. Quốc tịch'), not a value's second line
MULTILINE = {"place_of_birth", "hometown", "place_of_residence", "place_of_death", "address", "registration_authority"}
# Fields that hold words, not numbers: a value with a long run of digits is not theirs.
WORDY = {"ethnicity", "nationality", "place_of_birth", "hometown", "place_of_residence", "place_of_death", "address",
         "registration_authority"}


@dataclass
class Value:
    value: str
    confidence: float  # lowest word confidence of the words it came from (1.0 when derived)
    printed: str  # as read, before normalization
    disagrees: str | None = None  # what the same field printed a second way says, when it differs
    page: int | None = None  # which of the pages it was read on (0-based), when it came from words
    box: tuple[float, float, float, float] | None = None  # those words' box in the page's pixels: l, t, r, b


@dataclass
class PageWords:
    words: list[Word]
    text: str

    @cached_property
    def rows(self) -> list[list[Segment]]:
        return merge_wrapped_labels(rows_of(self.words))

    @cached_property
    def row_texts(self) -> list[str]:
        """Each row of the page as one line, its runs of words joined (the text splits a row at wide gaps)."""
        return [" ".join(s.text for s in row) for row in self.rows]


def contract_field(doc_type: str, section: str | None, key: str) -> str | None:
    """The contract field a label means in a section (whose block it is in) of a document of ``doc_type``."""
    if key in DOCUMENT_KEYS:
        return SUBJECT[key]
    if key == "person":  # a label that only names its person ('Vợ:', 'Chồng:') is their name's
        key = "name"
    if section in ("husband", "wife"):
        return f"{section}_{SPOUSE_KEYS[key]}" if doc_type == "marriage_certificate" and key in SPOUSE_KEYS else None
    if section in ("mother", "father"):
        return f"{section}_name" if key == "name" else None
    if section not in OWN_SECTIONS and section != SUBJECT_OWNER.get(doc_type):
        return None
    if key == "number":
        return NUMBER_FIELD.get(doc_type)
    if key == "issue_date" and doc_type not in LABELLED_ISSUE:
        return None
    if key == "name":
        return NAME_FIELD.get(doc_type, "full_name")
    return SUBJECT.get(key)


def extract_fields(doc_type: str, pages: list[PageWords]) -> dict[str, Value]:
    """The contract fields of ``doc_type`` that the pages print."""
    wanted = set(FIELDS.get(doc_type, []))
    if not wanted:
        return {}
    values: dict[str, Value] = {}
    section: str | None = None
    for number, page in enumerate(pages):
        rows = page.rows
        if rows:
            section = _read_labelled(doc_type, wanted, rows, number, section, values)
    if doc_type in BY_PATTERN:
        _read_by_pattern(doc_type, wanted, pages, values)
    for name, finder in SPECIAL.items():
        if name in wanted and name not in values:
            value = finder(doc_type, pages)
            if value is not None:
                values[name] = value
    return values


def _read_labelled(doc_type: str, wanted: set[str], rows: list[list[Segment]], number: int, section: str | None,
                   values: dict[str, Value]) -> str | None:
    """The values printed next to their labels on page ``number`` (from 0), added to ``values`` where a field has
    none yet, each given to the person whose block it is in; ``section`` is the block the page starts in, and the
    block it ends in is returned."""
    labels = find_labels(rows)
    layout = _Layout(rows, labels)
    by_row: dict[int, list[Found]] = {}
    for found in labels:
        by_row.setdefault(found.row, []).append(found)
    columns: list[tuple[str, float]] = []
    column_key = ""
    for r, row in enumerate(rows):
        in_row = by_row.get(r, [])
        header = _owner_columns(row)
        if header:
            columns = header
            continue
        if not in_row:
            section = _heading(row, layout, section)
            continue
        if columns and in_row[0].label.key == column_key:
            continue  # the rest of the label above ('(Full name)'), whose values were read with it
        if columns and _read_columns(doc_type, wanted, in_row[0], columns, layout, number, values):
            column_key = in_row[0].label.key
            continue
        columns = []
        for found in in_row:
            section = found.label.section or section
            _read_one(doc_type, wanted, found, section, layout, number, values)
    return section


def _read_one(doc_type: str, wanted: set[str], found: Found, section: str | None, layout: _Layout, number: int,
              values: dict[str, Value]) -> None:
    """The value of one label, for the first of the fields its words may mean that the value reads as."""
    for key in found.label.keys:
        name = contract_field(doc_type, section, key)
        if name is None or name not in wanted:
            continue
        if name in values:
            if key == "date_in_words":  # the birth date in words checks the one in digits
                _check_in_words(name, values[name], found, layout)
            continue
        value = _labelled_value(name, found, layout)
        if value is not None:
            value.page = number
            values[name] = value
            return


def _heading(row: list[Segment], layout: _Layout, section: str | None) -> str | None:
    """The section a row without labels opens: the person a heading at the labels' left edge names ('THÔNG TIN
    NGƯỜI MẸ', '1. Người cha', 'Đề nghị đăng ký khai sinh cho người dưới đây:'), none for another numbered or
    capitalized heading ('II. Thửa đất'), and the same section after any other row."""
    text = " ".join(s.text for s in row)
    letters = re.sub(r"[^A-Za-zÀ-ỹĐđ]", "", text)
    if len(row) > 1 or len(letters) < 2 or len(text.split()) > 14 or not layout.at_labels_edge(row[0]):
        return section
    words = _folded(text.split())
    named = [(start, end, owner) for start, end, owner in owners_in(words) if end - start > 1 or end == len(words)]
    if named:  # a person named in a phrase ('NGƯỜI MẸ'), or by one word that ends the heading ('Bên vợ', not 'BỘ …')
        return named[0][2]
    if re.match(r"^\s*([IVX]{1,4}|\d{1,2}|[A-Z])[.)]\s", text) or letters.isupper() and len(text.split()) >= 2:
        return None
    return section


def _folded(words: list[str]) -> list[str]:
    return [re.sub(r"[^A-Z]", "", fold(w)) for w in words]


def _owner_columns(row: list[Segment]) -> list[tuple[str, float]]:
    """The people of a side-by-side table's header row ('Chồng | Vợ', 'BÊN VỢ  BÊN CHỒNG'), each with the left
    edge of their column; empty unless the row names two people and nothing else."""
    words = [w for seg in row for w in seg.words]
    named = owners_in(_folded([w.text for w in words]))
    covered = sum(end - start for start, end, _ in named)
    if len(named) < 2 or covered != len(words) or len({owner for _, _, owner in named}) < 2:
        return []
    return [(owner, words[start].left) for start, _, owner in named]


def _read_columns(doc_type: str, wanted: set[str], found: Found, columns: list[tuple[str, float]], layout: _Layout,
                  number: int, values: dict[str, Value]) -> bool:
    """A row of a side-by-side table: each person's value in their column; False when the row is not one (its
    value does not split between the columns)."""
    words = layout.rest_of_row(found) or layout.right_of(found)
    split = _by_column(words, columns, layout.height)
    if len(split) < 2:
        return False
    for owner, owned in split.items():
        name = contract_field(doc_type, owner, found.label.key)
        if name is None or name not in wanted or name in values:
            continue
        if name.endswith("_name") or name in MULTILINE:
            owned += [w for w in layout.lines_under(found, owned) if _column_of(w, columns, layout.height) == owner]
        value = _normalize(name, owned)
        if value is not None:
            value.page = number
            values[name] = value
    return True


def _column_of(word: Word, columns: list[tuple[str, float]], height: float) -> str:
    """The person whose column a word stands in: the last column starting left of it (the first, left of all)."""
    owner = columns[0][0]
    for who, left in columns:
        if left <= word.left + height:
            owner = who
    return owner


def _by_column(words: list[Word], columns: list[tuple[str, float]], height: float) -> dict[str, list[Word]]:
    out: dict[str, list[Word]] = {}
    for w in words:
        out.setdefault(_column_of(w, columns, height), []).append(w)
    return out


def _labelled_value(name: str, found: Found, layout: _Layout) -> Value | None:
    """The value after a label, else in the cell beside it set lower, else under it; with the lines it wrapped onto
    for a value that may take several."""
    elsewhere = found.label.key != "person"  # a heading that names a person ('1. Chồng') has no value of its own
    places = (layout.next_cell(found), layout.right_of(found), layout.below(found)) if elsewhere else ()
    for words in (found.value_words, *places):
        words = _without_leftovers(words)
        if not words:
            continue
        more = layout.continuation(found, words)
        value = _normalize(name, words + more) if name in MULTILINE else _normalize(name, words)
        if value is None and more and name not in MULTILINE:  # a date that wrapped ('… ngày 28 tháng 10' / 'năm 2019')
            value = _normalize(name, words + more)
        if value is not None:
            return value
    return None


def _without_leftovers(words: list[Word]) -> list[Word]:
    """A value without what is left of its label: the misread other half of a bilingual label ('/ Fu11 namc:',
    '(Date of birth)') before it."""
    if not words or words[0].text[:1] not in "/(":
        return words
    for k, w in enumerate(words[:7]):
        if w.text.endswith((":", ")")):
            return words[k + 1:]
    return words


def _check_in_words(name: str, value: Value, found: Found, layout: _Layout) -> None:
    """A date written out in words (``found``) marks the date read in digits (``value``) where the two disagree."""
    words = found.value_words or layout.right_of(found) or layout.below(found)
    in_words = _normalize(name, words + layout.continuation(found, words)) if words else None
    if in_words and in_words.value != value.value:
        value.disagrees = in_words.value


class _Layout:
    """Where values printed below their label, beside it but lower, or wrapped onto the next line, are found."""

    def __init__(self, rows: list[list[Segment]], labels: list[Found]) -> None:
        self.rows = rows
        self.height = statistics.median(w.height for row in rows for s in row for w in s.words)
        lines = [s.right for row in rows for s in row if len(s.words) >= 4] or [s.right for row in rows for s in row]
        self.right_margin = max(lines)  # of lines of text, not of a speck in a corner
        self.labelled = {id(f.cell) for f in labels if f.start == 0}  # runs of words that start with a label
        self.labels = labels
        self.label_edges = sorted(f.left for f in labels if f.start == 0)

    def at_labels_edge(self, seg: Segment) -> bool:
        """Whether a run of words starts where labels start (a heading over them, not a wrapped value)."""
        return any(abs(seg.left - edge) <= 2.5 * self.height for edge in self.label_edges) or not self.label_edges

    def right_of(self, found: Found) -> list[Word]:
        """The cell right of a label that has no value on its own line, set lower (a ruled row whose label wraps,
        or whose value sits at the bottom)."""
        h = self.height
        for r in range(found.row + 1, min(found.row + 4, len(self.rows))):
            row = self.rows[r]
            if any(id(s) in self.labelled and s.left < found.right for s in row):
                return []  # the next label's row
            seg = next((s for s in row if s.left > found.right - h and id(s) not in self.labelled
                        and _has_text(s)), None)
            if seg is None:
                continue
            if seg.top > found.bottom + 1.5 * h or self._under_other_label(found, seg, r):
                return []
            return list(seg.words)
        return []

    def _under_other_label(self, found: Found, seg: Segment, row: int) -> bool:
        """Whether another label stands between ``found`` and a run of words lower down (whose value it is)."""
        return any(f is not found and found.row <= f.row <= row and found.right < f.left <= seg.left + self.height
                   for f in self.labels)

    def next_cell(self, found: Found) -> list[Word]:
        """The words after a label in its run and in the next run of its row: a value that OCR cut in two, or read
        after the next label's words ('Ngày sinh Giới | 16.07.1938')."""
        row = self.rows[found.row]
        k = next(k for k, seg in enumerate(row) if seg is found.cell)
        if k + 1 < len(row) and found.end < len(found.cell.words) and id(row[k + 1]) not in self.labelled:
            return found.value_words + row[k + 1].words
        return []

    def rest_of_row(self, found: Found) -> list[Word]:
        """Every word after a label on its row, up to the next label: the values of all the columns it heads."""
        after = found.cell.words[found.end:]
        later = [f.start for f in self.labels if f.cell is found.cell and f.start >= found.end]
        words = list(after[: later[0] - found.end] if later else after)
        for seg in self.rows[found.row]:
            if seg.left > found.cell.right and not any(f.cell is seg for f in self.labels):
                words += seg.words
        return words

    def below(self, found: Found) -> list[Word]:
        """The words under a label that has none after it (card layouts), in its column."""
        h = self.height
        for row in self.rows[found.row + 1: found.row + 4]:
            for seg in row:
                if seg.top - found.bottom > 3.5 * h:
                    return []
                if abs(seg.left - found.left) <= 2.5 * h and id(seg) not in self.labelled and _has_text(seg):
                    return list(seg.words)
        return []

    def lines_under(self, found: Found, words: list[Word]) -> list[Word]:
        """The words of the lines under a table row's values, up to the next label's row (cells that wrap)."""
        if not words:
            return []
        bottom = max(w.bottom for w in words)
        row = next(r for r, segs in enumerate(self.rows) if any(words[-1] in s.words for s in segs))
        out: list[Word] = []
        labels = {id(f.cell): f.label.key for f in self.labels if f.start == 0}
        for next_row in self.rows[row + 1: row + 4]:
            gap = min(s.top for s in next_row) - bottom
            if any(labels.get(id(s), found.label.key) != found.label.key for s in next_row) or gap > 1.6 * self.height:
                break  # the next label's row (a label's other half, under it, is not)
            out += [w for s in next_row if s.left > found.right - self.height for w in s.words]
            bottom = max(s.bottom for s in next_row)
        return out

    def continuation(self, found: Found, words: list[Word]) -> list[Word]:
        """Lines a long value wrapped onto: each starts between the label's and the value's left edges, under a
        line that was full."""
        h = self.height
        left, last = min(w.left for w in words), words[-1]
        row = next(r for r, segs in enumerate(self.rows) if any(last in s.words for s in segs))
        line_right, bottom = max(w.right for w in words), max(w.bottom for w in words)
        extra: list[Word] = []
        for next_row in self.rows[row + 1: row + 4]:
            if line_right < self.right_margin - 6 * h:
                break
            seg = next((s for s in next_row if found.left - 2 * h < s.left < left + 3 * h), None)
            if seg is None or seg.top - bottom > 1.6 * h or id(seg) in self.labelled or re.match(NUMBERED, seg.text):
                break  # no line under it, a label's, or the next numbered item
            if not _has_text(seg):
                continue
            extra += seg.words
            line_right, bottom = seg.right, seg.bottom
        return extra


def _has_text(seg: Segment) -> bool:
    return bool(re.search(r"[0-9A-Za-zÀ-ỹĐđ]{2}", seg.text))


def _confidence(words: list[Word]) -> float:
    return min((w.conf for w in words), default=0.0)


def _normalize(name: str, words: list[Word]) -> Value | None:
    printed = clean_value(" ".join(w.text for w in words))
    if not printed or name in WORDY and re.search(r"\d{5}", printed):
        return None
    if name in MULTILINE and len(re.findall(r"[A-Za-zÀ-ỹĐđ]{2,}", printed)) < 2:
        return None  # a place takes two words at least: one is what is left of a label ('tại', 'hộ tịch')
    value = normalize_value(name, printed)
    box = (min(w.left for w in words), min(w.top for w in words), max(w.right for w in words),
           max(w.bottom for w in words))
    return Value(value, _confidence(words), printed, box=box) if value else None


def normalize_value(name: str, printed: str) -> str | None:
    """A field's printed value as the contract wants it, with what the domain knows applied."""
    parse = _parser(name)
    return parse(printed) if parse is not None else printed


def _parser(name: str) -> Callable[[str], str | None] | None:
    """How a field's value is read: by the kind its name ends in (dates, IDs, names), else by the field."""
    if name.endswith("date") or name.startswith("date_of") or name.endswith("date_of_birth"):
        return parse_date
    if name.endswith("personal_id"):
        return parse_personal_id
    if name.endswith("_name"):
        return _name
    if name in _PARSERS:
        return _PARSERS[name]
    return domain.repair_place if name in MULTILINE else None


def _document_number(printed: str) -> str | None:
    return parse_document_number(printed) or parse_number(printed)


def _licence_class(printed: str) -> str | None:
    """A licence class ('B2'), or nothing when the words read are none (a line under the label)."""
    klass = domain.repair_licence_class(printed.split()[0])
    return klass if klass in domain.LICENCE_CLASSES else None


_HONORIFIC = re.compile(r"^(ông|bà|hộ ông|hộ bà)\s+", re.IGNORECASE)


def _name(printed: str) -> str | None:
    """A person's name: letters only, 2 to 6 syllables, each a name syllable where OCR misspelled one; an honorific
    before it ('Bà NGUYỄN THỊ LAN') is not part of it."""
    cleaned = re.sub(r"[^A-Za-zÀ-ỹĐđ ]", " ", _HONORIFIC.sub("", printed.strip()))
    words = [w for w in cleaned.split() if len(w) > 1 or w.isupper()]
    if not 2 <= len(words) <= 6:
        return None
    return domain.repair_name(" ".join(words))


_PARSERS: dict[str, Callable[[str], str | None]] = {
    "gender": parse_gender, "license_number": parse_personal_id, "phone": parse_phone, "area_m2": parse_area,
    "document_number": _document_number, "record_number": _document_number,
    **dict.fromkeys(("registration_number", "book_number", "parcel_number", "map_sheet_number"), parse_number),
    "full_name": _name, "ethnicity": domain.repair_ethnicity, "nationality": domain.repair_nationality,
    "license_class": _licence_class, "issuing_authority": domain.repair_place,
}

# --------------------------------------------------------------------------- values whose labels do not read

# The holder's 12-digit number, by type: with the holder's name, found by their pattern where no label reads.
BY_PATTERN = {"citizen_id": "personal_id", "driving_license": "license_number", "land_use_certificate": "personal_id"}
CARDS = {"citizen_id", "driving_license"}
_CARD_HEADINGS = ("CONG HOA", "DOC LAP", "SOCIALIST", "INDEPENDENCE", "CAN CUOC", "CITIZEN", "IDENTITY", "GIAY PHEP",
                  "DRIVER", "BO CONG AN", "MINISTRY", "CUC ", "GIAM DOC", "QUAN LY")
_MRZ = re.compile(r"<<|[IT1][DO0]VNM|VNM<")
_GENDER = re.compile(r"(?<![\w])(Nam|NAM|Nữ|NỮ)(?![\w])")
_PLACE_NAM = re.compile(r"(Việt|VIỆT|Hà|HÀ|Quảng|QUẢNG|Phương|PHƯƠNG|Miền|MIỀN)\s+$")
CARD_AGES = (25, 40, 60)  # citizen ID cards expire on the holder's birthday at these ages
LICENCE_YEARS = (5, 10)


def _read_by_pattern(doc_type: str, wanted: set[str], pages: list[PageWords], values: dict[str, Value]) -> None:
    """Values whose labels are unreadable (faint, misprinted, misread), found by what they look like: the holder's
    12-digit number and name (a line of name syllables in capitals); on cards the gender, the nationality and the
    dates too."""
    lines = [line for page in pages for line in page.text.splitlines() if not _MRZ.search(line)]
    finders: dict[str, Callable[[str], str | None]] = {BY_PATTERN[doc_type]: _id_number,
                                                       NAME_FIELD.get(doc_type, "full_name"): _name_line}
    if doc_type in CARDS:
        finders |= {"gender": _card_gender, "nationality": _card_nationality}
    for name, finder in finders.items():
        if name in wanted and name not in values:
            found = next((v for line in lines if (v := finder(line))), None)
            if found:
                values[name] = Value(found, 1.0, found)
    if doc_type in CARDS:
        _read_card_dates(doc_type, wanted, lines, values)


def _read_card_dates(doc_type: str, wanted: set[str], lines: list[str], values: dict[str, Value]) -> None:
    """A card's birth date (its earliest date) and expiry date (a birthday at 25, 40 or 60 on an ID card, the issue
    date 5 or 10 years on on a licence), where no label reads them."""
    dates = [d for line in lines for d in find_dates(line)]
    if "date_of_birth" not in values and dates:
        values["date_of_birth"] = Value(min(dates), 1.0, min(dates))
    anchor, spans = ("date_of_birth", CARD_AGES) if doc_type == "citizen_id" else ("issue_date", LICENCE_YEARS)
    start = values.get(anchor)
    if "expiry_date" not in wanted or "expiry_date" in values or start is None:
        return
    expiry = next((d for d in dates if d[4:] == start.value[4:] and int(d[:4]) - int(start.value[:4]) in spans), None)
    if expiry:
        values["expiry_date"] = Value(expiry, 1.0, expiry)


def _id_number(line: str) -> str | None:
    return next((pid for token in line.split() if (pid := parse_personal_id(token))), None)


def _name_line(line: str) -> str | None:
    """A line that is only a name in capitals: 2 to 6 words, each a syllable of names, and no heading of a card."""
    text = line.strip()
    if not re.fullmatch(r"[A-ZÀ-ỸĐ ]{5,}", text) or fold(text).startswith(_CARD_HEADINGS):
        return None
    return _name(text) if all(domain.is_name_syllable(w) for w in text.split()) else None


def _card_nationality(line: str) -> str | None:
    return "Việt Nam" if "VIET NAM" in fold(line) and not fold(line).startswith(_CARD_HEADINGS) else None


def _card_gender(line: str) -> str | None:
    """'Nam' or 'Nữ' standing alone on a line ('Nữ   Việt Nam'), not as part of a place ('Việt Nam', 'Nam Định')."""
    for m in _GENDER.finditer(line):
        after = line[m.end():].lstrip()
        if _PLACE_NAM.search(line[: m.start()]) or after[:1].isupper() and not fold(after).startswith("VIET"):
            continue
        return parse_gender(m[1])
    return None


# --------------------------------------------------------------------------- fields printed without a label

_DATELINE = re.compile(r"ng\S{0,2}y[^\s\d]*\s*([\dOoIl|]{1,2})\D{1,20}?([\dOoIl|]{1,2})\D{1,20}?([12][\dOoIl|]{3})",
                       re.IGNORECASE)
_LOOSE_DATELINE = re.compile(r"^[^\d:]{2,40},\D{0,14}?(\d{1,2})\D{1,20}?(\d{1,2})\D{1,20}?([12]\d{3})")
_PLACE_DATE = re.compile(r"^[^:\d]{2,40}?\W?\s*ng\S{0,2}y", re.IGNORECASE)  # 'Hà Nội, ngày' (the comma often misread)


def _dateline(doc_type: str, pages: list[PageWords]) -> Value | None:
    """'Hà Nội, ngày 25 tháng 01 năm 2017': where and when a document was signed (bilingual cards too), on a line
    of its own or in a run of words beside others (a card's date line beside its class)."""
    for pattern in (_DATELINE, _LOOSE_DATELINE):
        for page in pages:
            runs = [seg.text for row in page.rows for seg in row]
            for line in [*page.text.splitlines(), *page.row_texts, *runs]:
                if pattern is _DATELINE and not (_PLACE_DATE.search(line) or fold(line).startswith("LAM TAI")):
                    continue
                if starts_with_label(line):  # 'Sinh ngày: ...' is a field, not where and when the paper was signed
                    continue
                m = pattern.search(line)
                date = iso_date(*m.groups()) if m else None
                if date:
                    return Value(date, 1.0, line)
    return None


_BODY_WORDS = ("BO ", "SO ", "CUC ", "PHONG ", "BAN ", "TRUNG TAM", "VAN PHONG", "UY BAN", "UBND", "TONG CUC",
               "VIEN ", "TRUONG ", "BENH VIEN", "CHI CUC", "HOI DONG", "TOA AN", "CONG AN")
_MOTTO = ("CONG HOA", "DOC LAP", "SOCIALIST")


def _issuing_authority(doc_type: str, pages: list[PageWords]) -> Value | None:
    """The issuing body's lines of the header (left column, above 'Số:'), without the parent body's line."""
    if not pages:
        return None
    lines = []
    for line in pages[0].text.splitlines()[:8]:
        line = _before_motto(line)
        folded = fold(line).strip()
        if re.match(r"^S[O0]\s*[:/.]|^SO\s+\d", folded) or folded.startswith(_MOTTO):
            break
        if line.strip():
            lines.append(line.strip(" _-—"))
    lines = [ln for ln in lines if not fold(ln).startswith(_MOTTO)]
    if not lines:
        return None
    if len(lines) >= 2 and fold(lines[1]).startswith(_BODY_WORDS) and _is_whole_body(lines[0]):
        lines = lines[1:]  # the first line names the parent body ('UBND TỈNH NGHỆ AN' above 'SỞ TƯ PHÁP')
    printed = clean_value(" ".join(lines))
    return Value(domain.repair_authority(printed), 1.0, printed)


def _before_motto(line: str) -> str:
    """A header line without the national motto that OCR read on the same line."""
    m = re.search(r"C[OÔỘ]NG H[OÒ]A X[AÃ] H[OỘ]I|Đ[OỘ]C L[AẬ]P", line, re.IGNORECASE)
    return line[: m.start()] if m and m.start() > 0 else line


def _is_whole_body(line: str) -> bool:
    """A line that names a body by itself: a body word followed by more words ('ỦY BAN NHÂN DÂN TỈNH X', 'BỘ Y TẾ')."""
    folded = fold(line).strip()
    if folded in ("UY BAN NHAN DAN", "UBND"):
        return False
    return folded.startswith(_BODY_WORDS) or folded.startswith(("UBND", "UY BAN"))


_SUBJECT_LINE = re.compile(r"^\s*(V/v\b|Về việc\b|Vv\b|V\.v\b|V/(?=\s))", re.IGNORECASE)


def _subject(doc_type: str, pages: list[PageWords]) -> Value | None:
    """The 'trích yếu': 'V/v ...' or 'Về việc ...', with the lines it wraps onto."""
    if not pages:
        return None
    lines = pages[0].text.splitlines()
    for i, line in enumerate(lines[:25]):
        if _SUBJECT_LINE.match(line):
            parts = [line.strip()]
            for nxt in lines[i + 1: i + 4]:
                folded = fold(nxt).strip()
                if (not nxt.strip() or folded.startswith(_MOTTO) or nxt.isupper() and len(folded) > 12
                        or re.match(r"^(CAN CU|KINH GUI|DIEU|QUYET DINH)", folded) or "NGAY" in folded and "THANG"
                        in folded):
                    break
                parts.append(nxt.strip())
            text = clean_value(" ".join(parts))
            text = re.sub(r"^(V/V|Vv|V\.v|V/(?=\s))", "V/v", text)
            return Value(text, 1.0, text)
    return None


_NAME_LINE = re.compile(r"^[A-ZÀ-ỸĐ][a-zà-ỹđ]+(?: [A-ZÀ-ỸĐ][a-zà-ỹđ]+){1,4}$")


def _signer_name(doc_type: str, pages: list[PageWords]) -> Value | None:
    """The signer's name: the last line of the document written like a person's name."""
    for page in reversed(pages):
        for line in reversed(page.text.splitlines()):
            candidate = re.sub(r"^[^A-Za-zÀ-ỹĐđ]+|[^A-Za-zÀ-ỹĐđ]+$", "", line.strip())
            if _NAME_LINE.match(candidate):
                return Value(domain.repair_name(candidate), 1.0, line)
    return None


_FORM_TITLE = re.compile(r"^(TỜ KHAI|ĐƠN ĐỀ NGHỊ|ĐƠN XIN|ĐƠN|PHIẾU YÊU CẦU|PHIẾU ĐỀ NGHỊ)\s+(.*)$")


def _procedure_name(doc_type: str, pages: list[PageWords]) -> Value | None:
    """The procedure a form asks for, from its title: 'TỜ KHAI YÊU CẦU CẤP PHIẾU LÝ LỊCH TƯ PHÁP'."""
    if not pages:
        return None
    lines = pages[0].text.splitlines()
    for i, line in enumerate(lines[:15]):
        m = _FORM_TITLE.match(line.strip())
        if not m:
            continue
        rest = m[2]
        if i + 1 < len(lines) and lines[i + 1].isupper() and len(lines[i + 1]) > 3:
            rest += " " + lines[i + 1].strip()
        rest = _without_request(rest.strip())
        if not rest:
            return None
        return Value(sentence_case(rest), 1.0, line)
    return None


def _without_request(title: str) -> str:
    """A form's title without the asking words before the procedure ('YÊU CẦU', 'ĐỀ NGHỊ', 'XIN'), however OCR
    spelled their marks ('YÊU CÂU', 'ĐỂ NGHỊ')."""
    words = title.split()
    for ask in (["YEU", "CAU"], ["DE", "NGHI"], ["XIN"]):
        if [fold(w) for w in words[: len(ask)]] == ask:
            return " ".join(words[len(ask):])
    return title


# Words kept capitalized inside a sentence-case procedure name: the names of documents and bodies.
_PROPER = {"PHIẾU": "Phiếu", "GIẤY": "Giấy", "VIỆT": "Việt", "NAM": "Nam", "CĂN": "Căn"}


def sentence_case(text: str) -> str:
    """'CẤP PHIẾU LÝ LỊCH TƯ PHÁP' → 'Cấp Phiếu lý lịch tư pháp'."""
    words = text.lower().split()
    if not words:
        return text
    out = [words[0].capitalize()]
    for word in words[1:]:
        out.append(_PROPER.get(word.upper(), word))
    return " ".join(out)


_SERIAL = re.compile(r"\b([A-ZĐ]{2})\s?(\d{6,8})\b")


def _certificate_number(doc_type: str, pages: list[PageWords]) -> Value | None:
    """A certificate's printed serial: two letters and six digits ('BĐ 123456')."""
    for page in pages:
        for line in page.text.splitlines():
            if "GCN" in fold(line) and ":" in line:
                continue  # 'Số vào sổ cấp GCN: CS20269' is the register entry, not the serial
            m = _SERIAL.search(line)
            if m:
                return Value(f"{m[1]} {m[2]}", 1.0, line)
    return None


SPECIAL: dict[str, Callable[[str, list[PageWords]], Value | None]] = {
    "issue_date": _dateline,
    "submission_date": _dateline,
    "issuing_authority": _issuing_authority,
    "subject": _subject,
    "signer_name": _signer_name,
    "procedure_name": _procedure_name,
    "certificate_number": _certificate_number,
}
