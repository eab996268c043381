"""The document as it was before it was signed: what a corrected version is signed again from.

Signing appends one incremental update (the signature, and on a result its QR code) to the finished PDF/A, so the
bytes up to the end of the revision before the first signature are that PDF/A, unchanged.
"""
from __future__ import annotations

import io

from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader

_EOF = b"%%EOF"


class NotSigned(ValueError):
    pass


def unsigned_original(data: bytes) -> bytes:
    """The bytes of the revision the first signature was appended to. Raises NotSigned for an unsigned file."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_regular_signatures
    except (PdfReadError, ValueError) as exc:
        raise NotSigned(f"not a readable PDF: {exc}") from None
    if not signatures:
        raise NotSigned("the PDF carries no signature")
    revision = min(s.signed_revision for s in signatures) - 1
    if revision < 0:
        raise NotSigned("the first signature is in the file's first revision: there is no unsigned original")
    xref_end = reader.xrefs.get_xref_container_info(revision).end_location
    eof = data.find(_EOF, xref_end)
    if eof < 0:
        raise NotSigned("the revision before the signature has no end-of-file marker")
    end = eof + len(_EOF)
    while data[end:end + 1] in (b"\r", b"\n") and end < len(data):
        end += 1
    return data[:end]
