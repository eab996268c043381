"""PAdES signing with pyHanko, as an incremental update over the finished PDF/A so its identification stays true."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter

LEVEL = "PAdES-B-B"


@dataclass(frozen=True)
class SignerConfig:
    p12: Path
    password: str | None = None  # never logged or written out


@dataclass(frozen=True)
class Signature:
    level: str
    signer: str  # subject common name
    signed_at: str  # ISO 8601


@cache
def load_signer(config: SignerConfig) -> signers.SimpleSigner:
    """The signer, loaded once per process (keys are not re-read for every document)."""
    password = config.password.encode() if config.password else None
    signer = signers.SimpleSigner.load_pkcs12(str(config.p12), passphrase=password)
    if signer is None:
        raise ValueError(f"the signing key {config.p12} cannot be loaded (wrong password or not a PKCS#12 file)")
    return signer


def signer_name(signer: signers.SimpleSigner) -> str:
    return signer.signing_cert.subject.native.get("common_name", signer.signing_cert.subject.human_friendly)


def sign_pdf(data: bytes, config: SignerConfig, reason: str = "Số hóa - sohoa") -> tuple[bytes, Signature]:
    signer = load_signer(config)
    meta = signers.PdfSignatureMetadata(field_name="Signature1", subfilter=SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", reason=reason)
    signed_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    out = signers.PdfSigner(meta, signer=signer).sign_pdf(writer, output=io.BytesIO())
    return out.getvalue(), Signature(LEVEL, signer_name(signer), signed_at.isoformat())
