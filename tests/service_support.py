"""Real services the service-mode tests start and stop: a throwaway redis-server that can be killed with SIGKILL and
started again on its port, as a crash and a restart would; a TCP proxy that takes a service away for a while; and the
service around them — uploads accepted as the API accepts them, `sohoa worker` processes, the catalog to look at."""
from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
import redis
from api_support import env_settings
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from storage_backends import free_port

from ingest.manifest import Manifest
from sohoa.batch_queue import BatchRunner
from sohoa.sample import render_page
from sohoa.settings import Settings
from storage.catalog import Catalog
from storage.schema import Batch, Document
from workers.service import store_upload


class RedisServer:
    """redis-server on a free loopback port, keeping nothing on disk (as this machine's own Redis)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save",
                                         "", "--appendonly", "no", "--dir", str(self.folder)],
                                        stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return self
            except redis.ConnectionError:
                assert time.monotonic() < deadline and self.process.poll() is None, "redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: everything it held is gone."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


MANIFEST = Manifest(kind="dossier", agency="H40.01", operator="Nguyễn Thị Thu")


@dataclass
class Service:
    settings: Settings
    redis: RedisServer
    catalog: Catalog
    env: dict[str, str]
    store_proxy: TcpProxy | None = None  # when the object store is S3 behind a proxy that can take it away

    def upload(self, pages: int) -> str:
        """A batch of ``pages`` one-page scans, accepted and queued as the API does; its id."""
        files = [(f"trang-{n:02d}.png", io.BytesIO(_scan(n))) for n in range(1, pages + 1)]
        batch_id = store_upload(files, MANIFEST, "H40.01", "Nguyễn Thị Thu", self.catalog,
                                self.settings.object_store(), self.settings.limits, self.settings.data_dir / "work")
        runner = BatchRunner(self.settings)
        runner.submit(batch_id)
        runner.close()
        return batch_id

    def worker(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "sohoa.cli", "worker", *args], env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def batch(self, batch_id: str) -> Batch:
        found = self.catalog.batch(batch_id)
        assert found is not None
        return found

    def documents(self, batch_id: str) -> tuple[int, int]:
        """Document rows of the batch, and distinct documents among them."""
        with Session(self.catalog.engine) as session:
            return session.execute(select(func.count(), func.count(func.distinct(Document.id)))
                                   .where(Document.batch_id == batch_id)).one()


def _scan(n: int) -> bytes:
    out = io.BytesIO()
    lines = ["QUYẾT ĐỊNH", f"Số: {n}/QĐ-UBND", f"Về việc công nhận tổ dân phố số {n} văn hóa năm 2024"]
    Image.fromarray(render_page(lines, dpi=200, size_mm=(148, 90))).convert("L").save(out, "PNG", dpi=(200, 200))
    return out.getvalue()


@contextlib.contextmanager
def running_service(root: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[Service]:
    """A throwaway Redis, settings pointing at it (and ``env``) and a catalog."""
    (root / "redis").mkdir()
    server = RedisServer(root / "redis").start()
    settings = env_settings(root / "data", monkeypatch, SOHOA_REDIS_URL=server.url, **env)
    catalog = Catalog.migrated(settings.database_url)
    try:
        yield Service(settings, server, catalog, {**os.environ, "SOHOA_LOG_FORMAT": "text"})
    finally:
        server.stop()
        catalog.engine.dispose()


def kill_all(worker: subprocess.Popen[str]) -> None:
    """SIGKILL to a worker and every process under it — RQ's work horse (a process group of its own) and the page
    pool: as when its machine dies."""
    if worker.poll() is not None:
        return
    family = [*psutil.Process(worker.pid).children(recursive=True), psutil.Process(worker.pid)]
    for process in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(signal.SIGKILL)
    psutil.wait_procs(family, timeout=10)
    worker.wait(10)


def wait(what: str, condition: Callable[[], object], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s for {what}"
        time.sleep(0.2)


class TcpProxy:
    """A loopback TCP proxy to ``target`` (HOST:PORT) that can be taken down — connections refused, open ones cut —
    and brought up again on its port: a service that goes away for a while."""

    def __init__(self, target: str) -> None:
        host, port = target.rsplit(":", 1)
        self.target, self.port = (host, int(port)), free_port()
        self.endpoint = f"127.0.0.1:{self.port}"
        self._server: socketserver.ThreadingTCPServer | None = None
        self._open: set[socket.socket] = set()

    def up(self) -> TcpProxy:
        proxy = self

        class Pipe(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                with contextlib.suppress(OSError), socket.create_connection(proxy.target) as upstream:
                    proxy._open.update((self.request, upstream))
                    threading.Thread(target=_pump, args=(upstream, self.request), daemon=True).start()
                    _pump(self.request, upstream)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Pipe, bind_and_activate=False)
        server.allow_reuse_address, server.daemon_threads = True, True
        server.server_bind()
        server.server_activate()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server
        return self

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for connection in list(self._open):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        self._open.clear()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)
