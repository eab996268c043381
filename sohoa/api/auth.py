"""Who may call what (CONTRACT §5): API clients with a bearer token (from `sohoa users add`), and the web interface's
scripts with the signed-in person's session cookie and its CSRF token. An admin may call anything."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sohoa.api.deps import ResourcesDep
from sohoa.web.session import SAFE_METHODS, csrf_header_ok, visitor
from storage.users import Caller, caller_for

_bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
ERRORS: dict[int | str, dict[str, Any]] = {  # what the OpenAPI says a protected call may answer besides success
    401: {"description": "no bearer token, an unknown one, or no signed-in session"},
    403: {"description": "the caller's role may not do this, or a browser's request lacks its CSRF token"},
}


def require(*roles: str) -> Any:
    """A dependency giving the Caller; 401 without a known token or session, 403 for a role not among ``roles``
    (none: any) or a session's unsafe request without its CSRF token."""

    def caller(request: Request, resources: ResourcesDep, credentials: Credentials) -> Caller:
        if credentials:
            found = caller_for(resources.catalog(), credentials.credentials)
        else:
            seen = visitor(request)
            found = seen.caller
            if found and request.method not in SAFE_METHODS and not csrf_header_ok(request, seen.csrf):
                raise HTTPException(403, "the request lacks the page's CSRF token (header X-CSRF-Token)")
        if found is None:
            raise HTTPException(401, "a valid bearer token is needed (`sohoa users add` makes one), or sign in",
                                headers={"WWW-Authenticate": "Bearer"})
        if roles and not found.may(*roles):
            raise HTTPException(403, f"a {found.role} may not do this (it is for: {', '.join(roles)})")
        return found

    return Depends(caller)
