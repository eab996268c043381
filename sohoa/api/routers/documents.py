"""``/api/documents``: search, a document's JSON and its signed PDF, within the agencies the caller sees. A document
of another agency answers 404, as a missing one does; a stored object that is missing or changed answers 500 and
nothing of it is sent.

What the officer's pages show is here too: the one-box lookup (``/lookup``), a citizen's documents (``/reuse/{ID}``),
a document's versions, the check of its stored signature, its data extract (JSON or XLSX) and, for a register page,
the signed extract of the page an entry is on."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field

from signing.revisions import NotSigned
from sohoa.api.auth import ERRORS, require
from sohoa.api.deps import ResourcesDep
from sohoa.api.models import SearchAnswer, VerificationReport
from sohoa.settings import Settings
from storage.lookup import ReadAs, read_lookup
from storage.objects import ObjectChanged, ObjectMissing
from storage.retrieval import DocumentNotFound, read_pdf, read_record
from storage.reuse import find_person
from storage.search import MAX_LIMIT, BadCursor, SearchQuery, search
from storage.users import Caller
from workers.document_view import Trust, check_signature, version_history
from workers.extracts import DocumentExtract, data_extract, entry_extract, extract_xlsx
from workers.history import Version as DocumentVersion
from workers.previews import DEFAULT_DPI, MAX_DPI, MIN_DPI, document_page_png
from workers.record import DocumentRecord

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/documents", tags=["documents"])
Reader = Annotated[Caller, require("officer", "reviewer", "archivist")]
Officer = Annotated[Caller, require("officer")]
Version = Annotated[int | None, Query(ge=1, description="a version (default: the latest)")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such document (or version, page, entry), or one of an agency the caller does not see"}}
BAD_CURSOR: dict[int | str, dict[str, Any]] = {400: {"description": "a cursor this search did not give"}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("", responses={200: {"model": SearchAnswer}, **ERRORS, **BAD_CURSOR})
def search_documents(
    caller: Reader,
    resources: ResourcesDep,
    q: Annotated[str | None, Query(description="words from the text or fields, any case, diacritics optional")]
    = None,
    personal_id: Annotated[str | None, Query(description="12-digit personal ID")] = None,
    name: Annotated[str | None, Query(description="a person's full name, any case, diacritics optional")] = None,
    doc_type: Annotated[str | None, Query(description="document type (CONTRACT §3)")] = None,
    number: Annotated[str | None, Query(description="document, registration, certificate … number")] = None,
    agency: Annotated[str | None, Query(description="only this agency's documents")] = None,
    batch: Annotated[str | None, Query(description="batch id")] = None,
    date_from: Annotated[dt.date | None, Query(description="a date field on or after YYYY-MM-DD")] = None,
    date_to: Annotated[dt.date | None, Query(description="a date field on or before YYYY-MM-DD")] = None,
    needs_review: Annotated[bool | None, Query(description="true: the review queue, oldest first; false: only "
                                                           "documents nobody needs to look at")] = None,
    cursor: Annotated[str | None, Query(description="the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="results per page")] = 20,
) -> dict[str, Any]:
    """One page of matching documents (CONTRACT §2 JSON without page texts) and the cursor of the next, as
    ``sohoa search --format json`` prints them; the search is audited under the caller's name."""
    query = SearchQuery(text=q, personal_id=personal_id, name=name, doc_type=doc_type, number=number, agency=agency,
                        batch=batch, date_from=date_from, date_to=date_to, needs_review=needs_review,
                        oldest_first=bool(needs_review))
    try:
        page = search(resources.catalog(), query, actor=caller.name, agencies=caller.agencies, cursor=cursor,
                      limit=limit)
    except BadCursor as exc:
        raise HTTPException(400, str(exc)) from None
    return page.to_dict()


class LookupPage(BaseModel):
    """A page of what the one search box found, and how it read the query."""
    read_as: ReadAs | None = Field(description="personal_id, number or text; null without a query")
    value: str = Field(description="what was searched for")
    items: list[dict[str, Any]] = Field(description="CONTRACT §2 JSON without page texts, as GET /api/documents")
    next: str | None = Field(description="the cursor of the next page")


@router.get("/lookup", response_model=LookupPage, responses={**ERRORS, **BAD_CURSOR})
def lookup_documents(
    caller: Reader,
    resources: ResourcesDep,
    q: Annotated[str | None, Query(description="a 12-digit personal ID, a document/registration/dossier/result "
                                               "number, or words (names with or without diacritics)")] = None,
    read_as: Annotated[ReadAs | None, Query(description="overrule how the query is read")] = None,
    doc_type: Annotated[str | None, Query(description="document type (CONTRACT §3)")] = None,
    batch: Annotated[str | None, Query(description="batch id")] = None,
    date_from: Annotated[dt.date | None, Query(description="a date field on or after YYYY-MM-DD")] = None,
    date_to: Annotated[dt.date | None, Query(description="a date field on or before YYYY-MM-DD")] = None,
    needs_review: Annotated[bool | None, Query(description="whether a person must review it")] = None,
    cursor: Annotated[str | None, Query(description="the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="results per page")] = 20,
) -> LookupPage:
    """The officer's search box: the query read as a personal ID (12 digits), a number, or full text (which also
    finds names), then searched as ``GET /api/documents`` searches; audited under the caller's name."""
    found = read_lookup(q, read_as)
    query = found.query(doc_type=doc_type, batch=batch, date_from=date_from, date_to=date_to,
                        needs_review=needs_review)
    try:
        page = search(resources.catalog(), query, actor=caller.name, agencies=caller.agencies, cursor=cursor,
                      limit=limit)
    except BadCursor as exc:
        raise HTTPException(400, str(exc)) from None
    return LookupPage(read_as=found.read_as, value=found.value, items=page.items, next=page.next)


class Found(BaseModel):
    role: str = Field(description="subject, husband, wife (the ID's field), or father, mother (a name)")
    match: str = Field(description="personal_id (certain), name_and_date_of_birth, or name (for an officer to "
                                   "confirm)")
    document: dict[str, Any] = Field(description="CONTRACT §2 JSON without page texts")
    entry: int | None = Field(None, description="the register entry (from 1), for an entry")
    record: dict[str, Any] | None = Field(None, description="the register entry's data")


class PersonDocuments(BaseModel):
    """Everything the catalog holds about one person, from a personal ID (``sohoa reuse --format json``)."""
    personal_id: str
    names: list[str]
    dates_of_birth: list[str]
    documents: list[Found] = Field(description="documents printing the ID")
    register_entries: list[Found] = Field(description="register entries naming the person")
    as_parent: list[Found] = Field(description="birth certificates and entries naming the person as a parent")


@router.get("/reuse/{personal_id}", response_model=PersonDocuments, responses=ERRORS)
def person_documents(caller: Reader, resources: ResourcesDep,
                     personal_id: Annotated[str, Path(pattern=r"^\d{12}$", description="12-digit personal ID")],
                     ) -> PersonDocuments:
    """A citizen's documents, so that nobody hands in the same paper twice; audited as a search."""
    person = find_person(resources.catalog(), personal_id, actor=caller.name, agencies=caller.agencies)
    return PersonDocuments.model_validate(person.to_dict())


@router.get("/{doc_id}", responses={200: {"model": DocumentRecord}, **ERRORS, **NOT_FOUND})
def get_document(doc_id: str, caller: Reader, resources: ResourcesDep, version: Version = None) -> dict[str, Any]:
    """The document's CONTRACT §2 JSON with page texts, as stored; a "view" audit event."""
    with _stored(doc_id):
        return read_record(resources.catalog(), resources.object_store(), doc_id, actor=caller.name,
                           version=version, agencies=caller.agencies)


@router.get("/{doc_id}/pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}, **ERRORS, **NOT_FOUND})
def get_pdf(doc_id: str, caller: Officer, resources: ResourcesDep, version: Version = None) -> Response:
    """The signed PDF, checked against the SHA-256 the catalog recorded; a "download" audit event."""
    with _stored(doc_id):
        doc, data = read_pdf(resources.catalog(), resources.object_store(), doc_id, actor=caller.name,
                             version=version, agencies=caller.agencies)
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{doc.id}-v{doc.version}.pdf"'})


@router.get("/{doc_id}/pages/{index}.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, 304: {"description": "not changed since"}, **ERRORS,
                       **NOT_FOUND})
def get_page_image(doc_id: str, index: int, caller: Reader, resources: ResourcesDep, request: Request,
                   version: Version = None,
                   dpi: Annotated[int, Query(ge=MIN_DPI, le=MAX_DPI, description="resolution")] = DEFAULT_DPI,
                   ) -> Response:
    """Page ``index`` (numbered as the document's JSON numbers its pages, from 1) as its signed PDF shows it; a blank
    page is not kept (404). Rendered once and cached; a "view" audit event."""
    with _stored(doc_id):
        picture = document_page_png(resources.catalog(), resources.object_store(),
                                    resources.settings.data_dir / "cache" / "pages", doc_id, index,
                                    actor=caller.name, version=version, agencies=caller.agencies, dpi=dpi)
    headers = {"ETag": picture.etag, "Cache-Control": "private, max-age=300"}
    if request.headers.get("if-none-match") == picture.etag:
        return Response(status_code=304, headers=headers)
    return Response(picture.png, media_type="image/png", headers=headers)


class VersionHistory(BaseModel):
    id: str
    versions: list[DocumentVersion] = Field(description="oldest first")


@router.get("/{doc_id}/versions", response_model=VersionHistory, responses={**ERRORS, **NOT_FOUND})
def get_versions(doc_id: str, caller: Reader, resources: ResourcesDep) -> VersionHistory:
    """Every version of the document: when and by whom it was signed, and the correction that made it (who, when,
    what changed, why); a "view" audit event."""
    with _stored(doc_id):
        versions = version_history(resources.catalog(), doc_id, actor=caller.name, agencies=caller.agencies)
    return VersionHistory(id=doc_id, versions=versions)


@router.get("/{doc_id}/signature", response_model=VerificationReport, responses={**ERRORS, **NOT_FOUND})
def get_signature(doc_id: str, caller: Reader, resources: ResourcesDep, version: Version = None) -> dict[str, Any]:
    """The stored signed PDF checked with the service's trust roots and CRLs, as POST /api/verify checks an upload;
    a "view" audit event."""
    with _stored(doc_id):
        return check_signature(resources.catalog(), resources.object_store(), doc_id, trust(resources.settings),
                               actor=caller.name, version=version, agencies=caller.agencies).to_dict()


@router.get("/{doc_id}/extract", response_model=DocumentExtract,
            responses={200: {"content": {XLSX: {}}}, **ERRORS, **NOT_FOUND})
def get_extract(doc_id: str, caller: Reader, resources: ResourcesDep, version: Version = None,
                format: Annotated[Literal["json", "xlsx"], Query(description="json, or a one-sheet xlsx")] = "json",
                ) -> DocumentExtract | Response:
    """The document's data — id and version, type, codes, fields, register entries, signature, SHA-256 of the
    signed PDF, review state, retention — as JSON or a one-sheet XLSX (facts and fields as name/value rows, then the
    entries as a table); a "view" audit event."""
    with _stored(doc_id):
        extract = data_extract(resources.catalog(), resources.object_store(), doc_id, actor=caller.name,
                               version=version, agencies=caller.agencies)
    if format == "json":
        return extract
    return Response(extract_xlsx(extract), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{extract.id}-v{extract.version}.xlsx"'})


@router.get("/{doc_id}/entries/{entry}/pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}, **ERRORS, **NOT_FOUND})
def get_entry_extract(doc_id: str, caller: Officer, resources: ResourcesDep,
                      entry: Annotated[int, Path(ge=1, description="the register entry, from 1")],
                      version: Version = None) -> Response:
    """The signed extract of the register page entry ``entry`` is on: the stored signed document when it is that one
    page, else that page cut from it and signed now as a registry book; a "download" audit event."""
    with _stored(doc_id):
        extract = entry_extract(resources.catalog(), resources.object_store(), doc_id, entry,
                                resources.settings.signer_config(), actor=caller.name, version=version,
                                agencies=caller.agencies)
    return Response(extract.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{extract.filename}"'})


def trust(settings: Settings) -> Trust:
    """The service's trust roots and CRLs, as POST /api/verify uses them."""
    return Trust(settings.trusted_roots(), settings.verify_crls())


@contextmanager
def _stored(doc_id: str) -> Iterator[None]:
    """Retrieval errors as HTTP answers: 404 for a document the caller may not see, 500 for a damaged store."""
    try:
        yield
    except DocumentNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except (ObjectMissing, ObjectChanged, NotSigned) as exc:
        problem = f"{exc} is missing" if isinstance(exc, ObjectMissing) else str(exc)
        log.error("document %s could not be served: %s", doc_id, problem)
        raise HTTPException(500, f"document {doc_id} could not be served: {problem}; an archivist should run "
                                 "`sohoa fixity`") from None
