"""``/api/documents``: search, a document's JSON and its signed PDF, within the agencies the caller sees. A document
of another agency answers 404, as a missing one does; a stored object that is missing or changed answers 500 and
nothing of it is sent."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response

from sohoa.api.auth import require
from sohoa.api.deps import ResourcesDep
from storage.objects import ObjectChanged, ObjectMissing
from storage.retrieval import DocumentNotFound, read_pdf, read_record
from storage.search import MAX_LIMIT, BadCursor, SearchQuery, search
from storage.users import Caller
from workers.previews import DEFAULT_DPI, MAX_DPI, MIN_DPI, document_page_png

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/documents", tags=["documents"])
Reader = Annotated[Caller, require("officer", "reviewer", "archivist")]
Officer = Annotated[Caller, require("officer")]
Version = Annotated[int | None, Query(ge=1, description="a version (default: the latest)")]


@router.get("")
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
    cursor: Annotated[str | None, Query(description="the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="results per page")] = 20,
) -> dict[str, Any]:
    """One page of matching documents (CONTRACT §2 JSON without page texts) and the cursor of the next, as
    ``sohoa search --format json`` prints them; the search is audited under the caller's name."""
    query = SearchQuery(text=q, personal_id=personal_id, name=name, doc_type=doc_type, number=number, agency=agency,
                        batch=batch, date_from=date_from, date_to=date_to)
    try:
        page = search(resources.catalog(), query, actor=caller.name, agencies=caller.agencies, cursor=cursor,
                      limit=limit)
    except BadCursor as exc:
        raise HTTPException(400, str(exc)) from None
    return page.to_dict()


@router.get("/{doc_id}")
def get_document(doc_id: str, caller: Reader, resources: ResourcesDep, version: Version = None) -> dict[str, Any]:
    """The document's CONTRACT §2 JSON with page texts, as stored; a "view" audit event."""
    with _stored(doc_id):
        return read_record(resources.catalog(), resources.object_store(), doc_id, actor=caller.name,
                           version=version, agencies=caller.agencies)


@router.get("/{doc_id}/pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def get_pdf(doc_id: str, caller: Officer, resources: ResourcesDep, version: Version = None) -> Response:
    """The signed PDF, checked against the SHA-256 the catalog recorded; a "download" audit event."""
    with _stored(doc_id):
        doc, data = read_pdf(resources.catalog(), resources.object_store(), doc_id, actor=caller.name,
                             version=version, agencies=caller.agencies)
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{doc.id}-v{doc.version}.pdf"'})


@router.get("/{doc_id}/pages/{index}.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, 304: {"description": "not changed since"}})
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


@contextmanager
def _stored(doc_id: str) -> Iterator[None]:
    """Retrieval errors as HTTP answers: 404 for a document the caller may not see, 500 for a damaged store."""
    try:
        yield
    except DocumentNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except (ObjectMissing, ObjectChanged) as exc:
        problem = f"{exc} is missing" if isinstance(exc, ObjectMissing) else str(exc)
        log.error("document %s could not be served: %s", doc_id, problem)
        raise HTTPException(500, f"document {doc_id} could not be served: {problem}; an archivist should run "
                                 "`sohoa fixity`") from None
