"""A development certificate authority and signer, made on first use so the embedded pipeline signs out of the box.

Every name in these certificates says they are for development: a document signed with them has no legal value.
The CA publishes a CRL (``dev-ca.crl``, DER) so that long-term signatures (PAdES-B-LT and above) can embed real
revocation data; certificates it issues point at the address given when the keys are made (by default
:data:`DEV_CRL_URL`), where ``sohoa serve`` publishes that file.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "sohoa DEVELOPMENT CA - NOT FOR PRODUCTION"
SIGNER_NAME = "sohoa development signer - NOT FOR LEGAL USE"
DEV_CRL_PATH = "/keys/dev-ca.crl"  # where `sohoa serve` publishes the CRL
DEV_CRL_URL = f"http://127.0.0.1:8000{DEV_CRL_PATH}"  # `sohoa serve` on its default address (CONTRACT §1)
CRL_CONTENT_TYPE = "application/pkix-crl"
CRL_LIFETIME = dt.timedelta(days=7)
CRL_REISSUE_AFTER = dt.timedelta(days=1)
_BACKDATE = dt.timedelta(minutes=5)  # tolerance for clocks a little behind


@dataclass(frozen=True)
class DevKeys:
    ca_cert: Path  # PEM; what `sohoa verify` trusts by default
    ca_key: Path
    signer_p12: Path  # PKCS#12 without a password: a development key only
    crl: Path  # DER; the CA's current certificate revocation list


def dev_keys(keys_dir: Path) -> DevKeys:
    return DevKeys(keys_dir / "dev-ca.pem", keys_dir / "dev-ca.key", keys_dir / "dev-signer.p12",
                   keys_dir / "dev-ca.crl")


def ensure_dev_keys(keys_dir: Path, crl_url: str = DEV_CRL_URL) -> DevKeys:
    """The development CA and signer under ``keys_dir``, created when missing (the signer's certificate then points
    at ``crl_url`` for the CA's CRL)."""
    keys = dev_keys(keys_dir)
    if keys.ca_cert.exists() and keys.signer_p12.exists():
        if not keys.crl.exists():  # keys made before the CA published a CRL
            _publish_crl(keys, [])
        return keys
    keys_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - _BACKDATE
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
    _write_private(keys.ca_key, ca_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
    keys.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    signer_key, signer_cert = issue_cert(keys, SIGNER_NAME, crl_url=crl_url)
    _write_private(keys.signer_p12, pkcs12.serialize_key_and_certificates(
        b"sohoa-dev-signer", signer_key, signer_cert, [ca_cert], serialization.NoEncryption()))
    _publish_crl(keys, [])
    return keys


def issue_cert(keys: DevKeys, common_name: str, *, days: int = 3 * 365, time_stamping: bool = False,
               crl_url: str = DEV_CRL_URL) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A new key and a certificate for it from the development CA: a document signer, or a timestamp authority; the
    certificate says the CA's CRL is at ``crl_url``."""
    ca_key, ca_cert = _load_ca(keys)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC) - _BACKDATE
    usage = ExtendedKeyUsageOID.TIME_STAMPING if time_stamping else ExtendedKeyUsageOID.EMAIL_PROTECTION
    crl_point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
    cert = (
        x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=time_stamping)
        .add_extension(x509.CRLDistributionPoints([crl_point]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def dev_crl(keys: DevKeys) -> bytes:
    """The CA's current CRL (DER), re-issued when it is a day old; what ``sohoa serve`` answers at DEV_CRL_URL."""
    current = x509.load_der_x509_crl(keys.crl.read_bytes()) if keys.crl.exists() else None
    if current is None or dt.datetime.now(dt.UTC) - current.last_update_utc > CRL_REISSUE_AFTER:
        _publish_crl(keys, list(current) if current else [])
    return keys.crl.read_bytes()


def revoke(keys: DevKeys, serial_number: int) -> bytes:
    """Put a certificate of the development CA on its CRL; the new CRL (DER)."""
    current = x509.load_der_x509_crl(dev_crl(keys))
    entries = list(current)
    if all(e.serial_number != serial_number for e in entries):
        entries.append(x509.RevokedCertificateBuilder().serial_number(serial_number)
                       .revocation_date(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).build())
    _publish_crl(keys, entries)
    return keys.crl.read_bytes()


def _publish_crl(keys: DevKeys, entries: list[x509.RevokedCertificate]) -> None:
    ca_key, ca_cert = _load_ca(keys)
    now = dt.datetime.now(dt.UTC) - _BACKDATE
    builder = (x509.CertificateRevocationListBuilder().issuer_name(ca_cert.subject)
               .last_update(now).next_update(now + CRL_LIFETIME)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
               .add_extension(x509.CRLNumber(_next_crl_number(keys)), critical=False))
    for entry in entries:
        builder = builder.add_revoked_certificate(entry)
    tmp = keys.crl.with_name(f".{keys.crl.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # one per writer
    tmp.write_bytes(builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
    tmp.replace(keys.crl)  # atomic: a reader never sees half a CRL


def _next_crl_number(keys: DevKeys) -> int:
    """One more than the current CRL's number (RFC 5280: CRL numbers only increase), 1 for the first."""
    if not keys.crl.exists():
        return 1
    current = x509.load_der_x509_crl(keys.crl.read_bytes())
    return current.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number + 1


def _load_ca(keys: DevKeys) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = serialization.load_pem_private_key(keys.ca_key.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key, x509.load_pem_x509_certificate(keys.ca_cert.read_bytes())


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
