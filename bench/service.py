"""One batch through the service (redis-server and `sohoa worker`s on this machine) against `sohoa process`.

    python bench/service.py INPUT_DIR [--workers 2] [--page-workers 1] [--out results.json]

The batch is accepted as the API accepts an upload (``store_upload``, then sent to the queue) and timed from then
until the catalog says it is done; the split says how many of its pages each `sohoa worker`'s page workers read.
Then `sohoa process INPUT_DIR --jobs W×P` on a fresh data folder, the same number of page processes. Both use the
local object store: the fetch of each page's file from S3 is not measured here.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil
from redis import Redis
from rq import Queue, Worker
from rq.job import Job

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from service_support import RedisServer  # noqa: E402 - the tests' throwaway redis-server

from ingest.manifest import Manifest  # noqa: E402
from sohoa.batch_queue import BatchRunner  # noqa: E402
from sohoa.settings import Settings  # noqa: E402
from storage.catalog import Catalog  # noqa: E402
from workers.fanout import PAGE_QUEUE  # noqa: E402
from workers.service import store_upload  # noqa: E402

SOHOA = [sys.executable, "-m", "sohoa.cli"]


def service_run(inputs: list[Path], root: Path, workers: int, page_workers: int) -> dict:
    redis_dir = root / "redis"
    redis_dir.mkdir()
    server = RedisServer(redis_dir).start()
    os.environ.update(SOHOA_DATA_DIR=str(root / "service"), SOHOA_REDIS_URL=server.url, SOHOA_LOG_FORMAT="text")
    settings = Settings.from_env()
    catalog = Catalog.migrated(settings.database_url)
    redis = Redis.from_url(server.url)
    logs = [(root / f"worker-{i + 1}.log").open("w") for i in range(workers)]
    started = [subprocess.Popen([*SOHOA, "worker", "--page-workers", str(page_workers)], stdout=log,
                                stderr=subprocess.STDOUT) for log in logs]
    try:
        while sum(PAGE_QUEUE in w.queue_names() for w in Worker.all(connection=redis)) < workers * page_workers:
            time.sleep(0.2)
        parts = [(p.name, io.BytesIO(p.read_bytes())) for p in inputs]
        begin = time.monotonic()
        batch_id = store_upload(parts, Manifest(kind="dossier"), settings.agency, "bench", catalog,
                                settings.object_store(), settings.limits, settings.data_dir / "work")
        runner = BatchRunner(settings)
        runner.submit(batch_id)
        runner.close()
        while (batch := catalog.batch(batch_id)) is None or batch.status not in ("done", "failed"):
            time.sleep(0.5)
        seconds = time.monotonic() - begin
        return {"seconds": round(seconds, 1), "status": batch.status, "pages": batch.summary.get("pages", 0),
                "documents": batch.summary.get("documents", 0), "split": _split(redis, started)}
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(120)
        server.stop()


def _split(redis: Redis, started: list[subprocess.Popen]) -> dict[str, int]:
    """Pages read by the page workers of each `sohoa worker`."""
    owner = {}
    for w in Worker.all(connection=redis):
        if PAGE_QUEUE in w.queue_names() and w.pid and psutil.pid_exists(w.pid):
            parent = psutil.Process(w.pid).ppid()
            owner[w.name] = next((f"worker {i + 1}" for i, p in enumerate(started) if p.pid == parent), "other")
    ids = Queue(PAGE_QUEUE, connection=redis).finished_job_registry.get_job_ids()
    return dict(Counter(owner.get(job.worker_name or "", "other")
                        for job in Job.fetch_many(ids, connection=redis) if job is not None))


def embedded_run(input_dir: Path, root: Path, jobs: int) -> dict:
    env = {**os.environ, "SOHOA_DATA_DIR": str(root / "embedded"), "SOHOA_LOG_FORMAT": "text"}
    env.pop("SOHOA_REDIS_URL", None)
    begin = time.monotonic()
    subprocess.run([*SOHOA, "process", str(input_dir), "--out", str(root / "embedded-out"), "--jobs", str(jobs)],
                   env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.monotonic() - begin
    summary = json.loads((root / "embedded-out" / "summary.json").read_text(encoding="utf-8"))
    return {"seconds": round(seconds, 1), "pages": summary["pages"], "documents": summary["documents"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("input_dir", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--page-workers", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    inputs = sorted(p for p in args.input_dir.iterdir() if p.is_file())
    root = Path(tempfile.mkdtemp(prefix="sohoa-service-bench-"))
    try:
        service = service_run(inputs, root, args.workers, args.page_workers)
        embedded = embedded_run(args.input_dir, root, args.workers * args.page_workers)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for name, run in (("service", service), ("embedded", embedded)):
        run["pages_per_min"] = round(run["pages"] * 60 / run["seconds"], 1)
        print(f"{name:9s} {run['pages']} pages, {run['documents']} documents in {run['seconds']} s: "
              f"{run['pages_per_min']} pages/min")
    print(f"split of the service's pages: {service['split']}")
    ratio = service["pages_per_min"] / embedded["pages_per_min"]
    print(f"service / embedded pages per minute: {ratio:.2f} (target >= 0.9: {'PASS' if ratio >= 0.9 else 'FAIL'})")
    if args.out:
        args.out.write_text(json.dumps({"service": service, "embedded": embedded, "ratio": round(ratio, 3)},
                                       indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
