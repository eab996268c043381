"""``sohoa export``: exports for other systems (wiring only; the work is in ``storage.export``)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from sohoa.settings import Settings
from sohoa.storage_cli import Actor, open_catalog
from storage import audit
from storage.export import BookNotFound, export_book
from storage.objects import ObjectChanged, ObjectMissing

export_app = typer.Typer(help="Exports for other systems.", no_args_is_help=True)
err = Console(stderr=True, highlight=False)


@export_app.command("book")
def export_book_command(
    book_id: Annotated[str, typer.Argument(help="<agency>/<type>/<year>/<volume> (CONTRACT §6)")],
    output: Annotated[Path, typer.Option("--out", help="the ZIP to write", dir_okay=False)],
    actor: Actor = "",
) -> None:
    """A civil-registry book for the ministry's import: one signed PDF per entry, an XLSX of the entries and a
    SHA256SUMS manifest, in one ZIP."""
    settings = Settings.from_env()
    if not output.parent.is_dir():
        raise typer.BadParameter(f"no such folder: {output.parent}", param_hint="--out")
    try:
        signer = settings.signer_config()
    except ValueError as exc:
        _fail(f"signing: {exc}")
    try:
        summary = export_book(open_catalog(settings), settings.object_store(), book_id, output, signer,
                              actor=actor or audit.current_user())
    except (BookNotFound, ObjectMissing, ObjectChanged) as exc:
        _fail(str(exc))
    print(f"{summary.book_id}: {summary.entries} entries, {summary.pdfs} PDFs: {summary.stored} stored signed "
          f"documents, {summary.extracts} extracts ({summary.signed} pages extracted and signed) -> {summary.path}")


def _fail(message: str) -> NoReturn:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)
