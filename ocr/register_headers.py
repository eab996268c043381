"""What a register column holds, from what its printed title means rather than how one book worded it.

A title is read as three things: the kind of value (a name, a date, a place, a number …), what the value is about
(birth, death, the registration) and whose it is (the father, the mother, the husband, the wife, the person
registered). Each is recognised from a few Vietnamese words — abbreviated, reordered, without commas, with OCR
slips in longer words, run together without their spaces — so 'Họ, chữ đệm, tên cha', 'Họ tên cha' and a group
title 'Cha' spanning 'Họ và tên | Năm sinh' name the father's name alike. Columns a contract record does not score
(ethnicity, residence, the declarant, the officer …) are recognised too, so that they are never taken for a scored
one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rapidfuzz.distance import Levenshtein

from ocr.normalize import fold
from ocr.syllables import is_syllable, split_syllables

# What the words of a title say: a kind of value (name date place gender number id ethnicity nationality note
# officer declarant cause relation book), what it is about (birth death registration), whose it is (father mother
# husband wife self). A title is read word by word, each word used by the longest phrase starting there.
SAYS: dict[str, list[str]] = {
    "owner:self": ["NGUOI DUOC DANG KY KHAI SINH", "NGUOI DUOC KHAI SINH", "NGUOI CHET", "NGUOI MAT", "NGUOI QUA DOI",
        "CON", "TRE"],
    "kind:declarant": ["NGUOI DI DANG KY", "NGUOI DI KHAI", "NGUOI KHAI", "NGUOI YEU CAU", "NGUOI DI KHAI TU",
                       "NG KHAI"],
    "kind:signature": ["KY"],  # a signature column ('Chồng ký'); 'Số / (đăng) / ký' wrapped and half read is no such
    "kind:officer": ["NGUOI KY", "CAN BO", "CONG CHUC", "KY TEN", "CHU KY", "XAC NHAN", "CB"],
    "kind:note": ["GHI CHU"],
    "kind:cause": ["NGUYEN NHAN", "NN"],
    "kind:relation": ["QUAN HE"],
    "kind:ethnicity": ["DAN TOC", "DT"],
    "kind:nationality": ["QUOC TICH"],
    "kind:id": ["DINH DANH", "CMND", "CCCD", "CAN CUOC", "CHUNG MINH", "HO CHIEU", "GIAY TO"],
    "kind:gender": ["GIOI TINH", "NAM/NU", "NAM NU", "GIOI", "G TINH", "GT", "PHAI", "NAM HAY NU"],
    "kind:place": ["HO KHAU", "D/C", "DIA CHI", "CU TRU", "THUONG TRU", "QUE QUAN", "NGUYEN QUAN", "NOI", "TAI"],
    "kind:book": ["QUYEN SO", "QUYEN"],
    "kind:number": ["SO THU TU", "THU TU", "STT", "SO TT", "TT", "SO"],
    "about:registration": ["DANG KY KHAI SINH", "DANG KY KHAI TU", "DANG KY KET HON", "KHAI SINH", "KHAI TU",
        "KET HON", "DANG KY", "DKY", "DK"],
    "about:death": ["QUA DOI", "TU TRAN", "CHET", "MAT", "TU"],
    "kind:date about:birth": ["NAM SINH", "NAM S", "NS"],
    "about:birth": ["SINH"],
    "kind:date": ["NGAY", "THANG", "NAM", "NG"],
    "kind:name": ["HO TEN", "HO VA TEN", "CHU DEM", "HOTEN", "HO", "TEN", "HT"],
    "owner:father": ["CHA", "BO"],
    "owner:mother": ["ME"],
    "owner:husband": ["CHONG"],
    "owner:wife": ["VO"],
}
_PARSED = sorted(((phrase.split(), said) for said, phrases in SAYS.items() for phrase in phrases),
                 key=lambda p: -len(p[0]))
_SPELLED_LONG = 5  # words this long may carry one OCR slip ('THUONC' for 'THUONG'); shorter ones must match
_TOKEN = re.compile(r"[A-Z0-9]+(?:/[A-Z0-9]+)?")
_COLUMN_NUMBER = re.compile(r"\(?\s*\d{1,2}\s*\)?")


@dataclass(frozen=True)
class Meaning:
    """What one title (or a group title over several columns) says."""
    kind: str | None = None
    about: str | None = None
    owner: str | None = None

    def under(self, group: Meaning) -> Meaning:
        """This column's meaning completed by a group title spanning it: the column's own words come first."""
        return Meaning(self.kind or group.kind, self.about or group.about, self.owner or group.owner)

    @property
    def empty(self) -> bool:
        return self == Meaning()


def meaning(title: str) -> Meaning:
    """What a title says, word by word: each of its words is used by the longest phrase that starts there."""
    tokens = [part for token in _TOKEN.findall(fold(title).replace(".", " ").replace("-", " "))
              for part in (None if is_syllable(token) else split_syllables(token)) or [token]]
    found = Meaning()
    i = 0
    while i < len(tokens):
        for words, said in _PARSED:
            if _matches(tokens[i: i + len(words)], words):
                found = _add(found, said)
                i += len(words)
                break
        else:
            i += 1
    return found


def _matches(tokens: list[str], words: list[str]) -> bool:
    if len(tokens) != len(words):
        return False
    return all(t == w or (len(w) >= _SPELLED_LONG and Levenshtein.distance(t, w) <= 1) for t, w in zip(tokens, words,
                                                                                                           strict=True))


def _add(found: Meaning, said: str) -> Meaning:
    """The first kind, subject and owner a title names win ('Họ tên, nơi cư trú người đi khai' names a declarant)."""
    for part in said.split():
        slot, value = part.split(":")
        if getattr(found, slot) is None or (slot == "kind" and value in _DECISIVE):
            found = replace(found, **{slot: value})
    return found


# A column about the declarant, the officer or notes is that, whatever else its title mentions.
_DECISIVE = {"declarant", "officer", "note", "id", "ethnicity", "nationality", "cause", "relation", "book"}
_OWNER_PREFIX = {"father": "father_", "mother": "mother_", "husband": "husband_", "wife": "wife_"}


def field_of(said: Meaning) -> str | None:
    """The record key of a column meaning ``said``; ``date`` for a date that does not say of what (the caller
    decides from the book), None when the title says nothing."""
    if said.empty:
        return None
    prefix = _OWNER_PREFIX.get(said.owner or "", "")
    kind = said.kind or ("date" if said.about == "birth" and said.owner in _OWNER_PREFIX else None)
    if kind is None:
        if said.owner is not None:
            return f"{prefix}name" if prefix else "full_name"  # 'Cha', 'Người chết': the person named
        return {"birth": "date_of_birth", "death": "date_of_death"}.get(said.about or "")  # 'Sinh', 'Chết'

    if kind == "name":
        return f"{prefix}name" if prefix else "full_name"
    if kind == "date":
        return _DATES.get(said.about or "", "date") if said.about != "birth" else f"{prefix}date_of_birth"
    if kind == "place":
        about = {"death": "place_of_death", "birth": "place_of_birth"}.get(said.about or "", "residence")
        return about if about == "place_of_death" else prefix + about
    if kind in ("id", "ethnicity", "nationality"):
        return prefix + {"id": "personal_id"}.get(kind, kind)
    return _KINDS.get(kind, kind)


_DATES = {"registration": "registration_date", "death": "date_of_death"}
_KINDS = {"number": "registration_number", "book": "book_number"}


def is_column_numbering(cells: list[str]) -> bool:
    """A row of column numbers under the titles, '(1) (2) (3) …' or '1 2 3 …': not an entry."""
    texts = [c.strip() for c in cells if c.strip()]
    if len(texts) < 3 or not all(_COLUMN_NUMBER.fullmatch(t) for t in texts):
        return False
    numbers = [int(re.sub(r"\D", "", t)) for t in texts]
    return all(b > a for a, b in zip(numbers, numbers[1:], strict=False)) and numbers[-1] <= 40
