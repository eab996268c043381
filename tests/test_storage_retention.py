"""Retention classes: registry books permanent, the rest by configuration; kept in the catalog, enforced by the S3
server's object lock (a COMPLIANCE date, or a legal hold for permanent records)."""
from __future__ import annotations

import datetime as dt

import pytest
from minio.error import S3Error
from storage_backends import s3_settings
from storage_documents import document, store_document

from sohoa.settings import Settings
from storage.catalog import Catalog
from storage.objects import LocalStore
from storage.retention import Retention, RetentionPolicy, parse_classes
from storage.schema import Document

TODAY = dt.date(2024, 2, 29)


def test_registry_books_are_permanent_and_the_rest_follow_the_configuration() -> None:
    policy = RetentionPolicy(parse_classes("dossier=10, result=permanent"), default_years=5)
    assert policy.for_document("registry_book", "other", TODAY) == Retention("registry_book", "permanent")
    assert policy.for_document(None, "death_register_page", TODAY) == Retention("registry_book", "permanent")
    assert policy.for_document("dossier", "application_form", TODAY) == Retention("dossier", "2034-02-28")
    assert policy.for_document("result", "birth_certificate", TODAY) == Retention("result", "permanent")
    assert policy.for_document(None, "decision", TODAY) == Retention("unclassified", "2029-02-28")
    assert RetentionPolicy().for_document("dossier", "decision", TODAY) == Retention("dossier", None)
    assert not RetentionPolicy().configured and policy.configured


@pytest.mark.parametrize("text, message", [
    ("registry_book=20", "kept permanently"), ("letters=5", "unknown retention class 'letters'"),
    ("dossier", "is not CLASS=YEARS"), ("dossier=0", "positive number of years"),
])
def test_a_malformed_configuration_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RetentionPolicy(parse_classes(text))


def test_settings_read_the_classes(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOHOA_RETENTION_CLASSES", "result=50")
    policy = Settings.from_env().retention_policy()
    assert policy.for_document("result", "decision", TODAY) == Retention("result", "2074-02-28")


def test_object_lock_follows_each_documents_class(moto_endpoint: str) -> None:
    store = s3_settings("moto", moto_endpoint).connect(object_lock=True)
    assert store.locking and store.retention_years == 0
    store.put("docs/H40/book/v1.pdf", b"%PDF register page", "application/pdf", Retention("registry_book", "permanent"))
    store.put("docs/H40/res/v1.pdf", b"%PDF result", "application/pdf", Retention("result", "2074-02-28"))
    store.put("docs/H40/dos/v1.pdf", b"%PDF dossier", "application/pdf", Retention("dossier", None))
    book = store.client.stat_object(store.bucket, "docs/H40/book/v1.pdf")
    assert book.metadata["x-amz-object-lock-legal-hold"] == "ON"
    result = store.client.stat_object(store.bucket, "docs/H40/res/v1.pdf").metadata
    assert result["x-amz-object-lock-mode"] == "COMPLIANCE"
    assert result["x-amz-object-lock-retain-until-date"].startswith("2074-02-28")
    assert "x-amz-object-lock-mode" not in store.client.stat_object(store.bucket, "docs/H40/dos/v1.pdf").metadata
    with pytest.raises(S3Error):  # a record under legal hold cannot be deleted
        store.client.remove_object(store.bucket, "docs/H40/book/v1.pdf", version_id=book.version_id)


def test_the_catalog_keeps_each_versions_class(tmp_path) -> None:
    catalog, store = Catalog.migrated(f"sqlite:///{tmp_path / 'catalog.db'}"), LocalStore(tmp_path / "objects")
    page = document("so-kt-2019", "death_register_page", {}, records=[{"registration_number": "31"}])
    page["retention"] = Retention("registry_book", "permanent").to_dict()
    store_document(catalog, store, page)
    store_document(catalog, store, document("old-doc", "decision", {"document_number": "1/QĐ"}))  # stored before
    stored = catalog.document("so-kt-2019")
    assert isinstance(stored, Document)
    assert (stored.retention_class, stored.retain_until) == ("registry_book", "permanent")
    assert (catalog.document("old-doc").retention_class, catalog.document("old-doc").retain_until) == (None, None)
