"""The machine-readable zone on the back of a Vietnamese identity card (ICAO 9303 TD1, three lines of 30).

Its check digits make it the most trustworthy text on a card: where they hold, the birth date, expiry date
and personal ID it carries overrule what OCR read from the printed fields.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_TO_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8", "G": "6"})
_LINE2 = re.compile(r"([0-9OQDILZSBG]{6})([0-9OQDILZSBG])([MF<])([0-9OQDILZSBG]{6})([0-9OQDILZSBG])VNM")
_LINE1 = re.compile(r"[IT1][DO0]VNM([0-9A-Z<]{9})([0-9A-Z<])([0-9OQDILZSBG]{12})")


@dataclass(frozen=True)
class Mrz:
    date_of_birth: str | None
    expiry_date: str | None
    gender: str | None
    personal_id: str | None


def check_digit(field: str) -> int:
    """ICAO 9303: weights 7, 3, 1 over digits, letters (A=10) and fillers (<=0)."""
    total = 0
    for i, ch in enumerate(field):
        value = int(ch) if ch.isdigit() else ord(ch) - 55 if ch.isalpha() else 0
        total += value * (7, 3, 1)[i % 3]
    return total % 10


def _date(yymmdd: str, future: bool, today: dt.date) -> str | None:
    try:
        year, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
        century = 2000 if future or 2000 + year <= today.year else 1900
        return dt.date(century + year, month, day).isoformat()
    except ValueError:
        return None


def read_mrz(text: str, today: dt.date | None = None) -> Mrz | None:
    """What the zone in ``text`` says, keeping only the parts whose check digits hold."""
    today = today or dt.date.today()
    compact = re.sub(r"[^A-Z0-9<]", "", text.upper().replace("«", "<"))  # accented letters are OCR noise here
    second = _LINE2.search(compact)
    first = _LINE1.search(compact)
    if not second and not first:
        return None
    birth = expiry = gender = personal_id = None
    if second:
        born, born_check, sex, expires, expires_check = second.groups()
        born, expires = born.translate(_TO_DIGIT), expires.translate(_TO_DIGIT)
        if check_digit(born) == int(born_check.translate(_TO_DIGIT)):
            birth = _date(born, False, today)
        if check_digit(expires) == int(expires_check.translate(_TO_DIGIT)):
            expiry = _date(expires, True, today)
        gender = {"M": "Nam", "F": "Nữ"}.get(sex)
    if first:
        candidate = first[3].translate(_TO_DIGIT)
        # the card number (9 characters) is the ID's last nine digits: they must agree and pass the check
        number = first[1].translate(_TO_DIGIT)
        if candidate.isdigit() and candidate.endswith(number) and check_digit(number) == int(
                first[2].translate(_TO_DIGIT) or -1):
            personal_id = candidate
    return Mrz(birth, expiry, gender, personal_id)
