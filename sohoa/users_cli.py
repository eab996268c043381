"""``sohoa users``: who may call the HTTP API (wiring only; the work is in ``storage.users``)."""
from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from sohoa.settings import Settings
from sohoa.storage_cli import Actor, open_catalog
from storage import audit
from storage.users import ROLES, UserError, add_user

users_app = typer.Typer(help="Users of the HTTP API and their tokens.", no_args_is_help=True)
err = Console(stderr=True, highlight=False)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="the user's name, as the audit log will show it")],
    role: Annotated[str, typer.Option(help=" | ".join(ROLES))],
    agency: Annotated[list[str] | None, typer.Option(help="an agency it may see (repeatable; none: every agency)")]
    = None,
    actor: Actor = "",
) -> None:
    """Make a user and print its bearer token, once: only its hash is kept."""
    try:
        token = add_user(open_catalog(Settings.from_env()), name, role, agency, actor=actor or audit.current_user())
    except UserError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2 if "role" in str(exc) else 1) from None
    err.print(f"user {name!r} ({role}; agencies: {', '.join(agency) if agency else 'all'}). Its token, shown only "
              "now; send it as `Authorization: Bearer <token>`:")
    print(token)
