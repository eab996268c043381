"""The storage commands of ``sohoa``: search, reuse, get, fixity, report, audit, catalog rebuild (wiring only)."""
from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Column, Table

from sohoa.exits import Failed, UsageError
from sohoa.startup import reach_catalog, reach_store, start
from storage import audit
from storage.fixity import check_fixity
from storage.objects import ObjectChanged, ObjectMissing
from storage.rebuild import rebuild
from storage.report import progress, progress_json, totals
from storage.retrieval import DocumentNotFound, fetch_pdf
from storage.reuse import find_person
from storage.search import BadCursor, SearchQuery, search
from workers.document_view import headline

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
catalog_app = typer.Typer(help="The catalog (derived from the object store).", no_args_is_help=True)
db_app = typer.Typer(help="The catalog's database schema.", no_args_is_help=True)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _check_format(value: str) -> str:
    if value not in ("table", "json"):
        raise typer.BadParameter(f"table or json, not {value!r}")
    return value


Actor = Annotated[str, typer.Option("--actor", help="who does this, for the audit log [default: $USER]")]
Agencies = Annotated[list[str] | None, typer.Option("--agency", help="only this agency's documents (repeatable)")]
Format = Annotated[str, typer.Option("--format", help="table | json", callback=_check_format)]
def register(app: typer.Typer) -> None:
    for command in (search_command, reuse_command, get_command, fixity_command, report_command):
        app.command(command.__name__.removesuffix("_command"))(command)
    app.add_typer(audit_app, name="audit")
    app.add_typer(catalog_app, name="catalog")
    app.add_typer(db_app, name="db")


def search_command(
    text: Annotated[str | None, typer.Argument(help="words from the text or fields, any case, diacritics optional")]
    = None,
    personal_id: Annotated[str | None, typer.Option("--personal-id", help="12-digit personal ID")] = None,
    name: Annotated[str | None, typer.Option(help="a person's full name, any case, diacritics optional")] = None,
    doc_type: Annotated[str | None, typer.Option("--type", help="document type (CONTRACT §3)")] = None,
    number: Annotated[str | None, typer.Option(help="document, registration, certificate … number")] = None,
    batch: Annotated[str | None, typer.Option(help="batch id")] = None,
    date_from: Annotated[str | None, typer.Option("--date-from", help="a date field on or after YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--date-to", help="a date field on or before YYYY-MM-DD")] = None,
    agency: Agencies = None,
    limit: Annotated[int, typer.Option(help="results per page (at most 100)")] = 20,
    cursor: Annotated[str | None, typer.Option(help="the `next` of the previous page")] = None,
    format: Format = "table",
    actor: Actor = "",
) -> None:
    """Find documents; --format json prints what GET /api/documents answers."""
    catalog = reach_catalog(start())
    query = SearchQuery(text=text, personal_id=personal_id, name=name, doc_type=doc_type, number=number, batch=batch,
                        date_from=_date(date_from, "--date-from"), date_to=_date(date_to, "--date-to"))
    try:
        page = search(catalog, query, actor=actor or audit.current_user(), agencies=agency, cursor=cursor,
                      limit=limit)
    except BadCursor as exc:
        raise typer.BadParameter(str(exc), param_hint="--cursor") from None
    if format == "json":
        print(json.dumps(page.to_dict(), ensure_ascii=False, indent=1))
        return
    table = Table(_id_column("id", page.items), "v", "type", "agency", "name / subject", "personal id", "review")
    for item in page.items:
        fields = item["fields"]
        table.add_row(item["id"], str(item["version"]), item["doc_type"], item["agency"], _shown_name(item),
                      fields.get("personal_id", ""), "yes" if item["needs_review"] else "")
    out.print(table)
    if page.next:
        out.print(f"more: --cursor {page.next}")


def _id_column(title: str, items: list[dict]) -> Column:
    """Document ids whole, whatever the terminal's width: they are what `sohoa get` needs (other columns wrap)."""
    return Column(title, no_wrap=True, min_width=max((len(i["id"]) for i in items), default=len(title)))


def _shown_name(item: dict) -> str:
    """Who a document is about: a name or the subject, else (a register page) its entries' names."""
    seen = headline(item)
    count = len(item.get("records") or [])
    if count:
        return f"{count} {'entry' if count == 1 else 'entries'}: {', '.join(seen.names)}" + (
            " …" if seen.more_names else "")
    return (seen.names[0] if seen.names else "") or seen.subject or ""


def reuse_command(
    personal_id: Annotated[str, typer.Argument(help="12-digit personal ID")],
    agency: Agencies = None,
    format: Format = "table",
    actor: Actor = "",
) -> None:
    """Everything about one person: results with the ID, register entries and birth certificates naming them."""
    person = find_person(reach_catalog(start()), personal_id, actor=actor or audit.current_user(), agencies=agency)
    if format == "json":
        print(json.dumps(person.to_dict(), ensure_ascii=False, indent=1))
        return
    out.print(f"{person.personal_id}: {', '.join(person.names) or 'no document prints this ID'}"
              + (f" (born {', '.join(person.dates_of_birth)})" if person.dates_of_birth else ""))
    hits = [hit for group in (person.documents, person.register_entries, person.as_parent) for hit in group]
    table = Table("found as", "match", _id_column("document", [hit["document"] for hit in hits]), "type", "agency",
                  "entry")
    for hit in hits:
        doc = hit["document"]
        table.add_row(hit["role"], hit["match"], doc["id"], doc["doc_type"], doc["agency"], str(hit.get("entry") or ""))
    out.print(table)


def get_command(
    doc_id: Annotated[str, typer.Argument(help="document id")],
    output: Annotated[Path, typer.Option("--out", help="where to write the signed PDF")],
    version: Annotated[int | None, typer.Option(help="a version (default: the latest)")] = None,
    actor: Actor = "",
) -> None:
    """Write a stored signed PDF, checked against the SHA-256 the catalog recorded."""
    settings = start()
    if output.is_dir():
        raise UsageError(f"--out names a folder, not a file: {output}")
    if not output.parent.is_dir():
        raise UsageError(f"--out: no such folder: {output.parent}")
    try:
        doc = fetch_pdf(reach_catalog(settings), reach_store(settings), doc_id, output, version=version,
                        actor=actor or audit.current_user())
    except (DocumentNotFound, ObjectMissing, ObjectChanged) as exc:
        raise Failed(str(exc)) from None
    err.print(f"{doc.id} v{doc.version} -> {output}")


def fixity_command(
    everything: Annotated[bool, typer.Option("--all", help="every object, not only those unchecked for 30 days")]
    = False,
    actor: Actor = "",
) -> None:
    """Re-hash stored objects against the catalog, and compare the catalog's rows with each document's signed JSON;
    exit status 1 when any object is missing or changed, or indexed otherwise."""
    settings = start()
    report = check_fixity(reach_catalog(settings), reach_store(settings), actor=actor or audit.current_user(),
                          everything=everything)
    for key in report.missing:
        print(f"MISSING   {key}")
    for mismatch in report.mismatched:
        print(f"CHANGED   {mismatch.key} (sha256 {mismatch.actual}, recorded {mismatch.expected})")
    for forged in report.forged:
        print(f"CATALOG   {forged.key}: the catalog's {', '.join(forged.parts)} differ from it "
              "(`sohoa catalog rebuild` makes them again)")
    print(f"{report.checked} objects checked: {len(report.missing)} missing, {len(report.mismatched)} changed, "
          f"{len(report.forged)} indexed otherwise in the catalog")
    raise typer.Exit(0 if report.ok else 1)


def report_command(
    output: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
    agency: Agencies = None,
) -> None:
    """Digitization progress per agency, kind, register book and document type: documents, pages, signed,
    awaiting review, failed, and the review and failure rates."""
    if output not in ("table", "json", "csv"):
        raise typer.BadParameter(f"table, json or csv, not {output!r}", param_hint="--format")
    rows = progress(reach_catalog(start()), agency)
    if output == "json":
        print(json.dumps(progress_json(rows), ensure_ascii=False, indent=1))
        return
    total = totals(rows)
    columns = list(total.to_dict())
    if output == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=columns)
        writer.writeheader()
        writer.writerows(r.to_dict() for r in [*rows, total])
        return
    table = Table(*columns)
    for r in [*rows, total]:
        table.add_row(*(_cell(v) for v in r.to_dict().values()), end_section=r is rows[-1] if rows else False)
    out.print(table)


def _cell(value: object) -> str:
    return f"{value:.1%}" if isinstance(value, float) else str(value)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain and its anchors; exit status 1 naming every changed or removed event."""
    settings = start()
    catalog, store = reach_catalog(settings), reach_store(settings)
    with catalog.engine.connect() as connection:
        problems = audit.verify(connection, store)
    for problem in problems:
        print(f"BROKEN    {problem}")
    print("audit log intact" if not problems else f"audit log broken: {len(problems)} problem(s)")
    raise typer.Exit(1 if problems else 0)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the catalog's schema up to date (serve, worker, process and the other commands do so at start)."""
    print(f"the catalog's schema is at revision {reach_catalog(start()).revision}")


@catalog_app.command("rebuild")
def catalog_rebuild(actor: Actor = "") -> None:
    """Make the catalog again from the object store alone (the audit log is kept)."""
    settings = start()
    report = rebuild(reach_catalog(settings, drop_legacy=True), reach_store(settings),
                     actor=actor or audit.current_user())
    print(f"catalog rebuilt: {report.batches} batches, {report.documents} document versions, "
          f"{report.raw_objects} raw scans")


def _date(value: str | None, option: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise typer.BadParameter(f"not a date YYYY-MM-DD: {value!r}", param_hint=option) from None
