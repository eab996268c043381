"""A development certificate authority and signer, made on first use so the embedded pipeline signs out of the box.

Every name in these certificates says they are for development: a document signed with them has no legal value.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "sohoa DEVELOPMENT CA - NOT FOR PRODUCTION"
SIGNER_NAME = "sohoa development signer - NOT FOR LEGAL USE"


@dataclass(frozen=True)
class DevKeys:
    ca_cert: Path  # PEM; what `sohoa verify` trusts by default
    ca_key: Path
    signer_p12: Path  # PKCS#12 without a password: a development key only


def dev_keys(keys_dir: Path) -> DevKeys:
    return DevKeys(keys_dir / "dev-ca.pem", keys_dir / "dev-ca.key", keys_dir / "dev-signer.p12")


def ensure_dev_keys(keys_dir: Path) -> DevKeys:
    """The development CA and signer under ``keys_dir``, created when missing."""
    keys = dev_keys(keys_dir)
    if keys.ca_cert.exists() and keys.signer_p12.exists():
        return keys
    keys_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_subject = _name(CA_NAME)
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_subject).issuer_name(ca_subject)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer_cert = (
        x509.CertificateBuilder().subject_name(_name(SIGNER_NAME)).issuer_name(ca_subject)
        .public_key(signer_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(keys.ca_key, ca_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
    _write_private(keys.signer_p12, pkcs12.serialize_key_and_certificates(
        b"sohoa-dev-signer", signer_key, signer_cert, [ca_cert], serialization.NoEncryption()))
    keys.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    return keys


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sohoa development"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
