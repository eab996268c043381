"""Field values of a document, anchored on their printed labels, normalized and repaired with domain knowledge."""
from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from ocr import domain
from ocr.doctypes import FIELDS
from ocr.labels import Found, find_labels, merge_wrapped_labels
from ocr.normalize import (
    clean_value,
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
           "issue_date": "issue_date", "date_in_words": "date_of_birth"}
NUMBER_FIELD = {"birth_certificate": "registration_number", "marriage_certificate": "registration_number",
                "death_extract": "registration_number", "criminal_record": "record_number",
                "citizen_id": "personal_id", "driving_license": "license_number",
                "decision": "document_number", "official_letter": "document_number"}
NAME_FIELD = {"land_use_certificate": "owner_name", "application_form": "applicant_name"}
SPOUSE_KEYS = {"name": "name", "date_of_birth": "date_of_birth", "personal_id": "personal_id"}
MULTILINE = {"place_of_birth", "hometown", "place_of_residence", "place_of_death", "address", "registration_authority"}


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
    """The contract field a label means in a section of a document of ``doc_type``."""
    if key == "number":
        return NUMBER_FIELD.get(doc_type) if section in (None, "subject") else None
    if section in ("husband", "wife"):
        return f"{section}_{SPOUSE_KEYS[key]}" if key in SPOUSE_KEYS else SUBJECT.get(key) if key in (
            "registration_date", "registration_authority", "book_number") else None
    if section in ("mother", "father"):
        return f"{section}_name" if key == "name" else None
    if section == "declarant":
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
    for name, finder in SPECIAL.items():
        if name in wanted and name not in values:
            value = finder(doc_type, pages)
            if value is not None:
                values[name] = value
    return values


def _read_labelled(doc_type: str, wanted: set[str], rows: list[list[Segment]], number: int, section: str | None,
                   values: dict[str, Value]) -> str | None:
    """The values printed next to their labels on page ``number`` (from 0), added to ``values`` where a field has
    none yet; ``section`` is the part of the document the page starts in, and the part it ends in is returned."""
    labels = find_labels(rows)
    layout = _Layout(rows, labels)
    for found in labels:
        section = found.label.section or section
        name = contract_field(doc_type, section, found.label.key)
        if name is None or name not in wanted:
            continue
        if name in values:
            if found.label.key == "date_in_words":  # the birth date in words checks the one in digits
                _check_in_words(name, values[name], found, layout)
            continue
        value = _labelled_value(name, found, layout)
        if value is not None:
            value.page = number
            values[name] = value
    return section


def _labelled_value(name: str, found: Found, layout: _Layout) -> Value | None:
    """The value after a label (or under it), with the lines it wrapped onto for a value that may take several."""
    words = found.value_words if found.value else layout.below(found)
    if name in MULTILINE and words:
        words = words + layout.continuation(found, words)
    return _normalize(name, words)


def _check_in_words(name: str, value: Value, found: Found, layout: _Layout) -> None:
    """A date written out in words (``found``) marks the date read in digits (``value``) where the two disagree."""
    words = found.value_words or layout.below(found)
    in_words = _normalize(name, words + layout.continuation(found, words)) if words else None
    if in_words and in_words.value != value.value:
        value.disagrees = in_words.value


class _Layout:
    """Where values printed below their label, or wrapped onto the next line, are found."""

    def __init__(self, rows: list[list[Segment]], labels: list[Found]) -> None:
        self.rows = rows
        self.height = statistics.median(w.height for row in rows for s in row for w in s.words)
        lines = [s.right for row in rows for s in row if len(s.words) >= 4] or [s.right for row in rows for s in row]
        self.right_margin = max(lines)  # of lines of text, not of a speck in a corner
        self.labelled = {id(f.cell) for f in labels if f.start == 0}  # runs of words that start with a label

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
            if seg is None or seg.top - bottom > 1.6 * h or id(seg) in self.labelled:
                break
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
    if not printed:
        return None
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
    return domain.repair_licence_class(printed.split()[0])


def _name(printed: str) -> str | None:
    """A person's name: letters only, 2 to 6 syllables, each a name syllable where OCR misspelled one."""
    cleaned = re.sub(r"[^A-Za-zÀ-ỹĐđ ]", " ", printed)
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

# --------------------------------------------------------------------------- fields printed without a label

_DATELINE = re.compile(r"ng\S{0,2}y[^\s\d]*\s*([\dOoIl|]{1,2})\D{1,20}?([\dOoIl|]{1,2})\D{1,20}?([12][\dOoIl|]{3})",
                       re.IGNORECASE)
_LOOSE_DATELINE = re.compile(r"^[^\d:]{2,40},\D{0,14}?(\d{1,2})\D{1,20}?(\d{1,2})\D{1,20}?([12]\d{3})")
_PLACE_DATE = re.compile(r"^[^:\d]{2,40}?\W?\s*ng\S{0,2}y", re.IGNORECASE)  # 'Hà Nội, ngày' (the comma often misread)


def _dateline(doc_type: str, pages: list[PageWords]) -> Value | None:
    """'Hà Nội, ngày 25 tháng 01 năm 2017': where and when a document was signed (bilingual cards too)."""
    for pattern in (_DATELINE, _LOOSE_DATELINE):
        for page in pages:
            for line in [*page.text.splitlines(), *page.row_texts]:
                if pattern is _DATELINE and not (_PLACE_DATE.search(line) or fold(line).startswith("LAM TAI")):
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
        rest = re.sub(r"^(YÊU CẦU|ĐỀ NGHỊ|XIN)\s+", "", rest.strip())
        if not rest:
            return None
        return Value(sentence_case(rest), 1.0, line)
    return None


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
