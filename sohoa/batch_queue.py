"""Where uploaded batches are run: RQ jobs on SOHOA_REDIS_URL, else threads of the API's own process; and the
reconciler that keeps the catalog's word.

The catalog, not Redis, is the record of what is owed: a batch is queued in the catalog before the upload is
answered, and every ``RECONCILE_EVERY`` the reconciler (in `sohoa serve` and in every `sohoa worker`) sends to be run
each batch the catalog says is owed and no live job holds — one queued whose job Redis lost (a restart), a retry
whose time has come, one whose worker went silent (``workers.service.DEAD_AFTER``). A job may be sent twice: the
run claims its batch in the catalog first, and a second finds it taken.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.process import BaseProcess

from redis import Redis
from rq import Queue, SimpleWorker, Worker

from sohoa.jobs import run_batch
from sohoa.logs import configure as configure_logs
from sohoa.settings import Settings
from storage.catalog import Catalog
from workers.fanout import PAGE_QUEUE
from workers.scratch import remove_orphans
from workers.service import DEAD_AFTER
from workers.stages import init_worker

QUEUE = "sohoa"
JOB_TIMEOUT = 24 * 3600  # seconds: one job runs a whole batch
REDIS_TIMEOUT = 10  # seconds the API waits for Redis when it queues a job
RECONCILE_EVERY = 30.0  # seconds
RECONCILE_LOCK = "sohoa:reconcile"  # one reconciler at a time among the service's processes
LOCK_SECONDS = 60  # a reconciler that died holding the lock holds it no longer than this
LIVE_JOB = ("queued", "started", "deferred", "scheduled")
PAGE_GRACE = 60  # seconds a page worker told to stop has to finish its page
log = logging.getLogger(__name__)


def job_id(batch_id: str, attempt: int) -> str:
    """The job of a batch's next run: one id per run, so that sending it again finds the same job."""
    return f"batch-{batch_id}-{attempt}"


@dataclass(frozen=True)
class QueueState:
    """What Redis tells of the queue."""
    queued: int  # jobs waiting for a worker
    started: int  # jobs a worker has started
    workers: int  # workers taking jobs from it, alive by RQ's own heartbeat


class BatchRunner:
    """Runs what is owed: RQ jobs on SOHOA_REDIS_URL, else threads of this process, one batch at a time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._queue: Queue | None = None
        self._threads: ThreadPoolExecutor | None = None
        self._running: set[str] = set()  # without Redis: the batches sent to this process's thread
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._reconciler = threading.Thread(target=self._reconcile_often, name="sohoa-reconciler", daemon=True)
        if settings.redis_url:
            redis = Redis.from_url(settings.redis_url, socket_connect_timeout=REDIS_TIMEOUT,
                                   socket_timeout=REDIS_TIMEOUT)
            self._queue = Queue(QUEUE, connection=redis)
        else:
            self._threads = ThreadPoolExecutor(1, thread_name_prefix="sohoa-batch")

    def start(self) -> None:
        """Reconcile now, and every RECONCILE_EVERY from now on."""
        self._reconciler.start()

    def submit(self, batch_id: str) -> None:
        """Send a batch just queued in the catalog to be run; redis.RedisError when the queue does not answer."""
        if self._queue:
            self._enqueue(batch_id, 0)
        else:
            self._run_here(batch_id)

    def queue_state(self) -> QueueState | None:
        """The queue as Redis has it now (read only); None without Redis. redis.RedisError when it does not answer."""
        if not self._queue:
            return None
        queue = self._queue
        return QueueState(queue.count, queue.started_job_registry.get_job_count(cleanup=False),
                          len(Worker.all(queue=queue)))

    def reconcile(self) -> list[str]:
        """Send each batch the catalog says is owed and no live job holds to be run; those sent."""
        if not self._queue:
            return self._reconcile()
        redis, token = self._queue.connection, uuid.uuid4().hex
        if not redis.set(RECONCILE_LOCK, token, nx=True, ex=LOCK_SECONDS):
            return []  # another process reconciles at this moment
        try:
            return self._reconcile()
        finally:
            if redis.get(RECONCILE_LOCK) == token.encode():
                redis.delete(RECONCILE_LOCK)

    def _reconcile(self) -> list[str]:
        remove_orphans(self.settings.data_dir / "work")
        sent = []
        for batch_id, attempt in Catalog(self.settings.database_url).owed_batches(DEAD_AFTER):
            if self._queue:
                job = self._queue.fetch_job(job_id(batch_id, attempt))
                if job is not None and job.get_status(refresh=False) in LIVE_JOB:
                    continue
                self._enqueue(batch_id, attempt)
            elif not self._run_here(batch_id):
                continue
            log.info("batch %s was owed (after %d runs): sent to be run", batch_id, attempt)
            sent.append(batch_id)
        return sent

    def close(self) -> None:
        """Without Redis: the batch running is finished, those waiting stay queued (run at the next start)."""
        self._stop.set()
        if self._reconciler.is_alive():
            self._reconciler.join()
        if self._threads:
            self._threads.shutdown(wait=True, cancel_futures=True)
        if self._queue:
            self._queue.connection.close()

    def _enqueue(self, batch_id: str, attempt: int) -> None:
        assert self._queue is not None
        self._queue.enqueue(run_batch, batch_id, job_id=job_id(batch_id, attempt), job_timeout=JOB_TIMEOUT,
                            description=f"sohoa batch {batch_id}, run {attempt + 1}")

    def _run_here(self, batch_id: str) -> bool:
        """Send a batch to this process's thread unless it is there already; whether it was sent."""
        assert self._threads is not None
        with self._lock:
            if batch_id in self._running:
                return False
            self._running.add(batch_id)
        self._threads.submit(self._run, batch_id)
        return True

    def _run(self, batch_id: str) -> None:
        try:
            run_batch(batch_id, self.settings)
        except Exception:  # noqa: BLE001 - the catalog says why and when it is tried again; the thread goes on
            log.exception("batch %s stopped", batch_id)
        finally:
            with self._lock:
                self._running.discard(batch_id)

    def _reconcile_often(self) -> None:
        while not self._stop.is_set():
            try:
                self.reconcile()
            except Exception:  # noqa: BLE001 - a service down for a moment: try again at the next round
                log.warning("the reconciler could not look at what is owed", exc_info=True)
            self._stop.wait(RECONCILE_EVERY)


def work(settings: Settings, queues: list[str], burst: bool, page_workers: int = 0) -> bool:
    """An RQ worker until SIGTERM (the job running is finished first), or until the queues are empty in burst
    mode, with the reconciler beside it and ``page_workers`` processes reading the pages of every batch; whether it
    ran any job."""
    assert settings.redis_url is not None
    runner = BatchRunner(settings)
    pages = [_page_process(i) for i in range(page_workers)]
    if burst:
        runner.reconcile()  # once: a burst worker runs what is owed now, then stops
    else:
        runner.start()
    try:
        return Worker(queues, connection=Redis.from_url(settings.redis_url)).work(burst=burst, with_scheduler=True)
    finally:
        runner.close()
        _stop(pages)


def _page_process(number: int) -> BaseProcess:
    process = multiprocessing.get_context("spawn").Process(target=page_worker, name=f"sohoa-pages-{number}")
    process.start()
    return process


def _stop(processes: list[BaseProcess]) -> None:
    """SIGTERM (each finishes the page it reads), then SIGKILL for any still there after PAGE_GRACE seconds."""
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + PAGE_GRACE
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()


def page_worker() -> None:
    """A page worker: reads the pages of every batch from the page queue in this process — no process forked for
    each page, so Tesseract's language stays loaded — until SIGTERM, or until the worker that started it is gone
    (killed with it, as when its machine dies)."""
    settings = Settings.from_env()
    configure_logs(settings.log_level, settings.log_format)
    init_worker()
    parent = os.getppid()
    threading.Thread(target=_end_with_parent, args=(parent,), name="sohoa-orphan-watch", daemon=True).start()
    assert settings.redis_url is not None
    SimpleWorker([PAGE_QUEUE], connection=Redis.from_url(settings.redis_url)).work(with_scheduler=False)


def _end_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)  # the page it was reading is sent again once its heartbeat falls silent
