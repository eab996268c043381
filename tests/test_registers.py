"""The register reader's steps, each alone: the grid from the rules, the columns named by their titles, one record
per row, the entry numbers repaired."""
from __future__ import annotations

import datetime as dt

from ocr.doctypes import RECORD_FIELDS
from ocr.recognize import Word
from ocr.registers import (
    Column,
    Grid,
    Table,
    entry_cells,
    find_grid,
    name_columns,
    number_in_sequence,
    read_entries,
    read_rows,
    register_type,
)
from ocr.rules import Rules
from ocr.validate import record_doubts

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
    assert grid == Grid([100.0, 401.0, 801.0, 1300.0], [101.0, 201.0, 301.0], LINE_H, tuple(inner))
    assert grid.bands == [(101.0, 201.0), (201.0, 301.0)]
    assert find_grid(words, Rules(rows[:1], inner)) is None  # one row rule: no table
    assert find_grid(words, Rules(rows, [])) is None  # two column edges: no table


def test_columns_are_named_by_their_titles_and_a_column_of_two_titles_is_split() -> None:
    grid = Grid([100.0, 700.0, 1300.0], [100.0, 150.0, 200.0, 250.0], LINE_H,
                tuple((x, 100.0, x + 2, 250.0) for x in (100.0, 700.0, 1300.0)))
    titles = cell("Số", 110, 110) + cell("Ngày đăng ký", 400, 110) + cell("Họ và tên", 710, 110)
    entries = (cell("7", 110, 160) + cell("03/02/2004", 400, 160) + cell("Lê Văn Tám", 710, 160)
               + cell("8", 110, 210) + cell("05/02/2004", 400, 210) + cell("Đỗ Thị Hoa", 710, 210))
    table = name_columns(grid, titles + entries)
    assert table.header[1] == 150.0  # the titles end where the first entry begins
    assert [c.field for c in table.columns] == ["registration_number", "registration_date", "full_name"]
    assert table.reads_as(["full_name"])


def test_cells_name_a_column_whose_title_was_misread() -> None:
    # the entry number's title and the registration date's came out as noise; a note column stays a note
    grid = Grid([100.0, 300.0, 900.0, 1200.0, 1500.0], [100.0, 150.0, 200.0, 250.0], LINE_H)
    words = (cell("Xqz", 110, 110) + cell("Họ và tên", 310, 110) + cell("Tin H000) g ký", 910, 110)
             + cell("Ghi chú", 1210, 110)
             + cell("31", 110, 160) + cell("Lê Văn Tám", 310, 160) + cell("01/02/2004", 910, 160)
             + cell("32", 110, 210) + cell("Đỗ Thị Hoa", 310, 210) + cell("03/02/2004", 910, 210)
             + cell("Cấp bản sao", 1210, 210))
    assert [c.field for c in name_columns(grid, words, "death_register_page").columns] == [
        "registration_number", "full_name", "registration_date", "note"]


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


def test_an_unruled_book_reads_by_alignment_and_a_cell_second_line_stays_out_of_the_name() -> None:
    titles = (cell("STT", 100, 100) + cell("Ngày đăng ký", 250, 100) + cell("Họ và tên", 600, 100)
              + cell("Tên người cha", 1100, 100))
    rows = []
    for i, (name, second, father) in enumerate([("Lê Văn Tám", "(Nam)", "Lê Văn Bảy"),
                                                 ("Đỗ Thị Hoa", "Tên gọi khác: Út", "Đỗ Văn Ba"),
                                                 ("Vũ Đức Thắng", "", "Vũ Đức Long")]):
        top = 200 + 110 * i
        rows += cell(str(31 + i), 100, top) + cell(f"0{2 + i}/03/2019", 250, top) + cell(name, 600, top)
        rows += cell(father, 1100, top) + (cell(second, 600, top + 40) if second else [])
    records = read_entries("birth_register_page", titles + rows, Rules()).records
    assert records == [
        {"registration_number": "31", "registration_date": "2019-03-02", "full_name": "Lê Văn Tám", "gender": "Nam",
         "father_name": "Lê Văn Bảy"},  # its gender written under the name
        {"registration_number": "32", "registration_date": "2019-03-03", "full_name": "Đỗ Thị Hoa",
         "father_name": "Đỗ Văn Ba"},
        {"registration_number": "33", "registration_date": "2019-03-04", "full_name": "Vũ Đức Thắng",
         "father_name": "Vũ Đức Long"}]


def test_a_group_title_over_ruled_columns_names_each_with_its_own_title() -> None:
    # 'Ngày, tháng, năm' spans two columns: the rule between them starts below it
    xs, ys = [100.0, 300.0, 600.0, 900.0, 1400.0], [100.0, 150.0, 200.0, 250.0, 300.0]
    vertical = [(x, 100.0, x + 2, 300.0) for x in (100.0, 300.0, 900.0, 1400.0)] + [(600.0, 150.0, 602.0, 300.0)]
    words = (cell("Số", 110, 110) + cell("Ngày, tháng, năm", 620, 110) + cell("Họ và tên", 910, 110)
             + cell("Sinh", 310, 160) + cell("Đăng ký", 610, 160)
             + cell("7", 110, 210) + cell("01/02/2004", 310, 210) + cell("03/02/2004", 610, 210)
             + cell("Lê Văn Tám", 910, 210)
             + cell("8", 110, 260) + cell("02/02/2004", 310, 260) + cell("05/02/2004", 610, 260)
             + cell("Đỗ Thị Hoa", 910, 260))
    table = name_columns(Grid(xs, ys, LINE_H, tuple(vertical)), words, "birth_register_page")
    assert [c.field for c in table.columns] == ["registration_number", "date_of_birth", "registration_date",
                                                 "full_name"]


def test_dates_whose_titles_were_lost_are_told_apart_by_their_order() -> None:
    # two date columns with unreadable titles: an entry is registered after the birth it records
    grid = Grid([100.0, 300.0, 600.0, 900.0, 1400.0], [100.0, 150.0, 200.0, 250.0], LINE_H)
    words = (cell("Số", 110, 110) + cell("Xq", 310, 110) + cell("Wz", 610, 110) + cell("Họ và tên", 910, 110)
             + cell("7", 110, 160) + cell("09/02/2004", 310, 160) + cell("01/02/2004", 610, 160)
             + cell("Lê Văn Tám", 910, 160)
             + cell("8", 110, 210) + cell("11/02/2004", 310, 210) + cell("28/01/2004", 610, 210)
             + cell("Đỗ Thị Hoa", 910, 210))
    fields = [c.field for c in name_columns(grid, words, "birth_register_page").columns]
    assert fields == ["registration_number", "registration_date", "date_of_birth", "full_name"]


def test_handwritten_entries_are_not_guessed() -> None:
    titles = cell("Số", 110, 110) + cell("Ngày đăng ký", 310, 110) + cell("Họ và tên", 610, 110)
    scrawl = [Word(t, x, y, x + 90, y + LINE_H, 0.35, (0, 0, 1)) for y in (160, 210, 260, 310)
              for t, x in (("4I", 110), ("0l/O2/2OO4", 310), ("Lê", 610), ("Vắn", 710), ("Tảm", 810))]
    rules = Rules([(100.0, y, 1200.0, y + 2) for y in (100, 150, 200, 250, 300, 350)],
                  [(x, 100.0, x + 2, 350.0) for x in (100, 300, 600, 1200)])
    found = read_entries("death_register_page", titles + scrawl, rules)
    assert found.handwritten and found.records == []


def test_a_page_from_the_middle_of_a_book_is_typed_by_its_columns() -> None:
    titles = (cell("STT", 110, 110) + cell("Ngày ĐK", 310, 110) + cell("Họ tên vợ", 610, 110)
              + cell("Họ tên chồng", 1010, 110))
    rows = [w for i in range(3) for w in cell(str(5 + i), 110, 160 + 50 * i) + cell(f"1{i}/05/2001", 310, 160 + 50 * i)
            + cell("Lê Thị Hoa", 610, 160 + 50 * i) + cell("Vũ Văn Ba", 1010, 160 + 50 * i)]
    rules = Rules([(100.0, y, 1400.0, y + 2) for y in (100, 150, 200, 250, 300)],
                  [(x, 100.0, x + 2, 300.0) for x in (100, 300, 600, 1000, 1400)])
    assert register_type(titles + rows, rules) == "marriage_register_page"
    assert register_type(cell("Kính gửi: Ủy ban nhân dân xã", 100, 100), Rules()) is None


def test_two_titles_in_one_unruled_column_are_split_at_the_entries_gutter() -> None:
    # 'Ngày chết' and 'NN chết' a little apart over one alignment column: cut where the entries leave a stripe
    grid = Grid([100.0, 300.0, 900.0, 1500.0], [], LINE_H)
    words = (cell("Số", 110, 110) + cell("Họ và tên", 310, 110) + cell("Ngày chết", 960, 110)
             + cell("NN chết", 1200, 110))
    for i in range(3):
        words += (cell(str(7 + i), 110, 160 + 50 * i) + cell("Lê Văn Tám", 310, 160 + 50 * i)
                  + cell(f"0{i + 1}/02/2004", 910, 160 + 50 * i) + cell("Già yếu", 1160, 160 + 50 * i))
    table = name_columns(grid, words, "death_register_page")
    assert [c.field for c in table.columns] == ["registration_number", "full_name", "date_of_death", "cause"]
    assert 1090 < table.columns[2].right < 1160  # between the dates' end and the causes' start


def test_the_lowest_title_line_says_whose_and_cells_name_an_untitled_column() -> None:
    # a group title 'Họ tên cha mẹ' fell into the mother's column; in the marriage book the husband's title was lost
    grid = Grid([100.0, 300.0, 800.0, 1300.0, 1600.0], [100.0, 150.0, 200.0, 250.0, 300.0], LINE_H)
    words = (cell("Số", 110, 105) + cell("Cha", 310, 125) + cell("Họ tên cha mẹ", 810, 100) + cell("Mẹ", 810, 125)
             + cell("Ngày ĐK", 1310, 105)
             + cell("7", 110, 160) + cell("Lê Văn Tám", 310, 160) + cell("Đỗ Thị Hoa", 810, 160)
             + cell("02/03/2019", 1310, 160)
             + cell("8", 110, 210) + cell("Vũ Văn Ba", 310, 210) + cell("Ngô Thị Lan", 810, 210)
             + cell("04/03/2019", 1310, 210))
    assert [c.field for c in name_columns(grid, words, "birth_register_page").columns] == [
        "registration_number", "father_name", "mother_name", "registration_date"]
    marriage = [w if w.text != "Mẹ" else Word("Vợ", w.left, w.top, w.right, w.bottom, w.conf, w.line)
                for w in words if w.text not in ("Cha", "Họ", "tên", "cha", "mẹ")]
    assert [c.field for c in name_columns(grid, marriage, "marriage_register_page").columns] == [
        "registration_number", "husband_name", "wife_name", "registration_date"]


def test_a_date_with_letters_for_digits_is_read_and_one_out_of_order_is_flagged() -> None:
    grid = Grid([100.0, 300.0, 700.0, 1200.0], [100.0, 150.0, 200.0, 250.0, 300.0], LINE_H)
    words = (cell("Số", 110, 110) + cell("Ngày đăng ký", 310, 110) + cell("Họ và tên", 710, 110)
             + cell("7", 110, 160) + cell("02/03/2019", 310, 160) + cell("Lê Văn Tám", 710, 160)
             + cell("8", 110, 210) + cell("O5/O3/2Ol9", 310, 210) + cell("Đỗ Thị Hoa", 710, 210)
             + cell("9", 110, 260) + cell("04/03/2019", 310, 260) + cell("Vũ Văn Ba", 710, 260))
    records = read_rows(name_columns(grid, words, "death_register_page"), RECORD_FIELDS["death_register_page"])
    assert [r["registration_date"] for r in records] == ["2019-03-02", "2019-03-05", "2019-03-04"]
    doubts = record_doubts(records)  # entries are registered in order: the repaired 05/03 cannot stand before 04/03
    assert [d.target for d in doubts] == ["records.2.registration_date"]
    assert "out of order" in doubts[0].reason


def test_side_by_side_titles_split_a_column_even_when_one_has_no_entries_read() -> None:
    # 'Nam, Nữ' beside 'Ngày tháng năm sinh' over one alignment column; the gender cells were not read at all
    grid = Grid([100.0, 300.0, 1100.0], [], LINE_H)
    words = cell("Số", 110, 110) + cell("Nam, Nữ", 320, 110) + cell("Ngày sinh", 700, 110)
    for i in range(3):
        words += cell(str(7 + i), 110, 160 + 50 * i) + cell(f"0{i + 1}/02/2004", 700, 160 + 50 * i)
    assert [c.field for c in name_columns(grid, words, "birth_register_page").columns] == [
        "registration_number", "gender", "date_of_birth"]
    above = cell("Số", 110, 110) + cell("Người mẹ", 700, 80) + cell("Họ và tên", 320, 110)  # a group title above
    rows = [w for i in range(3) for w in cell(str(7 + i), 110, 160 + 50 * i) + cell("Lê Thị Hoa", 320, 160 + 50 * i)]
    assert len(name_columns(grid, above + rows, "birth_register_page").columns) == 2


def test_a_misread_name_and_a_registration_years_away_are_flagged() -> None:
    records = [{"registration_number": "7", "registration_date": "2019-03-02", "full_name": "Lê Văn Tám"},
               {"registration_number": "8", "registration_date": "2019-03-05", "full_name": "Tlên Ngọc Hoa"},
               {"registration_number": "9", "registration_date": "2079-03-06", "full_name": "Vũ Thị Hoa"},
               {"registration_number": "10", "registration_date": "2019-03-09", "full_name": "Đỗ Đức Long"}]
    doubts = record_doubts(records, today=dt.date(2100, 1, 1))
    assert {d.target for d in doubts} == {"records.2.full_name", "records.3.registration_date"}


def test_a_ruled_grid_that_holds_no_word_is_no_table() -> None:
    # a picture's lines make a grid while every word of the page is outside it (OCRmyPDF's palette.pdf)
    words = cell("Bảng màu", 110, 600)
    rules = Rules([(100.0, y, 1300.0, y + 2) for y in (100, 200, 300)], [(x, 100.0, x + 2, 300.0) for x in (400, 800)])
    assert find_grid(words, rules) is not None
    assert entry_cells(words, rules) == []
    assert read_entries("birth_register_page", words, rules).records == []
