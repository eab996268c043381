"""Every page on a tablet (768×1024 upright, 1024×768 lying): nothing wider than the screen, so no page needs
scrolling sideways (wide tables scroll inside their own box), and the menu stays reachable."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page
from web_support import Site, signed_in

from storage.search import SearchQuery, search

TABLETS = [{"width": 768, "height": 1024}, {"width": 1024, "height": 768}]


@pytest.fixture(scope="module")
def admin(browser: Browser, site: Site) -> Iterator[Page]:
    context = signed_in(browser, site, "admin")
    yield context.new_page()
    context.close()


def _pages(site: Site) -> list[str]:
    first = search(site.catalog, SearchQuery(text="nguyen"), actor="test").items[0]
    return ["/tai-len", "/lo-quet", f"/lo-quet/{first['batch']}", "/tra-cuu?q=nguyen", f"/tai-lieu/{first['id']}",
            f"/cong-dan/{first['fields'].get('personal_id', '001090012345')}", "/duyet", f"/duyet/{first['id']}",
            "/bao-cao", "/nhat-ky", "/kiem-tra", "/quan-tri/nguoi-dung", "/quan-tri/ky-so", "/xac-thuc"]


@pytest.mark.parametrize("screen", TABLETS, ids=["upright", "lying"])
def test_no_page_is_wider_than_a_tablet(admin: Page, site: Site, screen: dict[str, int]) -> None:
    admin.set_viewport_size(screen)
    too_wide = {}
    for path in _pages(site):
        answer = admin.goto(path)
        assert answer is not None and answer.ok, path
        width = admin.evaluate("document.documentElement.scrollWidth")
        if width > screen["width"]:
            too_wide[path] = width
        assert admin.get_by_role("navigation", name="Trình đơn chính").is_visible(), path
    assert not too_wide, f"pages wider than {screen['width']} px: {too_wide}"

