"""The reviewer's command of ``sohoa``: correct a stored document (wiring only)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ocr.corrections import BadCorrection, parse_assignment
from sohoa.exits import Failed, UsageError
from sohoa.startup import reach_catalog, reach_store, reach_tsa, start
from sohoa.storage_cli import Actor
from storage import audit
from storage.keys import doc_key
from storage.objects import ObjectChanged, write_object
from storage.retrieval import DocumentNotFound
from workers.correct import correct_document

err = Console(stderr=True, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("correct")(correct_command)


def correct_command(
    doc_id: Annotated[str, typer.Argument(help="document id")],
    assignments: Annotated[list[str] | None, typer.Option(
        "--set", help="FIELD=VALUE, records.N.FIELD=VALUE or doc_type=TYPE; an empty VALUE removes the field "
                      "(repeatable)")] = None,
    confirm: Annotated[list[str] | None, typer.Option(
        "--confirm", help="FIELD (or records.N.FIELD …) whose value in doubt is right: the doubt no longer flags the "
                          "document (repeatable)")] = None,
    note: Annotated[str | None, typer.Option(help="why, for the document's history and the audit log")] = None,
    output: Annotated[Path | None, typer.Option("--out", help="also write the new signed PDF here")] = None,
    actor: Actor = "",
) -> None:
    """Store a corrected (or confirmed), re-signed version of a document; the old version is kept."""
    if not assignments and not confirm:
        raise UsageError("nothing to do: give --set FIELD=VALUE or --confirm FIELD")
    settings = start()
    catalog, store = reach_catalog(settings), reach_store(settings)
    reach_tsa(settings)
    try:
        signer = settings.signer_config()
    except ValueError as exc:
        raise UsageError(f"signing: {exc}") from None
    try:
        pairs = [parse_assignment(a) for a in assignments or []]
        record = correct_document(catalog, store, doc_id, pairs, confirm=confirm or [], signer=signer,
                                  actor=actor or audit.current_user(), note=note, default_agency=settings.agency)
    except BadCorrection as exc:  # a --set or --confirm that cannot be used
        raise UsageError(str(exc)) from None
    except (DocumentNotFound, ObjectChanged) as exc:
        raise Failed(str(exc)) from None
    last = record.corrections[-1]
    for change in last.changes:
        err.print(f"  {change.target}: {change.old!r} -> {change.new!r}")
    if last.confirmed:
        err.print(f"  confirmed: {', '.join(last.confirmed)}")
    still = "; ".join(record.review_reasons)
    err.print(f"{doc_id} v{record.version} stored, signed {record.signature.level} by {record.signature.signer}"
              + (f"; still to review: {still}" if still else ""))
    if output:
        write_object(store, doc_key(record.agency, doc_id, record.version, "pdf"), output, record.sha256)
