"""Signing in to the web interface for real, in Chromium: each role's menu, lock-out, sign-out, CSRF, cookies, the
language, and the API documentation served with no CDN."""
from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from api_support import env_settings
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Route, expect
from web_support import PASSWORD, VIEWPORT, Site, check_accessible, screenshot, signed_in

from sohoa.api.app import create_app
from storage.catalog import Catalog
from storage.users import add_user

MENUS = {  # what each role's menu offers, in Vietnamese
    "scanner": ["Tải lên", "Lô quét", "Xác thực kết quả"],
    "officer": ["Tra cứu", "Xác thực kết quả"],
    "reviewer": ["Tra cứu", "Kiểm tra", "Xác thực kết quả"],
    "archivist": ["Lô quét", "Tra cứu", "Tổng hợp", "Kiểm tra toàn vẹn", "Xác thực kết quả"],  # of one agency
    "province_archivist": ["Lô quét", "Tra cứu", "Tổng hợp", "Nhật ký", "Kiểm tra toàn vẹn", "Xác thực kết quả"],
}


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_signs_in_and_its_menu_shows_only_its_pages(browser: Browser, site: Site, role: str) -> None:
    context = browser.new_context(viewport=VIEWPORT, base_url=site.url)
    page = context.new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile("/dang-nhap$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    if role == "scanner":
        check_accessible(page)
        screenshot(page, "sign-in")
    page.get_by_label("Tên đăng nhập").fill(site.person(role))
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator(".who")).to_contain_text(site.person(role))
    assert page.get_by_role("navigation", name="Trình đơn chính").get_by_role("link").all_inner_texts() == MENUS[role]
    cookie = next(c for c in context.cookies() if c["name"] == "sohoa_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]  # plain http on loopback
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile("/dang-nhap$"))
    assert "sohoa_session" not in {c["name"] for c in context.cookies()}
    context.close()


def test_a_wrong_password_is_refused_and_five_lock_the_account(browser: Browser, site: Site) -> None:
    add_user(site.catalog, "nguoi.quen.mat.khau", "officer", ["TEST"], actor="test-admin", password=PASSWORD,
             token=False)
    page = browser.new_page(viewport=VIEWPORT, base_url=site.url)
    page.goto("/dang-nhap?next=/tra-cuu")
    for _ in range(5):
        page.get_by_label("Tên đăng nhập").fill("nguoi.quen.mat.khau")
        page.get_by_label("Mật khẩu").fill("khong-dung-mat-khau")
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("bị khóa")
    page.get_by_label("Mật khẩu").fill(PASSWORD)  # the right one, too late
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("bị khóa")
    page.close()


def test_forms_and_api_calls_without_their_csrf_token_are_refused(browser: Browser, site: Site) -> None:
    refused = httpx.post(f"{site.url}/dang-nhap", data={"name": site.person("officer"), "password": PASSWORD})
    assert refused.status_code == 403 and "Biểu mẫu đã hết hạn" in refused.text
    context = signed_in(browser, site, "scanner")
    page = context.new_page()
    page.goto("/lo-quet")
    forged = page.request.post("/api/batches", multipart={"files": {"name": "a.png", "mimeType": "image/png",
                                                                    "buffer": b"\x89PNG"}})
    assert forged.status == 403 and "CSRF" in forged.json()["detail"]
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    signed_out = page.request.post("/dang-xuat", form={"csrf_token": "not-the-token"})
    assert signed_out.status == 403
    assert page.request.post("/dang-xuat", form={"csrf_token": token}, max_redirects=0).status == 303
    assert page.request.get("/api/documents", max_redirects=0).status == 401  # the session is over
    context.close()


def test_english_is_selectable_and_the_api_checks_the_role_of_a_session(browser: Browser, site: Site) -> None:
    context = signed_in(browser, site, "scanner")
    page = context.new_page()
    page.goto("/xac-thuc")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    check_accessible(page)
    assert page.request.get("/api/reports/progress").status == 403  # an archivist's, asked by a scanner
    context.close()


def test_the_secure_flag_is_set_when_the_site_is_public_over_https(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    settings = env_settings(tmp_path, monkeypatch, SOHOA_PUBLIC_URL="https://sohoa.example.gov.vn")
    with TestClient(create_app(settings), base_url="https://sohoa.example.gov.vn") as client:
        add_user(Catalog(settings.database_url), "lan", "officer", None, actor="t", password=PASSWORD, token=False)
        form = client.get("/dang-nhap")
        assert "secure" in form.headers["set-cookie"].lower()
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)[1]
        signed = client.post("/dang-nhap", data={"name": "lan", "password": PASSWORD, "csrf_token": token},
                             follow_redirects=False)
        session_cookie = next(h for h in signed.headers.get_list("set-cookie") if h.startswith("sohoa_session="))
        assert all(flag in session_cookie.lower() for flag in ("httponly", "samesite=lax", "secure"))


def test_the_api_documentation_loads_with_no_network_but_the_site(browser: Browser, site: Site) -> None:
    page = browser.new_page(viewport=VIEWPORT, base_url=site.url)
    elsewhere: list[str] = []

    def only_the_site(route: Route) -> None:
        if route.request.url.startswith(site.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_site)
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("sohoa")
    page.goto("/redoc")
    expect(page.locator("redoc h1, [role=main] h1").first).to_contain_text("sohoa")
    assert elsewhere == []
    page.close()
