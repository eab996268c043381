"""``sohoa users``: people who sign in to the web interface and API clients with tokens (wiring only; the work is in
``storage.users``)."""
from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sohoa.exits import Failed, UsageError
from sohoa.startup import reach_catalog, start
from sohoa.storage_cli import Actor
from storage import audit
from storage.catalog import Catalog
from storage.users import ROLES, UserError, add_user, list_users, new_token, revoke_token, set_disabled, set_password

users_app = typer.Typer(help="Users: people who sign in to the web interface, API clients with tokens.",
                        no_args_is_help=True)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="read the password from the first line of "
                                                                      "standard input (never from the command line)")]


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="the user's name, as the audit log will show it")],
    role: Annotated[str, typer.Option(help=" | ".join(ROLES))],
    agency: Annotated[list[str] | None, typer.Option(help="an agency it may see (repeatable; none: every agency)")]
    = None,
    password_stdin: PasswordStdin = False,
    actor: Actor = "",
) -> None:
    """Make a user. With --password-stdin, a person who signs in to the web interface; without, an API client whose
    bearer token is printed once (only its hash is kept)."""
    password = _stdin_password() if password_stdin else None
    if role not in ROLES:
        raise UsageError(f"--role must be one of {', '.join(ROLES)}, not {role!r}")
    with _refusing():
        token = add_user(_catalog(), name, role, agency, actor=actor or audit.current_user(),
                         password=password, token=password is None)
    scope = ", ".join(agency) if agency else "all"
    if token is None:
        err.print(f"user {name!r} ({role}; agencies: {scope}) may now sign in to the web interface")
        return
    err.print(f"user {name!r} ({role}; agencies: {scope}). Its token, shown only now; send it as "
              "`Authorization: Bearer <token>`:")
    print(token)


@users_app.command("list")
def users_list() -> None:
    """Every user: role, agencies, how it signs in, and whether it is disabled or locked out."""
    table = Table("name", "role", "agencies", "password", "token", "state")
    for user in list_users(_catalog()):
        state = "disabled" if user.disabled else f"locked until {user.locked_until:%Y-%m-%d %H:%M} UTC" \
            if user.locked_until else "active"
        table.add_row(user.name, user.role, ", ".join(user.agencies) if user.agencies else "all",
                      "yes" if user.has_password else "no", "yes" if user.has_token else "no", state)
    out.print(table)


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="the user")], actor: Actor = "") -> None:
    """Stop a user: its sessions end and its token stops working (kept for the audit log)."""
    with _refusing():
        set_disabled(_catalog(), name, True, actor=actor or audit.current_user())
    err.print(f"user {name!r} is disabled")


@users_app.command("enable")
def users_enable(name: Annotated[str, typer.Argument(help="the user")], actor: Actor = "") -> None:
    """Let a disabled user in again."""
    with _refusing():
        set_disabled(_catalog(), name, False, actor=actor or audit.current_user())
    err.print(f"user {name!r} is enabled")


@users_app.command("reset-password")
def users_reset_password(name: Annotated[str, typer.Argument(help="the user")], password_stdin: PasswordStdin = False,
                         actor: Actor = "") -> None:
    """A new password (from standard input, else made up and printed once); the user is unlocked and signed out."""
    password = _stdin_password() if password_stdin else secrets.token_urlsafe(12)
    with _refusing():
        set_password(_catalog(), name, password, actor=actor or audit.current_user())
    err.print(f"user {name!r} has a new password; its sessions have ended")
    if not password_stdin:
        print(password)


@users_app.command("revoke-token")
def users_revoke_token(name: Annotated[str, typer.Argument(help="the user")], actor: Actor = "") -> None:
    """The user's bearer token stops working (signing in to the web interface is not affected)."""
    with _refusing():
        revoke_token(_catalog(), name, actor=actor or audit.current_user())
    err.print(f"user {name!r} has no token any more")


@users_app.command("new-token")
def users_new_token(name: Annotated[str, typer.Argument(help="the user")], actor: Actor = "") -> None:
    """A new bearer token for the user, printed once (its old token stops working)."""
    with _refusing():
        token = new_token(_catalog(), name, actor=actor or audit.current_user())
    err.print(f"user {name!r}: its new token, shown only now")
    print(token)


def _catalog() -> Catalog:
    return reach_catalog(start())


@contextmanager
def _refusing() -> Iterator[None]:
    """A refused change (no such user, a short password …) ends the command with its reason, exit status 1."""
    try:
        yield
    except UserError as exc:
        raise Failed(str(exc)) from None


def _stdin_password() -> str:
    if sys.stdin.isatty():
        err.print("password (then Enter): ", end="")
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UsageError("--password-stdin: standard input held no password")
    return password


