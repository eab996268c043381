"""Public verification of a result (no sign-in): an uploaded PDF or a typed result code, answered in words.

The page (``/xac-thuc``, where a result's QR code leads) and the API call (``POST /api/public/verify``) give one
answer, made here because its words are messages of the web interface's catalogs: for a PDF, its signatures checked as
``POST /api/verify`` checks them and whether this service holds it (by its SHA-256); for a code, the stored result's
fingerprint, agency and signature. Never anything of the person the result is for (``storage.public_lookup`` reads
none of it). Both count against one rate limit per client address.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Literal

from babel.dates import format_time
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from signing.verify import GOOD, REVOKED, SignatureReport, VerifyReport, verify_pdf
from sohoa.api.deps import ResourcesDep, SettingsDep
from sohoa.api.ratelimit import app_limiter, client_key
from sohoa.api.routers.verify import MAX_UPLOAD_BYTES
from sohoa.api.uploads import limited_form
from sohoa.settings import PUBLIC_VERIFY_PATH, Settings
from sohoa.web.i18n import gettext as _
from sohoa.web.i18n import language
from sohoa.web.session import check_csrf
from sohoa.web.templating import VIETNAM, render
from storage.catalog import Catalog
from storage.public_lookup import MAX_CODE_LENGTH, PublicResult, result_by_code, result_by_sha256

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
RATE_LIMIT = "public-verify"  # the allowance the page and the API call share
TEMPLATE = "public/verify.html"
UNREADABLE = "not a readable PDF"  # how signing.verify begins the error of a file it cannot parse
PDF_HEADER_WITHIN = 1024  # bytes: where a PDF's "%PDF-" header may start

CheckName = Literal["file", "unchanged", "trust", "revocation", "timestamp", "held", "current", "code"]


class Check(BaseModel):
    name: CheckName
    passed: bool | None = Field(description="None: for information, or could not be checked; not a failure")
    words: str


class PublicAnswer(BaseModel):
    """The answer of a public verification; nothing in it is about the person the result is for."""
    authentic: bool = Field(description="a file: its signatures are valid (unchanged since signing, trusted, not "
                                        "revoked); a code: this service issued a result with it")
    held: bool = Field(description="this service holds the result (found by the file's SHA-256, or by the code)")
    summary: str = Field(description="the answer in one or two sentences, in the request's language")
    checks: list[Check] = Field(description="each check made, in words")
    signer: str | None = Field(None, description="the common name of the signing certificate")
    signed_at: str | None = Field(None, description="ISO 8601; a signature timestamp's time when there is one")
    agency: str | None = Field(None, description="the issuing agency's code")
    agency_name: str | None = None
    result_code: str | None = None
    doc_type: str | None = Field(None, description="the document type (CONTRACT §3)")
    sha256: str | None = Field(None, description="a file: its SHA-256; a code: the SHA-256 of the stored signed PDF")
    superseded: bool = Field(False, description="a corrected version of the result was issued later")


# ---- the answer -------------------------------------------------------------------------------------------------

def answer_for_pdf(settings: Settings, catalog: Catalog, data: bytes) -> PublicAnswer:
    """An uploaded file: its signatures against the service's trust roots and CRLs, then the catalog by SHA-256."""
    sha256 = hashlib.sha256(data).hexdigest()
    if b"%PDF-" not in data[:PDF_HEADER_WITHIN]:
        return _refused(sha256, _("The file is not a PDF document."))
    try:
        report = verify_pdf(data, settings.trusted_roots(), "upload.pdf", settings.verify_crls())
    except Exception:  # noqa: BLE001 - a signature too malformed for the validator is a damaged file to its reader
        log.warning("public verification: the signatures of an upload (sha256 %s) could not be read", sha256,
                    exc_info=True)
        return _refused(sha256, _("The PDF file is damaged and cannot be read."))
    if not report.signatures:
        unreadable = (report.error or "").startswith(UNREADABLE)
        return _refused(sha256, _("The PDF file is damaged and cannot be read.") if unreadable else
                        _("The PDF carries no digital signature, so nothing proves who issued it."))
    found = result_by_sha256(catalog, sha256)
    first = report.signatures[0]
    said = {"signer": first.signer, "signed_at": _signed_at(first)} if first.intact else {}  # a broken one says nothing
    return PublicAnswer(authentic=report.valid, held=found is not None, summary=_pdf_summary(report.valid, found),
                        checks=[*_signature_checks(report), *_held_checks(found)], sha256=sha256, **said,
                        **_result_facts(found))


def answer_for_code(catalog: Catalog, code: str) -> PublicAnswer:
    """A typed result code: the stored result it names, told by its fingerprint, agency and signature."""
    found = result_by_code(catalog, code)
    if found is None:
        words = _("No result has the code %(code)s. Check the code as it is printed on the result.",
                  code=code.strip()[:MAX_CODE_LENGTH])
        return PublicAnswer(authentic=False, held=False, summary=words, checks=[Check(name="code", passed=False,
                                                                                      words=words)])
    agency = _agency_words(found)
    summary = _("Result %(code)s was issued by %(agency)s. An electronic copy is authentic when its PDF file has the "
                "fingerprint shown here.", code=found.result_code, agency=agency)
    checks = [Check(name="code", passed=True, words=_("A result with this code was issued by %(agency)s.",
                                                      agency=agency)), *_current_check(found)]
    return PublicAnswer(authentic=True, held=True, summary=summary, checks=checks, signer=found.signer,
                        signed_at=found.signed_at, sha256=found.sha256, **_result_facts(found))


def _refused(sha256: str, words: str) -> PublicAnswer:
    return PublicAnswer(authentic=False, held=False, summary=words, sha256=sha256,
                        checks=[Check(name="file", passed=False, words=words)])


def _signature_checks(report: VerifyReport) -> list[Check]:
    """Unchanged since signing, trusted signer, not revoked and, when there are any, valid timestamps: each over every
    signature of the file. A broken signature is only that."""
    signatures = report.signatures
    if not all(s.intact for s in signatures):  # then whom it names and what they hold proves nothing: not told
        return [_unchanged(signatures)]
    checks = [_unchanged(signatures), _trust(signatures), _revocation(signatures)]
    stamps = [s.timestamp for s in signatures if s.timestamp] + report.document_timestamps
    if stamps:
        valid = all(stamp.valid for stamp in stamps)
        checks.append(Check(name="timestamp", passed=valid,
                            words=_("A trusted timestamp proves when the document was signed.") if valid else
                            _("The timestamp on the signature is not valid.")))
    return checks


def _unchanged(signatures: list[SignatureReport]) -> Check:
    if not all(s.intact for s in signatures):
        return Check(name="unchanged", passed=False, words=_(
            "The signature does not match the document: its content was changed after signing, or the file is "
            "damaged."))
    if any(s.modified_after for s in signatures):
        return Check(name="unchanged", passed=False,
                     words=_("Something was added to or changed in the document after it was signed."))
    return Check(name="unchanged", passed=True,
                 words=_("The signature matches the document: its content is unchanged since signing."))


def _trust(signatures: list[SignatureReport]) -> Check:
    if all(s.trusted for s in signatures):
        return Check(name="trust", passed=True, words=_(
            "The signer's certificate was issued by a certification authority this service trusts."))
    return Check(name="trust", passed=False, words=_(
        "The signer's certificate was not issued by a certification authority this service trusts."))


def _revocation(signatures: list[SignatureReport]) -> Check:
    states = {s.revocation for s in signatures}
    if REVOKED in states:
        return Check(name="revocation", passed=False, words=_("The signer's certificate has been revoked."))
    if states == {GOOD}:
        return Check(name="revocation", passed=True, words=_("The signer's certificate has not been revoked."))
    return Check(name="revocation", passed=None,
                 words=_("Whether the signer's certificate was revoked could not be checked."))


def _held_checks(found: PublicResult | None) -> list[Check]:
    if found is None:
        return [Check(name="held", passed=False,
                      words=_("This service holds no result with this fingerprint: ask the agency that issued it."))]
    return [Check(name="held", passed=True, words=_("This service holds this result, issued by %(agency)s.",
                                                    agency=_agency_words(found))), *_current_check(found)]


def _current_check(found: PublicResult) -> list[Check]:
    if not found.superseded:
        return []
    return [Check(name="current", passed=None,
                  words=_("A corrected version of this result was issued later: ask the agency for it."))]


def _pdf_summary(valid: bool, found: PublicResult | None) -> str:
    if valid and found:
        return _("This result was issued by %(agency)s and has not been changed since it was signed.",
                 agency=_agency_words(found))
    if valid:
        return _("The digital signature is valid and the document is unchanged since it was signed, but this service "
                 "does not hold it: ask the agency that issued it.")
    return _("Do not trust this document: it did not pass the checks below.")


def _signed_at(signature: SignatureReport) -> str | None:
    """A timestamp proves the time; without one, the signer's clock says it."""
    stamp = signature.timestamp
    return stamp.time if stamp is not None and stamp.valid else signature.signing_time


def _agency_words(found: PublicResult) -> str:
    return f"{found.agency_name} ({found.agency})" if found.agency_name else found.agency


def _result_facts(found: PublicResult | None) -> dict[str, object]:
    if found is None:
        return {}
    return {"agency": found.agency, "agency_name": found.agency_name, "result_code": found.result_code,
            "doc_type": found.doc_type, "superseded": found.superseded}


def too_many_words(seconds: int) -> str:
    """What a client over its allowance is told: the time (Vietnam's, to the second) it may check again."""
    again = dt.datetime.now(VIETNAM) + dt.timedelta(seconds=seconds)
    return _("You have made many checks in a short time. Please try again after %(time)s.",
             time=format_time(again, "medium", tzinfo=VIETNAM, locale=language()))


def rate_limited(request: Request) -> int:
    """Count one check against the client's allowance: 0 when allowed, else the seconds to wait."""
    return app_limiter(request, RATE_LIMIT).take(client_key(request))


# ---- the page ---------------------------------------------------------------------------------------------------

@router.get(PUBLIC_VERIFY_PATH, response_class=HTMLResponse)
async def verify_page(request: Request, resources: ResourcesDep, ma: str | None = None) -> Response:
    """The forms; with ``ma`` (a result code, as a QR code's link gives it) the answer for that code."""
    if ma is None:
        return _page(request)
    code = ma.strip()
    if not code:
        return _page(request, error=_("Type the result code."), code_error=True, status=400)
    if wait := rate_limited(request):
        return _too_many(request, wait, code)
    answer = await run_in_threadpool(answer_for_code, resources.catalog(), code)
    return _page(request, answer=answer, by="code", code=code)


@router.post(PUBLIC_VERIFY_PATH, response_class=HTMLResponse)
async def verify_upload(request: Request, resources: ResourcesDep, settings: SettingsDep) -> Response:
    """An uploaded PDF (multipart field ``file``, with the page's CSRF token)."""
    if wait := rate_limited(request):
        return _too_many(request, wait)
    try:
        form = await limited_form(request, MAX_UPLOAD_BYTES)
    except HTTPException as refused:
        return _page(request, error=_upload_refused(refused.status_code), file_error=True,
                     status=refused.status_code)
    try:
        await check_csrf(request)
        upload = form.get("file")
        data = await upload.read() if isinstance(upload, UploadFile) and upload.filename else None
    finally:
        await form.close()
    if data is None:
        return _page(request, error=_("Choose the PDF file of the result."), file_error=True, status=400)
    answer = await run_in_threadpool(answer_for_pdf, settings, resources.catalog(), data)
    return _page(request, answer=answer, by="file")


def _page(request: Request, *, status: int = 200, headers: dict[str, str] | None = None, **context: object) -> Response:
    return render(request, TEMPLATE, {"max_mb": MAX_UPLOAD_BYTES // 1024**2, "max_bytes": MAX_UPLOAD_BYTES,
                                      **context}, status, headers)


def _too_many(request: Request, wait: int, code: str = "") -> Response:
    return _page(request, error=too_many_words(wait), code=code, status=429, headers={"Retry-After": str(wait)})


def _upload_refused(status: int) -> str:
    if status == 413:
        return _("The file is larger than %(limit)s MB, more than any result. Check that you chose the right file.",
                 limit=MAX_UPLOAD_BYTES // 1024**2)
    return _("The file did not arrive whole. Please choose it and send it again.")
