"""Checking the signatures of a PDF against configured trust roots with pyHanko's validator."""
from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from pathlib import Path

from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


@dataclass
class SignatureReport:
    field: str
    signer: str
    signing_time: str | None
    intact: bool  # the signed bytes are unchanged
    trusted: bool  # the chain ends in a trusted root
    coverage: str  # ENTIRE_FILE, ENTIRE_REVISION, ...
    modified_after: bool  # content changed by a later revision
    valid: bool


@dataclass
class VerifyReport:
    file: str
    signatures: list[SignatureReport] = field(default_factory=list)
    error: str | None = None

    @property
    def valid(self) -> bool:
        return self.error is None and bool(self.signatures) and all(s.valid for s in self.signatures)

    def to_dict(self) -> dict:
        return {"file": self.file, "valid": self.valid, "error": self.error,
                "signatures": [asdict(s) for s in self.signatures]}


def load_roots(paths: list[Path]) -> list[x509.Certificate]:
    roots = []
    for path in paths:
        data = path.read_bytes()
        blocks = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        roots += [x509.Certificate.load(der) for der in blocks]
    return roots


def verify_pdf(data: bytes, roots: list[x509.Certificate], name: str = "document.pdf") -> VerifyReport:
    report = VerifyReport(name)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the report's answer, not a crash
        report.error = f"not a readable PDF: {exc}"
        return report
    if not embedded:
        report.error = "the PDF carries no signature"
    for sig in embedded:
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=roots, allow_fetching=False))
        modified = status.modification_level is not None and status.modification_level.name not in (
            "NONE", "LTA_UPDATES")
        report.signatures.append(SignatureReport(
            field=sig.field_name,
            signer=status.signing_cert.subject.human_friendly,
            signing_time=status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
            intact=status.intact and status.valid,
            trusted=status.trusted,
            coverage=status.coverage.name,
            modified_after=modified,
            valid=status.bottom_line and not modified,
        ))
    return report
