"""The reviewer's pages for real, in Chromium: the review queue, a doubtful field shown where it was read and confirmed,
a register page keyed in from the keyboard, and the same forms without JavaScript.

A small batch is processed by the real pipeline (Tesseract, PDF/A, signature) into the shared site's catalog and
object store: a birth certificate whose personal ID starts with a code no province has, a death register page with
three entries (one dying in 2091: in doubt), and a register page whose rows are empty (no entry read)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from conftest import batch_config
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from web_support import PASSWORD, VIEWPORT, Site, check_accessible, screenshot, signed_in

from sohoa.sample import render_page, render_table
from storage.users import add_user, sign_in
from workers.correct import correct_document
from workers.embedded import process_batch

DPI = 200
OTHER_REVIEWER = "nguoi.kiem.tra.xa.khac"
BIRTH = ["GIẤY KHAI SINH", "Họ, chữ đệm, tên: TRẦN MINH KHOA", "Ngày, tháng, năm sinh: 15/03/1990", "Giới tính: Nam",
         "Dân tộc: Kinh", "Quốc tịch: Việt Nam", "Nơi sinh: Trạm y tế xã An Hòa",
         "Số định danh cá nhân: 999090012345", "Họ, chữ đệm, tên người cha: TRẦN VĂN BẢO",
         "Họ, chữ đệm, tên người mẹ: LÊ THỊ HẠNH", "Nơi đăng ký: Ủy ban nhân dân xã An Hòa",
         "Ngày đăng ký: 20/03/1990"]
ID_LINE = 7  # the personal ID's line of BIRTH
OTHER_BIRTH = ["GIẤY KHAI SINH", "Họ, chữ đệm, tên: PHAN THU HÀ", "Ngày, tháng, năm sinh: 02/07/1990", "Giới tính: Nữ",
               "Số định danh cá nhân: 999190004567", "Ngày đăng ký: 09/07/1990"]
REGISTER_TITLE = ["ỦY BAN NHÂN DÂN XÃ AN HÒA", "SỔ ĐĂNG KÝ KHAI TỬ", "Năm 2019 - Quyển số: 01"]
REGISTER_COLUMNS = ["Số đăng ký", "Họ và tên người chết", "Ngày chết", "Nơi chết", "Ngày đăng ký"]
REGISTER_ROWS = [["31", "Lê Văn Tám", "02/03/2019", "Tại nhà", "05/03/2019"],
                 ["32", "Đỗ Thị Hoa", "11/03/2091", "Bệnh viện huyện", "14/03/2019"],  # 2091: in the future
                 ["33", "Vũ Đức Thắng", "20/03/2019", "Tại nhà", "21/03/2019"]]
WIDTHS = [20, 52, 32, 44, 32]  # mm, on an A5 page turned sideways
A5_LANDSCAPE = (210.0, 148.0)
BAD_DATE = "Nhập ngày theo dạng ngày/tháng/năm (DD/MM/YYYY), ví dụ 15/03/1990."  # what a wrong date is told


@dataclass(frozen=True)
class Stored:
    birth: str  # a birth certificate whose personal ID is doubted
    register: str  # a death register page with three entries read
    unread: str  # a death register page with no entry read
    other_birth: str  # another birth certificate whose personal ID is doubted


@pytest.fixture(scope="module")
def stored(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Stored:
    """The four documents processed into the site's catalog and objects (agency TEST), and a reviewer of another
    agency."""
    root = tmp_path_factory.mktemp("review")
    scans = root / "scans"
    scans.mkdir()
    pages = {"a_khai_sinh.png": render_page(BIRTH, dpi=DPI), "d_khai_sinh.png": render_page(OTHER_BIRTH, dpi=DPI),
             "b_so_khai_tu.png": render_table(REGISTER_TITLE, REGISTER_COLUMNS, REGISTER_ROWS, widths=WIDTHS, dpi=DPI,
                                              size_mm=A5_LANDSCAPE),
             "c_so_trong.png": render_table(REGISTER_TITLE, REGISTER_COLUMNS, [[""] * 5] * 3, widths=WIDTHS, dpi=DPI,
                                            size_mm=A5_LANDSCAPE)}
    for name, image in pages.items():
        Image.fromarray(image).convert("L").save(scans / name, dpi=(DPI, DPI))
    config = replace(batch_config(root / "out", site.settings.data_dir), database_url=site.settings.database_url)
    summary = process_batch([str(scans)], config)
    assert summary.documents == 4 and not summary.failed, summary
    ids = {Path(source).name: doc_id for doc_id, source in summary.sources.items()}
    add_user(site.catalog, OTHER_REVIEWER, "reviewer", ["KHAC"], actor="test-admin", password=PASSWORD, token=False)
    return Stored(ids["a_khai_sinh.png"], ids["b_so_khai_tu.png"], ids["c_so_trong.png"], ids["d_khai_sinh.png"])


@pytest.fixture(scope="module")
def reviewer(browser: Browser, site: Site) -> Iterator[BrowserContext]:
    context = signed_in(browser, site, "reviewer")
    yield context
    context.close()


def _as(browser: Browser, site: Site, name: str) -> BrowserContext:
    """A browser signed in as a person the shared fixtures do not know."""
    context = browser.new_context(viewport=VIEWPORT, base_url=site.url)
    context.add_cookies([{"name": "sohoa_session", "value": sign_in(site.catalog, name, PASSWORD).session_id,
                          "url": site.url}, {"name": "sohoa_lang", "value": "vi", "url": site.url}])
    return context


def _images_loaded(page: Page) -> None:
    for image in page.locator(".page-frame img").all():
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("i => i.naturalWidth") > 0  # drawn, not broken


def _cell(page: Page, row: int, column: str) -> Locator:
    return page.get_by_label(f"Dòng {row}, {column}", exact=True)


def _grid_values(page: Page) -> list[list[str]]:
    return [row.locator("input[data-field]").evaluate_all("inputs => inputs.map(i => i.value)")
            for row in page.locator(".entry-grid tbody tr").all()]


def test_the_queue_lists_what_needs_review_oldest_first(reviewer: BrowserContext, site: Site, stored: Stored) -> None:
    page = reviewer.new_page()
    page.goto("/duyet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Danh sách chờ kiểm tra")
    lines = page.locator("tr[data-doc]")
    ids = lines.evaluate_all("rows => rows.map(r => r.dataset.doc)")
    assert {stored.birth, stored.register, stored.unread} <= set(ids)
    times = page.locator("tr[data-doc] time").evaluate_all("times => times.map(t => t.dateTime)")
    assert list(zip(times, ids, strict=True)) == sorted(zip(times, ids, strict=True))  # oldest first, as the catalog
    ours = [doc_id for doc_id in ids if doc_id in (stored.birth, stored.register, stored.unread)]
    assert ours == [d for _, d in sorted((site.catalog.document(d).signed_at, d) for d in ours)]
    birth = page.locator(f'tr[data-doc="{stored.birth}"]')
    expect(birth).to_contain_text("Giấy khai sinh")
    expect(birth).to_contain_text("Số định danh cá nhân 999090012345 bắt đầu bằng 999, không phải mã của tỉnh")
    expect(page.locator(f'tr[data-doc="{stored.unread}"]')).to_contain_text("Không đọc được dòng nào")
    expect(page.locator(f'tr[data-doc="{stored.register}"]')).to_contain_text(
        "Ngày, tháng, năm chết 11/03/2091 là ngày trong tương lai")
    assert page.locator(f'tr[data-doc="{stored.register}"] a').get_attribute("href") == f"/duyet/{stored.register}/so"
    check_accessible(page)
    screenshot(page, "review-queue")
    page.close()


def test_the_queue_is_filtered_by_agency_for_someone_who_sees_several(browser: Browser, site: Site,
                                                                       stored: Stored) -> None:
    context = signed_in(browser, site, "admin")  # sees every agency
    page = context.new_page()
    page.goto("/duyet")
    agency = page.get_by_label("Cơ quan")
    assert {"TEST", "KHAC"} <= set(agency.locator("option").evaluate_all("options => options.map(o => o.value)"))
    agency.select_option("KHAC")
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(r"/duyet\?agency=KHAC$"))
    expect(page.locator("tr[data-doc]")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Không có tài liệu nào chờ kiểm tra.")
    page.get_by_label("Cơ quan").select_option("TEST")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator(f'tr[data-doc="{stored.unread}"]')).to_be_visible()
    assert set(page.locator("tr[data-doc] td:nth-child(3)").all_inner_texts()) == {"TEST"}
    link = page.locator("tr[data-doc] a").first.get_attribute("href")
    assert link.endswith("agency=TEST")  # the review page leads back to this agency's queue
    check_accessible(page)
    context.close()


def test_a_doubtful_field_is_shown_where_it_was_read_then_corrected_and_confirmed(
        reviewer: BrowserContext, site: Site, stored: Stored) -> None:
    page = reviewer.new_page()
    page.goto("/duyet")
    page.locator(f'tr[data-doc="{stored.birth}"]').get_by_role("link").click()
    expect(page).to_have_url(re.compile(f"/duyet/{stored.birth}$"))
    _images_loaded(page)

    highlight = page.locator("#box-personal_id")
    expect(highlight).to_be_visible()
    image = page.locator(".page-frame img").bounding_box()
    shown = highlight.bounding_box()
    left, top, right, bottom = site.catalog.document(stored.birth).record["boxes"]["personal_id"]["box"]
    expected = (image["x"] + left * image["width"], image["y"] + top * image["height"],
                (right - left) * image["width"], (bottom - top) * image["height"])
    assert all(abs(a - b) < 3 for a, b in zip((shown["x"], shown["y"], shown["width"], shown["height"]), expected,
                                              strict=True)), (shown, expected)
    centre = (shown["y"] + shown["height"] / 2 - image["y"]) / image["height"]
    assert _printed_line(ID_LINE)[0] < centre < _printed_line(ID_LINE)[1]  # on the printed ID's line
    field = page.locator("#field-personal_id")
    expect(field.locator(".reason")).to_contain_text("bắt đầu bằng 999, không phải mã của tỉnh")
    expect(page.get_by_label("Số định danh cá nhân", exact=True)).to_have_value("999090012345")

    other = page.locator("#box-full_name")  # not in doubt: shown while its field is pointed at or focused
    expect(other).to_be_hidden()
    page.get_by_label("Họ, chữ đệm và tên", exact=True).focus()
    expect(other).to_be_visible()
    page.get_by_label("Dân tộc", exact=True).hover()
    expect(page.locator("#box-ethnicity")).to_be_visible()

    born = page.get_by_label("Ngày, tháng, năm sinh", exact=True)  # checked as typed
    born.fill("31/02/1990")
    born.press("Tab")
    expect(born).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-date_of_birth-error")).to_have_text(BAD_DATE)
    born.fill("15/03/1990")
    expect(born).not_to_have_attribute("aria-invalid", "true")

    page.get_by_label("Nơi sinh", exact=True).fill("Trạm y tế xã An Hòa, huyện Phú Tân")
    confirmations = page.get_by_role("checkbox", name=re.compile("^Đúng, xác nhận"))
    expect(page.get_by_role("checkbox", name="Đúng, xác nhận: Số định danh cá nhân")).to_be_visible()
    for box in confirmations.all():
        box.check()
    page.get_by_label("Ghi chú").fill("Đã đối chiếu với bản giấy")
    check_accessible(page)
    page.get_by_label("Số định danh cá nhân", exact=True).focus()
    page.mouse.move(0, 0)
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot(page, "review")
    page.get_by_role("button", name="Lưu và ký số lại").click()

    expect(page).to_have_url(re.compile(f"/duyet/{stored.birth}\\?saved=2$"))
    expect(page.locator(".saved-banner")).to_contain_text("Đã lưu phiên bản 2, đã ký số lại.")
    expect(page.locator("h1")).to_contain_text("phiên bản 2")
    latest, first = site.catalog.document(stored.birth), site.catalog.document(stored.birth, 1)
    assert latest.version == 2 and latest.latest and not latest.needs_review
    assert latest.record["fields"]["place_of_birth"] == "Trạm y tế xã An Hòa, huyện Phú Tân"
    made = latest.record["corrections"][-1]
    assert made["by"] == site.person("reviewer") and "personal_id" in made["confirmed"]
    assert [c["target"] for c in made["changes"]] == ["place_of_birth"] and made["note"] == "Đã đối chiếu với bản giấy"
    assert first is not None and not first.latest and first.record["fields"]["place_of_birth"] != \
        latest.record["fields"]["place_of_birth"]
    expect(page.locator("#next-document")).to_be_visible()  # the queue goes on
    assert stored.birth not in page.locator("#next-document").get_attribute("href")

    history = page.locator(".history tbody tr")
    expect(history.first).to_contain_text("Nơi sinh")
    expect(history.first).to_contain_text(site.person("reviewer"))
    expect(history.first).to_contain_text("Số định danh cá nhân")  # what was confirmed
    page.get_by_role("link", name="phiên bản 1", exact=True).click()
    expect(page.locator(".alert-warn")).to_contain_text("Đây là phiên bản 1")
    expect(page.locator("dl.facts")).to_contain_text(first.record["fields"]["place_of_birth"])
    page.goto("/duyet")
    expect(page.locator(f'tr[data-doc="{stored.birth}"]')).to_have_count(0)  # it has left the queue
    page.close()


def test_the_review_form_works_without_javascript(browser: Browser, site: Site, stored: Stored) -> None:
    context = signed_in(browser, site, "reviewer", javascript=False)
    page = context.new_page()
    before = site.catalog.document(stored.birth).version
    page.goto(f"/duyet/{stored.birth}")
    page.get_by_label("Số đăng ký", exact=True).fill("41/1990")
    page.get_by_label("Ngày đăng ký", exact=True).fill("31/02/1990")
    page.get_by_role("button", name="Lưu và ký số lại").click()
    expect(page.get_by_role("alert")).to_contain_text("Chưa lưu được: Ngày đăng ký: Nhập ngày theo dạng")  # the server
    expect(page.get_by_label("Ngày đăng ký", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Số đăng ký", exact=True)).to_have_value("41/1990")  # what was typed stays
    assert site.catalog.document(stored.birth).version == before
    page.get_by_label("Ngày đăng ký", exact=True).fill("20/03/1990")
    page.get_by_role("button", name="Lưu và ký số lại").click()
    expect(page.locator(".saved-banner")).to_contain_text(f"Đã lưu phiên bản {before + 1}, đã ký số lại.")
    latest = site.catalog.document(stored.birth)
    assert latest.version == before + 1 and latest.record["fields"]["registration_number"] == "41/1990"
    assert latest.record["fields"]["registration_date"] == "1990-03-20"
    assert [c["target"] for c in latest.record["corrections"][-1]["changes"]] == ["registration_number"]
    context.close()


def test_the_server_refusing_a_stale_page_is_shown_by_the_script(reviewer: BrowserContext, site: Site,
                                                                  stored: Stored) -> None:
    page = reviewer.new_page()
    page.goto(f"/duyet/{stored.other_birth}")
    page.get_by_role("checkbox", name="Đúng, xác nhận: Số định danh cá nhân").check()
    with ThreadPoolExecutor(1) as elsewhere:  # meanwhile another reviewer confirms it: the page is out of date
        elsewhere.submit(correct_document, site.catalog, site.store, stored.other_birth, [], confirm=["personal_id"],
                         signer=site.settings.signer_config(), actor="nguoi.kiem.tra.khac").result()
    page.get_by_role("button", name="Lưu và ký số lại").click()
    expect(page.locator(".save-status")).to_have_text(
        "Giá trị được xác nhận không còn nghi vấn: đề nghị tải lại trang.")  # the server's 422, in words
    expect(page).to_have_url(re.compile(f"/duyet/{stored.other_birth}$"))  # still there, nothing stored
    assert site.catalog.document(stored.other_birth).version == 2
    page.get_by_label("Ngày đăng ký", exact=True).fill("2019-3-5")  # not a date the server reads: refused here
    page.get_by_role("button", name="Lưu và ký số lại").click()
    expect(page.get_by_label("Ngày đăng ký", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".save-status")).to_have_text("Một số giá trị chưa đúng, đề nghị xem thông báo bên cạnh.")
    page.close()


def test_a_register_page_is_keyed_in_from_the_keyboard(reviewer: BrowserContext, site: Site, stored: Stored) -> None:
    page = reviewer.new_page()
    page.goto(f"/duyet/{stored.register}/so")
    rows = page.locator(".entry-grid tbody tr")
    expect(rows).to_have_count(3)  # the spare rows a page without JavaScript has are gone
    assert _grid_values(page) == [["31", "05/03/2019", "Lê Văn Tám", "02/03/2019"],
                                  ["32", "14/03/2019", "Đỗ Thị Hoa", "11/03/2091"],
                                  ["33", "21/03/2019", "Vũ Đức Thắng", "20/03/2019"]]
    expect(page.locator(".other-doubts")).to_contain_text("Dòng 2, Ngày, tháng, năm chết")
    death = _cell(page, 2, "Ngày, tháng, năm chết")
    expect(death).to_have_attribute("aria-describedby", re.compile("doubt-"))

    death.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("11/03/2019")  # the cell in doubt, retyped
    page.keyboard.press("Tab")
    expect(_cell(page, 3, "Số đăng ký")).to_be_focused()  # Tab: cell to cell, across rows
    page.keyboard.press("Enter")  # on the last row: a new row, same column
    expect(rows).to_have_count(4)
    expect(_cell(page, 4, "Số đăng ký")).to_be_focused()
    page.keyboard.type("34")
    page.keyboard.press("Tab")
    page.keyboard.type("31/02/2019")
    page.keyboard.press("Tab")
    registered = _cell(page, 4, "Ngày đăng ký")
    expect(registered).to_have_attribute("aria-invalid", "true")
    message = registered.get_attribute("aria-describedby")
    expect(page.locator(f"#{message}")).to_have_text(BAD_DATE)
    page.keyboard.type("Phạm Văn Năm")
    page.keyboard.press("Tab")
    page.keyboard.type("2019-03-19")
    registered.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("20/03/2019")  # registered between 32 (14/03) and 33 (21/03), where it is moved to
    expect(registered).not_to_have_attribute("aria-invalid", "true")

    _cell(page, 1, "Họ, chữ đệm và tên").click()
    page.keyboard.press("Control+Delete")  # row 1 goes
    expect(rows).to_have_count(3)
    expect(_cell(page, 1, "Số đăng ký")).to_have_value("32")
    _cell(page, 3, "Họ, chữ đệm và tên").click()
    page.keyboard.press("Alt+ArrowUp")  # 34 before 33
    expect(_cell(page, 2, "Họ, chữ đệm và tên")).to_be_focused()
    assert [values[0] for values in _grid_values(page)] == ["32", "34", "33"]
    page.get_by_role("button", name="Thêm dòng").click()  # a row added by the button, left empty: not kept
    expect(rows).to_have_count(4)
    check_accessible(page)
    screenshot(page, "register-grid")
    page.keyboard.press("Control+Enter")

    expect(page).to_have_url(re.compile(f"/duyet/{stored.register}/so\\?saved=2$"))
    expect(page.locator(".saved-banner")).to_contain_text("Đã lưu phiên bản 2")
    latest = site.catalog.document(stored.register)
    assert latest.version == 2 and not latest.needs_review
    assert latest.record["records"] == [
        {"registration_number": "32", "registration_date": "2019-03-14", "full_name": "Đỗ Thị Hoa",
         "date_of_death": "2019-03-11", "page": 1},
        {"registration_number": "34", "registration_date": "2019-03-20", "full_name": "Phạm Văn Năm",
         "date_of_death": "2019-03-19", "page": 1},
        {"registration_number": "33", "registration_date": "2019-03-21", "full_name": "Vũ Đức Thắng",
         "date_of_death": "2019-03-20", "page": 1}]
    assert len(site.catalog.document(stored.register, 1).record["records"]) == 3  # the old version stays
    expect(rows).to_have_count(3)
    page.close()


def test_a_page_with_no_entry_read_is_keyed_in_from_scratch(reviewer: BrowserContext, site: Site,
                                                            stored: Stored) -> None:
    page = reviewer.new_page()
    page.goto(f"/duyet/{stored.unread}/so")
    expect(page.locator(".other-doubts")).to_contain_text("Không đọc được dòng nào trong bảng của trang sổ")
    expect(page.locator(".entry-grid tbody tr")).to_have_count(1)
    _cell(page, 1, "Số đăng ký").click()
    for text in ("07", "05/01/2020", "Ngô Văn Bảy"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.keyboard.type("03/01/2020")
    page.keyboard.press("Enter")  # the next row, same column
    expect(_cell(page, 2, "Ngày, tháng, năm chết")).to_be_focused()
    page.keyboard.type("2020-01-09")
    for text in ("Hồ Thị Tám", "10/01/2020", "08"):
        page.keyboard.press("Shift+Tab")
        page.keyboard.type(text)
    page.get_by_label("Ghi chú").fill("Nhập tay từ sổ giấy")
    page.get_by_role("button", name=re.compile("Lưu và ký số lại")).click()
    expect(page).to_have_url(re.compile(r"\?saved=2$"))
    latest = site.catalog.document(stored.unread)
    assert latest.record["records"] == [
        {"registration_number": "07", "registration_date": "2020-01-05", "full_name": "Ngô Văn Bảy",
         "date_of_death": "2020-01-03", "page": 1},
        {"registration_number": "08", "registration_date": "2020-01-10", "full_name": "Hồ Thị Tám",
         "date_of_death": "2020-01-09", "page": 1}]
    assert not latest.needs_review and latest.record["corrections"][-1]["note"] == "Nhập tay từ sổ giấy"
    page.close()


def test_the_grid_works_without_javascript(browser: Browser, site: Site, stored: Stored) -> None:
    context = signed_in(browser, site, "reviewer", javascript=False)
    page = context.new_page()
    before = site.catalog.document(stored.unread)
    count = len(before.record["records"])
    page.goto(f"/duyet/{stored.unread}/so")
    expect(page.locator(".entry-grid tbody tr")).to_have_count(count + 3)  # three empty rows to fill in
    expect(page.get_by_role("button", name="Thêm dòng")).to_be_hidden()  # the script's tools
    row = count + 1
    for column, text in (("Số đăng ký", "09"), ("Ngày đăng ký", "12/01/2020"), ("Họ, chữ đệm và tên", "Lò Văn Chín"),
                         ("Ngày, tháng, năm chết", "11/01/2020")):
        _cell(page, row, column).fill(text)
    page.get_by_role("button", name=re.compile("Lưu và ký số lại")).click()
    expect(page.locator(".saved-banner")).to_contain_text(f"Đã lưu phiên bản {before.version + 1}")
    latest = site.catalog.document(stored.unread)
    assert latest.record["records"][-1] == {"registration_number": "09", "registration_date": "2020-01-12",
                                            "full_name": "Lò Văn Chín", "date_of_death": "2020-01-11", "page": 1}
    assert len(latest.record["records"]) == count + 1
    context.close()


def test_other_agencies_and_other_roles_are_kept_out(browser: Browser, site: Site, stored: Stored) -> None:
    other = _as(browser, site, OTHER_REVIEWER)
    page = other.new_page()
    for path in (f"/duyet/{stored.register}", f"/duyet/{stored.unread}/so"):
        answer = page.goto(path)
        assert answer.status == 404
        expect(page.locator("main")).to_contain_text("hoặc tài liệu thuộc cơ quan khác")
    check_accessible(page)
    page.goto("/duyet")
    expect(page.locator("tr[data-doc]")).to_have_count(0)
    assert page.request.post(f"/api/documents/{stored.register}/corrections", data={"confirm": ["records"]},
                             headers={"X-CSRF-Token": page.locator('meta[name="csrf-token"]').get_attribute(
                                 "content")}).status == 404
    other.close()
    officer = signed_in(browser, site, "officer")
    page = officer.new_page()
    answer = page.goto("/duyet")
    assert answer.status == 403
    expect(page.locator("h1")).to_have_text("Không được phép")
    assert page.goto(f"/duyet/{stored.register}/so").status == 403
    officer.close()


def _printed_line(index: int) -> tuple[float, float]:
    """The band of BIRTH's line ``index`` on its A5 page, as fractions of the page's height (as sohoa.sample prints
    it: a 15 mm margin, 12 pt text, lines 1.6 em apart)."""
    height, margin, size = 210 * DPI / 25.4, round(15 * DPI / 25.4), round(12 * DPI / 72)
    top = margin + index * round(size * 1.6)
    return top / height, (top + round(size * 1.6)) / height
