"""From a document's recognized pages to what it is and what it says: type, fields, records, review flags."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ocr.classify import classify
from ocr.doctypes import RECORD_FIELDS
from ocr.fields import PageWords, Value, extract_fields
from ocr.mrz import read_mrz
from ocr.recognize import Word
from ocr.registers import read_records
from ocr.rules import Rules
from ocr.validate import record_reasons, review_reasons

UNCERTAIN_TYPE = 0.75
LOW_PAGE_CONFIDENCE = 0.70
ENTRY_PAGE = "page"  # a register entry's page: the ``index`` of the document page it was read from


class Page(Protocol):
    number: int
    text: str
    words: list[Word]
    rules: Rules
    blank: bool
    confidence: float


@dataclass
class Understanding:
    doc_type: str
    doc_type_confidence: float
    fields: dict[str, str] = field(default_factory=dict)
    records: list[dict[str, str | int]] = field(default_factory=list)
    review_reasons: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reasons)


def understand(pages: list[Page]) -> Understanding:
    content = [p for p in pages if not p.blank]
    doc_type, confidence = classify(content)
    result = Understanding(doc_type, confidence)
    if doc_type in RECORD_FIELDS:
        result.records = [{**r, ENTRY_PAGE: index} for index, p in enumerate(pages, 1) if not p.blank
                          for r in read_records(doc_type, p.words, p.rules)]
        result.review_reasons += record_reasons(result.records)
        if not result.records:
            result.review_reasons.append("no register entries could be read from the table")
    else:
        values = extract_fields(doc_type, [PageWords(p.words, p.text) for p in content])
        if doc_type == "citizen_id":
            _apply_mrz(values, "\n".join(p.text for p in content))
        result.fields = {name: v.value for name, v in values.items()}
        result.review_reasons += [f"{name}: printed as {v.value} in digits but {v.disagrees} in words"
                                  for name, v in values.items() if v.disagrees]
        result.review_reasons += review_reasons(doc_type, result.fields,
                                                {name: v.confidence for name, v in values.items()})
    if confidence < UNCERTAIN_TYPE:
        result.review_reasons.insert(0, f"uncertain document type ({doc_type}, confidence {confidence:.0%})")
    for page in content:
        if page.confidence < LOW_PAGE_CONFIDENCE:
            result.review_reasons.append(f"page {page.number}: low recognition confidence ({page.confidence:.0%})")
    return result


def _apply_mrz(values: dict[str, Value], text: str) -> None:
    """A card's machine-readable zone overrules the printed fields where its check digits hold."""
    mrz = read_mrz(text)
    if mrz is None:
        return
    for name in ("date_of_birth", "expiry_date", "gender", "personal_id"):
        trusted = getattr(mrz, name)
        if not trusted:
            continue
        printed = values.get(name)
        if printed is None or printed.value != trusted:
            values[name] = Value(trusted, 1.0, f"MRZ: {trusted}")
