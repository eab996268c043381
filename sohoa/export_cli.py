"""``sohoa export``: exports for other systems (wiring only; the work is in ``storage.export``)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sohoa.exits import Failed, UsageError
from sohoa.startup import reach_catalog, reach_store, reach_tsa, start
from sohoa.storage_cli import Actor
from storage import audit
from storage.export import BookNotFound, export_book
from storage.objects import ObjectChanged, ObjectMissing

export_app = typer.Typer(help="Exports for other systems.", no_args_is_help=True)


@export_app.command("book")
def export_book_command(
    book_id: Annotated[str, typer.Argument(help="<agency>/<type>/<year>/<volume> (CONTRACT §6)")],
    output: Annotated[Path, typer.Option("--out", help="the ZIP to write", dir_okay=False)],
    actor: Actor = "",
) -> None:
    """A civil-registry book for the ministry's import: one signed PDF per entry, an XLSX of the entries and a
    SHA256SUMS manifest, in one ZIP."""
    settings = start()
    if not output.parent.is_dir():
        raise UsageError(f"--out: no such folder: {output.parent}")
    try:
        signer = settings.signer_config()
    except ValueError as exc:
        raise UsageError(f"signing: {exc}") from None
    catalog, store = reach_catalog(settings), reach_store(settings)
    reach_tsa(settings)
    try:
        summary = export_book(catalog, store, book_id, output, signer, actor=actor or audit.current_user())
    except (BookNotFound, ObjectMissing, ObjectChanged) as exc:
        raise Failed(str(exc)) from None
    print(f"{summary.book_id}: {summary.entries} entries, {summary.pdfs} PDFs: {summary.stored} stored signed "
          f"documents, {summary.extracts} extracts ({summary.signed} pages extracted and signed) -> {summary.path}")

