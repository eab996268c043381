"""The verification report of a signed PDF (``sohoa verify``): signer, time, PAdES level reached, integrity, trust,
timestamps and revocation, checked with pyHanko's validator against configured roots. Nothing is fetched.

Revocation is looked up in the document's own validation data (its DSS) first, then in the configured CRLs. A
signature nobody can check revocation for is reported "not checked", not failed; a revoked certificate fails.
A signature with a timestamp is checked at the timestamp's time: a certificate revoked or expired later does not
undo a signature proven older.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import enum
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path

from asn1crypto import crl, ocsp, pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import find_cms_attribute_iter
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    EmbeddedPdfSignature,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, RevokedError

from signing.keys import common_name
from signing.signer import B_B, B_LT, B_LTA, B_T

GOOD, REVOKED, NOT_CHECKED = "good", "revoked", "not checked"
_ACCEPTED_CHANGES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)  # validation data and timestamps only


@dataclass
class TimestampReport:
    time: str | None
    authority: str  # the TSA certificate's common name
    intact: bool
    trusted: bool

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted


@dataclass
class SignatureReport:
    field: str
    signer: str
    signing_time: str | None  # as the signer's clock said; a timestamp proves it
    level: str  # the PAdES baseline level the signature reaches
    intact: bool  # the signed bytes are unchanged and the signature value is right
    trusted: bool  # the chain ends in a configured root
    byte_range: list[int]
    bytes_covered: int
    file_size: int
    coverage: str  # ENTIRE_FILE, ENTIRE_REVISION (later updates follow), CONTIGUOUS_BLOCK_FROM_START, ...
    changes_after: str  # NONE, LTA_UPDATES (validation data, timestamps) or what a later update changed
    modified_after: bool  # a later update changed content
    timestamp: TimestampReport | None
    revocation: str  # good | revoked | not checked
    revocation_source: str | None  # "embedded" (the document's DSS) or "configured CRL"
    # spelt in full: inside this class, ``field`` is the signature field's name
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def _timestamp_dict(stamp: TimestampReport | None) -> dict | None:
    return {**asdict(stamp), "valid": stamp.valid} if stamp else None


@dataclass
class VerifyReport:
    file: str
    signatures: list[SignatureReport] = field(default_factory=list)
    document_timestamps: list[TimestampReport] = field(default_factory=list)
    error: str | None = None

    @property
    def valid(self) -> bool:
        return (self.error is None and bool(self.signatures) and all(s.valid for s in self.signatures)
                and all(t.valid for t in self.document_timestamps))

    def to_dict(self) -> dict:
        return {"file": self.file, "valid": self.valid, "error": self.error,
                "signatures": [{**asdict(s), "valid": s.valid, "timestamp": _timestamp_dict(s.timestamp)}
                               for s in self.signatures],
                "document_timestamps": [_timestamp_dict(t) for t in self.document_timestamps]}

    def to_text(self) -> str:
        lines = [f"{self.file}: {'VALID' if self.valid else 'NOT VALID'}"]
        if self.error:
            lines.append(f"  {self.error}")
        for s in self.signatures:
            stamp = f"; timestamp {_describe(s.timestamp)}" if s.timestamp else "; no timestamp"
            source = f" ({s.revocation_source})" if s.revocation_source else ""
            lines += [f"  signature {s.field}: {s.level}, {'valid' if s.valid else 'NOT VALID'}",
                      f"    signer:     {s.signer} ({'trusted' if s.trusted else 'NOT trusted'})",
                      f"    signed at:  {s.signing_time} by the signer's clock{stamp}",
                      f"    integrity:  {'intact' if s.intact else 'BROKEN'}; {s.bytes_covered} of {s.file_size} bytes "
                      f"signed ({s.coverage}); changes after signing: {s.changes_after}",
                      f"    revocation: {s.revocation}{source}"]
            lines += [f"    problem:    {p}" for p in s.problems]
        lines += [f"  document timestamp {_describe(t)}" for t in self.document_timestamps]
        return "\n".join(lines)


def _describe(stamp: TimestampReport) -> str:
    return f"{stamp.time} by {stamp.authority} ({'valid' if stamp.valid else 'NOT valid'})"


def load_roots(paths: list[Path]) -> list[x509.Certificate]:
    """Certificates from PEM (one or more) or DER files."""
    return [x509.Certificate.load(der) for path in paths for der in _blocks(path.read_bytes())]


def load_crls(paths: list[Path]) -> list[bytes]:
    """DER CRLs from PEM or DER files."""
    return [der for path in paths for der in _blocks(path.read_bytes())]


def _blocks(data: bytes) -> list[bytes]:
    return [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]


@dataclass
class _Revinfo:
    certs: list[x509.Certificate]
    crls: list[crl.CertificateList]
    ocsps: list[ocsp.OCSPResponse]


def verify_pdf(data: bytes, roots: list[x509.Certificate], name: str = "document.pdf",
               crls: list[bytes] | None = None) -> VerifyReport:
    """The report for one PDF; ``crls`` are the configured CRLs (DER), consulted after the document's own data."""
    report = VerifyReport(name)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
        embedded_info = _dss(reader)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the report's answer, not a crash
        report.error = f"not a readable PDF: {exc}"
        return report
    configured = [crl.CertificateList.load(d) for d in crls or []]
    all_info = _Revinfo(embedded_info.certs, embedded_info.crls + configured, embedded_info.ocsps)
    doc_stamps = [s for s in embedded if s.sig_object_type == "/DocTimeStamp"]
    stamp_reports = [_doc_timestamp(s, roots, all_info) for s in doc_stamps]
    report.document_timestamps = [r for _, r in stamp_reports]
    for sig in embedded:
        if sig.sig_object_type != "/DocTimeStamp":
            later_stamp = any(r.valid and s.signed_revision > sig.signed_revision
                              for s, (_, r) in zip(doc_stamps, stamp_reports, strict=True))
            report.signatures.append(_signature(sig, len(data), roots, embedded_info, all_info, later_stamp))
    if not embedded:
        report.error = "the PDF carries no signature"
    return report


def _signature(sig: EmbeddedPdfSignature, file_size: int, roots: list[x509.Certificate], embedded: _Revinfo,
               everything: _Revinfo, later_doc_timestamp: bool) -> SignatureReport:
    moment = _timestamp_time(sig)
    status = validate_pdf_signature(sig, _context(roots, everything, moment), _context(roots, everything, None))
    ts = status.timestamp_validity
    timestamp = _timestamp_report(ts) if ts is not None else None
    revocation, source, detail = _revocation(sig, roots, embedded, everything, moment)
    changes = status.modification_level
    modified = changes is not None and changes not in _ACCEPTED_CHANGES
    changes_after = changes.name if changes else "unknown"
    start, first, second, length = (int(v) for v in sig.byte_range)
    problems = []
    if not (status.intact and status.valid):
        problems.append("the signature does not match the signed bytes")
    if not status.trusted:
        indic = status.trust_problem_indic  # an AdESFailure or AdESIndeterminate member, typed as their base
        indication = indic.name if isinstance(indic, enum.Enum) else "untrusted"
        problems.append(f"the signer's certificate is not trusted ({indication})")
    if modified:
        problems.append(f"the document was changed after signing ({changes_after})")
    if timestamp is not None and not timestamp.valid:
        problems.append("the signature timestamp is not valid")
    if revocation == REVOKED:
        problems.append(f"the signer's certificate is revoked{f': {detail}' if detail else ''}")
    level = B_B
    if timestamp is not None and timestamp.valid:
        level = B_T
        if revocation == GOOD and source == "embedded":
            level = B_LTA if later_doc_timestamp else B_LT
    return SignatureReport(
        field=sig.field_name, signer=common_name(status.signing_cert),
        signing_time=status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
        level=level, intact=status.intact and status.valid, trusted=status.trusted,
        byte_range=[start, first, second, length], bytes_covered=first + length, file_size=file_size,
        coverage=status.coverage.name if status.coverage else "unknown", changes_after=changes_after,
        modified_after=modified, timestamp=timestamp, revocation=revocation, revocation_source=source,
        problems=problems)


def _doc_timestamp(sig: EmbeddedPdfSignature, roots: list[x509.Certificate],
                   info: _Revinfo) -> tuple[EmbeddedPdfSignature, TimestampReport]:
    status = validate_pdf_timestamp(sig, _context(roots, info, None))
    report = _timestamp_report(status)
    report.intact = report.intact and status.modification_level in (*_ACCEPTED_CHANGES, None)
    return sig, report


def _timestamp_report(status: TimestampSignatureStatus) -> TimestampReport:
    return TimestampReport(status.timestamp.isoformat(), common_name(status.signing_cert),
                           status.intact and status.valid, status.trusted)


def _revocation(sig: EmbeddedPdfSignature, roots: list[x509.Certificate], embedded: _Revinfo, everything: _Revinfo,
                moment: dt.datetime | None) -> tuple[str, str | None, str | None]:
    """(status, where it was found, detail): the document's own data first, then the configured CRLs."""
    detail = None
    for source, info in (("embedded", embedded), ("configured CRL", everything)):
        context = _context(roots, info, moment, require=True)
        validator = CertificateValidator(sig.signer_cert, intermediate_certs=sig.other_embedded_certs + info.certs,
                                         validation_context=context)
        try:
            asyncio.run(validator.async_validate_path())
            return GOOD, source, None
        except RevokedError as exc:
            return REVOKED, source, str(exc)
        except (PathBuildingError, PathValidationError) as exc:
            detail = str(exc)
    return NOT_CHECKED, None, detail


def _context(roots: list[x509.Certificate], info: _Revinfo, moment: dt.datetime | None,
             require: bool = False) -> ValidationContext:
    return ValidationContext(trust_roots=roots, other_certs=info.certs, crls=info.crls, ocsps=info.ocsps,
                             moment=moment, retroactive_revinfo=moment is not None,
                             revocation_mode="require" if require else "soft-fail")


def _timestamp_time(sig: EmbeddedPdfSignature) -> dt.datetime | None:
    """The time in the signature's timestamp token, if it has one (its validity is checked separately)."""
    for token in find_cms_attribute_iter(sig.signer_info["unsigned_attrs"], "signature_time_stamp_token"):
        return token["content"]["encap_content_info"]["content"].parsed["gen_time"].native
    return None


def _dss(reader: PdfFileReader) -> _Revinfo:
    """Certificates, CRLs and OCSP responses in the document security store."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return _Revinfo([], [], [])
    return _Revinfo(list(dss.load_certs()),
                    [crl.CertificateList.load(ref.get_object().data) for ref in dss.crls],
                    [ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps])
