"""The web interface mounted on the API's application: pages, their static assets, and errors as pages."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from sohoa.api.unavailable import RETRY_AFTER, UNAVAILABLE, unavailable_json, which_service
from sohoa.web.i18n import LanguageMiddleware
from sohoa.web.i18n import gettext as _
from sohoa.web.routes import admin, archive, auth, officer, public, review, scanning
from sohoa.web.session import PageError, SignInNeeded, Visitor, sign_in_url
from sohoa.web.templating import render

STATIC = Path(__file__).parent / "static"
NOT_PAGES = ("/api/", "/keys/", "/healthz", "/metrics", "/openapi.json", "/docs", "/redoc", "/static")
# Nothing a page shows may come from elsewhere (offline networks; no tracking): scripts only from the site's own
# files. The API documentation's pages start their viewer with an inline script, and ReDoc would fetch its logo from
# a CDN: the policy stops that request in the browser.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
               "form-action 'self'; frame-ancestors 'none'; base-uri 'self'")
DOCS_POLICY = PAGE_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "default-src 'self'", "default-src 'self'; worker-src 'self' blob:")
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def mount_web(app: FastAPI) -> None:
    app.add_middleware(LanguageMiddleware)
    app.middleware("http")(_security_headers)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, scanning, officer, review, archive, admin, public):
        app.include_router(module.router)
    app.add_exception_handler(SignInNeeded, _sign_in_needed)
    app.add_exception_handler(PageError, _page_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, _unavailable)


async def _security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    response.headers.update(SECURITY_HEADERS)
    if response.headers.get("content-type", "").startswith("text/html"):
        docs = request.url.path in ("/docs", "/redoc")
        response.headers.setdefault("Content-Security-Policy", DOCS_POLICY if docs else PAGE_POLICY)
    return response


async def _sign_in_needed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInNeeded)
    return RedirectResponse(sign_in_url(exc.next_url), 303)


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return render(request, "error.html", {"status": exc.status, "message": exc.message}, exc.status)


async def _unavailable(request: Request, exc: Exception) -> Response:
    """A store or database that does not answer: the API's 503 in JSON, a page's in words."""
    if request.url.path.startswith(NOT_PAGES):
        return await unavailable_json(request, exc)
    which_service(request, exc)
    if getattr(request.state, "visitor", None) is None:  # who is there is not known: the catalog may be what failed
        request.state.visitor = Visitor(None, "")
    return render(request, "error.html", {"status": 503, "message": _(
        "A service sohoa needs did not answer. Nothing was changed; try again in a moment.")}, 503,
        headers={"Retry-After": RETRY_AFTER})


async def _http_error(request: Request, exc: Exception) -> Response:
    """The API answers JSON; a page that does not exist answers a page."""
    assert isinstance(exc, StarletteHTTPException)
    if request.url.path.startswith(NOT_PAGES) or exc.status_code != 404:
        return await http_exception_handler(request, exc)
    return render(request, "error.html", {"status": 404, "message": _("There is no such page.")}, 404)
