"""A batch's objects: its id, its raw scans ``raw/<agency>/<batch>/<sha256>.<ext>``, and its own record,
``raw/<agency>/<batch>/batch.json``, so a rebuild gets it back."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable

from storage import audit
from storage.catalog import Catalog
from storage.keys import raw_prefix
from storage.objects import ObjectStore

BATCH_RECORD = "batch.json"


def new_batch_id(sha256s: Iterable[str]) -> str:
    """A batch's id: the UTC time and a hash of its files' SHA-256s."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{hashlib.sha256(''.join(sha256s).encode()).hexdigest()[:8]}"


def seal_batch(catalog: Catalog, store: ObjectStore, batch_id: str) -> None:
    """Store the finished batch's record (manifest, status, summary) and anchor the audit log."""
    batch = catalog.batch(batch_id)
    if batch is None:
        raise LookupError(f"no batch {batch_id} in the catalog")
    record = {"id": batch.id, "agency": batch.agency, "kind": batch.kind, "manifest": batch.manifest,
              "status": batch.status, "summary": batch.summary, "created_at": batch.created_at.isoformat(),
              "finished_at": batch.finished_at.isoformat() if batch.finished_at else None}
    store.put(raw_prefix(batch.agency, batch.id) + BATCH_RECORD,
              json.dumps(record, ensure_ascii=False, indent=1).encode(), "application/json")
    with catalog.engine.begin() as connection:
        audit.anchor(connection, store)
