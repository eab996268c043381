"""Officers: search, a document with its pages, fields, signature and versions, a citizen's documents.

Read pages: plain GET forms and links, no script. They call what the API calls (``storage.search``, ``storage.reuse``,
``workers.document_view``), within the person's agencies; a document of another agency is "not found", as in the API.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ocr.doctypes import FIELDS, RECORD_FIELDS
from ocr.understand import ENTRY_PAGE
from signing.verify import NOT_CHECKED, REVOKED, SignatureReport, TimestampReport, VerifyReport
from sohoa.api.deps import ResourcesDep
from sohoa.api.routers.documents import trust
from sohoa.web import words
from sohoa.web.i18n import N_
from sohoa.web.i18n import gettext as _
from sohoa.web.session import PageError, person
from sohoa.web.templating import day, moment, render
from storage.lookup import READINGS, Lookup, ReadAs, read_lookup
from storage.objects import ObjectChanged, ObjectMissing
from storage.retrieval import DocumentNotFound
from storage.reuse import find_person
from storage.search import MAX_LIMIT, PERSONAL_ID_FIELDS, BadCursor, search
from storage.users import Caller
from workers.document_view import Headline, headline, view_document

router = APIRouter(include_in_schema=False)
Reader = Annotated[Caller, person("officer", "reviewer", "archivist")]
PAGE_SIZE = 20
REVIEW_CHOICES = {"yes": True, "no": False}
RETENTION_NAMES = {"dossier": N_("Dossier"), "result": N_("Result"), "registry_book": N_("Civil-registry book"),
                   "unclassified": N_("Unclassified")}
ROLE_NAMES = {"subject": N_("Holder"), "husband": N_("Husband"), "wife": N_("Wife"), "father": N_("Father"),
              "mother": N_("Mother")}
MATCH_NAMES = {"personal_id": N_("Same personal ID"), "name_and_date_of_birth": N_("Same name and date of birth"),
               "name": N_("Same name only: to be confirmed")}


@dataclass
class SearchForm:
    """What the search form holds, as typed (strings), and what was wrong with it."""
    q: str = ""
    read_as: str = ""
    doc_type: str = ""
    date_from: str = ""
    date_to: str = ""
    batch: str = ""
    review: str = ""
    limit: str = ""  # results per page when not PAGE_SIZE (a link may ask for fewer or more)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def asked(self) -> bool:
        return any((self.q.strip(), self.doc_type, self.date_from, self.date_to, self.batch.strip(), self.review))

    def link(self, **changes: str) -> str:
        """This search's address with ``changes`` (an empty value leaves a parameter out)."""
        values = {"q": self.q, "read_as": self.read_as, "doc_type": self.doc_type, "date_from": self.date_from,
                  "date_to": self.date_to, "batch": self.batch, "review": self.review, "limit": self.limit,
                  **changes}
        return "/tra-cuu?" + urlencode({k: v for k, v in values.items() if v})


@router.get("/tra-cuu", response_class=HTMLResponse)
def search_page(request: Request, resources: ResourcesDep, caller: Reader, q: str = "", read_as: str = "",
                doc_type: str = "", date_from: str = "", date_to: str = "", batch: str = "", review: str = "",
                cursor: str = "", limit: str = "") -> HTMLResponse:
    """One box (personal ID, number, or words) and filters; results with their full ids, a page at a time."""
    form = SearchForm(q, read_as if read_as in READINGS else "", doc_type if doc_type in words.DOC_TYPE_NAMES else "",
                      date_from, date_to, batch.strip(), review if review in REVIEW_CHOICES else "",
                      limit if limit.isdigit() and 0 < int(limit) <= MAX_LIMIT else "")
    low, high = _date(form, "date_from"), _date(form, "date_to")
    if low and high and low > high:
        form.errors["date_to"] = _("The end of the period is before its start.")
    context: dict[str, Any] = {"form": form, "types": _type_options(), "rows": None, "lookup": None}
    if not form.asked or form.errors:
        return render(request, "officer/search.html", context, 400 if form.errors else 200)
    lookup = read_lookup(form.q, _reading(form.read_as))
    query = lookup.query(doc_type=form.doc_type, batch=form.batch, date_from=low, date_to=high,
                         needs_review=REVIEW_CHOICES.get(form.review))
    try:
        page = search(resources.catalog(), query, actor=caller.name, agencies=caller.agencies, cursor=cursor or None,
                      limit=int(form.limit or PAGE_SIZE))
    except BadCursor:
        context["stale"] = True
        return render(request, "officer/search.html", context, 400)
    context.update(lookup=lookup, reading=_reading_words(lookup), rows=[_row(item) for item in page.items],
                   later=bool(cursor), next_link=form.link(cursor=page.next) if page.next else None,
                   as_text=form.link(read_as="text") if lookup.read_as != "text" else None)
    return render(request, "officer/search.html", context)


@router.get("/tai-lieu/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str, resources: ResourcesDep, caller: Reader,
                  version: str = "") -> HTMLResponse:
    """A document version: pages beside fields and entries, the signature in words, codes, versions, downloads."""
    wanted = int(version) if version.isdigit() and int(version) > 0 else None
    if version and wanted is None:
        raise PageError(404, _("There is no such version of this document."))
    try:
        view = view_document(resources.catalog(), resources.object_store(), doc_id, trust(resources.settings),
                             actor=caller.name, version=wanted, agencies=caller.agencies)
    except DocumentNotFound:
        raise PageError(404, _("No document %(id)s was found among the documents you may see.", id=doc_id)
                        if wanted is None else _("Document %(id)s has no version %(version)s that you may see.",
                                                 id=doc_id, version=wanted)) from None
    except (ObjectMissing, ObjectChanged):
        raise PageError(500, _("The stored copy of this document is missing or was changed, so it is not shown. "
                               "Tell an archivist: a fixity check is needed.")) from None
    record = view.record
    return render(request, "officer/document.html", {
        "doc": record, "type_name": _(words.DOC_TYPE_NAMES.get(record["doc_type"], record["doc_type"])),
        "headline": headline(record), "versions": view.versions, "target_name": _target_name,
        "current": next(v for v in view.versions if v.version == record["version"]),
        "signature": signature_words(view.signature), "fields": _fields(record),
        "entry_columns": _entry_columns(record), "id_fields": PERSONAL_ID_FIELDS,
        "retention": _retention(record.get("retention")), "may_download": caller.may("officer"),
        "sees_batches": caller.may("scanner", "archivist"), "version_query": f"?version={record['version']}",
        "ENTRY_PAGE": ENTRY_PAGE})


@router.get("/cong-dan/{personal_id}", response_class=HTMLResponse)
def citizen_page(request: Request, personal_id: str, resources: ResourcesDep, caller: Reader) -> HTMLResponse:
    """Everything held about one citizen, from the personal ID: what to reuse instead of asking for papers again."""
    if not (personal_id.isdigit() and len(personal_id) == 12):
        raise PageError(404, _("A personal ID number has 12 digits."))
    found = find_person(resources.catalog(), personal_id, actor=caller.name, agencies=caller.agencies)
    return render(request, "officer/citizen.html", {
        "person": found, "ROLES": ROLE_NAMES, "MATCHES": MATCH_NAMES,
        "documents": [{**hit, "headline": headline(hit["document"])} for hit in found.documents]})


def _date(form: SearchForm, name: str) -> dt.date | None:
    value = getattr(form, name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        form.errors[name] = _("Write the date as the calendar gives it, e.g. 2024-03-15.")
        return None


def _reading(value: str) -> ReadAs | None:
    return next((r for r in READINGS if r == value), None)


def _type_options() -> list[tuple[str, str]]:
    return [(code, _(name)) for code, name in words.DOC_TYPE_NAMES.items()]


def _reading_words(lookup: Lookup) -> str:
    if lookup.read_as == "personal_id":
        return _("“%(q)s” was read as a personal ID number.", q=lookup.value)
    if lookup.read_as == "number":
        return _("“%(q)s” was read as a number: document number and symbol, registration number, certificate or "
                 "licence number, dossier or result code.", q=lookup.value)
    if lookup.read_as == "text":
        return _("“%(q)s” was looked for in the documents' words and fields, with or without diacritics.",
                 q=lookup.value)
    return _("Documents matching the filters.")


@dataclass(frozen=True)
class Row:
    doc: dict[str, Any]
    headline: Headline


def _row(item: dict[str, Any]) -> Row:
    return Row(item, headline(item))


@dataclass(frozen=True)
class Shown:
    name: str
    value: str
    date: bool
    personal_id: bool


def _fields(record: dict[str, Any]) -> list[Shown]:
    """The fields in the contract's order for the type, then any others."""
    values = record.get("fields") or {}
    order = [*FIELDS.get(record["doc_type"], []), *(n for n in values if n not in FIELDS.get(record["doc_type"], []))]
    return [Shown(n, str(values[n]), "date" in n, n in PERSONAL_ID_FIELDS) for n in order if values.get(n)]


def _entry_columns(record: dict[str, Any]) -> list[str]:
    entries = record.get("records") or []
    known = RECORD_FIELDS.get(record["doc_type"], [])
    return [*known, *dict.fromkeys(k for e in entries for k in e if k not in known and k != ENTRY_PAGE)]


def _target_name(target: str) -> str:
    """What a correction changed, in words: a field, an entry's field (``records.3.full_name``) or the type."""
    if target == "doc_type":
        return _("Document type")
    parts = target.split(".")
    if len(parts) == 3 and parts[0] == "records":
        return _("Entry %(n)s, %(field)s", n=parts[1], field=_(words.FIELD_NAMES.get(parts[2], parts[2])))
    return _(words.FIELD_NAMES.get(target, target))


def _retention(retention: dict[str, Any] | None) -> str:
    if not retention:
        return _("Not recorded")
    name = _(RETENTION_NAMES.get(retention["class"], retention["class"]))
    until = retention.get("until")
    if until == "permanent":
        return _("%(kind)s: kept permanently", kind=name)
    if until:
        return _("%(kind)s: kept until %(date)s", kind=name, date=day(until))
    return _("%(kind)s: no set period", kind=name)


@dataclass(frozen=True)
class SignatureWords:
    """A signature check in plain words: valid or not, one sentence on it (after "Valid:" or "Not valid:"), then what
    was found."""
    valid: bool
    summary: str
    details: list[str]


def signature_words(report: VerifyReport) -> SignatureWords:
    if report.error:
        problem = (_("the stored file carries no signature.") if not report.signatures and "no signature" in
                   report.error else _("the stored file cannot be read as a PDF."))
        return SignatureWords(False, problem, [])
    details = [line for s in report.signatures for line in _signature_lines(s)]
    details += [_timestamp_line(t, _("Document timestamp")) for t in report.document_timestamps]
    if report.valid:
        first = report.signatures[0]
        summary = _("signed by %(signer)s at %(time)s; the document has not been changed since it was signed; "
                    "%(revocation)s", signer=first.signer, time=moment(first.signing_time, "medium"),
                    revocation=_revocation(first))
    else:
        summary = _("the signature must not be relied on. What was found:")
    return SignatureWords(report.valid, summary, details)


def _revocation(signature: SignatureReport) -> str:
    if signature.revocation == REVOKED:
        return _("the signer's certificate has been revoked.")
    if signature.revocation == NOT_CHECKED:
        return _("whether the certificate was revoked could not be checked (no revocation data).")
    return _("the certificate has not been revoked.")


def _signature_lines(s: SignatureReport) -> list[str]:
    lines = [_("Signed by %(signer)s at %(time)s, level %(level)s.", signer=s.signer,
               time=moment(s.signing_time, "medium"), level=s.level)]
    if not s.intact:
        lines.append(_("The signature does not match the document's content: the document was altered."))
    elif s.modified_after:
        lines.append(_("The document was changed after it was signed."))
    else:
        lines.append(_("The document has not been changed since it was signed."))
    lines.append(_("The signer's certificate comes from a trusted certification authority.") if s.trusted else
                 _("The signer's certificate does not come from a trusted certification authority."))
    lines.append(_revocation(s)[:1].upper() + _revocation(s)[1:])
    if s.timestamp:
        lines.append(_timestamp_line(s.timestamp, _("Signature timestamp")))
    return lines


def _timestamp_line(stamp: TimestampReport, what: str) -> str:
    state = _("valid") if stamp.valid else _("not valid")
    return _("%(what)s by %(authority)s at %(time)s: %(state)s.", what=what, authority=stamp.authority,
             time=moment(stamp.time, "medium"), state=state)
