"""Register column titles read by what they mean: wordings of several decades, abbreviations, other word orders,
group titles over several columns, OCR slips; the columns a record does not score are known for what they are."""
from __future__ import annotations

import pytest

from ocr.register_headers import field_of, is_column_numbering, meaning
from ocr.syllables import split_syllables


@pytest.mark.parametrize(("title", "field"), [
    ("Số", "registration_number"), ("Số TT", "registration_number"), ("STT", "registration_number"),
    ("Số thứ tự", "registration_number"), ("Số đăng ký", "registration_number"),
    ("Ngày, tháng, năm đăng ký", "registration_date"), ("Ngày tháng năm đăng ký", "registration_date"),
    ("Ngày ĐK", "registration_date"), ("Đăng ký ngày", "registration_date"),
    ("Họ, chữ đệm, tên", "full_name"), ("Họ và tên", "full_name"), ("H.tên", "full_name"),
    ("Tên người được khai sinh", "full_name"), ("Họ tên khai sinh", "full_name"),
    ("Họ, chữ đệm, tên người chết", "full_name"), ("Người chết", "full_name"),
    ("Tên, họ cha", "father_name"), ("Họ tên người cha", "father_name"), ("Cha", "father_name"),
    ("Họ và tên mẹ", "mother_name"), ("Bên chồng", "husband_name"), ("Họ, chữ đệm, tên vợ", "wife_name"),
    ("Ngày, tháng, năm sinh", "date_of_birth"), ("NS", "date_of_birth"), ("Sinh ngày", "date_of_birth"),
    ("Giới tính", "gender"), ("Nam/Nữ", "gender"), ("Nam, Nữ", "gender"),
    ("Ngày, tháng, năm chết", "date_of_death"), ("Chết ngày", "date_of_death"), ("Nơi chết", "place_of_death"),
    ("Ngày đăng kỷ", "registration_date"),  # an OCR slip in a long word
    ("Ngày, tháng, năm", "date"),  # of what: the book and the other columns decide
])
def test_scored_columns_are_named_by_meaning(title: str, field: str) -> None:
    assert field_of(meaning(title)) == field


@pytest.mark.parametrize(("title", "field"), [
    ("Dân tộc", "ethnicity"), ("Quốc tịch", "nationality"), ("Nơi sinh", "place_of_birth"),
    ("Số định danh cá nhân", "personal_id"), ("Hộ khẩu thường trú", "residence"), ("Ghi chú", "note"),
    ("Họ tên, nơi cư trú người đi khai", "declarant"), ("Cán bộ hộ tịch ký", "officer"),
    ("Nguyên nhân chết", "cause"), ("Quyển số", "book_number"), ("Năm sinh cha", "father_date_of_birth"),
])
def test_other_columns_are_known_and_never_taken_for_scored_ones(title: str, field: str) -> None:
    assert field_of(meaning(title)) == field


def test_a_group_title_completes_the_titles_under_it() -> None:
    assert field_of(meaning("Năm sinh").under(meaning("Người cha"))) == "father_date_of_birth"
    assert field_of(meaning("Họ và tên").under(meaning("Cha"))) == "father_name"
    assert field_of(meaning("Sinh").under(meaning("Ngày, tháng, năm"))) == "date_of_birth"
    assert field_of(meaning("Đăng ký").under(meaning("Ngày, tháng, năm"))) == "registration_date"
    # the column's own words come first: a birth date under 'the person registered for birth' is no registration
    assert field_of(meaning("Ngày sinh").under(meaning("Người được đăng ký khai sinh"))) == "date_of_birth"
    assert field_of(meaning("Họ tên").under(meaning("Trẻ em được khai sinh"))) == "full_name"


def test_a_title_that_says_nothing_names_nothing() -> None:
    assert field_of(meaning("")) is None and field_of(meaning("Xqz 7")) is None


def test_a_row_of_column_numbers_is_no_entry() -> None:
    assert is_column_numbering(["(1)", "(2)", "(3)", "(4)"]) and is_column_numbering(["1", "2", "3", "5", "6"])
    assert not is_column_numbering(["31", "05/03/2019", "Lê Văn Tám"])
    assert not is_column_numbering(["12", "13"])  # too few to tell


def test_words_read_without_their_spaces_are_cut_into_syllables() -> None:
    assert split_syllables("LƯƠNGĐÌNHSƠN") == ["LƯƠNG", "ĐÌNH", "SƠN"]
    assert split_syllables("Cánbộhộtịch") == ["Cán", "bộ", "hộ", "tịch"]
    assert split_syllables("Nguyễn") == ["Nguyễn"] and split_syllables("SO6DINH") is None
    assert field_of(meaning("Họtênngườimẹ")) == "mother_name"
    assert field_of(meaning("Sốđịnhdanh cá nhân")) == "personal_id"
