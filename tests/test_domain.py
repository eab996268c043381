"""Domain knowledge repairing OCR: places, names, ethnic groups, licence classes, IDs and the card's MRZ."""
from __future__ import annotations

import datetime as dt

from ocr.domain import (
    province_codes,
    repair_division,
    repair_ethnicity,
    repair_licence_class,
    repair_name,
    repair_nationality,
    repair_place,
)
from ocr.mrz import check_digit, read_mrz
from ocr.validate import Doubt, field_doubts, personal_id_problems, record_doubts


def test_province_codes_are_the_personal_id_prefixes() -> None:
    codes = province_codes()
    assert len(codes) == 63
    assert codes["001"] == "Hà Nội" and codes["079"] == "Hồ Chí Minh" and codes["040"] == "Nghệ An"


def test_places_take_the_official_spelling_from_the_province_down() -> None:
    assert repair_place("xã Song Lang, huyện Vũ Thu, tỉnh Thái Binh") == "xã Song Lãng, huyện Vũ Thư, tỉnh Thái Bình"
    assert repair_place("phường Kim Mã, quận Ba Dình, thành phố Hà Nộỉ") == \
        "phường Kim Mã, quận Ba Đình, thành phố Hà Nội"
    # what is not a division (a hamlet, a hospital) is left as printed
    assert repair_place("Thôn Đông, xã Nghi Trung, huyện Nghi Lộc, tỉnh Nghệ An") == \
        "Thôn Đông, xã Nghi Trung, huyện Nghi Lộc, tỉnh Nghệ An"
    assert repair_place("Bệnh viện Đa khoa tỉnh") == "Bệnh viện Đa khoa tỉnh"


def test_a_place_keeps_its_printed_tone_mark_placement() -> None:
    # 'Hoà' and 'Hòa' are one name: neither is changed; a mark OCR lost comes back where documents put it
    assert repair_place("phường Yên Hoà, quận Cầu Giấy, Hà Nội") == "phường Yên Hoà, quận Cầu Giấy, Hà Nội"
    assert repair_place("phường Yên Hòa, quận Cầu Giấy, Hà Nội") == "phường Yên Hòa, quận Cầu Giấy, Hà Nội"
    assert repair_place("phường Yên Hoa, quận Cầu Giấy, Hà Nội") == "phường Yên Hòa, quận Cầu Giấy, Hà Nội"


def test_a_division_named_after_its_kind_word() -> None:
    assert repair_division("QUẬN", "CẤU GIẦY") == "CẦU GIẤY"
    assert repair_division("huyện", "Hoăng Hóa") == "Hoằng Hóa"
    assert repair_division("xã", "Nowhere At All") == "Nowhere At All"


def test_names_get_real_name_syllables_and_keep_their_case() -> None:
    assert repair_name("NGUYÊN THÙY MY") == "NGUYỄN THÙY MY"
    assert repair_name("Trần Vẫn Trung") == "Trần Văn Trung"
    assert repair_name("PHẠM MẠNH QUẦN") == "PHẠM MẠNH QUÂN"
    assert repair_name("Lê Thị Hoa") == "Lê Thị Hoa"  # already right: untouched


def test_lists_of_ethnic_groups_nationalities_and_licence_classes() -> None:
    assert repair_ethnicity("Tảy") == "Tày"
    assert repair_ethnicity("Ê-đê") == "Ê Đê"
    assert repair_nationality("VIET NAM") == "VIỆT NAM"
    assert repair_nationality("Việt Nam") == "Việt Nam"
    assert repair_licence_class("A†") == "A1"
    assert repair_licence_class("B2") == "B2"
    assert repair_licence_class("Z9") == "Z9"  # unknown: left for the reviewer


def test_personal_id_structure_and_consistency() -> None:
    assert personal_id_problems("001090012345", "Nam", "1990-03-15") == []
    assert personal_id_problems("034194007788", "Nữ", "1994-11-21") == []
    assert personal_id_problems("205090012345") == [
        "personal ID 205090012345 starts with 205, which is no province's code"]
    [gender] = personal_id_problems("001090012345", "Nữ")
    assert "Nam" in gender and "Nữ" in gender
    [year] = personal_id_problems("001090012345", "Nam", "1991-03-15")
    assert "1990" in year
    assert personal_id_problems("00109001234") == ["personal ID 00109001234 is not 12 digits"]


def test_doubts_name_the_field_a_reviewer_must_look_at() -> None:
    today = dt.date(2024, 6, 30)
    fields = {"full_name": "NGUYỄN VĂN AN", "date_of_birth": "1990-03-15", "registration_date": "1989-01-01",
              "personal_id": "001090012345", "gender": "Nam"}
    doubts = field_doubts("birth_certificate", fields, {"full_name": 0.3}, today)
    assert Doubt("registration_date", "registration_date 1989-01-01 is before the date of birth 1990-03-15") in doubts
    assert [d.target for d in doubts if "read with low confidence" in d.reason] == ["full_name"]
    assert not any("personal ID" in d.reason for d in doubts)
    death = field_doubts("death_extract", {"full_name": "X Y", "date_of_birth": "1950-01-01",
                                           "date_of_death": "2030-01-01"}, {}, today)
    assert [d.target for d in death if "in the future" in d.reason] == ["date_of_death"]
    assert field_doubts("decision", {"subject": "V/v"}, {}, today) == [
        Doubt("document_number", "required field not found: document_number"),
        Doubt("issue_date", "required field not found: issue_date")]
    assert [d.target for d in field_doubts("citizen_id", {"personal_id": "205090012345", "full_name": "A B",
                                                          "date_of_birth": "1990-01-01"}, {}, today)] == [
        "personal_id"]
    assert record_doubts([{"registration_number": "4", "registration_date": "2016-02-14",
                           "date_of_birth": "2016-03-01"}, {"full_name": "X"}], today) == [
        Doubt("records.1.registration_date",
              "entry 1 (4): registration_date 2016-02-14 is before the date of birth 2016-03-01"),
        Doubt("records.2.registration_number", "entry 2: no registration number read"),
        Doubt("records.2.full_name", "entry 2 (?): full_name 'X' does not read as a name")]


def test_mrz_check_digits() -> None:
    assert check_digit("880102") == 9
    assert check_digit("L898902C3") == 6  # ICAO 9303's own example
    zone = "IDVNM0889278587079088927858<<3\n8801029M2801027VNM<<<<<<<<<<<8\nHOANG<<VAN<THANG<<<<<<<<<<<<<<"
    mrz = read_mrz(zone, today=dt.date(2024, 1, 1))
    assert mrz is not None
    assert (mrz.date_of_birth, mrz.expiry_date, mrz.gender, mrz.personal_id) == (
        "1988-01-02", "2028-01-02", "Nam", "079088927858")
    broken = read_mrz(zone.replace("8801029", "8801039"), today=dt.date(2024, 1, 1))
    assert broken is not None and broken.date_of_birth is None  # a failed check digit is not trusted
