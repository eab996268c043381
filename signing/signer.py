"""PAdES signing with pyHanko, as one incremental update over the finished PDF/A so its identification stays true.

Levels: B-B (signature only), B-T (plus an RFC 3161 signature timestamp), B-LT (plus the certificate chains and
revocation data in the document security store), B-LTA (plus a document timestamp over all of it).
"""
from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from asn1crypto import crl, x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext

from signing.appearance import FIELD_NAME, appearance
from signing.keys import KeySource, Pkcs11Key, chain_roots, common_name, open_signer
from signing.qr import draw_qr, qr_payload, qr_symbols, reads_on_page
from signing.request import SignRequest

B_B, B_T, B_LT, B_LTA = "PAdES-B-B", "PAdES-B-T", "PAdES-B-LT", "PAdES-B-LTA"
LEVELS = (B_B, B_T, B_LT, B_LTA)
REASON = "Số hóa - sohoa"

# Embedding the CRLs we are given without fetching is what SOHOA_CRLS asks for: no warning for every document.
logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(
    lambda record: "fetching is not allowed" not in record.getMessage())


def parse_level(text: str) -> str:
    """``B-LT``, ``b-lt`` or ``PAdES-B-LT`` → ``PAdES-B-LT``."""
    name = text.strip().upper().removeprefix("PADES-")
    for level in LEVELS:
        if level.upper().removeprefix("PADES-") == name:
            return level
    raise ValueError(f"unknown signature level {text!r}: expected B-B, B-T, B-LT or B-LTA")


@dataclass(frozen=True)
class SignerConfig:
    """The key and how to sign with it; picklable, sent with each document job. Secrets stay out of ``repr``."""

    p12: Path | None = None
    password: str | None = field(default=None, repr=False)
    pkcs11: Pkcs11Key | None = None  # wins over ``p12``
    level: str = B_B
    tsa_url: str | None = None  # needed from B-T on
    trust_roots: tuple[bytes, ...] = ()  # DER: what the signer's and the TSA's chains end in, for B-LT and above
    crls: tuple[bytes, ...] = ()  # DER CRLs embedded for B-LT and above; when empty, revocation data is fetched
    visible: bool = True  # False: invisible signatures and no QR code, whatever the kind
    seal_image: Path | None = None  # the agency's seal; a plain red one is drawn when None
    verify_url: str | None = None  # the public verification page a result's QR code links to; None: no link

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown signature level {self.level!r}")
        if self.level != B_B and not self.tsa_url:
            raise ValueError(f"{self.level} needs a timestamp authority (SOHOA_TSA_URL)")

    @property
    def key(self) -> KeySource:
        return KeySource(self.p12, self.password, self.pkcs11)


@dataclass(frozen=True)
class Signature:
    level: str
    signer: str  # subject common name
    signed_at: str  # ISO 8601


def load_signer(config: SignerConfig) -> signers.Signer:
    """The signer, loaded once per process (keys are not re-read for every document)."""
    return open_signer(config.key)


def sign_pdf(data: bytes, config: SignerConfig, request: SignRequest | None = None) -> tuple[bytes, Signature]:
    """Sign ``data`` at the configured level. A result also gets its QR code, drawn in the same update, and is
    signed again with the symbol's next mask in the rare case its printed page 1 does not read back."""
    signer = load_signer(config)
    name = common_name(signer.signing_cert)
    request = request if request is not None and config.visible else SignRequest()
    signed_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    signature = Signature(config.level, name, signed_at.isoformat())
    if request.kind != "result":
        return _signed(data, config, signer, request, signed_at, None), signature
    payload = qr_payload(request, signed_at, config.verify_url)
    for symbol in qr_symbols(payload):
        out = _signed(data, config, signer, request, signed_at, symbol)
        if reads_on_page(out, payload):
            return out, signature
    raise ValueError("no QR symbol of this result reads back from its printed page")


def _signed(data: bytes, config: SignerConfig, signer: signers.Signer, request: SignRequest,
            signed_at: dt.datetime, qr_symbol: np.ndarray | None) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page_ref, _ = writer.find_page_for_modification(0)
    media_box = tuple(float(v) for v in page_ref.get_object()["/MediaBox"])
    if qr_symbol is not None:
        draw_qr(writer, qr_symbol, media_box)
    look = appearance(request, media_box, signed_at, common_name(signer.signing_cert), config.seal_image)
    long_term = config.level in (B_LT, B_LTA)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256", reason=REASON,
        embed_validation_info=long_term, use_pades_lta=config.level == B_LTA,
        validation_context=_validation_context(config, signer) if long_term else None)
    timestamper = _timestamper(config.tsa_url) if config.level != B_B else None
    style, field_spec, text = (look.style, look.field, look.text) if look else (None, None, None)
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamper, stamp_style=style,
                                   new_field_spec=field_spec)
    return pdf_signer.sign_pdf(writer, output=io.BytesIO(), appearance_text_params=text).getvalue()


def signature_in(data: bytes, level: str) -> Signature:
    """What ``sign_pdf`` said of a PDF it signed before (its first signature; ``level`` is the one it was asked for)."""
    signature = PdfFileReader(io.BytesIO(data), strict=False).embedded_regular_signatures[0]
    signed_at = signature.self_reported_timestamp or dt.datetime.now(dt.UTC)
    return Signature(level, common_name(signature.signer_cert),
                     signed_at.astimezone(dt.UTC).replace(microsecond=0).isoformat())


@cache
def _timestamper(url: str) -> HTTPTimeStamper:
    """One client per process: it keeps the TSA's sample reply that sizes every signature after the first."""
    return HTTPTimeStamper(url)


def _validation_context(config: SignerConfig, signer: signers.Signer) -> ValidationContext:
    """Where the chains and revocation data embedded for B-LT come from; missing revocation data is an error."""
    roots = [x509.Certificate.load(der) for der in config.trust_roots] + chain_roots(signer)
    if config.crls:
        return ValidationContext(trust_roots=roots, crls=[crl.CertificateList.load(d) for d in config.crls],
                                 revocation_mode="require")
    return ValidationContext(trust_roots=roots, allow_fetching=True, revocation_mode="require")
