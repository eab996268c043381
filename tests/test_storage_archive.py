"""What archivists and administrators read, on SQLite and PostgreSQL: the dashboard counted by the database (dossiers
and their codes, results and the share signed with failed files counted, register entries per book type and year,
pages and problems per day in Vietnam's days, the review backlog); the audit log filtered and paged, and its chain's
status; the last fixity runs; the agencies known; a table as CSV and XLSX."""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import update
from storage_backends import StoreUnderTest
from storage_documents import document, store_document, store_sample

from storage.agencies import known_agencies
from storage.auditlog import AuditFilter, audit_events, chain_status
from storage.catalog import Catalog
from storage.dashboard import AgencyFigures, UnknownAgency, agencies_in_view, dashboard, day_window
from storage.days import today
from storage.fixity import check_fixity
from storage.fixity_status import fixity_runs, object_counts
from storage.objects import LocalStore
from storage.schema import AuditEvent
from storage.search import BadCursor
from storage.spreadsheets import Column, Sheet, to_csv, to_xlsx
from storage.users import add_user

DOSSIER = "000.00.12.H40-240504-0001"
OTHER_DOSSIER = "000.00.12.H40-240504-0002"


def _dossiers(catalog: Catalog, store: LocalStore) -> None:
    batch = "20240505T013000-dossier1"
    catalog.start_batch(batch, "H40.01", "dossier", {"kind": "dossier", "operator": "Nguyễn Thị Thu",
                                                     "agency_name": "UBND xã An Hòa"})
    for n, code in enumerate((DOSSIER, DOSSIER, OTHER_DOSSIER), 1):
        doc = document(f"hs-{n}", "application_form", {"applicant_name": "LÊ VĂN TÁM"}, batch=batch)
        doc["dossier_code"] = code
        doc["needs_review"] = n == 2
        doc["signature"]["signed_at"] = "2024-05-04T18:30:00+00:00"  # 01:30 on the 5th in Vietnam
        store_document(catalog, store, doc)
    catalog.finish_batch(batch, "done", {"documents": 3})


def _register_book(catalog: Catalog, store: LocalStore) -> None:
    batch = "20240505T080000-book2017"
    catalog.start_batch(batch, "H40.01", "registry_book",
                        {"kind": "registry_book", "book": {"type": "death", "year": 2017, "volume": "01"}})
    entries = [{"registration_number": str(n), "registration_date": "2016-12-30", "full_name": "ĐẶNG VĂN MỘT",
                "date_of_death": "2016-12-29"} for n in (1, 2)]
    store_document(catalog, store, document("so-kt-2017", "death_register_page", {}, records=entries, batch=batch))
    catalog.finish_batch(batch, "done", {"documents": 1})


def _failed_results(catalog: Catalog, store: LocalStore) -> None:
    batch = "20240506T080000-results2"
    catalog.start_batch(batch, "H40.01", "result", {"kind": "result"})
    store_document(catalog, store, document("kq-9", "decision", {"document_number": "9/QĐ-UBND"}, batch=batch))
    catalog.finish_batch(batch, "done", {"documents": 1, "failed": [{"source": "kq-10.tif", "error": "truncated"}],
                                         "rescan": [{"source": "kq-9.png", "page": 1, "reason": "150 dpi"},
                                                    {"source": "kq-9.png", "page": 2, "reason": "150 dpi"}]})


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "objects")


@pytest.fixture
def filled(catalog: Catalog, store: LocalStore) -> Catalog:
    store_sample(catalog, store)  # 8 results (6 of H40.01 with a birth register page of 3 entries, 2 of H40.02)
    _dossiers(catalog, store)
    _register_book(catalog, store)
    _failed_results(catalog, store)
    corrected = document("bc-an", "birth_certificate", {"full_name": "NGUYỄN VĂN AN"}, version=2,
                         batch="20240504T080000-H4001")
    corrected["signature"]["signed_at"] = "2024-05-06T09:00:00+07:00"
    store_document(catalog, store, corrected)  # a correction digitizes no page
    return catalog


def test_the_agencies_lines_and_the_total(filled: Catalog) -> None:
    board = dashboard(filled)
    lines = {line.agency: line for line in board.by_agency}
    assert lines["H40.01"] == AgencyFigures(agency="H40.01", documents=11, dossier_documents=3, dossier_codes=2,
                                            result_documents=7, results_signed=7, result_files_failed=1,
                                            register_entries=5, awaiting_review=1)
    assert lines["H40.01"].results_signed_share == 0.875
    assert (lines["H40.02"].documents, lines["H40.02"].results_signed_share) == (2, 1.0)
    assert (board.total.documents, board.total.result_files_failed, board.total.register_entries) == (13, 1, 5)
    assert board.total.results_signed_share == round(9 / 10, 4)
    assert AgencyFigures(agency="X").results_signed_share is None


def test_register_entries_per_book_type_and_year(filled: Catalog) -> None:
    registers = {(r.agency, r.book_type, r.year): r.entries for r in dashboard(filled).registers}
    assert registers == {("H40.01", "birth", 1990): 3,  # no book in the manifest: the registration dates' year
                         ("H40.01", "death", 2017): 2}  # the book's year wins over the entries' dates (2016)


def test_pages_and_problems_per_day_in_vietnam(filled: Catalog) -> None:
    board = dashboard(filled, since=dt.date(2024, 5, 3), until=dt.date(2024, 5, 6))
    assert [(d.day.day, d.documents, d.pages) for d in board.pages_per_day] == [(3, 0, 0), (4, 10, 10), (5, 3, 3),
                                                                                (6, 0, 0)]
    assert all(d.failed_files == d.rescan_pages == 0 for d in board.problems_per_day)
    now = dashboard(filled, since=today(), until=today())
    assert [(d.failed_files, d.rescan_pages) for d in now.problems_per_day] == [(1, 2)]  # the batches ended today


def test_the_review_backlog_and_the_agencies_filter(filled: Catalog) -> None:
    backlog = dashboard(filled).backlog
    assert [(b.agency, b.doc_type, b.documents) for b in backlog] == [("H40.01", "application_form", 1)]
    assert backlog[0].oldest == dt.datetime(2024, 5, 4, 18, 30, tzinfo=dt.UTC)
    only = dashboard(filled, ["H40.02", "H40.09"])
    assert [line.agency for line in only.by_agency] == ["H40.02", "H40.09"]  # one asked for shows with nothing
    assert (only.total.documents, only.registers, only.backlog) == (2, [], [])


def test_the_day_window() -> None:
    assert day_window(None, dt.date(2026, 1, 30)) == (dt.date(2026, 1, 1), dt.date(2026, 1, 30))
    for since, until in ((dt.date(2026, 2, 1), dt.date(2026, 1, 1)), (dt.date(2024, 1, 1), dt.date(2026, 1, 1))):
        with pytest.raises(ValueError):
            day_window(since, until)


def test_the_agencies_a_caller_may_count() -> None:
    assert agencies_in_view([], None) is None and agencies_in_view(["B", "A", "B"], None) == ["A", "B"]
    assert agencies_in_view([], frozenset({"B", "A"})) == ["A", "B"] and agencies_in_view(["A"], {"A", "B"}) == ["A"]
    with pytest.raises(UnknownAgency):
        agencies_in_view(["C"], {"A"})


def test_the_audit_log_filtered_and_paged(filled: Catalog) -> None:
    signing = audit_events(filled, AuditFilter(action="signing"), limit=200)
    assert len(signing.items) == 14 and signing.next is None
    assert [e.seq for e in signing.items] == sorted((e.seq for e in signing.items), reverse=True)
    assert {e.subject for e in audit_events(filled, AuditFilter(subject="HS-"), limit=200).items} == {
        "hs-1 v1", "hs-2 v1", "hs-3 v1"}
    assert {e.actor for e in audit_events(filled, AuditFilter(actor="tester"), limit=200).items} == {"tester"}
    assert audit_events(filled, AuditFilter(subject="100%_")).items == []  # LIKE's wildcards are plain letters
    seen, cursor = [], None
    while True:
        page = audit_events(filled, AuditFilter(), cursor=cursor, limit=4)
        seen += [e.seq for e in page.items]
        if not (cursor := page.next):
            break
    assert seen == list(range(len(seen), 0, -1))  # every event once, newest first
    assert audit_events(filled, AuditFilter(since=today(), until=today()), limit=200).items
    assert audit_events(filled, AuditFilter(until=today() - dt.timedelta(days=1))).items == []
    with pytest.raises(BadCursor):
        audit_events(filled, AuditFilter(), cursor="x")
    with pytest.raises(ValueError, match="unknown action"):
        audit_events(filled, AuditFilter(action="delete"))


def test_the_chain_status_names_a_changed_event(filled: Catalog, store: LocalStore) -> None:
    status = chain_status(filled, store)
    assert status.intact and status.problems == [] and status.events == len(audit_events(filled, AuditFilter(),
                                                                                         limit=200).items)
    with filled.engine.begin() as connection:
        connection.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(details="{}"))
    broken = chain_status(filled, store)
    assert not broken.intact and [p.seq for p in broken.problems] == [4]


def test_the_last_fixity_runs(filled: Catalog, store: LocalStore) -> None:
    assert fixity_runs(filled) == [] and object_counts(filled).due == object_counts(filled).stored > 0
    check_fixity(filled, store, actor="luu.tru", everything=True)
    store_document(filled, store, document("moi", "decision", {}, batch="20240506T080000-results2"))
    key = "docs/H40.01/moi/v1.pdf"
    StoreUnderTest("local", store, root=store.root).flip_byte(key)
    check_fixity(filled, store, actor="luu.tru")
    last, first = fixity_runs(filled)
    assert (first.everything, first.checked, first.changed, first.actor) == (True, object_counts(filled).stored - 2,
                                                                            0, "luu.tru")
    assert (last.everything, last.checked, last.changed, last.changed_keys, last.missing) == (False, 2, 1, [key], 0)
    assert object_counts(filled).model_dump() == {"stored": first.checked + 2, "due": 0, "problems": 1}


def test_the_agencies_known(filled: Catalog) -> None:
    add_user(filled, "lan", "officer", ["H40.01", "H40.09"], actor="admin", token=False)
    agencies = {a.code: a for a in known_agencies(filled)}
    assert agencies["H40.01"].model_dump() == {"code": "H40.01", "name": "UBND xã An Hòa", "batches": 4, "users": 1}
    assert agencies["H40.09"].model_dump() == {"code": "H40.09", "name": None, "batches": 0, "users": 1}
    assert [a.code for a in known_agencies(filled, ["H40.02"])] == ["H40.02"]


def test_a_table_as_csv_and_xlsx() -> None:
    sheet = Sheet("Tổng hợp", [Column("Cơ quan"), Column("Số", "count"), Column("Tỷ lệ", "share"),
                               Column("Ngày", "day"), Column("Lúc", "time")],
                  [["H40.01", 3, 0.875, dt.date(2024, 5, 4), dt.datetime(2024, 5, 4, 18, 30, tzinfo=dt.UTC)],
                   ["H40.02", 0, None, None, None]], ["Tổng cộng", 3, 0.875, None, None], "Cơ quan: tất cả")
    lines = list(csv.reader(io.StringIO(to_csv(sheet).decode("utf-8-sig"))))
    assert lines == [["Cơ quan", "Số", "Tỷ lệ", "Ngày", "Lúc"],
                     ["H40.01", "3", "0.875", "2024-05-04", "2024-05-05 01:30"],  # Vietnam's time
                     ["H40.02", "0", "", "", ""], ["Tổng cộng", "3", "0.875", "", ""]]
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(sheet))).active
    assert [c.value for c in book[1]][0] == "Tổng hợp" and book["A2"].value == "Cơ quan: tất cả"
    assert [c.value for c in book[4]] == ["H40.01", 3, 0.875, dt.datetime(2024, 5, 4), dt.datetime(2024, 5, 5, 1, 30)]
    assert book["C4"].number_format == "0.0%" and book["A6"].font.bold
