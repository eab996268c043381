"""Configuration from the environment (CONTRACT §4); every variable is optional."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import x509

from signing.devca import DEV_CRL_PATH, DevKeys, dev_crl, dev_keys, ensure_dev_keys
from signing.keys import Pkcs11Key
from signing.signer import B_B, B_T, SignerConfig, parse_level
from signing.verify import load_crls, load_roots
from storage.objects import LocalStore, ObjectStore
from storage.retention import RetentionPolicy, parse_classes
from storage.s3 import S3Settings

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"  # `sohoa serve` on its default address
PUBLIC_VERIFY_PATH = "/xac-thuc"  # the public verification page, where a result's QR code leads


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    agency: str
    ocr_lang: str
    signing_p12: Path | None
    signing_p12_password: str | None
    trust_roots: list[Path]
    pkcs11: Pkcs11Key | None = None
    signature_level: str | None = None  # B-B, B-T, B-LT or B-LTA; unset: B-T with a TSA, else B-B
    tsa_url: str | None = None
    crls: list[Path] = field(default_factory=list)  # revocation data; unset: the development CA's CRL, or fetched
    signature_visible: bool = True
    seal_image: Path | None = None
    s3: S3Settings | None = None  # unset: the local folder $SOHOA_DATA_DIR/objects
    retention_years: int = 0
    retention_classes: str = ""  # SOHOA_RETENTION_CLASSES, e.g. "dossier=10,result=permanent"
    public_url: str = DEFAULT_PUBLIC_URL  # where `sohoa serve` is reachable: the development CA's CRL is there
    public_url_set: bool = False  # SOHOA_PUBLIC_URL was given: results' QR codes link to its verification page
    redis_url: str | None = None

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("SOHOA_DATA_DIR", ".sohoa")).absolute()
        roots = [Path(p) for p in os.environ.get("SOHOA_TRUST_ROOTS", "").split(os.pathsep) if p]
        p12 = os.environ.get("SOHOA_SIGNING_P12")
        return cls(
            data_dir=data_dir,
            database_url=os.environ.get("SOHOA_DATABASE_URL", f"sqlite:///{data_dir / 'catalog.db'}"),
            agency=os.environ.get("SOHOA_AGENCY", "LOCAL"),
            ocr_lang=os.environ.get("SOHOA_OCR_LANG", "vie"),
            signing_p12=Path(p12) if p12 else None,
            signing_p12_password=os.environ.get("SOHOA_SIGNING_P12_PASSWORD"),
            trust_roots=roots or [dev_keys(data_dir / "keys").ca_cert],
            pkcs11=_pkcs11_from_env(),
            signature_level=os.environ.get("SOHOA_SIGNATURE_LEVEL") or None,
            tsa_url=os.environ.get("SOHOA_TSA_URL") or None,
            crls=[Path(p) for p in os.environ.get("SOHOA_CRLS", "").split(os.pathsep) if p],
            signature_visible=os.environ.get("SOHOA_SIGNATURE_VISIBLE", "1").lower() not in ("0", "false", "no", "off"),
            seal_image=Path(os.environ["SOHOA_SEAL_IMAGE"]) if os.environ.get("SOHOA_SEAL_IMAGE") else None,
            s3=_s3_from_env(),
            retention_years=int(os.environ.get("SOHOA_RETENTION_YEARS") or 0),
            retention_classes=os.environ.get("SOHOA_RETENTION_CLASSES", ""),
            public_url=os.environ.get("SOHOA_PUBLIC_URL") or DEFAULT_PUBLIC_URL,
            public_url_set=bool(os.environ.get("SOHOA_PUBLIC_URL")),
            redis_url=os.environ.get("SOHOA_REDIS_URL") or None,
        )

    @property
    def objects_dir(self) -> Path:
        return self.data_dir / "objects"

    def object_store(self) -> ObjectStore:
        """MinIO / S3 when SOHOA_S3_ENDPOINT is set (bucket created when missing), else the local folder."""
        if self.s3:
            return self.s3.connect(self.retention_years, object_lock=self.retention_policy().configured)
        return LocalStore(self.objects_dir, self.retention_years)

    @property
    def dev_crl_url(self) -> str:
        """Where the development CA's CRL is published: what the certificates it issues point at."""
        return self.public_url.rstrip("/") + DEV_CRL_PATH

    @property
    def verify_url(self) -> str | None:
        """The public verification page a result's QR code links to; None unless SOHOA_PUBLIC_URL was given (the
        default address is only reachable on this machine, no link to print on paper)."""
        return self.public_url.rstrip("/") + PUBLIC_VERIFY_PATH if self.public_url_set else None

    @property
    def uses_dev_key(self) -> bool:
        return not (self.pkcs11 or self.signing_p12)

    def development_keys(self) -> DevKeys:
        """The development CA and signer under $SOHOA_DATA_DIR/keys, created when missing."""
        return ensure_dev_keys(self.data_dir / "keys", crl_url=self.dev_crl_url)

    def retention_policy(self) -> RetentionPolicy:
        """How long each kind of document is kept. Raises ValueError on a malformed SOHOA_RETENTION_CLASSES."""
        return RetentionPolicy(parse_classes(self.retention_classes), self.retention_years)

    def signer_config(self) -> SignerConfig:
        """The agency's key (PKCS#11 token, else PKCS#12) when configured, else the development key (created on first
        use); the signature level and what it needs. Raises ValueError on an inconsistent configuration."""
        if self.pkcs11 and not (self.pkcs11.token and self.pkcs11.key):
            raise ValueError("SOHOA_PKCS11_MODULE needs SOHOA_PKCS11_TOKEN and SOHOA_PKCS11_KEY as well")
        level = parse_level(self.signature_level) if self.signature_level else B_T if self.tsa_url else B_B
        keys = self.development_keys() if self.uses_dev_key else None
        p12 = keys.signer_p12 if keys else self.signing_p12
        crls = load_crls(self.crls) if self.crls else [dev_crl(keys)] if keys else []
        return SignerConfig(p12, self.signing_p12_password, self.pkcs11, level=level, tsa_url=self.tsa_url,
                            trust_roots=tuple(r.dump() for r in self.trusted_roots()), crls=tuple(crls),
                            visible=self.signature_visible, seal_image=self.seal_image, verify_url=self.verify_url)

    def trusted_roots(self) -> list[x509.Certificate]:
        """The CA certificates of SOHOA_TRUST_ROOTS (else the development CA) that exist."""
        return load_roots([p for p in self.trust_roots if p.exists()])

    def verify_crls(self) -> list[bytes]:
        """The configured CRLs `sohoa verify` consults after a document's own data: SOHOA_CRLS, else the
        development CA's when it exists."""
        keys = dev_keys(self.data_dir / "keys")
        if self.crls:
            return load_crls(self.crls)
        return [dev_crl(keys)] if keys.ca_key.exists() else []


def _pkcs11_from_env() -> Pkcs11Key | None:
    module = os.environ.get("SOHOA_PKCS11_MODULE")
    if not module:
        return None
    return Pkcs11Key(Path(module), os.environ.get("SOHOA_PKCS11_TOKEN", ""), os.environ.get("SOHOA_PKCS11_KEY", ""),
                     os.environ.get("SOHOA_PKCS11_PIN") or None)


def _s3_from_env() -> S3Settings | None:
    endpoint = os.environ.get("SOHOA_S3_ENDPOINT")
    if not endpoint:
        return None
    env = os.environ.get
    return S3Settings(endpoint, env("SOHOA_S3_ACCESS_KEY") or None, env("SOHOA_S3_SECRET_KEY") or None,
                      secure=env("SOHOA_S3_SECURE", "1").lower() not in ("0", "false", "no", "off"),
                      region=env("SOHOA_S3_REGION") or None, bucket=env("SOHOA_S3_BUCKET") or "sohoa")
