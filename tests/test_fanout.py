"""Pages are the unit of work in service mode: the pages of one batch are read by the page workers of every
`sohoa worker`, and a page whose worker dies while reading it is read again by another. Real processes: redis-server,
two `sohoa worker`s with one page worker each, real Tesseract."""
from __future__ import annotations

import signal

import psutil
from redis import Redis
from rq import Queue, Worker
from rq.job import Job
from service_support import Service, kill_all, wait

from workers.fanout import PAGE_QUEUE


def _page_workers(redis: Redis) -> list[Worker]:
    return [w for w in Worker.all(connection=redis) if PAGE_QUEUE in w.queue_names()]


def _readers(redis: Redis) -> list[str]:
    """The page worker that read each page read so far (by its RQ name)."""
    ids = Queue(PAGE_QUEUE, connection=redis).finished_job_registry.get_job_ids()
    return [job.worker_name for job in Job.fetch_many(ids, connection=redis) if job is not None]


def test_the_pages_of_one_batch_are_read_by_every_worker(service: Service) -> None:
    redis = Redis.from_url(service.redis.url)
    workers = [service.worker("--page-workers", "1") for _ in range(2)]
    try:
        wait("a page worker in each sohoa worker", lambda: len(_page_workers(redis)) == 2, 60)
        batch_id = service.upload(pages=6)
        wait("the batch", lambda: service.batch(batch_id).status == "done", 240)
        readers = _readers(redis)
        assert len(readers) == 6 and len(set(readers)) == 2, readers  # each worker read some of its pages
        assert service.batch(batch_id).summary["documents"] == 6 and service.documents(batch_id) == (6, 6)
    finally:
        for worker in workers:
            kill_all(worker)


def test_a_page_whose_worker_died_is_read_by_another(service: Service) -> None:
    redis = Redis.from_url(service.redis.url)
    first, second = service.worker("--page-workers", "1"), service.worker("--page-workers", "1")
    try:
        wait("a page worker in each sohoa worker", lambda: len(_page_workers(redis)) == 2, 60)
        batch_id = service.upload(pages=4)
        children = {p.pid for p in psutil.Process(first.pid).children(recursive=True)}
        busy: list[Worker] = []
        wait("the first worker's page worker to read a page", lambda: busy.extend(
            w for w in _page_workers(redis) if w.pid in children and w.get_state() == "busy") or busy, 120)
        psutil.Process(busy[0].pid).send_signal(signal.SIGKILL)  # in the middle of its page
        wait("the batch", lambda: service.batch(batch_id).status == "done", 240)
        readers = _readers(redis)
        assert len(readers) == 4 and busy[0].name not in readers, readers  # the page it died on was read elsewhere
        assert service.documents(batch_id) == (4, 4)
    finally:
        kill_all(first)
        kill_all(second)
