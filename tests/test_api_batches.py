"""Service mode for real: scans uploaded over HTTP (uvicorn on loopback), queued on a real Redis and run by a real
`sohoa worker --burst`, or run by the API itself without Redis; real Tesseract on three small pages in all."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
from api_support import bearer, env_settings, serve_in_thread
from PIL import Image
from rq import Queue, Worker
from scan_support import bomb_png
from service_support import RedisServer
from sqlalchemy import select
from sqlalchemy.orm import Session
from storage_backends import free_port
from typer.testing import CliRunner

from sohoa.cli import app
from sohoa.jobs import run_batch
from sohoa.sample import render_page
from sohoa.settings import Settings
from storage.catalog import Catalog
from storage.objects import LocalStore
from storage.schema import AuditEvent, Document
from workers.service import CatalogProgress, batch_status, safe_name

DOSSIER = "000.00.12.H40-240504-0001"
THU = "Nguyễn Thị Thu"


def _png(lines: list[str], dpi: int = 200) -> bytes:
    out = io.BytesIO()
    Image.fromarray(render_page(lines, dpi=dpi, size_mm=(148, 60))).convert("L").save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


@pytest.fixture(scope="module")
def scans() -> dict[str, bytes]:
    return {"giấy khai sinh.png": _png(["GIẤY KHAI SINH", "Họ, chữ đệm, tên: NGUYỄN VĂN AN",
                                        "Ngày, tháng, năm sinh: 15/03/1990"]),
            "quyet_dinh.png": _png(["QUYẾT ĐỊNH", "Về việc công nhận gia đình văn hóa năm 2024"])}


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SOHOA_TEST_REDIS_URL, else a throwaway redis-server on a free port."""
    if os.environ.get("SOHOA_TEST_REDIS_URL"):
        yield os.environ["SOHOA_TEST_REDIS_URL"]
        return
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server.url
    finally:
        server.stop()


def _files(scans: dict[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (name, data, "application/octet-stream")) for name, data in scans.items()]


def _wait_until_finished(url: str, batch_id: str, headers: dict[str, str], timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while (status := httpx.get(f"{url}/api/batches/{batch_id}", headers=headers).json())["status"] in ("queued",
                                                                                                        "running"):
        assert time.monotonic() < deadline, status
        time.sleep(0.2)
    return status


def test_an_upload_is_queued_on_redis_and_run_by_a_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          redis_url: str, scans: dict[str, bytes]) -> None:
    settings = env_settings(tmp_path, monkeypatch, SOHOA_REDIS_URL=redis_url)
    scanner = bearer(settings, THU, "scanner", ["H40.01"])
    archivist = bearer(settings, "archivist", "archivist")
    manifest = {"kind": "result", "agency": "H40.01", "dossier_code": DOSSIER}
    with serve_in_thread(settings) as url:
        manifest_file = ("manifest", ("batch.json", json.dumps(manifest).encode(), "application/json"))  # curl -F @
        reply = httpx.post(f"{url}/api/batches", headers=scanner, files=[*_files(scans), manifest_file])
        assert reply.status_code == 202, reply.text
        batch_id = reply.json()["id"]
        queued = httpx.get(f"{url}/api/batches/{batch_id}", headers=scanner).json()
        assert queued == {"id": batch_id, "status": "queued", "documents": 0, "pages": 0, "done": 0, "failed": [],
                          "skipped": [], "rescan": []}
        worker = subprocess.run([sys.executable, "-m", "sohoa.cli", "worker", "--burst"], env=dict(os.environ),
                                capture_output=True, text=True, timeout=120)
        assert worker.returncode == 0, worker.stderr
        assert worker.stdout == "" and f"batch {batch_id}" in worker.stderr  # RQ's log goes to stderr
        done = httpx.get(f"{url}/api/batches/{batch_id}", headers=archivist).json()
    assert done == {"id": batch_id, "status": "done", "documents": 2, "pages": 2, "done": 2, "failed": [],
                    "skipped": [], "rescan": []}, worker.stderr
    catalog = Catalog.migrated(settings.database_url)
    with Session(catalog.engine) as session:
        docs = session.scalars(select(Document).where(Document.batch_id == batch_id)).all()
        uploads = session.execute(select(AuditEvent.actor, AuditEvent.subject)
                                  .where(AuditEvent.action == "upload")).all()
    assert sorted(d.source for d in docs) == sorted(scans)  # the uploaded names, not the worker's folder
    assert {d.agency for d in docs} == {"H40.01"}
    assert sorted(d.record["result_code"] for d in docs) == [f"{DOSSIER}-KQ1", f"{DOSSIER}-KQ2"]  # the manifest's
    prefix = f"raw/H40.01/{batch_id}/"
    assert sorted(subject.removeprefix(prefix) for _, subject in uploads) == sorted(
        [f"{hashlib.sha256(data).hexdigest()}.png" for data in scans.values()] + ["upload.json"])
    assert {actor for actor, _ in uploads} == {THU}  # the worker met the stored scans again: no second event
    record = json.loads(LocalStore(settings.objects_dir).get(prefix + "upload.json"))
    assert (record["uploader"], record["manifest"], [f["name"] for f in record["files"]]) == (THU, manifest,
                                                                                              list(scans))
    assert run_batch(batch_id) is None  # a job run again finds the batch done and skips it


def test_without_redis_the_service_runs_the_batch_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         scans: dict[str, bytes]) -> None:
    settings = env_settings(tmp_path, monkeypatch, SOHOA_AGENCY="H40.01")
    scanner = bearer(settings, THU, "scanner")
    name, data = next(iter(scans.items()))
    with serve_in_thread(settings) as url:
        reply = httpx.post(f"{url}/api/batches", headers=scanner, files=_files({"/../../" + name: data}))
        assert reply.status_code == 202, reply.text
        batch_id = reply.json()["id"]
        status = _wait_until_finished(url, batch_id, scanner)
    assert (status["status"], status["documents"], status["pages"], status["done"]) == ("done", 1, 1, 1), status
    assert Catalog(settings.database_url).batch(batch_id).agency == "H40.01"  # SOHOA_AGENCY: no manifest
    with Session(Catalog.migrated(settings.database_url).engine) as session:
        assert session.scalars(select(Document.source).where(Document.batch_id == batch_id)).all() == [name]


def test_who_may_upload_what(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scans: dict[str, bytes]) -> None:
    settings = env_settings(tmp_path, monkeypatch, SOHOA_AGENCY="H40.01", SOHOA_MAX_FILE_BYTES="100000",
                            SOHOA_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")  # a queue that does not answer
    scanner = bearer(settings, THU, "scanner", ["H40.01"])
    officer = bearer(settings, "officer", "officer", ["H40.01"])
    archivist = bearer(settings, "archivist", "archivist")
    catalog = Catalog.migrated(settings.database_url)
    other = "20240504T080000-0badc0de"
    catalog.start_batch(other, "H40.02", "result", {}, status="queued")
    name, data = next(iter(scans.items()))
    with serve_in_thread(settings) as url:
        def post(headers: dict[str, str], files: dict[str, bytes], manifest: str | None = None) -> httpx.Response:
            return httpx.post(f"{url}/api/batches", headers=headers, files=_files(files),
                              data={"manifest": manifest} if manifest else None)

        assert post({}, {name: data}).status_code == 401
        assert post(officer, {name: data}).status_code == 403
        refused = post(scanner, {name: data}, json.dumps({"agency": "H40.02"}))
        assert refused.status_code == 403 and "H40.02" in refused.json()["detail"]
        assert httpx.get(f"{url}/api/batches/{other}", headers=scanner).status_code == 404
        assert httpx.get(f"{url}/api/batches/{other}", headers=archivist).json()["status"] == "queued"
        assert httpx.get(f"{url}/api/batches/{other}", headers=officer).status_code == 403
        bad = post(scanner, {name: data}, json.dumps({"kind": "result", "dossier_code": "HS-2024-1"}))
        assert bad.status_code == 422 and "dossier_code" in bad.json()["detail"], bad.text
        assert post(scanner, {name: data}, "{kind: result").status_code == 422
        not_scans = post(scanner, {name: data, "ghi chú.txt": b"not a scan\n", ".hidden.png": b""})
        assert not_scans.status_code == 400
        detail = not_scans.json()["detail"]
        assert "ghi chú.txt: unsupported file type" in detail and "hidden.png: the file is empty" in detail, detail
        clash = post(scanner, {"so-2017": data, "so-2017/trang-001.png": data})
        assert clash.status_code == 400 and "a file and a folder have one name" in clash.json()["detail"], clash.text
        too_large = post(scanner, {"big.png": data + bytes(100_000)})
        assert too_large.status_code == 413 and "big.png" in too_large.json()["detail"]
        bomb = post(scanner, {name: data, "bom.png": bomb_png()})  # small, announcing 40000 × 40000 pixels
        assert bomb.status_code == 413 and bomb.json()["detail"] == (
            "bom.png: page 1 is too large: 1,600,000,000 pixels, the limit is 120,000,000")
        assert not (settings.objects_dir / "raw").exists()  # nothing of a refused upload is kept
        down = post(scanner, {name: data})
        assert down.status_code == 503 and "the queue did not answer" in down.json()["detail"]
        batch_id = down.json()["detail"].split()[1].rstrip(":")
        failed = httpx.get(f"{url}/api/batches/{batch_id}", headers=scanner).json()
    assert failed["status"] == "failed" and "the queue did not answer" in failed["failed"][0]["error"]


def test_the_worker_needs_redis_and_stops_on_sigterm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     redis_url: str) -> None:
    env_settings(tmp_path, monkeypatch)
    unset = CliRunner().invoke(app, ["worker"])
    assert unset.exit_code == 2 and "SOHOA_REDIS_URL is not set" in unset.output
    log = tmp_path / "worker.log"
    queue = Queue("sohoa-test-idle", connection=redis.Redis.from_url(redis_url))
    with log.open("w") as out:
        worker = subprocess.Popen([sys.executable, "-m", "sohoa.cli", "worker", queue.name], stdout=out,
                                  stderr=subprocess.STDOUT, env={**os.environ, "SOHOA_REDIS_URL": redis_url})
    try:
        deadline = time.monotonic() + 30
        while not any(w.get_state() == "idle" for w in Worker.all(queue=queue)):  # its signal handlers are set
            assert time.monotonic() < deadline and worker.poll() is None, log.read_text()
            time.sleep(0.1)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
    assert "warm shut down requested" in log.read_text()


def test_a_batch_left_queued_runs_at_start_and_a_crash_fails_it(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    settings = env_settings(tmp_path, monkeypatch)
    scanner = bearer(settings, THU, "scanner")
    left = "20240504T080000-0badc0de"  # queued, then the service stopped; its upload record is gone
    Catalog.migrated(settings.database_url).start_batch(left, "H40.01", None, {}, status="queued")
    with serve_in_thread(settings) as url:
        status = _wait_until_finished(url, left, scanner, timeout=30)
    assert status["status"] == "failed", status
    assert status["failed"] == [{"source": left, "error": "the batch stopped: a file of this upload is missing from "
                                                          "the object store: upload the files again"}]


class _RecordingCatalog(Catalog):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.writes: list[dict] = []

    def batch_progress(self, batch_id: str, progress: dict) -> None:
        self.writes.append(progress)
        super().batch_progress(batch_id, progress)


def test_progress_is_written_at_most_once_a_second_and_never_after_the_end(tmp_path: Path) -> None:
    catalog = _RecordingCatalog.migrated(f"sqlite:///{tmp_path / 'catalog.db'}")
    catalog.start_batch("b", "H40.01", None, {})
    reporter = CatalogProgress(catalog, "b")
    reporter.begin(5)
    for _ in range(5):
        reporter.page_done()
    assert catalog.writes == [{"pages": 5, "done": 0}, {"pages": 5, "done": 5}]  # the first and the last
    assert (batch_status(catalog.batch("b"))["status"], batch_status(catalog.batch("b"))["done"]) == ("running", 5)
    catalog.finish_batch("b", "done", {"documents": 1, "pages": 6})
    catalog.batch_progress("b", {"pages": 5, "done": 4})  # a page pool thread's late report changes nothing
    assert batch_status(catalog.batch("b")) == {"id": "b", "status": "done", "documents": 1, "pages": 6, "done": 6,
                                                "failed": [], "skipped": [], "rescan": []}



def test_uploaded_names_keep_their_folders_but_nothing_that_leaves_the_batch() -> None:
    assert safe_name("so-2017/trang-001.tif", 1) == "so-2017/trang-001.tif"
    assert safe_name("../../etc/passwd", 1) == "etc/passwd"  # no way out of the batch's folder
    assert safe_name("/abs/./a.png", 1) == "abs/a.png"
    assert safe_name("C:\\Scans\\2017\\a.png", 1) == "Scans/2017/a.png"
    assert safe_name(".git/.hidden.png", 1) == "git/hidden.png"
    assert safe_name("so\u0301/x\x00y.png", 1) == "s\u00f3/xy.png"  # NFC, no control characters
    assert safe_name("../..", 3) == "upload-3"
    deep = safe_name("/".join(["thư-mục"] * 200) + "/a.png", 1)
    assert deep.endswith("/thư-mục/a.png") and len(deep.encode()) <= 1000
    assert len(safe_name("a" * 300 + ".png", 1).encode()) == 200


@dataclass
class FolderBatch:
    url: str
    settings: Settings
    tokens: dict[str, dict[str, str]]  # by role; "other": a scanner of another agency
    batch_id: str


@pytest.fixture(scope="module")
def folder_batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FolderBatch]:
    """A server with no Redis, and one finished batch of agency H40.01 uploaded as two folders, each with a file of
    one name; the page in so-2017 is scanned at 150 dpi (to scan again)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = env_settings(tmp_path_factory.mktemp("folders"), monkeypatch, SOHOA_AGENCY="H40.01")
        tokens = {"scanner": bearer(settings, THU, "scanner", ["H40.01"]),
                  "other": bearer(settings, "to.so.hoa.khac", "scanner", ["H40.02"]),
                  "officer": bearer(settings, "officer", "officer", ["H40.01"]),
                  "archivist": bearer(settings, "archivist", "archivist")}
        scans = {"so-2017/trang-001.png": _png(["QUYẾT ĐỊNH", "Về việc cấp phép xây dựng"], dpi=150),
                 "so-2018/trang-001.png": _png(["CÔNG VĂN", "Về việc lập danh sách cử tri"])}
        with serve_in_thread(settings) as url:
            reply = httpx.post(f"{url}/api/batches", headers=tokens["scanner"], files=_files(scans))
            assert reply.status_code == 202, reply.text
            batch_id = reply.json()["id"]
            _wait_until_finished(url, batch_id, tokens["scanner"])
            yield FolderBatch(url, settings, tokens, batch_id)


def test_a_folder_upload_keeps_its_folders_as_the_documents_sources(folder_batch: FolderBatch) -> None:
    url, tokens, batch_id = folder_batch.url, folder_batch.tokens, folder_batch.batch_id
    status = httpx.get(f"{url}/api/batches/{batch_id}", headers=tokens["scanner"]).json()
    assert (status["status"], status["documents"], status["failed"]) == ("done", 2, []), status
    sources = {d["source"] for d in httpx.get(f"{url}/api/documents", params={"batch": batch_id},
                                              headers=tokens["archivist"]).json()["items"]}
    assert sources == {"so-2017/trang-001.png", "so-2018/trang-001.png"}  # as `sohoa process` names them


def test_a_page_to_scan_again_is_shown_from_the_raw_scan(folder_batch: FolderBatch) -> None:
    url, tokens, batch_id = folder_batch.url, folder_batch.tokens, folder_batch.batch_id
    rescan = httpx.get(f"{url}/api/batches/{batch_id}", headers=tokens["scanner"]).json()["rescan"]
    low = next(r for r in rescan if "150 dpi" in r["reason"])
    assert (low["source"], low["page"]) == ("so-2017/trang-001.png", 1)
    picture_url = f"{url}/api/batches/{batch_id}/scans/{low['sha256']}/pages/1.png"
    picture = httpx.get(picture_url, headers=tokens["scanner"])
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(picture.content))
    assert image.width == 240 and 90 < image.height < 105  # the strip's proportions (148 × 60 mm)
    again = httpx.get(picture_url, headers={**tokens["scanner"], "If-None-Match": picture.headers["etag"]})
    assert again.status_code == 304
    assert httpx.get(picture_url, headers=tokens["archivist"]).status_code == 200  # every agency
    assert httpx.get(picture_url, headers=tokens["other"]).status_code == 404  # another agency's batch
    assert httpx.get(picture_url, headers=tokens["officer"]).status_code == 403
    assert httpx.get(picture_url).status_code == 401
    assert httpx.get(picture_url.replace("/1.png", "/2.png"), headers=tokens["scanner"]).status_code == 404
    assert httpx.get(picture_url.replace(low["sha256"], "0" * 64), headers=tokens["scanner"]).status_code == 404
    with Session(Catalog(folder_batch.settings.database_url).engine) as session:
        views = session.execute(select(AuditEvent.actor, AuditEvent.subject).where(AuditEvent.action == "view")).all()
    assert (THU, f"raw/H40.01/{batch_id}/{low['sha256']}.png") in views
    assert {actor for actor, _ in views} == {THU, "archivist"}  # what was refused is not a view


def test_batches_are_listed_newest_first_a_page_at_a_time(folder_batch: FolderBatch) -> None:
    url, tokens = folder_batch.url, folder_batch.tokens
    catalog = Catalog(folder_batch.settings.database_url)
    made = [f"20240504T08000{n}-0000000{n}" for n in range(5)]
    for n, batch_id in enumerate(made):
        catalog.start_batch(batch_id, "H40.02" if n == 2 else "H40.01", "dossier", {}, status="queued")

    def pages(headers: dict[str, str]) -> list[list[str]]:
        found, cursor = [], None
        while True:
            reply = httpx.get(f"{url}/api/batches", params={"limit": 2, **({"cursor": cursor} if cursor else {})},
                              headers=headers)
            assert reply.status_code == 200, reply.text
            found.append([item["id"] for item in reply.json()["items"]])
            cursor = reply.json()["next"]
            if cursor is None:
                return found

    mine = [made[4], made[3], made[1], made[0], folder_batch.batch_id]  # newest first; H40.02's left out
    assert pages(tokens["scanner"]) == [mine[:2], mine[2:4], mine[4:]]
    assert sum(pages(tokens["archivist"]), []) == [made[4], made[3], made[2], made[1], made[0], folder_batch.batch_id]
    first = httpx.get(f"{url}/api/batches", params={"limit": 2}, headers=tokens["scanner"]).json()
    newest = first["items"][0]
    assert {k: newest[k] for k in ("agency", "kind", "status", "documents", "finished_at")} == {
        "agency": "H40.01", "kind": "dossier", "status": "queued", "documents": 0, "finished_at": None}
    assert newest["created_at"].endswith(("+00:00", "Z"))
    done = next(item for item in httpx.get(f"{url}/api/batches", params={"limit": 100}, headers=tokens["scanner"])
                .json()["items"] if item["id"] == folder_batch.batch_id)
    assert (done["status"], done["documents"], len(done["rescan"])) == ("done", 2, 1) and done["finished_at"]
    stranger = httpx.get(f"{url}/api/batches", params={"cursor": first["next"]}, headers=tokens["archivist"])
    assert stranger.status_code == 400  # a cursor is bound to the agencies it listed
    assert httpx.get(f"{url}/api/batches", params={"cursor": "nonsense"}, headers=tokens["scanner"]).status_code == 400
    assert httpx.get(f"{url}/api/batches").status_code == 401
    assert httpx.get(f"{url}/api/batches", headers=tokens["officer"]).status_code == 403
    assert httpx.get(f"{url}/api/batches", headers=tokens["other"]).json()["items"] == [
        item for item in httpx.get(f"{url}/api/batches", params={"limit": 100}, headers=tokens["archivist"])
        .json()["items"] if item["agency"] == "H40.02"]



def test_an_upload_while_the_object_store_is_down_is_a_503_in_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    scans: dict[str, bytes]) -> None:
    closed = free_port()  # nothing listens there
    settings = env_settings(tmp_path, monkeypatch, SOHOA_S3_ENDPOINT=f"127.0.0.1:{closed}", SOHOA_S3_SECURE="0",
                            SOHOA_S3_ACCESS_KEY="sohoa", SOHOA_S3_SECRET_KEY="a-secret-key")
    scanner = bearer(settings, THU, "scanner")
    with serve_in_thread(settings) as url:
        down = httpx.post(f"{url}/api/batches", headers=scanner, files=_files(scans), timeout=60)
    assert down.status_code == 503 and down.headers["retry-after"] == "30"
    assert down.json() == {"detail": "the object store did not answer: nothing was changed, try again in a moment"}
    assert Catalog(settings.database_url).owed_batches(dt.timedelta(seconds=60)) == []  # nothing was queued
