"""The job of an uploaded batch (service mode), with its settings from the environment: a plain importable function,
run by an RQ worker or by a thread of the API (sohoa.batch_queue)."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from ingest.manifest import Manifest
from sohoa.logs import batch_context
from sohoa.settings import Settings
from storage.catalog import Catalog
from storage.objects import ObjectStore
from workers import metrics
from workers.embedded import BatchConfig
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
        summary = run_uploaded(batch_id, base)
        if summary is None:
            log.info("batch was done before")
            return None
        log.info("batch done: %d documents from %d pages, %d files failed, %d skipped", summary.documents,
                 summary.pages, len(summary.failed), len(summary.skipped),
                 extra={"documents": summary.documents, "pages": summary.pages, "failed": len(summary.failed)})
        return summary.to_dict()


