"""Where the signing key lives: a PKCS#12 file or a PKCS#11 token/HSM. Keys are opened once per process.

PINs and passwords are kept out of ``repr`` and of every error message.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign import signers
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

EXPIRY_WARNING = dt.timedelta(days=30)


@dataclass(frozen=True)
class Pkcs11Key:
    module: Path  # the token's PKCS#11 library (.so)
    token: str  # token label
    key: str  # label of the private key and of its certificate
    pin: str | None = field(default=None, repr=False)  # user PIN; None when the token asks for it itself


@dataclass(frozen=True)
class KeySource:
    p12: Path | None = None
    password: str | None = field(default=None, repr=False)
    pkcs11: Pkcs11Key | None = None  # wins over ``p12`` when set


@cache
def open_signer(source: KeySource) -> signers.Signer:
    """The signer for ``source``: the PKCS#12 file read, or the token session opened, once per process."""
    if source.pkcs11:
        return _pkcs11_signer(source.pkcs11)
    if source.p12 is None:
        raise ValueError("no signing key configured")
    password = source.password.encode() if source.password else None
    loaded = signers.SimpleSigner.load_pkcs12(str(source.p12), passphrase=password)
    if loaded is None:
        raise ValueError(f"the signing key {source.p12} cannot be loaded (wrong password or not a PKCS#12 file)")
    return _ParsedKeySigner(loaded.signing_cert, loaded.signing_key, loaded.cert_registry)


class _ParsedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that parses its RSA key once: pyHanko parses it again for every signature (40 ms each)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key = serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, RSAPrivateKey):
            return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        return super().sign_raw(data, digest_algorithm)


def _pkcs11_signer(key: Pkcs11Key) -> signers.Signer:
    from pkcs11 import PKCS11Error
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    try:
        session = open_pkcs11_session(str(key.module), token_criteria=TokenCriteria(label=key.token),
                                      user_pin=key.pin)
        signer = PKCS11Signer(session, cert_label=key.key, key_label=key.key, other_certs_to_pull=None)
        signer.signing_cert  # noqa: B018 - pulls key and certificates now, so a bad label fails here
    except (PKCS11Error, OSError, RuntimeError) as exc:
        detail = f"{type(exc).__name__} {exc}".strip()
        if key.pin:  # the libraries do not put the PIN in their messages; make certain
            detail = detail.replace(key.pin, "***")
        raise ValueError(f"PKCS#11 token {key.token!r} (module {key.module}), key {key.key!r}: {detail}") from None
    return signer


def common_name(cert: x509.Certificate) -> str:
    return cert.subject.native.get("common_name", cert.subject.human_friendly)


def chain_roots(signer: signers.Signer) -> list[x509.Certificate]:
    """The self-signed certificates the signer carries with its key (the top of its own chain)."""
    return [c for c in signer.cert_registry if c.self_signed]


@dataclass(frozen=True)
class SignerInfo:
    name: str
    issuer: str
    not_after: dt.datetime
    source: str  # "PKCS#12 <path>" or "PKCS#11 token <label>"
    crl_urls: tuple[str, ...] = ()  # where the certificate says its issuer's CRL is

    @property
    def expires_soon(self) -> bool:
        return self.not_after - dt.datetime.now(dt.UTC) < EXPIRY_WARNING


def signer_info(source: KeySource) -> SignerInfo:
    """What ``sohoa keys show`` tells about the active signer."""
    cert = open_signer(source).signing_cert
    if cert is None:
        raise ValueError("the signer has no certificate")
    where = f"PKCS#11 token {source.pkcs11.token!r}, key {source.pkcs11.key!r}" if source.pkcs11 \
        else f"PKCS#12 {source.p12}"
    return SignerInfo(common_name(cert), cert.issuer.human_friendly,
                      cert["tbs_certificate"]["validity"]["not_after"].native, where,
                      tuple(point.url for point in cert.crl_distribution_points if point.url))
