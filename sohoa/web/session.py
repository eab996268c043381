"""Who is at the browser: the session cookie of a signed-in person, CSRF tokens, and the dependencies pages use.

A signed-in person's forms carry the session's CSRF token (field ``csrf_token``, or header ``X-CSRF-Token`` from
the pages' scripts); forms shown before sign-in carry a token kept in a cookie of its own (double submit). Every
unsafe request from a browser must bring the right one back.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request

from sohoa.web.i18n import gettext as _
from storage.users import Caller, session_caller

SESSION_COOKIE = "sohoa_session"
ANON_CSRF_COOKIE = "sohoa_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class SignInNeeded(Exception):
    """The page needs a signed-in person: the browser is sent to sign in, then back to ``next_url``."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class PageError(Exception):
    """A page that cannot be shown: its status and a message for people (already translated)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Visitor:
    caller: Caller | None  # None: nobody signed in
    csrf: str  # what the request's forms must carry back
    fresh_csrf: bool = False  # an anonymous token the response must set as a cookie


def visitor(request: Request) -> Visitor:
    """Who is there (worked out once per request)."""
    found: Visitor | None = getattr(request.state, "visitor", None)
    if found is not None:
        return found
    session_id = request.cookies.get(SESSION_COOKIE)
    signed_in = session_caller(request.app.state.resources.catalog(), session_id) if session_id else None
    if signed_in:
        found = Visitor(signed_in[0], signed_in[1])
    elif token := request.cookies.get(ANON_CSRF_COOKIE):
        found = Visitor(None, token)
    else:
        found = Visitor(None, secrets.token_urlsafe(32), fresh_csrf=True)
    request.state.visitor = found
    return found


def csrf_header_ok(request: Request, expected: str) -> bool:
    return secrets.compare_digest(request.headers.get(CSRF_HEADER, ""), expected)


async def check_csrf(request: Request) -> None:
    """An unsafe request must carry the visitor's CSRF token (form field or header); PageError 403 if not."""
    if request.method in SAFE_METHODS:
        return
    expected = visitor(request).csrf
    if csrf_header_ok(request, expected):
        return
    form = await request.form()  # kept by Starlette: the endpoint reads it again for free
    given = form.get(CSRF_FIELD)
    if not isinstance(given, str) or not secrets.compare_digest(given, expected):
        raise PageError(403, _("This form has expired or did not come from sohoa. Reload the page and try again."))


def person(*roles: str) -> Any:
    """A dependency giving the signed-in person: sign-in first when nobody is, a 403 page for a role not among
    ``roles`` (none: any role; an admin may do anything), and the CSRF check on unsafe requests."""

    async def dependency(request: Request) -> Caller:
        caller = visitor(request).caller
        if caller is None:
            query = f"?{request.url.query}" if request.url.query else ""
            raise SignInNeeded(request.url.path + query if request.method in SAFE_METHODS else "/")
        if roles and not caller.may(*roles):
            raise PageError(403, _("Your role may not open this page."))
        await check_csrf(request)
        return caller

    return Depends(dependency)


def sign_in_url(next_url: str) -> str:
    return "/dang-nhap" + (f"?next={quote(next_url)}" if next_url and next_url != "/" else "")


def local_path(target: str | None) -> str:
    """``target`` when it is a path on this site (never another site: ``//host`` or a scheme), else ``/``."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"
