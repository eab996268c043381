"""The whole pipeline on the sample batch, with real Tesseract, pikepdf, pyHanko, qpdf, pdftotext and pdfsig."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
from conftest import Run, batch_config
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from textmetrics import cer

from ingest.manifest import Manifest
from signing.devca import dev_keys
from signing.verify import load_roots, verify_pdf
from storage.catalog import Catalog, Document
from storage.objects import LocalStore
from storage.search import SearchQuery, search
from workers.embedded import Reporter, process_batch


def _truth_page(run: Run, name: str, index: int = 0):
    return next(f for f in run.truth if f.name == name).pages[index]


def test_every_file_is_accounted_for(sample_run: Run) -> None:
    sources = {d["source"].split("#")[0] for d in sample_run.documents()}
    failed = {f["source"] for f in sample_run.summary.failed}
    skipped = {s["source"].split("#")[0] for s in sample_run.summary.skipped}
    for f in sample_run.truth:
        path = str(sample_run.scans / f.name)
        assert path in sources | failed | skipped, f.name
    assert sample_run.summary.documents == 7


def test_corrupt_file_is_reported_and_the_rest_succeed(sample_run: Run) -> None:
    corrupt = [f for f in sample_run.summary.failed if f["source"].endswith("07_giay_khai_sinh_2.png")]
    assert len(corrupt) == 1 and "truncated" in corrupt[0]["error"]
    assert len(sample_run.summary.failed) == 1
    summary = json.loads((sample_run.out / "summary.json").read_text(encoding="utf-8"))
    assert summary["documents"] == 7 and summary["failed"] == sample_run.summary.failed


def test_clean_page_is_read_accurately(sample_run: Run) -> None:
    doc = sample_run.by_source("01_giay_khai_sinh.png")
    assert cer(_truth_page(sample_run, "01_giay_khai_sinh.png").text, doc["pages"][0]["text"]) < 0.02
    assert doc["doc_type"] == "birth_certificate"
    assert doc["pages"][0]["dpi"] == 200 and doc["pages"][0]["confidence"] > 0.85


def test_two_column_header_is_read_column_by_column(sample_run: Run) -> None:
    text = sample_run.by_source("02_quyet_dinh.jpg")["pages"][0]["text"]
    assert cer(_truth_page(sample_run, "02_quyet_dinh.jpg").text, text) < 0.03
    lines = text.splitlines()
    assert lines.index("Số: 123/QĐ-UBND") < lines.index("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")


def test_upside_down_page_is_turned_and_read(sample_run: Run) -> None:
    page = sample_run.by_source("03_ket_hon_lon_nguoc.png")["pages"][0]
    assert page["rotation"] == 180
    assert cer(_truth_page(sample_run, "03_ket_hon_lon_nguoc.png").text, page["text"]) < 0.03


def test_skew_is_measured_and_undone(sample_run: Run) -> None:
    page = sample_run.by_source("04_ly_lich_nghieng.png")["pages"][0]
    assert abs(page["skew_deg"] - 4.0) < 0.3
    assert cer(_truth_page(sample_run, "04_ly_lich_nghieng.png").text, page["text"]) < 0.03


def test_separator_splits_a_file_and_blank_page_is_flagged(sample_run: Run) -> None:
    first = sample_run.by_source("05_ho_so.tif#p1-1")
    second = sample_run.by_source("05_ho_so.tif#p3-4")
    assert [p["source_page"] for p in second["pages"]] == [3, 4]
    assert [p["blank"] for p in second["pages"]] == [False, True]
    assert first["doc_type"] == "application_form" and second["doc_type"] == "death_extract"
    with pikepdf.open(sample_run.out / second["pdf"]) as pdf:
        assert len(pdf.pages) == 1  # the blank back page is listed, not shown
    assert sample_run.summary.blank_pages == 1
    assert not [r for r in sample_run.summary.rescan if "separator" in r["reason"]]  # pages=2 matches


def test_pdf_is_searchable_pdfa_and_clean(sample_run: Run) -> None:
    doc = sample_run.by_source("01_giay_khai_sinh.png")
    pdf_path = sample_run.out / doc["pdf"]
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    assert "GIẤY KHAI SINH" in text and "NGUYỄN" in text
    check = subprocess.run(["qpdf", "--check", str(pdf_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with pikepdf.open(pdf_path) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert meta["dc:source"] == doc["source"]
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"


def test_signature_is_valid_for_pyhanko(sample_run: Run) -> None:
    doc = sample_run.by_source("02_quyet_dinh.jpg")
    data = (sample_run.out / doc["pdf"]).read_bytes()
    report = verify_pdf(data, load_roots([dev_keys(sample_run.data_dir / "keys").ca_cert]))
    assert report.valid, report.to_dict()
    assert doc["signature"]["level"] == "PAdES-B-B" and "development" in doc["signature"]["signer"]
    assert not verify_pdf(data, []).valid  # untrusted without the development CA


def test_signature_is_valid_for_pdfsig(sample_run: Run, tmp_path: Path) -> None:
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    ca = dev_keys(sample_run.data_dir / "keys").ca_cert
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "sohoa-dev", "-t", "CT,C,C", "-i", str(ca)],
                   check=True)
    doc = sample_run.by_source("06_cong_van.pdf")
    out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(sample_run.out / doc["pdf"])],
                         capture_output=True, text=True).stdout
    assert "Signature is Valid" in out and "Certificate is Trusted" in out, out


def test_a_flipped_byte_breaks_the_signature(sample_run: Run) -> None:
    doc = sample_run.by_source("01_giay_khai_sinh.png")
    data = bytearray((sample_run.out / doc["pdf"]).read_bytes())
    data[len(data) // 3] ^= 0x01
    assert not verify_pdf(bytes(data), load_roots([dev_keys(sample_run.data_dir / "keys").ca_cert])).valid


class _PageCount(Reporter):
    def begin(self, total_pages: int) -> None:
        self.total = total_pages


def test_running_again_duplicates_nothing_and_reads_no_page_again(sample_run: Run, tmp_path: Path) -> None:
    again = batch_config(tmp_path / "again", sample_run.data_dir)
    pages = _PageCount()
    summary = process_batch([str(sample_run.scans)], again, pages)
    first_ids = sorted(d["id"] for d in sample_run.documents())
    second_ids = sorted(p.stem for p in (tmp_path / "again").glob("*.pdf"))
    assert summary.documents == 7 and first_ids == second_ids
    assert summary.reused_files == 6  # each file whose documents are all stored: those written out, nothing read
    assert pages.total == 1  # but the file that failed is tried again: its one (corrupt) page
    first = sample_run.summary
    assert (summary.pages, summary.blank_pages) == (first.pages, first.blank_pages)
    assert (summary.failed, summary.skipped, summary.rescan) == (first.failed, first.skipped, first.rescan)
    with Session(Catalog.migrated(again.database_url).engine) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 7


class _FailingStore(LocalStore):
    """A folder store whose disk fails when a document of a given file is stored."""

    def __init__(self, root: Path, failing_source: str) -> None:
        super().__init__(root)
        self.failing_source = failing_source

    def put(self, key: str, data: bytes, content_type: str, retention=None):
        if key.endswith(".json") and self.failing_source.encode() in data:
            raise OSError(28, "No space left on device")
        return super().put(key, data, content_type, retention)


def test_a_run_cut_short_keeps_the_files_it_finished(sample_run: Run, tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    for name in ("02_quyet_dinh.jpg", "04_ly_lich_nghieng.png"):
        shutil.copy(sample_run.scans / name, scans / name)
    config = replace(batch_config(tmp_path / "out", tmp_path / "data", jobs=1),
                     store=_FailingStore(tmp_path / "data/objects", "04_ly_lich_nghieng.png"))
    with pytest.raises(OSError, match="No space left"):
        process_batch([str(scans)], config)
    pdfs = list((tmp_path / "data/objects/docs/TEST").glob("*/v1.pdf"))
    stranded = [p for p in pdfs if not p.with_suffix(".json").exists()]
    assert len(pdfs) == 2 and len(stranded) == 1  # one signed PDF was stored (write-once), its record was not
    first_pdf = stranded[0].read_bytes()
    pages = _PageCount()
    again = process_batch([str(scans)], replace(config, store=None, out_dir=tmp_path / "again"), pages)
    assert again.documents == 2 and not again.failed
    assert again.reused_files == 1 and pages.total == 1  # only the file whose document was not stored is read again
    record = json.loads(stranded[0].with_suffix(".json").read_text(encoding="utf-8"))
    assert record["source"].endswith("04_ly_lich_nghieng.png")
    assert (tmp_path / "again" / f"{record['id']}.pdf").read_bytes() == first_pdf  # the PDF stored first is the one
    assert record["sha256"] == hashlib.sha256(first_pdf).hexdigest()
    assert verify_pdf(first_pdf, load_roots([dev_keys(tmp_path / "data/keys").ca_cert])).valid


def test_identical_files_are_processed_once(sample_run: Run, tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    shutil.copy(sample_run.scans / "01_giay_khai_sinh.png", scans / "a.png")
    shutil.copy(sample_run.scans / "01_giay_khai_sinh.png", scans / "b.png")
    summary = process_batch([str(scans)], batch_config(tmp_path / "out", sample_run.data_dir))
    assert summary.documents == 1
    assert summary.skipped == [{"source": f"{scans}/b.png", "reason": f"duplicate of {scans}/a.png (identical bytes)"}]


def test_results_carry_their_dossier_and_result_codes(sample_run: Run, tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    for name in ("02_quyet_dinh.jpg", "04_ly_lich_nghieng.png"):
        shutil.copy(sample_run.scans / name, scans / name)
    config = batch_config(tmp_path / "out", tmp_path / "data")
    manifest = Manifest(kind="result", agency="H40", agency_name="UBND xã An Hòa",
                        dossier_code="000.00.12.H40-240504-0001", procedure_code="1.001193")
    summary = process_batch([str(scans)], replace(config, manifest=manifest))
    assert summary.documents == 2 and not summary.failed
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "out").glob("*.json")
            if p.name != "summary.json"]
    assert {d["dossier_code"] for d in docs} == {"000.00.12.H40-240504-0001"}
    assert sorted(d["result_code"] for d in docs) == ["000.00.12.H40-240504-0001-KQ1",
                                                       "000.00.12.H40-240504-0001-KQ2"]
    found = search(Catalog(config.database_url), SearchQuery(number="000.00.12.h40-240504-0001-kq2"), actor="test")
    assert [item["result_code"] for item in found.items] == ["000.00.12.H40-240504-0001-KQ2"]
    later = tmp_path / "later"  # a result issued for the same dossier by a later batch numbers on
    later.mkdir()
    shutil.copy(sample_run.scans / "01_giay_khai_sinh.png", later)
    process_batch([str(later)], replace(config, manifest=manifest, out_dir=tmp_path / "out2"))
    third = json.loads(next(p for p in (tmp_path / "out2").glob("*.json") if p.name != "summary.json").read_text())
    assert third["result_code"] == "000.00.12.H40-240504-0001-KQ3"


@pytest.mark.parametrize("args, code", [(["no-such-folder"], 2), ([], 1)])
def test_cli_exit_status(sample_run: Run, tmp_path: Path, args: list[str], code: int) -> None:
    scans = sample_run.scans
    inputs = args or [str(scans / "07_giay_khai_sinh_2.png"), str(scans / "01_giay_khai_sinh.png")]
    sohoa = str(Path(sys.executable).parent / "sohoa")
    done = subprocess.run([sohoa, "process", *inputs, "--out", str(tmp_path / "o")], capture_output=True, text=True,
                          env={"SOHOA_DATA_DIR": str(sample_run.data_dir), "PATH": "/usr/bin:/bin"})
    assert done.returncode == code, done.stderr
    if code == 1:
        assert "07_giay_khai_sinh_2.png" in done.stderr and "truncated" in done.stderr


def test_summary_reports_understanding_and_signing_time(sample_run: Run) -> None:
    summary = json.loads((sample_run.out / "summary.json").read_text(encoding="utf-8"))
    assert 0 < summary["understanding_seconds"] < summary["seconds"]
    assert 0 < summary["signing_seconds"] < summary["seconds"] * sample_run.config.jobs


def test_another_agencys_papers_stay_its_own(sample_run: Run, tmp_path: Path) -> None:
    """The sample was digitized for agency TEST. The same files sent by agency KHAC, and the same page re-saved as
    another file, are reported as held by TEST: KHAC gets no count of documents it could not open."""
    data_dir = tmp_path / "data"
    shutil.copytree(sample_run.data_dir, data_dir)
    resaved = tmp_path / "resaved"
    resaved.mkdir()
    Image.open(sample_run.scans / "01_giay_khai_sinh.png").save(resaved / "khai-sinh.tif")  # same pixels, new bytes
    config = replace(batch_config(tmp_path / "out", data_dir), agency="KHAC")
    summary = process_batch([str(sample_run.scans), str(resaved)], config)
    held = [s["source"] for s in summary.skipped if s["reason"] == "already digitized for agency TEST: its "
                                                                     "documents stay that agency's"]
    assert len(held) == 7 and str(resaved / "khai-sinh.tif") in held  # six files whole, one by its page
    assert summary.documents == 0 and not list((tmp_path / "out").glob("*.pdf"))
    catalog = Catalog(config.database_url)
    assert search(catalog, SearchQuery(), actor="test", agencies=["KHAC"]).items == []
    assert catalog.agencies_of([d["id"] for d in sample_run.documents()]) == {"TEST"}
