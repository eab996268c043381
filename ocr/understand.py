"""From a document's recognized pages to what it is and what it says: type, fields, records, review flags."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ocr.classify import classify
from ocr.doctypes import RECORD_FIELDS
from ocr.fields import PageWords, Value, extract_fields
from ocr.mrz import read_mrz
from ocr.recognize import Word
from ocr.registers import read_entries, register_type
from ocr.rules import Rules
from ocr.validate import Doubt, field_doubts, record_doubts

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
    size: tuple[int, int]  # width and height of the page image the words' boxes are in


@dataclass(frozen=True)
class FieldBox:
    """Where a field was read: the document's page (``index``, from 1, blank pages counted) and the box of its
    words as fractions of that page's width and height (left, top, right, bottom), for a reviewer's eyes."""
    page: int
    box: tuple[float, float, float, float]


@dataclass
class Understanding:
    doc_type: str
    doc_type_confidence: float
    fields: dict[str, str] = field(default_factory=dict)
    records: list[dict[str, str | int]] = field(default_factory=list)
    doubts: list[Doubt] = field(default_factory=list)
    boxes: dict[str, FieldBox] = field(default_factory=dict)

    @property
    def review_reasons(self) -> list[str]:
        return [d.reason for d in self.doubts]

    @property
    def needs_review(self) -> bool:
        return bool(self.doubts)


BY_COLUMNS = 0.9  # a table whose columns are one book's is that book's page


def understand(pages: Sequence[Page], book: str | None = None) -> Understanding:
    """Type, fields or entries and review flags of a document; ``book`` is the register type of the book the batch
    says its pages come from (CONTRACT §6's manifest), for pages that print no title."""
    content = [p for p in pages if not p.blank]
    doc_type, confidence = classify(content)
    if doc_type not in RECORD_FIELDS and (doc_type == "other" or confidence < UNCERTAIN_TYPE):
        by_columns = next((t for p in content if (t := register_type(p.words, p.rules))), None)
        if by_columns or book:  # a page from the middle of a book: the book from its columns, else the batch's
            doc_type, confidence = (by_columns, BY_COLUMNS) if by_columns else (book or "", UNCERTAIN_TYPE)
    result = Understanding(doc_type, confidence)
    if confidence < UNCERTAIN_TYPE:
        result.doubts.append(Doubt("doc_type", f"uncertain document type ({doc_type}, confidence {confidence:.0%})"))
    if doc_type in RECORD_FIELDS:
        entries = [(index, read_entries(doc_type, p.words, p.rules)) for index, p in enumerate(pages, 1)
                   if not p.blank]
        read = [(index, r) for index, found in entries for r in found.records]
        result.records = [{**r, ENTRY_PAGE: index} for index, r in read]
        result.doubts += record_doubts([r for _, r in read])
        result.doubts += [Doubt(f"pages.{index}", f"handwritten: the entries of page {pages[index - 1].number} are "
                                                  "written by hand; key them in") for index, found in entries
                          if found.handwritten]
        if not result.records and not any(found.handwritten for _, found in entries):
            result.doubts.append(Doubt("records", "no register entries could be read from the table"))
    else:
        values = extract_fields(doc_type, [PageWords(p.words, p.text) for p in content])
        if doc_type == "citizen_id":
            _apply_mrz(values, "\n".join(p.text for p in content))
        result.fields = {name: v.value for name, v in values.items()}
        indices = [index for index, p in enumerate(pages, 1) if not p.blank]  # of the content pages
        result.boxes = {name: _field_box(indices[v.page], content[v.page].size, v.box) for name, v in values.items()
                        if v.page is not None and v.box is not None}
        result.doubts += [Doubt(name, f"{name}: printed as {v.value} in digits but {v.disagrees} in words")
                          for name, v in values.items() if v.disagrees]
        result.doubts += field_doubts(doc_type, result.fields, {name: v.confidence for name, v in values.items()})
    for index, page in enumerate(pages, 1):
        if not page.blank and page.confidence < LOW_PAGE_CONFIDENCE:
            result.doubts.append(Doubt(f"pages.{index}", f"page {page.number}: low recognition confidence "
                                                         f"({page.confidence:.0%})"))
    return result


def _field_box(index: int, size: tuple[int, int], box: tuple[float, float, float, float]) -> FieldBox:
    width, height = size
    left, top, right, bottom = box
    return FieldBox(index, (round(left / width, 4), round(top / height, 4), round(right / width, 4),
                            round(bottom / height, 4)))


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
