"""Search through the real HTTP API: `sohoa serve` on a catalog of generated documents, searched by officers.

    .venv/bin/python bench/search_http.py [--docs 10000] [--queries 200] [--concurrency 10]
        [--database-url postgresql://postgres@127.0.0.1:5432/test] [--out results.json]

The documents are bench/catalog.py's (CONTRACT §2 JSON, realistic Vietnamese names), all of one agency, loaded
with its ``load`` into a catalog in a new data folder: SQLite there by default, or with ``--database-url`` a new
database made on that PostgreSQL server (dropped at the end). `sohoa serve` then runs as a subprocess on a free port
over that folder, `sohoa users add` makes an officer of the agency, and the queries go to ``GET /api/documents``
with its bearer token, ``--concurrency`` at a time: half personal-ID lookups, half full-name searches (the name as
printed), each for a person drawn from the loaded documents. An answer counts as an error unless it is 200 and
lists the document the person is in. Latency is the client's, request sent to answer read, audit event included;
a few searches first warm the server and are not counted. Targets: p95 under 100 ms, no errors.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from catalog import load, postgres_database

from storage.catalog import Catalog

SOHOA = [sys.executable, "-m", "sohoa.cli"]
AGENCY = "H40.01"
TARGET_P95_MS = 100
WARM_UP = 10


@dataclass(frozen=True)
class Query:
    kind: str  # personal_id or name
    params: dict[str, str]
    doc: str  # the document the answer must list


@dataclass(frozen=True)
class Answer:
    kind: str
    ms: float
    error: str | None  # None: 200 and the document listed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--database-url", help="a PostgreSQL server (URL of a database there) to make a throwaway "
                                               "catalog database in (default: SQLite in the data folder)")
    parser.add_argument("--keep", action="store_true", help="keep the data folder (and PostgreSQL database)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here too")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="sohoa-bench-http-"))
    url, drop = (postgres_database(args.database_url) if args.database_url
                 else (f"sqlite:///{root / 'data' / 'catalog.db'}", lambda: None))
    env = {**os.environ, "SOHOA_DATA_DIR": str(root / "data"), "SOHOA_DATABASE_URL": url, "SOHOA_AGENCY": AGENCY,
           "SOHOA_LOG_FORMAT": "text"}
    env.pop("SOHOA_REDIS_URL", None)  # the server runs no batches here: no queue needed
    try:
        report = run(args, url, env, root)
    finally:
        if not args.keep:
            drop()
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"kept: {root} and {url}", file=sys.stderr)
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1))


def run(args: argparse.Namespace, url: str, env: dict[str, str], root: Path) -> dict[str, Any]:
    backend = url.split(":", 1)[0].split("+", 1)[0]
    print(f"{backend}: loading {args.docs} documents of {AGENCY}", flush=True)
    catalog = Catalog.migrated(url)
    loaded = load(catalog, args.docs, args.seed, agencies=[AGENCY], sample_rate=min(1.0, 5 * args.queries / args.docs))
    catalog.engine.dispose()
    print(f"{backend}: loaded in {loaded.seconds:.0f} s; {len(loaded.sample)} people to look for", flush=True)
    token = subprocess.run([*SOHOA, "users", "add", "bench-officer", "--role", "officer", "--agency", AGENCY,
                            "--actor", "bench"], env=env, check=True, capture_output=True, text=True).stdout.strip()
    queries = plan(loaded.sample, args.queries + WARM_UP, args.seed)
    with Server(env, root / "serve.log") as base, httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30,
            limits=httpx.Limits(max_connections=args.concurrency)) as client:
        fire(client, queries[:WARM_UP], args.concurrency)
        started = time.perf_counter()
        answers = fire(client, queries[WARM_UP:], args.concurrency)
        wall = time.perf_counter() - started
    errors = Counter(a.error for a in answers if a.error)
    return {"database": backend, "documents": args.docs, "queries": len(answers), "concurrency": args.concurrency,
            "load_seconds": round(loaded.seconds, 1), "wall_seconds": round(wall, 2),
            "queries_per_second": round(len(answers) / wall, 1), "target_p95_ms": TARGET_P95_MS,
            "all": percentiles([a.ms for a in answers]),
            **{kind: percentiles([a.ms for a in answers if a.kind == kind]) for kind in ("personal_id", "name")},
            "errors": sum(errors.values()), "error_kinds": dict(errors.most_common())}


def plan(sample: list[dict[str, str]], count: int, seed: int) -> list[Query]:
    """Personal-ID lookups and name searches, alternating, each for a person drawn from the documents."""
    rng = random.Random(seed + 3)
    queries = []
    for n in range(count):
        person = rng.choice(sample)
        kind = "personal_id" if n % 2 == 0 else "name"
        queries.append(Query(kind, {kind: person["id" if kind == "personal_id" else "name"]}, person["doc"]))
    return queries


def fire(client: httpx.Client, queries: list[Query], concurrency: int) -> list[Answer]:
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(lambda query: ask(client, query), queries))


def ask(client: httpx.Client, query: Query) -> Answer:
    started = time.perf_counter()
    try:
        response = client.get("/api/documents", params=query.params)
    except httpx.HTTPError as exc:
        return Answer(query.kind, (time.perf_counter() - started) * 1000, type(exc).__name__)
    ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        return Answer(query.kind, ms, f"status {response.status_code}")
    found = {item["id"] for item in response.json()["items"]}
    return Answer(query.kind, ms, None if query.doc in found else "document not listed")


def percentiles(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(ordered[int(len(ordered) * 0.95)], 1),
            "max_ms": round(ordered[-1], 1)}


class Server:
    """`sohoa serve` on a free loopback port, its output to ``log``; the base URL once /healthz answers 200."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> str:
        port = free_port()
        with self.log.open("wb") as out:
            self.process = subprocess.Popen([*SOHOA, "serve", "--port", str(port)], env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: self._healthy(base), 120, self.log)
        return base

    def _healthy(self, base: str) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"sohoa serve ended ({self.process.returncode}):\n{self.log.read_text()[-3000:]}")
        try:
            return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def __exit__(self, *_: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_for(ready: Callable[[], bool], seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"sohoa serve did not answer /healthz in {seconds:.0f} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    main()
