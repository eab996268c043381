"""The archivist's dashboard, in the terms of a provincial digitization report: per agency, the dossiers and results
digitized, the share of results signed, civil-registry entries per book type and year, pages per day, the review
backlog, and failures and rescans per day.

Everything is counted by the database (aggregates only: no document is loaded into Python), so the dashboard stays
quick on a catalog of a million documents: one pass over the latest documents, one over the dossiers' documents, one
over the register entries, and the per-day figures over a window of days found through ``signed_at``'s index.
Days are Vietnam's (UTC+7 all year round: Vietnam has had no daylight saving time since 1975).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import Any

from pydantic import BaseModel, computed_field
from sqlalchemy import Integer, String, and_, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement, Select

from storage.catalog import Catalog
from storage.days import day_start, today
from storage.indexing import utc_text
from storage.schema import Batch, Document, Field, Page, Record

DEFAULT_DAYS = 30  # the per-day figures cover the last month unless asked otherwise
MAX_DAYS = 366
BOOK_TYPES = {"birth_register_page": "birth", "marriage_register_page": "marriage", "death_register_page": "death"}


class vietnam_day(FunctionElement[str]):  # noqa: N801 - a SQL function, named as one
    """The day (``YYYY-MM-DD``) in Vietnam of a UTC time: a ``timestamptz`` or ISO text (``signed_at``)."""
    type = String()
    inherit_cache = True


@compiles(vietnam_day, "sqlite")
def _vietnam_day_sqlite(element: vietnam_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+7 hours')"


@compiles(vietnam_day, "postgresql")
def _vietnam_day_postgresql(element: vietnam_day, compiler: Any, **kw: Any) -> str:
    return (f"to_char(CAST({compiler.process(element.clauses, **kw)} AS timestamptz) "
            "AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')")


class AgencyFigures(BaseModel):
    """One agency's line of the report (or the total line, agency ``all``)."""
    agency: str
    documents: int = 0  # every document digitized (latest versions), whatever its batch's kind
    dossier_documents: int = 0  # documents of `dossier` batches
    dossier_codes: int = 0  # distinct dossier codes among them
    result_documents: int = 0  # documents of `result` batches
    results_signed: int = 0
    result_files_failed: int = 0  # files of `result` batches that could not be digitized
    register_entries: int = 0  # entries of civil-registry book pages
    awaiting_review: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def results_signed_share(self) -> float | None:
        """Signed results of the results attempted (digitized, or failed); None when there were none."""
        attempted = self.result_documents + self.result_files_failed
        return round(self.results_signed / attempted, 4) if attempted else None

    def add(self, other: AgencyFigures) -> None:
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


_COUNTS = [name for name in AgencyFigures.model_fields if name != "agency"]


class RegisterFigures(BaseModel):
    """Entries of one agency's register pages of one book type and year (the book's year from the batch manifest,
    else the entry's registration date's; None when neither is known)."""
    agency: str
    book_type: str  # birth, marriage, death
    year: int | None
    entries: int


class DayPages(BaseModel):
    """Pages digitized on a day: the shown pages of documents first signed that day."""
    day: dt.date
    documents: int = 0
    pages: int = 0


class BacklogFigures(BaseModel):
    """Latest versions of one agency's documents of one type that wait for a reviewer."""
    agency: str
    doc_type: str
    documents: int
    oldest: dt.datetime | None  # when the longest waiting one was signed


class DayProblems(BaseModel):
    """What batches finished on a day could not do: files that failed, pages to scan again."""
    day: dt.date
    failed_files: int = 0
    rescan_pages: int = 0


class Dashboard(BaseModel):
    agencies: list[str] | None  # the agencies counted (None: all)
    since: dt.date  # the per-day figures' first and last day
    until: dt.date
    by_agency: list[AgencyFigures]
    total: AgencyFigures
    registers: list[RegisterFigures]
    pages_per_day: list[DayPages]
    backlog: list[BacklogFigures]
    problems_per_day: list[DayProblems]


class UnknownAgency(LookupError):
    """An agency the caller does not see (for the caller, one that does not exist)."""


def agencies_in_view(asked: Collection[str], sees: Collection[str] | None) -> list[str] | None:
    """The agencies to count: those ``asked`` (none: every one the caller ``sees``, None meaning all). Raises
    UnknownAgency for one asked that the caller does not see."""
    hidden = sorted(set(asked) - set(sees)) if sees is not None else []
    if hidden:
        raise UnknownAgency(hidden[0])
    if asked:
        return sorted(set(asked))
    return sorted(sees) if sees is not None else None


def day_window(since: dt.date | None, until: dt.date | None, *, on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The days the per-day figures cover: the last ``DEFAULT_DAYS`` by default; ValueError for a window that ends
    before it starts or is longer than ``MAX_DAYS``."""
    until = until or (on or today())
    since = since or until - dt.timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise ValueError("the first day is after the last day")
    if (until - since).days + 1 > MAX_DAYS:
        raise ValueError(f"at most {MAX_DAYS} days at a time")
    return since, until


def dashboard(catalog: Catalog, agencies: Collection[str] | None = None, *, since: dt.date | None = None,
              until: dt.date | None = None) -> Dashboard:
    """The dashboard over ``agencies`` (None: all); per-day figures from ``since`` to ``until`` (Vietnam's days)."""
    since, until = day_window(since, until)
    wanted = sorted(agencies) if agencies is not None else None
    with catalog.engine.connect() as connection:
        by_agency, backlog = _documents(connection, wanted)
        for agency, kind, failed in connection.execute(_failed_files(wanted)):
            if kind == "result":
                _line(by_agency, agency).result_files_failed += int(failed or 0)
        for agency, codes in connection.execute(_dossier_codes(wanted)):
            _line(by_agency, agency).dossier_codes = codes
        registers = [RegisterFigures(agency=agency, book_type=BOOK_TYPES[doc_type], year=year, entries=entries)
                     for agency, doc_type, year, entries in connection.execute(_register_entries(wanted))]
        pages, problems = _per_day(connection, wanted, since, until)
    for figures in registers:
        _line(by_agency, figures.agency).register_entries += figures.entries
    for agency in wanted or ():
        _line(by_agency, agency)  # an agency asked for shows, with nothing yet
    lines = [by_agency[a] for a in sorted(by_agency)]
    total = AgencyFigures(agency="all")
    for line in lines:
        total.add(line)
    registers.sort(key=lambda r: (r.agency, r.book_type, r.year is None, r.year or 0))
    return Dashboard(agencies=wanted, since=since, until=until, by_agency=lines, total=total, registers=registers,
                     pages_per_day=pages, backlog=backlog, problems_per_day=problems)


def _per_day(connection: Any, agencies: list[str] | None, since: dt.date,
             until: dt.date) -> tuple[list[DayPages], list[DayProblems]]:
    """Pages, failures and rescans for every day of the window (days with none included)."""
    pages = {day: counts for day, *counts in connection.execute(_pages_per_day(agencies, since, until))}
    problems = {day: counts for day, *counts in connection.execute(_problems_per_day(agencies, since, until))}
    per_day: tuple[list[DayPages], list[DayProblems]] = ([], [])
    for day in _days(since, until):
        documents, shown = pages.get(day.isoformat(), (0, 0))
        failed, rescan = problems.get(day.isoformat(), (0, 0))  # PostgreSQL's sums are decimals
        per_day[0].append(DayPages(day=day, documents=documents, pages=shown or 0))
        per_day[1].append(DayProblems(day=day, failed_files=int(failed or 0), rescan_pages=int(rescan or 0)))
    return per_day


def _line(lines: dict[str, AgencyFigures], agency: str) -> AgencyFigures:
    return lines.setdefault(agency, AgencyFigures(agency=agency))


def _documents(connection: Any, agencies: list[str] | None) -> tuple[dict[str, AgencyFigures], list[BacklogFigures]]:
    """One pass over the latest documents, counted by agency, batch and type (then batches are looked up once each,
    not once per document): the agencies' lines and the review backlog."""
    waiting = case((Document.needs_review.is_(True), Document.signed_at))
    per_batch = (select(Document.agency, Document.batch_id, Document.doc_type, func.count().label("documents"),
                        func.sum((Document.signed_at != "").cast(Integer)).label("signed"),
                        func.sum(Document.needs_review.cast(Integer)).label("review"),
                        func.min(waiting).label("oldest"))
                 .where(Document.latest.is_(True), *_within(Document.agency, agencies))
                 .group_by(Document.agency, Document.batch_id, Document.doc_type).subquery())
    query = (select(per_batch.c.agency, Batch.kind, per_batch.c.doc_type, func.sum(per_batch.c.documents),
                    func.sum(per_batch.c.signed), func.sum(per_batch.c.review), func.min(per_batch.c.oldest))
             .outerjoin(Batch, Batch.id == per_batch.c.batch_id)
             .group_by(per_batch.c.agency, Batch.kind, per_batch.c.doc_type))
    lines: dict[str, AgencyFigures] = {}
    backlog: dict[tuple[str, str], BacklogFigures] = {}  # one line per agency and type, whatever the batch kind
    for agency, kind, doc_type, *sums, oldest in connection.execute(query):
        documents, signed, review = (int(n or 0) for n in sums)  # PostgreSQL's sums are decimals
        line = _line(lines, agency)
        line.documents += documents
        line.awaiting_review += review
        if kind == "dossier":
            line.dossier_documents += documents
        elif kind == "result":
            line.result_documents += documents
            line.results_signed += signed
        if review:
            _waiting(backlog, agency, doc_type, review, oldest)
    return lines, [backlog[k] for k in sorted(backlog)]


def _waiting(backlog: dict[tuple[str, str], BacklogFigures], agency: str, doc_type: str, documents: int,
             oldest: str | None) -> None:
    when = dt.datetime.fromisoformat(oldest) if oldest else None
    line = backlog.setdefault((agency, doc_type), BacklogFigures(agency=agency, doc_type=doc_type, documents=0,
                                                                 oldest=when))
    line.documents += documents
    if when and (line.oldest is None or when < line.oldest):
        line.oldest = when


def _within(column: Any, agencies: list[str] | None) -> list[ColumnElement[bool]]:
    return [] if agencies is None else [column.in_(agencies)]


def _failed_files(agencies: list[str] | None) -> Select:
    failed = func.coalesce(func.json_array_length(Batch.summary["failed"]), 0)
    return (select(Batch.agency, Batch.kind, func.sum(failed)).where(*_within(Batch.agency, agencies))
            .group_by(Batch.agency, Batch.kind))


def _dossier_codes(agencies: list[str] | None) -> Select:
    code = Document.record["dossier_code"].as_string()
    # the dossier batches (few) are chosen first and their documents found through the batch index
    dossier_batches = select(Batch.id).where(Batch.kind == "dossier", *_within(Batch.agency, agencies))
    return (select(Document.agency, func.count(code.distinct()))
            .where(Document.batch_id.in_(dossier_batches), Document.latest.is_(True))
            .group_by(Document.agency))


def _register_entries(agencies: list[str] | None) -> Select:
    registered = (Field.document_pk == Record.document_pk) & (Field.record_index == Record.index) & \
        (Field.name == "registration_date")
    year_of = func.coalesce(Batch.manifest[("book", "year")].as_integer(), func.extract("year", Field.date_value))
    year = year_of.cast(Integer).label("year")
    return (select(Document.agency, Document.doc_type, year, func.count())
            .join(Record, Record.document_pk == Document.pk)
            .outerjoin(Batch, Batch.id == Document.batch_id)
            .outerjoin(Field, registered)
            .where(Document.latest.is_(True), Document.doc_type.in_(BOOK_TYPES), *_within(Document.agency, agencies))
            .group_by(Document.agency, Document.doc_type, year))


def _bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The window's start and end (exclusive) in UTC."""
    return day_start(since), day_start(until + dt.timedelta(days=1))


def _pages_per_day(agencies: list[str] | None, since: dt.date, until: dt.date) -> Select:
    """Shown pages of first versions (a correction digitizes nothing new), by the day they were signed."""
    start, end = (utc_text(moment.isoformat()) for moment in _bounds(since, until))
    day = vietnam_day(Document.signed_at).label("day")
    return (select(day, func.count(Document.pk.distinct()), func.count(Page.index))
            .outerjoin(Page, and_(Page.document_pk == Document.pk, Page.blank.is_(False)))
            .where(Document.version == 1, Document.signed_at >= start, Document.signed_at < end,
                   *_within(Document.agency, agencies))
            .group_by(day))


def _problems_per_day(agencies: list[str] | None, since: dt.date, until: dt.date) -> Select:
    start, end = _bounds(since, until)
    day = vietnam_day(Batch.finished_at).label("day")
    return (select(day, func.sum(func.coalesce(func.json_array_length(Batch.summary["failed"]), 0)),
                   func.sum(func.coalesce(func.json_array_length(Batch.summary["rescan"]), 0)))
            .where(Batch.finished_at >= start, Batch.finished_at < end, *_within(Batch.agency, agencies))
            .group_by(day))


def _days(since: dt.date, until: dt.date) -> Iterator[dt.date]:
    for n in range((until - since).days + 1):
        yield since + dt.timedelta(days=n)
