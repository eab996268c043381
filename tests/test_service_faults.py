"""Service mode when things break, with real processes: a worker killed with SIGKILL in the middle of a batch, and
Redis killed with SIGKILL after an upload was accepted and started again with nothing in it. The catalog is the
record of what is owed; the reconciler sends it to be run again, a run claims its batch, and nothing accepted is
lost or made twice."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from api_support import env_settings
from PIL import Image
from service_support import RedisServer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ingest.manifest import Manifest
from sohoa.batch_queue import BatchRunner
from sohoa.sample import render_page
from sohoa.settings import Settings
from storage.catalog import Catalog
from storage.schema import Batch, Document
from workers.service import DEAD_AFTER, store_upload

MANIFEST = Manifest(kind="dossier", agency="H40.01", operator="Nguyễn Thị Thu")


@dataclass
class Service:
    settings: Settings
    redis: RedisServer
    catalog: Catalog
    env: dict[str, str]

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


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Service]:
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis").start()
    settings = env_settings(tmp_path / "data", monkeypatch, SOHOA_REDIS_URL=server.url)
    catalog = Catalog.migrated(settings.database_url)
    env = {**os.environ, "SOHOA_LOG_FORMAT": "text"}
    try:
        yield Service(settings, server, catalog, env)
    finally:
        server.stop()
        catalog.engine.dispose()


def _kill_all(worker: subprocess.Popen[str]) -> None:
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


def _wait(what: str, condition: Callable[[], object], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s for {what}"
        time.sleep(0.2)


def test_a_worker_killed_mid_batch_is_noticed_and_its_batch_finished_once(service: Service) -> None:
    batch_id = service.upload(pages=6)
    first = service.worker()
    try:
        _wait("the first worker to read a page",
              lambda: service.batch(batch_id).status == "running" and service.batch(batch_id).summary.get("done"))
        scratch = [p for p in (service.settings.data_dir / "work").iterdir() if p.name.startswith("run@")]
        assert len(scratch) == 1
        _kill_all(first)
    finally:
        _kill_all(first)
    assert service.batch(batch_id).status == "running"  # as the dead worker left it
    with service.catalog.engine.begin() as connection:  # its minute of silence, without waiting a minute
        connection.execute(update(Batch).where(Batch.id == batch_id)
                           .values(heartbeat_at=dt.datetime.now(dt.UTC) - DEAD_AFTER - dt.timedelta(seconds=1)))
    second = service.worker("--burst")  # it reconciles once: the batch is owed, and run
    out, _ = second.communicate(timeout=300)
    assert second.returncode == 0, out
    batch = service.batch(batch_id)
    assert batch.status == "done" and batch.attempt == 2, (batch.status, batch.summary, out)
    assert batch.summary["documents"] == 6 and service.documents(batch_id) == (6, 6)  # each exactly once
    assert not scratch[0].exists()  # the dead worker's scratch folder was removed


def test_an_accepted_batch_survives_redis_killed_and_started_again(service: Service) -> None:
    batch_id = service.upload(pages=2)
    service.redis.kill()  # the job in Redis is gone with it; the catalog still says the batch is queued
    service.redis.start()
    assert service.batch(batch_id).status == "queued"
    worker = service.worker("--burst")
    out, _ = worker.communicate(timeout=300)
    assert worker.returncode == 0, out
    assert "was owed" in out
    batch = service.batch(batch_id)
    assert batch.status == "done" and service.documents(batch_id) == (2, 2), (batch.summary, out)


def test_a_run_claimed_by_a_live_worker_is_not_taken_twice(service: Service) -> None:
    batch_id = service.upload(pages=1)
    catalog = service.catalog
    assert catalog.claim_batch(batch_id, "host-a:1", DEAD_AFTER) == 1
    assert catalog.claim_batch(batch_id, "host-b:2", DEAD_AFTER) is None  # host-a beats its heartbeat
    assert catalog.batch_heartbeat(batch_id, "host-a:1") and not catalog.batch_heartbeat(batch_id, "host-b:2")
    assert catalog.owed_batches(DEAD_AFTER) == []
    with catalog.engine.begin() as connection:
        connection.execute(update(Batch).where(Batch.id == batch_id)
                           .values(heartbeat_at=dt.datetime.now(dt.UTC) - DEAD_AFTER * 2))
    assert catalog.owed_batches(DEAD_AFTER) == [(batch_id, 1)]
    assert catalog.claim_batch(batch_id, "host-b:2", DEAD_AFTER) == 2  # host-a went silent
    assert not catalog.batch_heartbeat(batch_id, "host-a:1")  # and when it wakes, the batch is no longer its
