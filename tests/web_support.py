"""The web interface under test (a pytest plugin, loaded by conftest.py): one real `sohoa serve` application on a
loopback port over a copy of the sample run's catalog and objects, a person of each role, and Debian's Chromium
driven by Playwright (no browser download: ``executable_path``). Pages are checked with axe-core and photographed at
1366×768 into ``build/screenshots/`` (or ``$SOHOA_SCREENSHOT_DIR``).
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from api_support import env_settings, serve_in_thread
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from sohoa.settings import Settings
from storage.catalog import Catalog
from storage.objects import ObjectStore
from storage.users import add_user, sign_in

CHROMIUM = os.environ.get("SOHOA_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]  # a closed network: ask nothing
SCREENSHOTS = Path(os.environ.get("SOHOA_SCREENSHOT_DIR", Path(__file__).parent.parent / "build" / "screenshots"))
VIEWPORT = {"width": 1366, "height": 768}
BROWSER_LOCALES = {"vi": "vi-VN", "en": "en-GB"}  # how the browser itself writes dates in its date fields
PASSWORD = "mat-khau-thu-nghiem-1"  # every test person's password
AGENCY = "TEST"  # the sample run's agency
OTHER_AGENCY = "KHAC"
PEOPLE = {  # who -> (name, agencies); who is the role, unless ROLES says otherwise
    "scanner": ("to.so.hoa", [AGENCY]), "officer": ("can.bo.mot.cua", [AGENCY]),
    "reviewer": ("nguoi.kiem.tra", [AGENCY]), "archivist": ("luu.tru.vien", [AGENCY]),
    "admin": ("quan.tri", None), "other_officer": ("can.bo.xa.khac", [OTHER_AGENCY]),
    "province_archivist": ("luu.tru.tinh", None),
}
ROLES = {"other_officer": "officer", "province_archivist": "archivist"}


def role_of(who: str) -> str:
    return ROLES.get(who, who)
_axe = Axe()
T = TypeVar("T")


@dataclass
class Site:
    url: str
    settings: Settings
    catalog: Catalog
    store: ObjectStore

    def person(self, who: str) -> str:
        return PEOPLE[who][0]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module. Playwright's sync API keeps an asyncio loop running in the tests' thread while it
    is started, and pyHanko (signing, verifying) calls asyncio.run: a module's tests that sign while the browser is
    up do so through ``off_the_loop``, and no browser outlives its module."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@contextmanager
def own_site(data_dir: Path, folder: Path, prepare: Callable[[Settings, Catalog], None] | None = None
             ) -> Iterator[Site]:
    """The service over a copy of the data folder ``data_dir`` (agency TEST), a person of each role signed up, and
    what ``prepare`` adds or damages before the service starts."""
    copy = folder / "data"
    shutil.copytree(data_dir, copy)
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = env_settings(copy, monkeypatch, SOHOA_AGENCY=AGENCY)
        catalog = Catalog.migrated(settings.database_url)
        for who, (name, agencies) in PEOPLE.items():
            add_user(catalog, name, role_of(who), agencies, actor="test-admin", password=PASSWORD, token=False)
        if prepare:
            prepare(settings, catalog)
        with serve_in_thread(settings) as url:
            yield Site(url, settings, catalog, settings.object_store())


@pytest.fixture(scope="session")
def site(sample_run, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:  # noqa: ANN001 - conftest's Run
    """The service over a copy of the sample run's data, shared by the web tests (which add, never damage)."""
    with own_site(sample_run.data_dir, tmp_path_factory.mktemp("site")) as shared:
        yield shared


def signed_in(browser: Browser, site: Site, who: str, *, lang: str = "vi",
              javascript: bool = True) -> BrowserContext:
    """A browser of its own for a person already signed in (the sign-in form is tested once, in test_web_auth)."""
    login = sign_in(site.catalog, site.person(who), PASSWORD)
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=javascript, base_url=site.url,
                                  locale=BROWSER_LOCALES[lang])
    context.add_cookies([{"name": "sohoa_session", "value": login.session_id, "url": site.url},
                         {"name": "sohoa_lang", "value": lang, "url": site.url}])
    return context


def off_the_loop(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function`` run in a thread of its own, where no asyncio loop runs (see ``browser``)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def check_accessible(page: Page) -> None:
    """axe-core on the page as it is now: no serious or critical violation. axe is a script: a page of a context
    with JavaScript off cannot run it (the call would never return), so check such pages with JavaScript on."""
    violations = _axe.run(page).response["violations"]
    grave = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
             for v in violations if v["impact"] in ("serious", "critical")]
    assert not grave, f"{page.url}: " + "; ".join(grave)


def screenshot(page: Page, name: str) -> Path:
    """The page at 1366×768 as a PNG under the screenshot folder; its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path)
    return path
