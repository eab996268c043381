"""Preprocessing and reading order on synthetic input: fast, no Tesseract."""
from __future__ import annotations

import pytest

from ocr.preprocess import prepare
from ocr.reading_order import reading_order_lines
from ocr.recognize import Word
from sohoa.sample import blank_page, render_page, rotate, skew

LINES = [f"Dòng thứ {i}: Nguyễn Văn An sinh ngày 15/03/1990 tại xã An Hòa" for i in range(14)]


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_quarter_turns_are_found(turns: int) -> None:
    prepared = prepare(rotate(render_page(LINES), turns), 200)
    assert prepared.rotation == (90 * turns) % 360 and not prepared.blank


@pytest.mark.parametrize("angle", [-5.0, -1.5, 2.5, 6.0])
def test_skew_is_measured(angle: float) -> None:
    assert abs(prepare(skew(render_page(LINES), angle), 200).skew_deg - angle) < 0.25


def test_blank_page_with_bleed_through_is_blank() -> None:
    assert prepare(blank_page(), 200).blank
    assert not prepare(render_page(["Một dòng chữ ngắn", "và một dòng nữa"]), 200).blank


def _word(text: str, left: float, top: float, line: int) -> Word:
    return Word(text, left, top, left + 20 * len(text), top + 30, 0.95, (1, 1, line))


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
    assert reading_order_lines(form) == ["Giới tính: Nam", "Dân tộc: Kinh", "Quốc tịch: Việt Nam", "Tôn giáo: Không"]
    cells = [_word("12", 100, 100, 1), _word("Lê Văn Tám", 900, 100, 1), _word("13", 100, 140, 2),
             _word("Trần Thị Bé", 900, 145, 2)]
    rule = (700.0, 80.0, 704.0, 200.0)
    assert reading_order_lines(cells, [rule]) == ["12", "Lê Văn Tám", "13", "Trần Thị Bé"]
