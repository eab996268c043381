"""A batch's own record in the object store, ``raw/<agency>/<batch>/batch.json``, so a rebuild gets it back."""
from __future__ import annotations

import json

from storage import audit
from storage.catalog import Catalog
from storage.objects import ObjectStore

BATCH_RECORD = "batch.json"


def raw_prefix(agency: str, batch_id: str) -> str:
    return f"raw/{agency}/{batch_id}/"


def seal_batch(catalog: Catalog, store: ObjectStore, batch_id: str) -> None:
    """Store the finished batch's record (manifest, status, summary) and anchor the audit log."""
    batch = catalog.batch(batch_id)
    record = {"id": batch.id, "agency": batch.agency, "kind": batch.kind, "manifest": batch.manifest,
              "status": batch.status, "summary": batch.summary, "created_at": batch.created_at.isoformat(),
              "finished_at": batch.finished_at.isoformat() if batch.finished_at else None}
    store.put(raw_prefix(batch.agency, batch.id) + BATCH_RECORD,
              json.dumps(record, ensure_ascii=False, indent=1).encode(), "application/json")
    with catalog.engine.begin() as connection:
        audit.anchor(connection, store)
