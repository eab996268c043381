"""Normalizers of field values: dates in digits and in words, IDs, document numbers, areas, genders."""
from __future__ import annotations

import pytest

from ocr.normalize import (
    date_from_words,
    find_dates,
    parse_area,
    parse_date,
    parse_document_number,
    parse_gender,
    parse_number,
    parse_personal_id,
    parse_phone,
    traditional_tones,
    words_to_number,
)


@pytest.mark.parametrize(("words", "number"), [
    ("MUOI LAM", 15), ("HAI MUOI MOT", 21), ("HAI MUOI TU", 24), ("BA MUOI", 30), ("MUOI", 10), ("NAM", 5),
    ("MOT NGHIN CHIN TRAM CHIN MUOI", 1990), ("HAI NGHIN KHONG TRAM MUOI BA", 2013), ("HAI NGHIN LINH NAM", 2005),
    ("MOT NGHIN CHIN TRAM BAY MUOI LAM", 1975), ("HAI NGHIN", 2000), ("MUOI HAI", 12),
])
def test_vietnamese_number_words(words: str, number: int) -> None:
    assert words_to_number(words.split()) == number


def test_words_that_are_not_a_number() -> None:
    assert words_to_number(["HAI", "BA"]) is None
    assert words_to_number(["NGAY", "MOT"]) is None
    assert words_to_number([]) is None


@pytest.mark.parametrize(("text", "iso"), [
    ("ngày mười lăm tháng ba năm một nghìn chín trăm chín mươi", "1990-03-15"),
    ("Ngày mười một, tháng mười hai, năm hai nghìn không trăm mười ba", "2013-12-11"),
    ("ngày hai mươi sáu, tháng năm, năm một nghìn chín trăm tám mươi hai", "1982-05-26"),
    ("NGÀY HAI MƯƠI MỐT THÁNG TƯ NĂM HAI NGHÌN LINH NĂM", "2005-04-21"),
    ("Ngay ba muoi thang bay nam hai nghin", "2000-07-30"),  # diacritics lost by OCR
])
def test_dates_written_in_words(text: str, iso: str) -> None:
    assert date_from_words(text) == iso
    assert parse_date(text) == iso


def test_impossible_date_in_words_is_refused() -> None:
    assert date_from_words("ngày ba mươi tháng hai năm hai nghìn") is None


@pytest.mark.parametrize(("text", "iso"), [
    ("15/03/1990", "1990-03-15"), ("5-3-1990", "1990-03-05"), ("15.03.1990", "1990-03-15"),
    ("3O/12/1978", "1978-12-30"),  # a letter O read for a zero
    ("ngày 31 tháng 10 năm 2020", "2020-10-31"), ("Nghệ An, ngày 01 tháng 7 năm 2023", "2023-07-01"),
    ("2 giờ 16 phút, ngày 31/05/2024", "2024-05-31"), ("1990-03-15", "1990-03-15"),
    ("11 tháng 12 năm 2003", "2003-12-11"),
])
def test_numeric_dates(text: str, iso: str) -> None:
    assert parse_date(text) == iso


def test_a_date_after_the_time_is_the_one_taken() -> None:
    assert parse_date("lúc 10/30 ngày 01/02/2003, ghi 04/05/2006") == "2003-02-01"
    assert find_dates("từ 01/02/2003 đến 04/05/2006") == ["2003-02-01", "2006-05-04"]
    assert parse_date("31/02/2020") is None


@pytest.mark.parametrize(("text", "value"), [
    ("Nam", "Nam"), ("NAM", "Nam"), ("Nữ", "Nữ"), ("Nu", "Nữ"), ("Nam / M", "Nam"), ("Female", "Nữ"), ("?", None),
])
def test_gender(text: str, value: str | None) -> None:
    assert parse_gender(text) == value


def test_personal_id() -> None:
    assert parse_personal_id("001 090 012 345") == "001090012345"
    assert parse_personal_id("sø/No: O79088927858") == "079088927858"
    assert parse_personal_id("123456789") is None  # an old 9-digit identity card number is not a personal ID


def test_document_and_register_numbers() -> None:
    assert parse_document_number("Số: 1816 / UBND-NVK") == "1816/UBND-NVK"
    assert parse_document_number("Số: 3716/UBND-KT _——") == "3716/UBND-KT"
    assert parse_document_number("Số: 45/2020/NĐ-CP") == "45/2020/NĐ-CP"
    assert parse_document_number("Số: 332/STP-LLTP") == "332/STP-LLTP"
    assert parse_number("304") == "304"
    assert parse_number("01/2013") == "01/2013"
    assert parse_number("l2O") == "120"


@pytest.mark.parametrize(("text", "value"), [
    ("1.801,4 m2", "1801.4"), ("250 m²", "250"), ("1.250 m2", "1250"), ("75,50 m2", "75.50"), ("930,0 m2", "930.0"),
    ("m2", None),
])
def test_area(text: str, value: str | None) -> None:
    assert parse_area(text) == value


def test_phone_digits_only() -> None:
    assert parse_phone("0912 345 678") == "0912345678"
    assert parse_phone("+84 912 345 678") == "0912345678"
    assert parse_phone("12") is None


def test_tone_marks_placed_one_way() -> None:
    assert traditional_tones("phường Yên Hoà, THUỶ, Khoá") == "phường Yên Hòa, THỦY, Khóa"
    assert traditional_tones("Quý, Hoàng, Thủy") == "Quý, Hoàng, Thủy"
