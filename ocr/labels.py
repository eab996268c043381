"""Printed field labels, found by fuzzy matching so OCR slips and other form versions still match.

A label is known by what it means (a generic key such as ``name`` or ``date_of_birth``) and, where it starts
the part of a form about another person, by that person (``mother``, ``husband``...). The same key means
different contract fields in different sections and document types; `ocr.fields` decides which.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz import fuzz, process

from ocr.normalize import fold
from ocr.reading_order import Segment
from ocr.recognize import Word

# (generic key, section opened or None, wordings). Wordings are matched without diacritics or case.
LABELS: list[tuple[str, str | None, list[str]]] = [
    ("name", "mother", ["Họ, chữ đệm, tên người mẹ", "Họ và tên mẹ", "Họ tên mẹ", "Họ và tên người mẹ", "Tên mẹ"]),
    ("name", "father", ["Họ, chữ đệm, tên người cha", "Họ và tên cha", "Họ tên cha", "Họ và tên người cha",
                        "Tên cha"]),
    ("name", "husband", ["Họ, chữ đệm, tên chồng", "Họ và tên chồng", "Họ tên chồng", "Tên chồng", "Chồng"]),
    ("name", "wife", ["Họ, chữ đệm, tên vợ", "Họ và tên vợ", "Họ tên vợ", "Tên vợ", "Vợ"]),
    ("name", "declarant", ["Họ, chữ đệm, tên người đi khai tử", "Họ, chữ đệm, tên người đi khai sinh",
                           "Họ và tên người đi khai tử", "Họ, chữ đệm, tên người đi đăng ký", "Người đi khai tử",
                           "Người đi khai sinh", "Quan hệ với người chết"]),
    ("name", "subject", ["Họ, chữ đệm, tên người yêu cầu", "Họ và tên người yêu cầu", "Họ tên người yêu cầu",
                         "Họ, chữ đệm, tên người đề nghị", "Họ và tên người đề nghị", "Người yêu cầu",
                         "Người sử dụng đất", "Chủ sử dụng", "Tôi tên là", "Tên tôi là"]),
    ("name", None, ["Họ, chữ đệm, tên", "Họ, chữ đệm và tên", "Họ và tên", "Họ tên", "Full name", "Ông", "Bà",
                    "Họ và tên khai sinh", "Họ, chữ đệm và tên khai sinh", "Tên"]),
    ("date_of_birth", None, ["Ngày, tháng, năm sinh", "Ngày tháng năm sinh", "Sinh ngày", "Ngày sinh",
                             "Date of birth"]),
    ("date_in_words", None, ["Ghi bằng chữ", "Bằng chữ", "Ngày, tháng, năm sinh bằng chữ", "Viết bằng chữ"]),
    ("birth_year", None, ["Năm sinh", "Sinh năm"]),
    ("gender", None, ["Giới tính", "Sex", "Nam/Nữ"]),
    ("ethnicity", None, ["Dân tộc", "Ethnicity"]),
    ("nationality", None, ["Quốc tịch", "Nationality"]),
    ("place_of_birth", None, ["Nơi sinh", "Sinh tại", "Place of birth"]),
    ("hometown", None, ["Quê quán", "Place of origin", "Nguyên quán"]),
    ("personal_id", None, ["Số định danh cá nhân", "Số định danh", "Mã số định danh cá nhân", "Số căn cước công dân",
                           "Số căn cước", "Số CCCD", "CCCD số", "Căn cước công dân số", "Số CMND/CCCD",
                           "Personal identification number", "Số giấy tờ tùy thân", "Số CMND"]),
    ("residence", None, ["Nơi cư trú", "Nơi thường trú", "Địa chỉ thường trú", "Place of residence", "Thường trú",
                         "Nơi ở hiện tại", "Chỗ ở hiện tại", "Hộ khẩu thường trú", "Nơi thường trú/tạm trú",
                         "Nơi tạm trú"]),
    ("number", None, ["Số", "Số/No", "No"]),
    ("book_number", None, ["Quyển số"]),
    ("registration_date", "document", ["Ngày, tháng, năm đăng ký", "Ngày tháng năm đăng ký", "Ngày đăng ký"]),
    ("registration_authority", "document", ["Nơi đăng ký", "Cơ quan đăng ký", "Nơi đăng ký khai sinh",
                                            "Nơi đăng ký kết hôn", "Nơi đăng ký khai tử"]),
    ("date_of_death", None, ["Đã chết vào lúc", "Chết vào lúc", "Ngày, tháng, năm chết", "Ngày chết",
                             "Thời gian chết", "Đã chết vào hồi"]),
    ("place_of_death", None, ["Nơi chết"]),
    ("issue_date", None, ["Ngày, tháng, năm cấp", "Ngày cấp", "Cấp ngày", "Date of issue", "Ngày trúng tuyển"]),
    ("cause_of_death", None, ["Nguyên nhân chết"]),
    ("phone", None, ["Số điện thoại", "Điện thoại", "SĐT", "Điện thoại liên hệ"]),
    ("expiry_date", None, ["Có giá trị đến", "Date of expiry", "Giá trị đến", "Có giá trị đến ngày", "Hết hạn"]),
    ("license_class", None, ["Hạng", "Class"]),
    ("parcel_number", None, ["Thửa đất số", "Số thửa", "Số thửa đất"]),
    ("map_sheet_number", None, ["Tờ bản đồ số", "Số tờ bản đồ", "Tờ bản đồ"]),
    ("area", None, ["Diện tích", "Diện tích đất"]),
    ("address", None, ["Địa chỉ", "Địa chỉ thửa đất", "Address"]),
    ("id_document", None, ["Giấy tờ tùy thân", "Giấy tờ tuỳ thân"]),
    ("recipients", "document", ["Nơi nhận"]),
    ("to", "document", ["Kính gửi"]),
    ("made_at", "document", ["Làm tại"]),
    ("usage", "document", ["Hình thức sử dụng", "Mục đích sử dụng", "Thời hạn sử dụng", "Nguồn gốc sử dụng"]),
    ("book_entry", "document", ["Số vào sổ cấp GCN", "Số vào sổ cấp giấy chứng nhận", "Số vào sổ"]),
    ("other", None, ["Tình trạng án tích", "Đặc điểm nhân dạng", "Personal identification", "Date, month, year",
                     "Ngày, tháng, năm", "Ghi chú"]),
]
SHORT = 4  # labels this short (folded letters) match exactly, and only when a colon follows
MAX_LABEL_WORDS = 14


@dataclass(frozen=True)
class Label:
    key: str
    section: str | None
    wording: str


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
    value: str = ""
    value_words: list[Word] = field(default_factory=list)
    score: float = 0.0


def _key(text: str) -> str:
    return re.sub(r"[^A-Z0-9/ ]", "", fold(text).replace("Ø", "O").replace(",", " ").replace("/", " / ")).strip()


@cache
def _wordings() -> tuple[list[str], list[Label]]:
    keys, labels = [], []
    for key, section, wordings in LABELS:
        for wording in wordings:
            keys.append(" ".join(_key(wording).split()))
            labels.append(Label(key, section, wording))
    return keys, labels


def _match(span: str, ends_label: bool, at_cell_start: bool) -> tuple[Label, float] | None:
    keys, labels = _wordings()
    compact = " ".join(span.split())
    if not compact:
        return None
    letters = len(compact.replace(" ", ""))
    if letters <= SHORT:
        if not ends_label:
            return None
        hit = next((i for i, k in enumerate(keys) if k == compact), None)
        return (labels[hit], 100.0) if hit is not None else None
    cutoff = 90 if letters < 10 else 86
    if not ends_label:
        if not at_cell_start or letters < 10:
            return None
        cutoff = 92
    whole = process.extractOne(compact, keys, scorer=fuzz.ratio, score_cutoff=cutoff)
    if whole is not None and len(keys[whole[2]].replace(" ", "")) > SHORT:
        return labels[whole[2]], whole[1]
    if " / " not in compact:
        return None
    # a bilingual label ('Họ tên / Full name'): every side of the slash must read as a label
    sides = [side.strip() for side in compact.split(" / ") if side.strip()]
    hits = [process.extractOne(side, keys, scorer=fuzz.ratio, score_cutoff=cutoff) for side in sides]
    found = [h for h in hits if h is not None]
    if len(sides) < 2 or len(found) < len(hits):
        return None
    best = min(found, key=lambda h: h[1])
    return labels[best[2]], best[1]


def merge_wrapped_labels(rows: list[list[Segment]]) -> list[list[Segment]]:
    """A label that wraps inside its table cell ('Họ, chữ đệm, tên người' over 'mẹ:'): its tail joins its head."""
    out = [list(row) for row in rows]
    for r in range(len(out) - 1):
        for k, head in enumerate(out[r]):
            if any(":" in w.text for w in head.words):
                continue
            height = max(w.height for w in head.words)
            tail = next((t for t in out[r + 1] if len(t.words) <= 2 and t.words[-1].text.endswith(":")
                         and abs(t.left - head.left) < 1.5 * height and t.top - head.bottom < height), None)
            if tail is not None:
                out[r][k] = Segment(head.words + tail.words)
                out[r + 1].remove(tail)
    return [row for row in out if row]


def find_labels(rows: list[list[Segment]]) -> list[Found]:
    """Every label in ``rows`` with the text after it up to the next label or the end of its row."""
    found: list[Found] = []
    for r, row in enumerate(rows):
        in_row: list[Found] = []
        for cell in row:
            in_row += _labels_in_cell(r, cell)
        _attach_values(row, in_row)
        found += in_row
    return found


def _labels_in_cell(r: int, cell: Segment) -> list[Found]:
    words = cell.words
    tokens = [_key(w.text) for w in words]
    colon = [w.text.rstrip().endswith((":", ";")) or (i + 1 < len(words) and words[i + 1].text in (":", ";"))
             for i, w in enumerate(words)]
    out: list[Found] = []
    i = 0
    while i < len(words):
        best: tuple[float, int, Label] | None = None
        for j in range(min(len(words), i + MAX_LABEL_WORDS), i, -1):
            ends = colon[j - 1] or (j == len(words) and i == 0)  # a whole cell: a label in a two-column table
            hit = _match(" ".join(tokens[i:j]), ends, i == 0 or colon[i - 1])
            if hit and (best is None or hit[1] + (j - i) * 0.5 > best[0] + (best[1] - i) * 0.5):
                best = (hit[1], j, hit[0])
        if best is None:
            i += 1
            continue
        score, j, label = best
        part = words[i:j]
        out.append(Found(label, r, cell, i, j, part[0].left, max(w.right for w in part),
                         min(w.top for w in part), max(w.bottom for w in part), score=score))
        i = j
    return out


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
        f.value = " ".join(w.text for w in words).strip(" :;.|-_")
