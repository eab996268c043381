"""Service mode: a batch uploaded over HTTP is kept in the object store (so that a worker on any machine can read
it) and catalogued as queued; a worker runs it from there with the embedded pipeline, its progress in the catalog.

One job runs one whole batch (its pages in parallel on the worker's cores).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from ingest.errors import InputError
from ingest.limits import Limits
from ingest.manifest import Manifest
from ingest.sniff import Kind, sniff
from storage.batches import new_batch_id
from storage.catalog import Catalog
from storage.keys import raw_key, raw_prefix
from storage.objects import CHUNK, ObjectExists, ObjectStore, write_object
from storage.schema import Batch
from workers.embedded import CONTENT_TYPES, BatchConfig, Reporter, process_batch
from workers.summary import Summary

UPLOAD_RECORD = "upload.json"  # raw/<agency>/<batch>/upload.json: the files' names, the manifest, the uploader
NAME_BYTES = 200


class UploadError(Exception):
    """An upload was refused (nothing of it is kept); the message names the files and why."""


class TooLarge(UploadError):
    pass


class BatchExists(UploadError):
    pass


@dataclass(frozen=True)
class Received:
    """One uploaded file, copied to a local folder."""
    name: str
    path: Path
    sha256: str
    size: int
    kind: Kind


def safe_name(given: str | None, number: int) -> str:
    """An uploaded file's name without folders, control characters or leading dots (hidden files are no inputs),
    NFC, at most 200 bytes; ``upload-<number>`` when nothing is left."""
    name = unicodedata.normalize("NFC", re.split(r"[/\\]", given or "")[-1])
    name = "".join(c for c in name if c.isprintable()).strip().lstrip(".")
    return name.encode()[:NAME_BYTES].decode(errors="ignore").strip() or f"upload-{number}"


def store_upload(parts: Iterable[tuple[str | None, BinaryIO]], manifest: Manifest, agency: str, uploader: str,
                 catalog: Catalog, store: ObjectStore, limits: Limits, work_root: Path) -> str:
    """Keep an upload as a queued batch; its id. Raises UploadError (TooLarge, BatchExists) and keeps nothing."""
    work_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="upload-", dir=work_root) as folder:
        return _queue_upload(_receive(parts, Path(folder), limits), manifest, agency, uploader, catalog, store)


def _receive(parts: Iterable[tuple[str | None, BinaryIO]], folder: Path, limits: Limits) -> list[Received]:
    """Copy each part to ``folder`` under a safe name while hashing it. A file over the size limit stops the
    upload (TooLarge); twin names and files that are not scans are refused together (UploadError)."""
    received: list[Received] = []
    problems: list[str] = []
    for number, (given, stream) in enumerate(parts, 1):
        name = safe_name(given, number)
        if any(r.name == name for r in received):
            problems.append(f"{name}: two files have this name")
            continue
        path = folder / name
        sha256, size = _copy(stream, path, limits.max_file_bytes, name)
        try:
            received.append(Received(name, path, sha256, size, sniff(path)))
        except InputError as exc:
            problems.append(f"{name}: {exc}")
    if problems:
        raise UploadError("refused, nothing was kept: " + "; ".join(problems))
    return received


def _copy(stream: BinaryIO, path: Path, limit: int, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"{name}: larger than the limit of {limit} bytes (SOHOA_MAX_FILE_BYTES)")
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _queue_upload(files: list[Received], manifest: Manifest, agency: str, uploader: str, catalog: Catalog,
                  store: ObjectStore) -> str:
    """Scans and the upload's record under ``raw/<agency>/<batch>/``; the batch catalogued as queued, with an
    ``upload`` event by the uploader for each object."""
    batch_id = new_batch_id(dict.fromkeys(f.sha256 for f in files))
    exists = BatchExists(f"the same files were uploaded a moment ago, as batch {batch_id}")
    if catalog.batch(batch_id):
        raise exists
    objects = {f.sha256: store.put_file(raw_key(agency, batch_id, f.sha256, f.kind), f.path, CONTENT_TYPES[f.kind])
               for f in files}
    record = {"batch": batch_id, "agency": agency, "uploader": uploader,
              "uploaded_at": dt.datetime.now(dt.UTC).isoformat(), "manifest": manifest.model_dump(exclude_none=True),
              "files": [{"name": f.name, "sha256": f.sha256, "size": f.size, "kind": f.kind} for f in files]}
    try:
        upload = store.put(raw_prefix(agency, batch_id) + UPLOAD_RECORD,
                           json.dumps(record, ensure_ascii=False, indent=1).encode(), "application/json")
    except ObjectExists:
        raise exists from None
    catalog.start_batch(batch_id, agency, manifest.kind, record["manifest"], status="queued")
    for obj in [*objects.values(), upload]:
        catalog.add_raw_object(obj, batch_id, uploader)
    return batch_id


class CatalogProgress(Reporter):
    """Pages to read and pages read so far, kept in the batch's catalog row: at most one write a second, and the
    last one. Pages are reported from the page pool's threads."""

    def __init__(self, catalog: Catalog, batch_id: str, interval: float = 1.0) -> None:
        self.catalog, self.batch_id, self.interval = catalog, batch_id, interval
        self.pages = self.done = 0
        self._written = 0.0
        self._lock = threading.Lock()

    def progress(self) -> dict[str, int]:
        return {"pages": self.pages, "done": self.done}

    def begin(self, total_pages: int) -> None:
        with self._lock:
            self.pages = total_pages
            self._write()

    def page_done(self) -> None:
        with self._lock:
            self.done += 1
            if self.done >= self.pages or time.monotonic() - self._written >= self.interval:
                self._write()

    def _write(self) -> None:
        self.catalog.batch_progress(self.batch_id, self.progress())
        self._written = time.monotonic()


def run_uploaded(batch_id: str, base: BatchConfig) -> Summary | None:
    """Run an uploaded batch: its scans fetched (checked against their SHA-256) into a temporary folder under
    their uploaded names, which become the documents' sources. ``base`` is the configuration of this worker;
    the batch's agency, manifest and folders replace its own.

    None when the batch is done already: a retried job finds finished work and skips it (and a rerun of an
    interrupted one reuses the documents stored before). Anything raised marks the batch failed, with the reason,
    and is raised again (RQ then retries the job)."""
    catalog = Catalog(base.database_url)
    batch = catalog.batch(batch_id)
    if batch is None:
        raise LookupError(f"no batch {batch_id} in the catalog")
    if batch.status == "done":
        return None
    store = base.object_store()
    reporter = CatalogProgress(catalog, batch_id)
    (base.data_dir / "work").mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="run-", dir=base.data_dir / "work"))
    try:
        record = json.loads(store.get(raw_prefix(batch.agency, batch_id) + UPLOAD_RECORD))
        inputs = folder / "in"
        inputs.mkdir()
        for file in record["files"]:
            write_object(store, raw_key(batch.agency, batch_id, file["sha256"], file["kind"]), inputs / file["name"],
                         file["sha256"])
        config = replace(base, out_dir=folder / "out", agency=batch.agency, batch_id=batch_id, input_dir=inputs,
                         manifest=Manifest.model_validate(record["manifest"]))
        return process_batch([file["name"] for file in record["files"]], config, reporter)
    except Exception as exc:
        fail_batch(catalog, batch_id, f"the batch stopped: {type(exc).__name__}: {exc}", reporter.progress())
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fail_batch(catalog: Catalog, batch_id: str, reason: str, progress: dict[str, int] | None = None) -> None:
    """A batch that could not run (to its end) is failed, the reason listed as its failure."""
    catalog.finish_batch(batch_id, "failed", {**(progress or {}), "failed": [{"source": batch_id, "error": reason}]})


def batch_status(batch: Batch) -> dict[str, Any]:
    """``GET /api/batches/{id}``: while it runs, the pages to read and read so far; once it ended, its summary's
    counts (every page done), what failed and why, what was skipped and the pages to scan again."""
    summary = batch.summary or {}
    pages = summary.get("pages", 0)
    return {"id": batch.id, "status": batch.status, "documents": summary.get("documents", 0), "pages": pages,
            "done": summary.get("done", pages), "failed": summary.get("failed", []),
            "skipped": summary.get("skipped", []), "rescan": summary.get("rescan", [])}
