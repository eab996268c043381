"""A reviewer's correction: a new version of a stored document, signed again; the old version stays as it was.

The new version's PDF is the same PDF/A the first signature was made over (its pages and text layer unchanged),
signed anew so that its QR code and stamp carry the corrected values. Its JSON lists every correction so far.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Collection
from dataclasses import asdict
from typing import Any

from ingest.manifest import Manifest
from ocr.corrections import BadCorrection, apply_corrections
from ocr.pdfa import PdfInfo, creation_time, relabel
from signing.revisions import NotSigned, unsigned_original
from signing.signer import SignerConfig, sign_pdf
from storage.catalog import Catalog
from storage.keys import doc_key
from storage.objects import ObjectStore
from storage.retrieval import find_document
from workers.record import (
    ChangeRecord,
    Codes,
    CorrectionRecord,
    DocumentRecord,
    DoubtRecord,
    SignatureRecord,
    sign_request,
)
from workers.sink import store_version

log = logging.getLogger(__name__)


def correct_document(catalog: Catalog, store: ObjectStore, doc_id: str, assignments: list[tuple[str, str]], *,
                     signer: SignerConfig, actor: str, note: str | None = None, confirm: Collection[str] = (),
                     entries: list[dict[str, Any]] | None = None, default_agency: str = "LOCAL",
                     agencies: Collection[str] | None = None) -> DocumentRecord:
    """Store version n+1 of ``doc_id`` with (FIELD, VALUE) assignments applied, the register ``entries`` replaced
    when given, and the ``confirm`` targets confirmed as right; its record.

    Raises DocumentNotFound, BadCorrection (a bad assignment or confirmation, nothing to change, or a stored PDF that
    cannot be signed again)."""
    doc = find_document(catalog, doc_id, agencies=agencies)
    record = DocumentRecord.from_bytes(store.get(doc.json_key))
    corrected = apply_corrections(record.doc_type, record.fields, record.records,
                                  assignments, confirm=confirm, entries=entries,
                                  doubted={d.target for d in record.doubts}, confirmed_before=record.confirmed())
    try:
        original = unsigned_original(store.get(doc.pdf_key))
    except NotSigned as exc:
        raise BadCorrection(f"document {doc_id} v{doc.version} cannot be signed again: {exc}") from None
    now = dt.datetime.now(dt.UTC)
    if corrected.doc_type != record.doc_type:
        original = relabel(original, PdfInfo(title=f"{corrected.doc_type} {doc_id}", doc_type=corrected.doc_type,
                                             source=record.source, created=creation_time(original) or now), now)
    version = _free_version(store, doc.agency, doc_id, doc.version + 1)
    batch = catalog.batch(doc.batch_id)
    manifest = Manifest.model_validate(batch.manifest if batch else {})
    request = sign_request(manifest, default_agency, corrected.doc_type, corrected.fields,
                           Codes(record.dossier_code, record.result_code), creation_time(original) or now)
    pdf_bytes, signature = sign_pdf(original, signer, request)
    changes = [ChangeRecord(**asdict(c)) for c in corrected.changes]
    new = record.model_copy(update={
        "doc_type": corrected.doc_type, "fields": corrected.fields, "records": corrected.records,
        "doubts": [DoubtRecord(target=d.target, reason=d.reason) for d in corrected.doubts],
        "boxes": {name: box for name, box in record.boxes.items() if name in corrected.fields},
        "version": version, "sha256": hashlib.sha256(pdf_bytes).hexdigest(),
        "signature": SignatureRecord.of(signature),
        "corrections": [*record.corrections, CorrectionRecord(version=version, by=actor, at=now.isoformat(),
                                                              note=note, changes=changes,
                                                              confirmed=corrected.confirmed)]})
    store_version(store, catalog, new, pdf_bytes, actor, correction={
        "from_version": doc.version, "changed": [c.target for c in changes], "confirmed": corrected.confirmed,
        "note": note})
    log.info("document %s corrected: v%d from v%d, %d changes, %d confirmed", doc_id, version, doc.version,
             len(changes), len(corrected.confirmed), extra={"doc_id": doc_id})
    return new


def _free_version(store: ObjectStore, agency: str, doc_id: str, version: int) -> int:
    """The first version from ``version`` on with no object yet: a correction cut short before its catalog rows
    leaves write-once objects that are never overwritten (they stay as an attempt the catalog does not show)."""
    while store.exists(doc_key(agency, doc_id, version, "pdf")) or store.exists(doc_key(agency, doc_id, version,
                                                                                        "json")):
        log.warning("document %s: v%d was stored by a correction cut short, the next version is used", doc_id,
                    version, extra={"doc_id": doc_id})
        version += 1
    return version
