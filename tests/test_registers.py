"""The register reader's steps, each alone: the grid from the rules, the columns named by their titles, one record
per row, the entry numbers repaired."""
from __future__ import annotations

from ocr.recognize import Word
from ocr.registers import Column, Grid, Table, find_grid, name_columns, number_in_sequence, read_rows
from ocr.rules import Rules

LINE_H = 30.0


def cell(text: str, x: float, top: float) -> list[Word]:
    """The words of one cell's line, 18 px a character, from ``x``."""
    words = []
    for token in text.split():
        words.append(Word(token, x, top, x + 18 * len(token), top + LINE_H, 0.93, (0, 0, 1)))
        x += 18 * (len(token) + 1)
    return words


def test_the_grid_comes_from_the_long_rules_and_the_ends_of_the_row_rules() -> None:
    words = cell("Số", 110, 105)
    rows = [(100.0, y, 1300.0, y + 2) for y in (100, 200, 300)]
    inner = [(x, 100.0, x + 2, 300.0) for x in (400, 800)]  # the outer borders were never printed
    short = [(50.0, 500, 120, 502), (600.0, 600, 602, 620)]  # a dash and a tick are no rules of the table
    grid = find_grid(words, Rules(rows + short[:1], inner + short[1:]))
    assert grid == Grid([100.0, 401.0, 801.0, 1300.0], [101.0, 201.0, 301.0], LINE_H)
    assert grid.bands == [(101.0, 201.0), (201.0, 301.0)]
    assert find_grid(words, Rules(rows[:1], inner)) is None  # one row rule: no table
    assert find_grid(words, Rules(rows, [])) is None  # two column edges: no table


def test_columns_are_named_by_their_titles_and_a_column_of_two_titles_is_split() -> None:
    grid = Grid([100.0, 700.0, 1300.0], [100.0, 150.0, 200.0, 250.0], LINE_H)
    titles = cell("Số", 110, 110) + cell("Ngày đăng ký", 400, 110) + cell("Họ và tên", 710, 110)
    entries = cell("7", 110, 160) + cell("Lê Văn Tám", 710, 160) + cell("8", 110, 210) + cell("Đỗ Thị Hoa", 710, 210)
    table = name_columns(grid, titles + entries)
    assert table.header == (100.0, 150.0)
    assert [c.field for c in table.columns] == ["registration_number", "registration_date", "full_name"]
    assert table.reads_as(["full_name"])


def test_an_untitled_column_of_small_numbers_is_the_entry_number() -> None:
    grid = Grid([100.0, 300.0, 900.0, 1200.0], [100.0, 150.0, 200.0, 250.0], LINE_H)
    words = (cell("Xqz", 110, 110) + cell("Họ và tên", 310, 110) + cell("Ghi chú", 910, 110)
             + cell("31", 110, 160) + cell("Lê Văn Tám", 310, 160)
             + cell("32", 110, 210) + cell("Đỗ Thị Hoa", 310, 210))
    assert [c.field for c in name_columns(grid, words).columns] == ["registration_number", "full_name", "note"]


def test_one_record_per_row_below_the_titles() -> None:
    columns = [Column(100, 300, "registration_number"), Column(300, 900, "full_name"), Column(900, 1200, "note")]
    words = (cell("Số", 110, 110) + cell("Họ và tên", 310, 110)
             + cell("31", 110, 160) + cell("Lê Văn Tám", 310, 160) + cell("mất", 910, 160)
             + cell("32", 110, 210))  # one value: no entry
    table = Table(words, columns, (100.0, 150.0), [(100.0, 150.0), (150.0, 200.0), (200.0, 250.0)])
    assert read_rows(table, ["registration_number", "full_name"]) == [
        {"registration_number": "31", "full_name": "Lê Văn Tám"}]


def test_a_misread_entry_number_is_given_back_by_the_run() -> None:
    records = [{"registration_number": "12", "full_name": "A"}, {"registration_number": "18", "full_name": "B"},
               {"full_name": "C"}, {"registration_number": "15", "full_name": "D"}]
    assert [r["registration_number"] for r in number_in_sequence(records)] == ["12", "13", "14", "15"]
    alone = [{"registration_number": "12"}, {"registration_number": "40"}]
    assert number_in_sequence(alone) == alone  # no run most numbers agree on
