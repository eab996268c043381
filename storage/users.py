"""Users of sohoa: API clients with a bearer token and people who sign in to the web interface with a password.

Only a token's SHA-256 and a password's argon2 hash are kept, so a stolen catalog gives neither; a token is shown
once, when it is made. A person who fails to sign in ``MAX_FAILURES`` times in a row is locked out for
``LOCK_MINUTES``; a disabled user can neither sign in nor use a token. Sessions live in the catalog (only the
SHA-256 of the id in the cookie), so signing out, disabling a user or resetting a password ends them at once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Row, Table, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import audit
from storage.catalog import Catalog
from storage.schema import User, WebSession

ROLES = ("scanner", "officer", "reviewer", "archivist", "admin")
MIN_PASSWORD = 10
MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_HOURS = 12  # a working day; signing in again after it is no hardship
_hasher = PasswordHasher()
_UNKNOWN = _hasher.hash(secrets.token_hex(16))  # checked against for unknown names: their answer takes as long


class UserError(ValueError):
    pass


class SignInRefused(Exception):
    """Sign-in refused. ``reason`` is for the audit log (bad, locked, disabled); people are only told it failed,
    or that the account is locked and until when."""

    def __init__(self, reason: str, locked_until: dt.datetime | None = None) -> None:
        super().__init__(reason)
        self.reason, self.locked_until = reason, locked_until


@dataclass(frozen=True)
class Caller:
    """Who is calling: a user's name, role and the agencies it sees (None: every agency)."""
    name: str
    role: str
    agencies: frozenset[str] | None

    def sees(self, agency: str) -> bool:
        return self.agencies is None or agency in self.agencies

    def may(self, *roles: str) -> bool:
        """Whether the role is one of ``roles`` (an admin may do anything)."""
        return self.role in roles or self.role == "admin"


@dataclass(frozen=True)
class WebLogin:
    """A new session: the id to put in the cookie (never stored), its CSRF token and who it is for."""
    session_id: str
    csrf: str
    caller: Caller
    expires_at: dt.datetime


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    agencies: list[str] | None
    has_password: bool
    has_token: bool
    disabled: bool
    locked_until: dt.datetime | None
    created_at: dt.datetime


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def add_user(catalog: Catalog, name: str, role: str, agencies: list[str] | None, *, actor: str,
             password: str | None = None, token: bool = True) -> str | None:
    """Make a user; its bearer token (returned here only), or None when ``token`` is False. Raises UserError for a
    bad role, a short password or a taken name."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    name = name.strip()
    if not name:
        raise UserError("a user needs a name")
    secret = secrets.token_urlsafe(32) if token else None
    try:
        with catalog.engine.begin() as connection:
            connection.execute(cast(Table, User.__table__).insert().values(  # a declarative __table__ is a Table
                name=name, role=role, agencies=sorted(set(agencies)) if agencies else None,
                token_sha256=_digest(secret) if secret else None,
                password_hash=_password_hash(password) if password is not None else None, disabled=False,
                failed_sign_ins=0, created_at=now()))
            audit.append(connection, actor, "user", name, {"change": "added", "role": role,
                                                           "agencies": agencies or "all",
                                                           "password": password is not None, "token": token})
    except IntegrityError:
        raise UserError(f"there is already a user {name!r}") from None
    return secret


def list_users(catalog: Catalog) -> list[UserInfo]:
    with Session(catalog.engine) as session:
        users = session.scalars(select(User).order_by(User.name)).all()
    return [UserInfo(u.name, u.role, u.agencies, u.password_hash is not None, u.token_sha256 is not None, u.disabled,
                     u.locked_until if u.locked_until and _aware(u.locked_until) > now() else None,
                     _aware(u.created_at)) for u in users]


def set_password(catalog: Catalog, name: str, password: str, *, actor: str) -> None:
    """A new password; the user is unlocked and its sessions end."""
    _change(catalog, name, actor, {"change": "password"}, password_hash=_password_hash(password), failed_sign_ins=0,
            locked_until=None)


def set_disabled(catalog: Catalog, name: str, disabled: bool, *, actor: str) -> None:
    """Disable a user (its sessions end and its token stops working) or enable it again."""
    _change(catalog, name, actor, {"change": "disabled" if disabled else "enabled"}, disabled=disabled)


def new_token(catalog: Catalog, name: str, *, actor: str) -> str:
    """A new bearer token for the user (the old one stops working); shown only now."""
    token = secrets.token_urlsafe(32)
    _change(catalog, name, actor, {"change": "new token"}, end_sessions=False, token_sha256=_digest(token))
    return token


def revoke_token(catalog: Catalog, name: str, *, actor: str) -> None:
    _change(catalog, name, actor, {"change": "token revoked"}, end_sessions=False, token_sha256=None)


def caller_for(catalog: Catalog, token: str) -> Caller | None:
    """The user a bearer token belongs to, or None (also for a disabled user)."""
    with Session(catalog.engine) as session:
        user = session.scalar(select(User).where(User.token_sha256 == _digest(token), User.disabled.is_(False)))
    return _caller(user) if user else None


def sign_in(catalog: Catalog, name: str, password: str, *, at: dt.datetime | None = None) -> WebLogin:
    """Check a person's password and open a session. Raises SignInRefused; every attempt is an audit event."""
    at = at or now()
    name = name.strip()
    with catalog.engine.begin() as connection:  # a refusal is committed too: the failure counts
        user = connection.execute(select(User.__table__).where(User.name == name)).first()
        locked = user is not None and user.locked_until is not None and _aware(user.locked_until) > at
        good = _verify(user.password_hash if user else None, password)
        if user is None or user.disabled or locked or not good:
            reason = "unknown user" if user is None else "disabled" if user.disabled else "locked" if locked else "bad"
            until = (_aware(user.locked_until) if locked else _count_failure(connection, user, at)) if user else None
            audit.append(connection, name[:128] or "?", "sign-in", name, {"result": reason})
            refused = SignInRefused(reason, until)
        else:
            refused = None
            login = _open_session(connection, user, password, at)
    if refused:
        raise refused
    return login


def _open_session(connection: Connection, user: Row[Any], password: str, at: dt.datetime) -> WebLogin:
    values: dict[str, Any] = {"failed_sign_ins": 0, "locked_until": None}
    if _hasher.check_needs_rehash(user.password_hash):
        values["password_hash"] = _hasher.hash(password)
    connection.execute(update(User).where(User.name == user.name).values(**values))
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = at + dt.timedelta(hours=SESSION_HOURS)
    connection.execute(delete(WebSession).where(WebSession.expires_at < at))
    sessions = cast(Table, WebSession.__table__)  # a declarative __table__ is a Table
    connection.execute(sessions.insert().values(id_sha256=_digest(session_id), user_name=user.name, csrf=csrf,
                                                created_at=at, expires_at=expires))
    audit.append(connection, user.name, "sign-in", user.name, {"result": "ok"})
    return WebLogin(session_id, csrf, _caller(user), expires)


def session_caller(catalog: Catalog, session_id: str) -> tuple[Caller, str] | None:
    """Who a session cookie belongs to, and the session's CSRF token; None when it ended, expired or its user is
    disabled."""
    query = (select(User, WebSession.csrf).join(WebSession, WebSession.user_name == User.name)
             .where(WebSession.id_sha256 == _digest(session_id), WebSession.expires_at > now(),
                    User.disabled.is_(False)))
    with Session(catalog.engine) as session:
        found = session.execute(query).first()
    return (_caller(found[0]), found[1]) if found else None


def sign_out(catalog: Catalog, session_id: str) -> None:
    with catalog.engine.begin() as connection:
        name = connection.scalar(delete(WebSession).where(WebSession.id_sha256 == _digest(session_id))
                                 .returning(WebSession.user_name))
        if name:
            audit.append(connection, name, "sign-out", name)


def _change(catalog: Catalog, name: str, actor: str, details: dict[str, str], *, end_sessions: bool = True,
            **values: object) -> None:
    with catalog.engine.begin() as connection:
        changed = connection.execute(update(User).where(User.name == name).values(**values)).rowcount
        if not changed:
            raise UserError(f"there is no user {name!r}")
        if end_sessions:
            connection.execute(delete(WebSession).where(WebSession.user_name == name))
        audit.append(connection, actor, "user", name, details)


def _count_failure(connection: Connection, user: Row[Any], at: dt.datetime) -> dt.datetime | None:
    """One more failed sign-in; the time the account stays locked until when this one was one too many."""
    failures = user.failed_sign_ins + 1
    until = at + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
    connection.execute(update(User).where(User.name == user.name)
                       .values(failed_sign_ins=0 if until else failures, locked_until=until))
    return until


def _password_hash(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _UNKNOWN, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _caller(user: User | Row[Any]) -> Caller:
    return Caller(user.name, user.role, frozenset(user.agencies) if user.agencies else None)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; the catalog writes UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
