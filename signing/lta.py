"""Long-term archives: extend a PAdES-B-LTA document with a fresh document timestamp before the last one's TSA
certificate expires (pyHanko's archival timestamp chain update: validation data for the last timestamp goes into
the DSS, then a new document timestamp covers everything). Each extension is one more incremental update.
"""
from __future__ import annotations

import datetime as dt
import io

from asn1crypto import crl, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import PdfTimeStamper
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext


def last_timestamp_expiry(data: bytes) -> dt.datetime | None:
    """When the certificate of the document's last document timestamp expires; None when it has none."""
    stamps = PdfFileReader(io.BytesIO(data), strict=False).embedded_timestamp_signatures
    if not stamps:
        return None
    return stamps[-1].signer_cert["tbs_certificate"]["validity"]["not_after"].native


def extend_lta(data: bytes, tsa_url: str, roots: list[x509.Certificate], crls: list[bytes]) -> bytes:
    """``data`` with the last timestamp's validation data and a new document timestamp appended.

    Revocation data comes from ``crls`` (DER) when given, else it is fetched from the addresses in the certificates.
    """
    context = ValidationContext(trust_roots=roots, crls=[crl.CertificateList.load(d) for d in crls],
                                allow_fetching=not crls)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    stamper = PdfTimeStamper(HTTPTimeStamper(tsa_url))
    return stamper.update_archival_timestamp_chain(reader, context, in_place=False, output=io.BytesIO()).getvalue()
