"""The document JSON of CONTRACT §2, from a document's pages and what was understood of them."""
from __future__ import annotations

from typing import Any

from ocr.classify import classify
from signing.signer import Signature
from workers.segment import DocPlan

LOW_PAGE_CONFIDENCE = 0.70
UNCERTAIN_TYPE = 0.75


def understand(plan: DocPlan) -> dict[str, Any]:
    """doc_type, fields, records and the review flags of a document."""
    texts = [p.text for p in plan.pages if not p.blank]
    doc_type, confidence = classify(texts[0] if texts else "")
    reasons = []
    if confidence < UNCERTAIN_TYPE:
        reasons.append(f"uncertain document type ({doc_type}, confidence {confidence:.0%})")
    for page in plan.pages:
        if not page.blank and page.confidence < LOW_PAGE_CONFIDENCE:
            reasons.append(f"page {page.number}: low recognition confidence ({page.confidence:.0%})")
    return {"doc_type": doc_type, "doc_type_confidence": confidence, "fields": {}, "records": [],
            "needs_review": bool(reasons), "review_reasons": reasons}


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
