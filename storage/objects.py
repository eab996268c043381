"""Object stores behind one small interface. Objects are write-once: the same key never gets other bytes."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class ObjectExists(Exception):
    """A write-once key already holds different bytes."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    sha256: str
    size: int
    content_type: str


class ObjectStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> StoredObject: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...


class LocalStore:
    """A folder; each object beside a ``.meta.json`` with its SHA-256 and content type; writes are atomic."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"object key escapes the store: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        meta = StoredObject(key, digest, len(data), content_type)
        if path.exists():
            if self.stat(key).sha256 != digest:
                raise ObjectExists(f"{key} is already stored with other content")
            return meta
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path.with_name(path.name + ".meta.json"),
                      json.dumps({"sha256": digest, "size": len(data), "content_type": content_type}).encode())
        _atomic_write(path, data)
        return meta

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def stat(self, key: str) -> StoredObject:
        path = self._path(key)
        meta = json.loads(path.with_name(path.name + ".meta.json").read_text())
        return StoredObject(key, meta["sha256"], meta["size"], meta["content_type"])


def _atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same folder, fsync, rename: a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def put_file(store: ObjectStore, key: str, path: Path, content_type: str) -> StoredObject:
    """Store a file's bytes (raw scans are kept as they came)."""
    return store.put(key, path.read_bytes(), content_type)
