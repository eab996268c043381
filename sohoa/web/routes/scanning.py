"""Scanning teams: uploads by drag and drop, their batches and live progress, pages to scan again.

The upload page's script sends the scans to ``POST /api/batches`` (with a progress bar per file); without
JavaScript its form posts here, to the same intake (``take_upload``). The batch page shows the state at load time
and its script follows ``GET /api/batches/{id}`` while the batch is queued or running.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from sohoa.api.deps import ResourcesDep
from sohoa.api.routers.batches import read_manifest, take_upload
from sohoa.api.uploads import limited_form
from sohoa.web.i18n import N_
from sohoa.web.i18n import gettext as _
from sohoa.web.phrases import Phrasebook
from sohoa.web.session import PageError, person, visitor
from sohoa.web.templating import number, render
from storage.search import BadCursor
from storage.users import Caller
from workers.service import BatchNotFound, list_batch_entries, watch_batch

router = APIRouter(include_in_schema=False)
Scanner = Annotated[Caller, person("scanner")]
Watcher = Annotated[Caller, person("scanner", "archivist")]
PAGE_SIZE = 20
SCAN_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf")
MANIFEST_FIELDS = ("kind", "agency", "agency_name", "dossier_code", "procedure_code", "operator")
BOOK_FIELDS = ("type", "year", "volume")
REFUSALS = {  # why the server refused an upload, by HTTP status; 0: it did not answer
    401: N_("You are no longer signed in. Sign in again in another tab, then send the files."),
    400: N_("Some files were refused: a file is not a PNG, JPEG, TIFF or PDF scan, or two files have one name. "
            "Nothing was kept."),
    403: N_("You may not upload scans for this agency."),
    409: N_("These same files were uploaded a moment ago: see the list of batches."),
    411: N_("The browser did not say how large the upload is. Send it again."),
    413: N_("A file, or the whole upload, is over the size limit. Nothing was kept."),
    422: N_("The batch details are not valid, or no scan was chosen."),
    503: N_("The processing queue did not answer: nothing will be processed. Send the files again."),
    0: N_("The upload did not reach the server. Check the network connection and send again."),
}
REFUSED = N_("The upload was refused.")
# What the pipeline reports (English, CONTRACT §2) in people's words: a pattern, and the message its groups fill.
REASONS = Phrasebook((
    (r"resolution (?P<dpi>\d+) dpi is below (?P<minimum>\d+) dpi",
     N_("Resolution %(dpi)s dpi, below the minimum of %(minimum)s dpi")),
    (r"unreadable: recognition confidence (?P<confidence>\S+)",
     N_("Unreadable: recognition confidence %(confidence)s")),
    (r"text cut off at the (?P<sides>.+) edge", N_("Text cut off at the edge: %(sides)s")),
    (r"the file records no resolution: (?P<dpi>\d+) dpi assumed for an A4 page",
     N_("The file records no resolution: %(dpi)s dpi assumed for an A4 page")),
    (r"the separator sheet announced (?P<announced>\d+) pages, the document has (?P<pages>\d+)",
     N_("The separator sheet announced %(announced)s pages; the document has %(pages)s")),
    (r"every page is blank", N_("Every page is blank")),
    (r"only separator sheets, no document pages", N_("Only separator sheets, no document pages")),
    (r"same pages as (?P<other>.+)", N_("The same pages as %(other)s")),
    (r"duplicate of (?P<other>.+) \(identical bytes\)", N_("A copy of %(other)s (identical bytes)")),
    (r"the file is empty", N_("The file is empty")),
    (r"unsupported file type.*", N_("Not a PNG, JPEG, TIFF or PDF scan")),
    (r"the PDF is encrypted.*", N_("The PDF has a password: send it without one")),
    (r"the PDF is damaged.*", N_("The PDF is damaged and cannot be opened")),
    (r"the image cannot be read.*", N_("The image is damaged and cannot be read")),
    (r"page (?P<page>\d+) cannot be decoded.*", N_("Page %(page)s is damaged and cannot be read")),
    (r"page (?P<page>\d+) (?:is too large|of the PDF cannot be rendered).*",
     N_("Page %(page)s is too large or cannot be drawn")),
    (r"too many pages: (?P<pages>\d+), the limit is (?P<limit>\d+)",
     N_("Too many pages: %(pages)s, the limit is %(limit)s")),
    (r"file too large.*", N_("The file is over the size limit")),
    (r"the file cannot be read.*", N_("The file cannot be read")),
    (r"the PDF could not be made.*", N_("The signed PDF could not be made")),
    (r"the batch stopped: a file of this upload is missing from the object store.*",
     N_("The batch stopped: a file of this upload is missing from the store; upload the files again")),
    (r"the batch stopped: a file of this upload was changed in the object store.*",
     N_("The batch stopped: a file of this upload was changed in the store; upload the files again")),
    (r"the batch stopped: the (?:object store|catalog) did not answer.*",
     N_("The batch stopped: a service did not answer; the batch is tried again")),
    (r"the batch stopped.*", N_("The batch stopped before its end")),
    (r"the queue did not answer.*", N_("The processing queue did not answer: upload the files again")),
))
SIDES = {"top": N_("top"), "bottom": N_("bottom"), "left": N_("left"), "right": N_("right")}


def in_words(reason: str) -> str:
    """A reason the pipeline gave, in the page's language (as given when it is not one it knows)."""
    return REASONS.say(reason, _sides) or reason


def _sides(name: str, value: str) -> str:
    return ", ".join(_(SIDES.get(side, side)) for side in value.split(" and ")) if name == "sides" else value


@router.get("/tai-len", response_class=HTMLResponse)
def upload_page(request: Request, resources: ResourcesDep, caller: Scanner) -> Response:
    return _upload_page(request, resources.settings.agency, caller, {"operator": caller.name})


async def _upload_size(request: Request) -> None:
    """A signed-in scanner's upload over the size limit is refused before its body is read (anyone else's is not
    read at all: the page's own dependency sends them away first)."""
    caller = visitor(request).caller
    if caller is not None and caller.may("scanner"):
        try:
            # the form is kept for the endpoint
            await limited_form(request, request.app.state.settings.limits.max_upload_bytes)
        except HTTPException as exc:
            raise PageError(exc.status_code, _(REFUSALS.get(exc.status_code, REFUSED))) from None


@router.post("/tai-len", response_class=HTMLResponse)
async def upload_form(request: Request, resources: ResourcesDep, _sized: Annotated[None, Depends(_upload_size)],
                      caller: Scanner) -> Response:
    """The upload form without JavaScript: the same intake as ``POST /api/batches``, then the batch's page."""
    form = await request.form()
    values = manifest_values(form)
    try:
        manifest = await read_manifest(json.dumps(values, ensure_ascii=False))
        batch_id = await take_upload(request, resources, caller, form, manifest)
    except HTTPException as exc:
        refusal = {"message": _(REFUSALS.get(exc.status_code, REFUSED)), "detail": str(exc.detail)}
        return _upload_page(request, resources.settings.agency, caller, values, refusal, exc.status_code)
    finally:
        await form.close()
    return RedirectResponse(f"/lo-quet/{batch_id}", 303)


def manifest_values(form: FormData) -> dict[str, Any]:
    """The manifest (CONTRACT §6) the upload form's fields give: empty fields left out, the book only for a
    civil-registry book."""
    values: dict[str, Any] = {key: value for key in MANIFEST_FIELDS if (value := _text(form, key))}
    if values.get("kind") == "registry_book":
        book = {key: value for key in BOOK_FIELDS if (value := _text(form, f"book_{key}"))}
        if book:
            values["book"] = book
    return values


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def _upload_page(request: Request, default_agency: str, caller: Caller, values: Mapping[str, Any],
                 refusal: dict[str, str] | None = None, status: int = 200) -> Response:
    limits = request.app.state.settings.limits
    messages = {f"refused-{code}": _(message) for code, message in REFUSALS.items()}
    return render(request, "scanning/upload.html", {
        "values": values, "book": values.get("book", {}), "refusal": refusal,
        "agencies": sorted(caller.agencies) if caller.agencies is not None else None,
        "default_agency": default_agency, "extensions": ",".join(SCAN_EXTENSIONS), "limits": limits,
        "max_file": _size(limits.max_file_bytes), "max_upload": _size(limits.max_upload_bytes),
        "messages": messages}, status)


def _size(count: int) -> str:
    """A size in bytes as people read it (MB under a gigabyte, else GB)."""
    return f"{number(count / 1024**3, 1)} GB" if count >= 1024**3 else f"{number(count / 1024**2, 1)} MB"


@router.get("/lo-quet", response_class=HTMLResponse)
def batches_page(request: Request, resources: ResourcesDep, caller: Watcher, cursor: str | None = None) -> Response:
    try:
        items, next_cursor = list_batch_entries(resources.catalog(), caller.agencies, cursor, PAGE_SIZE)
    except BadCursor:
        raise PageError(400, _("This page of the list no longer exists. Start again from the first page.")) from None
    return render(request, "scanning/batches.html", {"batches": items, "next": next_cursor, "paged": bool(cursor)})


@router.get("/lo-quet/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, resources: ResourcesDep, caller: Watcher, batch_id: str) -> Response:
    try:
        batch, status = watch_batch(resources.catalog(), batch_id, caller.agencies)
    except BatchNotFound:
        raise PageError(404, _("There is no batch %(id)s, or it is another agency's.", id=batch_id)) from None
    return render(request, "scanning/batch.html", {
        "batch": batch, "status": status, "manifest": batch.manifest or {}, "in_words": in_words,
        "finished": status["status"] in ("done", "failed")})
