"""Field extraction on hand-made layouts: other label wordings, field orders, OCR-typo'd labels, two-column
tables, values wrapped onto the next line or printed under their label, register tables."""
from __future__ import annotations

import pytest

from ocr.classify import classify
from ocr.fields import PageWords, extract_fields
from ocr.labels import read_label
from ocr.recognize import Word
from ocr.registers import read_entries
from ocr.rules import Rules

CHAR_W, LINE_H, ROW_GAP = 18.0, 30.0, 48.0


def page(*rows: str | list[tuple[float, str]], right_margin: float = 1500) -> PageWords:
    """Words laid out as printed: each row is a string at x=100 or a list of (x, text) cells."""
    words = []
    for r, row in enumerate(rows):
        cells = [(100.0, row)] if isinstance(row, str) else row
        for c, (x, text) in enumerate(cells):
            for token in text.split():
                width = CHAR_W * len(token)
                top = 100 + r * ROW_GAP
                words.append(Word(token, x, top, x + width, top + LINE_H, 0.93, (r, c, 1)))
                x += width + CHAR_W
    if words:  # a full-width line somewhere fixes the page's right margin, as body text does
        words.append(Word("·", right_margin - 10, 20, right_margin, 30, 0.5, (999, 0, 1)))
    return PageWords(words, "\n".join(r if isinstance(r, str) else " ".join(t for _, t in r) for r in rows))


def values(doc_type: str, *pages: PageWords) -> dict[str, str]:
    return {k: v.value for k, v in extract_fields(doc_type, list(pages)).items()}


def test_birth_certificate_with_other_wordings_and_order() -> None:
    p = page("GIẤY KHAI SINH",
             "Họ và tên: TRẦN THỊ BÍCH NGỌC",
             "Sinh ngày: 05/07/2001",
             "Ghi bằng chữ: ngày năm tháng bảy năm hai nghìn không trăm linh một",
             "Nơi sinh: Bệnh viện Phụ sản Hà Nội, thành phố Hà Nội",
             "Giới tính: Nữ   Dân tộc: Tày   Quốc tịch: Việt Nam",
             "Họ và tên mẹ: LÊ THỊ HẠNH",
             "Dân tộc: Kinh",
             "Họ và tên cha: TRẦN VĂN SƠN",
             "Ngày, tháng, năm đăng ký: 12/07/2001")
    got = values("birth_certificate", p)
    assert got == {"full_name": "TRẦN THỊ BÍCH NGỌC", "date_of_birth": "2001-07-05", "gender": "Nữ",
                   "ethnicity": "Tày", "nationality": "Việt Nam", "mother_name": "LÊ THỊ HẠNH",
                   "father_name": "TRẦN VĂN SƠN", "registration_date": "2001-07-12",
                   "place_of_birth": "Bệnh viện Phụ sản Hà Nội, thành phố Hà Nội"}


def test_labels_misread_by_ocr_still_match() -> None:
    p = page("Ho, chu dem, ten: PHAN VĂN TÀI",  # diacritics lost
             "Ngày, thảng, nãm sinh: 01/02/1980",  # marks mangled
             "Sô định danh cả nhân: 001080001234",
             "Gioi tinh: Nam")
    assert values("death_extract", p) == {"full_name": "PHAN VĂN TÀI", "date_of_birth": "1980-02-01",
                                          "personal_id": "001080001234"}


def test_two_column_label_value_table() -> None:
    p = page([(100, "Họ, chữ đệm, tên chồng"), (700, "NGUYỄN ĐỨC LONG")],
             [(100, "Ngày, tháng, năm sinh"), (700, "12/12/1985")],
             [(100, "Số định danh cá nhân"), (700, "001085004321")],
             [(100, "Họ, chữ đệm, tên vợ"), (700, "PHẠM THU TRANG")],
             [(100, "Ngày, tháng, năm sinh"), (700, "03/04/1987")],
             [(100, "Số định danh cá nhân"), (700, "001187004321")],
             [(100, "Nơi đăng ký"), (700, "Ủy ban nhân dân phường Kim Mã")])
    assert values("marriage_certificate", p) == {
        "husband_name": "NGUYỄN ĐỨC LONG", "husband_date_of_birth": "1985-12-12",
        "husband_personal_id": "001085004321", "wife_name": "PHẠM THU TRANG", "wife_date_of_birth": "1987-04-03",
        "wife_personal_id": "001187004321", "registration_authority": "Ủy ban nhân dân phường Kim Mã"}


def test_wrapped_value_continues_and_a_short_one_does_not() -> None:
    full = "Nơi đăng ký: Ủy ban nhân dân xã Kim Liên, huyện Nam Đàn, tỉnh"
    p = page(full, "Nghệ An", "Quê quán: xã Kim Liên", "Ghi chú khác", right_margin=1260)  # the first line is full
    got = values("birth_certificate", p)
    assert got["registration_authority"] == "Ủy ban nhân dân xã Kim Liên, huyện Nam Đàn, tỉnh Nghệ An"
    assert got["hometown"] == "xã Kim Liên"


def test_card_values_printed_under_their_labels() -> None:
    p = page("CĂN CƯỚC CÔNG DÂN",
             "Số / No: 079088927858",
             "Họ và tên / Full name:",
             "HOÀNG VĂN THẮNG",
             [(100, "Ngày sinh / Date of birth: 02/01/1988"), (800, "Giới tính / Sex: Nam")],
             [(100, "Quê quán / Place of origin:"), (800, "Có giá trị đến:")],
             [(100, "Đa Kao, Quận 1, Hồ Chí Minh"), (800, "02/01/2028")])
    assert values("citizen_id", p) == {"personal_id": "079088927858", "full_name": "HOÀNG VĂN THẮNG",
                                       "date_of_birth": "1988-01-02", "gender": "Nam",
                                       "hometown": "Đa Kao, Quận 1, Hồ Chí Minh", "expiry_date": "2028-01-02"}


def test_official_letter_fields_without_labels() -> None:
    p = page([(100, "UBND TỈNH HÀ TĨNH"), (900, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")],
             [(100, "SỞ TƯ PHÁP"), (900, "Độc lập - Tự do - Hạnh phúc")],
             [(100, "Số: 215/STP-HCTP"), (900, "Hà Tĩnh, ngày 3 tháng 5 năm 2022")],
             "V/v hướng dẫn số hóa sổ hộ tịch",
             "Kính gửi: Ủy ban nhân dân các huyện.",
             "Nội dung công văn.",
             "GIÁM ĐỐC",
             "Lê Văn Hùng")
    # reading order gives the left column first, as the OCR stage does
    p.text = "\n".join(["UBND TỈNH HÀ TĨNH", "SỞ TƯ PHÁP", "Số: 215/STP-HCTP", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                        "Độc lập - Tự do - Hạnh phúc", "Hà Tĩnh, ngày 3 tháng 5 năm 2022",
                        "V/v hướng dẫn số hóa sổ hộ tịch", "Kính gửi: Ủy ban nhân dân các huyện.",
                        "Nội dung công văn.", "GIÁM ĐỐC", "Lê Văn Hùng"])
    assert classify([p]) == ("official_letter", 0.85)
    assert values("official_letter", p) == {"document_number": "215/STP-HCTP", "issue_date": "2022-05-03",
                                            "issuing_authority": "SỞ TƯ PHÁP",
                                            "subject": "V/v hướng dẫn số hóa sổ hộ tịch",
                                            "signer_name": "Lê Văn Hùng"}


def test_classification_without_a_readable_title() -> None:
    land = page("I. Người sử dụng đất", "Ông: TRẦN NGỌC QUANG", "a) Thửa đất số: 545", "Tờ bản đồ số: 55",
                "c) Diện tích: 1.801,4 m2")
    assert classify([land])[0] == "land_use_certificate"
    assert values("land_use_certificate", land) == {"owner_name": "TRẦN NGỌC QUANG", "parcel_number": "545",
                                                    "map_sheet_number": "55", "area_m2": "1801.4"}
    form = page("TỜ KHAI ĐĂNG KÝ KẾT HÔN", "Kính gửi: Ủy ban nhân dân xã X")
    assert classify([form])[0] == "application_form"
    assert classify([page("Bản tin nội bộ", "Tin tức trong tuần")])[0] == "other"


def test_register_table_in_another_column_order() -> None:
    columns = [(100, "STT"), (300, "Họ và tên"), (800, "Giới tính"), (1000, "Ngày sinh"), (1250, "Ngày đăng ký"),
               (1500, "Họ và tên cha"), (1900, "Họ và tên mẹ"), (2300, "Ghi chú")]
    entries = [["12", "Nguyễn Văn An", "Nam", "01/02/2015", "10/02/2015", "Nguyễn Văn Bình", "Lê Thị Cúc", ""],
               ["13", "Trần Thị Bé", "Nữ", "03/02/2015", "11/02/2015", "Trần Văn Dũng", "Phạm Thị Em", "bổ sung"]]
    rows = [columns] + [[(x + 10, text) for (x, _), text in zip(columns, e, strict=True) if text] for e in entries]
    p = page(*rows)
    # shift the rows onto a grid: header band, then one band per entry
    xs = [x - 10 for x, _ in columns] + [2700]
    ys = [90, 90 + ROW_GAP, 90 + 2 * ROW_GAP, 90 + 3 * ROW_GAP]
    rules = Rules([(xs[0], y, xs[-1], y + 2) for y in ys], [(x, ys[0], x + 2, ys[-1]) for x in xs])
    records = read_entries("birth_register_page", p.words, rules).records
    assert records == [
        {"registration_number": "12", "full_name": "Nguyễn Văn An", "gender": "Nam", "date_of_birth": "2015-02-01",
         "registration_date": "2015-02-10", "father_name": "Nguyễn Văn Bình", "mother_name": "Lê Thị Cúc"},
        {"registration_number": "13", "full_name": "Trần Thị Bé", "gender": "Nữ", "date_of_birth": "2015-02-03",
         "registration_date": "2015-02-11", "father_name": "Trần Văn Dũng", "mother_name": "Phạm Thị Em"}]


def test_birth_date_in_words_checks_the_one_in_digits() -> None:
    same = page("Ngày, tháng, năm sinh: 15/03/1990",
                "Ghi bằng chữ: ngày mười lăm tháng ba năm một nghìn chín trăm chín mươi")
    assert extract_fields("birth_certificate", [same])["date_of_birth"].disagrees is None
    other = page("Ngày, tháng, năm sinh: 15/08/1990",
                 "Ghi bằng chữ: ngày mười lăm tháng ba năm một nghìn chín trăm chín mươi")
    value = extract_fields("birth_certificate", [other])["date_of_birth"]
    assert (value.value, value.disagrees) == ("1990-08-15", "1990-03-15")
    words_only = page("Ngày sinh: ngày mười lăm tháng ba năm một nghìn chín trăm chín mươi")
    assert values("birth_certificate", words_only) == {"date_of_birth": "1990-03-15"}


# --------------------------------------------------------------------------- labels read by what they mean


@pytest.mark.parametrize(("wording", "key", "owner"), [
    ("Họ, chữ đệm, tên", "name", None), ("Tên, họ", "name", None), ("H.tên", "name", None),
    ("Họ tên của mẹ", "name", "mother"), ("Tên, họ người cha", "name", "father"), ("Và vợ là bà", "person", "wife"),
    ("Sinh ngày", "date_of_birth", None), ("Ng. sinh", "date_of_birth", None),
    ("NGÀY THÁNG NĂM SINH", "date_of_birth", None), ("Ngày sinh / Dote 0f blrth", "date_of_birth", None),
    ("Năm sinh", "birth_year", None),
    ("HKTT", "residence", None), ("Thường trú tại", "residence", None), ("Nơi đăng ký thường trú", "residence", None),
    ("SĐDCN", "personal_id", None), ("CCCD số", "personal_id", None), ("Số CMND/CCCD/Hộ chiếu", "personal_id", None),
    ("Quê qvắri / Place of origin", "hometown", None), ("Nơi mất", "place_of_death", None),
    ("Thời điểm chết", "date_of_death", None), ("Đăng ký ngày", "registration_date", None),
    ("Cơ quan đăng ký hộ tịch", "registration_authority", None), ("Nam/Nữ", "gender", None),
    ("Người đi khai tử", "person", "declarant"), ("THÔNG TIN NGƯỜI MẸ", None, None), ("Căn cước công dân", None, None),
    ("NGUYỄN THANH PHƯƠNG", None, None)])
def test_labels_read_by_their_words(wording: str, key: str | None, owner: str | None) -> None:
    match = read_label(wording)
    assert (match.concept.key, match.owner) == (key, owner) if key else match is None



def word_at(x: float, y: float, text: str, line: int) -> list[Word]:
    """The words of ``text`` printed from (x, y), all on Tesseract line ``line``."""
    out = []
    for token in text.split():
        out.append(Word(token, x, y, x + CHAR_W * len(token), y + LINE_H, 0.93, (line, 0, 1)))
        x += CHAR_W * (len(token) + 1)
    return out


def placed(*cells: tuple[float, float, str]) -> PageWords:
    """A page of runs of words at (x, y), for layouts whose cells do not share one line."""
    words = [w for k, (x, y, text) in enumerate(cells) for w in word_at(x, y, text, k)]
    words.append(Word("·", 1490, 20, 1500, 30, 0.5, (999, 0, 1)))
    return PageWords(words, "\n".join(text for _, _, text in cells))


def test_labels_without_colons_in_either_word_order_and_abbreviated() -> None:
    p = page("Tên, họ NGUYỄN VĂN AN",
             "Sinh ngày 05/07/2001",
             "GT Nam",
             [(100, "DT Kinh"), (800, "QT Việt Nam")],
             "Sinh tại Bệnh viện Đa khoa tỉnh Nghệ An",
             "SĐDCN 040201001234",
             "Đăng ký ngày 12/07/2001")
    assert values("birth_certificate", p) == {
        "full_name": "NGUYỄN VĂN AN", "date_of_birth": "2001-07-05", "gender": "Nam", "ethnicity": "Kinh",
        "nationality": "Việt Nam", "place_of_birth": "Bệnh viện Đa khoa tỉnh Nghệ An", "personal_id": "040201001234",
        "registration_date": "2001-07-12"}


def test_an_abbreviation_of_two_meanings_is_told_by_its_value() -> None:
    p = page("Tôi tên là: LÊ VĂN HÙNG", "ĐT: 0912345678", "HKTT: Xóm 5, xã Nghi Phong")
    assert values("application_form", p) == {"applicant_name": "LÊ VĂN HÙNG", "phone": "0912345678"}


def test_bilingual_labels_with_one_half_misread_leave_nothing_in_the_value() -> None:
    p = page("H0 tên / Full name: NGUYỄN THỊ MAI",  # the Vietnamese half misread
             "Ngày sinh / Dote 0f blrth 02/01/1988",  # the English half misread, no colon
             "Giới tính / Se Nữ",
             "Quê qvắri / Place of origin: Nghi Phong, Nghi Lộc, Nghệ An")
    assert values("citizen_id", p) == {"full_name": "NGUYỄN THỊ MAI", "date_of_birth": "1988-01-02", "gender": "Nữ",
                                       "hometown": "Nghi Phong, Nghi Lộc, Nghệ An"}


def test_part_of_a_name_is_never_a_label() -> None:
    p = page([(100, "Họ tên"), (700, "HOÀNG THÙY UYÊN")],
             [(100, "Họ và tên cha"), (700, "HÀ VĂN SINH")],
             [(100, "Họ và tên mẹ"), (700, "HỒ THỊ TÊN")])
    assert values("birth_certificate", p) == {"full_name": "HOÀNG THÙY UYÊN", "father_name": "HÀ VĂN SINH",
                                              "mother_name": "HỒ THỊ TÊN"}


def test_headed_blocks_give_their_fields_to_their_person_mother_first() -> None:
    p = page("GIẤY KHAI SINH",
             "THÔNG TIN NGƯỜI MẸ",
             "Họ tên: LÊ THỊ HẠNH",
             "Số định danh cá nhân: 040180001111",  # the mother's, not the child's
             "PHẦN KHAI VỀ NGƯỜI CHA",
             "Họ tên: TRẦN VĂN SƠN",
             "Người được khai sinh",
             "Họ tên: TRẦN THỊ BÍCH",
             "Ngày sinh: 05/07/2001",
             "Số định danh cá nhân: 040301002222")
    assert values("birth_certificate", p) == {"mother_name": "LÊ THỊ HẠNH", "father_name": "TRẦN VĂN SƠN",
                                              "full_name": "TRẦN THỊ BÍCH", "date_of_birth": "2001-07-05",
                                              "personal_id": "040301002222"}


def test_numbered_sections_wife_before_husband() -> None:
    p = page("GIẤY CHỨNG NHẬN KẾT HÔN",
             "I. Bên vợ",
             "Họ và tên: PHẠM THU TRANG", "Ngày sinh: 03/04/1987", "Số CCCD: 001187004321",
             "II. Bên chồng",
             "Họ và tên: NGUYỄN ĐỨC LONG", "Ngày sinh: 12/12/1985", "Số CCCD: 001085004321",
             "III. Đăng ký",
             "Ngày đăng ký: 20/10/2010")
    assert values("marriage_certificate", p) == {
        "wife_name": "PHẠM THU TRANG", "wife_date_of_birth": "1987-04-03", "wife_personal_id": "001187004321",
        "husband_name": "NGUYỄN ĐỨC LONG", "husband_date_of_birth": "1985-12-12",
        "husband_personal_id": "001085004321", "registration_date": "2010-10-20"}


def test_application_form_takes_the_applicant_not_the_child() -> None:
    p = page("TỜ KHAI ĐĂNG KÝ KHAI SINH",
             "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",
             "Họ, chữ đệm, tên: TRẦN MINH KHÔI", "Sinh ngày: 05/03/2024",
             "Họ, chữ đệm, tên người yêu cầu: TRẦN VĂN SƠN", "Số định danh cá nhân: 040085001234",
             "Hà Tĩnh, ngày 20 tháng 3 năm 2024")
    got = values("application_form", p)
    assert got["applicant_name"] == "TRẦN VĂN SƠN"
    assert got["personal_id"] == "040085001234"
    assert got["submission_date"] == "2024-03-20"


def test_others_numbers_and_dates_stay_theirs() -> None:
    death = page("Họ, chữ đệm, tên: HÀ VĂN LỘC", "Số định danh cá nhân: 001052000999",
                 "NGƯỜI ĐI KHAI TỬ", "Họ tên: HÀ THỊ LAN", "Số định danh cá nhân: 001185000111")
    assert values("death_extract", death) == {"full_name": "HÀ VĂN LỘC", "personal_id": "001052000999"}
    land = page("Ông: TRẦN NGỌC QUANG", "CCCD số: 040070001234", "Và vợ là bà: LÊ THỊ HOA",
                "CCCD số: 040175005678", "II. Thửa đất", "a) Thửa đất số: 545")
    assert values("land_use_certificate", land) == {"owner_name": "TRẦN NGỌC QUANG", "personal_id": "040070001234",
                                                    "parcel_number": "545"}
    record = page("Họ và tên: LÊ VĂN AN", "Số CCCD: 040090001234", "Cấp ngày: 01/02/2021",
                  "Hà Tĩnh, ngày 27 tháng 8 năm 2023")
    assert values("criminal_record", record) == {"full_name": "LÊ VĂN AN", "personal_id": "040090001234",
                                                 "issue_date": "2023-08-27"}


def test_ruled_rows_whose_label_wraps_and_whose_value_sits_lower() -> None:
    p = placed((100, 100, "Số định danh"), (100, 134, "cá nhân"), (700, 134, "001085004321"),  # value at the bottom
               (100, 200, "Ngày tháng năm"), (700, 200, "12/12/1985"), (100, 234, "sinh"),  # label wraps, value on top
               (100, 300, "Họ và tên"), (700, 334, "NGUYỄN ĐỨC LONG"),  # a one-line label, the value lower
               (100, 400, "Nơi đăng ký"), (700, 400, "Ủy ban nhân dân xã Kim Liên,"), (700, 434, "huyện Nam Đàn"))
    assert values("death_extract", p) == {"personal_id": "001085004321", "date_of_birth": "1985-12-12",
                                          "full_name": "NGUYỄN ĐỨC LONG",
                                          "registration_authority": "Ủy ban nhân dân xã Kim Liên, huyện Nam Đàn"}


def test_side_by_side_table_gives_each_column_to_its_person() -> None:
    p = page([(700, "VỢ"), (1100, "CHỒNG")],
             [(100, "Họ và tên"), (700, "PHẠM THU TRANG"), (1100, "NGUYỄN ĐỨC LONG")],
             [(100, "Ngày sinh"), (700, "03/04/1987"), (1100, "12/12/1985")],
             [(100, "Số CCCD"), (700, "001187004321"), (1100, "001085004321")],
             [(100, "Ngày đăng ký"), (700, "20/10/2010")])
    assert values("marriage_certificate", p) == {
        "wife_name": "PHẠM THU TRANG", "wife_date_of_birth": "1987-04-03", "wife_personal_id": "001187004321",
        "husband_name": "NGUYỄN ĐỨC LONG", "husband_date_of_birth": "1985-12-12",
        "husband_personal_id": "001085004321", "registration_date": "2010-10-20"}


def test_card_values_found_by_pattern_when_no_label_reads() -> None:
    p = page("CĂN CƯỚC CÔNG DÂN",
             [(400, "001157911381")],
             [(400, "NGUYỄN NGỌC QUỲNH")],
             [(400, "12/07/1957")],
             [(400, "Nữ"), (900, "Việt Nam")],
             [(100, "12/07/2017"), (400, "Kim Mã, Ba Đình, Hà Nội")])
    assert values("citizen_id", p) == {"personal_id": "001157911381", "full_name": "NGUYỄN NGỌC QUỲNH",
                                       "date_of_birth": "1957-07-12", "gender": "Nữ", "nationality": "Việt Nam",
                                       "expiry_date": "2017-07-12"}


def test_labels_with_words_of_no_label_beside_their_own() -> None:
    p = page("Quốc tịch hiện nay: Việt Nam",
             "Ngày sinh (dd/mm/yyyy): 11/02/1980",
             "Nơi đăng ký thường trú: Thôn 6, xã Quán Hành",  # a residence, not where the paper was registered
             "Cơ quan đăng ký hộ tịch Ủy ban nhân dân xã Quán Hành",
             "Ngày giờ chết 5 giờ 36 phút, ngày 24.05.2013")
    assert values("death_extract", p) == {"date_of_birth": "1980-02-11", "date_of_death": "2013-05-24",
                                          "registration_authority": "Ủy ban nhân dân xã Quán Hành"}


def test_a_label_word_misread_beyond_recognition_and_a_value_that_wrapped() -> None:
    p = page([(100, "Ngày fbáq năm sinh"), (700, "03/08/1977")],
             [(100, "Họ tên khai sinh"), (700, "NGUYỄN NGỌC LAN")],
             [(100, "Thời điểm chết"), (700, "13 giờ 50 phút, ngày 28 tháng 10")],
             [(700, "năm 2019")])
    assert values("death_extract", p) == {"date_of_birth": "1977-08-03", "full_name": "NGUYỄN NGỌC LAN",
                                          "date_of_death": "2019-10-28"}
