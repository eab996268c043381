"""The document JSON of CONTRACT §2, from a document's pages and what was understood of them."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ingest.manifest import Manifest
from ocr.understand import understand as understand_pages
from signing.request import SignRequest
from signing.signer import Signature
from workers.segment import DocPlan


def understand(plan: DocPlan) -> dict[str, Any]:
    """doc_type, fields, records and the review flags of a document, as the JSON carries them."""
    found = understand_pages(plan.pages)
    return {"doc_type": found.doc_type, "doc_type_confidence": found.doc_type_confidence, "fields": found.fields,
            "records": found.records, "needs_review": found.needs_review, "review_reasons": found.review_reasons}


def document_record(doc_id: str, source: str, plan: DocPlan, understood: dict[str, Any], sha256: str,
                    signature: Signature, extra: dict[str, Any]) -> dict[str, Any]:
    pages, shown = [], 0
    for index, page in enumerate(plan.pages, 1):
        shown += not page.blank
        pages.append({"index": index, "source_page": page.number, "text": page.text,
                      "confidence": page.confidence, "rotation": page.rotation, "skew_deg": page.skew_deg,
                      "blank": page.blank, "dpi": round(page.dpi), "pdf_page": None if page.blank else shown})
    return {
        "id": doc_id,
        "source": source,
        **understood,
        "pages": pages,
        "pdf": f"{doc_id}.pdf",
        "sha256": sha256,
        "signature": {"level": signature.level, "signer": signature.signer, "signed_at": signature.signed_at},
        **extra,
    }


def sign_request(manifest: Manifest, agency: str, understood: dict[str, Any], scanned_at: dt.datetime) -> SignRequest:
    """What a document's signature shows, from its batch manifest and what was understood (CONTRACT §6);
    ``agency`` names the agency when the manifest does not."""
    return SignRequest(kind=manifest.kind, agency_name=manifest.agency_name or manifest.agency or agency,
                       operator=manifest.operator, scanned_at=scanned_at,
                       dossier_code=understood.get("dossier_code") or manifest.dossier_code,
                       procedure_code=manifest.procedure_code, personal_id=understood["fields"].get("personal_id"),
                       doc_type=understood["doc_type"])
