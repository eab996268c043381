"""The MinIO / S3 object store, through the ``minio`` SDK.

One bucket, created when missing (with object lock when retention is asked for). Each object's user metadata is
its SHA-256 only: hex, so the SDK's latin-1 headers never meet Vietnamese text, and no personal data. Every
upload carries Content-MD5, which object-lock writes require and which the SDK itself sends only over HTTPS.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.error import S3Error
from minio.retention import Retention as ObjectRetention
from urllib3 import BaseHTTPResponse

from storage.objects import (
    CHUNK,
    LOCKED_PREFIXES,
    ObjectMissing,
    StoredObject,
    check_write_once,
    file_sha256,
)
from storage.retention import Retention, add_years

log = logging.getLogger(__name__)

SHA256_METADATA = "sha256"  # sent as x-amz-meta-sha256
_MISSING_CODES = {"NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"}


class ContentMd5PoolManager(urllib3.PoolManager):
    """An HTTP client that adds Content-MD5 to every request with a body that lacks one (plain HTTP included)."""

    # PoolManager.urlopen's own signature, which urllib3 itself declares with this ignore: it narrows its base's
    def urlopen(  # type: ignore[override]
            self, method: str, url: str, redirect: bool = True, **kw: Any) -> BaseHTTPResponse:
        body, headers = kw.get("body"), kw.get("headers")
        if isinstance(body, bytes) and headers is not None and "Content-MD5" not in headers:
            headers["Content-MD5"] = base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()
        return super().urlopen(method, url, redirect, **kw)


def _http_client() -> ContentMd5PoolManager:
    """The SDK's own defaults (timeouts, retries, CA bundle), plus Content-MD5."""
    timeout = 300
    return ContentMd5PoolManager(
        timeout=urllib3.Timeout(connect=timeout, read=timeout), maxsize=10, cert_reqs="CERT_REQUIRED",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=urllib3.Retry(total=5, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]))


@dataclass(frozen=True)
class S3Settings:
    """Where the store is (CONTRACT §4: SOHOA_S3_*); the keys never show in a repr or a log."""
    endpoint: str
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    secure: bool = True
    region: str | None = None
    bucket: str = "sohoa"

    def connect(self, retention_years: int = 0, object_lock: bool = False) -> S3Store:
        """The store; its bucket gets object lock when made, if ``retention_years`` or ``object_lock`` ask for it."""
        client = Minio(self.endpoint, access_key=self.access_key, secret_key=self.secret_key, secure=self.secure,
                       region=self.region, http_client=_http_client())
        return S3Store(client, self.bucket, retention_years, object_lock)


class S3Store:
    """Objects in one bucket of a MinIO or other S3 server; results under COMPLIANCE retention when enabled.

    A put given a document's :class:`Retention` locks it until that date, or with a legal hold when permanent;
    other results and audit anchors get ``retention_years``."""

    def __init__(self, client: Minio, bucket: str, retention_years: int = 0, object_lock: bool = False) -> None:
        self.client, self.bucket = client, bucket
        self.locking = self._prepare_bucket(retention_years > 0 or object_lock)
        self.retention_years = retention_years if self.locking else 0

    def __repr__(self) -> str:
        return f"S3Store({self.bucket!r})"

    def _prepare_bucket(self, lock: bool) -> bool:
        """Create the bucket when missing; whether object lock is in force (never where it was not asked for)."""
        if not self.client.bucket_exists(self.bucket):
            try:
                self.client.make_bucket(self.bucket, object_lock=lock)
            except S3Error as exc:
                if exc.code in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    pass  # made by another process meanwhile
                elif lock:
                    log.warning("the S3 server cannot create bucket %s with object lock (%s); results are stored "
                                "WITHOUT retention", self.bucket, exc.code)
                    self.client.make_bucket(self.bucket)
                    return False
                else:
                    raise
        if lock and not self._object_lock_enabled():
            log.warning("bucket %s has no object lock (it can only be enabled when a bucket is created); results "
                        "are stored WITHOUT the retention asked by SOHOA_RETENTION_YEARS / SOHOA_RETENTION_CLASSES",
                        self.bucket)
            return False
        return lock

    def _object_lock_enabled(self) -> bool:
        try:
            self.client.get_object_lock_config(self.bucket)
        except S3Error:
            return False
        return True

    def _lock(self, key: str, retention: Retention | None) -> dict[str, Any]:
        """The put_object arguments that lock this object, if any."""
        if not self.locking:
            return {}
        if retention is not None:
            if retention.permanent:
                return {"legal_hold": True}
            until = retention.until_date()
            return {"retention": ObjectRetention(COMPLIANCE, dt.datetime.combine(until, dt.time(), dt.UTC))} \
                if until else {}
        if self.retention_years and key.startswith(LOCKED_PREFIXES):
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            return {"retention": ObjectRetention(COMPLIANCE, add_years(now, self.retention_years))}
        return {}

    def put(self, key: str, data: bytes, content_type: str, retention: Retention | None = None) -> StoredObject:
        return self._put(StoredObject(key, hashlib.sha256(data).hexdigest(), len(data), content_type),
                         io.BytesIO(data), retention)

    def put_file(self, key: str, path: Path, content_type: str, retention: Retention | None = None) -> StoredObject:
        """Two passes over the file (hash, then upload in parts): the SHA-256 goes in the first request."""
        sha256, size = file_sha256(path)
        with path.open("rb") as f:
            return self._put(StoredObject(key, sha256, size, content_type), f, retention)

    def _put(self, obj: StoredObject, stream: BinaryIO, retention: Retention | None) -> StoredObject:
        try:
            check_write_once(self.stat(obj.key), obj.sha256)
            return obj
        except ObjectMissing:
            pass
        self.client.put_object(self.bucket, obj.key, stream, obj.size, content_type=obj.content_type,
                               metadata={SHA256_METADATA: obj.sha256}, **self._lock(obj.key, retention))
        return obj

    def get(self, key: str) -> bytes:
        return b"".join(self.chunks(key))

    def chunks(self, key: str) -> Iterator[bytes]:
        try:
            response = self.client.get_object(self.bucket, key)
        except S3Error as exc:
            raise _missing_or_error(exc, key) from None
        try:
            yield from response.stream(CHUNK)
        finally:
            response.close()
            response.release_conn()

    def stat(self, key: str) -> StoredObject:
        try:
            info = self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            raise _missing_or_error(exc, key) from None
        sha256 = info.metadata.get(f"x-amz-meta-{SHA256_METADATA}", "") if info.metadata else ""
        return StoredObject(key, sha256, info.size or 0, info.content_type or "")

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except ObjectMissing:
            return False
        return True

    def keys(self, prefix: str) -> Iterator[str]:
        for obj in self.client.list_objects(self.bucket, prefix=prefix, recursive=True):
            if obj.object_name and not obj.is_dir:
                yield obj.object_name


def _missing_or_error(exc: S3Error, key: str) -> Exception:
    return ObjectMissing(key) if exc.code in _MISSING_CODES else exc
