"""Public verification, nobody signed in, in Chromium against the real service: one small result made by the real
pipeline (a `result` batch with a dossier code, signed with SOHOA_PUBLIC_URL set) is checked by its PDF, a copy with
one byte changed, its result code and its QR code's link; the page and the API never show the person's data; the
rate limit answers 429; the page works without JavaScript."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from api_support import env_settings, serve_in_thread
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect
from signing_support import read_qr
from web_support import VIEWPORT, check_accessible, off_the_loop, screenshot

from ingest.manifest import Manifest
from ocr.engine import OcrConfig
from signing.request import SignRequest
from signing.revisions import unsigned_original
from signing.signer import sign_pdf
from signing.verify import SignatureReport, verify_pdf
from sohoa.api.ratelimit import RateLimiter
from sohoa.sample import render_page
from sohoa.settings import Settings
from sohoa.web.routes.public import PublicAnswer
from sohoa.web.templating import moment
from workers.embedded import BatchConfig, process_batch

PUBLIC_URL = "http://dichvucong.an-hoa.example"  # where the QR codes lead; http: the test site is on plain loopback
AGENCY, AGENCY_NAME = "H40.01", "UBND xã An Hòa"
DOSSIER = "000.00.12.H40-240504-0001"
PERSON = {"full_name": "NGUYỄN VĂN AN", "personal_id": "001090012345", "date_of_birth": "1990-03-15"}
CERTIFICATE = ["GIẤY KHAI SINH", f"Họ, chữ đệm, tên: {PERSON['full_name']}", "Ngày, tháng, năm sinh: 15/03/1990",
               "Giới tính: Nam", "Dân tộc: Kinh", "Quốc tịch: Việt Nam", "Nơi sinh: Trạm y tế xã An Hòa",
               f"Số định danh cá nhân: {PERSON['personal_id']}", "Họ, chữ đệm, tên người cha: NGUYỄN VĂN BÌNH",
               "Họ, chữ đệm, tên người mẹ: TRẦN THỊ HOA", "Số: 25/1990, Quyển số: 01",
               "Nơi đăng ký: Ủy ban nhân dân xã An Hòa", "Ngày đăng ký: 20/03/1990"]
# what must never leave the service through these pages: the person's names, ID, date of birth, and the scan's name
PERSONAL = ["NGUYỄN VĂN AN", "nguyen van an", "001090012345", "1990-03-15", "15/03/1990", "NGUYỄN VĂN BÌNH",
            "TRẦN THỊ HOA", "Trạm y tế", "giay-khai-sinh.png"]


@dataclass
class PublicSite:
    url: str
    settings: Settings
    pdf: bytes  # the signed result, as stored
    record: dict

    @property
    def code(self) -> str:
        return self.record["result_code"]


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PublicSite]:
    """The service over one result made by the real pipeline (its own data folder and catalog)."""
    root = tmp_path_factory.mktemp("public")
    (root / "scans").mkdir()
    Image.fromarray(render_page(CERTIFICATE)).convert("L").save(root / "scans" / "giay-khai-sinh.png", dpi=(200, 200))
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = env_settings(root / "data", monkeypatch, SOHOA_AGENCY=AGENCY, SOHOA_PUBLIC_URL=PUBLIC_URL)
        manifest = Manifest(kind="result", agency=AGENCY, agency_name=AGENCY_NAME, dossier_code=DOSSIER,
                            procedure_code="1.001193")
        config = BatchConfig(out_dir=root / "out", data_dir=settings.data_dir, database_url=settings.database_url,
                             agency=AGENCY, ocr=OcrConfig(), signer=settings.signer_config(), manifest=manifest)
        summary = process_batch([str(root / "scans")], config)
        assert summary.documents == 1 and not summary.failed, summary
        record = json.loads(next(p for p in (root / "out").glob("*.json") if p.name != "summary.json").read_text())
        assert record["fields"]["personal_id"] == PERSON["personal_id"]  # the data the pages must keep to themselves
        assert record["fields"]["full_name"] == PERSON["full_name"]
        with serve_in_thread(settings) as url:
            yield PublicSite(url, settings, (root / "out" / record["pdf"]).read_bytes(), record)


def _visitor(browser: Browser, site: PublicSite, address: str, *, javascript: bool = True) -> BrowserContext:
    """A browser nobody is signed in to, counted by the rate limit as ``address`` (uvicorn takes X-Forwarded-For
    from a proxy on loopback, as the tests are), so that each test has an allowance of its own."""
    return browser.new_context(viewport=VIEWPORT, base_url=site.url, java_script_enabled=javascript,
                               extra_http_headers={"X-Forwarded-For": address})


def _upload(page: Page, name: str, data: bytes, mime: str = "application/pdf") -> None:
    page.goto("/xac-thuc")
    page.get_by_label("Tệp PDF của kết quả").set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.get_by_role("button", name="Kiểm tra tệp").click()


def _assert_nothing_personal(text: str) -> None:
    leaked = [value for value in PERSONAL if value.casefold() in text.casefold()]
    assert not leaked, f"personal data shown: {leaked}"


def _changed_copy(pdf: bytes) -> bytes:
    """The result with one byte changed: in the binary comment under the header, inside the signed bytes, where the
    file still reads as a PDF."""
    data = bytearray(pdf)
    data[pdf.index(b"\n") + 2] ^= 0x01
    return bytes(data)


def _signature(site: PublicSite) -> SignatureReport:
    """The result's signature as the verification reads it (its time is pyHanko's, a moment after the catalog's)."""
    return off_the_loop(verify_pdf, site.pdf, site.settings.trusted_roots()).signatures[0]


def _verdict(page: Page) -> str:
    return page.locator("#verdict-title").inner_text()


def test_the_page_offers_a_file_and_a_code_to_nobody_signed_in(browser: Browser, public: PublicSite) -> None:
    context = _visitor(browser, public, "198.51.100.1")
    page = context.new_page()
    answer = page.goto("/xac-thuc")
    assert answer is not None and answer.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực kết quả")
    expect(page.get_by_label("Tệp PDF của kết quả")).to_be_visible()
    expect(page.get_by_role("textbox", name="Mã kết quả")).to_be_visible()
    expect(page.locator(".who")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Trình đơn chính").get_by_role("link")).to_have_text(
        ["Xác thực kết quả"])
    check_accessible(page)
    screenshot(page, "verify")
    context.close()


def test_the_signed_result_is_authentic_with_its_signer_time_and_agency(browser: Browser,
                                                                       public: PublicSite) -> None:
    context = _visitor(browser, public, "198.51.100.2")
    page = context.new_page()
    _upload(page, "ket-qua.pdf", public.pdf)
    expect(page.locator("#verdict-title")).to_contain_text("Xác thực")
    assert "Không" not in _verdict(page)
    facts = page.locator(".verdict .facts")
    signature = _signature(public)
    expect(facts).to_contain_text(signature.signer)
    expect(facts).to_contain_text(moment(signature.signing_time, "medium"))  # Vietnam time, to the second
    expect(facts).to_contain_text(f"{AGENCY_NAME} ({AGENCY})")
    expect(facts).to_contain_text(public.code)
    expect(facts.locator(".fingerprint")).to_have_text(hashlib.sha256(public.pdf).hexdigest())
    checks = page.locator(".checks li")
    expect(checks.filter(has_text="không bị thay đổi kể từ khi ký")).to_have_class("check-pass")
    expect(checks.filter(has_text="Hệ thống đang lưu giữ kết quả này")).to_have_class("check-pass")
    _assert_nothing_personal(page.content())
    check_accessible(page)
    screenshot(page, "verify-authentic")
    context.close()


def test_a_copy_with_one_byte_changed_is_rejected_in_words(browser: Browser, public: PublicSite) -> None:
    context = _visitor(browser, public, "198.51.100.3")
    page = context.new_page()
    _upload(page, "ket-qua-da-sua.pdf", _changed_copy(public.pdf))
    expect(page.locator("#verdict-title")).to_contain_text("Không xác thực")
    expect(page.locator(".verdict-summary")).to_have_text(
        "Không nên tin cậy tài liệu này: tài liệu không đạt các bước kiểm tra dưới đây.")
    expect(page.locator(".checks li.check-fail")).to_contain_text(["Chữ ký số không khớp với tài liệu"])
    expect(page.locator(".checks")).to_contain_text("Hệ thống không lưu giữ kết quả nào có dấu vân tay số này")
    expect(page.locator(".checks li")).to_have_count(2)  # whom a broken signature names proves nothing: not shown
    expect(page.locator(".verdict .facts")).not_to_contain_text(_signature(public).signer)
    check_accessible(page)
    screenshot(page, "verify-rejected")
    context.close()


def test_a_typed_result_code_shows_the_stored_fingerprint_and_agency(browser: Browser, public: PublicSite) -> None:
    context = _visitor(browser, public, "198.51.100.4")
    page = context.new_page()
    page.goto("/xac-thuc")
    page.get_by_role("textbox", name="Mã kết quả").fill(public.code.lower())  # as someone might type it
    page.get_by_role("button", name="Tra mã").click()
    expect(page).to_have_url(f"{public.url}/xac-thuc?ma={public.code.lower()}")
    expect(page.locator("#verdict-title")).to_contain_text("Tìm thấy kết quả")
    fingerprint = page.locator(".fingerprint").inner_text()
    assert fingerprint == hashlib.sha256(public.pdf).hexdigest() == public.record["sha256"]
    facts = page.locator(".verdict .facts")
    expect(facts).to_contain_text(f"{AGENCY_NAME} ({AGENCY})")
    expect(facts).to_contain_text(public.code)
    expect(facts).to_contain_text("Giấy khai sinh")
    expect(page.locator(".verdict-summary")).to_contain_text("xác thực khi tệp PDF có dấu vân tay số trùng")
    _assert_nothing_personal(page.content())
    check_accessible(page)
    context.close()


def test_an_unknown_code_is_not_found(browser: Browser, public: PublicSite) -> None:
    context = _visitor(browser, public, "198.51.100.5")
    page = context.new_page()
    page.goto(f"/xac-thuc?ma={DOSSIER}-KQ9")
    expect(page.locator("#verdict-title")).to_contain_text("Không tìm thấy kết quả")
    expect(page.locator(".verdict-summary")).to_contain_text(f"Không có kết quả nào mang mã {DOSSIER}-KQ9")
    expect(page.get_by_role("textbox", name="Mã kết quả")).to_have_value(f"{DOSSIER}-KQ9")  # to mend it
    check_accessible(page)
    context.close()


def test_a_file_that_is_not_a_signed_pdf_gets_a_clear_answer(browser: Browser, public: PublicSite) -> None:
    context = _visitor(browser, public, "198.51.100.6")
    page = context.new_page()
    _upload(page, "ban-chup.png", (Path(__file__).parent.parent / "sohoa/web/static/favicon.svg").read_bytes(),
            "image/svg+xml")
    expect(page.locator(".verdict-summary")).to_have_text("Tệp này không phải là tài liệu PDF.")
    _upload(page, "chua-ky.pdf", unsigned_original(public.pdf))
    expect(page.locator("#verdict-title")).to_contain_text("Không xác thực")
    expect(page.locator(".verdict-summary")).to_contain_text("Tệp PDF không có chữ ký số")
    check_accessible(page)
    page.goto("/xac-thuc?ma=+")
    expect(page.get_by_text("Hãy nhập mã kết quả.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Mã kết quả")).to_have_attribute("aria-invalid", "true")
    check_accessible(page)
    context.close()


def test_the_page_works_without_javascript(browser: Browser, public: PublicSite) -> None:
    context = _visitor(browser, public, "198.51.100.7", javascript=False)
    page = context.new_page()
    _upload(page, "ket-qua.pdf", public.pdf)
    expect(page.locator("#verdict-title")).to_contain_text("Xác thực")
    page.get_by_role("textbox", name="Mã kết quả").fill(public.code)
    page.get_by_role("button", name="Tra mã").click()
    expect(page.locator("#verdict-title")).to_contain_text("Tìm thấy kết quả")
    context.close()  # no axe here: it runs as a script, which this browser does not (the other tests check the page)


def test_the_api_answers_for_a_file_and_a_code_with_nothing_personal(public: PublicSite) -> None:
    api = f"{public.url}/api/public/verify"
    headers = {"X-Forwarded-For": "198.51.100.8"}
    by_file = httpx.post(api, files={"file": ("ket-qua.pdf", public.pdf, "application/pdf")}, headers=headers)
    assert by_file.status_code == 200, by_file.text
    answer = PublicAnswer.model_validate(by_file.json())
    signature = _signature(public)
    assert (answer.authentic, answer.held, answer.signer, answer.signed_at) == (True, True, signature.signer,
                                                                                  signature.signing_time)
    assert (answer.agency, answer.agency_name, answer.result_code) == (AGENCY, AGENCY_NAME, public.code)
    assert answer.sha256 == public.record["sha256"]
    assert {c.name: c.passed for c in answer.checks} == {"unchanged": True, "trust": True, "revocation": True,
                                                         "held": True}
    by_code = httpx.post(api, data={"code": f" {public.code} "}, headers=headers)
    assert by_code.status_code == 200
    found = PublicAnswer.model_validate(by_code.json())
    assert (found.authentic, found.sha256, found.result_code, found.agency_name) == (
        True, public.record["sha256"], public.code, AGENCY_NAME)
    for text in (by_file.text, by_code.text):
        _assert_nothing_personal(json.dumps(json.loads(text), ensure_ascii=False))
    changed = httpx.post(api, files={"file": ("x.pdf", _changed_copy(public.pdf), "application/pdf")},
                         headers=headers).json()
    assert not changed["authentic"] and not changed["held"] and changed["signer"] is None
    assert next(c for c in changed["checks"] if c["name"] == "unchanged")["passed"] is False
    english = httpx.post(api, data={"code": "KHONG-CO"}, headers=headers, cookies={"sohoa_lang": "en"}).json()
    assert english["authentic"] is False and english["summary"].startswith("No result has the code KHONG-CO.")
    for body in ({}, {"data": {"code": public.code}, "files": {"file": ("x.pdf", public.pdf)}}):
        assert httpx.post(api, headers=headers, **body).status_code == 422


def test_the_api_is_documented_without_a_token(public: PublicSite) -> None:
    operation = httpx.get(f"{public.url}/openapi.json").json()["paths"]["/api/public/verify"]["post"]
    assert {"200", "413", "422", "429"} <= set(operation["responses"])
    assert "security" not in operation
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/PublicAnswer"}


def _raw_post(site: PublicSite, path: str, headers: dict[str, str]) -> tuple[int, str]:
    """A POST announcing a body over the limit and sending none of it: the answer comes before any is read."""
    host, port = urlsplit(site.url).hostname, urlsplit(site.url).port
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {50 * 1024**2 + 1}\r\n"
                           f"Content-Type: multipart/form-data; boundary=x\r\n{head}\r\n".encode())
        reply = b""
        while b"</html>" not in reply and b"}" not in reply and (chunk := connection.recv(65536)):
            reply += chunk
    status = int(reply.split(b" ", 2)[1])
    return status, reply.decode("utf-8", "replace")


def test_a_file_over_50_mib_is_refused_before_it_is_read(public: PublicSite) -> None:
    status, reply = _raw_post(public, "/api/public/verify", {"X-Forwarded-For": "198.51.100.9"})
    assert status == 413 and "at most 52,428,800 bytes" in reply
    status, reply = _raw_post(public, "/xac-thuc", {"X-Forwarded-For": "198.51.100.9"})
    assert status == 413 and "Tệp lớn hơn 50 MB" in reply


def test_too_many_checks_from_one_address_answer_429_until_later(browser: Browser, public: PublicSite) -> None:
    context = _visitor(browser, public, "203.0.113.7")
    page = context.new_page()
    statuses = [page.request.post("/api/public/verify", form={"code": f"{DOSSIER}-KQ{n}"}).status
                for n in range(10)]
    assert statuses == [200] * 10  # the burst
    refused = page.request.post("/api/public/verify", form={"code": public.code})
    assert refused.status == 429 and 1 <= int(refused.headers["retry-after"]) <= 6
    assert "Vui lòng thử lại sau" in refused.json()["detail"]
    shown = page.goto(f"/xac-thuc?ma={public.code}")  # the page shares the allowance
    assert shown is not None and shown.status == 429 and shown.headers["retry-after"]
    expect(page.get_by_role("alert")).to_contain_text("Bạn đã kiểm tra nhiều lần trong thời gian ngắn. "
                                                      "Vui lòng thử lại sau")
    expect(page.locator("#verdict-title")).to_have_count(0)
    check_accessible(page)
    elsewhere = httpx.post(f"{public.url}/api/public/verify", data={"code": public.code},
                           headers={"X-Forwarded-For": "203.0.113.8"})
    assert elsewhere.status_code == 200  # another address has its own allowance
    context.close()


def test_the_rate_limiter_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=6, burst=2, clock=lambda: now[0])
    assert [limiter.take("a"), limiter.take("a"), limiter.take("a")] == [0, 0, 10]
    assert limiter.take("b") == 0
    now[0] = 9.0
    assert limiter.take("a") == 1
    now[0] = 10.0
    assert limiter.take("a") == 0


def test_the_qr_code_of_a_result_links_to_its_verification(browser: Browser, public: PublicSite,
                                                           tmp_path: Path) -> None:
    stored = tmp_path / "stored.pdf"
    stored.write_bytes(public.pdf)
    link = json.loads(read_qr(stored))["verify_url"]
    assert link == f"{PUBLIC_URL}/xac-thuc?{urlencode({'ma': public.code})}"  # the pipeline's result, with its code
    config = public.settings.signer_config()
    assert config.verify_url == f"{PUBLIC_URL}/xac-thuc"
    request = SignRequest("result", agency_name=AGENCY_NAME, dossier_code=DOSSIER, procedure_code="1.001193",
                          personal_id=PERSON["personal_id"], doc_type="birth_certificate", result_code=public.code)
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(off_the_loop(sign_pdf, unsigned_original(public.pdf), config, request)[0])
    payload = json.loads(read_qr(signed))  # the longer payload still reads back from the printed page
    assert payload["verify_url"] == f"{PUBLIC_URL}/xac-thuc?ma={public.code}"
    assert payload["personal_id"] == PERSON["personal_id"]
    context = _visitor(browser, public, "198.51.100.10")
    page = context.new_page()
    page.goto(payload["verify_url"].replace(PUBLIC_URL, public.url))  # what a phone scanning it opens
    expect(page.locator("#verdict-title")).to_contain_text("Tìm thấy kết quả")
    context.close()
    unset = dataclasses.replace(public.settings, public_url_set=False)
    assert unset.verify_url is None and unset.signer_config().verify_url is None  # the default address is no link
