"""The archivist's pages for real, in Chromium, on sites of their own (copies of the sample run's data, with a dossier
batch, a result batch with a failed file and rescans, and civil-registry book pages added): the dashboard shows what
the catalog holds (counted here independently, from its rows), its CSV and XLSX say the same, its charts have tables;
the audit log is listed, filtered and paged, and a changed event is named; a fixity run started from the page ends
and shows its counts, and a changed object."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from babel.numbers import format_decimal, format_percent
from openpyxl.cell.cell import Cell
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import text
from storage_backends import StoreUnderTest
from storage_documents import document, store_document
from web_support import AGENCY, PEOPLE, Site, check_accessible, own_site, screenshot, signed_in

from sohoa.settings import Settings
from sohoa.web.i18n import translations
from sohoa.web.routes.archive import ACTION_NAMES
from sohoa.web.templating import day, moment
from sohoa.web.words import DOC_TYPE_NAMES
from storage.audit import ACTIONS
from storage.catalog import Catalog
from storage.objects import ObjectStore

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
AGENCY_NAME = "UBND xã An Hòa"
BOOK_TYPES = {"birth_register_page": "Khai sinh", "marriage_register_page": "Kết hôn",
              "death_register_page": "Khai tử"}


def _add_batches(catalog: Catalog, store: ObjectStore) -> None:
    """A dossier batch (two dossier codes, a document to review), a result batch of ten with a failed file and two
    pages to rescan, a birth register book of 1999 and a death register page of a batch with no book."""
    def batch(batch_id: str, kind: str, manifest: dict, docs: list[dict], summary: dict | None = None) -> None:
        catalog.start_batch(batch_id, AGENCY, kind, {"kind": kind, "agency": AGENCY, "agency_name": AGENCY_NAME,
                                                     **manifest})
        for doc in docs:
            doc["batch"] = batch_id
            store_document(catalog, store, doc)
        catalog.finish_batch(batch_id, "done", {"documents": len(docs), **(summary or {})})

    dossiers = []
    for n, code in enumerate(("000.00.12.H40-240504-0001", "000.00.12.H40-240504-0001", "000.00.12.H40-240504-0002")):
        doc = document(f"hs-{n}", "application_form", {"applicant_name": "LÊ VĂN TÁM"}, agency=AGENCY)
        doc.update(dossier_code=code, needs_review=n == 1)
        dossiers.append(doc)
    batch("20240504T080000-dossier", "dossier", {}, dossiers)
    results = [document(f"kq-{n}", "decision", {"document_number": f"{n}/QĐ-UBND"}, agency=AGENCY) for n in range(10)]
    batch("20240504T090000-results", "result", {}, results, {
        "failed": [{"source": "kq-10.tif", "error": "the file is truncated"}],
        "rescan": [{"source": "kq-2.png", "page": p, "reason": "150 dpi"} for p in (1, 2)]})
    births = [{"registration_number": str(n), "registration_date": "1999-02-0" + str(n), "full_name": "TRẦN VĂN A",
               "date_of_birth": "1999-01-01", "gender": "Nam"} for n in (1, 2, 3)]
    batch("20240504T100000-book", "registry_book", {"book": {"type": "birth", "year": 1999, "volume": "01"}},
          [document("so-ks-1999", "birth_register_page", {}, records=births, agency=AGENCY)])
    deaths = [{"registration_number": str(n), "registration_date": "2016-12-30", "full_name": "ĐẶNG VĂN MỘT",
               "date_of_death": "2016-12-29"} for n in (1, 2)]
    batch("20240504T110000-loose", "registry_book", {}, [document("so-kt", "death_register_page", {},
                                                                  records=deaths, agency=AGENCY)])


@contextmanager
def archive_copy(sample_run, folder: Path, *, damage: bool = False) -> Iterator[Site]:  # noqa: ANN001 - conftest's Run
    """A site over a copy of the sample run's data with the batches above; ``damage``: one audit event edited in the
    database, one name edited in the catalog's rows and one stored PDF changed behind sohoa's back, before the service
    starts."""
    def prepare(settings: Settings, catalog: Catalog) -> None:
        _add_batches(catalog, settings.object_store())
        if damage:
            with catalog.engine.begin() as connection:
                connection.execute(text("UPDATE audit_events SET actor = 'ke-gian' WHERE seq = 3"))
                connection.execute(text("UPDATE fields SET value = 'TÊN GIẢ' WHERE id = (SELECT min(id) FROM fields "
                                        "WHERE name = 'full_name')"))
            StoreUnderTest("local", settings.object_store(), root=settings.objects_dir).flip_byte(changed_key(catalog))

    with own_site(sample_run.data_dir, folder, prepare) as site:
        yield site


def changed_key(catalog: Catalog) -> str:
    with catalog.engine.connect() as connection:
        return connection.execute(text("SELECT key FROM objects WHERE key LIKE 'docs/%.pdf' ORDER BY key")).first()[0]


@pytest.fixture(scope="module")
def archive_site(sample_run, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:  # noqa: ANN001
    with archive_copy(sample_run, tmp_path_factory.mktemp("archive-site")) as site:
        yield site


@pytest.fixture(scope="module")
def archivist(browser: Browser, archive_site: Site) -> Iterator[Page]:
    context = signed_in(browser, archive_site, "archivist")
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def province_archivist(browser: Browser, archive_site: Site) -> Iterator[Page]:
    """An archivist of every agency: the audit log, which holds every agency's work, is theirs."""
    context = signed_in(browser, archive_site, "province_archivist")
    yield context.new_page()
    context.close()


# --- what the catalog holds, counted here from its rows ---------------------------------------------------------------

def _rows(site: Site, sql: str) -> list:
    with site.catalog.engine.connect() as connection:
        return connection.execute(text(sql), {"agency": AGENCY}).all()


def expected_line(site: Site) -> list:
    """The agency's line of the dashboard: documents, dossier documents, dossier codes, results, results signed,
    result files failed, the share signed, register entries, awaiting review."""
    docs = _rows(site, "SELECT b.kind, d.record, d.needs_review FROM documents d JOIN batches b ON b.id = d.batch_id "
                       "WHERE d.latest AND d.agency = :agency")
    records = [(kind, json.loads(record), review) for kind, record, review in docs]
    dossiers = [r for kind, r, _ in records if kind == "dossier"]
    results = [r for kind, r, _ in records if kind == "result"]
    signed = sum(bool(r["signature"]["signed_at"]) for r in results)
    failed = sum(len(json.loads(summary).get("failed", [])) for kind, summary in
                 _rows(site, "SELECT kind, summary FROM batches WHERE agency = :agency") if kind == "result")
    entries = sum(len(r.get("records") or []) for _, r, _ in records)
    return [AGENCY, len(records), len(dossiers), len({r["dossier_code"] for r in dossiers}), len(results), signed,
            failed, round(signed / (len(results) + failed), 4), entries, sum(review for *_, review in records)]


def expected_registers(site: Site) -> list[list[str]]:
    docs = _rows(site, "SELECT d.doc_type, d.record, b.manifest FROM documents d JOIN batches b ON b.id = d.batch_id "
                       "WHERE d.latest AND d.agency = :agency AND d.doc_type LIKE '%register_page'")
    counts: Counter = Counter()
    for doc_type, record, manifest in docs:
        book_year = (json.loads(manifest).get("book") or {}).get("year")
        for entry in json.loads(record)["records"]:
            counts[(BOOK_TYPES[doc_type], str(book_year or entry["registration_date"][:4]))] += 1
    return [[AGENCY, book, year, str(n)] for (book, year), n in sorted(counts.items())]


def expected_backlog(site: Site) -> list[list[str]]:
    waiting = Counter(t for (t,) in _rows(site, "SELECT doc_type FROM documents WHERE latest AND needs_review "
                                                "AND agency = :agency"))
    vietnamese = translations("vi")
    return [[AGENCY, vietnamese.gettext(DOC_TYPE_NAMES[t]), str(n)] for t, n in sorted(waiting.items())]


def vietnam_day(moment: str | dt.datetime) -> dt.date:
    when = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone(VIETNAM).date()


def expected_pages(site: Site, day: dt.date) -> int:
    docs = _rows(site, "SELECT d.signed_at, (SELECT count(*) FROM pages p WHERE p.document_pk = d.pk AND NOT p.blank) "
                       "FROM documents d WHERE d.version = 1 AND d.agency = :agency")
    return sum(pages for signed_at, pages in docs if vietnam_day(signed_at) == day)


def expected_problems(site: Site, day: dt.date) -> tuple[int, int]:
    batches = [(vietnam_day(finished), json.loads(summary)) for finished, summary in
               _rows(site, "SELECT finished_at, summary FROM batches WHERE agency = :agency")]
    return (sum(len(s.get("failed", [])) for d, s in batches if d == day),
            sum(len(s.get("rescan", [])) for d, s in batches if d == day))


def shown(value: object) -> str:
    """A figure as the Vietnamese page writes it."""
    return format_percent(value, "#,##0.0%", locale="vi") if isinstance(value, float) else \
        format_decimal(value, "#,##0", locale="vi") if isinstance(value, int) else str(value)


def cells(page: Page, selector: str) -> list[list[str]]:
    return [[c.strip() for c in row.locator("th, td").all_text_contents()] for row in page.locator(selector).all()]


# --- the dashboard ----------------------------------------------------------------------------------------------------

def test_the_dashboard_shows_what_the_catalog_holds(archivist: Page, archive_site: Site) -> None:
    archivist.goto("/bao-cao")
    expect(archivist.get_by_role("heading", level=1)).to_have_text("Tổng hợp kết quả số hóa")
    line = expected_line(archive_site)
    assert line[2:8] == [3, 2, 10, 10, 1, 0.9091]  # what _add_batches made: the test counts for real
    assert cells(archivist, "#table-co-quan tbody tr") == [[shown(v) for v in line]]
    assert cells(archivist, "#table-co-quan tfoot tr") == [["Tổng cộng", *[shown(v) for v in line[1:]]]]
    expect(archivist.locator(".tiles")).to_contain_text(shown(line[7]))
    assert cells(archivist, "#table-so-ho-tich tbody tr") == expected_registers(archive_site)
    backlog = cells(archivist, "#table-cho-kiem-tra tbody tr")
    assert [row[:3] for row in backlog] == expected_backlog(archive_site)
    assert [AGENCY, "Tờ khai, đơn đề nghị"] in [row[:2] for row in backlog]  # hs-1, made to be reviewed
    expect(archivist.get_by_label("Cơ quan", exact=True)).to_contain_text(f"{AGENCY} · {AGENCY_NAME}")
    check_accessible(archivist)
    screenshot(archivist, "dashboard")


def test_the_charts_have_their_tables_and_count_each_day(archivist: Page, archive_site: Site) -> None:
    archivist.goto("/bao-cao")
    today = dt.datetime.now(VIETNAM).date()
    for slug, series in (("trang-theo-ngay", 1), ("loi-va-quet-lai", 2)):
        chart = archivist.locator(f"svg#chart-{slug}")
        expect(chart).to_have_attribute("role", "img")
        assert chart.locator("title").first.text_content() and chart.locator("desc").text_content()
        assert chart.locator("rect.bar").count() == 30 * series
        assert archivist.locator(f"#table-{slug} tbody tr").count() == 30
    pages = cells(archivist, "#table-trang-theo-ngay tbody tr")
    assert pages[-1][0] == day(today) and pages[-1][2] == shown(
        expected_pages(archive_site, today))
    problems = cells(archivist, "#table-loi-va-quet-lai tbody tr")
    assert problems[-1][1:] == [shown(n) for n in expected_problems(archive_site, today)]
    assert expected_problems(archive_site, today)[0] >= 2  # the sample's corrupt file and kq-10.tif
    bars = archivist.locator("svg#chart-loi-va-quet-lai rect.bar-failed")
    assert float(bars.last.get_attribute("height")) > 0 and float(bars.first.get_attribute("height")) == 0
    archivist.locator("#trang-theo-ngay summary").click()
    expect(archivist.locator("#table-trang-theo-ngay")).to_be_visible()
    check_accessible(archivist)


def test_the_days_asked_for(archivist: Page, archive_site: Site) -> None:
    archivist.goto("/bao-cao")
    archivist.get_by_label("Từ ngày").fill("2024-05-01")
    archivist.get_by_label("Đến ngày").fill("2024-05-10")
    archivist.get_by_role("button", name="Xem").click()
    expect(archivist).to_have_url(f"{archive_site.url}/bao-cao?agency=&since=2024-05-01&until=2024-05-10")
    pages = cells(archivist, "#table-trang-theo-ngay tbody tr")
    fourth = dt.date(2024, 5, 4)
    assert len(pages) == 10 and pages[3] == [day(fourth), "15", shown(expected_pages(archive_site, fourth))]
    archivist.goto("/bao-cao?since=2024-05-10&until=2024-05-01")
    expect(archivist.get_by_role("heading", level=1)).to_have_text("Đã có lỗi")
    assert archivist.goto("/bao-cao?agency=KHAC").status == 404


def test_the_tables_download_as_csv_and_xlsx_with_the_figures_of_the_page(archivist: Page) -> None:
    archivist.goto("/bao-cao?since=2024-05-01&until=2024-05-10")
    for slug in ("co-quan", "so-ho-tich", "trang-theo-ngay", "cho-kiem-tra", "loi-va-quet-lai"):
        title = archivist.locator(f"#h-{slug}").text_content()
        link = archivist.get_by_role("link", name=f"CSV · {title}")
        expect(link).to_have_attribute("href", f"/bao-cao/{slug}.csv?since=2024-05-01&until=2024-05-10")
        answer = archivist.request.get(link.get_attribute("href"))
        assert answer.ok and "attachment" in answer.headers["content-disposition"]
        table = list(csv.reader(io.StringIO(answer.body().decode("utf-8-sig"))))
        headers = [h.strip() for h in archivist.locator(f"#table-{slug} thead th").all_text_contents()]
        assert table[0] == headers
        page_rows = cells(archivist, f"#table-{slug} tbody tr, #table-{slug} tfoot tr")
        assert len(table) - 1 == len(page_rows)
        for got, want in zip(table[1:], page_rows, strict=True):
            assert all(same(value, on_page) for value, on_page in zip(got, want, strict=True)), (got, want)
        workbook = archivist.request.get(archivist.get_by_role("link", name=f"Excel (XLSX) · {title}")
                                         .get_attribute("href"))
        sheet = openpyxl.load_workbook(io.BytesIO(workbook.body())).active
        assert sheet["A1"].value == title
        rows = [[_xlsx_cell(cell) for cell in row] for row in sheet.iter_rows(min_row=3)]
        assert rows == table


def same(value: str, on_page: str) -> bool:
    """Whether a CSV value is what the page shows: numbers grouped, shares in per cent with one decimal, days and
    times (Vietnam's) written as the site writes them."""
    if re.fullmatch(r"\d{1,3}(\.\d{3})*", on_page):
        return value == on_page.replace(".", "")
    if on_page.endswith("%"):
        return abs(float(value) - float(on_page[:-1].replace(",", ".")) / 100) <= 0.0005
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return day(value) == on_page
    if re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", value):
        return moment(dt.datetime.fromisoformat(value).replace(tzinfo=VIETNAM)) == on_page
    return value == on_page


def _xlsx_cell(cell: Cell) -> str:
    """An XLSX cell as the CSV writes it: a time by its format (one at midnight is still a time), a day as a date."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if "h" in cell.number_format else value.date().isoformat()
    return str(value)


def test_a_scanner_may_not_open_the_archivists_pages(browser: Browser, archive_site: Site) -> None:
    context = signed_in(browser, archive_site, "scanner")
    page = context.new_page()
    for path in ("/bao-cao", "/nhat-ky", "/kiem-tra", "/bao-cao/co-quan.csv"):
        assert page.goto(path).status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Không được phép")
    check_accessible(page)
    context.close()


# --- the audit log ----------------------------------------------------------------------------------------------------

def test_an_archivist_of_some_agencies_may_not_read_the_audit_log(archivist: Page) -> None:
    archivist.goto("/bao-cao")
    expect(archivist.get_by_role("link", name="Nhật ký")).to_have_count(0)
    assert archivist.goto("/nhat-ky").status == 403
    expect(archivist.locator("main")).to_contain_text("chỉ lưu trữ viên phụ trách mọi cơ quan")
    assert archivist.request.get("/api/audit").status == 403


def test_the_audit_log_lists_filters_and_pages_its_events(province_archivist: Page, archive_site: Site) -> None:
    archivist = province_archivist
    assert set(ACTION_NAMES) == set(ACTIONS)  # every action has its words
    archivist.goto("/nhat-ky")
    expect(archivist.get_by_role("status")).to_contain_text("Chuỗi mã băm toàn vẹn")
    newest = [seq for (seq,) in _rows(archive_site, "SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 51")]
    numbers = [int(n) for n in archivist.locator("table.audit tbody td:first-child").all_text_contents()]
    assert numbers == newest[:50]
    archivist.get_by_role("link", name="Sự kiện cũ hơn").click()
    assert int(archivist.locator("table.audit tbody td:first-child").first.text_content()) == newest[50]
    archivist.get_by_role("link", name="Sự kiện mới nhất").click()

    archivist.get_by_label("Thao tác").select_option(label="Ký số tài liệu")
    archivist.get_by_label("Đối tượng có chứa").fill("HS-")
    archivist.get_by_role("button", name="Lọc", exact=True).click()
    rows = cells(archivist, "table.audit tbody tr")
    signed = _rows(archive_site, "SELECT subject FROM audit_events WHERE action = 'signing' AND subject LIKE 'hs-%'")
    assert len(rows) == len(signed) == 3 and {r[3] for r in rows} == {"Ký số tài liệu"}
    assert {r[4] for r in rows} == {s for (s,) in signed}
    assert all("pdf_sha256" in r[5] for r in rows)
    check_accessible(archivist)
    screenshot(archivist, "audit")

    archivist.goto("/nhat-ky?actor=test-admin")
    assert {r[2] for r in cells(archivist, "table.audit tbody tr")} == {"test-admin"}
    assert archivist.locator("table.audit tbody tr").count() == len(PEOPLE)
    tomorrow = (dt.datetime.now(VIETNAM).date() + dt.timedelta(days=1)).isoformat()
    archivist.goto(f"/nhat-ky?since={tomorrow}")
    expect(archivist.locator(".empty")).to_have_text("Không có sự kiện nào phù hợp với điều kiện lọc.")


# --- fixity -----------------------------------------------------------------------------------------------------------

def run_fixity(page: Page, everything: bool) -> None:
    page.goto("/kiem-tra")
    page.get_by_label("Toàn bộ đối tượng lưu trữ" if everything else "Chỉ các đối tượng đến hạn").check()
    page.get_by_role("button", name="Bắt đầu kiểm tra").click()
    expect(page.locator("#fixity-run")).to_have_attribute("data-running", "false")  # the script reloads at the end
    expect(page.locator("#fixity-state")).to_contain_text("đã kết thúc")


def test_a_fixity_run_started_from_the_page_shows_its_counts(archivist: Page, archive_site: Site) -> None:
    archivist.goto("/kiem-tra")
    expect(archivist.locator("#last-run")).to_contain_text("Chưa có lượt kiểm tra nào.")
    check_accessible(archivist)
    run_fixity(archivist, everything=True)
    (stored,) = _rows(archive_site, "SELECT count(*) FROM objects")[0]
    expect(archivist.locator("#last-run .checked")).to_have_text(shown(stored))
    expect(archivist.locator("#last-run .changed")).to_have_text("0")
    expect(archivist.locator("#last-run")).to_contain_text("Tất cả đối tượng được kiểm tra đều nguyên vẹn")
    expect(archivist.locator("#objects-due")).to_have_text("0")
    check_accessible(archivist)
    screenshot(archivist, "fixity")


# --- a damaged site ---------------------------------------------------------------------------------------------------

def test_a_changed_event_and_a_changed_object_are_named(browser: Browser, sample_run, tmp_path: Path) -> None:  # noqa: ANN001
    with archive_copy(sample_run, tmp_path, damage=True) as site:
        context = signed_in(browser, site, "province_archivist")
        page = context.new_page()
        page.goto("/nhat-ky")
        alert = page.locator(".chain-status[role=alert]")
        expect(alert).to_contain_text("Chuỗi mã băm bị phá vỡ")
        expect(alert.locator("li")).to_have_count(1)
        expect(alert.locator("li")).to_contain_text("Sự kiện số 3")
        expect(alert.locator("li")).to_contain_text("đã bị sửa")
        check_accessible(page)
        run_fixity(page, everything=True)
        expect(page.locator("#last-run .changed")).to_have_text("1")
        expect(page.locator("#last-run .forged")).to_have_text("1")  # the edited catalog row
        expect(page.locator("#last-run")).to_contain_text("sohoa catalog rebuild")
        expect(page.locator("#last-run .problems li").last).to_have_text(changed_key(site.catalog))
        context.close()
