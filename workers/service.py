"""Service mode: a batch uploaded over HTTP is kept in the object store (so that a worker on any machine can read
it) and catalogued as queued; a worker runs it from there with the embedded pipeline, its progress in the catalog.

One job runs one whole batch (its pages in parallel on the worker's cores).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.exc import OperationalError
from urllib3.exceptions import HTTPError as TransportError

from ingest.errors import InputError, OverLimit
from ingest.limits import Limits
from ingest.manifest import Manifest
from ingest.pages import page_count
from ingest.sniff import Kind, sniff
from storage.batch_list import documents_stored, list_batches
from storage.batches import new_batch_id
from storage.catalog import Catalog
from storage.keys import raw_key, raw_prefix
from storage.objects import CHUNK, ObjectChanged, ObjectExists, ObjectMissing, ObjectStore, write_object
from storage.schema import Batch
from workers import metrics
from workers.embedded import CONTENT_TYPES, BatchConfig, Reporter, process_batch
from workers.scheduler import Scheduler
from workers.scratch import scratch_folder
from workers.summary import Summary

log = logging.getLogger(__name__)
HEARTBEAT_EVERY = dt.timedelta(seconds=10)  # a running batch's worker says it is alive this often
DEAD_AFTER = dt.timedelta(seconds=60)  # a worker silent this long is dead: its batch is run elsewhere
RETRY_AFTER = (dt.timedelta(seconds=30), dt.timedelta(minutes=5))  # after a run that stopped: the 1st, the 2nd
MAX_ATTEMPTS = 3  # runs of one batch, then it is failed for good
UPLOAD_RECORD = "upload.json"  # raw/<agency>/<batch>/upload.json: the files' names, the manifest, the uploader
NAME_BYTES = 200  # a file's or folder's name
PATH_BYTES = 1000  # a file's name with its folders
_DRIVE = re.compile(r"[A-Za-z]:")  # a whole Windows path ("C:\\Scans\\a.tif") from an old browser


class UploadError(Exception):
    """An upload was refused (nothing of it is kept); the message names the files and why."""


class TooLarge(UploadError):
    pass


class BatchExists(UploadError):
    pass


class BatchNotFound(LookupError):
    """No such batch, or one of an agency the caller does not see."""


@dataclass(frozen=True)
class Received:
    """One uploaded file, copied to a local folder."""
    name: str
    path: Path
    sha256: str
    size: int
    kind: Kind


def safe_name(given: str | None, number: int) -> str:
    """An uploaded file's name with the folders it was in, as a folder upload gives it ("so-2017/trang-001.tif"):
    each part NFC, without control characters or leading dots (no "..", no hidden files), at most 200 bytes; no
    root, no drive; over 1000 bytes, the folders nearest the root are left out. ``upload-<number>`` when nothing is
    left."""
    parts = [_safe_part(part) for part in re.split(r"[/\\]", unicodedata.normalize("NFC", given or ""))]
    if parts and _DRIVE.fullmatch(parts[0]):
        parts.pop(0)
    parts = [part for part in parts if part]
    while len(parts) > 1 and len("/".join(parts).encode()) > PATH_BYTES:
        parts.pop(0)
    return "/".join(parts) or f"upload-{number}"


def _safe_part(name: str) -> str:
    name = "".join(c for c in name if c.isprintable()).strip().lstrip(".").strip()
    return name.encode()[:NAME_BYTES].decode(errors="ignore").strip()


def store_upload(parts: Iterable[tuple[str | None, BinaryIO]], manifest: Manifest, agency: str, uploader: str,
                 catalog: Catalog, store: ObjectStore, limits: Limits, work_root: Path) -> str:
    """Keep an upload as a queued batch; its id. Raises UploadError (TooLarge, BatchExists) and keeps nothing."""
    work_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="upload-", dir=work_root) as folder:
        return _queue_upload(_receive(parts, Path(folder), limits), manifest, agency, uploader, catalog, store)


def _receive(parts: Iterable[tuple[str | None, BinaryIO]], folder: Path, limits: Limits) -> list[Received]:
    """Copy each part to ``folder`` under its safe name (in its folders) while hashing it. A file over the size
    limit stops the upload (TooLarge); twin names and files that are not scans are refused together
    (UploadError)."""
    received: list[Received] = []
    problems: list[str] = []
    names: list[str] = []  # of the files copied so far, refused ones too
    for number, (given, stream) in enumerate(parts, 1):
        name = safe_name(given, number)
        clash = _clash(name, names)
        if clash:
            problems.append(f"{name}: {clash}")
            continue
        names.append(name)
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        sha256, size = _copy(stream, path, limits.max_file_bytes, name)
        try:
            kind = sniff(path)
            _within_limits(path, kind, limits, name)
            received.append(Received(name, path, sha256, size, kind))
        except InputError as exc:
            problems.append(f"{name}: {exc}")
            metrics.count_failure(exc.cause)
    if problems:
        raise UploadError("refused, nothing was kept: " + "; ".join(problems))
    return received


def _within_limits(path: Path, kind: Kind, limits: Limits, name: str) -> None:
    """TooLarge for a file whose pages are over the limits, read from its headers (no page is decoded here): a
    decompression bomb is refused at the door. A file that cannot be read is the batch's to report, as it would be
    for ``sohoa process``."""
    try:
        page_count(path, kind, limits)
    except OverLimit as exc:
        raise TooLarge(f"{name}: {exc}") from None
    except InputError:
        pass


def _clash(name: str, names: list[str]) -> str | None:
    """Why a file of that name cannot sit beside those named: the same name, or a file named as a folder."""
    for other in names:
        if other == name:
            return "two files have this name"
        if other.startswith(name + "/") or name.startswith(other + "/"):
            return f"a file and a folder have one name (beside {other})"
    return None


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
    catalog.start_batch(batch_id, agency, manifest.kind, manifest.model_dump(exclude_none=True), status="queued")
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


def run_uploaded(batch_id: str, base: BatchConfig, worker: str | None = None,
                 pages: Callable[[str, str], Scheduler] | None = None) -> Summary | None:
    """Run an uploaded batch: its scans fetched (checked against their SHA-256) into a scratch folder under their
    uploaded names, which become the documents' sources. ``base`` is the configuration of this worker; the batch's
    agency, manifest and folders replace its own.

    The run is claimed in the catalog first (``worker``: this process by default) and beats a heartbeat while it
    lasts, so that a worker that dies is noticed within ``DEAD_AFTER`` and its batch run elsewhere. None when there
    is nothing to run: done before, failed for good, or running for a live worker (a duplicate job finds the work
    taken and skips it; a run of an interrupted batch reuses the documents stored before). ``pages`` gives the
    scheduler of the batch's pages and documents (workers.fanout), from its agency and id; None: this machine's
    process pool. A run that stops is queued again for ``RETRY_AFTER`` later, at most ``MAX_ATTEMPTS`` runs in all,
    then failed with the reason in words; what stopped it is raised again (for the job's own record)."""
    catalog = Catalog(base.database_url)
    batch = catalog.batch(batch_id)
    if batch is None:
        raise LookupError(f"no batch {batch_id} in the catalog")
    worker = worker or worker_name()
    attempt = catalog.claim_batch(batch_id, worker, DEAD_AFTER)
    if attempt is None:
        return None
    store = base.object_store()
    reporter = CatalogProgress(catalog, batch_id)
    folder = scratch_folder(base.data_dir / "work", "run")
    try:
        with Heartbeat(catalog, batch_id, worker):
            record = json.loads(store.get(raw_prefix(batch.agency, batch_id) + UPLOAD_RECORD))
            inputs = folder / "in"
            inputs.mkdir()
            for file in record["files"]:
                target = inputs / file["name"]  # in its folders, as uploaded
                target.parent.mkdir(parents=True, exist_ok=True)
                write_object(store, raw_key(batch.agency, batch_id, file["sha256"], file["kind"]), target,
                             file["sha256"])
            config = replace(base, out_dir=folder / "out", agency=batch.agency, batch_id=batch_id, input_dir=inputs,
                             manifest=Manifest.model_validate(record["manifest"]))
            scheduler = pages(batch.agency, batch_id) if pages else None  # else this machine's process pool
            try:
                return process_batch([file["name"] for file in record["files"]], config, reporter, scheduler)
            finally:
                if scheduler:
                    scheduler.close()
    except Exception as exc:
        log.exception("batch %s stopped (run %d)", batch_id, attempt)  # the details for whoever runs the service
        stopped(catalog, batch_id, attempt, exc, reporter.progress())
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def worker_name() -> str:
    """Who runs a batch, as the catalog names it: this host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Heartbeat:
    """While a batch runs, its worker says so every ``HEARTBEAT_EVERY`` (a thread of its own: a page that takes long
    must not make the worker look dead)."""

    def __init__(self, catalog: Catalog, batch_id: str, worker: str) -> None:
        self.catalog, self.batch_id, self.worker = catalog, batch_id, worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{batch_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY.total_seconds()):
            try:
                self.catalog.batch_heartbeat(self.batch_id, self.worker)
            except Exception:  # noqa: BLE001 - a catalog that does not answer for a moment: beat again later
                log.warning("batch %s: the heartbeat could not be written", self.batch_id, exc_info=True)


def stopped(catalog: Catalog, batch_id: str, attempt: int, exc: Exception, progress: dict[str, int]) -> None:
    """A run that stopped: queued again after a while when another run may succeed, else failed for good."""
    reason = f"the batch stopped: {stop_reason(exc)}"
    metrics.count_failure("batch_error")
    if attempt >= MAX_ATTEMPTS or isinstance(exc, ObjectMissing | ObjectChanged):
        fail_batch(catalog, batch_id, reason, progress)
        return
    at = dt.datetime.now(dt.UTC) + RETRY_AFTER[min(attempt, len(RETRY_AFTER)) - 1]
    catalog.retry_batch(batch_id, at, {**progress, "retry": {"at": at.isoformat(), "after_run": attempt,
                                                             "reason": reason}})


def stop_reason(exc: Exception) -> str:
    """Why a batch stopped, in words for the scanning team: no host, bucket, key or driver text (the log has them)."""
    if isinstance(exc, ObjectMissing):
        return "a file of this upload is missing from the object store: upload the files again"
    if isinstance(exc, ObjectChanged):
        return "a file of this upload was changed in the object store: upload the files again"
    if isinstance(exc, TransportError):
        return "the object store did not answer; the batch is tried again"
    if isinstance(exc, OperationalError):
        return "the catalog did not answer; the batch is tried again"
    return f"an error inside the service ({type(exc).__name__}); its log names it"


def fail_batch(catalog: Catalog, batch_id: str, reason: str, progress: dict[str, int] | None = None) -> None:
    """A batch that could not run (to its end) is failed, the reason listed as its failure."""
    catalog.finish_batch(batch_id, "failed", {**(progress or {}), "failed": [{"source": batch_id, "error": reason}]})


def batch_status(batch: Batch, stored: int = 0) -> dict[str, Any]:
    """``GET /api/batches/{id}``: while it runs, the pages to read and read so far and the documents ``stored`` so
    far; once it ended, its summary's counts (every page done), what failed and why, what was skipped and the pages
    to scan again; queued again after a run that stopped, when and why (``retry``)."""
    summary = batch.summary or {}
    pages = summary.get("pages", 0)
    return {"id": batch.id, "status": batch.status, "documents": summary.get("documents", stored), "pages": pages,
            "done": summary.get("done", pages), "failed": summary.get("failed", []),
            "skipped": summary.get("skipped", []), "rescan": summary.get("rescan", []),
            **({"retry": summary["retry"]} if "retry" in summary else {})}


def batch_entry(batch: Batch, stored: int = 0) -> dict[str, Any]:
    """A batch in a list of batches: its status, agency, kind and times (UTC)."""
    return {**batch_status(batch, stored), "agency": batch.agency, "kind": batch.kind,
            "created_at": _utc(batch.created_at), "finished_at": _utc(batch.finished_at)}


def watch_batch(catalog: Catalog, batch_id: str, agencies: Collection[str] | None) -> tuple[Batch, dict[str, Any]]:
    """A batch of one of ``agencies`` (None: any) and its status; BatchNotFound for another agency's, as for none."""
    batch = catalog.batch(batch_id)
    if batch is None or (agencies is not None and batch.agency not in agencies):
        raise BatchNotFound(f"no batch {batch_id}")
    stored = documents_stored(catalog, [batch_id]).get(batch_id, 0) if batch.status == "running" else 0
    return batch, batch_status(batch, stored)


def list_batch_entries(catalog: Catalog, agencies: Collection[str] | None, cursor: str | None = None,
                       limit: int = 20) -> tuple[list[dict[str, Any]], str | None]:
    """``GET /api/batches``: one page of the batches of ``agencies`` (None: all), newest first, and the cursor of
    the next page. storage.search.BadCursor for a cursor the listing did not give."""
    page = list_batches(catalog, agencies=agencies, cursor=cursor, limit=limit)
    stored = documents_stored(catalog, [batch.id for batch in page.items if batch.status == "running"])
    return [batch_entry(batch, stored.get(batch.id, 0)) for batch in page.items], page.next


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back times without their zone: they are UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment and moment.tzinfo is None else moment
