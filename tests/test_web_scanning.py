"""The scanning team's pages for real, in Chromium against the running service: a batch dropped on the upload page
(drag and drop, a progress bar per file) and followed live until it is done, with its page to scan again shown from
the raw scan; the list of batches; the upload form without JavaScript (a folder keeps its subfolders' names); refusals
in words; another agency's batch and another role's page. Real Tesseract reads every page sent (four in all)."""
from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from web_support import PASSWORD, PEOPLE, Site, check_accessible, screenshot, signed_in

from sohoa.sample import render_page
from storage.keys import raw_prefix
from storage.users import add_user

AGENCY = "QUET.01"  # an agency of the scanning tests' own: the sample run's documents (TEST) stay as they are
OTHER_AGENCY = "KHAC"
DOSSIER = "000.00.12.H40-240504-0001"
FINISHING = 240_000  # ms: a batch's pages are read by real Tesseract while other tests run too
ELSEWHERE = "20240504T080000-0badf00d"  # a finished batch of AGENCY made in the catalog


@dataclass(frozen=True)
class Scans:
    clear: bytes  # an A5 page at 200 dpi
    low: bytes  # an A5 page at 150 dpi: to scan again
    folder: Path  # so-2017/trang-001.png and so-2018/trang-001.png: one name in two folders


def _png(lines: list[str], dpi: int, size_mm: tuple[float, float] = (148, 210)) -> bytes:
    out = io.BytesIO()
    Image.fromarray(render_page(lines, dpi=dpi, size_mm=size_mm)).convert("L").save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Scans:
    folder = tmp_path_factory.mktemp("scans") / "quet"
    for year, title in (("2017", "THÔNG BÁO"), ("2018", "BIÊN BẢN")):
        (folder / f"so-{year}").mkdir(parents=True)
        (folder / f"so-{year}" / "trang-001.png").write_bytes(_png([title, f"Năm {year}"], 150, (148, 40)))
    return Scans(clear=_png(["QUYẾT ĐỊNH", "Về việc công nhận tổ số hóa tiêu biểu", "năm 2024"], 200),
                 low=_png(["CÔNG VĂN", "Về việc quét lại hồ sơ lưu trữ", "năm 2024"], 150), folder=folder)


@pytest.fixture(scope="module")
def scanners(site: Site) -> Iterator[None]:
    """Two scanning teams of their own, signed in as ``quet`` (agency QUET.01) and ``quet_khac`` (KHAC); a finished
    batch of QUET.01 already in the catalog."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        for who, name, agency in (("quet", "to.quet.mot", AGENCY), ("quet_khac", "to.quet.khac", OTHER_AGENCY)):
            add_user(site.catalog, name, "scanner", [agency], actor="test-admin", password=PASSWORD, token=False)
            monkeypatch.setitem(PEOPLE, who, (name, [agency]))
        site.catalog.start_batch(ELSEWHERE, AGENCY, "result", {"operator": "Trần Văn Bình"})
        site.catalog.finish_batch(ELSEWHERE, "done", {"documents": 3, "pages": 4, "failed": [
            {"source": "hong.pdf", "error": "the PDF is damaged and cannot be opened (Failed to load document)"}],
            "skipped": [{"source": "trang.png", "reason": "every page is blank"}], "rescan": []})
        yield


def _drop(page: Page, files: dict[str, bytes]) -> None:
    """Drag ``files`` onto the drop zone: a DataTransfer made in the page from their bytes."""
    transfer = page.evaluate_handle("""(files) => {
        const transfer = new DataTransfer();
        for (const [name, data] of files) {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            transfer.items.add(new File([bytes], name));
        }
        return transfer;
    }""", [[name, base64.b64encode(data).decode()] for name, data in files.items()])
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event("#drop-zone", event, {"dataTransfer": transfer})


def _upload_record(site: Site, agency: str, batch_id: str) -> dict:
    return json.loads(site.store.get(raw_prefix(agency, batch_id) + "upload.json"))


def test_a_scanner_drops_a_batch_and_watches_it_finish(browser: Browser, site: Site, scanners: None,
                                                        scans: Scans) -> None:
    context = signed_in(browser, site, "quet")
    page = context.new_page()
    page.goto("/tai-len")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tải lên bản quét")
    expect(page.get_by_label("Người số hóa")).to_have_value("to.quet.mot")  # the person's name, to be changed
    expect(page.locator("#f-agency option")).to_have_text([AGENCY])  # only the person's agencies
    expect(page.get_by_role("group", name=re.compile("Sổ hộ tịch"))).to_be_hidden()  # only for a book
    check_accessible(page)
    _drop(page, {"trang-1.png": scans.clear, "trang-2.png": scans.low, "ghi-chu.txt": b"not a scan"})
    rows = page.locator("#chosen-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("Không phải tệp quét PNG, JPEG, TIFF hoặc PDF")  # flagged, not sent
    expect(page.locator("#chosen-count")).to_contain_text("Số tệp sẽ gửi: 2")
    expect(rows.locator("progress")).to_have_count(2)
    page.get_by_role("button", name="Bỏ ghi-chu.txt").click()
    expect(rows).to_have_count(2)
    page.get_by_label("Loại lô").select_option(label="Sổ hộ tịch")
    expect(page.get_by_role("group", name=re.compile("Sổ hộ tịch"))).to_be_visible()
    page.get_by_label("Loại lô").select_option(label="Hồ sơ")
    page.get_by_label("Tên cơ quan").fill("UBND xã An Hòa")
    page.get_by_label("Mã hồ sơ").fill(DOSSIER)
    page.get_by_label("Mã thủ tục").fill("1.001193")
    page.get_by_label("Người số hóa").fill("Nguyễn Thị Thu")
    check_accessible(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "upload")
    page.get_by_role("button", name="Gửi lô").click()

    page.wait_for_url(re.compile(r"/lo-quet/[0-9T]+-[0-9a-f]{8}$"))
    batch_id = page.url.rsplit("/", 1)[1]
    assert _upload_record(site, AGENCY, batch_id)["manifest"] == {
        "kind": "dossier", "agency": AGENCY, "agency_name": "UBND xã An Hòa", "dossier_code": DOSSIER,
        "procedure_code": "1.001193", "operator": "Nguyễn Thị Thu"}
    expect(page.locator("#batch-status")).to_have_text("Hoàn thành", timeout=FINISHING)  # followed, not reloaded
    expect(page.locator("#documents")).to_have_text("2")
    expect(page.locator("#pages-done")).to_have_text("2")
    progress = page.locator("#batch-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "2"
    rescan = page.locator("table.rescan tbody tr")
    expect(rescan).to_have_count(1)
    expect(rescan.locator("td").nth(1)).to_have_text("trang-2.png")
    expect(rescan).to_contain_text("Độ phân giải 150 dpi, thấp hơn mức tối thiểu 200 dpi")
    picture = rescan.get_by_role("img", name="Trang 1 của tệp trang-2.png, như khi quét")
    expect(picture).to_be_visible()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    assert picture.evaluate("(img) => img.naturalWidth") == 240
    expect(page.get_by_text("Nguyễn Thị Thu")).to_be_visible()
    check_accessible(page)
    screenshot(page, "batch")

    page.get_by_role("link", name="Lô quét").first.click()
    expect(page).to_have_url(re.compile("/lo-quet$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lô quét")
    first = page.locator("table.batches tbody tr").first  # the newest
    expect(first.get_by_role("link", name=batch_id)).to_be_visible()
    expect(first.locator("td")).to_have_text([batch_id, AGENCY, "Hồ sơ", re.compile(r"\d"), "Hoàn thành", "2", "2",
                                              "0"])
    older = page.locator("table.batches tbody tr").filter(has_text=ELSEWHERE)
    expect(older.locator("td")).to_have_text([ELSEWHERE, AGENCY, "Kết quả", re.compile(r"\d"), "Hoàn thành", "3",
                                              "4", "1"])
    check_accessible(page)
    screenshot(page, "batches")
    first.get_by_role("link", name=batch_id).click()
    expect(page).to_have_url(re.compile(f"/lo-quet/{batch_id}$"))
    context.close()


def test_a_finished_batch_tells_what_failed_and_was_skipped_in_words(browser: Browser, site: Site,
                                                                     scanners: None) -> None:
    context = signed_in(browser, site, "quet")
    page = context.new_page()
    page.goto(f"/lo-quet/{ELSEWHERE}")
    failures = page.get_by_role("region", name="Lỗi", exact=True)
    expect(failures.locator("tbody tr")).to_have_count(1)
    expect(failures.locator("tbody td")).to_contain_text(["hong.pdf", "Tệp PDF bị hỏng, không mở được"])
    failures.get_by_text("Chi tiết kỹ thuật").click()
    expect(failures.get_by_text("Failed to load document", exact=False)).to_be_visible()
    skipped = page.get_by_role("region", name="Tệp bỏ qua", exact=True)
    expect(skipped.locator("tbody tr td")).to_have_text(["trang.png", "Tất cả các trang đều trắng"])
    expect(page.get_by_role("link", name="Tải lại để xem tiến độ")).to_have_count(0)  # it has finished
    check_accessible(page)
    context.close()


def test_without_javascript_the_form_uploads_a_folder_keeping_its_subfolders(browser: Browser, site: Site,
                                                                            scanners: None, scans: Scans) -> None:
    context = signed_in(browser, site, "quet", javascript=False)
    page = context.new_page()
    page.goto("/tai-len")
    expect(page.locator("#drop-hint")).to_be_hidden()  # nothing to drop on without the script
    page.get_by_label("Tệp quét").set_input_files(files=[{"name": "ghi-chu.txt", "mimeType": "text/plain",
                                                         "buffer": b"not a scan"}])
    page.get_by_role("button", name="Gửi lô").click()
    expect(page.get_by_role("alert")).to_contain_text("Có tệp không được chấp nhận")
    expect(page.get_by_role("alert")).to_contain_text("ghi-chu.txt: unsupported file type")
    expect(page.get_by_label("Người số hóa")).to_have_value("to.quet.mot")  # what was typed is kept

    page.get_by_label("Cả thư mục bản quét").set_input_files(scans.folder)
    page.get_by_label("Loại lô").select_option(label="Sổ hộ tịch")
    page.get_by_label("Loại sổ").select_option(label="Khai sinh")
    page.get_by_label("Năm").fill("2017")
    page.get_by_label("Quyển số").fill("02")
    page.get_by_role("button", name="Gửi lô").click()
    page.wait_for_url(re.compile(r"/lo-quet/[0-9T]+-[0-9a-f]{8}$"))
    batch_id = page.url.rsplit("/", 1)[1]
    record = _upload_record(site, AGENCY, batch_id)
    assert [f["name"] for f in record["files"]] == ["quet/so-2017/trang-001.png", "quet/so-2018/trang-001.png"]
    assert record["manifest"]["book"] == {"type": "birth", "year": 2017, "volume": "02"}
    expect(page.get_by_role("heading", level=1)).to_contain_text(batch_id)
    if page.locator("#batch-status .badge-done, #batch-status .badge-failed").count() == 0:  # still going
        expect(page.get_by_role("link", name="Tải lại để xem tiến độ")).to_be_visible()
    context.close()  # no axe here: it needs the JavaScript this browser has not (the pages are checked above)


def test_the_servers_refusal_is_shown_in_words(browser: Browser, site: Site, scanners: None) -> None:
    context = signed_in(browser, site, "quet")
    page = context.new_page()
    page.goto("/tai-len")
    _drop(page, {"gia-mao.png": b"not a PNG at all"})  # named as a scan: only the server can tell
    page.get_by_role("button", name="Gửi lô").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Có tệp không được chấp nhận")
    expect(alert).to_contain_text("gia-mao.png: unsupported file type")
    expect(page.get_by_role("button", name="Gửi lô")).to_be_enabled()
    assert page.url.endswith("/tai-len")
    check_accessible(page)
    context.close()


def test_another_agencys_batch_is_not_found_and_a_scanner_may_not_search(browser: Browser, site: Site,
                                                                          scanners: None) -> None:
    context = signed_in(browser, site, "quet_khac")
    page = context.new_page()
    answer = page.goto(f"/lo-quet/{ELSEWHERE}")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy")
    check_accessible(page)
    assert page.request.get(f"/api/batches/{ELSEWHERE}").status == 404
    page.goto("/lo-quet")
    expect(page.get_by_text(ELSEWHERE)).to_have_count(0)
    answer = page.goto("/tra-cuu")
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Không được phép")
    context.close()
