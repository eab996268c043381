"""Where the API sends uploaded batches: RQ on SOHOA_REDIS_URL, else a thread of its own; the RQ worker of
`sohoa worker`."""
from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor

from redis import Redis
from rq import Queue, Retry, Worker

from sohoa.jobs import run_batch
from sohoa.settings import Settings
from storage.catalog import Catalog

QUEUE = "sohoa"
JOB_TIMEOUT = 24 * 3600  # seconds: one job runs a whole batch
RETRY = Retry(max=2, interval=[30, 300])  # a retried job skips what was finished (workers.service.run_uploaded)
REDIS_TIMEOUT = 10  # seconds the API waits for Redis when it queues a job
log = logging.getLogger("sohoa.batch_queue")


class BatchRunner:
    """Where the API sends uploaded batches: an RQ job on SOHOA_REDIS_URL, else a thread of this process that runs
    them one at a time (and first runs again those an earlier run of the service left queued or running)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._queue: Queue | None = None
        self._threads: ThreadPoolExecutor | None = None
        if settings.redis_url:
            redis = Redis.from_url(settings.redis_url, socket_connect_timeout=REDIS_TIMEOUT,
                                   socket_timeout=REDIS_TIMEOUT)
            self._queue = Queue(QUEUE, connection=redis)
        else:
            self._threads = ThreadPoolExecutor(1, thread_name_prefix="sohoa-batch")

    def start(self) -> None:
        if self._threads:
            self._threads.submit(self._resume, dt.datetime.now(dt.UTC))

    def submit(self, batch_id: str) -> None:
        """Queue a batch; redis.RedisError when the queue does not answer."""
        if self._queue:
            self._queue.enqueue(run_batch, batch_id, job_id=f"batch-{batch_id}", job_timeout=JOB_TIMEOUT,
                                retry=RETRY, description=f"sohoa batch {batch_id}")
        else:
            self._threads.submit(self._run, batch_id)

    def close(self) -> None:
        """Without Redis: the batch running is finished, those waiting stay queued (run at the next start)."""
        if self._threads:
            self._threads.shutdown(wait=True, cancel_futures=True)
        if self._queue:
            self._queue.connection.close()

    def _run(self, batch_id: str) -> None:
        try:
            run_batch(batch_id, self.settings)
        except Exception:  # noqa: BLE001 - the batch is marked failed; this thread goes on with the next one
            log.exception("batch %s failed", batch_id)

    def _resume(self, started: dt.datetime) -> None:
        try:
            left = Catalog(self.settings.database_url).unfinished_batches(started)
        except Exception:  # noqa: BLE001 - the service runs on; batches uploaded from now on are run
            log.exception("the batches left unfinished could not be looked up")
            return
        for batch_id in left:
            log.info("batch %s was left unfinished: running it again", batch_id)
            self._run(batch_id)


def work(redis_url: str, queues: list[str], burst: bool) -> bool:
    """An RQ worker until SIGTERM (the job running is finished first), or until the queues are empty in burst
    mode; whether it ran any job."""
    worker = Worker(queues, connection=Redis.from_url(redis_url))
    return worker.work(burst=burst, with_scheduler=True)
