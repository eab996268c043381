"""Administrators: users (add a person; disable or enable, a new password, revoke or issue a token, shown once), the
agencies the service knows, and the signer in use. Every change is an audit event under the administrator's name
(``storage.users``)."""
from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ingest.manifest import AGENCY_CODE
from sohoa.api.deps import ResourcesDep, SettingsDep
from sohoa.api.routers.users import find_user, signer_status
from sohoa.web.i18n import N_
from sohoa.web.i18n import gettext as _
from sohoa.web.session import PageError, person
from sohoa.web.templating import render
from storage.agencies import known_agencies
from storage.catalog import Catalog
from storage.users import (
    MIN_PASSWORD,
    ROLES,
    Caller,
    UserError,
    UserInfo,
    add_user,
    list_users,
    new_token,
    revoke_token,
    set_disabled,
    set_password,
)

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
Admin = Annotated[Caller, person("admin")]
USERS = "/quan-tri/nguoi-dung"
DONE = {"added": N_("The person was added. They can sign in with the password you gave them."),
        "disabled": N_("The account is disabled: it can no longer sign in or use its token."),
        "enabled": N_("The account is enabled again."),
        "password": N_("The password was changed; the person's open sessions were ended."),
        "revoked": N_("The API token was revoked: it no longer works.")}
NO_STORE = {"Cache-Control": "no-store"}  # a page showing a token is kept nowhere


def user_url(name: str) -> str:
    return f"{USERS}/{quote(name, safe='')}"


def _users_page(request: Request, catalog: Catalog, status: int = 200, form: dict | None = None,
                errors: dict[str, str] | None = None) -> Response:
    return render(request, "admin/users.html", {
        "users": list_users(catalog), "agencies": known_agencies(catalog), "roles": ROLES,
        "form": form or {"role": "officer", "scope": "some", "agencies": []}, "errors": errors or {},
        "min_password": MIN_PASSWORD, "user_url": user_url}, status)


@router.get(USERS, response_class=HTMLResponse)
def users_page(request: Request, caller: Admin, resources: ResourcesDep) -> Response:
    return _users_page(request, resources.catalog())


def _agency_codes(scope: str, ticked: list[str], typed: str) -> tuple[list[str] | None, str]:
    """The agencies a new person sees (None: all) and an error, from the form's choice, boxes and typed codes."""
    if scope == "all":
        return None, ""
    codes = sorted(set(ticked) | set(c for c in re.split(r"[\s,;]+", typed) if c))
    bad = [c for c in codes if not AGENCY_CODE.fullmatch(c)]
    if bad:
        return codes, _("%(code)s is not an agency code: letters, digits, '.', '_' or '-'.", code=bad[0])
    return codes, "" if codes else _("Choose at least one agency, or every agency.")


def _new_person_errors(catalog: Catalog, name: str, role: str, password: str) -> dict[str, str]:
    errors = {}
    if not name:
        errors["name"] = _("Give the person's user name.")
    elif find_user(catalog, name):
        errors["name"] = _("There is already a user with this name.")
    if role not in ROLES:
        errors["role"] = _("Choose a role.")
    if len(password) < MIN_PASSWORD:
        errors["password"] = _("The password needs at least %(n)s characters.", n=MIN_PASSWORD)
    return errors


@router.post(USERS, response_class=HTMLResponse)
def add_person(request: Request, caller: Admin, resources: ResourcesDep, name: Annotated[str, Form()] = "",
               role: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
               scope: Annotated[str, Form()] = "some", agencies: Annotated[list[str] | None, Form()] = None,
               other_agencies: Annotated[str, Form()] = "") -> Response:
    catalog = resources.catalog()
    name = name.strip()
    codes, agency_error = _agency_codes(scope, agencies or [], other_agencies)
    errors = _new_person_errors(catalog, name, role, password)
    if agency_error:
        errors["agencies"] = agency_error
    if not errors:
        try:
            add_user(catalog, name, role, codes, actor=caller.name, password=password, token=False)
        except UserError:
            errors["name"] = _("There is already a user with this name.")
    if errors:
        form = {"name": name, "role": role, "scope": scope, "agencies": agencies or [],
                "other_agencies": other_agencies}
        return _users_page(request, catalog, 400, form, errors)
    return RedirectResponse(f"{user_url(name)}?xong=added", 303)


def _existing(catalog: Catalog, name: str) -> UserInfo:
    found = find_user(catalog, name)
    if found is None:
        raise PageError(404, _("There is no user %(name)s.", name=name))
    return found


def _user_page(request: Request, catalog: Catalog, name: str, *, done: str = "", token: str = "",
               error: str = "", status: int = 200) -> Response:
    return render(request, "admin/user.html", {
        "user": _existing(catalog, name), "done": _(DONE[done]) if done in DONE else "", "token": token,
        "error": error, "url": user_url(name), "min_password": MIN_PASSWORD}, status,
        headers=NO_STORE if token else None)


@router.get(USERS + "/{name}", response_class=HTMLResponse)
def user_page(request: Request, name: str, caller: Admin, resources: ResourcesDep, xong: str = "") -> Response:
    return _user_page(request, resources.catalog(), name, done=xong)


@router.post(USERS + "/{name}/trang-thai", response_class=HTMLResponse)
def change_state(request: Request, name: str, caller: Admin, resources: ResourcesDep,
                 disabled: Annotated[str, Form()] = "1") -> Response:
    catalog = resources.catalog()
    _existing(catalog, name)
    disable = disabled == "1"
    if disable and name == caller.name:
        return _user_page(request, catalog, name, error=_("You cannot disable your own account."), status=409)
    set_disabled(catalog, name, disable, actor=caller.name)
    return RedirectResponse(f"{user_url(name)}?xong={'disabled' if disable else 'enabled'}", 303)


@router.post(USERS + "/{name}/mat-khau", response_class=HTMLResponse)
def change_password(request: Request, name: str, caller: Admin, resources: ResourcesDep,
                    password: Annotated[str, Form()] = "") -> Response:
    catalog = resources.catalog()
    _existing(catalog, name)
    try:
        set_password(catalog, name, password, actor=caller.name)
    except UserError:
        message = _("The password needs at least %(n)s characters.", n=MIN_PASSWORD)
        return _user_page(request, catalog, name, error=message, status=400)
    return RedirectResponse(f"{user_url(name)}?xong=password", 303)


@router.post(USERS + "/{name}/token", response_class=HTMLResponse)
def issue_token(request: Request, name: str, caller: Admin, resources: ResourcesDep) -> Response:
    """A new token, on this answer only (no redirect: reloading the page never shows it again)."""
    catalog = resources.catalog()
    _existing(catalog, name)
    return _user_page(request, catalog, name, token=new_token(catalog, name, actor=caller.name))


@router.post(USERS + "/{name}/thu-hoi-token", response_class=HTMLResponse)
def revoke(request: Request, name: str, caller: Admin, resources: ResourcesDep) -> Response:
    catalog = resources.catalog()
    _existing(catalog, name)
    revoke_token(catalog, name, actor=caller.name)
    return RedirectResponse(f"{user_url(name)}?xong=revoked", 303)


@router.get("/quan-tri/ky-so", response_class=HTMLResponse)
def signer_page(request: Request, caller: Admin, settings: SettingsDep) -> Response:
    try:
        status = signer_status(settings)
    except ValueError:
        log.exception("the signing key cannot be opened")
        status = None
    days_left = (status.valid_until - dt.datetime.now(dt.UTC)).days if status else None
    return render(request, "admin/signer.html", {"signer": status, "days_left": days_left,
                                                 "development": settings.uses_dev_key})
