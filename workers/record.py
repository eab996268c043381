"""The document record of CONTRACT §2: one typed model, built once where a version is made (the pipeline, a
correction) and serialized at the edge (the JSON stored beside the signed PDF, the API, the web pages)."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from ingest.manifest import Manifest
from ocr.corrections import confirmed_targets
from ocr.understand import Understanding
from ocr.validate import Doubt
from signing.request import SignRequest
from signing.signer import Signature
from storage.retention import Retention
from workers.segment import DocPlan


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PageRecord(_Model):
    index: int  # 1-based, every page of the document (blank ones too)
    source_page: int  # in the input file, separator and blank pages counted
    text: str = ""  # left out of search results
    confidence: float
    rotation: int = 0
    skew_deg: float = 0.0
    blank: bool = False
    dpi: int
    pdf_page: int | None = None  # the page of the PDF showing it; None for a blank page (left out)
    text_source: Literal["ocr", "pdf"] = "ocr"  # "pdf": a born-digital page's own text layer, believed


class SignatureRecord(_Model):
    level: str
    signer: str
    signed_at: str  # ISO 8601

    @classmethod
    def of(cls, signature: Signature) -> SignatureRecord:
        return cls(level=signature.level, signer=signature.signer, signed_at=signature.signed_at)


class RetentionRecord(_Model):
    retention_class: str = Field(alias="class")
    until: str | None = None  # ISO date, "permanent", or None (no set period)

    @classmethod
    def of(cls, retention: Retention) -> RetentionRecord:
        return cls(retention_class=retention.cls, until=retention.until)

    def policy(self) -> Retention:
        """What the object store is told to keep."""
        return Retention(self.retention_class, self.until)


class ChangeRecord(_Model):
    target: str  # full_name, records.3.full_name or doc_type
    old: str | None
    new: str | None  # None: removed


class CorrectionRecord(_Model):
    version: int
    by: str
    at: str  # ISO 8601
    note: str | None = None
    changes: list[ChangeRecord] = []
    confirmed: list[str] = []  # targets a reviewer confirmed as right


class DoubtRecord(_Model):
    """Why a reviewer must look, and at what (ocr.validate.Doubt); "" for a document stored before doubts had
    targets."""
    target: str
    reason: str


class BoxRecord(_Model):
    """Where a field was read (ocr.understand.FieldBox): a page ``index`` and fractions of that page."""
    page: int
    box: tuple[float, float, float, float]


class DocumentRecord(_Model):
    id: str
    source: str
    doc_type: str
    doc_type_confidence: float
    fields: dict[str, str] = {}
    records: list[dict[str, str | int]] = []
    pages: list[PageRecord]
    doubts: list[DoubtRecord] = []
    boxes: dict[str, BoxRecord] = {}
    pdf: str
    sha256: str
    signature: SignatureRecord
    batch: str
    agency: str
    version: int
    retention: RetentionRecord | None = None  # absent from documents stored before retention classes
    dossier_code: str | None = None
    result_code: str | None = None
    corrections: list[CorrectionRecord] = []

    @model_validator(mode="before")
    @classmethod
    def _doubts_of_older_records(cls, data: Any) -> Any:
        """``needs_review`` and ``review_reasons`` follow from the doubts; a record stored before doubts had targets
        gets one doubt per reason."""
        if isinstance(data, dict):
            data = dict(data)
            reasons = data.pop("review_reasons", [])
            data.pop("needs_review", None)
            data.setdefault("doubts", [{"target": "", "reason": reason} for reason in reasons])
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def needs_review(self) -> bool:
        return bool(self.doubts)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def review_reasons(self) -> list[str]:
        return [d.reason for d in self.doubts]

    def confirmed(self) -> set[str]:
        """What reviewers have confirmed so far and still stands."""
        return confirmed_targets([([c.target for c in correction.changes], correction.confirmed)
                                  for correction in self.corrections])

    def to_json(self) -> dict[str, Any]:
        """The JSON object as stored: keys the document does not have (codes, corrections) are left out."""
        data = self.model_dump(mode="json", by_alias=True)
        for key in ("retention", "dossier_code", "result_code"):
            if data[key] is None:
                del data[key]
        if not data["corrections"]:
            del data["corrections"]
        return data

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> DocumentRecord:
        return cls.model_validate_json(data)


@dataclass(frozen=True)
class Codes:
    """A document's one-stop codes: its dossier's (a separator sheet's, else the manifest's) and, for a result, its
    own ``<dossier>-KQ<n>``; ``problem`` says why a separator sheet's dossier code is doubtful."""
    dossier_code: str | None = None
    result_code: str | None = None
    problem: str | None = None


def build_record(doc_id: str, source: str, plan: DocPlan, found: Understanding, codes: Codes, sha256: str,
                 signature: Signature, *, batch: str, agency: str, retention: RetentionRecord) -> DocumentRecord:
    """Version 1 of a document made by the pipeline."""
    doubts = [*found.doubts, *([Doubt("dossier_code", f"separator sheet: {codes.problem}")] if codes.problem else [])]
    return DocumentRecord(
        id=doc_id, source=source, doc_type=found.doc_type, doc_type_confidence=found.doc_type_confidence,
        fields=found.fields, records=found.records, pages=page_records(plan),
        doubts=[DoubtRecord(target=d.target, reason=d.reason) for d in doubts],
        boxes={name: BoxRecord(page=b.page, box=b.box) for name, b in found.boxes.items()},
        pdf=f"{doc_id}.pdf", sha256=sha256, signature=SignatureRecord.of(signature),
        batch=batch, agency=agency, version=1, retention=retention, dossier_code=codes.dossier_code,
        result_code=codes.result_code)


def page_records(plan: DocPlan) -> list[PageRecord]:
    """Every page of a document as the record lists it; blank pages have no page in the PDF."""
    pages, shown = [], 0
    for index, page in enumerate(plan.pages, 1):
        shown += not page.blank
        pages.append(PageRecord(index=index, source_page=page.number, text=page.text, confidence=page.confidence,
                                rotation=page.rotation, skew_deg=page.skew_deg, blank=page.blank,
                                dpi=round(page.dpi), pdf_page=None if page.blank else shown,
                                text_source=page.text_source))
    return pages


def sign_request(manifest: Manifest, agency: str, doc_type: str, fields: dict[str, str], codes: Codes,
                 scanned_at: dt.datetime) -> SignRequest:
    """What a document's signature shows, from its batch manifest and what was understood (CONTRACT §6);
    ``agency`` names the agency when the manifest does not."""
    return SignRequest(kind=manifest.kind, agency_name=manifest.agency_name or manifest.agency or agency,
                       operator=manifest.operator, scanned_at=scanned_at,
                       dossier_code=codes.dossier_code or manifest.dossier_code, procedure_code=manifest.procedure_code,
                       personal_id=fields.get("personal_id"), doc_type=doc_type, result_code=codes.result_code)
