"""Users of the HTTP API and their bearer tokens (CONTRACT §5): only a token's SHA-256 is kept, so a stolen
catalog gives no working token; a token is shown once, when its user is made."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import audit
from storage.catalog import Catalog
from storage.schema import User

ROLES = ("scanner", "officer", "reviewer", "archivist", "admin")


class UserError(ValueError):
    pass


@dataclass(frozen=True)
class Caller:
    """Who is calling: a user's name, role and the agencies it sees (None: every agency)."""
    name: str
    role: str
    agencies: frozenset[str] | None

    def sees(self, agency: str) -> bool:
        return self.agencies is None or agency in self.agencies


def add_user(catalog: Catalog, name: str, role: str, agencies: list[str] | None, *, actor: str) -> str:
    """Make a user; its bearer token (returned here only). Raises UserError for a bad role or a taken name."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    name = name.strip()
    if not name:
        raise UserError("a user needs a name")
    token = secrets.token_urlsafe(32)
    try:
        with catalog.engine.begin() as connection:
            connection.execute(User.__table__.insert().values(
                name=name, role=role, agencies=sorted(set(agencies)) if agencies else None,
                token_sha256=_digest(token), created_at=dt.datetime.now(dt.UTC)))
            audit.append(connection, actor, "user", name, {"role": role, "agencies": agencies or "all"})
    except IntegrityError:
        raise UserError(f"there is already a user {name!r}") from None
    return token


def caller_for(catalog: Catalog, token: str) -> Caller | None:
    """The user a bearer token belongs to, or None."""
    with Session(catalog.engine) as session:
        user = session.scalar(select(User).where(User.token_sha256 == _digest(token)))
    if user is None:
        return None
    return Caller(user.name, user.role, frozenset(user.agencies) if user.agencies else None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
