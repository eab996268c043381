"""What a command does before it reads any page: its settings checked, logging set up, and each service it uses
reached once, so that a bad value or a service that does not answer ends it at once with one line (exit status 2
or 3, CONTRACT §1) instead of failing every file."""
from __future__ import annotations

import logging
import socket
from urllib.parse import urlsplit

from minio.error import MinioException, S3Error
from redis import Redis, RedisError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from urllib3.exceptions import HTTPError as TransportError
from urllib3.exceptions import SSLError

from ocr import engine
from signing.signer import B_B, B_T
from sohoa import logs
from sohoa.exits import ConfigError, ServiceUnavailable, UsageError
from sohoa.settings import Settings
from storage.catalog import Catalog, CatalogError
from storage.objects import ObjectStore

PROBE_TIMEOUT = 5.0  # seconds a service has to accept a connection at start
REFUSED_KEYS = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken"}
log = logging.getLogger(__name__)


def start() -> Settings:
    """The checked settings (:class:`ConfigError` naming every bad value), with logging set up from them."""
    settings = Settings.from_env()
    logs.configure(settings.log_level, settings.log_format)
    return settings


def check_ocr_languages(settings: Settings) -> None:
    """Tesseract is installed and has every language of SOHOA_OCR_LANG, for commands that read pages; else
    :class:`ConfigError`."""
    try:
        log.debug("pages are read by %s", engine.check(settings.ocr.lang))
    except engine.LanguageMissing as exc:
        raise ConfigError(f"SOHOA_OCR_LANG is {settings.ocr.lang!r}, but {exc}") from None
    except engine.OcrError as exc:
        raise ConfigError(str(exc)) from None


def reach_catalog(settings: Settings, *, migrate: bool = True, drop_legacy: bool = False) -> Catalog:
    """The catalog, its schema brought up to date (``migrate``; ``drop_legacy``: see ``Catalog.migrated``) or
    checked to be current."""
    url = settings.database_url
    _probe_postgres(url)
    try:
        return Catalog.migrated(url, drop_legacy=drop_legacy) if migrate else Catalog(url)
    except CatalogError as exc:
        raise UsageError(str(exc)) from None
    except OperationalError as exc:
        raise _catalog_failure(settings.database_url, exc) from None
    except OSError as exc:  # the SQLite file's folder cannot be made
        raise ConfigError(f"SOHOA_DATA_DIR: the catalog's folder cannot be made in {settings.data_dir} "
                          f"({exc.strerror or exc})") from None


def _probe_postgres(url: str) -> None:
    """A PostgreSQL server on a host that does not answer is told within PROBE_TIMEOUT (the driver's own wait has
    no bound unless the URL sets connect_timeout)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.host:
        where = f"the catalog (PostgreSQL at {parsed.host}:{parsed.port or 5432})"
        probe(f"[{parsed.host}]" if ":" in parsed.host else parsed.host, parsed.port or 5432, where)


def _catalog_failure(url: str, exc: OperationalError) -> Exception:
    """A PostgreSQL server that does not answer is a service down (3); an SQLite file that cannot be opened is the
    configuration's (2). The driver's first line says why; it never holds the password."""
    parsed = make_url(url)
    why = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    if parsed.get_backend_name() == "sqlite":
        return ConfigError(f"the catalog {parsed.database} cannot be opened ({why}): check SOHOA_DATA_DIR and "
                           "SOHOA_DATABASE_URL")
    return ServiceUnavailable(f"the catalog (PostgreSQL at {parsed.host}:{parsed.port or 5432}) does not answer: {why}")


def reach_store(settings: Settings) -> ObjectStore:
    """The object store, its bucket made when missing; S3 keys it refuses are the configuration's (2), a server
    that does not answer is a service down (3)."""
    if not settings.s3:
        try:
            return settings.object_store()
        except OSError as exc:
            raise ConfigError(f"SOHOA_DATA_DIR: the object store's folder cannot be made in {settings.data_dir} "
                              f"({exc.strerror or exc})") from None
    where = f"the object store at SOHOA_S3_ENDPOINT ({settings.s3.endpoint})"
    probe(settings.s3.endpoint, 443 if settings.s3.secure else 80, where)
    try:
        return settings.object_store()
    except S3Error as exc:
        if exc.code in REFUSED_KEYS:
            raise ConfigError(f"{where} refused SOHOA_S3_ACCESS_KEY and SOHOA_S3_SECRET_KEY ({exc.code})") from None
        raise ServiceUnavailable(f"{where} answered {exc.code}") from None
    except SSLError:
        raise ServiceUnavailable(f"{where} does not answer over HTTPS: is SOHOA_S3_SECURE right?") from None
    except (TransportError, MinioException) as exc:
        log.debug("the object store did not answer", exc_info=True)
        raise ServiceUnavailable(f"{where} does not answer ({type(exc).__name__})") from None


def reach_tsa(settings: Settings) -> None:
    """The timestamp authority accepts connections, when signatures need it (PAdES-B-T and above)."""
    if not settings.tsa_url or (settings.signature_level or B_T) == B_B:
        return
    parts = urlsplit(settings.tsa_url)
    host = parts.netloc.rpartition("@")[2]  # never the user and password a URL may carry
    probe(host, 443 if parts.scheme == "https" else 80, f"the timestamp authority at SOHOA_TSA_URL ({host})")


def reach_queue(settings: Settings) -> None:
    """Redis at SOHOA_REDIS_URL answers a ping (when it is set)."""
    if not settings.redis_url:
        return
    parts = urlsplit(settings.redis_url)
    where = f"the queue at SOHOA_REDIS_URL ({parts.hostname or parts.path}:{parts.port or 6379})"
    client = Redis.from_url(settings.redis_url, socket_connect_timeout=PROBE_TIMEOUT, socket_timeout=PROBE_TIMEOUT)
    try:
        client.ping()
    except RedisError as exc:
        raise ServiceUnavailable(f"{where} does not answer ({type(exc).__name__}: {exc})") from None
    finally:
        client.close()


def probe(endpoint: str, default_port: int, where: str) -> None:
    """``HOST:PORT`` accepts a TCP connection within PROBE_TIMEOUT: a server that is down is told at once, not after
    the object store client's retries."""
    parts = urlsplit(f"//{endpoint}")
    address = (parts.hostname or endpoint, parts.port or default_port)
    try:
        socket.create_connection(address, timeout=PROBE_TIMEOUT).close()
    except OSError as exc:
        why = exc.strerror or f"no answer within {PROBE_TIMEOUT:g} s"
        raise ServiceUnavailable(f"{where} does not answer: {why}") from None
