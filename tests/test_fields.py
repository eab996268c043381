"""Field extraction on hand-made layouts: other label wordings, field orders, OCR-typo'd labels, two-column
tables, values wrapped onto the next line or printed under their label, register tables."""
from __future__ import annotations

from ocr.classify import classify
from ocr.fields import PageWords, extract_fields
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
