"""Register book pages in many layouts, with their ground truth: the civil-registry books of many offices and decades.

Each option of a page is drawn on its own (see ``OPTIONS``): which columns beside the scored ones and in which order,
the header wordings of one form generation (Thông tư 04/2020 and 15/2015, 08.a/2010, 1990s books, abbreviations),
group headers spanning several columns, a row of column numbers, the ruling, the title, two-line name cells, an open
book spread, entries written by hand, paper size and resolution, the date format.

    layout = draw_layout(rng, book_type="death_register_page", rules="norules")
    entries = make_entries(rng, layout.book_type, 10, first_number=37, year=layout.year)
    page = render_book_page(layout, entries)  # .image, .records (of the entries that fit), .text
    layout.name  # 'death-wide13-abbr-datelast-spanning-colnum-norules-notitle-oneline-single-printed-a4-150dpi-dmy'
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from sohoa.sample import _font, _px

T = TypeVar("T")
_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
BOOK_TYPES = ("birth_register_page", "marriage_register_page", "death_register_page")
ERAS = ("tt04", "tt08", "old", "abbr")  # Thông tư 04/2020 and 15/2015, 08.a/2010, 1990s books, abbreviated
PAPERS = {"a4": (297.0, 210.0), "a3": (420.0, 297.0)}  # landscape; a spread is two portrait pages of it

# Every option draw_layout draws, with each value's weight; its values are the tokens of BookLayout.name.
OPTIONS: dict[str, dict[Any, float]] = {
    "book_type": dict.fromkeys(BOOK_TYPES, 1.0),
    "wide": {False: 1.0, True: 1.0},  # 4 to 10 columns, or a wide form of 12 to 20
    "era": dict.fromkeys(ERAS, 1.0),
    "order": {"numfirst": 2.0, "datelast": 1.0, "numsecond": 0.6, "datepair": 1.0},
    "spanning": {False: 1.0, True: 1.0},
    "numbered": {"nocolnum": 2.0, "colnum": 1.0, "colnumplain": 1.0},
    "rules": {"grid": 2.0, "faint": 1.0, "hrules": 1.0, "norules": 1.0},
    "title": {"title": 1.5, "runhead": 1.0, "pageno": 1.0, "notitle": 1.0},
    "two_line": {"oneline": 2.0, "namegender": 1.0, "alias": 1.0},
    "spread": {False: 3.0, True: 1.0},
    "handwritten": {False: 3.0, True: 1.0},
    "paper": {"a4": 2.0, "a3": 1.0},
    "dpi": {300: 1.0, 200: 1.0, 150: 1.0},
    "date_style": {"dmy": 3.0, "dmyshort": 1.0, "dmydash": 1.0, "dmydot": 1.0},
}


def _w(width: float, *eras: str) -> tuple[float, dict[str, list[str]]]:
    """A column's relative width and its header wordings per era, each era's written 'wording|wording'."""
    return width, {era: s.split("|") for era, s in zip(ERAS, eras, strict=True)}


COLUMNS = {
    "number": _w(0.9, "Số|Số thứ tự", "Số|Số thứ tự|Số đăng ký", "Số TT|Số thứ tự|Số", "STT|Số TT|Số ĐK|TT"),
    "reg_date": _w(2.0, "Ngày, tháng, năm đăng ký|Ngày đăng ký", "Ngày, tháng, năm đăng ký|Ngày tháng năm đăng ký",
                   "Ngày tháng năm đăng ký|Ngày đăng ký|Đăng ký ngày", "Ngày ĐK|Ngày đ/ký|Ng. ĐK"),
    "name": _w(3.2, "Họ, chữ đệm, tên|Họ, chữ đệm, tên người được khai sinh",
               "Họ và tên|Họ và tên người được khai sinh|Họ tên khai sinh",
               "Họ và tên|Tên người được khai sinh|Tên, họ|Họ tên khai sinh", "H.tên|Họ tên|H. và tên"),
    "dead_name": _w(3.2, "Họ, chữ đệm, tên người chết|Họ, chữ đệm, tên người đã chết",
                    "Họ và tên người chết|Họ và tên", "Người chết|Họ tên người chết|Tên, họ người chết",
                    "H.tên người chết|H.tên"),
    "birth": _w(2.0, "Ngày, tháng, năm sinh", "Ngày, tháng, năm sinh|Ngày sinh", "Ngày tháng năm sinh|Sinh ngày",
                "NS|Ng. sinh|Ngày s."),
    "gender": _w(1.1, "Giới tính", "Giới tính|Nam/Nữ", "Nam hay nữ|Nam, Nữ|Giới", "GT|Nam/Nữ|G.tính"),
    "father": _w(3.0, "Họ, chữ đệm, tên cha|Họ, chữ đệm, tên người cha", "Họ và tên cha|Họ tên cha",
                 "Tên, họ cha|Họ tên người cha|Cha", "H.tên cha|Họ tên cha"),
    "mother": _w(3.0, "Họ, chữ đệm, tên mẹ|Họ, chữ đệm, tên người mẹ", "Họ và tên mẹ|Họ tên mẹ",
                 "Tên, họ mẹ|Họ tên người mẹ|Mẹ", "H.tên mẹ|Họ tên mẹ"),
    "husband": _w(3.0, "Họ, chữ đệm, tên chồng|Họ, chữ đệm, tên người chồng", "Họ và tên chồng|Họ tên chồng",
                  "Tên, họ chồng|Bên chồng|Chồng", "H.tên chồng|Chồng"),
    "wife": _w(3.0, "Họ, chữ đệm, tên vợ|Họ, chữ đệm, tên người vợ", "Họ và tên vợ|Họ tên vợ",
               "Tên, họ vợ|Bên vợ|Vợ", "H.tên vợ|Vợ"),
    "death_date": _w(2.0, "Ngày, tháng, năm chết", "Ngày, tháng, năm chết|Ngày chết",
                     "Chết ngày|Ngày tháng năm chết|Ngày, giờ chết", "Ngày chết|Ng. chết"),
    "ethnicity": _w(1.2, "Dân tộc", "Dân tộc", "Dân tộc", "DT|D.tộc"),
    "nationality": _w(1.3, "Quốc tịch", "Quốc tịch", "Quốc tịch", "QT|Q.tịch"),
    "birthplace": _w(3.0, "Nơi sinh", "Nơi sinh", "Sinh tại|Nơi sinh", "N.sinh|Nơi s."),
    "hometown": _w(2.6, "Quê quán", "Quê quán", "Nguyên quán|Quê quán", "Q.quán"),
    "pid": _w(2.6, "Số định danh cá nhân", "Số định danh cá nhân|Mã số định danh", "Số định danh cá nhân",
              "Số ĐDCN|Số định danh"),
    "residence": _w(3.4, "Nơi cư trú", "Nơi thường trú|Nơi cư trú", "Trú quán|Hộ khẩu thường trú|Chỗ ở",
                    "Nơi c.trú|Đ/c|Địa chỉ"),
    "declarant": _w(3.0, "Họ, chữ đệm, tên người đi đăng ký|Họ tên người đi khai",
                    "Họ và tên người đi khai|Người đi khai", "Người đi khai|Người khai",
                    "Người đi khai|H.tên người khai"),
    "declarant_sign": _w(1.8, "Người đi đăng ký ký", "Người đi khai ký", "Người khai ký tên", "Ng. khai ký"),
    "officer": _w(2.4, "Công chức tư pháp - hộ tịch ký, ghi rõ họ tên|Cán bộ hộ tịch ký",
                  "Cán bộ Tư pháp - Hộ tịch ký|Cán bộ hộ tịch ký", "Cán bộ hộ tịch ký|Cán bộ ghi sổ",
                  "CB hộ tịch|CB ký"),
    "note": _w(2.2, "Ghi chú", "Ghi chú|Ghi chú thay đổi, cải chính", "Ghi chú|Ghi chú (cải chính, bổ sung)",
               "GC|Ghi chú"),
    "father_birth": _w(1.3, "Năm sinh của cha", "Năm sinh cha", "Cha sinh năm", "NS cha"),
    "father_eth": _w(1.3, "Dân tộc của cha", "Dân tộc cha", "Dân tộc cha", "DT cha"),
    "mother_birth": _w(1.3, "Năm sinh của mẹ", "Năm sinh mẹ", "Mẹ sinh năm", "NS mẹ"),
    "mother_eth": _w(1.3, "Dân tộc của mẹ", "Dân tộc mẹ", "Dân tộc mẹ", "DT mẹ"),
    "husband_birth": _w(2.0, "Ngày, tháng, năm sinh của chồng", "Ngày sinh của chồng", "Năm sinh chồng",
                        "NS chồng"),
    "husband_eth": _w(1.3, "Dân tộc của chồng", "Dân tộc chồng", "Dân tộc chồng", "DT chồng"),
    "husband_pid": _w(2.6, "Số định danh cá nhân của chồng", "Số định danh chồng", "Số CMND chồng", "CMND chồng"),
    "husband_res": _w(3.2, "Nơi cư trú của chồng", "Nơi thường trú của chồng", "Trú quán chồng", "Đ/c chồng"),
    "wife_birth": _w(2.0, "Ngày, tháng, năm sinh của vợ", "Ngày sinh của vợ", "Năm sinh vợ", "NS vợ"),
    "wife_eth": _w(1.3, "Dân tộc của vợ", "Dân tộc vợ", "Dân tộc vợ", "DT vợ"),
    "wife_pid": _w(2.6, "Số định danh cá nhân của vợ", "Số định danh vợ", "Số CMND vợ", "CMND vợ"),
    "wife_res": _w(3.2, "Nơi cư trú của vợ", "Nơi thường trú của vợ", "Trú quán vợ", "Đ/c vợ"),
    "husband_sign": _w(1.8, "Chữ ký của chồng", "Chồng ký", "Chồng ký tên", "Chồng ký"),
    "wife_sign": _w(1.8, "Chữ ký của vợ", "Vợ ký", "Vợ ký tên", "Vợ ký"),
    "dead_birth": _w(2.0, "Ngày, tháng, năm sinh", "Ngày, tháng, năm sinh|Năm sinh", "Năm sinh|Sinh năm",
                     "N.sinh|Năm s."),
    "death_place": _w(3.0, "Nơi chết", "Nơi chết", "Chết tại|Nơi chết", "N.chết|Nơi chết"),
    "cause": _w(2.4, "Nguyên nhân chết", "Nguyên nhân chết", "Nguyên nhân|Nguyên nhân chết", "NN chết"),
}

# Each book's columns in their usual order; '?' marks one a book may leave out.
_ORDER = {
    "birth_register_page": "number reg_date name gender birth birthplace? ethnicity? nationality? hometown? pid? "
                           "father father_birth? father_eth? mother mother_birth? mother_eth? residence? declarant? "
                           "declarant_sign? officer? note?",
    "marriage_register_page": "number reg_date husband husband_birth? husband_eth? husband_pid? husband_res? wife "
                              "wife_birth? wife_eth? wife_pid? wife_res? husband_sign? wife_sign? officer? note?",
    "death_register_page": "number reg_date dead_name dead_birth? gender? ethnicity? nationality? pid? residence? "
                           "death_date death_place? cause? declarant? declarant_sign? officer? note?",
}

# Header cells spanning several columns, by book: the titles, and the wordings of the member columns under them. The
# first that fits a run of two or more adjacent columns takes them.
_GROUPS: dict[str, list[tuple[str, dict[str, str]]]] = {
    "birth_register_page": [
        ("Ngày, tháng, năm|Ngày tháng năm", {"birth": "Sinh", "reg_date": "Đăng ký"}),
        ("Người được khai sinh|Trẻ em được khai sinh", {
            "name": "Họ, chữ đệm, tên|Họ và tên|Họ tên", "gender": "Giới tính|Nam/Nữ",
            "birth": "Ngày, tháng, năm sinh|Ngày sinh", "birthplace": "Nơi sinh", "ethnicity": "Dân tộc",
            "nationality": "Quốc tịch"}),
        ("Cha|Người cha", {"father": "Họ và tên|Họ, chữ đệm, tên|Họ tên", "father_birth": "Năm sinh",
                           "father_eth": "Dân tộc"}),
        ("Mẹ|Người mẹ", {"mother": "Họ và tên|Họ, chữ đệm, tên|Họ tên", "mother_birth": "Năm sinh",
                         "mother_eth": "Dân tộc"}),
        ("Họ và tên|Họ, chữ đệm, tên|Họ tên cha mẹ", {"father": "Cha", "mother": "Mẹ"}),
    ],
    "marriage_register_page": [
        ("Chồng|Bên chồng|Người chồng", {
            "husband": "Họ và tên|Họ, chữ đệm, tên", "husband_birth": "Ngày, tháng, năm sinh|Ngày sinh|Năm sinh",
            "husband_eth": "Dân tộc", "husband_pid": "Số định danh cá nhân|Số CMND", "husband_res": "Nơi cư trú"}),
        ("Vợ|Bên vợ|Người vợ", {
            "wife": "Họ và tên|Họ, chữ đệm, tên", "wife_birth": "Ngày, tháng, năm sinh|Ngày sinh|Năm sinh",
            "wife_eth": "Dân tộc", "wife_pid": "Số định danh cá nhân|Số CMND", "wife_res": "Nơi cư trú"}),
        ("Họ và tên|Họ, chữ đệm, tên", {"husband": "Chồng", "wife": "Vợ"}),
        ("Chữ ký|Ký tên", {"husband_sign": "Chồng", "wife_sign": "Vợ"}),
    ],
    "death_register_page": [
        ("Ngày, tháng, năm|Ngày tháng năm", {"death_date": "Chết", "reg_date": "Đăng ký|Đăng ký khai tử"}),
        ("Người chết|Người đã chết", {
            "dead_name": "Họ và tên|Họ, chữ đệm, tên", "dead_birth": "Ngày sinh|Năm sinh", "gender": "Giới tính",
            "ethnicity": "Dân tộc", "nationality": "Quốc tịch", "pid": "Số định danh cá nhân"}),
    ],
}

_NAMES = {"name", "dead_name", "father", "mother", "husband", "wife"}  # printed in capitals on some books
_ALIASED = {"name", "dead_name", "husband"}  # a former name may stand under these
_SIGNED = {"declarant_sign", "husband_sign", "wife_sign"}  # a pen scribble, no text
_CENTRED = {"number", "reg_date", "birth", "gender", "death_date", "dead_birth", "husband_birth", "wife_birth",
            "father_birth", "mother_birth", "ethnicity", "nationality"}
_BOOK_TITLES = {"birth_register_page": "khai sinh", "marriage_register_page": "kết hôn",
                "death_register_page": "khai tử"}
_INKS = ((28, 40, 120), (20, 30, 80), (35, 35, 45), (40, 60, 150))  # ballpoint blue, blue-black, black

# --------------------------------------------------------------------------- people and places

SURNAMES = ("Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
            "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Lương", "Mai")
MIDDLE = {"Nam": ("Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Xuân", "Thanh", "Ngọc", "Đình", "Quốc"),
          "Nữ": ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Thùy", "Kim", "Phương", "Hồng", "Bích", "Diệu")}
GIVEN = {"Nam": ("An", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khải", "Khánh",
                 "Long", "Minh", "Nghĩa", "Phong", "Phúc", "Quân", "Sơn", "Thắng", "Thành", "Tiến", "Tuấn", "Việt"),
         "Nữ": ("Anh", "Châu", "Dung", "Duyên", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương", "Huyền", "Lan",
                "Linh", "Loan", "Mai", "Nga", "Ngọc", "Nhung", "Oanh", "Quỳnh", "Thảo", "Thủy", "Trang", "Yến")}
NICKNAMES = ("Tí", "Tèo", "Bi", "Cu", "Bống", "Mít", "Su", "Tũn", "Hai", "Ba", "Út", "Đen")
ETHNICITIES = ("Kinh",) * 8 + ("Tày", "Thái", "Mường", "Nùng", "Mông", "Dao")
COMMUNES = (("An Hòa", "Phú Tân"), ("Nghi Phong", "Nghi Lộc"), ("Tân Trào", "Sơn Dương"), ("Kim Liên", "Nam Đàn"),
            ("Quỳnh Đôi", "Quỳnh Lưu"), ("Thiên Lộc", "Can Lộc"), ("Yên Hòa", "Yên Mô"), ("Bình Minh", "Thanh Oai"),
            ("Mỹ Xuyên", "Phong Điền"), ("Đông Sơn", "Thủy Nguyên"))
HAMLETS = ("thôn Đông", "thôn Tây", "thôn Trung", "xóm 3", "xóm Mới", "ấp Bình Phú", "tổ 5", "thôn Hạ")
CAUSES = ("Già yếu", "Bệnh", "Tai nạn giao thông", "Đột quỵ", "Bệnh tim", "Ung thư")
NOTES = ("Cấp bản sao", "Đăng ký lại", "Đăng ký quá hạn", "Cải chính họ tên", "Đã cấp trích lục")


def _pick(rng: np.random.Generator, items: Sequence[T], weights: Sequence[float] | None = None) -> T:
    if weights is None:
        return items[int(rng.integers(len(items)))]
    p = np.asarray(weights, dtype=float)
    return items[int(rng.choice(len(items), p=p / p.sum()))]


def _name(rng: np.random.Generator, gender: str, surname: str | None = None) -> str:
    middle = _pick(rng, MIDDLE[gender])
    given = _pick(rng, [g for g in GIVEN[gender] if g != middle])
    return f"{surname or _pick(rng, SURNAMES)} {middle} {given}"


def _days(rng: np.random.Generator, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=int(rng.integers(low, high + 1)))


def _pid(rng: np.random.Generator, born: dt.date, gender: str) -> str:
    """A 12-digit personal number: province, century and sex, year, six digits."""
    century = (born.year >= 2000) * 2 + (gender == "Nữ")
    return f"{int(rng.integers(1, 97)):03d}{century}{born.year % 100:02d}{int(rng.integers(0, 10**6)):06d}"


def _address(rng: np.random.Generator) -> str:
    commune, district = _pick(rng, COMMUNES)
    return f"{_pick(rng, HAMLETS)}, xã {commune}, huyện {district}"


@dataclass(frozen=True)
class Entry:
    """One entry of a book: every column's value (dates as dates) and its contract record."""

    values: dict[str, str | dt.date]
    record: dict[str, str]


def _birth(rng: np.random.Generator, day: dt.date) -> tuple[dict[str, str | dt.date], dict[str, str]]:
    gender = _pick(rng, ("Nam", "Nữ"))
    born = day - _days(rng, 1, 60)
    father = _name(rng, "Nam")
    child, mother = _name(rng, gender, father.split()[0]), _name(rng, "Nữ")
    commune, district = _pick(rng, COMMUNES)
    values: dict[str, str | dt.date] = {
        "name": child, "gender": gender, "birth": born, "father": father, "mother": mother,
        "birthplace": _pick(rng, (f"Trạm y tế xã {commune}", f"Bệnh viện đa khoa huyện {district}", "Tại nhà")),
        "ethnicity": _pick(rng, ETHNICITIES), "nationality": "Việt Nam", "hometown": f"xã {commune}, huyện {district}",
        "pid": _pid(rng, born, gender), "father_birth": str(born.year - int(rng.integers(20, 41))),
        "mother_birth": str(born.year - int(rng.integers(18, 38))), "father_eth": _pick(rng, ETHNICITIES),
        "mother_eth": _pick(rng, ETHNICITIES),
        "residence": _address(rng), "declarant": f"{father} (cha)" if rng.random() < 0.7 else f"{mother} (mẹ)"}
    record = {"full_name": child, "date_of_birth": born.isoformat(), "gender": gender, "father_name": father,
              "mother_name": mother}
    return values, record


def _marriage(rng: np.random.Generator, day: dt.date) -> tuple[dict[str, str | dt.date], dict[str, str]]:
    husband, wife = _name(rng, "Nam"), _name(rng, "Nữ")
    husband_born = day - _days(rng, 20 * 365, 40 * 365)
    wife_born = day - _days(rng, 18 * 365, 36 * 365)
    values: dict[str, str | dt.date] = {
        "husband": husband, "wife": wife, "husband_birth": husband_born, "wife_birth": wife_born,
        "husband_eth": _pick(rng, ETHNICITIES), "wife_eth": _pick(rng, ETHNICITIES),
        "husband_pid": _pid(rng, husband_born, "Nam"), "wife_pid": _pid(rng, wife_born, "Nữ"),
        "husband_res": _address(rng), "wife_res": _address(rng)}
    return values, {"husband_name": husband, "wife_name": wife}


def _death(rng: np.random.Generator, day: dt.date) -> tuple[dict[str, str | dt.date], dict[str, str]]:
    gender = _pick(rng, ("Nam", "Nữ"))
    died = day - _days(rng, 0, 15)
    born = died - _days(rng, 30 * 365, 95 * 365)
    dead = _name(rng, gender)
    values: dict[str, str | dt.date] = {
        "dead_name": dead, "dead_birth": born, "gender": gender, "death_date": died,
        "ethnicity": _pick(rng, ETHNICITIES), "nationality": "Việt Nam", "pid": _pid(rng, born, gender),
        "residence": _address(rng), "death_place": _pick(rng, ("Tại nhà", "Tại nhà", "Bệnh viện đa khoa tỉnh")),
        "cause": _pick(rng, CAUSES), "declarant": f"{_name(rng, 'Nam', dead.split()[0])} (con)"}
    return values, {"full_name": dead, "date_of_death": died.isoformat()}


_MAKERS = {"birth_register_page": _birth, "marriage_register_page": _marriage, "death_register_page": _death}


def make_entries(rng: np.random.Generator, book_type: str, count: int, first_number: int, year: int) -> list[Entry]:
    """``count`` entries numbered from ``first_number``, registered in ``year`` in date order."""
    day = dt.date(year, 1, 1) + _days(rng, 0, 200)
    officer = _name(rng, _pick(rng, ("Nam", "Nữ")))
    entries = []
    for number in range(first_number, first_number + count):
        day = min(day + _days(rng, 0, 5), dt.date(year, 12, 31))
        values, record = _MAKERS[book_type](rng, day)
        values |= {"number": str(number), "reg_date": day, "officer": officer,
                   "note": _pick(rng, NOTES) if rng.random() < 0.15 else "",
                   "alias": _pick(rng, NICKNAMES) if rng.random() < 0.4 else ""}
        entries.append(Entry(values, {"registration_number": str(number), "registration_date": day.isoformat(),
                                      **record}))
    return entries


# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class BookLayout:
    """One book's page design. The first fields are the drawn ``OPTIONS``; ``name`` lists them."""

    book_type: str
    wide: bool
    era: str
    order: str
    spanning: bool
    numbered: str
    rules: str
    title: str
    two_line: str
    spread: bool
    handwritten: bool
    paper: str
    dpi: int
    date_style: str
    columns: tuple[str, ...]
    headers: tuple[str, ...]  # each column's printed header (under its group title, if any)
    groups: tuple[tuple[int, int, str], ...]  # first and last column of a spanning header, its title
    face: str  # of the printed text: sans, serif, condensed
    font_pt: float
    bold_header: bool
    upper_names: bool
    min_row: float  # least entry row height, in lines
    blank_rows: bool  # empty ruled rows fill the rest of the page
    line_px: int  # rule width
    line_ink: int  # rule grey level
    commune: str  # the registering office
    district: str
    year: int
    page_no: int
    book_no: int
    seed: int  # the pens and the signatures

    @property
    def name(self) -> str:
        """The options as one string, e.g. 'birth-wide14-abbr-datelast-spanning-colnum-hrules-notitle-...'."""
        width = f"{'wide' if self.wide else 'cols'}{len(self.columns)}"
        return "-".join([self.book_type.split("_")[0], width, self.era, self.order,
                         "spanning" if self.groups else "flat", self.numbered, self.rules, self.title,
                         self.two_line, "spread" if self.spread else "single",
                         "hand" if self.handwritten else "printed", self.paper, f"{self.dpi}dpi", self.date_style])


def draw_layout(rng: np.random.Generator, **choices: Any) -> BookLayout:
    """A random page design; ``choices`` fix any of ``OPTIONS`` (e.g. ``rules="norules"``)."""
    if unknown := set(choices) - set(OPTIONS):
        raise TypeError(f"no layout option {', '.join(sorted(unknown))}")
    c = {k: choices[k] if k in choices else _pick(rng, list(v), list(v.values())) for k, v in OPTIONS.items()}
    if c["book_type"] == "marriage_register_page" and c["two_line"] == "namegender":
        c["two_line"] = "alias"  # a husband's and a wife's gender go without saying
    dropped = {"gender"} if c["two_line"] == "namegender" else set()  # it stands under the name
    columns = _columns(rng, c["book_type"], c["wide"], c["spanning"], dropped)
    columns, c["order"] = _ordered(columns, c["order"])
    groups, headers = _headers(rng, columns, c["era"], _GROUPS[c["book_type"]] if c["spanning"] else [])
    commune, district = _pick(rng, COMMUNES)
    return BookLayout(
        **c, columns=tuple(columns), headers=tuple(headers), groups=tuple(groups),
        face=_pick(rng, ("sans", "serif", "condensed")), bold_header=rng.random() < 0.7,
        font_pt=float(rng.uniform(9, 11) if c["paper"] == "a4" else rng.uniform(10.5, 13)),
        upper_names=rng.random() < 0.25, min_row=float(rng.uniform(1.6, 2.8)),
        blank_rows=c["rules"] in ("grid", "faint") and rng.random() < 0.5,
        line_px={"grid": max(2, round(int(rng.integers(2, 4)) * c["dpi"] / 200)), "faint": 1}.get(
            c["rules"], int(rng.integers(1, 3))),
        line_ink=int(rng.integers(140, 200)) if c["rules"] == "faint" else int(rng.integers(0, 80)),
        commune=commune, district=district, year=int(rng.integers(1992, 2024)), page_no=int(rng.integers(2, 199)),
        book_no=int(rng.integers(1, 4)), seed=int(rng.integers(2**31)))


def _columns(rng: np.random.Generator, book_type: str, wide: bool, spanning: bool, dropped: set[str]) -> list[str]:
    """The book's columns in their usual order: the scored ones, and a few (narrow) or most (wide) others."""
    keys = [k for k in _ORDER[book_type].split() if k.rstrip("?") not in dropped]
    optional = [k for k in keys if k.endswith("?")]
    scored = len(keys) - len(optional)
    extra = int(rng.integers(12, len(keys) + 1)) - scored if wide else int(rng.integers(0, 10 - scored))
    chosen = set(rng.choice(optional, extra, replace=False).tolist())
    if spanning and book_type == "death_register_page":
        chosen.add("dead_birth?")  # the dead person's group needs a second column
    return [k.rstrip("?") for k in keys if not k.endswith("?") or k in chosen]


def _ordered(columns: list[str], order: str) -> tuple[list[str], str]:
    """``columns`` in the ``order`` asked for, and the order they came in (a date pair needs a date column)."""
    columns = list(columns)
    pair = next((k for k in ("birth", "death_date") if k in columns), None)
    columns.remove("reg_date")
    if order == "datelast":
        columns.insert(len(columns) - (columns[-1] == "note"), "reg_date")
    elif order == "numsecond":
        columns.insert(0, "reg_date")
    elif order == "datepair" and pair:
        columns.insert(columns.index(pair) + 1, "reg_date")
    else:
        columns.insert(1, "reg_date")
        order = "numfirst"
    return columns, order


def _headers(rng: np.random.Generator, columns: list[str], era: str,
             spans: list[tuple[str, dict[str, str]]]) -> tuple[list[tuple[int, int, str]], list[str]]:
    """The headers of ``spans`` over the runs of adjacent columns they fit, and every column's own header."""
    headers = [_pick(rng, COLUMNS[k][1][era]) for k in columns]
    groups: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    for titles, members in spans:
        run = _longest_run(columns, members, taken)
        if len(run) >= 2:
            groups.append((run[0], run[-1], _pick(rng, titles.split("|"))))
            taken |= set(run)
            for i in run:
                headers[i] = _pick(rng, members[columns[i]].split("|"))
    return sorted(groups), headers


def _longest_run(columns: list[str], members: dict[str, str], taken: set[int]) -> list[int]:
    best: list[int] = []
    run: list[int] = []
    for i, key in enumerate(columns):
        run = run + [i] if key in members and i not in taken else []
        best = max(best, run, key=len)
    return best


# --------------------------------------------------------------------------- drawing


@dataclass(frozen=True)
class BookPage:
    """A rendered page: the image (RGB), the records of the entries it holds, its printed text (NFC lines)."""

    image: np.ndarray
    records: list[dict[str, str]]
    text: str


@dataclass(frozen=True)
class _Pen:
    """How one hand writes: ink, typeface, size against print, extra stroke width, turn and slant of the letters,
    spacing."""

    ink: tuple[int, int, int]
    face: str
    scale: float
    weight: int
    tilt: float  # degrees, counter-clockwise
    slant: float  # shear of the letters, on top of the italic's
    spacing: float

    def measure(self, text: str, size: int) -> float:
        return _font(round(size * self.scale), face=self.face).getlength(text) * self.spacing * 1.05


def _new_pen(rng: np.random.Generator, dpi: int) -> _Pen:
    return _Pen(_pick(rng, _INKS), _pick(rng, ("serif-italic", "sans-italic")), float(rng.uniform(1.0, 1.2)),
                int(rng.integers(0, 2)) * (dpi // 200), float(rng.uniform(-6, 3)), float(rng.uniform(0.0, 0.3)),
                float(rng.uniform(0.92, 1.1)))


def _write(page: Image.Image, x: float, y: float, text: str, size: int, pen: _Pen, rng: np.random.Generator) -> None:
    """``text`` by hand on the baseline from (x, y): glyph by glyph, each bigger or smaller, slanted and turned its
    own way, lighter or darker, off a wavy baseline, unevenly spaced."""
    phase, wave = rng.uniform(0, 2 * math.pi), size * rng.uniform(0.04, 0.12)
    for i, ch in enumerate(text):
        font = _font(max(6, round(size * pen.scale * rng.uniform(0.85, 1.15))), face=pen.face)
        advance = font.getlength(ch) * pen.spacing
        if not ch.isspace():
            mask = Image.new("L", (round(advance) + 2 * size, 3 * size), 0)
            ImageDraw.Draw(mask).text((size, 2 * size), ch, font=font, fill=int(rng.integers(170, 256)), anchor="ls",
                                      stroke_width=pen.weight, stroke_fill=255)
            shear = pen.slant + rng.normal(0, 0.08)  # x' = x + shear * (height above the baseline)
            mask = mask.transform(mask.size, Image.Transform.AFFINE, (1, shear, -2 * size * shear, 0, 1, 0),
                                  Image.Resampling.BICUBIC)
            mask = mask.rotate(pen.tilt + rng.normal(0, 5), resample=Image.Resampling.BICUBIC)
            dy = wave * math.sin(phase + 0.7 * i) + rng.normal(0, 0.05 * size)
            page.paste(pen.ink, (round(x - size), round(y - 2 * size + dy)), mask)
        x += advance * rng.uniform(0.88, 1.12)


def _scribble(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], rng: np.random.Generator,
              pen: _Pen) -> None:
    """A signature: a few loops of pen across the left of ``box``."""
    x0, y0, x1, y1 = box
    n = int(rng.integers(6, 11))
    xs = np.linspace(x0, x0 + (x1 - x0) * rng.uniform(0.5, 0.9), n)
    ys = rng.uniform(y0, y1, n)
    draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=pen.ink, width=2 + pen.weight, joint="curve")


def _wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``text``'s lines ('\\n' breaks too) filled word by word to ``width``."""
    lines = []
    for part in text.split("\n"):
        line = ""
        for word in part.split():
            if line and measure(f"{line} {word}") > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
    return [line for line in lines if line]


def _date(d: dt.date, style: str) -> str:
    return {"dmy": f"{d.day:02d}/{d.month:02d}/{d.year}", "dmyshort": f"{d.day}/{d.month}/{d.year}",
            "dmydash": f"{d.day:02d}-{d.month:02d}-{d.year}", "dmydot": f"{d.day:02d}.{d.month:02d}.{d.year}"}[style]


def _cell(layout: BookLayout, entry: Entry, key: str) -> str:
    """What an entry's cell says: its value, a date in the book's format, a name with its second line."""
    value = entry.values.get(key, "")
    if isinstance(value, dt.date):
        return _date(value, layout.date_style)
    if key in _NAMES and layout.upper_names:
        value = value.upper()
    if layout.two_line == "namegender" and key in ("name", "dead_name"):
        value += f"\n({entry.values['gender']})"
    elif layout.two_line == "alias" and key in _ALIASED and entry.values["alias"]:
        value += f"\nTên gọi khác: {entry.values['alias']}"
    return str(value)


def _record(layout: BookLayout, entry: Entry) -> dict[str, str]:
    names = {"full_name", "father_name", "mother_name", "husband_name", "wife_name"}
    return {k: v.upper() if layout.upper_names and k in names else v for k, v in entry.record.items()}


class _Sheet:
    """One page being drawn: canvas, type sizes, column edges and the text printed so far, panel by panel."""

    def __init__(self, layout: BookLayout, entries: list[Entry]) -> None:
        self.layout, self.dpi = layout, layout.dpi
        self.rng = np.random.default_rng(layout.seed)
        w_mm, h_mm = PAPERS[layout.paper]
        self.page = Image.new("RGB", (_px(w_mm, self.dpi), _px(h_mm, self.dpi)), "white")
        self.draw = ImageDraw.Draw(self.page)
        self.margin = _px(12, self.dpi)
        self.ink = (25, 25, 30)
        self.text: list[str] = []
        self.size = round(layout.font_pt * self.dpi / 72)
        for _ in range(8):  # smaller type until no word is wider than its column
            self.pitch, self.pad = round(self.size * 1.3), round(self.size * 0.4)
            mins = self._min_widths(entries)
            if all(sum(mins[i] for i in cols) <= b - a for cols, (a, b) in self._pages()):
                break
            self.size = round(self.size * 0.92)
        self.panels = [(cols, _edges(a, [mins[i] for i in cols], [COLUMNS[self.layout.columns[i]][0] for i in cols],
                                     b - a)) for cols, (a, b) in self._pages()]
        self.panel_text: list[list[str]] = [[] for _ in self.panels]
        self.edges = {i: (xs[j], xs[j + 1]) for cols, xs in self.panels for j, i in enumerate(cols)}

    def font(self, bold: bool = False, scale: float = 1.0, italic: bool = False) -> _Font:
        face = f"{self.layout.face}-italic" if italic else self.layout.face
        return _font(round(self.size * scale), bold, face)

    def _min_widths(self, entries: list[Entry]) -> list[float]:
        """Each column's least width: its longest word, of the header or of a cell, and a third of its longest cell
        line (by hand: at its widest)."""
        bold, font = self.font(bold=self.layout.bold_header), self.font()
        hand = 1.35 if self.layout.handwritten else 1.0
        cells = [[line for e in entries for line in _cell(self.layout, e, k).split("\n")] for k in self.layout.columns]
        return [2 * self.pad + max([bold.getlength(w) for w in header.split()]
                                   + [hand * max([font.getlength(s) / 3, *map(font.getlength, s.split())]) for s in c])
                for header, c in zip(self.layout.headers, cells, strict=True)]

    def _pages(self) -> list[tuple[list[int], tuple[int, int]]]:
        """The columns on each page and its left and right edges: one page, or both pages of an open book."""
        n, width = len(self.layout.columns), self.page.width
        if not self.layout.spread:
            return [(list(range(n)), (self.margin, width - self.margin))]
        weights = [COLUMNS[k][0] for k in self.layout.columns]
        inside = {i for first, last, _ in self.layout.groups for i in range(first + 1, last + 1)}
        k = min((i for i in range(1, n) if i not in inside), key=lambda i: abs(sum(weights[:i]) - sum(weights) / 2))
        gutter = _px(10, self.dpi)
        return [(list(range(k)), (self.margin, width // 2 - gutter)),
                (list(range(k, n)), (width // 2 + gutter, width - self.margin))]

    def put(self, x: float, y: float, s: str, font: _Font, align: str = "left", width: float = 0) -> None:
        """Print ``s`` with its top-left at (x, y), or centred / right-aligned in ``width`` from x."""
        shift = {"left": 0.0, "center": (width - font.getlength(s)) / 2, "right": width - font.getlength(s)}[align]
        self.draw.text((x + shift, y), s, font=font, fill=self.ink)

    def title(self) -> int:
        """The title block the layout asks for; where the table starts."""
        layout, y = self.layout, self.margin
        x0, x1 = self.panels[0][1][0], self.panels[-1][1][-1]
        left_x1 = self.panels[0][1][-1]
        book = _BOOK_TITLES[layout.book_type]
        page_no = _pick(self.rng, (f"Trang {layout.page_no}", str(layout.page_no), f"- {layout.page_no} -"))
        small = self.font(scale=0.9)
        if layout.title == "title":
            office = _pick(self.rng, ([f"UBND XÃ {layout.commune.upper()}"],
                                      ["ỦY BAN NHÂN DÂN", f"XÃ {layout.commune.upper()}"]))
            for i, s in enumerate(office):
                self.put(x0, y + i * self.pitch, s, self.font(bold=True))
            self.put(x1, y, page_no, small, "right")
            y += len(office) * self.pitch + self.pitch // 2
            big, sub = self.font(bold=True, scale=1.7), self.font(italic=True, scale=1.1)
            book_line = _pick(self.rng, (f"Năm {layout.year}", f"Quyển số: {layout.book_no:02d} - Năm {layout.year}",
                                         f"Năm {layout.year} - Quyển số {layout.book_no:02d}"))
            self.put(x0, y, f"SỔ ĐĂNG KÝ {book.upper()}", big, "center", left_x1 - x0)
            self.put(x0, y + round(self.size * 2.3), book_line, sub, "center", left_x1 - x0)
            self.text += [*office, page_no, f"SỔ ĐĂNG KÝ {book.upper()}", book_line]
            return y + round(self.size * 4.2)
        if layout.title == "runhead":
            head = _pick(self.rng, (f"Sổ đăng ký {book} - Năm {layout.year}",
                                    f"SỔ ĐĂNG KÝ {book.upper()} NĂM {layout.year}",
                                    f"Sổ đăng ký {book} năm {layout.year} - Xã {layout.commune}"))
            self.put(x0, y, head, small)
            self.text.append(head)
        if layout.title in ("runhead", "pageno"):
            self.put(x1, y, page_no, small, "right")
            self.text.append(page_no)
            return y + round(self.size * 2.2)
        return y

    def header(self, top: int) -> tuple[int, list[int]]:
        """The header cells (group titles, the columns' own, the column numbers); the bottom of the group titles'
        band and the rows' edges, from the top of the header to the top of the first entry."""
        layout, bold = self.layout, self.font(bold=self.layout.bold_header)
        lines = [_wrap(h, self._inner(i), bold.getlength) for i, h in enumerate(layout.headers)]
        titles = [(first, last, _wrap(t, self.edges[last][1] - self.edges[first][0] - 2 * self.pad, bold.getlength))
                  for first, last, t in layout.groups]
        grouped = {i for first, last, _ in layout.groups for i in range(first, last + 1)}
        band = max(len(t) for *_, t in titles) * self.pitch + 2 * self.pad if titles else 0
        sub = max([len(lines[i]) for i in grouped] + [0]) * self.pitch + 2 * self.pad
        plain = max([len(lines[i]) for i in range(len(lines)) if i not in grouped] + [0]) * self.pitch + 2 * self.pad
        bottom = top + max(band + sub, plain)
        for first, last, t in titles:
            self._block(t, self.edges[first][0], self.edges[last][1], top, top + band, bold, "center")
        for i, cell in enumerate(lines):
            self._block(cell, *self.edges[i], top + band if i in grouped else top, bottom, bold, "center")
        for p, (cols, _) in enumerate(self.panels):
            self.panel_text[p] += [t for first, _, title in titles if first in cols for t in title]
            self.panel_text[p] += _across([lines[i] for i in cols])
        if layout.numbered == "nocolnum":
            return top + band, [top, bottom]
        numbers = [f"({i + 1})" if layout.numbered == "colnum" else str(i + 1) for i in range(len(lines))]
        for i, s in enumerate(numbers):
            self._block([s], *self.edges[i], bottom, bottom + self.pitch + self.pad, self.font(scale=0.85), "center")
        for p, (cols, _) in enumerate(self.panels):
            self.panel_text[p].append(" ".join(numbers[i] for i in cols))
        return top + band, [top, bottom, bottom + self.pitch + self.pad]

    def _inner(self, i: int) -> float:
        return self.edges[i][1] - self.edges[i][0] - 2 * self.pad

    def _block(self, lines: list[str], x0: float, x1: float, y0: float, y1: float, font: _Font, align: str) -> None:
        """``lines`` centred from top to bottom between y0 and y1, and aligned between x0 and x1."""
        y = y0 + (y1 - y0 - len(lines) * self.pitch) / 2 + (self.pitch - self.size) / 3
        for j, s in enumerate(lines):
            self.put(x0 + self.pad, y + j * self.pitch, s, font, align, x1 - x0 - 2 * self.pad)

    def rows(self, top: int, entries: list[Entry]) -> tuple[list[int], int]:
        """As many entries as fit, one per row, from ``top``; the rows' edges (empty ruled rows' too) and how many
        entries were drawn."""
        layout, font = self.layout, self.font()
        bottom_limit = self.page.height - self.margin
        ys, drawn, pen = [top], 0, _new_pen(self.rng, self.dpi)
        for entry in entries:
            if layout.handwritten and self.rng.random() < 0.4:
                pen = _new_pen(self.rng, self.dpi)
            size = round(self.size * pen.scale) if layout.handwritten else self.size
            pitch = round(size * 1.3)
            measure = partial(pen.measure, size=self.size) if layout.handwritten else font.getlength
            cells = [_wrap(_cell(layout, entry, k), self._inner(i), measure) for i, k in enumerate(layout.columns)]
            height = max(round(layout.min_row * self.pitch), max(map(len, cells)) * pitch + 2 * self.pad)
            if ys[-1] + height > bottom_limit:
                break
            self._entry(cells, ys[-1], height, pitch, pen)
            ys.append(ys[-1] + height)
            drawn += 1
        while layout.blank_rows and ys[-1] + layout.min_row * self.pitch <= bottom_limit:
            ys.append(ys[-1] + round(layout.min_row * self.pitch))
        return ys, drawn

    def _entry(self, cells: list[list[str]], y: int, height: int, pitch: int, pen: _Pen) -> None:
        layout = self.layout
        for i, (key, lines) in enumerate(zip(layout.columns, cells, strict=True)):
            x0, x1 = self.edges[i]
            if key in _SIGNED:
                self._sign(x0, x1, y, height, pen)
            elif layout.handwritten:
                top = y + (height - len(lines) * pitch) / 2
                for j, s in enumerate(lines):
                    shift = (x1 - x0 - 2 * self.pad - pen.measure(s, self.size)) / 2 if key in _CENTRED else 0
                    _write(self.page, x0 + self.pad + max(0.0, shift), top + (j + 0.85) * pitch, s, self.size, pen,
                           self.rng)
            else:
                self._block(lines, x0, x1, y, y + height, self.font(), "center" if key in _CENTRED else "left")
        for p, (cols, _) in enumerate(self.panels):
            self.panel_text[p] += _across([cells[i] for i in cols if layout.columns[i] not in _SIGNED])

    def _sign(self, x0: int, x1: int, y: int, height: int, pen: _Pen) -> None:
        if self.rng.random() < 0.85:
            _scribble(self.draw, (x0 + self.pad, y + height * 0.25, x1 - self.pad, y + height * 0.75), self.rng, pen)

    def rules(self, band: int, ys: list[int]) -> None:
        """The ruling the layout asks for: a full grid (bold or faint), horizontal rules only, or none; ``ys`` are
        the rows' edges from the header's top down."""
        mode, ink, width = self.layout.rules, (self.layout.line_ink,) * 3, self.layout.line_px
        if mode == "norules":
            return
        spans = [(self.edges[first][0], self.edges[last][1]) for first, last, _ in self.layout.groups]
        for _, xs in self.panels:
            for y in ys:
                self.draw.line([(xs[0], y), (xs[-1], y)], fill=ink, width=width)
            if mode in ("grid", "faint"):
                for x in xs:
                    start = band if any(a < x < b for a, b in spans) else ys[0]
                    self.draw.line([(x, start), (x, ys[-1])], fill=ink, width=width)
        inset = 0 if mode != "hrules" else self.pad
        for a, b in spans:
            self.draw.line([(a + inset, band), (b - inset, band)], fill=ink, width=width)

    def gutter(self) -> None:
        """The fold of an open book: a shadow down the middle."""
        img = np.asarray(self.page).astype(np.float32)
        dx = np.arange(img.shape[1]) - img.shape[1] / 2
        img *= (1 - 0.35 * np.exp(-((dx / _px(4, self.dpi)) ** 2)))[None, :, None]
        self.page = Image.fromarray(img.astype(np.uint8))


def _edges(left: int, mins: list[float], weights: list[float], room: int) -> list[int]:
    """Column edges from ``left``: ``room`` shared by weight, no column narrower than its minimum."""
    fixed: set[int] = set()
    while True:
        free = room - sum(mins[i] for i in fixed)
        total = sum(w for i, w in enumerate(weights) if i not in fixed)
        widths = [mins[i] if i in fixed else free * w / total for i, w in enumerate(weights)]
        short = {i for i, w in enumerate(widths) if w < mins[i]}
        if not short:
            break
        fixed |= short
        if len(fixed) == len(weights):
            widths = mins
            break
    return [round(left + sum(widths[:m])) for m in range(len(widths) + 1)]


def _across(cells: list[list[str]]) -> list[str]:
    """The lines of a row of cells as read across: every cell's first line, then every cell's second..."""
    n = max(map(len, cells), default=0)
    return [" ".join(c[j] for c in cells if j < len(c)) for j in range(n)]


def render_book_page(layout: BookLayout, entries: list[Entry]) -> BookPage:
    """The page of ``layout`` holding the first of ``entries`` that fit (``records`` says which)."""
    sheet = _Sheet(layout, entries)
    band, heads = sheet.header(sheet.title())
    ys, drawn = sheet.rows(heads[-1], entries)
    sheet.rules(band, heads[:-1] + ys)
    if layout.spread:
        sheet.gutter()
    text = "\n".join(sheet.text + [s for lines in sheet.panel_text for s in lines])
    return BookPage(np.asarray(sheet.page), [_record(layout, e) for e in entries[:drawn]], text)
