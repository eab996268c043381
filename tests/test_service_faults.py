"""Service mode when things break, with real processes: a worker killed with SIGKILL in the middle of a batch,
Redis killed with SIGKILL after an upload was accepted and started again with nothing in it, the object store gone
for 45 s in the middle of a batch. The catalog is the record of what is owed; the reconciler sends it to be run
again, a run claims its batch, pages whose reading failed are sent again later, and nothing accepted is lost or made
twice."""
from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_support import Service, TcpProxy, kill_all, running_service, wait
from sqlalchemy import update

from storage.schema import Batch
from workers.service import DEAD_AFTER


def test_a_worker_killed_mid_batch_is_noticed_and_its_batch_finished_once(service: Service) -> None:
    batch_id = service.upload(pages=6)
    first = service.worker()
    try:
        wait("the first worker to read a page",
              lambda: service.batch(batch_id).status == "running" and service.batch(batch_id).summary.get("done"))
        scratch = [p for p in (service.settings.data_dir / "work").iterdir() if p.name.startswith("run@")]
        assert len(scratch) == 1
        kill_all(first)
    finally:
        kill_all(first)
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


@pytest.fixture
def service_on_s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moto_endpoint: str) -> Iterator[Service]:
    """The service with its object store, moto's S3 server, behind a proxy that can take it away."""
    proxy = TcpProxy(moto_endpoint).up()
    s3 = {"SOHOA_S3_ENDPOINT": proxy.endpoint, "SOHOA_S3_ACCESS_KEY": "testing", "SOHOA_S3_SECRET_KEY": "testing",
          "SOHOA_S3_SECURE": "0", "SOHOA_S3_BUCKET": f"sohoa-outage-{uuid.uuid4().hex[:8]}"}
    try:
        with running_service(tmp_path, monkeypatch, **s3) as running:
            running.store_proxy = proxy
            yield running
    finally:
        proxy.down()


def test_a_batch_goes_on_through_an_object_store_down_for_45_s(service_on_s3: Service) -> None:
    service = service_on_s3
    batch_id = service.upload(pages=4)
    worker = service.worker("--page-workers", "1")
    try:
        wait("the first page read", lambda: service.batch(batch_id).summary.get("done"))
        service.store_proxy.down()  # the object store is gone: fetching scans and storing documents fail
        time.sleep(45)
        service.store_proxy.up()
        wait("the batch", lambda: service.batch(batch_id).status in ("done", "failed"), 300)
        batch = service.batch(batch_id)
        assert batch.status == "done" and not batch.summary["failed"], batch.summary  # nobody had to step in
        assert service.documents(batch_id) == (4, 4)
    finally:
        kill_all(worker)
