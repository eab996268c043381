"""Archivists: the digitization dashboard (each table also as CSV and XLSX), the audit log with its hash chain's
status, and fixity runs started from the page.

The figures come from ``storage.dashboard``, ``storage.auditlog`` and ``storage.fixity_status``, the same calls as the
API's (``sohoa.api.routers.audit``); a table is one ``storage.spreadsheets.Sheet`` shown on the page and written as
CSV and XLSX, so the three always agree.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from babel.dates import format_date
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sohoa.api.deps import ResourcesDep
from sohoa.api.routers.audit import fixity_runner, fixity_status
from sohoa.web import words
from sohoa.web.i18n import N_, language
from sohoa.web.i18n import gettext as _
from sohoa.web.phrases import Phrasebook
from sohoa.web.session import PageError, person
from sohoa.web.templating import day, number, render
from storage.agencies import known_agencies
from storage.audit import ACTIONS
from storage.auditlog import AuditFilter, ChainProblem, audit_events, chain_status
from storage.dashboard import Dashboard, UnknownAgency, agencies_in_view, dashboard
from storage.search import BadCursor
from storage.spreadsheets import Column, Sheet, to_csv, to_xlsx
from storage.users import Caller

router = APIRouter(include_in_schema=False)
Archivist = Annotated[Caller, person("archivist")]
PAGE_SIZE = 50
ACTION_NAMES = {
    "upload": N_("Scans uploaded"), "processing": N_("Document processed"), "signing": N_("Document signed"),
    "download": N_("PDF downloaded"), "view": N_("Document viewed"), "correction": N_("Document corrected"),
    "fixity": N_("Fixity check"), "search": N_("Search"), "rebuild": N_("Catalog rebuilt"),
    "export": N_("Register book exported"), "user": N_("User changed"), "sign-in": N_("Sign-in"),
    "sign-out": N_("Sign-out"),
}
FORMATS = {"csv": ("text/csv; charset=utf-8", to_csv),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx)}


# --- the dashboard -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Asked:
    """What the dashboard's form asked for, as typed (kept in the download links)."""
    agency: str = ""
    since: str = ""
    until: str = ""

    def query(self) -> str:
        given = {k: v for k, v in (("agency", self.agency), ("since", self.since), ("until", self.until)) if v}
        return f"?{urlencode(given)}" if given else ""


def _date(text: str, label: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PageError(400, _("%(field)s is not a date.", field=label)) from None


def _board(resources: ResourcesDep, caller: Caller, asked: Asked) -> Dashboard:
    since, until = _date(asked.since, _("From")), _date(asked.until, _("To"))
    try:
        wanted = agencies_in_view([asked.agency] if asked.agency else [], caller.agencies)
        return dashboard(resources.catalog(), wanted, since=since, until=until)
    except UnknownAgency:
        raise PageError(404, _("There is no agency %(code)s among yours.", code=asked.agency)) from None
    except ValueError:
        raise PageError(400, _("The days run from the first to the last, at most 366 days.")) from None


def _caption(board: Dashboard, names: dict[str, str | None]) -> str:
    if board.agencies is None:
        agencies = _("all agencies")
    else:
        agencies = ", ".join(f"{code} ({names[code]})" if names.get(code) else code for code in board.agencies)
    return _("Agencies: %(agencies)s. Days: %(since)s to %(until)s.", agencies=agencies, since=day(board.since),
             until=day(board.until))


def _agency_sheet(board: Dashboard, caption: str) -> Sheet:
    columns = [Column(_("Agency")), Column(_("Documents digitized"), "count"),
               Column(_("Dossier documents"), "count"), Column(_("Dossiers (distinct codes)"), "count"),
               Column(_("Results digitized"), "count"), Column(_("Results signed"), "count"),
               Column(_("Result files failed"), "count"), Column(_("Share of results signed"), "share"),
               Column(_("Civil-registry entries"), "count"), Column(_("Awaiting review"), "count")]

    def line(f: Any, name: str) -> list[Any]:
        return [name, f.documents, f.dossier_documents, f.dossier_codes, f.result_documents, f.results_signed,
                f.result_files_failed, f.results_signed_share, f.register_entries, f.awaiting_review]

    return Sheet(_("Digitization by agency"), columns, [line(f, f.agency) for f in board.by_agency],
                 line(board.total, _("Total")), caption)


def _register_sheet(board: Dashboard, caption: str) -> Sheet:
    columns = [Column(_("Agency")), Column(_("Book type")), Column(_("Year")), Column(_("Entries"), "count")]
    rows = [[r.agency, _(words.BOOK_TYPE_NAMES[r.book_type]), str(r.year) if r.year else _("Unknown"), r.entries]
            for r in board.registers]
    return Sheet(_("Civil-registry entries by book type and year"), columns, rows,
                 [_("Total"), "", "", sum(r.entries for r in board.registers)], caption)


def _pages_sheet(board: Dashboard, caption: str) -> Sheet:
    columns = [Column(_("Day"), "day"), Column(_("Documents"), "count"), Column(_("Pages"), "count")]
    days = board.pages_per_day
    return Sheet(_("Pages digitized per day"), columns, [[d.day, d.documents, d.pages] for d in days],
                 [None, sum(d.documents for d in days), sum(d.pages for d in days)], caption)


def _backlog_sheet(board: Dashboard, caption: str) -> Sheet:
    columns = [Column(_("Agency")), Column(_("Document type")), Column(_("Awaiting review"), "count"),
               Column(_("Waiting since"), "time")]
    rows = [[b.agency, _(words.DOC_TYPE_NAMES.get(b.doc_type, b.doc_type)), b.documents, b.oldest]
            for b in board.backlog]
    return Sheet(_("Review backlog"), columns, rows,
                 [_("Total"), "", sum(b.documents for b in board.backlog), None], caption)


def _problems_sheet(board: Dashboard, caption: str) -> Sheet:
    columns = [Column(_("Day"), "day"), Column(_("Files failed"), "count"), Column(_("Pages to rescan"), "count")]
    days = board.problems_per_day
    return Sheet(_("Failures and rescans per day"), columns, [[d.day, d.failed_files, d.rescan_pages] for d in days],
                 [None, sum(d.failed_files for d in days), sum(d.rescan_pages for d in days)], caption)


SHEETS = {"co-quan": _agency_sheet, "so-ho-tich": _register_sheet, "trang-theo-ngay": _pages_sheet,
          "cho-kiem-tra": _backlog_sheet, "loi-va-quet-lai": _problems_sheet}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Chart:
    """A bar chart drawn as inline SVG: one group of bars per day, one bar per series."""
    title: str
    summary: str  # what it shows, in a sentence (its text alternative beside the table)
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # y position, value
    labels: list[tuple[float, str]]  # x position, day
    legend: list[tuple[str, str]]  # css class, series name
    width: int = 960
    height: int = 260
    left: int = 56
    bottom: int = 232


def _ceiling(value: int) -> int:
    """A round number at least ``value`` (an axis' top)."""
    step = 1
    while step * 10 <= value:
        step *= 10
    return next(m * step for m in (1, 2, 5, 10) if m * step >= max(value, 1))


def bar_chart(title: str, summary: str, days: list[dt.date], series: list[tuple[str, str, list[int]]]) -> Chart:
    chart = Chart(title, summary, [], [], [], [(css, name) for name, css, _values in series])
    top, plot_height = _ceiling(max((v for _n, _c, values in series for v in values), default=0)), chart.bottom - 12
    slot = (chart.width - chart.left - 8) / max(len(days), 1)
    width = slot * 0.8 / max(len(series), 1)
    every = max(1, round(len(days) / 10))
    for i, when in enumerate(days):
        x = chart.left + i * slot + slot * 0.1
        for k, (name, css, values) in enumerate(series):
            height = plot_height * values[i] / top
            chart.bars.append(Bar(round(x + k * width, 1), round(chart.bottom - height, 1), round(width, 1),
                                  round(height, 1), css, f"{day(when)} · {name}: {number(values[i])}"))
        if i % every == 0:
            chart.labels.append((round(x + slot * 0.4, 1), format_date(when, "d/M", locale=language())))
    step = _tick_step(top)
    chart.ticks.extend((round(chart.bottom - plot_height * value / top, 1), value) for value in range(0, top + 1, step))
    return chart


def _tick_step(top: int) -> int:
    """Whole numbers between the axis' lines: 4 or 5 steps where ``top`` allows, else 2, else 1."""
    return next((top // parts for parts in (4, 5, 2) if top % parts == 0 and top // parts >= 1), 1)


def _charts(board: Dashboard) -> dict[str, Chart]:
    days = [d.day for d in board.pages_per_day]
    pages = [d.pages for d in board.pages_per_day]
    failed = [d.failed_files for d in board.problems_per_day]
    rescan = [d.rescan_pages for d in board.problems_per_day]
    span = {"since": day(board.since), "until": day(board.until)}
    return {
        "trang-theo-ngay": bar_chart(
            _("Pages digitized per day"),
            _("Pages digitized per day from %(since)s to %(until)s: %(total)s in all, at most %(most)s in a day.",
              total=sum(pages), most=max(pages, default=0), **span),
            days, [(_("Pages"), "bar-pages", pages)]),
        "loi-va-quet-lai": bar_chart(
            _("Failures and rescans per day"),
            _("Files failed and pages to rescan per day from %(since)s to %(until)s: %(failed)s files failed, "
              "%(rescan)s pages to rescan in all.", failed=sum(failed), rescan=sum(rescan), **span),
            [d.day for d in board.problems_per_day],
            [(_("Files failed"), "bar-failed", failed), (_("Pages to rescan"), "bar-rescan", rescan)]),
    }


@router.get("/bao-cao", response_class=HTMLResponse)
def dashboard_page(request: Request, caller: Archivist, resources: ResourcesDep, agency: str = "", since: str = "",
                   until: str = "") -> Response:
    asked = Asked(agency, since, until)
    board = _board(resources, caller, asked)
    choices = known_agencies(resources.catalog(), caller.agencies)
    names = {a.code: a.name for a in choices}
    caption = _caption(board, names)
    return render(request, "archive/dashboard.html", {
        "board": board, "asked": asked, "agencies": choices, "caption": caption,
        "sheets": {slug: make(board, caption) for slug, make in SHEETS.items()}, "charts": _charts(board)})


@router.get("/bao-cao/{slug}.{extension}")
def dashboard_table(slug: str, extension: str, caller: Archivist, resources: ResourcesDep, agency: str = "",
                    since: str = "", until: str = "") -> Response:
    """One table of the dashboard as CSV or XLSX, with what the page shows for the same question."""
    if slug not in SHEETS or extension not in FORMATS:
        raise PageError(404, _("There is no such page."))
    board = _board(resources, caller, Asked(agency, since, until))
    names = {a.code: a.name for a in known_agencies(resources.catalog(), caller.agencies)}
    content_type, write = FORMATS[extension]
    filename = f"{slug}-{board.since.isoformat()}-{board.until.isoformat()}.{extension}"
    return Response(write(SHEETS[slug](board, _caption(board, names))), media_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- the audit log ---------------------------------------------------------------------------------------------------

_REASONS = Phrasebook([  # storage.audit's words → a message of ours
    (r"removed \(events (?P<first>\d+) to (?P<last>\d+) are missing\)",
     N_("Events %(first)s to %(last)s were removed.")),
    (r"removed \(events (?P<first>\d+) are missing\)", N_("Event %(first)s was removed.")),
    (r"changed \(event (?P<next>\d+) no longer links to it\)",
     N_("Event %(seq)s was changed: event %(next)s no longer links to it.")),
    (r"changed \(this (?P<action>\S+) event no longer matches its hash\)",
     N_("Event %(seq)s (%(action)s) was changed: it no longer matches its hash.")),
    (r"changed after it was anchored in the object store",
     N_("Event %(seq)s was changed after it was anchored in the object store.")),
    (r"removed \(it was anchored in the object store\)",
     N_("Event %(seq)s was removed: it was anchored in the object store.")),
    (r"removed \(the log held (?P<held>\d+) events, (?P<left>\d+) are left\)",
     N_("Events from %(seq)s on were removed: the log held %(held)s events, %(left)s are left.")),
    (r"changed \(the log's head row does not match its last event\)",
     N_("Event %(seq)s, the last, was changed: the log's head row does not match it.")),
])


def problem_words(problem: ChainProblem) -> str:
    """A chain problem in the reader's language."""
    return (_REASONS.say(problem.reason, _action, seq=problem.seq)
            or _("Event %(seq)s: %(reason)s", seq=problem.seq, reason=problem.reason))


def _action(name: str, value: str) -> str:
    return _(ACTION_NAMES.get(value, value)) if name == "action" else value


def _details(details: dict[str, Any]) -> list[tuple[str, str]]:
    return [(key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
            for key, value in details.items()]


@router.get("/nhat-ky", response_class=HTMLResponse)
def audit_page(request: Request, caller: Archivist, resources: ResourcesDep, actor: str = "", action: str = "",
               since: str = "", until: str = "", subject: str = "", cursor: str | None = None) -> Response:
    if caller.agencies is not None:
        raise PageError(403, _("The audit log holds the work of every agency, searches included: it is for "
                               "archivists of every agency."))
    if action and action not in ACTIONS:
        raise PageError(400, _("There is no such action."))
    where = AuditFilter(actor=actor.strip() or None, action=action or None, since=_date(since, _("From")),
                        until=_date(until, _("To")), subject=subject.strip() or None)
    try:
        page = audit_events(resources.catalog(), where, cursor=cursor, limit=PAGE_SIZE)
    except BadCursor:
        raise PageError(400, _("This link to the next page is not right. Start again from the first page.")) from None
    chain = chain_status(resources.catalog(), resources.object_store())
    asked = {"actor": actor, "action": action, "since": since, "until": until, "subject": subject}
    given = {k: v for k, v in asked.items() if v}
    return render(request, "archive/audit.html", {
        "events": page.items, "details": _details, "chain": chain,
        "problems": [problem_words(p) for p in chain.problems],
        "asked": asked, "actions": [(code, ACTION_NAMES.get(code, code)) for code in ACTIONS],
        "action_names": ACTION_NAMES, "paged": cursor is not None,
        "first_url": "/nhat-ky" + (f"?{urlencode(given)}" if given else ""),
        "next_url": f"/nhat-ky?{urlencode({**given, 'cursor': page.next})}" if page.next else None})


# --- fixity ----------------------------------------------------------------------------------------------------------

def _fixity_page(request: Request, resources: ResourcesDep, error: str = "", status: int = 200) -> Response:
    return render(request, "archive/fixity.html", {"status": fixity_status(request, resources), "error": error},
                  status)


@router.get("/kiem-tra", response_class=HTMLResponse)
def fixity_page(request: Request, caller: Archivist, resources: ResourcesDep) -> Response:
    return _fixity_page(request, resources)


@router.post("/kiem-tra", response_class=HTMLResponse)
def start_fixity(request: Request, caller: Archivist, resources: ResourcesDep,
                 scope: Annotated[str, Form()] = "due") -> Response:
    if not fixity_runner(request.app).start(resources, caller.name, scope == "all"):
        return _fixity_page(request, resources, _("A check is running already: wait for it to end."), 409)
    return RedirectResponse("/kiem-tra", 303)
