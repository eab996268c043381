"""The officer's pages for real, in Chromium, over the sample batch's signed documents (agency TEST): one search box
(names without diacritics, personal IDs, numbers) with filters, a document with its page images, fields, signature
check, versions and downloads, a citizen's documents; another agency sees none of it; the read pages work with
JavaScript off."""
from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, BrowserContext, Page, expect
from signing_support import nss_db, pdfsig
from web_support import Site, check_accessible, off_the_loop, screenshot, signed_in

from signing.verify import verify_pdf
from storage.search import SearchQuery, search
from workers.correct import correct_document

AN_ID = "001090012345"  # NGUYỄN VĂN AN, on the sample's birth certificate
KHAI_ID = "034041000321"  # BÙI VĂN KHẢI, on the sample's death extract
RESULTS = "table.results tbody tr"


@dataclass(frozen=True)
class Sample:
    birth: str  # document ids
    death: str  # corrected once: it has a version 2
    decision: str
    letter: str
    criminal: str


def _only(site: Site, query: SearchQuery) -> str:
    items = search(site.catalog, query, actor="test").items
    assert len(items) == 1, items
    return items[0]["id"]


@pytest.fixture(scope="module")
def sample(site: Site) -> Sample:
    """The sample's documents, the death extract corrected by a reviewer (its version 2)."""
    found = Sample(birth=_only(site, SearchQuery(personal_id=AN_ID)),
                   death=_only(site, SearchQuery(personal_id=KHAI_ID)),
                   decision=_only(site, SearchQuery(doc_type="decision")),
                   letter=_only(site, SearchQuery(doc_type="official_letter")),
                   criminal=_only(site, SearchQuery(doc_type="criminal_record")))
    if site.catalog.document(found.death).version == 1:
        off_the_loop(correct_document, site.catalog, site.store, found.death,
                     [("place_of_death", "Thôn Tây, xã An Hòa")], signer=site.settings.signer_config(),
                     actor=site.person("reviewer"), note="Viết hoa chữ Thôn như bản giấy", default_agency="TEST")
    return found


@pytest.fixture(scope="module")
def officer(browser: Browser, site: Site) -> Iterator[BrowserContext]:
    context = signed_in(browser, site, "officer")
    yield context
    context.close()


@pytest.fixture
def page(officer: BrowserContext) -> Iterator[Page]:
    opened = officer.new_page()
    yield opened
    opened.close()


def find(page: Page, text: str) -> None:
    page.goto("/tra-cuu")
    page.get_by_label("Số định danh cá nhân, số văn bản hoặc họ tên").fill(text)
    page.get_by_role("button", name="Tra cứu", exact=True).click()


def result_ids(page: Page) -> list[str]:
    return page.locator(f"{RESULTS} a.doc-id").all_inner_texts()


def test_a_name_without_diacritics_finds_the_samples_people_with_full_ids(page: Page, sample: Sample) -> None:
    find(page, "nguyen")
    expect(page.locator("#reading")).to_contain_text("Đã tìm “nguyen”")
    ids = result_ids(page)
    assert {sample.birth, sample.letter} <= set(ids), ids
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)  # never cut: what `sohoa get` needs
    row = page.locator(RESULTS, has=page.locator(f'a[href="/tai-lieu/{sample.birth}"]'))
    expect(row).to_contain_text("Giấy khai sinh")
    expect(row).to_contain_text("NGUYỄN VĂN AN")
    expect(row).to_contain_text("TEST")
    expect(page.locator(RESULTS, has=page.locator(f'a[href="/tai-lieu/{sample.letter}"]'))).to_contain_text(
        "1816/PTP-HT")
    check_accessible(page)
    screenshot(page, "search")


def test_a_personal_id_and_numbers_are_read_as_such(page: Page, sample: Sample) -> None:
    find(page, "0010 9001 2345")
    expect(page.locator("#reading")).to_contain_text("là số định danh cá nhân")
    assert result_ids(page) == [sample.birth]
    find(page, "5521/LLTP")
    expect(page.locator("#reading")).to_contain_text("là số")
    assert result_ids(page) == [sample.criminal]
    find(page, "123/qđ-ubnd")  # case folded
    assert result_ids(page) == [sample.decision]
    expect(page.locator(RESULTS).first.locator(".badge-review")).to_have_text("Cần kiểm tra")
    page.get_by_role("link", name="Tìm theo từ ngữ").click()  # the same query as words: found in the text too
    expect(page.locator("#reading")).to_contain_text("trong nội dung")
    assert sample.decision in result_ids(page)


def test_filters_narrow_the_search(page: Page, site: Site, sample: Sample) -> None:
    page.goto("/tra-cuu")
    page.get_by_label("Loại tài liệu").select_option(label="Quyết định")
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    assert result_ids(page) == [sample.decision]
    expect(page.get_by_label("Loại tài liệu")).to_have_value("decision")  # the form keeps what was chosen
    find(page, "nguyen")
    page.get_by_label("Loại tài liệu").select_option("official_letter")
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    assert result_ids(page) == [sample.letter]
    page.goto("/tra-cuu?review=yes")
    flagged = result_ids(page)  # those a reviewer must look at, whatever OCR was unsure of in the sample
    assert sample.decision in flagged and sample.letter not in flagged
    assert all(site.catalog.document(doc_id).needs_review for doc_id in flagged)
    page.goto("/tra-cuu?q=nguyen&date_from=2024-04-01&date_to=2024-04-30")  # the letter is dated 2 April 2024
    assert result_ids(page) == [sample.letter]
    page.goto("/tra-cuu?q=nguyen&date_from=2024-05-01&date_to=2024-04-30")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#f-date_to-error")).to_contain_text("trước ngày bắt đầu")


def test_results_come_a_page_at_a_time(page: Page, site: Site) -> None:
    expected = [i["id"] for i in search(site.catalog, SearchQuery(needs_review=False), actor="test").items]
    page.goto("/tra-cuu?review=no&limit=3")
    seen = result_ids(page)
    while page.get_by_role("link", name="Trang sau").count():
        page.get_by_role("link", name="Trang sau").click()
        expect(page.get_by_role("link", name="Trang đầu")).to_be_visible()
        seen += result_ids(page)
    assert seen == expected and len(expected) > 3
    page.goto(page.url.replace("review=no", "review=yes"))  # a cursor of another search
    expect(page.get_by_role("alert")).to_contain_text("không còn khớp")


def test_a_document_shows_its_page_fields_signature_and_codes(page: Page, site: Site, sample: Sample) -> None:
    page.goto(f"/tai-lieu/{sample.birth}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy khai sinh: NGUYỄN VĂN AN")
    image = page.get_by_role("img", name="Trang 1 của tài liệu, như trong bản PDF có ký số")
    expect(image).to_be_visible()  # beside the fields, in the first screen
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    fields = page.locator(".fields dl.facts").first
    expect(fields).to_contain_text("Họ, chữ đệm và tên")
    expect(fields).to_contain_text("NGUYỄN VĂN AN")
    expect(fields).to_contain_text("15/03/1990")  # the date written the Vietnamese way
    expect(page.locator(".signature .verdict")).to_have_text("Hợp lệ:")
    expect(page.locator(".signature-summary")).to_contain_text("tài liệu không bị thay đổi từ khi ký")
    expect(page.locator(".signature-summary")).to_contain_text("chứng thư số không bị thu hồi")
    expect(page.locator("code.doc-id")).to_have_text(sample.birth)
    expect(page.get_by_role("link", name=AN_ID)).to_have_attribute("href", f"/cong-dan/{AN_ID}")
    expect(page.locator(".versions tbody tr")).to_have_count(1)
    batch = page.locator("dd", has_text=site.catalog.document(sample.birth).batch_id)
    expect(batch.get_by_role("link")).to_have_count(0)  # an officer does not see batches
    check_accessible(page)
    screenshot(page, "document")


def test_the_signed_pdf_downloaded_from_the_page_verifies(page: Page, site: Site, sample: Sample,
                                                          tmp_path: Path) -> None:
    page.goto(f"/tai-lieu/{sample.birth}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Bản PDF có ký số").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"{sample.birth}-v1.pdf"
    data = saved.read_bytes()
    assert data == site.store.get(site.catalog.document(sample.birth).pdf_key)
    report = off_the_loop(verify_pdf, data, site.settings.trusted_roots(), saved.name, site.settings.verify_crls())
    assert report.valid, report.to_text()
    out = pdfsig(saved, nss_db(tmp_path / "nss", site.settings.development_keys().ca_cert))
    assert "Signature is Valid" in out and "Certificate is Trusted" in out, out


def test_the_data_extract_holds_the_fields_and_the_version(page: Page, sample: Sample, tmp_path: Path) -> None:
    page.goto(f"/tai-lieu/{sample.birth}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Trích xuất dữ liệu (Excel)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    rows = {r[0]: r[1] for r in load_workbook(saved).active.iter_rows(values_only=True) if r and r[0]}
    assert (rows["id"], rows["version"], rows["full_name"], rows["personal_id"]) == (
        sample.birth, 1, "NGUYỄN VĂN AN", AN_ID)
    assert rows["signer"].startswith("sohoa development signer")
    extract = page.request.get(f"/api/documents/{sample.birth}/extract?format=json").json()
    assert extract["fields"]["date_of_birth"] == "1990-03-15" and extract["sha256"] == rows["sha256"]


def test_a_corrected_document_shows_its_versions(page: Page, sample: Sample, site: Site) -> None:
    page.goto(f"/tai-lieu/{sample.death}")
    versions = page.locator(".versions tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.nth(1)).to_contain_text("Phiên bản 2 (đang xem)")
    expect(versions.nth(1)).to_contain_text(f"Do {site.person('reviewer')} chỉnh sửa lúc")
    expect(versions.nth(1)).to_contain_text("Ghi chú: Viết hoa chữ Thôn như bản giấy")
    expect(versions.nth(1).locator(".changes li")).to_have_text("Nơi chết: thôn Tây, xã An Hòa → Thôn Tây, xã An Hòa")
    expect(versions.nth(0)).to_contain_text("Tạo từ bản quét")
    expect(page.locator(".fields")).to_contain_text("Thôn Tây, xã An Hòa")
    expect(page.locator(".signature .verdict")).to_have_text("Hợp lệ:")  # the new version is signed anew
    versions.nth(0).get_by_role("link", name="Phiên bản 1").click()
    expect(page).to_have_url(re.compile(rf"/tai-lieu/{sample.death}\?version=1$"))
    expect(page.locator(".doc-meta")).to_contain_text("không phải bản mới nhất")
    expect(page.locator(".fields")).to_contain_text("thôn Tây, xã An Hòa")
    expect(page.get_by_role("img").first).to_have_attribute(
        "src", f"/api/documents/{sample.death}/pages/1.png?version=1")
    expect(page.locator(".blank-page")).to_have_text("Trang 2 là trang trắng, không lưu trong bản PDF.")
    with page.expect_download() as download:
        page.get_by_role("link", name="Bản PDF có ký số").click()
    assert download.value.suggested_filename == f"{sample.death}-v1.pdf"


def test_the_citizen_page_lists_the_documents_of_a_personal_id(page: Page, sample: Sample) -> None:
    page.goto(f"/tai-lieu/{sample.birth}")
    page.get_by_role("link", name=AN_ID).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Giấy tờ của công dân {AN_ID}")
    expect(page.locator("dl.facts")).to_contain_text("NGUYỄN VĂN AN")
    table = page.get_by_role("table", name="Giấy tờ ghi số định danh cá nhân này")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Người đứng tên")
    check_accessible(page)
    screenshot(page, "citizen")
    table.get_by_role("link", name=sample.birth).click()
    expect(page).to_have_url(re.compile(rf"/tai-lieu/{sample.birth}$"))
    page.goto("/cong-dan/999999999999")
    expect(page.get_by_text("Không có giấy tờ nào trong phạm vi được phép tra cứu")).to_be_visible()
    assert page.goto("/cong-dan/12345").status == 404


def test_another_agencys_officer_sees_nothing_of_it(browser: Browser, site: Site, sample: Sample) -> None:
    context = signed_in(browser, site, "other_officer")
    page = context.new_page()
    answer = page.goto(f"/tai-lieu/{sample.birth}")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy")
    expect(page.locator("main")).to_contain_text(f"Không tìm thấy tài liệu {sample.birth}")
    check_accessible(page)
    for query in ("nguyen", AN_ID, "123/QĐ-UBND"):
        find(page, query)
        expect(page.locator("main .empty")).to_contain_text("Không tìm thấy tài liệu")
        assert result_ids(page) == []
    page.goto(f"/cong-dan/{AN_ID}")
    expect(page.locator("main")).to_contain_text("Không có giấy tờ nào ghi số định danh cá nhân này")
    assert page.request.get(f"/api/documents/{sample.birth}/pages/1.png").status == 404
    context.close()


def test_search_and_document_pages_work_without_javascript(browser: Browser, site: Site, sample: Sample) -> None:
    context = signed_in(browser, site, "officer", javascript=False)
    page = context.new_page()
    find(page, "nguyen van an")
    assert sample.birth in result_ids(page)
    page.get_by_role("link", name=sample.birth).click()
    expect(page.locator(".signature .verdict")).to_have_text("Hợp lệ:")
    expect(page.locator(".fields")).to_contain_text("NGUYỄN VĂN AN")
    image = page.locator(".page img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    expect(page.locator(".signature details")).to_be_visible()  # the details open without script
    page.locator(".signature summary").click()
    expect(page.locator(".signature details li").first).to_contain_text("mức PAdES-B-B")
    context.close()


@pytest.mark.parametrize("role", ["reviewer", "archivist"])
def test_reviewers_and_archivists_download_no_signed_pdf(browser: Browser, site: Site, sample: Sample,
                                                        role: str) -> None:
    context = signed_in(browser, site, role)
    page = context.new_page()
    page.goto(f"/tai-lieu/{sample.death}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trích lục khai tử")
    expect(page.get_by_role("link", name="Bản PDF có ký số")).to_have_count(0)
    expect(page.get_by_role("link", name="Trích xuất dữ liệu (JSON)")).to_be_visible()
    expect(page.locator(".downloads")).to_contain_text("Chỉ cán bộ một cửa được tải bản có ký số.")
    batch = site.catalog.document(sample.death).batch_id
    expect(page.get_by_role("link", name=batch)).to_have_count(1 if role == "archivist" else 0)
    assert page.request.get(f"/api/documents/{sample.death}/pdf").status == 403
    check_accessible(page)
    extract = page.request.get(f"/api/documents/{sample.death}/extract?format=json")
    assert json.loads(extract.body())["version"] == 2
    context.close()


def test_the_xlsx_extract_lists_register_entries() -> None:
    """Read without a browser: the sample has no register page, so this one is made from the extract model."""
    from workers.extracts import DocumentExtract, extract_xlsx

    extract = DocumentExtract(id="so-1", version=1, doc_type="birth_register_page", agency="TEST", batch="b",
                              source="so.tif", records=[{"registration_number": "12", "full_name": "TRẦN THỊ HAI",
                                                          "page": 1}],
                              signature={"level": "PAdES-B-B", "signer": "x", "signed_at": "2024-01-01T00:00:00"},
                              sha256="0" * 64, needs_review=False, extracted_at="2024-01-02T00:00:00")
    rows = list(load_workbook(io.BytesIO(extract_xlsx(extract))).active.iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "entry")
    assert list(header[:4]) == ["entry", "registration_number", "registration_date", "full_name"]
    assert header[-1] == "page" and rows[-1][0] == 1 and rows[-1][1] == "12" and rows[-1][-1] == 1


def test_a_broken_signature_is_told_in_plain_words(site: Site, sample: Sample) -> None:
    from sohoa.web.routes.officer import signature_words

    signed = bytearray(site.store.get(site.catalog.document(sample.birth).pdf_key))
    signed[len(signed) // 3] ^= 0x01  # in the signed bytes
    roots = site.settings.trusted_roots()
    words = signature_words(off_the_loop(verify_pdf, bytes(signed), roots, "x.pdf", site.settings.verify_crls()))
    assert not words.valid and words.summary == "không được sử dụng chữ ký này. Kết quả kiểm tra:"
    assert "Chữ ký không khớp với nội dung: tài liệu đã bị sửa đổi." in words.details
    unsigned = signature_words(off_the_loop(verify_pdf, b"%PDF-1.7\n%%EOF\n", roots))
    assert not unsigned.valid and unsigned.summary in ("tệp lưu trữ không có chữ ký số.",
                                                       "không đọc được tệp lưu trữ dưới dạng PDF.")
