"""Reviewers: the review queue, a document's doubtful fields on its page image, register pages keyed in as a grid.

The queue (``/duyet``) is the catalog's ``needs_review`` search, oldest first, within the reviewer's agencies. A
document's page (``/duyet/{id}``) shows its page images with the boxes its fields were read from, beside a form of
every field of its type; a register page's entries are keyed in as a grid (``/duyet/{id}/so``). The pages' script
posts to ``POST /api/documents/{id}/corrections``; without JavaScript the forms post here, and the correction goes
through that same API call (``corrections.correct``), so both paths store, sign and audit alike. A saved correction
shows the page again with its new version and a link to the next document of the queue.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from ocr.doctypes import DOC_TYPES, FIELDS, RECORD_FIELDS
from ocr.understand import ENTRY_PAGE
from sohoa.api.deps import Resources, ResourcesDep
from sohoa.api.routers.corrections import CorrectionRequest, correct
from sohoa.web.i18n import N_
from sohoa.web.i18n import gettext as _
from sohoa.web.phrases import Phrasebook
from sohoa.web.session import PageError, person
from sohoa.web.templating import render
from sohoa.web.words import DOC_TYPE_NAMES, FIELD_NAMES
from storage.agencies import known_agencies
from storage.objects import ObjectChanged, ObjectMissing
from storage.retrieval import DocumentNotFound, read_record
from storage.search import BadCursor, SearchQuery, search
from storage.users import Caller
from workers.history import Version, document_versions
from workers.record import BoxRecord, DocumentRecord

router = APIRouter(include_in_schema=False)
Reviewer = Annotated[Caller, person("reviewer")]
PAGE_SIZE = 20
SHORT_REASONS = 2  # reasons a queue line shows; the rest are counted
SPARE_ROWS = 3  # empty rows at the end of a grid: room for new entries without JavaScript
FIELD_PREFIX = "value."  # the review form's inputs: value.full_name …
ROW_INPUT = re.compile(r"r(\d+)\.(\w+)")  # the grid's inputs: r3.full_name, r3.page
ENTRY_TARGET = re.compile(r"records\.(\d+)\.(\w+)")  # a doubt about an entry's field
ENTRY_PREFIX = re.compile(r"^entry \d+ \([^)]*\): ")  # how a reason about an entry begins (its label says it)

# What ocr/validate.py and ocr/understand.py say about a document (English) in people's words: a pattern and the
# message its groups fill. Groups named field, type, date or problem are shown as a field's name, a type's name, a
# date the language's way, or a reason in words.
REASONS = Phrasebook((
    (r"personal ID (?P<id>\S+) is not 12 digits", N_("Personal ID %(id)s is not 12 digits")),
    (r"personal ID (?P<id>\d+) starts with (?P<code>\d+), which is no province's code",
     N_("Personal ID %(id)s starts with %(code)s, which is no province's code")),
    (r"personal ID (?P<id>\d+) is a (?P<gender>\S+) person's \(digit 4 is (?P<digit>\d)\) but the gender is "
     r"(?P<stated>.+)", N_("Personal ID %(id)s is a %(gender)s person's (its 4th digit is %(digit)s), but the sex "
                           "given is %(stated)s")),
    (r"personal ID (?P<id>\d+) says born in (?P<year>\d+) but the date of birth is (?P<date>\S+)",
     N_("Personal ID %(id)s says born in %(year)s, but the date of birth is %(date)s")),
    (r"(?P<field>\w+) (?P<date>\S+) is in the future", N_("%(field)s %(date)s is in the future")),
    (r"expiry_date (?P<date>\S+) is before issue_date (?P<issued>\S+)",
     N_("The expiry date %(date)s is before the date of issue %(issued)s")),
    (r"(?P<field>\w+) (?P<date>\S+) is before the date of birth (?P<born>\S+)",
     N_("%(field)s %(date)s is before the date of birth %(born)s")),
    (r"entry (?P<n>\d+) \((?P<number>[^)]*)\): (?P<problem>.+)", N_("Entry %(n)s (number %(number)s): %(problem)s")),
    (r"entry (?P<n>\d+): no registration number read", N_("Entry %(n)s: no registration number was read")),
    (r"(?P<field>\w+): read with low confidence \((?P<confidence>[^)]+)\): (?P<value>.+)",
     N_("%(field)s was read with low confidence (%(confidence)s): %(value)s")),
    (r"required field not found: (?P<field>\w+)", N_("Required field not found: %(field)s")),
    (r"uncertain document type \((?P<type>\w+), confidence (?P<confidence>[^)]+)\)",
     N_("The document type is uncertain (%(type)s, confidence %(confidence)s)")),
    (r"no register entries could be read from the table",
     N_("No entry could be read from the register's table: key them in")),
    (r"(?P<field>\w+): printed as (?P<digits>.+) in digits but (?P<words>.+) in words",
     N_("%(field)s is printed as %(digits)s in digits but %(words)s in words")),
    (r"page (?P<page>\d+): low recognition confidence \((?P<confidence>[^)]+)\)",
     N_("Page %(page)s: low recognition confidence (%(confidence)s)")),
    (r"separator sheet: (?P<problem>.+)", N_("Separator sheet: %(problem)s")),
))
STALE = N_("A confirmed value is no longer in doubt: reload the page.")
CONFLICT = N_("Someone saved a new version of this document a moment ago. Reload the page and make the change "
              "again.")
# What a value must look like, by kind: the browser checks it as typed, and these are its words for a wrong one.
CHECKS = {"date": N_("Write a date as DD/MM/YYYY, for example 15/03/1990."),
          "id": N_("A personal ID is 12 digits."), "gender": N_("Write Nam or Nữ."),
          "phone": N_("A phone number is digits only."), "area": N_("Write an area in square metres, e.g. 1801.4.")}
# Why the server refused a correction (ocr.corrections.BadCorrection, English): a pattern naming its target, and the
# kind of value the target needs (its message above), or a message of its own.
REFUSALS = [(re.compile(pattern), kind) for pattern, kind in (
    (r"(?P<target>[\w.]+): .* is not a date\b.*", "date"), (r"(?P<target>[\w.]+): .* is not 12 digits", "id"),
    (r"(?P<target>[\w.]+): .* is neither Nam nor Nữ", "gender"),
    (r"(?P<target>[\w.]+): .* is not a phone number", "phone"),
    (r"(?P<target>[\w.]+): .* is not an area in square metres", "area"),
)]
REFUSED = [(re.compile(pattern), message) for pattern, message in (
    (r"the corrections change nothing", N_("Nothing to save: change a value, or confirm one in doubt.")),
    (r"(?P<target>[\w.]+): nothing to confirm, it is not in doubt", STALE),
    (r"another correction of .* was stored first.*",
     CONFLICT),
)]
MESSAGES = {  # what the script says; the page hands them over
    "nothing": N_("Nothing to save: change a value, or confirm one in doubt."),
    "invalid": N_("Some values are not right: see the messages next to them."),
    "saving": N_("Saving and signing…"), "refused": N_("Not saved:"),
    "offline": N_("The server did not answer. Check the connection and save again."),
    "conflict": CONFLICT, "stale": STALE,
    "cell": N_("Row %(n)s, %(field)s"), "current": N_("Current row: %(n)s"), "up": N_("Move row %(n)s up"),
    "down": N_("Move row %(n)s down"), "delete": N_("Delete row %(n)s"), "deleted": N_("Row deleted."),
    "added": N_("Row added."), "moved": N_("Row moved to place %(n)s."),
}
EDITED_MARK = N_("The value was changed: the new value is checked again when saved.")


# ---- words ----------------------------------------------------------------------------------------------------

def reason_words(reason: str) -> str:
    """A review reason in the page's language (as given when it is not one this page knows)."""
    return REASONS.say(reason, _group_words) or reason


def _group_words(name: str, value: str) -> str:
    if name == "field":
        return _(FIELD_NAMES.get(value, value))
    if name == "type":
        return _(DOC_TYPE_NAMES.get(value, value))
    if name in ("date", "born", "issued"):
        return shown_value("date", value)
    if name == "problem":
        return reason_words(value)
    return value


def target_label(target: str) -> str:
    """What a doubt or a change is about, in words: a field, an entry's field, the entries, the type, a page."""
    if target == "doc_type":
        return _("Document type")
    if target == "records":
        return _("The register page's entries")
    if match := ENTRY_TARGET.fullmatch(target):
        return _("Row %(n)s, %(field)s", n=match[1], field=_(FIELD_NAMES.get(match[2], match[2])))
    if match := re.fullmatch(r"records\.(\d+)", target):
        return _("Row %(n)s", n=match[1])
    if match := re.fullmatch(r"pages\.(\d+)", target):
        return _("Page %(n)s", n=match[1])
    return _(FIELD_NAMES.get(target, target)) if target else _("The document")


def value_kind(name: str) -> str:
    """How the browser checks a field's value (the server checks it again: ocr.corrections.typed_value)."""
    if name.endswith("date") or name.startswith("date_of") or name.endswith("date_of_birth"):
        return "date"
    if name.endswith("personal_id"):
        return "id"
    return name if name in ("gender", "phone") else "area" if name == "area_m2" else "text"


def shown_value(name: str, value: Any) -> str:
    """A stored value as the form shows it: dates as DD/MM/YYYY, the way people here write them."""
    text = "" if value is None else str(value)
    if value_kind(name) == "date":
        try:
            return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
        except ValueError:
            return text
    return text


def value_words(target: str, value: str | None) -> str:
    """A value in a version's history: a type's name, a date as the form shows it."""
    if value is None:
        return ""
    if target == "doc_type":
        return _(DOC_TYPE_NAMES.get(value, value))
    return shown_value(target.rsplit(".", 1)[-1], value)


# ---- what the pages show --------------------------------------------------------------------------------------

@dataclass
class QueueLine:
    id: str
    doc_type: str
    agency: str
    version: int
    signed_at: str
    reasons: list[str]
    more: int  # reasons not shown
    href: str


@dataclass
class Box:
    """A field's box on a page image, in percentages of the image (so that it scales with it)."""
    name: str
    label: str
    left: float
    top: float
    width: float
    height: float
    doubt: bool


@dataclass
class PageImage:
    index: int
    src: str
    boxes: list[Box]


@dataclass
class FormField:
    name: str
    label: str
    value: str  # as the form shows it (what was typed, after a refusal)
    original: str  # the stored value, as the form shows it
    kind: str
    reasons: list[str]  # in words; a field with reasons is in doubt and may be confirmed
    has_box: bool
    confirmed: bool = False  # ticked (after a refusal)
    error: str | None = None


@dataclass
class Doubt:
    target: str
    label: str
    reason: str
    confirmable: bool
    confirmed: bool = False


@dataclass
class HistoryLine:
    version: int
    latest: bool
    signed_at: str
    signer: str
    by: str | None  # None: made by the pipeline
    at: str | None
    note: str | None
    changes: list[tuple[str, str, str]]  # what, old, new (in words)
    confirmed: list[str]


@dataclass
class Refusal:
    """Why the server did not store a correction: a message for the page, and the target it is about (if one)."""
    message: str
    target: str | None = None

    @property
    def label(self) -> str:
        return target_label(self.target) if self.target else ""


@dataclass
class Form:
    """What a reviewer sent (to show it again when the server refuses it)."""
    values: dict[str, str] = field(default_factory=dict)
    confirm: list[str] = field(default_factory=list)
    note: str = ""
    doc_type: str | None = None
    rows: list[dict[str, Any]] | None = None


def queue_line(item: dict[str, Any], agency: str | None) -> QueueLine:
    reasons = [d["reason"] for d in item.get("doubts") or []] or list(item.get("review_reasons") or [])
    words = [reason_words(r) for r in reasons]
    return QueueLine(item["id"], item["doc_type"], item["agency"], item["version"], item["signature"]["signed_at"],
                     words[:SHORT_REASONS], max(0, len(words) - SHORT_REASONS),
                     review_href(item["id"], item["doc_type"], agency))


def review_href(doc_id: str, doc_type: str, agency: str | None) -> str:
    """Where a document is reviewed (a register page: in its grid), keeping the queue's agency."""
    path = f"/duyet/{doc_id}" + ("/so" if doc_type in RECORD_FIELDS else "")
    return path + (f"?{urlencode({'agency': agency})}" if agency else "")


def doubts_by_target(record: DocumentRecord) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for doubt in record.doubts:
        found.setdefault(doubt.target, []).append(reason_words(doubt.reason))
    return found


def form_fields(record: DocumentRecord, sent: Form | None = None, refusal: Refusal | None = None) -> list[FormField]:
    """Every field of the document's type, empty ones too (and any other it holds), with its doubts."""
    doubts = doubts_by_target(record)
    names = [*FIELDS.get(record.doc_type, []), *(n for n in record.fields if n not in FIELDS.get(record.doc_type, []))]
    shown = []
    for name in names:
        original = shown_value(name, record.fields.get(name))
        shown.append(FormField(
            name, _(FIELD_NAMES.get(name, name)), sent.values.get(name, original) if sent else original, original,
            value_kind(name), doubts.get(name, []), name in record.boxes,
            confirmed=bool(sent and name in sent.confirm),
            error=refusal.message if refusal and refusal.target == name else None))
    return shown


def other_doubts(record: DocumentRecord, shown: Iterable[str], sent: Form | None = None) -> list[Doubt]:
    """Doubts about what is not a field of the form: the type, pages, the entries, a dossier code."""
    listed = []
    for doubt in record.doubts:
        if doubt.target in shown:
            continue
        reason = ENTRY_PREFIX.sub("", doubt.reason) if ENTRY_TARGET.fullmatch(doubt.target) else doubt.reason
        listed.append(Doubt(doubt.target, target_label(doubt.target), reason_words(reason),
                            confirmable=bool(doubt.target), confirmed=bool(sent and doubt.target in sent.confirm)))
    return listed


def page_images(record: DocumentRecord, version: int | None) -> list[PageImage]:
    """The document's pages that have a picture (blank pages are not kept), each with its fields' boxes."""
    doubted = {d.target for d in record.doubts}
    query = f"?version={version}" if version else ""
    images = []
    for page in record.pages:
        if page.blank:
            continue
        boxes = [_box(name, box, name in doubted) for name, box in record.boxes.items() if box.page == page.index]
        images.append(PageImage(page.index, f"/api/documents/{record.id}/pages/{page.index}.png{query}", boxes))
    return images


def _box(name: str, box: BoxRecord, doubt: bool) -> Box:
    left, top, right, bottom = box.box
    return Box(name, _(FIELD_NAMES.get(name, name)), round(left * 100, 3), round(top * 100, 3),
               round((right - left) * 100, 3), round((bottom - top) * 100, 3), doubt)


def history_lines(versions: list[Version]) -> list[HistoryLine]:
    """Every version, newest first, with what its correction changed and confirmed."""
    lines = []
    for v in reversed(versions):
        made = v.correction
        changes = [(target_label(c.target), value_words(c.target, c.old), value_words(c.target, c.new))
                   for c in made.changes] if made else []
        lines.append(HistoryLine(v.version, v.latest, v.signed_at, v.signer, made.by if made else None,
                                 made.at if made else None, made.note if made else None, changes,
                                 [target_label(t) for t in made.confirmed] if made else []))
    return lines


def grid_rows(record: DocumentRecord, sent: Form | None = None) -> list[dict[str, Any]]:
    """The register page's entries as the grid shows them (dates as DD/MM/YYYY), then empty rows to fill in."""
    first_page = next((p.index for p in record.pages if not p.blank), 1)
    rows = sent.rows if sent and sent.rows is not None else [
        {**{name: shown_value(name, entry.get(name)) for name in RECORD_FIELDS[record.doc_type]},
         ENTRY_PAGE: entry.get(ENTRY_PAGE, first_page)} for entry in record.records]
    return rows + [{ENTRY_PAGE: first_page, "spare": True} for _ in range(SPARE_ROWS)]


# ---- reading and saving ---------------------------------------------------------------------------------------

def load_document(resources: Resources, caller: Caller, doc_id: str,
                  version: int | None = None) -> tuple[DocumentRecord, list[Version]]:
    """A version of a document the reviewer may see (a "view" audit event) and every version's history."""
    catalog = resources.catalog()
    try:
        record = read_record(catalog, resources.object_store(), doc_id, actor=caller.name, version=version,
                             agencies=caller.agencies)
        return DocumentRecord.model_validate(record), document_versions(catalog, doc_id, caller.agencies)
    except DocumentNotFound:
        message = (_("Document %(id)s has no version %(n)s.", id=doc_id, n=version) if version else
                   _("There is no document %(id)s, or it is another agency's.", id=doc_id))
        raise PageError(404, message) from None
    except (ObjectMissing, ObjectChanged):
        raise PageError(500, _("The stored document could not be read. Tell an archivist: a fixity check is "
                               "needed.")) from None


async def submit(resources: Resources, caller: Caller, doc_id: str, body: dict[str, Any]) -> int | Refusal:
    """The correction stored through the API's own call (same checks, signing and audit); the new version, or why
    the server refused it."""
    try:
        request = CorrectionRequest.model_validate(body)
    except ValidationError:  # only the note can be wrong: the forms give the rest
        return Refusal(_("A note may have at most 2000 characters."))
    try:
        answer = await run_in_threadpool(correct, doc_id, request, caller, resources)
    except HTTPException as exc:
        if exc.status_code == 404:
            raise PageError(404, _("There is no document %(id)s, or it is another agency's.", id=doc_id)) from None
        return refusal_words(str(exc.detail))
    return int(json.loads(bytes(answer.body))["version"])


def refusal_words(detail: str) -> Refusal:
    """The server's refusal in people's words, and the field it is about."""
    for pattern, kind in REFUSALS:
        if found := pattern.fullmatch(detail):
            return Refusal(_(CHECKS[kind]), found["target"])
    for pattern, message in REFUSED:
        if pattern.fullmatch(detail):
            return Refusal(_(message))
    return Refusal(_("The server refused the correction: %(detail)s", detail=detail))


def next_document(resources: Resources, caller: Caller, agency: str | None, after: str) -> str | None:
    """Where the reviewer goes next: the oldest document of the queue other than this one."""
    page = search(resources.catalog(), SearchQuery(agency=agency or None, needs_review=True, oldest_first=True),
                  actor=caller.name, agencies=caller.agencies, limit=2)
    return next((review_href(i["id"], i["doc_type"], agency) for i in page.items if i["id"] != after), None)


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def _version(form: FormData) -> int | None:
    text = _text(form, "version")
    return int(text) if text.isdigit() else None


def review_form(form: FormData, names: Iterable[str]) -> Form:
    return Form(values={name: _text(form, FIELD_PREFIX + name) for name in names},
                confirm=[t for t in form.getlist("confirm") if isinstance(t, str)], note=_text(form, "note"),
                doc_type=_text(form, "doc_type") or None)


def correction_body(record: DocumentRecord, fields: list[FormField], sent: Form) -> dict[str, Any]:
    """What the API is sent: only the values changed (the type last: a field of the old type is set first), and the
    confirmations of values not changed."""
    changed = {f.name: sent.values[f.name] for f in fields if sent.values.get(f.name, f.original) != f.original}
    if sent.doc_type and sent.doc_type != record.doc_type:
        changed["doc_type"] = sent.doc_type
    return {"set": changed, "confirm": [t for t in sent.confirm if t not in changed], "note": sent.note or None}


def grid_form(form: FormData) -> Form:
    """The grid's rows, in order, as typed; a row's page as a number."""
    rows: dict[int, dict[str, Any]] = {}
    for key in form:
        if match := ROW_INPUT.fullmatch(key):
            value: str | int = _text(form, key)
            if match[2] == ENTRY_PAGE and isinstance(value, str) and value.isdigit():
                value = int(value)
            rows.setdefault(int(match[1]), {})[match[2]] = value
    return Form(confirm=[t for t in form.getlist("confirm") if isinstance(t, str)], note=_text(form, "note"),
                rows=[rows[n] for n in sorted(rows)])


def entries_of(rows: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    """The entries the grid's rows give: rows with nothing typed are left out."""
    entries = []
    for row in rows:
        entry: dict[str, Any] = {name: row[name] for name in names if row.get(name)}
        if entry:
            page = row.get(ENTRY_PAGE)
            entries.append({**entry, **({ENTRY_PAGE: page} if isinstance(page, int) else {})})
    return entries


# ---- the pages ------------------------------------------------------------------------------------------------

@router.get("/duyet", response_class=HTMLResponse)
def queue_page(request: Request, resources: ResourcesDep, caller: Reviewer, agency: str | None = None,
               cursor: str | None = None) -> Response:
    """The documents that need a person, oldest first, in the reviewer's agencies (or one of them)."""
    agency = agency or None
    try:
        page = search(resources.catalog(), SearchQuery(agency=agency, needs_review=True, oldest_first=True),
                      actor=caller.name, agencies=caller.agencies, cursor=cursor, limit=PAGE_SIZE)
    except BadCursor:
        raise PageError(400, _("This page of the queue no longer exists. Start again from the first page.")) \
            from None
    return render(request, "review/queue.html", {
        "lines": [queue_line(item, agency) for item in page.items], "next": page.next, "paged": bool(cursor),
        "agency": agency, "agency_options": agency_options(resources, caller)})


def agency_options(resources: Resources, caller: Caller) -> list[tuple[str, str]]:
    """The agencies the reviewer may filter the queue by: its own (all known ones when it sees every agency)."""
    return [(a.code, f"{a.code} – {a.name}" if a.name else a.code)
            for a in known_agencies(resources.catalog(), caller.agencies)]


@router.get("/duyet/{doc_id}", response_class=HTMLResponse)
def review_page(request: Request, resources: ResourcesDep, caller: Reviewer, doc_id: str,
                version: Annotated[int | None, Query(ge=1)] = None, agency: str | None = None,
                saved: int | None = None) -> Response:
    """A document's fields beside its pages (an older version: read only)."""
    record, versions = load_document(resources, caller, doc_id, version)
    return _review(request, resources, caller, record, versions, agency or None, saved=saved)


@router.post("/duyet/{doc_id}", response_class=HTMLResponse)
async def review_form_sent(request: Request, resources: ResourcesDep, caller: Reviewer, doc_id: str,
                           agency: str | None = None) -> Response:
    """The review form without JavaScript: the same correction as the page's script sends the API."""
    form = await request.form()
    record, versions = load_document(resources, caller, doc_id)
    fields = form_fields(record)
    sent = review_form(form, (f.name for f in fields))
    if _version(form) != record.version:
        return _review(request, resources, caller, record, versions, agency, sent=sent, status=409, refusal=Refusal(
            _(CONFLICT)))
    outcome = await submit(resources, caller, doc_id, correction_body(record, fields, sent))
    if isinstance(outcome, Refusal):
        return _review(request, resources, caller, record, versions, agency, sent=sent, refusal=outcome, status=422)
    return RedirectResponse(f"/duyet/{doc_id}?" + urlencode({"saved": outcome, **({"agency": agency} if agency
                                                                                   else {})}), 303)


@router.get("/duyet/{doc_id}/so", response_class=HTMLResponse)
def grid_page(request: Request, resources: ResourcesDep, caller: Reviewer, doc_id: str, agency: str | None = None,
              saved: int | None = None) -> Response:
    """A register page's entries keyed in as a grid beside the page."""
    record, versions = load_document(resources, caller, doc_id)
    if record.doc_type not in RECORD_FIELDS:
        return RedirectResponse(review_href(doc_id, record.doc_type, agency), 303)
    return _grid(request, resources, caller, record, versions, agency or None, saved=saved)


@router.post("/duyet/{doc_id}/so", response_class=HTMLResponse)
async def grid_form_sent(request: Request, resources: ResourcesDep, caller: Reviewer, doc_id: str,
                         agency: str | None = None) -> Response:
    """The grid without JavaScript: its rows are the page's entries, stored as the API stores keyed-in entries."""
    form = await request.form()
    record, versions = load_document(resources, caller, doc_id)
    if record.doc_type not in RECORD_FIELDS:
        raise PageError(404, _("Document %(id)s is not a register page.", id=doc_id))
    names = RECORD_FIELDS[record.doc_type]
    sent = grid_form(form)
    sent.rows = [row for row in sent.rows or [] if any(row.get(name) for name in names)]  # entry n is row n
    if _version(form) != record.version:
        return _grid(request, resources, caller, record, versions, agency, sent=sent, status=409, refusal=Refusal(
            _(CONFLICT)))
    body = {"records": entries_of(sent.rows, names), "confirm": sent.confirm,
            "note": sent.note or None}
    outcome = await submit(resources, caller, doc_id, body)
    if isinstance(outcome, Refusal):
        return _grid(request, resources, caller, record, versions, agency, sent=sent, refusal=outcome, status=422)
    return RedirectResponse(f"/duyet/{doc_id}/so?" + urlencode({"saved": outcome, **({"agency": agency} if agency
                                                                                      else {})}), 303)


def _common(resources: Resources, caller: Caller, record: DocumentRecord, versions: list[Version],
            agency: str | None, saved: int | None) -> dict[str, Any]:
    """What both pages of a document show: its pages, history, the saved banner and where to go next."""
    latest = versions[-1].version
    just_saved = saved if saved and 1 < saved <= latest else None
    return {
        "record": record, "latest": latest, "editable": record.version == latest, "agency": agency,
        "images": page_images(record, None if record.version == latest else record.version),
        "history": history_lines(versions), "saved": just_saved,
        "next_href": next_document(resources, caller, agency, record.id) if just_saved else None,
        "queue_href": "/duyet" + (f"?{urlencode({'agency': agency})}" if agency else ""),
        "messages": {key: _(m) for key, m in {**MESSAGES, **CHECKS}.items()},
        "doc_types": [(t, _(DOC_TYPE_NAMES.get(t, t))) for t in DOC_TYPES],
    }


def _review(request: Request, resources: Resources, caller: Caller, record: DocumentRecord, versions: list[Version],
            agency: str | None, *, saved: int | None = None, sent: Form | None = None,
            refusal: Refusal | None = None, status: int = 200) -> Response:
    fields = form_fields(record, sent, refusal)
    return render(request, "review/document.html", {
        **_common(resources, caller, record, versions, agency, saved), "fields": fields,
        "other_doubts": other_doubts(record, {f.name for f in fields}, sent),
        "doubted": {d.target for d in record.doubts}, "sent": sent or Form(), "refusal": refusal,
        "edited_mark": _(EDITED_MARK), "grid_href": review_href(record.id, record.doc_type, agency)
        if record.doc_type in RECORD_FIELDS else None, "entry_columns": [
            (name, _(FIELD_NAMES.get(name, name))) for name in RECORD_FIELDS.get(record.doc_type, [])],
        "entries": [{name: shown_value(name, value) for name, value in entry.items()} for entry in record.records]},
        status)


def _grid(request: Request, resources: Resources, caller: Caller, record: DocumentRecord, versions: list[Version],
          agency: str | None, *, saved: int | None = None, sent: Form | None = None,
          refusal: Refusal | None = None, status: int = 200) -> Response:
    pages = [p.index for p in record.pages if not p.blank]
    return render(request, "review/grid.html", {
        **_common(resources, caller, record, versions, agency, saved), "columns": [
            (name, _(FIELD_NAMES.get(name, name)), value_kind(name)) for name in RECORD_FIELDS[record.doc_type]],
        "rows": grid_rows(record, sent), "pages": pages, "several_pages": len(pages) > 1,
        "cell_doubts": cell_doubts(record), "doubts": other_doubts(record, (), sent), "sent": sent or Form(),
        "refusal": refusal, "row_label": _row_label}, status)


def cell_doubts(record: DocumentRecord) -> dict[tuple[int, str], int]:
    """Which grid cells are in doubt (row from 0, field) → the number of their doubt in the list above the grid."""
    cells = {}
    for number, doubt in enumerate(record.doubts):
        if match := ENTRY_TARGET.fullmatch(doubt.target):
            cells[(int(match[1]) - 1, match[2])] = number
    return cells


def _row_label(row: int, label: str) -> str:
    return _("Row %(n)s, %(field)s", n=row, field=label)

