"""Real back ends for the storage tests (a pytest plugin, loaded by conftest.py).

Object stores: a local folder; moto's S3 server on a free loopback port, started here; a real MinIO when
SOHOA_TEST_S3_ENDPOINT (with SOHOA_TEST_S3_ACCESS_KEY, SOHOA_TEST_S3_SECRET_KEY, SOHOA_TEST_S3_SECURE) is set.
Catalogs: SQLite, and PostgreSQL — the server at SOHOA_TEST_DATABASE_URL, else the one listening on
127.0.0.1:5432 (a uniquely named database for the session), else a throwaway server made with Debian's
initdb/pg_ctl. Each test gets its own bucket, and its own PostgreSQL schema. Nothing is skipped silently: a
missing PostgreSQL fails the tests, a missing MinIO is a reported skip.
"""
from __future__ import annotations

import glob
import io
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from minio import Minio
from moto.server import ThreadedMotoServer
from sqlalchemy.engine import URL, make_url

from storage.catalog import Catalog
from storage.objects import LocalStore, ObjectStore
from storage.s3 import S3Settings, S3Store

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class StoreUnderTest:
    """A store and what a test needs to damage it behind its back."""
    name: str
    store: ObjectStore
    root: Path | None = None  # local folder
    client: Minio | None = None  # S3
    bucket: str = ""

    def flip_byte(self, key: str) -> None:
        data = bytearray(self.store.get(key))
        data[len(data) // 2] ^= 0x01
        if self.root:
            path = self.root / key
            path.chmod(0o644)
            path.write_bytes(bytes(data))
        else:
            self.client.put_object(self.bucket, key, io.BytesIO(bytes(data)), len(data),
                                   metadata={"sha256": self.store.stat(key).sha256})

    def delete(self, key: str) -> None:
        if self.root:
            (self.root / key).unlink()
        else:
            self.client.remove_object(self.bucket, key)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"{host}:{port}"
    server.stop()


def s3_settings(kind: str, moto_endpoint: str | None = None) -> S3Settings:
    bucket = f"sohoa-test-{uuid.uuid4().hex[:12]}"
    if kind == "moto":
        return S3Settings(moto_endpoint, "testing", "testing", secure=False, bucket=bucket)
    return S3Settings(os.environ["SOHOA_TEST_S3_ENDPOINT"], os.environ.get("SOHOA_TEST_S3_ACCESS_KEY"),
                      os.environ.get("SOHOA_TEST_S3_SECRET_KEY"),
                      secure=os.environ.get("SOHOA_TEST_S3_SECURE", "0").lower() in ("1", "true", "yes"),
                      bucket=bucket)


def s3_params(request: pytest.FixtureRequest, kind: str) -> S3Settings:
    if kind == "minio" and not os.environ.get("SOHOA_TEST_S3_ENDPOINT"):
        pytest.skip("SOHOA_TEST_S3_ENDPOINT is not set: no real MinIO to test against")
    return s3_settings(kind, request.getfixturevalue("moto_endpoint") if kind == "moto" else None)


@pytest.fixture(params=["local", "moto", "minio"])
def store_under_test(request: pytest.FixtureRequest, tmp_path: Path) -> StoreUnderTest:
    if request.param == "local":
        return StoreUnderTest("local", LocalStore(tmp_path / "objects"), root=tmp_path / "objects")
    settings = s3_params(request, request.param)
    store: S3Store = settings.connect()
    return StoreUnderTest(request.param, store, client=store.client, bucket=settings.bucket)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A URL of a PostgreSQL database the tests may make schemas in."""
    if os.environ.get("SOHOA_TEST_DATABASE_URL"):
        yield os.environ["SOHOA_TEST_DATABASE_URL"]
        return
    if _listening("127.0.0.1", 5432) and _accepts(LOCAL_POSTGRES):
        yield from _session_database(LOCAL_POSTGRES)
        return
    root = Path(tempfile.mkdtemp(prefix="sohoa-test-pg-"))  # not under pytest's folder, which only root may enter
    try:
        yield from _throwaway_server(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty catalog's URL: a new SQLite file, or a new schema in the PostgreSQL test database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalog.db'}"
        return
    server = make_url(request.getfixturevalue("postgres_server")).set(drivername="postgresql+psycopg")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with _autocommit(server) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    yield server.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    with _autocommit(server) as connection:
        connection.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def catalog(catalog_url: str) -> Iterator[Catalog]:
    opened = Catalog.migrated(catalog_url)
    yield opened
    opened.engine.dispose()


def _listening(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def _accepts(url: str) -> bool:
    """Whether the server lets the tests in (a server started by Debian's package asks for a password)."""
    try:
        _autocommit(make_url(url)).close()
    except psycopg.OperationalError:
        return False
    return True


def _autocommit(url: URL) -> psycopg.Connection:
    return psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True)


def _session_database(server: str) -> Iterator[str]:
    name = f"sohoa_test_{uuid.uuid4().hex[:12]}"
    url = make_url(server)
    with _autocommit(url) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    yield url.set(database=name).render_as_string(hide_password=False)
    with _autocommit(url) as connection:
        connection.execute(f"DROP DATABASE {name} WITH (FORCE)")


def _throwaway_server(root: Path) -> Iterator[str]:
    """initdb + pg_ctl on a free port, as the ``postgres`` user when running as root (initdb refuses root)."""
    found = shutil.which("initdb") or max(glob.glob("/usr/lib/postgresql/*/bin/initdb"), default=None)
    if not found:
        pytest.fail("no PostgreSQL for the catalog tests: set SOHOA_TEST_DATABASE_URL, run one on 127.0.0.1:5432, "
                    "or install Debian's postgresql package (scripts/setup.sh does)")
    bin_dir = Path(found).resolve().parent
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data, port = root / "data", free_port()
    if as_user:
        shutil.chown(root, "postgres")
    subprocess.run([*as_user, bin_dir / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "--no-sync"],
                   check=True, capture_output=True)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*as_user, bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", root / "log", "-w", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
