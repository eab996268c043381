"""Configuration from the environment (CONTRACT §4): every variable optional, each one checked once at start.

The SOHOA_* variables are read with pydantic-settings into :class:`Settings`; any of them may instead be given as
``<NAME>_FILE``, the path of a file holding the value (Docker secrets). A bad value is a :class:`ConfigError` naming
every variable that is wrong and what it expects, in one line, and never showing a secret's value.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from asn1crypto import x509
from pydantic import AfterValidator, BeforeValidator, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ingest.limits import Limits
from ingest.manifest import AGENCY_CODE
from ocr.engine import OcrConfig
from signing.devca import DEV_CRL_PATH, DevKeys, dev_crl, dev_keys, ensure_dev_keys
from signing.keys import Pkcs11Key
from signing.signer import B_B, B_T, SignerConfig, parse_level
from signing.verify import load_crls, load_roots
from sohoa.exits import ConfigError
from storage.objects import LocalStore, ObjectStore
from storage.retention import RetentionPolicy, parse_classes
from storage.s3 import S3Settings

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"  # `sohoa serve` on its default address
PUBLIC_VERIFY_PATH = "/xac-thuc"  # the public verification page, where a result's QR code leads
PREFIX = "SOHOA_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str = field(repr=False)  # may hold the catalog's password
    agency: str
    signing_p12: Path | None
    signing_p12_password: str | None = field(repr=False)
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
    redis_url: str | None = field(default=None, repr=False)  # may hold Redis's password
    limits: Limits = field(default_factory=Limits)  # SOHOA_MAX_FILE_BYTES, _PAGES, _PAGE_PIXELS, _UPLOAD_BYTES
    ocr: OcrConfig = field(default_factory=OcrConfig)  # SOHOA_OCR_LANG, SOHOA_OCR_TIMEOUT
    log_level: str = "INFO"
    log_format: str | None = None  # json or text; None: text on a terminal, else json
    metrics_port: int | None = None  # `sohoa worker` serves its metrics on this port; None: it does not
    metrics_token: str | None = field(default=None, repr=False)  # GET /metrics asks for it as a bearer token

    @classmethod
    def from_env(cls) -> Settings:
        """The SOHOA_* variables (or their ``_FILE`` forms); :class:`ConfigError` names every bad value."""
        try:
            env = _Environment()
        except ValidationError as exc:
            raise ConfigError("; ".join(_explain(error) for error in exc.errors())) from None
        return env.settings()

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


# --- checking the environment: what each variable expects ---------------------------------------------------------

def _existing_file(path: Path) -> Path:
    if not path.is_file():
        raise ValueError(f"names no file: {path}")
    return path


def _path_list(value: Any) -> Any:
    """``a.pem:b.pem`` → (a.pem, b.pem), the way PATH is written."""
    return tuple(Path(p) for p in value.split(os.pathsep) if p) if isinstance(value, str) else value


def _existing_files(paths: tuple[Path, ...]) -> tuple[Path, ...]:
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise ValueError(f"names no file: {', '.join(missing)}")
    return paths


def _level(text: str) -> str:
    try:
        return parse_level(text)
    except ValueError:
        raise ValueError(f"is {text!r}, expected B-B, B-T, B-LT or B-LTA") from None


def _http_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"is {url!r}, expected an http:// or https:// address")
    return url


def _catalog_url(url: SecretStr) -> SecretStr:
    """An SQLAlchemy URL of a backend the catalog supports, with a driver that is installed (the value may hold a
    password: it is never shown)."""
    try:
        parsed = make_url(url.get_secret_value())
    except (ArgumentError, ValueError):
        parsed = None
    if parsed is None or parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg"):
        raise ValueError("is not a catalog URL (value not shown): expected sqlite:///PATH or "
                         "postgresql://USER:PASSWORD@HOST:PORT/NAME, special characters of the password %-encoded")
    return url


def _redis_url(url: SecretStr) -> SecretStr:
    if urlsplit(url.get_secret_value()).scheme not in ("redis", "rediss", "unix"):
        raise ValueError("is not a Redis URL (value not shown): expected redis://HOST:PORT/DB, rediss://… or unix://…")
    return url


def _retention_classes(text: str) -> str:
    try:
        parse_classes(text)
    except ValueError:
        raise ValueError(f"is {text!r}, expected CLASS=YEARS or CLASS=permanent, comma-separated "
                         "(e.g. dossier=10,result=permanent)") from None
    return text


def _log_level(name: str) -> str:
    if name.upper() not in LOG_LEVELS:
        raise ValueError(f"is {name!r}, expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return name.upper()


def _log_format(name: str) -> str:
    if name.lower() not in ("json", "text"):
        raise ValueError(f"is {name!r}, expected json or text")
    return name.lower()


ExistingFile = Annotated[Path, AfterValidator(_existing_file)]
ExistingFiles = Annotated[tuple[Path, ...], NoDecode, BeforeValidator(_path_list), AfterValidator(_existing_files)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
Positive = Annotated[int, Field(gt=0, description="a whole number above 0")]
S3_ENDPOINT = r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:[0-9]{1,5})?$"
S3_BUCKET = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
OCR_LANG = r"^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$"
SECRETS = frozenset({"database_url", "database_password", "signing_p12_password", "pkcs11_pin", "s3_access_key",
                     "s3_secret_key", "redis_url", "metrics_token"})
FLAG = "1 or 0 (also true/false, yes/no, on/off)"


class _Environment(BaseSettings):
    """The SOHOA_* variables as given; ``description`` is what a bad value is told to be."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True)

    data_dir: Path = Path(".sohoa")
    database_url: Annotated[SecretStr, AfterValidator(_catalog_url)] | None = None
    database_password: SecretStr | None = None  # put into SOHOA_DATABASE_URL: no %-encoding needed
    agency: str = Field("LOCAL", pattern=f"^{AGENCY_CODE.pattern}$",
                        description="an agency code: 1 to 64 letters, digits, '.', '_' or '-'")
    ocr_lang: str = Field(OcrConfig.lang, pattern=OCR_LANG, description="Tesseract languages such as vie or vie+eng")
    ocr_timeout: float = Field(OcrConfig.timeout, gt=0, le=86_400, allow_inf_nan=False,
                               description="a number of seconds, above 0 and at most 86400 (a day)")
    signing_p12: ExistingFile | None = None
    signing_p12_password: SecretStr | None = None
    trust_roots: ExistingFiles = ()
    pkcs11_module: ExistingFile | None = None
    pkcs11_token: str | None = None
    pkcs11_key: str | None = None
    pkcs11_pin: SecretStr | None = None
    signature_level: Annotated[str, AfterValidator(_level)] | None = None
    tsa_url: HttpUrl | None = None
    crls: ExistingFiles = ()
    signature_visible: bool = Field(True, description=FLAG)
    seal_image: ExistingFile | None = None
    s3_endpoint: str | None = Field(None, pattern=S3_ENDPOINT, description="HOST:PORT such as s3.example.org:9000 "
                                    "(no http://: SOHOA_S3_SECURE chooses HTTPS)")
    s3_access_key: SecretStr | None = None
    s3_secret_key: SecretStr | None = None
    s3_secure: bool = Field(True, description=FLAG)
    s3_region: str | None = None
    s3_bucket: str = Field("sohoa", pattern=S3_BUCKET,
                           description="an S3 bucket name: 3 to 63 lower-case letters, digits, '.' or '-'")
    retention_years: int = Field(0, ge=0, description="a whole number of years, 0 (no retention) or more")
    retention_classes: Annotated[str, AfterValidator(_retention_classes)] = ""
    public_url: HttpUrl | None = None
    redis_url: Annotated[SecretStr, AfterValidator(_redis_url)] | None = None
    max_file_bytes: Positive = Limits.max_file_bytes
    max_pages: Positive = Limits.max_pages
    max_page_pixels: Positive = Limits.max_page_pixels
    max_upload_bytes: Positive = Limits.max_upload_bytes
    log_level: Annotated[str, AfterValidator(_log_level)] = "INFO"
    log_format: Annotated[str, AfterValidator(_log_format)] | None = None  # None: text on a terminal, else json
    metrics_port: int | None = Field(None, ge=1, le=65535, description="a TCP port, 1 to 65535")
    metrics_token: SecretStr | None = None

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment and the ``_FILE`` variables; no .env file, no secrets folder."""
        return init_settings, env_settings, _FileValues(settings_cls)

    @model_validator(mode="after")
    def _consistent(self) -> _Environment:
        if self.pkcs11_module and not (self.pkcs11_token and self.pkcs11_key):
            raise ValueError("SOHOA_PKCS11_MODULE needs SOHOA_PKCS11_TOKEN and SOHOA_PKCS11_KEY as well")
        if self.signature_level and self.signature_level != B_B and not self.tsa_url:
            raise ValueError(f"SOHOA_SIGNATURE_LEVEL={self.signature_level.removeprefix('PAdES-')} needs a timestamp "
                             "authority: set SOHOA_TSA_URL")
        if self.database_password and (not self.database_url or make_url(
                self.database_url.get_secret_value()).get_backend_name() != "postgresql"):
            raise ValueError("SOHOA_DATABASE_PASSWORD needs a postgresql:// SOHOA_DATABASE_URL")
        return self

    def settings(self) -> Settings:
        data_dir = self.data_dir.absolute()
        return Settings(
            data_dir=data_dir, database_url=self._database_url(data_dir), agency=self.agency,
            signing_p12=self.signing_p12, signing_p12_password=_secret(self.signing_p12_password),
            trust_roots=list(self.trust_roots) or [dev_keys(data_dir / "keys").ca_cert], pkcs11=self._pkcs11(),
            signature_level=self.signature_level, tsa_url=self.tsa_url, crls=list(self.crls),
            signature_visible=self.signature_visible, seal_image=self.seal_image, s3=self._s3(),
            retention_years=self.retention_years, retention_classes=self.retention_classes,
            public_url=self.public_url or DEFAULT_PUBLIC_URL, public_url_set=bool(self.public_url),
            redis_url=_secret(self.redis_url),
            limits=Limits(self.max_file_bytes, self.max_pages, self.max_page_pixels, self.max_upload_bytes),
            ocr=OcrConfig(self.ocr_lang, self.ocr_timeout),
            log_level=self.log_level, log_format=self.log_format, metrics_port=self.metrics_port,
            metrics_token=_secret(self.metrics_token))

    def _database_url(self, data_dir: Path) -> str:
        """SOHOA_DATABASE_URL with SOHOA_DATABASE_PASSWORD put in (%-encoded by SQLAlchemy), else the SQLite file."""
        if not self.database_url:
            return f"sqlite:///{data_dir / 'catalog.db'}"
        if not self.database_password:
            return self.database_url.get_secret_value()
        url = make_url(self.database_url.get_secret_value()).set(password=self.database_password.get_secret_value())
        return url.render_as_string(hide_password=False)

    def _pkcs11(self) -> Pkcs11Key | None:
        if not self.pkcs11_module:
            return None
        return Pkcs11Key(self.pkcs11_module, self.pkcs11_token or "", self.pkcs11_key or "", _secret(self.pkcs11_pin))

    def _s3(self) -> S3Settings | None:
        if not self.s3_endpoint:
            return None
        return S3Settings(self.s3_endpoint, _secret(self.s3_access_key), _secret(self.s3_secret_key),
                          secure=self.s3_secure, region=self.s3_region, bucket=self.s3_bucket)


class _FileValues(PydanticBaseSettingsSource):
    """``SOHOA_<NAME>_FILE``: the value is the file's content, without its final line break (CONTRACT §4)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads every field at once

    def __call__(self) -> dict[str, Any]:
        values = {}
        for name in self.settings_cls.model_fields:
            variable = PREFIX + name.upper()
            path = os.environ.get(variable + "_FILE")
            if not path:
                continue
            if os.environ.get(variable):
                raise ConfigError(f"{variable} and {variable}_FILE are both set: give one of them")
            try:
                value = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
                raise ConfigError(f"{variable}_FILE names no readable file: {path} ({reason})") from None
            if value:
                values[name] = value
        return values


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value else None


def _explain(error: Any) -> str:
    """One bad value in words: the variable, what was wrong and what is expected; a secret's value is never shown."""
    if not error["loc"]:  # a rule across variables
        return str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
    name = str(error["loc"][0])
    variable = PREFIX + name.upper() + ("_FILE" if os.environ.get(f"{PREFIX}{name.upper()}_FILE") else "")
    if error["type"] == "value_error":
        return f"{variable} {error['ctx']['error']}"
    described = _Environment.model_fields[name].description or _described(error)
    shown = "(value not shown)" if name in SECRETS else repr(error["input"])
    return f"{variable} is {shown}, expected {described}"


def _described(error: Any) -> str:
    """What pydantic expected, for a field that carries no description of its own."""
    return re.sub(r"^Input should be ", "", error["msg"])
