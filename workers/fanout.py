"""Pages spread over every worker of the service. The batch's own job (its coordinator) plans, understands and stores
as ``process_batch`` always does, but sends each page to the page queue, where the page workers of every
``sohoa worker`` read it: the page's file comes from the object store (the upload is kept there before the batch is
queued), and the picture of the page comes back with its reading. Documents are made and signed beside the
coordinator.

A page job's id is derived from its content (the file's SHA-256, the page, the language) and its reading is kept for
a while: a coordinator that runs the batch again, its first one having died, finds the pages read or being read and
does not read them twice. A page worker that dies is noticed by the silence of its job's heartbeat and the page sent
again; Redis losing its jobs (a restart) has the pages sent again; a page whose reading failed (the object store away
for a minute) is sent again a little later, then later still.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker, get_current_job
from rq.job import Job, JobStatus

from storage.keys import raw_key
from storage.objects import ObjectStore, write_object
from workers.metrics import Timed, timed
from workers.scheduler import LocalPool
from workers.stages import DocJob, DocOutcome, PageJob, PageOutcome, run_page

log = logging.getLogger(__name__)

PAGE_QUEUE = "sohoa-pages"
PAGE_TIMEOUT = 15 * 60  # seconds a page job may run (the engine's own limit per reading is shorter)
KEPT_FOR = 6 * 3600  # seconds a page's reading is kept for a batch run again
HEARTBEAT = 5.0  # seconds between a page job's signs of life …
SILENCE = 30.0  # … and the silence after which its worker is taken for dead and the page sent again
RETRY_AFTER = (10.0, 30.0, 60.0)  # seconds before a page whose reading failed is sent again (the store down a while)
MAX_TRIES = len(RETRY_AFTER) + 1
POLL = 0.2  # seconds between looks at the pages waiting
CACHE_FILES = 8  # files a page worker keeps at hand (pages of one file tend to come together)


def page_job_id(sha256: str, number: int, lang: str) -> str:
    return f"page-{sha256[:40]}-{number}-{hashlib.sha256(lang.encode()).hexdigest()[:8]}"


def _alive_key(job_id: str) -> str:
    return f"sohoa:alive:{job_id}"


@dataclass(frozen=True)
class PageCall:
    job: PageJob  # its path and work folder are the coordinator's: the page worker uses its own
    key: str  # the file in the object store
    sha256: str


@dataclass
class PageRead:
    read: Timed[PageOutcome]  # the outcome's image and kept page are given as bytes beside it
    image: bytes | None = None
    kept: bytes | None = None


# --- on a page worker ------------------------------------------------------------------------------------------------

def read_remote(call: PageCall, store: ObjectStore, cache: Path) -> PageRead:
    """Read one page in a page worker: its file fetched once into ``cache`` (checked against its SHA-256)."""
    job = get_current_job()
    beat = _Heartbeat(job.connection, job.id) if job is not None else None
    try:
        local = _fetched(call, store, cache)
        work = cache / f"page-{os.getpid()}-{call.job.number}"
        work.mkdir(exist_ok=True)
        try:
            read = timed(run_page, replace(call.job, path=local, work_dir=work))
            outcome = read.value
            image = outcome.image.read_bytes() if outcome.image else None
            kept = outcome.kept.read_bytes() if outcome.kept else None
            outcome.image = outcome.kept = None
            return PageRead(read, image, kept)
        finally:
            for leftover in work.iterdir():
                leftover.unlink(missing_ok=True)
            work.rmdir()
    finally:
        if beat is not None:
            beat.stop()


def _fetched(call: PageCall, store: ObjectStore, cache: Path) -> Path:
    local = cache / f"{call.sha256}.{call.job.kind}"
    if not local.exists():
        write_object(store, call.key, local, call.sha256)
        kept = sorted(cache.glob("*.*"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[CACHE_FILES:]:
            old.unlink(missing_ok=True)
    return local


class _Heartbeat:
    """A sign of life of a page job in Redis every HEARTBEAT seconds, until stopped."""

    def __init__(self, redis: Redis, job_id: str) -> None:
        self.redis, self.key = redis, _alive_key(job_id)
        self._stop = threading.Event()
        self._beat()
        self._thread = threading.Thread(target=self._run, name="sohoa-page-heartbeat", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        try:
            self.redis.set(self.key, "1", ex=int(SILENCE))
        except RedisError:
            log.warning("a page job's heartbeat could not be written", exc_info=True)

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT):
            self._beat()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


_ENDED = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


# --- on the coordinator ----------------------------------------------------------------------------------------------

@dataclass
class _Waiting:
    call: PageCall
    future: Future[Timed[PageOutcome]]
    tries: int = 0
    sent: float = field(default_factory=time.monotonic)
    retry_at: float = 0.0  # when a page whose reading failed is due to be sent again


class PageQueue:
    """The scheduler of a batch run by a coordinator: pages to the page queue, documents to a small local pool.
    ``page_job`` is what a page worker runs: :func:`read_remote` with that worker's object store and folder."""

    def __init__(self, redis: Redis, agency: str, batch_id: str, page_job: Callable[[PageCall], PageRead],
                 document_jobs: int = 2) -> None:
        self.queue = Queue(PAGE_QUEUE, connection=redis)
        self.page_job = page_job
        self.agency, self.batch_id = agency, batch_id
        self.documents = LocalPool(document_jobs)
        self._waiting: dict[str, _Waiting] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._poller = threading.Thread(target=self._poll, name="sohoa-page-poller", daemon=True)
        self._poller.start()

    @staticmethod
    def has_page_workers(redis: Redis) -> bool:
        """Whether any worker listens to the page queue now."""
        return any(PAGE_QUEUE in w.queue_names() for w in Worker.all(connection=redis))

    def read_page(self, job: PageJob, sha256: str) -> Future[Timed[PageOutcome]]:
        call = PageCall(job, raw_key(self.agency, self.batch_id, sha256, job.kind), sha256)
        future: Future[Timed[PageOutcome]] = Future()
        with self._lock:
            self._waiting[page_job_id(sha256, job.number, job.ocr.lang)] = _Waiting(call, future)
        return future

    def make_document(self, job: DocJob) -> Future[Timed[DocOutcome]]:
        return self.documents.make_document(job)

    def close(self) -> None:
        self._stop.set()
        self._poller.join()
        self.documents.close()

    def _poll(self) -> None:
        while not self._stop.wait(POLL):
            with self._lock:
                waiting = dict(self._waiting)
            if not waiting:
                continue
            try:
                self._look(waiting)
            except RedisError:  # Redis away for a moment: look again (pages it lost are sent again)
                log.warning("the page queue does not answer; trying again", exc_info=True)
                self._stop.wait(1.0)
            except Exception as exc:  # noqa: BLE001 - never leave the batch waiting for pages nobody looks at
                log.exception("the page queue failed; the pages waiting fail with it")
                for job_id, item in waiting.items():
                    reason = f"page {item.call.job.number}: internal error in the page queue: {type(exc).__name__}"
                    self._finish(job_id, item, Timed(PageOutcome(item.call.job.number, error=reason), 0.0))

    def _look(self, waiting: dict[str, _Waiting]) -> None:
        """Each waiting page's job status in one round trip; the jobs fetched whole only when there is news."""
        connection = self.queue.connection
        ids = list(waiting)
        with connection.pipeline(transaction=False) as pipe:
            for job_id in ids:
                pipe.hget(Job.key_for(job_id), "status")
            statuses = [s.decode() if s else None for s in pipe.execute()]
        for job_id, status in zip(ids, statuses, strict=True):
            item = waiting[job_id]
            if status in _ENDED or status is None:
                job = Job.fetch_many([job_id], connection=connection)[0]
                result = job.return_value() if job is not None and status == JobStatus.FINISHED else None
                if isinstance(result, PageRead):
                    self._deliver(job_id, item, result)
                elif job is None or status == JobStatus.FINISHED or self._due(item):
                    self._send(job_id, item, job)  # never sent, lost by Redis, its reading expired, or failed
            elif status == JobStatus.STARTED and not connection.exists(_alive_key(job_id)) \
                    and time.monotonic() - item.sent > SILENCE:
                log.warning("page %d of %s: its worker went silent; sent again", item.call.job.number,
                            item.call.job.path.name)
                self._send(job_id, item, Job.fetch_many([job_id], connection=connection)[0])

    @staticmethod
    def _due(item: _Waiting) -> bool:
        """Whether a page whose reading failed is to be sent again now: RETRY_AFTER its failure was seen."""
        now = time.monotonic()
        if not item.retry_at:
            item.retry_at = now + RETRY_AFTER[min(max(item.tries, 1), len(RETRY_AFTER)) - 1]
        return now >= item.retry_at

    def _send(self, job_id: str, item: _Waiting, old: Job | None) -> None:
        """Send a page (again): MAX_TRIES in all, then its document fails with the reason."""
        if item.tries >= MAX_TRIES:
            said = (old.exc_info or "").strip().splitlines() if old is not None else []
            log.error("page %d of %s: no worker could read it: %s", item.call.job.number, item.call.job.path.name,
                      said[-1] if said else "its workers went silent")  # the details for whoever runs the service
            reason = f"page {item.call.job.number}: no worker could read it ({MAX_TRIES} tries)"
            self._finish(job_id, item, Timed(PageOutcome(item.call.job.number, error=reason), 0.0))
            return
        if old is not None:
            old.delete()
        item.tries, item.sent, item.retry_at = item.tries + 1, time.monotonic(), 0.0
        self.queue.enqueue(self.page_job, item.call, job_id=job_id, job_timeout=PAGE_TIMEOUT, result_ttl=KEPT_FOR,
                           failure_ttl=KEPT_FOR, description=f"page {item.call.job.number} of batch {self.batch_id}")

    def _deliver(self, job_id: str, item: _Waiting, result: PageRead) -> None:
        """The page's picture (or kept page) written to the coordinator's work folder, where documents are made."""
        outcome = result.read.value
        folder = item.call.job.work_dir
        try:
            if result.image is not None:
                outcome.image = folder / f"{outcome.page_hash}.jpg"
                outcome.image.write_bytes(result.image)
            if result.kept is not None:
                outcome.kept = folder / f"{outcome.page_hash}.pdf"
                outcome.kept.write_bytes(result.kept)
        except OSError as exc:  # the coordinator's disk: the page's document fails, the batch goes on
            reason = f"page {item.call.job.number}: its picture could not be kept ({exc})"
            self._finish(job_id, item, Timed(PageOutcome(item.call.job.number, error=reason), 0.0))
            return
        self._finish(job_id, item, result.read)

    def _finish(self, job_id: str, item: _Waiting, read: Timed[PageOutcome]) -> None:
        with self._lock:
            if self._waiting.pop(job_id, None) is None:
                return  # finished already
        item.future.set_result(read)
