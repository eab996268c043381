"""Object stores behind one small interface, and the local-folder store.

Objects are write-once: putting a key again with the same bytes does nothing, with other bytes raises
``ObjectExists``. Every object carries its SHA-256 and content type and nothing else — no names or personal
IDs: those stay in the catalog.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from storage.retention import Retention

log = logging.getLogger(__name__)

CHUNK = 1 << 20
LOCKED_PREFIXES = ("docs/", "audit/")  # signed results and audit anchors: under retention where the store can
_META_SUFFIX = ".meta.json"


class ObjectExists(Exception):
    """A write-once key already holds different bytes."""


class ObjectMissing(Exception):
    """No object under this key."""


class ObjectChanged(Exception):
    """An object's bytes no longer hash to the SHA-256 recorded when it was stored."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    sha256: str
    size: int
    content_type: str


class ObjectStore(Protocol):
    """``retention``: how long a document's object must be kept; stores with object lock enforce it."""

    def put(self, key: str, data: bytes, content_type: str, retention: Retention | None = None) -> StoredObject: ...
    def put_file(self, key: str, path: Path, content_type: str, retention: Retention | None = None
                 ) -> StoredObject: ...
    def get(self, key: str) -> bytes: ...
    def chunks(self, key: str) -> Iterator[bytes]: ...
    def stat(self, key: str) -> StoredObject: ...
    def exists(self, key: str) -> bool: ...
    def keys(self, prefix: str) -> Iterator[str]: ...


def file_sha256(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest(), os.fstat(f.fileno()).st_size


def rehash(store: ObjectStore, key: str) -> str:
    """SHA-256 of an object's bytes as the store returns them now (not what its metadata says)."""
    digest = hashlib.sha256()
    for chunk in store.chunks(key):
        digest.update(chunk)
    return digest.hexdigest()


def check_write_once(existing: StoredObject, sha256: str) -> None:
    if existing.sha256 != sha256:
        raise ObjectExists(f"{existing.key} is already stored with other content")


class LocalStore:
    """A folder; each object beside a ``.meta.json`` sidecar; atomic writes; stored files are read-only (retention
    is not enforced beyond that)."""

    def __init__(self, root: Path, retention_years: int = 0) -> None:
        self.root = root
        if retention_years:
            log.warning("object-lock retention (SOHOA_RETENTION_YEARS=%d) is not enforced by a local folder store; "
                        "objects are only write-once and read-only", retention_years)

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents or key.endswith(_META_SUFFIX) or path.name.startswith(".tmp-"):
            raise ValueError(f"not a valid object key: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str, retention: Retention | None = None) -> StoredObject:
        return self._put_stream(key, io.BytesIO(data), content_type)

    def put_file(self, key: str, path: Path, content_type: str, retention: Retention | None = None) -> StoredObject:
        """``retention`` is not enforced here (a folder has no object lock): stored files are read-only."""
        with path.open("rb") as f:
            return self._put_stream(key, f, content_type)

    def _put_stream(self, key: str, source: BinaryIO, content_type: str) -> StoredObject:
        """Copy to a temporary file while hashing; the sidecar, created exclusively, claims the key."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp, sha256, size = _temporary_copy(path.parent, source)
        try:
            stored = StoredObject(key, sha256, size, content_type)
            meta = json.dumps({"sha256": sha256, "size": size, "content_type": content_type}).encode()
            if not _create_exclusively(_meta_path(path), meta):  # claimed before: by the same bytes, or an error
                check_write_once(self._meta(key), sha256)
                if path.exists():
                    return stored
            os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            os.replace(tmp, path)
            fsync_dir(path.parent)
            return stored
        finally:
            tmp.unlink(missing_ok=True)

    def _meta(self, key: str) -> StoredObject:
        meta = json.loads(_meta_path(self._path(key)).read_text())
        return StoredObject(key, meta["sha256"], meta["size"], meta["content_type"])

    def get(self, key: str) -> bytes:
        return b"".join(self.chunks(key))

    def chunks(self, key: str) -> Iterator[bytes]:
        try:
            f = self._path(key).open("rb")
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        with f:
            while chunk := f.read(CHUNK):
                yield chunk

    def stat(self, key: str) -> StoredObject:
        if not self.exists(key):
            raise ObjectMissing(key)
        return self._meta(key)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def keys(self, prefix: str) -> Iterator[str]:
        root = self.root.resolve()
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(_META_SUFFIX) or name.startswith(".tmp-"):
                    continue
                key = (Path(dirpath) / name).relative_to(root).as_posix()
                if key.startswith(prefix):
                    yield key


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + _META_SUFFIX)


def _temporary_copy(folder: Path, source: BinaryIO) -> tuple[Path, str, int]:
    """A stream copied to a new temporary file in ``folder`` (fsynced): the file, its SHA-256 and size."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as f:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name), digest.hexdigest(), size


def _create_exclusively(path: Path, data: bytes) -> bool:
    """Write a whole file under a name no one holds yet (a hard link is atomic and never replaces); False if held."""
    tmp = _temporary_copy(path.parent, io.BytesIO(data))[0]
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink()
    return True


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_object(store: ObjectStore, key: str, out: Path, sha256: str) -> None:
    """Write an object to a file, checking its SHA-256 before the file appears under its name."""
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as f:
            for chunk in store.chunks(key):
                digest.update(chunk)
                f.write(chunk)
        _check_sha256(key, digest.hexdigest(), sha256)
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)


def read_object(store: ObjectStore, key: str, sha256: str) -> bytes:
    """An object's bytes, checked against the SHA-256 the catalog recorded (ObjectChanged when they differ)."""
    data = store.get(key)
    _check_sha256(key, hashlib.sha256(data).hexdigest(), sha256)
    return data


def _check_sha256(key: str, actual: str, recorded: str) -> None:
    if actual != recorded:
        raise ObjectChanged(f"{key} does not hash to what the catalog recorded: it was changed")
