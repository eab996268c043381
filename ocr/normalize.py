"""Values as the contract wants them: ISO dates (from digits or from words), Nam/Nữ, ID digits, decimals."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

# Letters OCR puts where a digit was printed.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1", "|": "1",
                                   "!": "1", "]": "1", "Z": "2", "z": "2", "S": "5", "s": "5", "G": "6", "b": "6",
                                   "B": "8", "g": "9", "q": "9"})


# Every combining mark (in the BMP, where Vietnamese's are) dropped; đ, which has none, mapped to d.
_MARKS = {cp: None for cp in range(0x10000) if unicodedata.combining(chr(cp))} | {ord("đ"): "d", ord("Đ"): "D",
                                                                              ord("ð"): "d", ord("Ð"): "D"}


def fold(text: str) -> str:
    """Upper case without diacritics (Đ → D): OCR often mangles the marks, rarely the letters."""
    return _fold_word(text) if len(text) <= SHORT else _fold(text)


SHORT = 40  # a word or a label: folded over and over while a page is understood, so remembered


@lru_cache(maxsize=1 << 15)
def _fold_word(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFD", text).translate(_MARKS)
    return text.upper()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def digits_of(text: str) -> str:
    """The digits of a number OCR may have spelled with look-alike letters ('O1O' → '010')."""
    return re.sub(r"\D", "", text.translate(_DIGIT_LOOKALIKES))


# --------------------------------------------------------------------------- dates

_NUMERIC_DATE = re.compile(r"(?<![\dA-Za-z])([0-3]?[\dOoIl|])\s?[/.\-]\s?([01]?[\dOoIl|])\s?[/.\-]\s?([12][\dOoIl|]{3})"
                           r"(?![\d])")
_SPELLED_DATE = re.compile(r"(?:ng[aà]y\W{0,2})?(?<![\d])([\dOoIl|]{1,2})\W{0,2}th[aá]ng\W{0,2}([\dOoIl|]{1,2})\W{0,2}"
                           r"n[aăắ]m\W{0,2}([12][\dOoIl|]{3})", re.IGNORECASE)
_YEAR_FIRST = re.compile(r"(?<!\d)([12]\d{3})-([01]\d)-([0-3]\d)(?!\d)")


def iso_date(day: str, month: str, year: str) -> str | None:
    try:
        return dt.date(int(digits_of(year)), int(digits_of(month)), int(digits_of(day))).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[str]:
    """Every date written with digits in ``text``, in order, as ISO strings."""
    found: list[tuple[int, str]] = []
    for pattern in (_NUMERIC_DATE, _SPELLED_DATE):
        for m in pattern.finditer(text):
            iso = iso_date(*m.groups())
            if iso:
                found.append((m.start(), iso))
    found += [(m.start(), m.group(0)) for m in _YEAR_FIRST.finditer(text) if iso_date(m[3], m[2], m[1])]
    return [iso for _, iso in sorted(found)]


def parse_date(text: str) -> str | None:
    """The date in a field's value: digits ('15/03/1990', 'ngày 15 tháng 3 năm 1990') or words."""
    dates = find_dates(text)
    if dates:
        after_day = re.search(r"ng[aà]y", text, re.IGNORECASE)  # '2 giờ 16 phút, ngày 31/05/2024'
        if after_day and len(dates) > 1:
            later = find_dates(text[after_day.start():])
            return later[0] if later else dates[0]
        return dates[0]
    return date_from_words(text)


_DIGIT_WORDS = {"KHONG": 0, "MOT": 1, "HAI": 2, "BA": 3, "BON": 4, "TU": 4, "NAM": 5, "LAM": 5, "NHAM": 5,
                "SAU": 6, "BAY": 7, "TAM": 8, "CHIN": 9}


def words_to_number(words: list[str]) -> int | None:
    """A Vietnamese number in folded words ('HAI NGHIN KHONG TRAM MUOI BA' → 2013); None when it is not one.

    'mười' (ten) and 'mươi' (×10) fold to the same MUOI: a digit just before it tells which.
    """
    thousands = hundreds = tens = 0
    digit: int | None = None
    if not words:
        return None
    for word in words:
        if word in _DIGIT_WORDS:
            if digit is not None:
                return None
            digit = _DIGIT_WORDS[word]
        elif word == "MUOI":
            tens, digit = (10 if digit is None else digit * 10), None
        elif word == "TRAM" and digit is not None:
            hundreds, digit = digit * 100, None
        elif word in ("LINH", "LE"):
            continue
        elif word in ("NGHIN", "NGAN"):
            thousands = max(1, hundreds + tens + (digit or 0)) * 1000
            hundreds = tens = 0
            digit = None
        else:
            return None
    return thousands + hundreds + tens + (digit or 0)


def date_from_words(text: str) -> str | None:
    """'Ngày mười lăm, tháng ba, năm một nghìn chín trăm chín mươi' → '1990-03-15'."""
    folded = re.sub(r"[^A-Z ]", " ", fold(text))
    m = re.search(r"NGAY (.+?) THANG (.+?) NAM (.+)$", " ".join(folded.split()))
    if not m:
        return None
    day, month, year = (words_to_number(g.split()) for g in m.groups())
    if day is None or month is None or year is None or not 1800 <= year <= 2200:
        return None  # a year of a few words lost to OCR ('năm một') is no year
    try:
        return dt.date(year, month, day).isoformat()
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- other values


def parse_gender(text: str) -> str | None:
    folded = re.sub(r"[^A-Z]", "", fold(text))
    if folded.startswith(("NAM", "MALE", "NAN", "NAIM")) and not folded.startswith("NAMNU"):
        return "Nam"
    if folded.startswith(("NU", "FEMALE", "NỮ", "NUU")):
        return "Nữ"
    return None


def parse_personal_id(text: str) -> str | None:
    """The 12 digits of a personal ID (CCCD) number; a 9-digit old identity card number is not one."""
    for run in re.findall(r"[\dOoIl|SB]{9,16}", text.replace(" ", "")):
        digits = digits_of(run)
        if len(digits) == 12:
            return digits
    digits = digits_of(text)
    return digits if len(digits) == 12 else None


def parse_phone(text: str) -> str | None:
    digits = digits_of(re.sub(r"^\s*\+?84", "0", text))
    return digits if 9 <= len(digits) <= 11 else None


def parse_area(text: str) -> str | None:
    """'1.801,4 m2' → '1801.4': Vietnamese thousands dots and decimal comma; the decimals as printed. A lone digit
    is no parcel's area but OCR's reading of a smudge."""
    m = re.search(r"(?<![A-Za-z])\d[\d.,\s]*\d", text)
    if not m:
        return None
    number = m.group(0).strip().replace(" ", "").rstrip(".,")
    if "," in number:
        number = number.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", number):
        number = number.replace(".", "")
    return number if re.fullmatch(r"\d+(\.\d+)?", number) else None


_DOC_NUMBER = re.compile(r"(\d{1,6})\s*/\s*((?:\d{4}\s*/\s*)?[A-ZĐ0-9]+(?:\s*-\s*[A-ZĐ0-9]+)*)")


def parse_document_number(text: str) -> str | None:
    """'Số: 1816 / UBND-NVK' → '1816/UBND-NVK'."""
    m = _DOC_NUMBER.search(text.replace("–", "-").replace("—", "-"))
    if not m:
        return None
    return m[1] + "/" + re.sub(r"\s+", "", m[2])


def parse_number(text: str) -> str | None:
    """A register or book number as printed: '304', '01/2013', '332/STP-LLTP'."""
    m = re.search(r"[\dOoIl|][\dOoIl|/.\-A-ZĐ]*", text.strip())
    if not m:
        return None
    value = m.group(0).rstrip("./-")
    head, sep, tail = value.partition("/")
    return digits_of(head) + sep + (tail if not tail.isdigit() else tail)


def clean_value(text: str) -> str:
    """A printed value without the separators OCR leaves around it (its spelling, tone marks included, as printed)."""
    return nfc(text).strip(" :;,.|_-—~*'\"`")


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_END = r"])(?![a-zA-Z\u0300-\u036f])"  # the syllable ends there: no final consonant
_NEW_STYLE = re.compile(r"([oO])([aeAE])([" + _TONE_MARKS + _END + r"|(?<![qQ])([uU])([yY])([" + _TONE_MARKS + _END)


def traditional_tones(text: str) -> str:
    """'Hoà', 'Thuỷ' → 'Hòa', 'Thủy': a tone mark on 'oa', 'oe', 'uy' ending a syllable stands on its first vowel,
    as most printed documents place it (the official lists of places put it on the second)."""
    decomposed = unicodedata.normalize("NFD", text)
    fixed = _NEW_STYLE.sub(lambda m: m[1] + m[3] + m[2] if m[1] else m[4] + m[6] + m[5], decomposed)
    return unicodedata.normalize("NFC", fixed)
