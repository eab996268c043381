"""The typed document record (CONTRACT §2) and the storage sink every maker of a version goes through."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import Run
from pydantic import ValidationError
from storage_documents import document

from storage.catalog import Catalog
from storage.keys import doc_key
from storage.objects import LocalStore
from workers.record import DocumentRecord
from workers.sink import catalog_stored, store_version


def test_every_document_the_pipeline_wrote_reads_back_as_the_same_json(sample_run: Run) -> None:
    documents = sample_run.documents()
    assert documents
    for written in documents:
        record = DocumentRecord.model_validate(written)
        assert record.to_json() == written
        shown = [p.pdf_page for p in record.pages if not p.blank]
        assert shown == list(range(1, len(shown) + 1))


def test_an_unknown_key_is_refused_not_dropped() -> None:
    written = document("kh-1", "marriage_certificate", {"husband_name": "NGUYỄN VĂN AN"})
    with pytest.raises(ValidationError, match="kind"):
        DocumentRecord.model_validate({**written, "kind": "result"})


def test_the_sink_stores_only_a_record_that_names_its_pdf(tmp_path: Path) -> None:
    catalog, store = Catalog.migrated(f"sqlite:///{tmp_path / 'catalog.db'}"), LocalStore(tmp_path / "objects")
    pdf = b"%PDF-1.7 signed\n%%EOF\n"
    record = DocumentRecord.model_validate(document("kh-1", "marriage_certificate", {"wife_name": "LÊ THỊ HOA"}))
    with pytest.raises(ValueError, match="SHA-256"):
        store_version(store, catalog, record, pdf, "tester")
    assert not store.exists(doc_key("H40.01", "kh-1", 1, "pdf"))
    record = record.model_copy(update={"sha256": hashlib.sha256(pdf).hexdigest()})
    store_version(store, catalog, record, pdf, "tester")
    assert DocumentRecord.from_bytes(store.get(doc_key("H40.01", "kh-1", 1, "json"))) == record
    assert catalog.document("kh-1").record["fields"] == {"wife_name": "LÊ THỊ HOA"}
    assert catalog_stored(store, catalog, "H40.01", "kh-1", 2, "tester") is None


def test_each_field_read_from_words_says_where_on_its_page(sample_run: Run) -> None:
    birth = sample_run.by_source("01_giay_khai_sinh.png")
    boxes = birth["boxes"]
    assert {"full_name", "date_of_birth", "personal_id", "mother_name"} <= set(boxes) <= set(birth["fields"])
    for document_json in sample_run.documents():
        shown = {p["index"] for p in document_json["pages"] if not p["blank"]}
        for box in document_json["boxes"].values():
            left, top, right, bottom = box["box"]
            assert box["page"] in shown and 0 <= left < right <= 1 and 0 <= top < bottom <= 1
    lines = [boxes[name]["box"] for name in ("full_name", "date_of_birth", "personal_id", "mother_name")]
    assert [box[1] for box in lines] == sorted(box[1] for box in lines)  # printed one under the other
    assert all(box[0] > 0.25 for box in lines)  # after their labels, not on them
