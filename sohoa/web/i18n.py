"""Vietnamese by default, English selectable: gettext catalogs read with Babel.

Messages are written in English in the templates and the code (``_("Sign in")``); ``locale/vi/LC_MESSAGES/*.po``
give their Vietnamese (one catalog per part of the interface, merged when loaded). English needs no catalog. The
language of a request comes from the ``sohoa_lang`` cookie and is kept in a context variable for the request, so
that templates and code translate alike.
"""
from __future__ import annotations

import io
from contextvars import ContextVar
from functools import cache
from http.cookies import CookieError, SimpleCookie
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.types import ASGIApp, Receive, Scope, Send

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT = "vi"
COOKIE = "sohoa_lang"
LOCALE_DIR = Path(__file__).parent / "locale"
_current: ContextVar[str] = ContextVar("sohoa_lang", default=DEFAULT)


@cache
def translations(lang: str) -> NullTranslations:
    """The merged catalogs of a language (compiled in memory: no .mo file is kept)."""
    merged: NullTranslations = NullTranslations()
    for po in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=lang)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        part = Translations(compiled)
        if isinstance(merged, Translations):
            merged.merge(part)
        else:
            merged = part
    return merged


def language() -> str:
    return _current.get()


def gettext(message: str, **values: object) -> str:
    """``message`` in the request's language, with ``%(name)s`` placeholders filled from ``values``."""
    text = translations(language()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    text = translations(language()).ngettext(singular, plural, n)
    return text % {"num": n, **values}


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the usual gettext name for a message marked, translated later
    """Marks a message for the catalogs where it is defined (menus, labels); ``gettext`` translates it when shown."""
    return message


class LanguageMiddleware:
    """Sets the request's language from its cookie before anything else runs (pure ASGI: the context variable is
    seen by the endpoint, its dependencies and the templates)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _current.set(_from_headers(scope.get("headers", [])))
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


def _from_headers(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"cookie":
            try:
                morsel = SimpleCookie(value.decode("latin-1")).get(COOKIE)
            except CookieError:
                continue
            if morsel and morsel.value in LANGUAGES:
                return morsel.value
    return DEFAULT
