"""`sohoa report`: progress per agency, kind, register book and document type, on SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

from storage_documents import document, store_document, store_sample

from storage.catalog import Catalog
from storage.objects import LocalStore
from storage.report import progress, totals


def test_progress_per_agency_kind_book_and_type(catalog: Catalog, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects")
    store_sample(catalog, store)  # 8 results of two agencies, each with one shown page and one blank page
    book = "20240601T080000-book0001"
    catalog.start_batch(book, "H40.01", "registry_book",
                        {"kind": "registry_book", "book": {"type": "birth", "year": 1990, "volume": "01"}})
    for n in (1, 2):
        page = document(f"so-{n}", "birth_register_page", {}, agency="H40.01", batch=book)
        page["needs_review"] = n == 2
        store_document(catalog, store, page)
    catalog.finish_batch(book, "done", {"documents": 2, "failed": [{"source": "p3.tif", "error": "truncated"}]})

    rows = {(r.agency, r.kind, r.book, r.doc_type): r for r in progress(catalog)}
    register = rows[("H40.01", "registry_book", "H40.01/birth/1990/01", "birth_register_page")]
    assert (register.documents, register.pages, register.signed, register.awaiting_review) == (2, 2, 2, 1)
    assert register.review_rate == 0.5
    failed = rows[("H40.01", "registry_book", "H40.01/birth/1990/01", "-")]
    assert (failed.documents, failed.failed, failed.failure_rate) == (0, 1, 1.0)
    births = rows[("H40.01", "result", "-", "birth_certificate")]
    assert (births.documents, births.pages, births.failed) == (2, 2, 0)
    assert rows[("H40.02", "result", "-", "decision")].documents == 1

    total = totals(list(rows.values()))
    assert (total.documents, total.pages, total.signed, total.awaiting_review, total.failed) == (10, 10, 10, 1, 1)
    only = progress(catalog, ["H40.02"])
    assert {r.agency for r in only} == {"H40.02"} and sum(r.documents for r in only) == 2
