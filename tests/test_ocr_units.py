"""Preprocessing and reading order on synthetic input: fast, no Tesseract."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr.analysis import scanner_border
from ocr.preprocess import prepare
from ocr.reading_order import reading_order_lines
from ocr.recognize import Word
from ocr.rules import Rules, erase_rules, line_masks
from sohoa.sample import blank_page, render_page, rotate, skew

LINES = [f"Dòng thứ {i}: Nguyễn Văn An sinh ngày 15/03/1990 tại xã An Hòa" for i in range(14)]


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_quarter_turns_are_found(turns: int) -> None:
    prepared = prepare(rotate(render_page(LINES), turns), 200)
    assert prepared.rotation == (90 * turns) % 360 and not prepared.blank


@pytest.mark.parametrize("angle", [-5.0, -1.5, 2.5, 6.0])
def test_skew_is_measured(angle: float) -> None:
    assert abs(prepare(skew(render_page(LINES), angle), 200).skew_deg - angle) < 0.25


@pytest.mark.parametrize("turns", [1, 3])
@pytest.mark.parametrize("angle", [-3.0, 2.0])
def test_a_sideways_page_is_turned_and_its_tilt_measured_upright(turns: int, angle: float) -> None:
    prepared = prepare(rotate(skew(render_page(LINES), angle), turns), 200)
    assert prepared.rotation == 90 * turns and abs(prepared.skew_deg - angle) < 0.25


def _component_boxes(mask: np.ndarray) -> set[tuple[float, float, float, float]]:
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return {(float(x), float(y), float(x + w), float(y + h)) for x, y, w, h, _ in stats[1:count]}


def test_ruling_lines_come_out_as_one_box_each_top_to_bottom() -> None:
    page = np.full((1200, 1000), 255, np.uint8)
    for y in (100, 400, 700, 1000):  # a table's row rules, one of them tilted by a pixel over its length
        cv2.line(page, (80, y), (920, y + (1 if y == 700 else 0)), 0, 3)
    for x in (80, 500, 920):
        cv2.line(page, (x, 100), (x, 1000), 0, 3)
    cv2.rectangle(page, (560, 450), (880, 650), 0, 2)  # a framed box inside a cell, with an underline inside it
    cv2.line(page, (600, 560), (840, 560), 0, 2)
    cv2.putText(page, "Nguyen Van An", (120, 300), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 3)
    erased, rules = erase_rules(page, 300)  # the boxes are those of the masks' connected pieces
    assert rules.horizontal == sorted(rules.horizontal, key=lambda b: (b[1], b[0]))
    assert len(rules.horizontal) == 7 and len(rules.vertical) == 5  # 4 rows, the frame's 2 sides and underline
    assert all(b[3] - b[1] > 800 for b in rules.vertical if b[0] < 100 or b[2] > 900)
    horizontal, vertical, _ = line_masks(page, 300)
    assert set(rules.horizontal) == _component_boxes(horizontal) and set(rules.vertical) == _component_boxes(vertical)
    assert (erased[560, 600:840] == 255).all() and (erased < 128).sum() > 500  # rules gone, the words kept


def test_a_faint_one_pixel_grid_is_found_but_pale_shading_is_no_rule() -> None:
    page = np.full((1200, 1000), 255, np.uint8)
    for y in (100, 300, 500, 700):  # a light grey grid, one pixel wide, as some books print theirs
        page[y, 80:920] = 215
    for x in (80, 500, 920):
        page[100:700, x] = 215
    page[800:1000, 100:900] = 225  # a pale shaded box with words in it
    cv2.putText(page, "Ho va ten", (150, 920), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 3)
    erased, rules = erase_rules(page, 300)
    assert len(rules.horizontal) == 4 and len(rules.vertical) == 3
    assert all(b[3] < 720 for b in rules.horizontal + rules.vertical)  # nothing of the shaded box
    assert (erased[100, 100:900] == 255).all() and (erased[850:950, 150:400] < 128).sum() > 500
    frame = np.full((600, 900), 255, np.uint8)  # a card's faint border rules no rows of a table: not a rule
    frame[[40, 560], 40:860] = 215
    frame[40:560, [40, 860]] = 215
    assert erase_rules(frame, 300)[1] == Rules()


def test_scanner_border_is_the_dark_along_the_edges_only() -> None:
    page = np.full((600, 400), 240, np.uint8)
    page[200:260, 150:250] = 30  # a dark picture inside the page: no border
    assert not scanner_border(page).any()
    page[:, :25] = 20  # the lid along the left edge
    border = scanner_border(page)
    assert border[:, :25].all() and not border[200:260, 150:250].any()


def test_blank_page_with_bleed_through_is_blank() -> None:
    assert prepare(blank_page(), 200).blank
    assert not prepare(render_page(["Một dòng chữ ngắn", "và một dòng nữa"]), 200).blank


def _word(text: str, left: float, top: float, line: int, conf: float = 0.95, height: float = 30) -> Word:
    return Word(text, left, top, left + 20 * len(text), top + height, conf, (1, 1, line))


def test_two_columns_are_read_left_column_first() -> None:
    words = [_word("ỦY BAN", 100, 100, 1), _word("CỘNG HÒA", 900, 100, 1),
             _word("XÃ AN HÒA", 100, 140, 2), _word("Độc lập", 900, 145, 2),
             _word("Số: 12", 100, 180, 3),
             _word("QUYẾT ĐỊNH", 500, 300, 4)]
    assert reading_order_lines(words) == ["ỦY BAN", "XÃ AN HÒA", "Số: 12", "CỘNG HÒA", "Độc lập", "QUYẾT ĐỊNH"]


def test_form_rows_and_ruled_tables_read_across() -> None:
    form = [_word("Giới tính:", 100, 100, 1), _word("Nam", 330, 100, 1), _word("Dân tộc:", 900, 100, 1),
            _word("Kinh", 1080, 100, 1), _word("Quốc tịch:", 100, 140, 2), _word("Việt Nam", 330, 140, 2),
            _word("Tôn giáo:", 900, 140, 2), _word("Không", 1100, 140, 2)]
    assert reading_order_lines(form) == ["Giới tính: Nam Dân tộc: Kinh", "Quốc tịch: Việt Nam Tôn giáo: Không"]
    cells = [_word("12", 100, 100, 1), _word("Lê Văn Tám", 900, 100, 1), _word("13", 100, 140, 2),
             _word("Trần Thị Bé", 900, 145, 2)]
    rule = (700.0, 80.0, 704.0, 200.0)
    assert reading_order_lines(cells, [rule]) == ["12 Lê Văn Tám", "13 Trần Thị Bé"]


def test_a_table_without_rules_reads_across() -> None:
    rows = [[("1", 100), ("Lê Văn Tám", 300), ("Nam", 700), ("12/05/1990", 1000)],
            [("2", 100), ("Trần Thị Bé", 300), ("Nữ", 700), ("03/11/1991", 1000)],
            [("3", 100), ("Đỗ An", 300), ("Nam", 700), ("21/01/1992", 1000)]]
    words = [_word(text, x, 100 + 40 * i, i) for i, row in enumerate(rows) for text, x in row]
    assert reading_order_lines(words) == ["1 Lê Văn Tám Nam 12/05/1990", "2 Trần Thị Bé Nữ 03/11/1991",
                                          "3 Đỗ An Nam 21/01/1992"]


def test_signature_blocks_are_read_block_by_block_across_the_space_for_signatures() -> None:
    words = [_word("Chồng", 100, 100, 1), _word("Vợ", 900, 100, 1),
             _word("(Ký, ghi rõ họ tên)", 100, 140, 2), _word("(Ký, ghi rõ họ tên)", 900, 140, 2),
             _word("Lê Văn Tám", 100, 300, 3), _word("Trần Thị Bé", 900, 300, 3)]
    assert reading_order_lines(words) == ["Chồng", "(Ký, ghi rõ họ tên)", "Lê Văn Tám",
                                          "Vợ", "(Ký, ghi rõ họ tên)", "Trần Thị Bé"]


def test_a_column_whose_line_falls_apart_still_has_one_gutter() -> None:
    """The date line of a signature block read in pieces (small italic print) beside a card's class."""
    words = [_word("Hạng/Class: A1", 100, 100, 1), _word("Hà Nội, ng", 700, 100, 2), _word("03 tháng", 960, 100, 2),
             _word("08 năm 2023", 1200, 100, 2),
             _word("Có giá trị: Không thời hạn", 100, 140, 3), _word("GIÁM ĐỐC", 800, 145, 4),
             _word("Bùi Đức Khải", 800, 185, 5)]
    assert reading_order_lines(words) == ["Hạng/Class: A1", "Có giá trị: Không thời hạn",
                                          "Hà Nội, ng 03 tháng 08 năm 2023", "GIÁM ĐỐC", "Bùi Đức Khải"]


def test_background_read_as_marks_does_not_join_or_split_columns() -> None:
    words = [_word("ỦY BAN", 100, 100, 1), _word("_", 400, 105, 1, conf=0.9), _word("~", 600, 100, 1, conf=0.4),
             _word("CỘNG HÒA", 900, 100, 1), _word("XÃ AN HÒA", 100, 140, 2), _word("Độc lập", 900, 145, 2),
             _word(")", 20, 140, 2, conf=0.92, height=150), _word("Fe.", 40, 160, 2, conf=0.9, height=120),
             _word("&", 600, 190, 3, conf=0.1)]
    assert reading_order_lines(words) == ["ỦY BAN", "XÃ AN HÒA", "CỘNG HÒA", "Độc lập"]
