"""The administrator's calls: ``/api/users`` (users, roles, agencies, passwords and tokens; a token is answered once),
``GET /api/agencies`` (the agencies the service knows) and ``GET /api/signer`` (the signer in use). Every change is
an audit event under the administrator's name."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, field_validator

from ingest.manifest import AGENCY_CODE
from signing.keys import EXPIRY_WARNING, signer_info
from sohoa.api.auth import ERRORS, require
from sohoa.api.deps import ResourcesDep, SettingsDep
from sohoa.settings import Settings
from storage.agencies import Agency, known_agencies
from storage.catalog import Catalog
from storage.users import (
    MIN_PASSWORD,
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
router = APIRouter(tags=["administration"])
Admin = Annotated[Caller, require("admin")]
Role = Literal["scanner", "officer", "reviewer", "archivist", "admin"]  # storage.users.ROLES
_NO_USER: dict[int | str, dict[str, Any]] = {404: {"description": "no such user"}}


class UserOut(BaseModel):
    name: str
    role: Role
    agencies: list[str] | None = Field(description="the agencies the user sees; null: every agency")
    has_password: bool = Field(description="signs in to the web interface")
    has_token: bool = Field(description="has an API token")
    disabled: bool
    locked_until: dt.datetime | None = Field(description="locked out after failed sign-ins until then")
    created_at: dt.datetime


class UserList(BaseModel):
    items: list[UserOut]


class NewUser(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    role: Role
    agencies: list[str] | None = Field(None, description="the agencies it sees; null or absent: every agency")
    password: str | None = Field(None, min_length=MIN_PASSWORD, description="to sign in to the web interface")
    token: bool = Field(False, description="make an API token, answered once")

    @field_validator("agencies")
    @classmethod
    def _codes(cls, codes: list[str] | None) -> list[str] | None:
        bad = [c for c in codes or () if not AGENCY_CODE.fullmatch(c)]
        if bad:
            raise ValueError(f"not an agency code: {', '.join(bad)}")
        return codes or None


class NewUserOut(BaseModel):
    user: UserOut
    token: str | None = Field(description="the API token: shown now and never again (only its hash is kept)")


class Disabled(BaseModel):
    disabled: bool


class NewPassword(BaseModel):
    password: str = Field(min_length=MIN_PASSWORD)


class Token(BaseModel):
    token: str = Field(description="the new API token: shown now and never again; the old one stops working")


class AgencyList(BaseModel):
    items: list[Agency]


class SignerStatus(BaseModel):
    name: str
    issuer: str
    key_store: str = Field(description="PKCS#12 file or PKCS#11 token")
    valid_until: dt.datetime
    expires_soon: bool = Field(description=f"within {EXPIRY_WARNING.days} days")
    expired: bool
    level: str
    timestamps: bool = Field(description="signatures carry a timestamp from a timestamp authority")
    crl_urls: list[str]
    development: bool = Field(description="the development key: not for legal use")


def user_out(info: UserInfo) -> UserOut:
    return UserOut.model_validate(info, from_attributes=True)


def find_user(catalog: Catalog, name: str) -> UserInfo | None:
    return next((u for u in list_users(catalog) if u.name == name), None)


def signer_status(settings: Settings) -> SignerStatus:
    """The signer in use; ValueError when its key cannot be opened (the message may name files: log it, show it to
    no one)."""
    config = settings.signer_config()
    info = signer_info(config.key)
    return SignerStatus(name=info.name, issuer=info.issuer, key_store=info.source, valid_until=info.not_after,
                        expires_soon=info.expires_soon, expired=info.not_after <= dt.datetime.now(dt.UTC),
                        level=config.level, timestamps=bool(config.tsa_url), crl_urls=list(info.crl_urls),
                        development=settings.uses_dev_key)


@router.get("/api/users", response_model=UserList, responses=ERRORS)
def users(caller: Admin, resources: ResourcesDep) -> UserList:
    """Every user, by name: role, agencies, whether it signs in with a password or has a token, disabled, locked."""
    return UserList(items=[user_out(u) for u in list_users(resources.catalog())])


@router.post("/api/users", status_code=201, response_model=NewUserOut, responses={
    **ERRORS, 409: {"description": "the name is taken"}, 422: {"description": "a bad role, agency or password"}})
def add(new: NewUser, caller: Admin, resources: ResourcesDep) -> NewUserOut:
    """Add a user (a person with a password, an API client with a token, or both); its token is answered here only."""
    catalog = resources.catalog()
    try:
        token = add_user(catalog, new.name, new.role, new.agencies, actor=caller.name, password=new.password,
                         token=new.token)
    except UserError as exc:
        raise HTTPException(409 if find_user(catalog, new.name.strip()) else 422, str(exc)) from None
    return NewUserOut(user=user_out(_existing(catalog, new.name.strip())), token=token)


@router.get("/api/users/{name}", response_model=UserOut, responses={**ERRORS, **_NO_USER})
def user(name: str, caller: Admin, resources: ResourcesDep) -> UserOut:
    return user_out(_existing(resources.catalog(), name))


@router.put("/api/users/{name}/disabled", response_model=UserOut, responses={
    **ERRORS, **_NO_USER, 409: {"description": "an administrator may not disable itself"}})
def disable(name: str, change: Disabled, caller: Admin, resources: ResourcesDep) -> UserOut:
    """Disable a user (its sessions end, its token stops working) or enable it again."""
    catalog = resources.catalog()
    _existing(catalog, name)
    if change.disabled and name == caller.name:
        raise HTTPException(409, "an administrator may not disable itself")
    set_disabled(catalog, name, change.disabled, actor=caller.name)
    return user_out(_existing(catalog, name))


@router.put("/api/users/{name}/password", response_model=UserOut, responses={**ERRORS, **_NO_USER})
def password(name: str, change: NewPassword, caller: Admin, resources: ResourcesDep) -> UserOut:
    """A new password: the user is unlocked and its sessions end."""
    catalog = resources.catalog()
    _existing(catalog, name)
    set_password(catalog, name, change.password, actor=caller.name)
    return user_out(_existing(catalog, name))


@router.post("/api/users/{name}/token", status_code=201, response_model=Token, responses={**ERRORS, **_NO_USER})
def issue_token(name: str, caller: Admin, resources: ResourcesDep) -> Token:
    """A new API token, answered once; the old one stops working."""
    catalog = resources.catalog()
    _existing(catalog, name)
    return Token(token=new_token(catalog, name, actor=caller.name))


@router.delete("/api/users/{name}/token", response_model=UserOut, responses={**ERRORS, **_NO_USER})
def remove_token(name: str, caller: Admin, resources: ResourcesDep) -> UserOut:
    """The user's API token stops working."""
    catalog = resources.catalog()
    _existing(catalog, name)
    revoke_token(catalog, name, actor=caller.name)
    return user_out(_existing(catalog, name))


@router.get("/api/agencies", response_model=AgencyList, responses=ERRORS)
def agencies(caller: Admin, resources: ResourcesDep) -> AgencyList:
    """The agencies of the service's batches and users, with the name their batches' manifests last gave."""
    return AgencyList(items=known_agencies(resources.catalog()))


@router.get("/api/signer", response_model=SignerStatus, responses={
    **ERRORS, 503: {"description": "the signing key cannot be opened"}})
def signer(caller: Admin, settings: SettingsDep) -> SignerStatus:
    """The signer in use: its certificate's name, issuer and end, the key store, the signature level, the CRL
    addresses, and whether it is the development key (not for legal use)."""
    try:
        return signer_status(settings)
    except ValueError:
        log.exception("the signing key cannot be opened")
        raise HTTPException(503, "the signing key cannot be opened: the service's log says why") from None


def _existing(catalog: Catalog, name: str) -> UserInfo:
    found = find_user(catalog, name)
    if found is None:
        raise HTTPException(404, f"no user {name!r}")
    return found
