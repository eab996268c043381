"""Printed field labels, found by what their words mean, so that other editions' wordings still match.

A label is a few concept words in any order ('HỌ' and 'TÊN'; 'NGÀY' and 'SINH' in 'Ngày sinh' or 'Sinh ngày'),
with words that may come with them ('chữ đệm', 'tháng, năm'), perhaps an owner ('mẹ', 'người yêu cầu') and the
other half of a bilingual label ('Họ và tên / Full name'), of which one half may be misread. Words are compared
without diacritics or case, allowing an OCR slip in longer words, and abbreviations stand for their words ('Ng.'
for 'ngày', 'HKTT' for 'hộ khẩu thường trú'). A label's key is generic (``name``, ``date_of_birth``...) and an
owner or a document part comes with it as its section; `ocr.fields` decides which contract field it means.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, lru_cache
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

from ocr.domain import is_name_syllable, looks_like_name
from ocr.normalize import fold
from ocr.reading_order import Segment
from ocr.recognize import Word
from ocr.syllables import is_syllable


@dataclass(frozen=True)
class Concept:
    """One meaning a label can have: the words it needs (in any order) and the words it may have besides."""
    key: str
    need: tuple[str, ...]
    may: tuple[str, ...] = ()
    section: str | None = None  # the part of a document the label opens ('document': registration facts)

    @cached_property
    def needed(self) -> frozenset[str]:
        return frozenset(self.need)

    @cached_property
    def allowed(self) -> frozenset[str]:
        return frozenset(self.need + self.may)

    def fits(self, words: list[str]) -> bool:
        """Whether ``words`` are this label's: every needed word, and no word it does not have (nor more often)."""
        have = set(words)
        if not self.needed <= have or not have <= self.allowed:
            return False
        return len(have) == len(words) or not Counter(words) - Counter(self.need + self.may)

    def covers(self, words: list[str]) -> bool:
        """Whether ``words`` start with this label's words ('Nữ Dân tộc' is a value and a label), hold all it needs
        and no more other words than it needs."""
        if words[0] not in self.allowed or not self.needed <= set(words):
            return False
        return 0 < self.extra(words) <= len(self.need)

    def extra(self, words: list[str]) -> int:
        """How many of ``words`` are none of this label's."""
        return sum((Counter(words) - Counter(self.need + self.may)).values())


def _concepts(key: str, *signatures: str, section: str | None = None) -> list[Concept]:
    """Concepts of ``key`` from signatures written 'NEEDED WORDS | OPTIONAL WORDS'."""
    out = []
    for signature in signatures:
        need, _, may = signature.partition("|")
        out.append(Concept(key, tuple(need.split()), tuple(may.split()), section))
    return out


CONCEPTS: list[Concept] = [
    *_concepts("name", "HO TEN | CHU DEM VA KHAI SINH GOI", "TEN | TOI LA KHAI SINH", "FULL NAME | OF", "NAME",
               "ONG | HO", "BA | HO"),
    *_concepts("date_of_birth", "NGAY SINH | THANG NAM VAO", "SINH VAO | NGAY THANG NAM", "DATE BIRTH | OF"),
    *_concepts("birth_year", "NAM SINH", "YEAR BIRTH | OF"),
    *_concepts("date_in_words", "BANG CHU | GHI VIET NGAY THANG NAM SINH", "WORDS | IN"),
    *_concepts("gender", "GIOI TINH", "GIOI", "SEX", "NAM NU"),
    *_concepts("ethnicity", "DAN TOC", "ETHNIC | GROUP", "ETHNICITY"),
    *_concepts("nationality", "QUOC TICH", "NATIONALITY"),
    *_concepts("place_of_birth", "NOI SINH | TAI", "SINH TAI | NOI", "SINH O", "PLACE BIRTH | OF"),
    *_concepts("hometown", "QUE QUAN", "NGUYEN QUAN", "QUE", "PLACE ORIGIN | OF"),
    *_concepts("residence", "CU TRU | NOI TAI", "THUONG TRU | NOI DIA CHI HO KHAU TAI TAM", "TAM TRU | NOI TAI",
               "TRU TAI", "NOI O | HIEN TAI NAY", "CHO O | HIEN TAI NAY", "PLACE RESIDENCE | OF PERMANENT",
               "RESIDENCE | PERMANENT", "PERMANENT ADDRESS"),
    *_concepts("personal_id", "SO DINH DANH | CA NHAN MA", "DINH DANH CA NHAN | SO MA", "SO CAN CUOC | CONG DAN",
               "CAN CUOC CONG DAN SO", "SO CCCD | CMND", "CCCD SO", "SO CMND", "CMND SO",
               "SO GIAY TO TUY THAN", "PERSONAL IDENTIFICATION NUMBER", "ID NUMBER", "SO CHUNG MINH NHAN DAN",
               "SO CC"),
    *_concepts("number", "SO", "NO", "SO DANG KY"),
    *_concepts("book_number", "QUYEN SO", section="document"),
    *_concepts("registration_date", "NGAY DANG KY | THANG NAM", "DATE REGISTRATION | OF", section="document"),
    *_concepts("registration_authority", "NOI DANG KY | KHAI SINH KET HON TU", "CO QUAN DANG KY",
               "DANG KY TAI", "PLACE REGISTRATION | OF", section="document"),
    *_concepts("date_of_death", "CHET | DA VAO LUC HOI NGAY THANG NAM GIO THOI GIAN DIEM", "DATE DEATH | OF"),
    *_concepts("place_of_death", "NOI CHET", "CHET TAI", "PLACE DEATH | OF"),
    *_concepts("cause_of_death", "NGUYEN NHAN CHET", "CHET VI", "LY DO CHET", "CAUSE DEATH | OF"),
    *_concepts("issue_date", "NGAY CAP | THANG NAM", "CAP NGAY", "DATE ISSUE | OF", "NGAY TRUNG TUYEN"),
    *_concepts("submission_date", "NGAY NOP | HO SO"),
    *_concepts("phone", "DIEN THOAI | SO LIEN HE DI DONG", "DI DONG | SO DIEN THOAI", "TELEPHONE | NUMBER",
               "PHONE | NUMBER"),
    *_concepts("expiry_date", "GIA TRI DEN | CO NGAY", "HET HAN | NGAY THANG NAM", "EXPIRY | DATE OF", "EXPIRES"),
    *_concepts("license_class", "HANG", "CLASS"),
    *_concepts("parcel_number", "THUA DAT SO", "SO THUA | DAT"),
    *_concepts("map_sheet_number", "TO BAN DO | SO"),
    *_concepts("area", "DIEN TICH | DAT SU DUNG"),
    *_concepts("address", "DIA CHI | THUA DAT", "VI TRI THUA DAT", "ADDRESS"),
    *_concepts("id_document", "GIAY TO TUY THAN", "IDENTITY DOCUMENT"),
    *_concepts("relation", "QUAN HE | VOI", "RELATIONSHIP"),
    *_concepts("recipients", "NOI NHAN", section="document"),
    *_concepts("to", "KINH GUI", section="document"),
    *_concepts("made_at", "LAM TAI", section="document"),
    *_concepts("usage", "HINH THUC SU DUNG", "MUC DICH SU DUNG", "THOI HAN SU DUNG", "NGUON GOC SU DUNG",
               section="document"),
    *_concepts("book_entry", "SO VAO SO | CAP GCN GIAY CHUNG NHAN", section="document"),
    *_concepts("other", "TINH TRANG AN TICH", "DAC DIEM NHAN DANG", "PERSONAL IDENTIFICATION", "NGAY THANG NAM",
               "DATE MONTH YEAR", "GHI CHU"),
]

# Whose block a label or a heading names: word sequences (folded) and the person.
OWNERS: list[tuple[tuple[str, ...], str]] = [
    (("NGUOI", "DI", "KHAI", "TU"), "declarant"), (("DI", "KHAI", "TU"), "declarant"),
    (("NGUOI", "DUOC", "KHAI", "SINH"), "child"), (("DUOC", "KHAI", "SINH"), "child"),
    (("KHAI", "SINH", "CHO"), "child"), (("KHAI", "TU", "CHO"), "deceased"),  # 'đăng ký khai sinh cho người …'
    (("NGUOI", "DA", "CHET"), "deceased"), (("NGUOI", "CHET"), "deceased"),
    (("NGUOI", "DI", "KHAI", "SINH"), "declarant"),
    (("NGUOI", "YEU", "CAU"), "applicant"), (("NGUOI", "DE", "NGHI"), "applicant"),
    (("NGUOI", "NOP", "HO", "SO"), "applicant"), (("NGUOI", "KHAI"), "applicant"),
    (("NGUOI", "SU", "DUNG", "DAT"), "subject"), (("CHU", "SU", "DUNG"), "subject"),
    (("VO", "LA", "BA"), "wife"), (("CHONG", "LA", "ONG"), "husband"),  # a land certificate's co-owner
    (("NGUOI", "ME"), "mother"), (("NGUOI", "CHA"), "father"), (("BA", "ME"), "mother"), (("ONG", "BO"), "father"),
    (("NGUOI", "CHONG"), "husband"),
    (("NGUOI", "VO"), "wife"), (("BEN", "CHONG"), "husband"), (("BEN", "VO"), "wife"),
    (("BEN", "NAM"), "husband"), (("BEN", "NU"), "wife"),
    (("ME",), "mother"), (("CHA",), "father"), (("BO",), "father"), (("CHONG",), "husband"), (("VO",), "wife"),
    (("MOTHER",), "mother"), (("FATHER",), "father"), (("HUSBAND",), "husband"), (("WIFE",), "wife"),
    (("APPLICANT",), "applicant"),
]
FILLERS = frozenset({"CUA", "LA", "VOI", "OF", "VA"})
# Abbreviations (folded, without dots) and other words for a concept's, and the words each may stand for.
ABBREVIATIONS: dict[str, list[tuple[str, ...]]] = {
    "NG": [("NGAY",)], "H": [("HO",)], "N": [("NGAY",), ("NOI",), ("NAM",)], "Q": [("QUE",)],
    "D": [("DAN",), ("DIEN",)],
    "DT": [("DAN", "TOC"), ("DIEN", "THOAI")], "GT": [("GIOI", "TINH")], "QT": [("QUOC", "TICH")],
    "NS": [("NGAY", "SINH"), ("NAM", "SINH")], "HKTT": [("HO", "KHAU", "THUONG", "TRU")],
    "SDDCN": [("SO", "DINH", "DANH", "CA", "NHAN")], "DDCN": [("DINH", "DANH", "CA", "NHAN")],
    "SDT": [("SO", "DIEN", "THOAI")], "TT": [("THUONG", "TRU")], "DK": [("DANG", "KY")], "DC": [("DIA", "CHI")],
    "NN": [("NGUYEN", "NHAN")], "GTTT": [("GIAY", "TO", "TUY", "THAN")], "DTHOAI": [("DIEN", "THOAI")],
    "HTEN": [("HO", "TEN")], "DTDD": [("DIEN", "THOAI", "DI", "DONG")], "MAT": [("CHET",)],
}
# Labels that name a person but open no block of theirs ('Quan hệ với người chết'); nor do labels of the document's
# own part (the registration's), whatever a misread word in them seems to name.
NAMES_NOBODY = {"relation"}
NUMBERING = r"(\d{1,2}|[IVX]{1,4}|\w)[.)]"
# Words that begin a place (a value), never words of a label: 'Quê quán xã Nghi Phong'.
PLACE_WORDS = frozenset({"xã", "phường", "thị", "trấn", "huyện", "quận", "tỉnh", "thành", "phố", "thôn", "xóm", "tổ",
                         "ấp", "bản", "khu", "đường", "số"})
SHORT = 4  # labels this short (letters) need a colon after them, unless they fill their cell
MAX_LABEL_WORDS = 16
MAX_JUNK = 5  # words of a misread half of a bilingual label
# Words of the English halves of labels, to pass over when a misread one is left after a Vietnamese half.
ENGLISH_WORDS = {"name": 2, "date_of_birth": 3, "gender": 1, "nationality": 1, "ethnicity": 2, "place_of_birth": 3,
                 "hometown": 3, "residence": 3, "personal_id": 3, "number": 1, "expiry_date": 3, "license_class": 1,
                 "issue_date": 3, "phone": 1, "registration_date": 3, "registration_authority": 3}
_SEPARATORS = "/()"


@dataclass(frozen=True)
class Label:
    """What a label says: its key (and others its words may mean, told apart by the value), and the section."""
    key: str
    section: str | None
    wording: str
    alternatives: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key, *self.alternatives)


@dataclass
class Found:
    """A label found in a row, and the value printed after it on the same row."""
    label: Label
    row: int
    cell: Segment  # the run of words the label starts in
    start: int  # index of the label's first word in ``cell``
    end: int  # index after its last word
    left: float
    right: float
    top: float
    bottom: float
    value_words: list[Word] = field(default_factory=list)


# --------------------------------------------------------------------------- words


@cache
def _concept_words() -> frozenset[str]:
    return frozenset(_concepts_allowing())


@cache
def _concepts_allowing() -> dict[str, list[Concept]]:
    """The concepts that allow each word, in the order of CONCEPTS."""
    out: dict[str, list[Concept]] = {}
    for concept in CONCEPTS:
        for word in concept.allowed:
            out.setdefault(word, []).append(concept)
    return out


@cache
def _vocabulary() -> frozenset[str]:
    return _concept_words() | {w for phrase, _ in OWNERS for w in phrase} | FILLERS


@cache
def _by_length() -> dict[int, list[str]]:
    """Concept words by length (owners' and filler words are short, and must read exactly)."""
    out: dict[int, list[str]] = {}
    for word in _concept_words():
        out.setdefault(len(word), []).append(word)
    return out


_LOOKALIKE = str.maketrans({"0": "O", "1": "L", "5": "S", "8": "B", "|": "L", "$": "S", "@": "A"})


@lru_cache(maxsize=1 << 16)  # bounded: a worker reads pages for months
def _meanings(piece: str) -> tuple[tuple[str, ...], ...]:
    """The words a piece of a label (folded, no punctuation) may be: itself, what it abbreviates, or the concept word
    OCR misspelled (one letter misread, lost or added in a word of 4 letters or more, two in one of 8), unless it is
    spelled as a syllable of names (a name's 'HOÀNG' is no misread 'HẠNG')."""
    if piece in ABBREVIATIONS:
        return tuple(ABBREVIATIONS[piece])
    if any(c.isalpha() for c in piece):
        piece = piece.translate(_LOOKALIKE)
    if not piece.isalpha():
        return ()
    if piece in _vocabulary():
        return ((piece,),)
    slips = 2 if len(piece) >= 8 else 1 if len(piece) >= 4 else 0
    if not slips or is_name_syllable(piece):
        return ()
    best: list[tuple[int, str]] = []
    for length in range(len(piece) - slips, len(piece) + slips + 1):
        for word in _by_length().get(length, []):
            d = Levenshtein.distance(piece, word, score_cutoff=slips)
            if d <= slips:
                best.append((d, word))
    best.sort()
    return tuple((w,) for d, w in best if d == best[0][0])[:2] if best else ()


@lru_cache(maxsize=1 << 15)  # a page's every run of words is tried as a label: the same words again and again
def pieces(text: str) -> tuple[str, ...]:
    """A word of a label cut into folded pieces: separators ('/', '(' and ')') alone, dots and commas dropped
    ('H.tên' → 'H', 'TEN'; 'tên/Full' → 'TEN', '/', 'FULL'; 'Đ/c' → 'DC')."""
    folded = fold(text)
    folded = re.sub(r"(?<![A-Z])([A-Z])/([A-Z])(?![A-Z])", r"\1\2", folded)  # 'D/C', 'V/V': one abbreviation
    out = []
    for part in re.split(r"([/()])", folded):
        if part in _SEPARATORS and part:
            out.append(part)
            continue
        out += [p for p in re.split(r"[^A-Z0-9|$@]+", part) if p]
    return tuple(out)


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Match:
    """What a run of pieces reads as, as a label, and how much of it was read."""
    concept: Concept
    owner: str | None
    alternatives: tuple[str, ...]
    words: int  # pieces that read as the label's words
    junk: int  # pieces of a misread half passed over
    open_half: int = 0  # pieces of that half when it is the last one (it may go on past the span)
    extra: int = 0  # words of no label beside the label's own ('hiện nay' in 'Quốc tịch hiện nay')


def _owner(words: list[str]) -> tuple[str | None, list[str]]:
    """The owner named among ``words`` and the words left without it."""
    named = [(start, end, owner) for start, end, owner in owners_in(words) if end - start > 1 or end == len(words)]
    if not named:  # a person is named by a phrase ('người mẹ'), or by one word at the end ('Họ tên mẹ', not 'bộ tịch')
        return None, words
    start, end, owner = named[0]
    return owner, words[:start] + words[end:]


@cache
def _owners_by_word() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """The owner phrases by their first word, in the order of OWNERS (longer phrases first)."""
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase, owner in OWNERS:
        out.setdefault(phrase[0], []).append((phrase, owner))
    return out


def owners_in(words: list[str]) -> list[tuple[int, int, str]]:
    """The people named in a run of folded words, left to right: (first word, word after the last, person)."""
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        hit = next(((i, i + len(phrase), owner) for phrase, owner in _owners_by_word().get(words[i], ())
                    if tuple(words[i:i + len(phrase)]) == phrase), None)
        if hit:
            out.append(hit)
            i = hit[1]
        else:
            i += 1
    return out


class Reading(NamedTuple):
    """What a run of words reads as: a concept, the person it names, other keys it may mean, words it passed over."""
    concept: Concept
    owner: str | None
    alternatives: tuple[str, ...] = ()
    extra: int = 0


def _concept_of(words: list[str], loose: bool) -> Reading | None:
    """The most specific concept all of ``words`` make, and the owner they name; with ``loose``, allowing a few words
    of no label besides its own ('Quốc tịch hiện nay', 'Cơ quan đăng ký hộ tịch'), and of concepts that leave as
    many words over, the one whose words come last ('Nơi đăng ký thường trú' is a residence)."""
    owner, rest = _owner(words)
    rest = [w for w in rest if w not in FILLERS]
    if not rest:
        return Reading(Concept("person", ()), owner) if owner else None  # 'Chồng:', 'Vợ:' name their person
    candidates = _concepts_allowing().get(rest[0], [])  # both fitting and covering need the first word allowed
    fits = [c for c in candidates if c.fits(rest)]
    if not fits and loose:
        fits = [c for c in candidates if c.covers(rest)]
    if not fits:
        return None

    def last(c: Concept) -> int:
        return max(i for i, w in enumerate(rest) if w in c.needed)

    best = max(fits, key=lambda c: (len(c.need), last(c)) if not loose else (-c.extra(rest), last(c)))
    return Reading(best, owner, (), best.extra(rest) if loose else 0)


@lru_cache(maxsize=1 << 16)  # bounded: a worker reads pages for months
def match_half(half: tuple[str, ...], loose: bool = False) -> Reading | None:
    """The concept a run of pieces (no separators) means, trying what each piece may stand for; several readings
    of different keys (an abbreviation such as 'DT') give the first key and the others as alternatives. With
    ``loose`` (the run is known to be a whole label), words of no label may stand beside the concept's own."""
    if not half:
        return None
    options = [_meanings(p) or (((p,),) if loose and p.isalpha() else ()) for p in half]
    if any(not o for o in options):
        return _one_misread(half, options)
    found: list[Reading] = []
    for choice in itertools.islice(itertools.product(*options), 16):
        hit = _concept_of([w for words in choice for w in words], loose)
        if hit and all(hit.concept.key != f.concept.key for f in found):
            found.append(hit)
    if not found:
        return _one_misread(half, options)
    return found[0]._replace(alternatives=tuple(f.concept.key for f in found[1:]))


def _one_misread(half: tuple[str, ...], options: list[tuple[tuple[str, ...], ...]]) -> Reading | None:
    """A label of three words or more with a word inside it misread beyond recognition ('Ngày fbáq năm sinh'): what
    the others mean, when they make a label of two needed words or more by themselves."""
    unread = [k for k, o in enumerate(options) if not o]
    if len(half) < 3 or len(unread) != 1 or unread[0] in (0, len(half) - 1) or not half[unread[0]].isalpha():
        return None  # a word misread at either end may be the value's, or some other text's; a number is a value
    if is_syllable(half[unread[0]]):
        return None  # a word spelled right is another word ('HỒ VĂN TÊN' is a name), not a misread one
    rest = half[:unread[0]] + half[unread[0] + 1:]
    hit = match_half(rest)
    return hit._replace(extra=hit.extra + 1) if hit is not None and len(hit.concept.need) >= 2 else None


def _is_junk(half: tuple[str, ...]) -> bool:
    return 0 < len(half) <= MAX_JUNK and all(any(c.isalpha() for c in p) for p in half)


@lru_cache(maxsize=1 << 16)  # bounded: a worker reads pages for months
def match_pieces(span: tuple[str, ...], loose: bool = False) -> Match | None:
    """What a run of pieces means as a label: every half of a bilingual label (split at '/' or brackets) reads as
    the same label, except halves too misread to read at all. With ``loose`` (the run is known to end where the
    label ends: at a colon, or with its cell), a note in brackets ('(dd/mm/yyyy)') and words of no label beside a
    label's own are allowed."""
    strict = _match_pieces(span, False)
    if strict is not None or not loose:
        return strict
    if "(" in span and ")" in span:
        start, end = span.index("("), len(span) - 1 - span[::-1].index(")")
        inner = span[start + 1: end]
        if start < end and len(inner) <= 6 and span[:start] + span[end + 1:]:
            hit = match_pieces(span[:start] + span[end + 1:], True)
            if hit is not None:
                return Match(hit.concept, hit.owner, hit.alternatives, hit.words, hit.junk, 0, hit.extra + len(inner))
    return _match_pieces(span, True)


def _match_pieces(span: tuple[str, ...], loose: bool) -> Match | None:
    halves = _halves(span)
    if not halves or span[0] in "/)":
        return None
    if len(halves) > 1:  # 'Ngày/tháng/năm sinh', 'Số CCCD/CMND': slashes inside one wording
        whole = match_half(tuple(p for h in halves for p in h), loose)
        if whole is not None:
            read = sum(map(len, halves))
            return Match(whole.concept, whole.owner, whole.alternatives, read - whole.extra, 0, 0, whole.extra)
    return _bilingual(halves, [match_half(h, loose) for h in halves])


def _halves(span: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The runs of pieces between separators ('/', brackets)."""
    halves: list[tuple[str, ...]] = []
    current: list[str] = []
    for p in (*span, "/"):
        if p in _SEPARATORS:
            if current:
                halves.append(tuple(current))
            current = []
        else:
            current.append(p)
    return halves


def _bilingual(halves: list[tuple[str, ...]], hits: list[Reading | None]) -> Match | None:
    """The label the halves make: all that read, read as the same label; at most one too misread to read, short, and
    when it is the last one no longer than the label's English (else a value was read with it)."""
    read = [(h, hit) for h, hit in zip(halves, hits, strict=True) if hit]
    unread = [h for h, hit in zip(halves, hits, strict=True) if not hit]
    if not read or len({hit.concept.key for _, hit in read}) > 1 or len(unread) > 1 or not all(map(_is_junk, unread)):
        return None
    first = read[0][1]
    last = len(halves[-1]) if hits[-1] is None else 0
    if last > ENGLISH_WORDS.get(first.concept.key, 2):
        return None
    owner = next((hit.owner for _, hit in read if hit.owner), first.owner)
    extra = sum(hit.extra for _, hit in read)
    return Match(first.concept, owner, first.alternatives, sum(len(h) for h, _ in read) - extra,
                 sum(map(len, unread)), last, extra)


def read_label(text: str) -> Match | None:
    """What ``text`` means as a whole label."""
    return match_pieces(tuple(pieces(text)), True)


def starts_with_label(line: str) -> bool:
    """Whether a line of text starts with a field's label ('Sinh ngày: 05/03/2019'), not with a place or a date."""
    words = line.split()
    for j in range(1, min(len(words), MAX_LABEL_WORDS) + 1):
        span = tuple(p for w in words[:j] for p in pieces(w))
        match = match_pieces(span, words[j - 1].endswith(":")) if span else None
        if match is not None and match.concept.key not in ("made_at", "other"):
            return True
        if words[j - 1].endswith(":"):
            break
    return False


# --------------------------------------------------------------------------- labels in rows


def merge_wrapped_labels(rows: list[list[Segment]]) -> list[list[Segment]]:
    """A label that wraps inside its cell ('Số định danh' over 'cá nhân', 'Ngày tháng năm 18/06/1984' over 'sinh',
    'Họ, chữ đệm, tên người' over 'mẹ:') joins its head: the lines just under it at its left edge, when with them
    it reads as a longer label. The value printed after the head stays after the whole label."""
    out = [list(row) for row in rows]
    for r in range(len(out) - 1):
        for k, head in enumerate(out[r]):
            merged = _wrapped_tail(head, out, r)
            if merged is not None:
                tails, segment = merged
                out[r][k] = segment
                for row, tail in tails:
                    out[row].remove(tail)
    return [row for row in out if row]


def _wrapped_tail(head: Segment, rows: list[list[Segment]], r: int) -> tuple[list[tuple[int, Segment]], Segment] | None:
    """The lines under ``head`` that complete the label it starts with, and the merged run; None when there are
    none. Rows between them that hold only a value (set lower in its cell) are passed over."""
    if any(w.text.rstrip().endswith(":") for w in head.words):
        return None
    label, value, start = _head_label(head)
    reference = _worth(start)
    complete = reference > 0 and start is not None and not start.open_half and not start.extra
    tails: list[tuple[int, Segment]] = []
    best = None
    words = list(label)
    for row, tail in _lines_under(head, rows, r):
        goes_on = _label_goes_on(tail)
        if value and (len(tail.words) > 3 or re.search(r"\d", tail.text)) or complete and not goes_on:
            break  # more of a value, or the next row's own label under a label read whole already
        tails.append((row, tail))
        words += tail.words
        merged = _whole_label(words)
        if merged is not None and (_worth(merged) > reference or goes_on and _worth(merged) == reference):
            best, reference = (list(tails), Segment(words + value)), _worth(merged)
            complete = not merged.open_half and not merged.extra
        if tail.words[-1].text.rstrip().endswith(":"):
            break
    return best


def _head_label(head: Segment) -> tuple[list[Word], list[Word], Match | None]:
    """The label a run starts with (with an English half after it, misread or not), the value after it, and what
    the label reads as; all of the run, nothing and None when it starts with none."""
    split = _split(head.words)
    start = _best_label(head.words, split, 0)
    if start is None:
        return list(head.words), [], None
    cut = _past_english(head.words, split, 0, start[1], start[0].concept.key)
    match = start[0] if cut == start[1] else replace(start[0], open_half=max(start[0].open_half, 1))
    return head.words[:cut], head.words[cut:], match


def _lines_under(head: Segment, rows: list[list[Segment]], r: int) -> Iterator[tuple[int, Segment]]:
    """The runs of the next rows that start at ``head``'s left edge, while the rows stay close under it."""
    height = max(w.height for w in head.words)
    bottom = head.bottom
    for row in range(r + 1, min(r + 4, len(rows))):
        if min((t.top for t in rows[row]), default=bottom) - bottom > height:
            return
        tail = next((t for t in rows[row] if abs(t.left - head.left) < 1.5 * height and t.top > head.top), None)
        if tail is not None:
            bottom = tail.bottom
            yield row, tail


def _label_goes_on(tail: Segment) -> bool:
    """Whether a line under a label is more of it: its colon, its other half ('/…', '(…'), or a few lower-case words
    ('Cơ quan đăng ký' over 'hộ tịch')."""
    first = tail.words[0].text[:1]
    return tail.words[-1].text.endswith(":") or first in "/(" or first.islower() and len(tail.words) <= 3


def _worth(match: Match | None) -> int:
    """How much of a run reads as a label: its words read (a label's own or beside them); nothing for a run that is
    no label, or only a generic one ('Ngày, tháng, năm' over 'sinh')."""
    return 0 if match is None or match.concept.key == "other" else match.words + match.extra


def _whole_label(words: list[Word]) -> Match | None:
    span = tuple(p for ps in _split(words) for p in ps)
    return match_pieces(span, True) if 0 < len(span) <= MAX_LABEL_WORDS * 2 else None


def find_labels(rows: list[list[Segment]]) -> list[Found]:
    """Every label in ``rows`` with the text after it up to the next label or the end of its row."""
    found: list[Found] = []
    for r, row in enumerate(rows):
        in_row: list[Found] = []
        for k, cell in enumerate(row):  # a person's name alone ('Vợ') is a heading at a row's start, else a value
            in_row += [f for f in _labels_in_cell(r, cell) if k == 0 or f.label.key != "person"]
        _attach_values(row, in_row)
        found += in_row
    return found


def _ends_label(words: list[Word], i: int) -> bool:
    text = words[i].text.rstrip()
    return text.endswith((":", ";")) or i + 1 < len(words) and words[i + 1].text in (":", ";")


def _is_abbreviation(text: str) -> bool:
    """'HKTT', 'SĐT', 'GT' (capitals without a vowel, which no Vietnamese word is), 'D.tộc', 'Ng.', 'Q.quán'."""
    letters = re.sub(r"[^A-Za-zĐđ]", "", text)
    acronym = len(letters) >= 2 and letters.isupper() and not re.search(r"[AEIOUY]", fold(letters))
    return acronym or re.match(r"^\w{1,2}\.", text) is not None


def _upper_word(word: Word) -> bool:
    letters = [c for c in word.text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _split(words: list[Word]) -> list[tuple[str, ...]]:
    """The pieces of each word of a run, without the numbering before its first label ('1.', 'II.', 'a)', '2.GT')."""
    split = [pieces(w.text) for w in words]
    if len(words) > 1 and re.fullmatch(NUMBERING, words[0].text):
        split[0] = ()
    elif words and re.match(r"(\d{1,2}|[IVX]{1,4})[.)]\w", words[0].text):  # not 'Q.quán', 'D.tộc'
        split[0] = split[0][1:]
    return split


def _labels_in_cell(r: int, cell: Segment) -> list[Found]:
    words = cell.words
    split = _split(words)
    out: list[Found] = []
    i = 0
    while i < len(words):
        best = _best_label(words, split, i)
        if best is None:
            i += 1
            continue
        match, j = best
        j = _past_english(words, split, i, j, match.concept.key)
        part = words[i:j]
        section = match.concept.section if match.concept.key in NAMES_NOBODY or match.concept.section else match.owner
        label = Label(match.concept.key, section, " ".join(w.text for w in part), match.alternatives)
        out.append(Found(label, r, cell, i, j, part[0].left, max(w.right for w in part),
                         min(w.top for w in part), max(w.bottom for w in part)))
        i = j
    return out


def _best_label(words: list[Word], split: list[tuple[str, ...]], i: int) -> tuple[Match, int] | None:
    """The label starting at word ``i``: the span that ends at a colon, else the one of most label words that fills
    the cell or is followed by its value. A label inside a run of words ends at a colon."""
    opens = i == 0
    best: tuple[float, int, Match] | None = None
    span: tuple[str, ...] = ()
    for j in range(i + 1, min(len(words), i + MAX_LABEL_WORDS) + 1):
        span += split[j - 1]  # the pieces of words i to j
        colon = _ends_label(words, j - 1)
        match = match_pieces(span) if span else None
        if match is None and span and _modifiers(words, split, i, j, colon):
            match = match_pieces(span, True)
        if match is not None and (colon or opens and _label_ends(words, split, i, j, match)):
            score = match.words + 0.1 * (j - i) + (100 if colon else 0)
            if best is None or score > best[0]:
                best = (score, j, match)
        if colon:
            break
    return (best[2], best[1]) if best else None


def _modifiers(words: list[Word], split: list[tuple[str, ...]], i: int, j: int, colon: bool) -> bool:
    """Whether words ``i`` to ``j`` may be a label with words of no label in it ('Quốc tịch hiện nay'): its end is
    sure (a colon, the end of its cell, a value starting after it), and all its words but the first are lower-case
    words that are no part of a place ('xã', 'huyện'...) — or it is all in capitals, ends at a colon or with its
    cell, and is no name."""
    whole = i == 0 and j == len(words)
    if i > 0 and not _ends_label(words, i - 1) or not (colon or whole or i == 0 and _starts_value(words[j])):
        return False  # inside a run of words (a sentence ending in a colon), or its end unsure
    span = [w for w, ps in zip(words[i:j], split[i:j], strict=True) if ps]  # without a numbering
    if all(_upper_word(w) or not any(c.isalpha() for c in w.text) for w in span):  # a cell 'HỒ THỊ TÊN' is a name
        return (colon or whole) and not looks_like_name([re.sub(r"\W", "", w.text) for w in span])
    later = [re.sub(r"^\W+|\W+$", "", w.text) for w in span[1:]]
    return all(w[:1].islower() and w not in PLACE_WORDS for w in later)


def _starts_value(word: Word) -> bool:
    """Whether a word can start a value: a digit, or a capital ('Việt Nam', 'Ủy ban…', 'NGUYỄN…')."""
    return word.text[:1].isdigit() or word.text[:1].isupper()


def _label_ends(words: list[Word], split: list[tuple[str, ...]], i: int, j: int, match: Match) -> bool:
    """Whether words ``i`` to ``j`` (no colon after them) make a whole label: they fill the cell, or a value follows
    (after a short label, only a name in capitals or a card's number; after an abbreviation, anything)."""
    if j == len(words):
        return i == 0
    if match.concept.key == "person":  # a person's name alone is a label only with a colon or as a whole cell
        return False
    letters = sum(len(p) for k in range(i, j) for p in split[k] if p not in _SEPARATORS)
    if letters > SHORT:
        if split[j] and split[j][0] in "/(":
            return False  # the other half of the label follows
        # a misread other half stops where a value starts, or after as many words as it has in English
        return not (match.open_half and match.open_half < ENGLISH_WORDS.get(match.concept.key, 2)
                    and _looks_english(words[j]))
    if _is_abbreviation(words[i].text):
        return True
    if match.concept.key == "number" and match.words >= 2:  # 'Số/No. 0123…': both halves read, a long number
        return bool(re.search(r"\d{6}", words[j].text))
    return match.concept.key == "name" and _upper_word(words[j])


def _looks_english(word: Word) -> bool:
    letters = re.sub(r"[^A-Za-z]", "", word.text)
    return bool(letters) and word.text.isascii() and not (len(letters) > 2 and letters.isupper())


def _past_english(words: list[Word], split: list[tuple[str, ...]], i: int, j: int, key: str) -> int:
    """The end of a label (words ``i`` to ``j``) whose other half, after '/' or '(', was too misread to be read with
    it: up to the closing bracket (a bracket opened in the label or just after it, within a few words), else over as
    many words as the English half has while they look like English words."""
    opened = sum(p == "(" for ps in split[i:j] for p in ps) > sum(p == ")" for ps in split[i:j] for p in ps)
    if opened or j < len(words) and split[j][:1] == ["("]:
        close = next((k for k in range(j, min(len(words), j + 6)) if ")" in words[k].text), None)
        return close + 1 if close is not None else j
    if j < len(words) and (split[j - 1][-1:] == ["/"] or split[j][:1] == ["/"]):
        return _past_slash(words, split, j, ENGLISH_WORDS.get(key, 2))
    return j


def _past_slash(words: list[Word], split: list[tuple[str, ...]], j: int, limit: int) -> int:
    """The end of an English half after a slash: up to its colon, over at most ``limit`` English-looking words."""
    taken = 0
    for k in range(j, min(len(words), j + limit + 3)):
        if _ends_label(words, k):
            return k + 1
        english = [p for p in split[k] if p not in _SEPARATORS]
        if english:
            if not _looks_english(words[k]) or taken + len(english) > limit:
                return k
            taken += len(english)
    return min(len(words), j + limit + 3)


def _attach_values(row: list[Segment], found: list[Found]) -> None:
    """The value of a label: the words after it up to the next label or the end of its cell; a label that fills
    its cell (a two-column table) takes the next cell."""
    for f in found:
        later = [g.start for g in found if g.cell is f.cell and g.start >= f.end]
        words = f.cell.words[f.end: later[0] if later else len(f.cell.words)]
        if not words and not later:
            index = next(k for k, c in enumerate(row) if c is f.cell)
            following = row[index + 1] if index + 1 < len(row) else None
            if following is not None and not any(g.cell is following and g.start == 0 for g in found):
                words = following.words
        f.value_words = list(words)
