"""Document type from the printed title: fuzzy, diacritic-free matching of the titles of CONTRACT §3."""
from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

# (doc_type, title variants), most specific first: "GIẤY CHỨNG NHẬN KẾT HÔN" before any shorter title.
TITLES: list[tuple[str, list[str]]] = [
    ("birth_register_page", ["SO DANG KY KHAI SINH"]),
    ("marriage_register_page", ["SO DANG KY KET HON"]),
    ("death_register_page", ["SO DANG KY KHAI TU"]),
    ("marriage_certificate", ["GIAY CHUNG NHAN KET HON"]),
    ("land_use_certificate", ["GIAY CHUNG NHAN QUYEN SU DUNG DAT"]),
    ("birth_certificate", ["GIAY KHAI SINH", "TRICH LUC KHAI SINH"]),
    ("death_extract", ["TRICH LUC KHAI TU", "GIAY CHUNG TU"]),
    ("criminal_record", ["PHIEU LY LICH TU PHAP"]),
    ("driving_license", ["GIAY PHEP LAI XE", "DRIVER'S LICENSE"]),
    ("citizen_id", ["CAN CUOC CONG DAN", "CAN CUOC", "CITIZEN IDENTITY CARD", "IDENTITY CARD"]),
    ("application_form", ["TO KHAI", "DON DE NGHI", "DON XIN"]),
    ("decision", ["QUYET DINH"]),
]
HEAD_LINES = 20  # titles stand near the top of the first page
_LETTER_SUBJECT = re.compile(r"^\s*V/v\b|^\s*Về việc\b", re.IGNORECASE | re.MULTILINE)


def fold(text: str) -> str:
    """Upper case without diacritics (Đ → D): OCR often mangles the marks, rarely the letters."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def classify(first_page_text: str) -> tuple[str, float]:
    """(doc_type, confidence 0-1) from the first page's text."""
    lines = [fold(line).strip() for line in first_page_text.splitlines()[:HEAD_LINES] if line.strip()]
    best, score = "other", 0.0
    for doc_type, titles in TITLES:
        for title in titles:
            for line in lines:
                ratio = _title_score(title, line)
                if ratio > score + 1e-9:
                    best, score = doc_type, ratio
    if score >= 0.85:
        return best, round(score, 3)
    if _LETTER_SUBJECT.search(first_page_text) and re.search(r"\bS[ốo]\s*:", first_page_text):
        return "official_letter", 0.8
    return "other", round(1 - score, 3) if score else 0.9


def _title_score(title: str, line: str) -> float:
    """How well ``line`` reads as the title: the whole line, or its start, must match."""
    if len(line) < len(title) * 0.6 or len(line) > len(title) * 2.2:
        return 0.0
    whole = fuzz.ratio(title, line) / 100
    start = fuzz.ratio(title, line[: len(title)]) / 100 * (0.97 if len(line) > len(title) * 1.3 else 1.0)
    return max(whole, start)
