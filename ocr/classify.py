"""Document type from the printed title and, where the title is missing or unreadable, from what the pages print.

Titles are matched fuzzily without diacritics, as a whole line, two lines joined (a title set on two lines), or
the start of a line (a form's title goes on to name the procedure). Without a title, the labels and phrases
typical of each type vote: 'Thửa đất số' and 'Tờ bản đồ số' make a land-use certificate, a machine-readable zone
an identity card, 'Hạng / Class' a driving licence.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from rapidfuzz import fuzz

from ocr.normalize import fold

# (doc_type, title variants), most specific first: "GIẤY CHỨNG NHẬN KẾT HÔN" before any shorter title.
TITLES: list[tuple[str, list[str]]] = [
    ("birth_register_page", ["SO DANG KY KHAI SINH"]),
    ("marriage_register_page", ["SO DANG KY KET HON"]),
    ("death_register_page", ["SO DANG KY KHAI TU"]),
    ("marriage_certificate", ["GIAY CHUNG NHAN KET HON", "TRICH LUC KET HON"]),
    ("land_use_certificate", ["GIAY CHUNG NHAN QUYEN SU DUNG DAT"]),
    ("birth_certificate", ["GIAY KHAI SINH", "TRICH LUC KHAI SINH", "BAN SAO GIAY KHAI SINH"]),
    ("death_extract", ["TRICH LUC KHAI TU", "GIAY CHUNG TU", "GIAY BAO TU"]),
    ("criminal_record", ["PHIEU LY LICH TU PHAP"]),
    ("driving_license", ["GIAY PHEP LAI XE", "DRIVER'S LICENSE", "DRIVING LICENCE"]),
    ("citizen_id", ["CAN CUOC CONG DAN", "CAN CUOC", "CITIZEN IDENTITY CARD", "IDENTITY CARD",
                    "CHUNG MINH NHAN DAN"]),
    ("application_form", ["TO KHAI", "DON DE NGHI", "DON XIN", "PHIEU YEU CAU", "DON YEU CAU"]),
    ("decision", ["QUYET DINH"]),
]
# Phrases typical of a type, anywhere in its text, with the weight of their vote.
EVIDENCE: list[tuple[str, str, float]] = [
    ("land_use_certificate", "THUA DAT SO", 1.0), ("land_use_certificate", "TO BAN DO SO", 1.0),
    ("land_use_certificate", "NGUOI SU DUNG DAT", 1.0), ("land_use_certificate", "GAN LIEN VOI DAT", 0.5),
    ("land_use_certificate", "MUC DICH SU DUNG", 0.5),
    ("driving_license", "HANG/CLASS", 1.0), ("driving_license", "DRIVER", 1.0), ("driving_license", "LAI XE", 1.0),
    ("driving_license", "GIAO THONG VAN TAI", 0.5), ("driving_license", "EXPIRES", 0.8),
    ("driving_license", "KHONG THOI HAN", 0.8),
    ("citizen_id", "IDVNM", 1.5), ("citizen_id", "IDENTITY", 1.0), ("citizen_id", "PLACE OF ORIGIN", 0.5),
    ("citizen_id", "PERSONAL IDENTIFICATION", 0.5), ("citizen_id", "DAC DIEM NHAN DANG", 1.0),
    ("criminal_record", "LY LICH TU PHAP", 0.6), ("criminal_record", "AN TICH", 1.0),
    ("birth_certificate", "TEN NGUOI ME", 0.5), ("birth_certificate", "TEN NGUOI CHA", 0.5),
    ("birth_certificate", "NGUOI KY GIAY KHAI SINH", 1.0),
    ("marriage_certificate", "TEN CHONG", 0.6), ("marriage_certificate", "TEN VO", 0.6),
    ("death_extract", "DA CHET VAO LUC", 1.0), ("death_extract", "NOI CHET", 0.5),
    ("death_extract", "NGUOI DI KHAI TU", 0.5),
    ("application_form", "KINH GUI", 0.4), ("application_form", "NGUOI YEU CAU", 0.8),
    ("application_form", "TOI CAM DOAN", 1.0),
    ("decision", "CAN CU", 0.3), ("decision", "DIEU 1", 0.6), ("decision", "QUYET DINH:", 0.8),
]
HEAD_LINES = 25  # titles stand near the top of the first page
TITLE_SCORE = 0.85
EVIDENCE_NEEDED = 1.5
_LETTER_SUBJECT = re.compile(r"^\s*V/v?\s|^\s*Về việc\b|^\s*Kính gửi\b", re.IGNORECASE | re.MULTILINE)
_NUMBER_LINE = re.compile(r"\bS[ốoô]\s*:\s*\d+\s*/\s*[A-ZĐ]", re.IGNORECASE)


class Page(Protocol):
    text: str


def classify(pages: Sequence[Page]) -> tuple[str, float]:
    """(doc_type, confidence 0-1) of a document from the text of its pages."""
    if not pages:
        return "other", 0.5
    first = pages[0].text
    doc_type, score = _by_title(first)
    if score >= TITLE_SCORE:
        return doc_type, round(score, 3)
    votes = _evidence(" \n".join(p.text for p in pages))
    if votes:
        best = max(votes, key=lambda doc_type: votes[doc_type])
        if votes[best] >= EVIDENCE_NEEDED:
            return best, round(min(0.95, 0.6 + votes[best] / 10), 3)
    if _LETTER_SUBJECT.search(first) and _NUMBER_LINE.search(first):
        return "official_letter", 0.85
    near_miss = score >= 0.7 or (votes and max(votes.values()) >= EVIDENCE_NEEDED / 2)
    return "other", 0.6 if near_miss else 0.9


def _by_title(text: str) -> tuple[str, float]:
    raw = [line for line in text.splitlines()[:HEAD_LINES] if line.strip()]
    lines = [fold(line).strip(" .:-_|") for line in raw]
    titled = [_looks_like_title(line) for line in raw]
    candidates = [line for i, line in enumerate(lines) if titled[i]]
    candidates += [f"{lines[i]} {lines[i + 1]}" for i in range(len(lines) - 1) if titled[i]]
    best, score = "other", 0.0
    for doc_type, titles in TITLES:
        for title in titles:
            for line in candidates:
                ratio = _title_score(title, line)
                if ratio > score + 1e-9:
                    best, score = doc_type, ratio
    return best, score


def _looks_like_title(line: str) -> bool:
    """Titles are printed in capitals."""
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def _title_score(title: str, line: str) -> float:
    """How well ``line`` reads as the title: the whole line, or its start (a longer title naming more)."""
    if len(line) < len(title) * 0.6:
        return 0.0
    whole = fuzz.ratio(title, line) / 100 if len(line) <= len(title) * 2.2 else 0.0
    start = fuzz.ratio(title, line[: len(title)]) / 100 * (0.97 if len(line) > len(title) * 1.3 else 1.0)
    if start >= 0.9 and len(line) > len(title) and line[len(title)] not in " :":
        start *= 0.9  # the title's last word goes on: 'TỜ KHAIX' is not 'TỜ KHAI'
    return max(whole, start)


def _evidence(text: str) -> dict[str, float]:
    folded = " ".join(fold(text).split())
    compact = folded.replace(" / ", "/").replace(" /", "/").replace("/ ", "/")
    votes: dict[str, float] = {}
    for doc_type, phrase, weight in EVIDENCE:
        if phrase in folded or phrase in compact:
            votes[doc_type] = votes.get(doc_type, 0.0) + weight
    return votes
