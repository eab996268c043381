"""Metrics for Prometheus, for real: a batch uploaded over HTTP, queued on a real Redis and run by `sohoa worker
--metrics-port` (one small page of real Tesseract beside a damaged file) is counted on the worker's endpoint, timings
of every stage included, though its work horse is gone; the API's /metrics tells what the catalog and Redis say, behind
SOHOA_METRICS_TOKEN when it is set; a file that is not a scan is counted as such, by the API and by the pipeline."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from api_support import bearer, env_settings, serve_in_thread
from conftest import batch_config
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update
from storage_backends import free_port
from test_api_batches import redis_url, scans  # noqa: F401 - a redis-server; small scans of one page each

from storage.batch_list import busy_workers
from storage.catalog import Catalog
from storage.schema import Batch
from workers.embedded import process_batch
from workers.metrics import Reason, Stage
from workers.service import DEAD_AFTER

TOKEN = "metrics-token-0f3c9a"
DAMAGED_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # a PNG by its first bytes, and nothing after them
STAGES: tuple[Stage, ...] = ("intake", "ocr", "understand", "pdfa", "sign", "store")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _samples(text: str) -> Samples:
    """Every sample of a scrape, by its name and labels."""
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def _value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def _scrape(url: str, headers: dict[str, str] | None = None) -> Samples:
    reply = httpx.get(url, headers=headers)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/plain")
    return _samples(reply.text)


def _scrape_until(url: str, done: Callable[[Samples], bool], timeout: float = 30) -> Samples:
    deadline = time.monotonic() + timeout
    while True:
        try:
            samples = _scrape(url)
            if done(samples):
                return samples
        except httpx.TransportError:  # not listening yet
            samples = {}
        assert time.monotonic() < deadline, samples
        time.sleep(0.2)


def test_a_batch_run_by_a_worker_is_counted_on_its_endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            redis_url: str,  # noqa: F811 - the fixture
                                                            scans: dict[str, bytes]) -> None:  # noqa: F811
    settings = env_settings(tmp_path, monkeypatch, SOHOA_REDIS_URL=redis_url, SOHOA_METRICS_TOKEN=TOKEN)
    scanner = bearer(settings, "thu", "scanner")
    name, data = next(iter(scans.items()))
    files = [("files", (name, data, "image/png")), ("files", ("hỏng.png", DAMAGED_PNG, "image/png"))]
    port = free_port()
    with serve_in_thread(settings) as url:
        reply = httpx.post(f"{url}/api/batches", headers=scanner, files=files)
        assert reply.status_code == 202, reply.text
        batch_id = reply.json()["id"]
        worker = subprocess.Popen([sys.executable, "-m", "sohoa.cli", "worker", "--metrics-port", str(port)],
                                  env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            counted = _scrape_until(f"http://127.0.0.1:{port}/metrics",
                                    lambda s: _value(s, "sohoa_documents_total") == 1)
            assert Catalog(settings.database_url).batch(batch_id).status == "done"
            refused = [httpx.get(f"{url}/metrics"),
                       httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer not-the-token"})]
            service = _scrape(f"{url}/metrics", {"Authorization": f"Bearer {TOKEN}"})
        finally:
            worker.terminate()
            _, stderr = worker.communicate(timeout=60)
    assert worker.returncode == 0, stderr
    for stage in STAGES:  # one batch, one page, one document, each stage timed once in the work horse
        assert _value(counted, "sohoa_stage_seconds_count", stage=stage) == 1, stage
        assert _value(counted, "sohoa_stage_seconds_bucket", stage=stage, le="+Inf") == 1, stage
        assert _value(counted, "sohoa_stage_seconds_sum", stage=stage) > 0, stage
    assert _value(counted, "sohoa_stage_seconds_sum", stage="ocr") > _value(counted, "sohoa_stage_seconds_sum",
                                                                             stage="understand")
    assert {result: _value(counted, "sohoa_pages_total", result=result)
            for result in ("text", "blank", "separator", "error")} == {"text": 1, "blank": 0, "separator": 0,
                                                                        "error": 0}
    failures = {dict(labels)["reason"]: count for (sample, labels), count in counted.items()
                if sample == "sohoa_failures_total" and count}
    assert failures == {"damaged": 1}
    assert [reply.status_code for reply in refused] == [401, 401]
    assert refused[0].headers["www-authenticate"] == "Bearer" and TOKEN not in refused[0].text
    assert {status: _value(service, "sohoa_batches", status=status) for status in ("queued", "running", "done",
                                                                                   "failed")} == {
        "queued": 0, "running": 0, "done": 1, "failed": 0}
    assert _value(service, "sohoa_queue_jobs", state="queued") == 0
    assert _value(service, "sohoa_workers") == 1  # the worker, alive and idle
    assert _value(service, "sohoa_workers_busy") == 0
    assert _value(service, "sohoa_metrics_source_up", source="catalog") == 1
    assert _value(service, "sohoa_metrics_source_up", source="queue") == 1


def test_the_api_counts_uploads_refused_and_reads_the_catalog(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """No token set: /metrics is open. No Redis: nothing is said of a queue."""
    settings = env_settings(tmp_path, monkeypatch, SOHOA_AGENCY="H40.01")
    scanner = bearer(settings, "thu", "scanner")
    catalog = Catalog.migrated(settings.database_url)
    for n, (status, worker) in enumerate([("done", None), ("done", None), ("failed", None),
                                          ("running", "host-a:101"), ("running", "host-b:202")]):
        batch_id = f"20260101T00000{n}-0000000{n}"
        catalog.start_batch(batch_id, "H40.01", "dossier", {}, status="queued")
        if worker:
            assert catalog.claim_batch(batch_id, worker, DEAD_AFTER) == 1  # running, its heartbeat fresh
        else:
            catalog.finish_batch(batch_id, status, {})
    with serve_in_thread(settings) as url:
        before = _scrape(f"{url}/metrics")
        reply = httpx.post(f"{url}/api/batches", headers=scanner,
                           files=[("files", ("ghi-chu.txt", b"not a scan at all", "text/plain"))])
        assert reply.status_code == 400, reply.text
        after = _scrape(f"{url}/metrics")
    assert {status: _value(after, "sohoa_batches", status=status) for status in ("queued", "running", "done",
                                                                                 "failed")} == {
        "queued": 0, "running": 2, "done": 2, "failed": 1}
    assert _value(after, "sohoa_workers_busy") == 2
    assert _value(after, "sohoa_metrics_source_up", source="catalog") == 1
    assert not any(name.startswith("sohoa_queue_jobs") or name == "sohoa_workers" for name, _ in after)
    assert _value(after, "sohoa_metrics_source_up", source="queue") is None

    def refusals(samples: Samples, reason: Reason) -> float:
        return _value(samples, "sohoa_failures_total", reason=reason) or 0

    assert refusals(after, "unsupported_type") - refusals(before, "unsupported_type") == 1
    with catalog.engine.begin() as connection:  # a worker silent for longer than DEAD_AFTER is not counted
        connection.execute(update(Batch).where(Batch.worker == "host-b:202")
                           .values(heartbeat_at=dt.datetime.now(dt.UTC) - 2 * DEAD_AFTER))
    assert busy_workers(catalog, DEAD_AFTER) == 1


def test_the_pipeline_counts_what_failed_by_reason(tmp_path: Path) -> None:
    """A file that is not a scan, one with no pages to read and a copy of it: no page is read."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ghi-chu.txt").write_text("not a scan at all")
    (tmp_path / "in" / "hong.png").write_bytes(DAMAGED_PNG)
    (tmp_path / "in" / "hong-copy.png").write_bytes(DAMAGED_PNG)
    reasons: tuple[Reason, ...] = ("unsupported_type", "damaged", "duplicate", "too_large", "batch_error")

    def counts() -> dict[str, float]:
        return {reason: REGISTRY.get_sample_value("sohoa_failures_total", {"reason": reason}) or 0
                for reason in reasons}

    before = counts()
    summary = process_batch([str(tmp_path / "in")], batch_config(tmp_path / "out", tmp_path / "data"))
    assert (summary.documents, summary.pages, len(summary.failed), len(summary.skipped)) == (0, 0, 2, 1)
    after = counts()
    assert {reason: after[reason] - before[reason] for reason in reasons} == {
        "unsupported_type": 1, "damaged": 1, "duplicate": 1, "too_large": 0, "batch_error": 0}
