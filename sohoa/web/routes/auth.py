"""Signing in and out, the language, and where ``/`` leads."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sohoa.api.deps import ResourcesDep
from sohoa.web.i18n import COOKIE, LANGUAGES
from sohoa.web.i18n import gettext as _
from sohoa.web.nav import home
from sohoa.web.session import ANON_CSRF_COOKIE, SESSION_COOKIE, check_csrf, local_path, person, visitor
from sohoa.web.templating import moment, render, secure
from storage.users import Caller, SignInRefused, sign_in, sign_out

router = APIRouter(include_in_schema=False)
LANGUAGE_COOKIE_DAYS = 400


@router.get("/")
def landing(request: Request) -> RedirectResponse:
    caller = visitor(request).caller
    return RedirectResponse(home(caller) if caller else "/dang-nhap", 303)


@router.get("/dang-nhap", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str = "/") -> Response:
    caller = visitor(request).caller
    if caller:
        return RedirectResponse(local_path(next) if next != "/" else home(caller), 303)
    return render(request, "sign_in.html", {"next": local_path(next)})


@router.post("/dang-nhap", response_class=HTMLResponse)
async def sign_in_form(request: Request, resources: ResourcesDep, name: Annotated[str, Form()],
                       password: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    await check_csrf(request)
    try:
        login = await run_in_threadpool(sign_in, resources.catalog(), name, password)
    except SignInRefused as refused:
        message = (_("This account is locked after too many failed attempts, until %(time)s.",
                     time=moment(refused.locked_until)) if refused.locked_until else
                   _("The name or password is not right, or the account is disabled."))
        return render(request, "sign_in.html", {"next": local_path(next), "name": name, "error": message}, 400)
    target = local_path(next)
    response = RedirectResponse(target if target != "/" else home(login.caller), 303)
    # a browser-session cookie: closing the browser signs out; the catalog ends the session after SESSION_HOURS
    response.set_cookie(SESSION_COOKIE, login.session_id, httponly=True, samesite="lax", secure=secure(request))
    response.delete_cookie(ANON_CSRF_COOKIE)
    return response


@router.post("/dang-xuat")
def sign_out_form(request: Request, resources: ResourcesDep, _caller: Annotated[Caller, person()]) -> Response:
    sign_out(resources.catalog(), request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/dang-nhap", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/ngon-ngu/{lang}")
def choose_language(request: Request, lang: str, next: str = "/") -> RedirectResponse:
    response = RedirectResponse(local_path(next), 303)
    if lang in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=LANGUAGE_COOKIE_DAYS * 86400, samesite="lax",
                            secure=secure(request))
    return response
