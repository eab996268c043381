"""Typed answers several API calls share, for the OpenAPI description and for checking what is answered."""
from __future__ import annotations

from pydantic import BaseModel, Field

from workers.record import DocumentRecord


class TimestampCheck(BaseModel):
    time: str | None
    authority: str
    intact: bool
    trusted: bool
    valid: bool


class SignatureCheck(BaseModel):
    field: str
    signer: str
    signing_time: str | None = Field(description="as the signer's clock said; a timestamp proves it")
    level: str = Field(description="the PAdES baseline level reached")
    intact: bool
    trusted: bool
    byte_range: list[int]
    bytes_covered: int
    file_size: int
    coverage: str
    changes_after: str
    modified_after: bool
    timestamp: TimestampCheck | None
    revocation: str = Field(description="good, revoked or not checked")
    revocation_source: str | None
    problems: list[str]
    valid: bool


class VerificationReport(BaseModel):
    """The report of ``sohoa verify --format json`` (and POST /api/verify)."""
    file: str
    valid: bool
    error: str | None
    signatures: list[SignatureCheck]
    document_timestamps: list[TimestampCheck]


class SearchAnswer(BaseModel):
    """A page of documents (CONTRACT §2 JSON without page texts), as ``sohoa search --format json`` prints it."""
    items: list[DocumentRecord]
    next: str | None = Field(description="the cursor of the next page; null on the last")


class ProgressLine(BaseModel):
    """One line of ``sohoa report``: an agency, batch kind, register book and document type."""
    agency: str
    kind: str
    book: str = Field(description="<agency>/<type>/<year>/<volume>, or - for documents of no register book")
    doc_type: str = Field(description="- for files that failed before they had a type")
    documents: int
    pages: int
    signed: int
    awaiting_review: int
    failed: int = Field(description="files that failed")
    review_rate: float
    failure_rate: float


class ProgressReport(BaseModel):
    """What ``sohoa report --format json`` prints."""
    rows: list[ProgressLine]
    total: ProgressLine
