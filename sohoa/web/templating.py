"""Pages from Jinja2 templates, in the request's language, with what every page shows (menu, person, CSRF token)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sohoa.web import words
from sohoa.web.i18n import LANGUAGES, gettext, language, ngettext
from sohoa.web.nav import menu
from sohoa.web.session import ANON_CSRF_COOKIE, CSRF_FIELD, visitor
from storage.days import VIETNAM  # times are shown as the agencies read them

TEMPLATES = Path(__file__).parent / "templates"


TIME_PATTERNS = {("vi", "short"): "dd/MM/yyyy HH:mm", ("vi", "medium"): "dd/MM/yyyy HH:mm:ss"}


def moment(value: str | dt.datetime | None, style: str = "short") -> str:
    """A time in Vietnam's time zone, written the language's way ("29/11/2026 21:05")."""
    if not value:
        return ""
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return format_datetime(when, TIME_PATTERNS.get((language(), style), style), tzinfo=VIETNAM, locale=language())


DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}  # as Vietnamese offices write a date: 15/03/1990


def day(value: str | dt.date | None) -> str:
    """An ISO date ("2017-03-15") written the language's way ("15/03/2017")."""
    if not value:
        return ""
    try:
        date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)
    return format_date(date, DATE_PATTERNS.get(language(), "medium"), locale=language())


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=language())


def percent(value: float | None) -> str:
    return "" if value is None else format_percent(value, "#,##0.0%", locale=language())


_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                           extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
_environment.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
_environment.filters.update(moment=moment, day=day, number=number, percent=percent)
_environment.globals.update(LANGUAGES=LANGUAGES, CSRF_FIELD=CSRF_FIELD, ROLE_NAMES=words.ROLE_NAMES,
                            DOC_TYPE_NAMES=words.DOC_TYPE_NAMES, FIELD_NAMES=words.FIELD_NAMES,
                            BATCH_STATUS_NAMES=words.BATCH_STATUS_NAMES, KIND_NAMES=words.KIND_NAMES,
                            BOOK_TYPE_NAMES=words.BOOK_TYPE_NAMES)


def secure(request: Request) -> bool:
    """Cookies are marked Secure when the site is reached over HTTPS (directly or as its public address says)."""
    return request.url.scheme == "https" or request.app.state.settings.public_url.startswith("https://")


def render(request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    """A page: ``template`` with ``context`` and what every page needs."""
    seen = visitor(request)
    page = _environment.get_template(template).render(
        request=request, caller=seen.caller, csrf=seen.csrf, lang=language(), menu=menu(seen.caller),
        here=request.url.path, **(context or {}))
    response = HTMLResponse(page, status, headers=headers)
    if seen.fresh_csrf:
        response.set_cookie(ANON_CSRF_COOKIE, seen.csrf, httponly=True, samesite="strict", secure=secure(request))
    return response
