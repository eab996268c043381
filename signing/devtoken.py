"""A development PKCS#11 token: SoftHSM2 (Debian's ``softhsm2``) holding a key and its certificates, to try and
test signing with tokens and HSMs without one. For development only, like the development CA.

SoftHSM reads ``SOFTHSM2_CONF`` when the module is first loaded, so :func:`init_softhsm_token` sets it for this
process: call it before anything in the process opens the SoftHSM module.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pkcs11 import Attribute
from pkcs11.util.rsa import decode_rsa_private_key
from pkcs11.util.x509 import decode_x509_certificate

from signing.keys import Pkcs11Key

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")


def init_softhsm_token(token_dir: Path, label: str, pin: str, key_label: str, key: rsa.RSAPrivateKey,
                       cert: x509.Certificate, chain: list[x509.Certificate]) -> Pkcs11Key:
    """A new SoftHSM token in ``token_dir`` holding ``key`` and ``cert`` (labelled ``key_label``) and ``chain``."""
    (token_dir / "tokens").mkdir(parents=True, exist_ok=True)
    conf = token_dir / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {token_dir / 'tokens'}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", pin + "-so",
                    "--pin", pin], check=True, capture_output=True)
    token = pkcs11.lib(str(SOFTHSM_MODULE)).get_token(token_label=label)
    key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    algorithm = cert.signature_hash_algorithm
    if algorithm is None:  # an Ed25519 or Ed448 certificate: the token takes RSA keys only
        raise ValueError("the development token needs an RSA certificate signed with a hash algorithm")
    key_id = cert.fingerprint(algorithm)[:16]
    with token.open(rw=True, user_pin=pin) as session:
        session.create_object({**decode_rsa_private_key(key_der), Attribute.LABEL: key_label, Attribute.ID: key_id,
                               Attribute.TOKEN: True, Attribute.PRIVATE: True, Attribute.SENSITIVE: True})
        for i, c in enumerate([cert, *chain]):
            session.create_object({**decode_x509_certificate(c.public_bytes(serialization.Encoding.DER)),
                                   Attribute.LABEL: key_label if i == 0 else f"{key_label}-chain-{i}",
                                   Attribute.ID: key_id if i == 0 else b"chain-%d" % i, Attribute.TOKEN: True})
    return Pkcs11Key(SOFTHSM_MODULE, label, key_label, pin)
