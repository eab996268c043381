"""Understanding through real Tesseract: pages rendered here, in wordings and layouts of our own, read back into
document types, fields and register records; and the sample batch's documents as `sohoa process` wrote them."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import Run
from understanding_support import understand_scan

from ocr.understand import Understanding
from sohoa.sample import render_page, render_table

DPI = 200


def _understand(image: np.ndarray) -> Understanding:
    return understand_scan(image, DPI)


@pytest.fixture(scope="module")
def death_register() -> Understanding:
    columns = ["Số đăng ký", "Họ và tên người chết", "Ngày chết", "Nơi chết", "Ngày đăng ký"]
    rows = [["31", "Lê Văn Tám", "02/03/2019", "Tại nhà", "05/03/2019"],
            ["32", "Đỗ Thị Hoa", "11/03/2019", "Bệnh viện huyện", "14/03/2019"],
            ["33", "Vũ Đức Thắng", "20/03/2019", "Tại nhà", "21/03/2019"]]
    image = render_table(["ỦY BAN NHÂN DÂN XÃ AN HÒA", "SỔ ĐĂNG KÝ KHAI TỬ", "Năm 2019 - Quyển số: 01"], columns,
                         rows, widths=[28, 70, 40, 60, 40], dpi=DPI)
    return _understand(image)


def test_register_page_in_its_own_column_order(death_register: Understanding) -> None:
    assert death_register.doc_type == "death_register_page"
    assert death_register.records == [
        {"registration_number": "31", "full_name": "Lê Văn Tám", "date_of_death": "2019-03-02",
         "registration_date": "2019-03-05", "page": 1},
        {"registration_number": "32", "full_name": "Đỗ Thị Hoa", "date_of_death": "2019-03-11",
         "registration_date": "2019-03-14", "page": 1},
        {"registration_number": "33", "full_name": "Vũ Đức Thắng", "date_of_death": "2019-03-20",
         "registration_date": "2019-03-21", "page": 1}]
    assert not death_register.needs_review


def test_birth_certificate_variant_read_by_tesseract() -> None:
    lines = ["GIẤY KHAI SINH", "Họ và tên: ĐẶNG MINH KHÔI", "Sinh ngày: 09/10/2012",
             "Bằng chữ: ngày chín tháng mười năm hai nghìn mười hai", "Giới tính: Nam",
             "Dân tộc: Mường", "Số định danh cá nhân: 017212003456", "Nơi đăng ký: Ủy ban nhân dân xã Kim Bôi",
             "Họ và tên mẹ: BÙI THỊ LAN", "Họ và tên cha: ĐẶNG VĂN TOÀN", "Ngày đăng ký: 15/10/2012"]
    found = _understand(render_page(lines, dpi=DPI))
    assert found.doc_type == "birth_certificate"
    assert found.fields == {"full_name": "ĐẶNG MINH KHÔI", "date_of_birth": "2012-10-09", "gender": "Nam",
                            "ethnicity": "Mường", "personal_id": "017212003456",
                            "registration_authority": "Ủy ban nhân dân xã Kim Bôi", "mother_name": "BÙI THỊ LAN",
                            "father_name": "ĐẶNG VĂN TOÀN", "registration_date": "2012-10-15"}
    assert found.review_reasons == []


def test_form_of_another_edition_read_by_meaning() -> None:
    """No colons, words in the other order, an abbreviation, the mother's block first under a heading, the mother's
    own ID number that is not the child's."""
    lines = ["GIẤY KHAI SINH", "THÔNG TIN NGƯỜI MẸ", "Tên, họ   LÊ THỊ HẠNH", "Sinh năm   1985",
             "Số định danh cá nhân   040185001111", "THÔNG TIN NGƯỜI CHA", "Tên, họ   TRẦN VĂN SƠN",
             "NGƯỜI ĐƯỢC KHAI SINH", "Tên, họ   TRẦN MINH KHÔI", "Sinh ngày   09/10/2012", "GT   Nam",
             "Số định danh cá nhân   040212003456", "Đăng ký ngày   15/10/2012"]
    found = _understand(render_page(lines, dpi=DPI))
    assert found.doc_type == "birth_certificate"
    assert found.fields == {"mother_name": "LÊ THỊ HẠNH", "father_name": "TRẦN VĂN SƠN", "full_name": "TRẦN MINH KHÔI",
                            "date_of_birth": "2012-10-09", "gender": "Nam", "personal_id": "040212003456",
                            "registration_date": "2012-10-15"}


def test_side_by_side_marriage_table_read_by_column() -> None:
    rows = [["Họ và tên", "NGUYỄN VĂN AN", "LÊ THỊ BÌNH"], ["Ngày sinh", "01/02/1990", "03/04/1992"],
            ["Số định danh cá nhân", "001090012345", "001192012345"]]
    image = render_table(["ỦY BAN NHÂN DÂN XÃ AN HÒA", "GIẤY CHỨNG NHẬN KẾT HÔN"], ["", "Vợ", "Chồng"],
                         [[label, wife, husband] for label, husband, wife in rows], widths=[60, 60, 60], dpi=DPI,
                         size_mm=(210.0, 148.0))
    found = _understand(image)
    assert found.doc_type == "marriage_certificate"
    assert found.fields == {"husband_name": "NGUYỄN VĂN AN", "husband_date_of_birth": "1990-02-01",
                            "husband_personal_id": "001090012345", "wife_name": "LÊ THỊ BÌNH",
                            "wife_date_of_birth": "1992-04-03", "wife_personal_id": "001192012345"}


def test_inconsistent_personal_id_is_flagged_for_review() -> None:
    lines = ["TRÍCH LỤC KHAI TỬ", "Họ, chữ đệm, tên: HÀ VĂN LỘC", "Ngày, tháng, năm sinh: 04/04/1950",
             "Số định danh cá nhân: 001152000999", "Đã chết vào lúc: 8 giờ, ngày 01/01/2020",
             "Ngày đăng ký: 03/01/2020"]
    found = _understand(render_page(lines, dpi=DPI))
    assert found.doc_type == "death_extract"
    assert found.fields["personal_id"] == "001152000999"
    assert found.needs_review
    assert any("born in 1952" in r for r in found.review_reasons)


def test_sample_batch_documents_carry_their_fields(sample_run: Run) -> None:
    birth = sample_run.by_source("01_giay_khai_sinh.png")
    assert birth["doc_type"] == "birth_certificate"
    assert birth["fields"]["full_name"] == "NGUYỄN VĂN AN"
    assert birth["fields"]["date_of_birth"] == "1990-03-15"
    assert birth["fields"]["personal_id"] == "001090012345"
    assert birth["fields"]["father_name"] == "NGUYỄN VĂN BÌNH"
    decision = sample_run.by_source("02_quyet_dinh.jpg")
    assert decision["doc_type"] == "decision"
    assert decision["fields"] == {"document_number": "123/QĐ-UBND", "issue_date": "2024-03-15",
                                  "issuing_authority": "ỦY BAN NHÂN DÂN XÃ AN HÒA",
                                  "subject": "Về việc công nhận gia đình văn hóa năm 2024",
                                  "signer_name": "Lê Văn Minh"}
    marriage = sample_run.by_source("03_ket_hon_lon_nguoc.png")
    assert marriage["fields"]["wife_name"] == "ĐỖ THỊ MAI"
    assert marriage["fields"]["husband_personal_id"] == "034092004567"
    letter = sample_run.by_source("06_cong_van.pdf")
    assert letter["doc_type"] == "official_letter"
    assert letter["fields"]["document_number"] == "1816/PTP-HT"
    assert letter["fields"]["signer_name"] == "Nguyễn Thị Hằng"
