"""The administrator's pages for real, in Chromium: a person added from the page signs in, is disabled and cannot any
more; a token is shown once and works with the API, then is revoked; the form says what is wrong; the agencies and
the signer (the development key, with its warning); nobody else may open them."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_support import env_settings
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select
from web_support import AGENCY, VIEWPORT, Site, check_accessible, screenshot, signed_in

from signing.devca import ensure_dev_keys, issue_cert
from sohoa.api.app import create_app
from storage.catalog import Catalog
from storage.schema import Batch
from storage.users import add_user, list_users, sign_in

NEW_PASSWORD = "mat-khau-ban-dau-1"


@pytest.fixture(scope="module")
def admin(browser: Browser, site: Site) -> Iterator[Page]:
    context = signed_in(browser, site, "admin")
    yield context.new_page()
    context.close()


def add_person(page: Page, name: str, role: str, password: str = NEW_PASSWORD, agency: str | None = AGENCY) -> None:
    page.goto("/quan-tri/nguoi-dung")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Vai trò").select_option(label=role)
    if agency:
        page.get_by_label(agency, exact=False).check()
    page.get_by_label("Mật khẩu ban đầu").fill(password)
    page.get_by_role("button", name="Thêm người dùng").click()


def sign_in_form(browser: Browser, site: Site, name: str, password: str) -> Page:
    page = browser.new_context(viewport=VIEWPORT, base_url=site.url).new_page()
    page.goto("/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    return page


def test_the_users_page_lists_users_and_agencies(admin: Page, site: Site) -> None:
    admin.goto("/quan-tri/nguoi-dung")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Người dùng")
    names = admin.locator("#users tbody th").all_text_contents()
    assert names == [u.name for u in list_users(site.catalog)]
    archivist = admin.locator("#users tbody tr", has_text=site.person("archivist"))
    assert [c.strip() for c in archivist.locator("th, td").all_text_contents()] == [
        site.person("archivist"), "Lưu trữ viên", AGENCY, "Có", "Không", "Đang hoạt động"]
    expect(admin.locator("#users tbody tr", has_text=site.person("admin")).locator("td").nth(1)).to_have_text(
        "Tất cả cơ quan")
    with site.catalog.engine.connect() as connection:
        batches = connection.scalar(select(func.count()).select_from(Batch).where(Batch.agency == AGENCY))
    agency = admin.locator("#agencies tbody tr", has_text=AGENCY)
    expect(agency.locator("td").nth(1)).to_have_text(str(batches))
    check_accessible(admin)
    screenshot(admin, "users")


def test_a_person_added_signs_in_until_disabled(browser: Browser, admin: Page, site: Site) -> None:
    add_person(admin, "luu.tru.moi", "Lưu trữ viên")
    expect(admin.get_by_role("heading", level=1)).to_have_text("luu.tru.moi")
    expect(admin.get_by_role("status")).to_contain_text("Đã thêm người dùng")
    check_accessible(admin)
    person = sign_in_form(browser, site, "luu.tru.moi", NEW_PASSWORD)
    expect(person.locator(".who")).to_contain_text("luu.tru.moi")
    person.goto("/bao-cao")
    expect(person.get_by_role("heading", level=1)).to_have_text("Tổng hợp kết quả số hóa")

    admin.get_by_role("button", name="Vô hiệu hóa tài khoản").click()
    expect(admin.get_by_role("status")).to_contain_text("Đã vô hiệu hóa tài khoản")
    expect(admin.locator("#user-state")).to_have_text("Đã vô hiệu hóa")
    person.reload()  # the session ended with the account
    expect(person).to_have_url(re.compile("/dang-nhap"))
    refused = sign_in_form(browser, site, "luu.tru.moi", NEW_PASSWORD)
    expect(refused.get_by_role("alert")).to_contain_text("vô hiệu hóa")

    admin.get_by_role("button", name="Kích hoạt lại tài khoản").click()
    expect(admin.locator("#user-state")).to_have_text("Đang hoạt động")
    admin.get_by_label("Mật khẩu mới").fill("mat-khau-moi-hai")
    admin.get_by_role("button", name="Đặt mật khẩu mới").click()
    expect(admin.get_by_role("status")).to_contain_text("Đã đổi mật khẩu")
    again = sign_in_form(browser, site, "luu.tru.moi", "mat-khau-moi-hai")
    expect(again.locator(".who")).to_contain_text("luu.tru.moi")
    for page in (person, refused, again):
        page.context.close()


def test_a_token_is_shown_once_and_works_with_the_api(admin: Page, site: Site) -> None:
    add_person(admin, "may.chu.mot.cua", "Cán bộ một cửa")
    admin.get_by_role("button", name="Cấp mã truy cập API mới").click()
    token = admin.locator("#new-token").text_content()
    assert token and len(token) > 30
    expect(admin.get_by_role("status")).to_contain_text("chỉ hiển thị một lần")
    check_accessible(admin)
    bearer = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{site.url}/api/documents", headers=bearer).status_code == 200
    admin.goto("/quan-tri/nguoi-dung/may.chu.mot.cua")  # the user's page again: the token is not there any more
    assert token not in admin.content() and admin.locator("#new-token").count() == 0
    admin.get_by_role("button", name="Thu hồi mã truy cập API").click()
    expect(admin.get_by_role("status")).to_contain_text("Đã thu hồi")
    assert httpx.get(f"{site.url}/api/documents", headers=bearer).status_code == 401


def test_the_form_says_what_is_wrong(admin: Page, site: Site) -> None:
    add_person(admin, site.person("officer"), "Người kiểm tra", password="ngan", agency=None)
    expect(admin.get_by_role("alert")).to_contain_text("Chưa thêm được người dùng")
    name = admin.get_by_label("Tên đăng nhập")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(admin.locator("#f-name-error")).to_have_text("Tên đăng nhập này đã được sử dụng.")
    expect(admin.locator("#f-password-error")).to_have_text("Mật khẩu phải có ít nhất 10 ký tự.")
    expect(admin.locator("#f-agencies-error")).to_contain_text("Chọn ít nhất một cơ quan")
    expect(admin.get_by_label("Vai trò")).to_have_value("reviewer")
    check_accessible(admin)
    admin.get_by_label("Mã cơ quan khác").fill("H40 01; !")
    admin.get_by_label("Mật khẩu ban đầu").fill(NEW_PASSWORD)
    admin.get_by_label("Tên đăng nhập").fill("nguoi.moi.nua")
    admin.get_by_role("button", name="Thêm người dùng").click()
    expect(admin.locator("#f-agencies-error")).to_contain_text("không phải là mã cơ quan hợp lệ")
    assert "nguoi.moi.nua" not in [u.name for u in list_users(site.catalog)]


def test_the_signer_page_warns_of_the_development_key(admin: Page, site: Site) -> None:
    admin.goto("/quan-tri/ky-so")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Chứng thư ký số đang sử dụng")
    expect(admin.locator("#development-key")).to_contain_text("không có giá trị pháp lý")
    facts = admin.locator("#signer-facts")
    expect(facts).to_contain_text("PAdES-B-B")
    expect(facts).to_contain_text("PKCS#12")
    expect(facts).to_contain_text("/keys/dev-ca.crl")
    check_accessible(admin)
    screenshot(admin, "signer")


@pytest.mark.parametrize("who", ["reviewer", "archivist"])
def test_only_an_administrator_may_open_them(browser: Browser, site: Site, who: str) -> None:
    context = signed_in(browser, site, who)
    page = context.new_page()
    for path in ("/quan-tri/nguoi-dung", f"/quan-tri/nguoi-dung/{site.person(who)}", "/quan-tri/ky-so"):
        assert page.goto(path).status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Không được phép")
    forged = page.request.post(f"/quan-tri/nguoi-dung/{site.person(who)}/token",
                               form={"csrf_token": page.locator('meta[name="csrf-token"]').get_attribute("content")})
    assert forged.status == 403 and 'id="new-token"' not in forged.text()
    assert page.request.get("/api/users").status == 403
    check_accessible(page)
    context.close()


def test_an_agency_key_that_ends_soon_is_warned_of(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    keys = ensure_dev_keys(tmp_path / "data" / "keys")
    key, cert = issue_cert(keys, "UBND xã An Hòa", days=10)
    p12 = tmp_path / "agency.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"k", key, cert, None, serialization.NoEncryption()))
    settings = env_settings(tmp_path / "data", monkeypatch, SOHOA_SIGNING_P12=str(p12))
    with TestClient(create_app(settings)) as client:
        catalog = Catalog(settings.database_url)
        token = add_user(catalog, "quan.tri", "admin", None, actor="t", password=NEW_PASSWORD)
        signer = client.get("/api/signer", headers={"Authorization": f"Bearer {token}"}).json()
        assert (signer["name"], signer["development"], signer["expires_soon"], signer["expired"]) == (
            "UBND xã An Hòa", False, True, False)
        client.cookies.set("sohoa_session", sign_in(catalog, "quan.tri", NEW_PASSWORD).session_id)
        page = client.get("/quan-tri/ky-so").text
        assert "Chứng thư ký số còn 9 ngày nữa là hết hạn" in page and 'id="development-key"' not in page
        assert str(p12) in page and "UBND xã An Hòa" in page
