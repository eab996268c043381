"""The jobs of service mode, with their settings from the environment: plain importable functions, run by RQ workers
or by a thread of the API (sohoa.batch_queue) — an uploaded batch's own job, and a page of it (workers.fanout)."""
from __future__ import annotations

import atexit
import functools
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rq import get_current_job

from ingest.manifest import Manifest
from sohoa.logs import batch_context
from sohoa.settings import Settings
from storage.catalog import Catalog
from storage.objects import ObjectStore
from workers import metrics
from workers.embedded import BatchConfig
from workers.fanout import PageCall, PageQueue, PageRead, read_remote
from workers.scheduler import Scheduler
from workers.scratch import scratch_folder
from workers.service import fail_batch, run_uploaded

log = logging.getLogger(__name__)


def batch_config(settings: Settings, out_dir: Path, manifest: Manifest, jobs: int,
                 store: ObjectStore | None = None) -> BatchConfig:
    """What a batch run takes from the settings (the object store opened unless given). Raises ValueError naming
    the part that is wrong."""
    try:
        signer = settings.signer_config()
    except ValueError as exc:
        raise ValueError(f"signing: {exc}") from None
    try:
        retention = settings.retention_policy()
    except ValueError as exc:
        raise ValueError(f"retention: {exc}") from None
    return BatchConfig(out_dir=out_dir, data_dir=settings.data_dir, database_url=settings.database_url,
                       agency=settings.agency, ocr=settings.ocr, signer=signer, manifest=manifest,
                       jobs=max(1, jobs), limits=settings.limits, store=store or settings.object_store(),
                       retention=retention)


def run_batch(batch_id: str, settings: Settings | None = None) -> dict[str, Any] | None:
    """The job of an uploaded batch (settings from the environment unless given); its summary, None when it was
    done before."""
    settings = settings or Settings.from_env()
    with batch_context(batch_id):
        try:
            base = batch_config(settings, settings.data_dir / "work", Manifest(), len(os.sched_getaffinity(0)))
        except ValueError as exc:
            fail_batch(Catalog(settings.database_url), batch_id, f"the worker's configuration: {exc}")
            metrics.count_failure("batch_error")
            raise
        log.info("batch started")
        summary = run_uploaded(batch_id, base, pages=_page_queue())
        if summary is None:
            log.info("batch was done before")
            return None
        log.info("batch done: %d documents from %d pages, %d files failed, %d skipped", summary.documents,
                 summary.pages, len(summary.failed), len(summary.skipped),
                 extra={"documents": summary.documents, "pages": summary.pages, "failed": len(summary.failed)})
        return summary.to_dict()




def _page_queue() -> Callable[[str, str], Scheduler] | None:
    """In an RQ job, with page workers listening: the batch's pages go to them all (workers.fanout). Else None: the
    pages are read in this machine's process pool."""
    job = get_current_job()
    if job is None or not PageQueue.has_page_workers(job.connection):
        return None
    return lambda agency, batch_id: PageQueue(job.connection, agency, batch_id, read_page_job)


def read_page_job(call: PageCall) -> PageRead:
    """The job of one page of a batch, in a page worker (sohoa.batch_queue.page_worker)."""
    store, cache = _page_worker_parts()
    return read_remote(call, store, cache)


@functools.cache
def _page_worker_parts() -> tuple[ObjectStore, Path]:
    """This page worker's object store and scratch folder (its files at hand), made once and kept."""
    settings = Settings.from_env()
    cache = scratch_folder(settings.data_dir / "work", "pages")
    atexit.register(shutil.rmtree, cache, ignore_errors=True)
    return settings.object_store(), cache
