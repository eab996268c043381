"""Bearer tokens (from `sohoa users add`) and roles: who may call what (CONTRACT §5). An admin may call anything."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sohoa.api.deps import ResourcesDep
from storage.users import Caller, caller_for

_bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def require(*roles: str) -> Any:
    """A dependency giving the Caller; 401 without a known token, 403 for a role not among ``roles`` (none: any)."""

    def caller(resources: ResourcesDep, credentials: Credentials) -> Caller:
        found = caller_for(resources.catalog(), credentials.credentials) if credentials else None
        if found is None:
            raise HTTPException(401, "a valid bearer token is needed (`sohoa users add` makes one)",
                                headers={"WWW-Authenticate": "Bearer"})
        if roles and found.role not in roles and found.role != "admin":
            raise HTTPException(403, f"a {found.role} may not do this (it is for: {', '.join(roles)})")
        return found

    return Depends(caller)
