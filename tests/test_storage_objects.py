"""The object stores: the same tests on a local folder, moto's S3 server and (when configured) a real MinIO."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from pathlib import Path

import pytest
from minio.error import S3Error
from storage_backends import StoreUnderTest, s3_settings

from sohoa.settings import Settings
from storage.objects import LocalStore, ObjectExists, ObjectMissing, rehash
from storage.s3 import S3Settings, S3Store

PDF = b"%PDF-1.7\n% signed\n%%EOF\n"


def test_an_object_carries_its_sha256_and_content_type(store_under_test: StoreUnderTest) -> None:
    store = store_under_test.store
    stored = store.put("docs/H40.01/abc/v1.pdf", PDF, "application/pdf")
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest() and stored.size == len(PDF)
    assert store.stat("docs/H40.01/abc/v1.pdf") == stored
    assert store.get("docs/H40.01/abc/v1.pdf") == PDF
    assert store.exists("docs/H40.01/abc/v1.pdf") and not store.exists("docs/H40.01/abc/v2.pdf")


def test_metadata_holds_no_personal_data(store_under_test: StoreUnderTest) -> None:
    """A JSON full of Vietnamese names is stored; its metadata is the hash and content type, nothing else."""
    record = json.dumps({"fields": {"full_name": "NGUYỄN VĂN AN", "personal_id": "001090012345"}},
                        ensure_ascii=False).encode()
    store_under_test.store.put("docs/H40.01/abc/v1.json", record, "application/json")
    if store_under_test.root:
        meta = json.loads((store_under_test.root / "docs/H40.01/abc/v1.json.meta.json").read_text())
        assert set(meta) == {"sha256", "size", "content_type"}
    else:
        info = store_under_test.client.stat_object(store_under_test.bucket, "docs/H40.01/abc/v1.json")
        user_metadata = {k.lower() for k in info.metadata if k.lower().startswith("x-amz-meta-")}
        assert user_metadata == {"x-amz-meta-sha256"}
        assert info.content_type == "application/json"


def test_objects_are_write_once(store_under_test: StoreUnderTest) -> None:
    store = store_under_test.store
    first = store.put("raw/H40.01/b1/aa.png", b"scan", "image/png")
    assert store.put("raw/H40.01/b1/aa.png", b"scan", "image/png") == first  # the same bytes again: nothing happens
    with pytest.raises(ObjectExists):
        store.put("raw/H40.01/b1/aa.png", b"other scan", "image/png")
    assert store.get("raw/H40.01/b1/aa.png") == b"scan"


def test_files_are_stored_in_parts_with_their_hash(store_under_test: StoreUnderTest, tmp_path: Path) -> None:
    """A 6 MiB scan: more than one part on S3 (each part with its own Content-MD5)."""
    scan = tmp_path / "book.tif"
    scan.write_bytes(bytes(range(256)) * (6 * 4096))
    stored = store_under_test.store.put_file("raw/H40.01/b1/book.tif", scan, "image/tiff")
    assert stored.sha256 == hashlib.sha256(scan.read_bytes()).hexdigest()
    assert rehash(store_under_test.store, "raw/H40.01/b1/book.tif") == stored.sha256
    assert store_under_test.store.put_file("raw/H40.01/b1/book.tif", scan, "image/tiff") == stored


def test_keys_and_missing_objects(store_under_test: StoreUnderTest) -> None:
    store = store_under_test.store
    for key in ("docs/A/d1/v1.pdf", "docs/A/d1/v1.json", "docs/B/d2/v1.pdf", "raw/A/b1/x.png"):
        store.put(key, key.encode(), "application/octet-stream")
    assert sorted(store.keys("docs/A/")) == ["docs/A/d1/v1.json", "docs/A/d1/v1.pdf"]
    assert len(list(store.keys(""))) == 4
    for read in (store.get, store.stat, lambda k: list(store.chunks(k))):
        with pytest.raises(ObjectMissing):
            read("docs/A/d9/v1.pdf")


def test_results_are_locked_over_plain_http(moto_endpoint: str) -> None:
    """Retention needs Content-MD5, which the SDK sends only over HTTPS: the store sends it itself."""
    store = s3_settings("moto", moto_endpoint).connect(retention_years=10)
    assert store.retention_years == 10
    store.put("docs/H40.01/abc/v1.pdf", PDF, "application/pdf")
    store.put("raw/H40.01/b1/aa.png", b"scan", "image/png")
    info = store.client.stat_object(store.bucket, "docs/H40.01/abc/v1.pdf")
    assert info.metadata["x-amz-object-lock-mode"] == "COMPLIANCE"
    until = dt.datetime.fromisoformat(info.metadata["x-amz-object-lock-retain-until-date"].replace("Z", "+00:00"))
    assert until.year - dt.datetime.now(dt.UTC).year == 10
    assert "x-amz-object-lock-mode" not in store.client.stat_object(store.bucket, "raw/H40.01/b1/aa.png").metadata
    with pytest.raises(S3Error):  # a locked version cannot be deleted
        store.client.remove_object(store.bucket, "docs/H40.01/abc/v1.pdf", version_id=info.version_id)


def test_a_bucket_without_object_lock_is_a_clear_warning(moto_endpoint: str, caplog: pytest.LogCaptureFixture,
                                                         tmp_path: Path) -> None:
    settings = s3_settings("moto", moto_endpoint)
    settings.connect()  # the bucket is made without object lock
    with caplog.at_level(logging.WARNING, "storage"):
        store = settings.connect(retention_years=5)
        LocalStore(tmp_path, retention_years=5)
    assert store.retention_years == 0
    bucket_warning, folder_warning = (r.getMessage() for r in caplog.records if r.name in ("storage.s3",
                                                                                             "storage.objects"))
    assert f"bucket {settings.bucket} has no object lock" in bucket_warning and "WITHOUT" in bucket_warning
    assert "not enforced by a local folder store" in folder_warning
    store.put("docs/H40.01/abc/v1.pdf", PDF, "application/pdf")  # stored, without retention


def test_settings_choose_the_store(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    assert isinstance(Settings.from_env().object_store(), LocalStore)
    for name, value in {"SOHOA_S3_ENDPOINT": moto_endpoint, "SOHOA_S3_ACCESS_KEY": "testing",
                        "SOHOA_S3_SECRET_KEY": "very secret", "SOHOA_S3_SECURE": "false",
                        "SOHOA_S3_BUCKET": "sohoa-settings-test"}.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env()
    store = settings.object_store()
    assert isinstance(store, S3Store) and store.client.bucket_exists("sohoa-settings-test")
    assert "very secret" not in repr(settings) and isinstance(settings.s3, S3Settings)
