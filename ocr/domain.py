"""What the domain knows, to repair what OCR misread: places, ethnic groups, names, licence classes.

Administrative divisions come from the `vietnam-provinces` package pinned to its 63-province data (the
divisions printed on documents issued before the 2025 reorganisation, which is what the archives hold).
The personal-ID province codes are the statistics office's province codes on three digits.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache

import vietnam_provinces
from rapidfuzz import fuzz, process

from ocr.normalize import fold, nfc, traditional_tones

ETHNIC_GROUPS = [
    "Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Mông", "Dao", "Gia Rai", "Ngái", "Ê Đê", "Ba Na",
    "Xơ Đăng", "Sán Chay", "Cơ Ho", "Chăm", "Sán Dìu", "Hrê", "Mnông", "Ra Glai", "Xtiêng", "Bru Vân Kiều", "Thổ",
    "Giáy", "Cơ Tu", "Gié Triêng", "Mạ", "Khơ Mú", "Co", "Tà Ôi", "Chơ Ro", "Kháng", "Xinh Mun", "Hà Nhì", "Chu Ru",
    "Lào", "La Chí", "La Ha", "Phù Lá", "La Hủ", "Lự", "Lô Lô", "Chứt", "Mảng", "Pà Thẻn", "Cơ Lao", "Cống",
    "Bố Y", "Si La", "Pu Péo", "Brâu", "Ơ Đu", "Rơ Măm",
]
NATIONALITIES = ["Việt Nam", "Lào", "Campuchia", "Trung Quốc", "Hàn Quốc", "Nhật Bản", "Hoa Kỳ", "Pháp", "Đức", "Nga",
                 "Thái Lan", "Úc", "Anh", "Canada", "Đài Loan", "Singapore", "Malaysia", "Philippines", "Indonesia"]
LICENCE_CLASSES = ["A1", "A2", "A3", "A4", "B1", "B2", "C", "D", "E", "F", "FB2", "FC", "FD", "FE",
                   "A", "B", "C1", "D1", "D2", "BE", "C1E", "CE", "D1E", "D2E", "DE"]

# Surnames, then middle and given-name syllables, most frequent first (the first of look-alikes wins).
SURNAMES = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
    "Lý", "Đào", "Đoàn", "Vương", "Trịnh", "Trương", "Đinh", "Lâm", "Phùng", "Mai", "Tô", "Hà", "Tạ", "Cao", "Lương",
    "Lưu", "Quách", "Châu", "Chu", "Thái", "Kiều", "La", "Triệu", "Lạc", "Mạc", "Tăng", "Văn", "Hứa", "Khổng", "Lò",
    "Giáp", "Âu", "Nông", "Ninh", "Kim", "Tống", "Diệp", "Nghiêm", "Thân", "Bạch", "Lục", "Khúc", "Doãn", "Từ", "Quan",
    "Đàm", "Tôn", "Vi", "Hầu", "Mẫn", "Lã", "Lại", "Hàn", "Cù", "Ông", "Phí", "Đồng", "Thạch", "Sầm", "Ma", "Hoàng",
]
NAME_SYLLABLES = [
    "Văn", "Thị", "Hữu", "Đức", "Công", "Quang", "Minh", "Ngọc", "Thanh", "Xuân", "Thu", "Kim", "Bích", "Mai", "Hồng",
    "Bá", "Đình", "Mạnh", "Quốc", "Thùy", "Diệu", "Khánh", "Tiến", "Trọng", "Thế", "Duy", "Gia", "Bảo", "Anh", "Hải",
    "Hoài", "Hoàng", "Phương", "Tuấn", "Trung", "Thành", "Hùng", "Dũng", "Cường", "Long", "Nam", "Sơn", "Hà", "Lan",
    "Linh", "Hương", "Hoa", "Huyền", "Trang", "Thảo", "Hằng", "Hạnh", "Nga", "Nhung", "Yến", "Vân", "Tâm", "Châu",
    "Uyên", "My", "Ngân", "Giang", "Chi", "An", "Bình", "Hòa", "Hiếu", "Huy", "Khoa", "Kiên", "Lâm", "Lộc", "Lợi",
    "Luân", "Nghĩa", "Nhân", "Phong", "Phúc", "Phú", "Quân", "Quý", "Tài", "Thắng", "Thịnh", "Thông", "Toàn", "Tú",
    "Tùng", "Vinh", "Việt", "Vũ", "Đạt", "Đông", "Đăng", "Hiền", "Hiển", "Hòa", "Khải", "Khang", "Khoa", "Kiệt",
    "Lực", "Nhật", "Phát", "Quyết", "Sang", "Tân", "Thái", "Thiện", "Thuận", "Trí", "Trường", "Tuệ", "Vĩnh", "Vượng",
    "Ánh", "Ân", "Bằng", "Cảnh", "Chiến", "Chính", "Diệp", "Dung", "Dương", "Điệp", "Đào", "Hân", "Hậu", "Hiệp",
    "Hợp", "Hưng", "Kỳ", "Lành", "Lễ", "Liên", "Loan", "Lụa", "Ly", "Mỹ", "Nguyệt", "Nhi", "Như", "Oanh", "Phượng",
    "Quyên", "Quỳnh", "Sương", "Thắm", "Thơ", "Thoa", "Thúy", "Thủy", "Thư", "Tiên", "Trâm", "Trinh", "Tuyết", "Vy",
    "Xuyến", "Ý", "Ngôn", "Đoan", "Hạ", "Hồ", "Đan", "Kiều", "Lệ", "Mẫn", "Mơ", "Nương", "Phấn", "Thanh", "Thịnh",
    "Chung", "Cương", "Danh", "Định", "Hào", "Hoan", "Hoạt", "Học", "Khiêm", "Khôi", "Lạc", "Lập", "Liêm", "Lĩnh",
    "Mạnh", "Ninh", "Nhuận", "Pháp", "Quế", "Quyền", "Sinh", "Sỹ", "Sĩ", "Tấn", "Thạch", "Thiên", "Thọ", "Thuấn",
    "Tín", "Tĩnh", "Trọng", "Tường", "Uy", "Vạn", "Vương", "Xuyên", "Yên", "Ngọc", "Thục", "Trúc", "Diễm", "Khuê",
    "Bảo", "Cát", "Đài", "Hạc", "Hồng", "Khánh", "Kha", "Lam", "Lê", "Mai", "Nhàn", "Nhã", "Quyết", "Thái", "Thuần",
    "Phước", "Quí", "Tám", "Út", "Hai", "Ba", "Tư", "Năm", "Sáu", "Bảy", "Chín", "Mười", "Đức", "Dân", "Duyên",
    "Đô", "Độ", "Hoằng", "Hưởng", "Kha", "Luyến", "Nhạn", "Phụng", "Tiệp", "Toản", "Trà", "Trúc", "Tuân", "Vỹ",
    *SURNAMES,
]


@dataclass
class _Division:
    name: str  # without its type, e.g. "Cầu Giấy"
    kind: str  # tỉnh, thành phố, quận, huyện, thị xã, phường, xã, thị trấn
    code: int
    children: list[_Division] = field(default_factory=list)


_KINDS = ["thành phố", "thị trấn", "thị xã", "tỉnh", "quận", "huyện", "phường", "xã"]
_KIND_PREFIX = re.compile(r"^(" + "|".join(_KINDS) + r")\s+", re.IGNORECASE)


def _split_kind(name: str) -> tuple[str, str]:
    m = _KIND_PREFIX.match(name)
    return (m[1].lower(), name[m.end():]) if m else ("", name)


@cache
def divisions() -> list[_Division]:
    """The 63 provinces with their districts and communes."""
    data = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    provinces = []
    for p in data:
        kind, name = _split_kind(p["name"])
        districts = []
        for d in p["districts"]:
            dkind, dname = _split_kind(d["name"])
            wards = [_Division(*_split_kind(w["name"])[::-1], w["code"]) for w in d["wards"]]
            districts.append(_Division(dname, dkind, d["code"], wards))
        provinces.append(_Division(name, kind, p["code"], districts))
    return provinces


@cache
def province_codes() -> dict[str, str]:
    """Three-digit personal-ID province code → province name."""
    return {f"{p.code:03d}": p.name for p in divisions()}


def _best(name: str, candidates: list[_Division], cutoff: float) -> _Division | None:
    """The division called ``name``: the same letters (OCR mangles marks), else the closest above ``cutoff``."""
    if not candidates:
        return None
    folded = fold(name)
    exact = [c for c in candidates if fold(c.name) == folded]
    if exact:
        return exact[0]
    if cutoff > 100:
        return None
    match = process.extractOne(folded, [fold(c.name) for c in candidates], scorer=fuzz.ratio, score_cutoff=cutoff)
    return candidates[match[2]] if match else None


# Names of bodies and places printed before a division's name, restored when OCR mangled their marks.
INSTITUTIONS = ["Ủy ban nhân dân", "Hội đồng nhân dân", "Bệnh viện", "Trạm Y tế", "Trung tâm Y tế", "Công an",
                "Sở Tư pháp", "Phòng Tư pháp", "Tổ dân phố", "Khu phố", "Thôn", "Xóm", "Bản", "Ấp", "Khối"]


def repair_place(text: str) -> str:
    """An address or place with its province, district and commune names spelled as the official lists spell them.

    Parts are matched from the right (province first, then a district of that province, then one of its communes).
    A province may be misspelled a little; a district or commune is only given back its diacritics, since names
    that changed over the years are not in today's lists and must stay as printed. A part that matches nothing (a
    hamlet, a street, a hospital) is left as printed.
    """
    parts = [_repair_institution(p.strip()) for p in text.split(",")]
    level: list[_Division] = divisions()
    for i in range(len(parts) - 1, -1, -1):
        repaired, found = _repair_part(parts[i], level, fuzzy=level is divisions())
        if found is None:
            continue
        parts[i] = repaired
        level = found.children
        if not level:
            break
    return ", ".join(parts)


def _repair_institution(text: str) -> str:
    """'Úy ban nhân dân xã X' → 'Ủy ban nhân dân xã X': the body or place word a part starts with."""
    folded = fold(text)
    for name in sorted(INSTITUTIONS, key=len, reverse=True):
        key = fold(name)
        if folded == key or folded.startswith(key + " "):
            printed = text[: len(name)]  # folding keeps one letter per letter, so the positions line up
            fixed = name.upper() if printed.isupper() else name if printed[:1].isupper() else name.lower()
            return fixed + text[len(name):]
    return text


_KIND_INSIDE = re.compile(r"(?:^|\s)(" + "|".join(_KINDS) + r")\s+(?=\S)", re.IGNORECASE)


def _repair_part(part: str, level: list[_Division], fuzzy: bool) -> tuple[str, _Division | None]:
    kinds = list(_KIND_INSIDE.finditer(part))
    prefix, kind, name = ("", "", part) if not kinds else (part[: kinds[-1].end()], kinds[-1][1].lower(),
                                                          part[kinds[-1].end():])
    if name.isdigit():  # 'Phường 1', 'Quận 3'
        return part, next((d for d in level if d.name == name and (not kind or d.kind == kind)), None)
    if not re.search(r"[A-Za-zÀ-ỹĐđ]", name):
        return part, None
    candidates = [d for d in level if not kind or d.kind == kind] or level
    found = _best(name, candidates, 88 if fuzzy else 101)
    if found is None:
        return part, None
    if traditional_tones(name.strip().lower()) == traditional_tones(found.name.lower()):
        return part, found  # the same name with its tone mark placed the other way: kept as printed ('Hoà', 'Hòa')
    official = traditional_tones(found.name)  # the lists write 'Hoà', 'Thuỷ'; most documents 'Hòa', 'Thủy'
    return prefix + (official.upper() if name.isupper() else official), found


def _from_list(value: str, choices: list[str], cutoff: float = 80) -> str | None:
    folded = " ".join(re.sub(r"[^A-Z]", " ", fold(value)).split())
    for choice in choices:
        if fold(choice) == folded:
            return choice
    match = process.extractOne(folded, [fold(c) for c in choices], scorer=fuzz.ratio, score_cutoff=cutoff)
    return choices[match[2]] if match else None


def repair_ethnicity(value: str) -> str:
    return _from_list(value, ETHNIC_GROUPS) or value


def repair_nationality(value: str) -> str:
    found = _from_list(value, NATIONALITIES)
    if found is None:
        return value
    return found.upper() if value.isupper() else found


def repair_licence_class(value: str) -> str:
    cleaned = fold(value).replace(" ", "").replace("†", "1").replace("I", "1").replace("L", "1").replace("O", "0")
    cleaned = re.sub(r"[^A-Z0-9]", "", cleaned)
    return cleaned if cleaned in LICENCE_CLASSES else value


@cache
def _syllables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(known spellings casefolded → NFC, folded surname → surname, folded syllable → most frequent spelling)."""
    known = {s.casefold(): s for s in NAME_SYLLABLES}
    surnames: dict[str, str] = {}
    for s in SURNAMES:
        surnames.setdefault(fold(s), s)
    syllables: dict[str, str] = {}
    for s in NAME_SYLLABLES:
        syllables.setdefault(fold(s), s)
    return known, surnames, syllables


def is_name_syllable(word: str) -> bool:
    """Whether ``word`` (any case and marks) is spelled as a syllable of some person's name."""
    return fold(word) in _syllables()[2]


def looks_like_name(words: list[str]) -> bool:
    """Whether words read as a person's name: a surname, then name syllables (the last may be any: 'HỒ THỊ TÊN')."""
    return len(words) >= 2 and fold(words[0]) in _syllables()[1] and all(map(is_name_syllable, words[1:-1]))


def repair_name(value: str) -> str:
    """A personal name whose syllables are real name syllables: 'NGUYÊN THÙY MY' → 'NGUYỄN THÙY MY'.

    A syllable already spelled as some name is kept; one that is no name's spelling takes the most frequent name
    syllable with the same letters (the surname list for the first syllable). Case is kept as printed.
    """
    words = nfc(value).split()
    known, surnames, syllables = _syllables()
    out = []
    for i, word in enumerate(words):
        table = surnames if i == 0 else syllables
        fix = None
        if i == 0 and fold(word) in surnames:
            fix = surnames[fold(word)]
        elif word.casefold() not in known:
            fix = table.get(fold(word)) or syllables.get(fold(word))
        if fix is None:
            out.append(word)
        elif word.isupper():
            out.append(fix.upper())
        elif word.islower():
            out.append(fix.lower())
        else:
            out.append(fix)
    return " ".join(out)


@cache
def _all_of_kind() -> dict[str, list[_Division]]:
    by_kind: dict[str, list[_Division]] = {}
    for p in divisions():
        by_kind.setdefault(p.kind, []).append(p)
        for d in p.children:
            by_kind.setdefault(d.kind, []).append(d)
            for w in d.children:
                by_kind.setdefault(w.kind, []).append(w)
    return by_kind


def repair_authority(text: str) -> str:
    """'ỦY BAN NHÂN DÂN THÀNH PHÔ HÀ NỘI' → '... THÀNH PHỐ HÀ NỘI': the division word and the name after it."""
    folded = fold(text)
    best = None
    for kind in _KINDS:
        at = folded.rfind(" " + fold(kind) + " ")
        if at >= 0 and (best is None or at > best[0]):
            best = (at + 1, kind)
    if best is None:
        return text
    at, kind = best
    printed = text[at: at + len(kind)]
    word = kind.upper() if printed.isupper() else kind.capitalize() if printed[:1].isupper() else kind
    name = text[at + len(kind) + 1:]
    return text[:at] + word + " " + repair_division(kind, name)


def repair_division(kind: str, name: str) -> str:
    """A division's name after its kind word ('QUẬN', 'CẤU GIẦY' → 'CẦU GIẤY'), when one division matches closely."""
    candidates = _all_of_kind().get(kind.lower(), [])
    found = _best(name, candidates, 101)
    if found is None:
        return name
    return found.name.upper() if name.isupper() else found.name
