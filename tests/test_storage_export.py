"""`sohoa export book`: a register book as one signed PDF per entry, an XLSX of the entries and SHA256SUMS, in a ZIP."""
from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from openpyxl import load_workbook
from signing_support import small_pdf
from sqlalchemy import select
from storage_documents import document, store_document
from typer.testing import CliRunner

from signing.devca import ensure_dev_keys
from signing.request import SignRequest
from signing.signer import SignerConfig, sign_pdf
from signing.verify import load_roots, verify_pdf
from sohoa.cli import app
from storage import audit
from storage.catalog import Catalog
from storage.export import BookNotFound, export_book
from storage.objects import LocalStore, ObjectChanged, ObjectStore
from storage.schema import AuditEvent

BOOK = "H40.01/birth/2017/02"
BIRTH_COLUMNS = ["registration_number", "registration_date", "full_name", "date_of_birth", "gender", "father_name",
                 "mother_name", "pdf", "doc_id", "version", "page"]


def entry(number: str, name: str, page: int | None) -> dict[str, Any]:
    found = {"registration_number": number, "registration_date": "2017-05-02", "full_name": name,
             "date_of_birth": "2017-04-20", "gender": "Nữ", "father_name": "TRẦN VĂN BA", "mother_name": "LÊ THỊ TƯ"}
    return found | ({"page": page} if page else {})


def register_page(doc_id: str, batch: str, records: list[dict[str, Any]], pages: int) -> dict[str, Any]:
    """A register document of ``pages`` shown pages and a blank one after the first (not in its PDF)."""
    record = document(doc_id, "birth_register_page", {}, records=records, batch=batch)
    shown = [{**record["pages"][0], "index": 1, "source_page": 1, "pdf_page": 1}]
    shown += [{**record["pages"][0], "index": n + 1, "source_page": n + 1, "pdf_page": n} for n in range(2, pages + 1)]
    record["pages"] = [shown[0], {**record["pages"][1], "pdf_page": None}, *shown[1:]]
    return record


@pytest.fixture
def signer(tmp_path: Path) -> SignerConfig:
    return SignerConfig(ensure_dev_keys(tmp_path / "keys").signer_p12)


def store_book(catalog: Catalog, store: ObjectStore, signer: SignerConfig) -> dict[str, bytes]:
    """Book H40.01/birth/2017/02: a one-page document (entries 12 and 2), a two-page one (3 on page 1, 5 and 4 on
    page 3, 1 and 3 being its shown pages), an older one whose entry has no page; a decision in the same batch and
    another book's page. Returns the signed PDFs by document id."""
    batch, other = "20240601T080000-book0002", "20240601T090000-book0003"
    catalog.start_batch(batch, "H40.01", "registry_book", {"kind": "registry_book", "agency_name": "UBND xã An Hòa",
                                                           "book": {"type": "birth", "year": 2017, "volume": "02"}})
    catalog.start_batch(other, "H40.01", "registry_book", {"book": {"type": "death", "year": 2017, "volume": "01"}})
    request = SignRequest(kind="registry_book", agency_name="UBND xã An Hòa")
    pdfs = {}
    for doc_id, pages, records, in_batch in (
            ("one-page", 1, [entry("12", "TRẦN THỊ MƯỜI HAI", 1), entry("2", "TRẦN THỊ HAI", 1)], batch),
            ("two-pages", 2, [entry("3", "TRẦN THỊ BA", 1), entry("5", "TRẦN THỊ NĂM", 3),
                              entry("4", "TRẦN THỊ BỐN", 3)], batch),
            ("legacy", 2, [entry("", "TRẦN VĂN KHÔNG SỐ", None)], batch),
            ("death-book", 1, [entry("1", "ĐẶNG VĂN MỘT", 1)], other)):
        pdfs[doc_id] = sign_pdf(small_pdf(f"SỔ ĐĂNG KÝ {doc_id}", pages=pages), signer, request)[0]
        store_document(catalog, store, register_page(doc_id, in_batch, records, pages), pdf_bytes=pdfs[doc_id])
    store_document(catalog, store, document("qd-1", "decision", {"document_number": "1/QĐ-UBND"}, batch=batch))
    return pdfs


def test_a_book_exports_signed_pdfs_a_spreadsheet_and_checksums(catalog: Catalog, tmp_path: Path,
                                                                 signer: SignerConfig) -> None:
    store = LocalStore(tmp_path / "objects")
    pdfs = store_book(catalog, store, signer)
    out = tmp_path / "book.zip"
    summary = export_book(catalog, store, BOOK, out, signer, actor="luu.tru")
    assert (summary.documents, summary.entries, summary.pdfs) == (3, 6, 6)
    assert (summary.stored, summary.extracts, summary.signed) == (3, 3, 2)  # page 3 is signed once for 5 and 4

    archive = zipfile.ZipFile(out)
    names = archive.namelist()
    files = ["2_one-page_p1.pdf", "3_two-pages_p1.pdf", "4_two-pages_p3.pdf", "5_two-pages_p3.pdf",
             "12_one-page_p1.pdf", "entry-1_legacy_p1-3.pdf"]
    assert sorted(names) == sorted([*files, "H40.01_birth_2017_02.xlsx", "manifest.json", "SHA256SUMS"])
    # the one-page document and the legacy entry (all its pages): the stored signed PDF, byte for byte
    assert archive.read("2_one-page_p1.pdf") == archive.read("12_one-page_p1.pdf") == pdfs["one-page"]
    assert archive.read("entry-1_legacy_p1-3.pdf") == pdfs["legacy"]
    roots = load_roots([tmp_path / "keys" / "dev-ca.pem"])
    source = pikepdf.open(io.BytesIO(pdfs["two-pages"]))
    for name, shown in (("3_two-pages_p1.pdf", 0), ("4_two-pages_p3.pdf", 1)):
        data = archive.read(name)
        report = verify_pdf(data, roots, name)
        assert report.valid and len(report.signatures) == 1 and report.signatures[0].coverage == "ENTIRE_FILE"
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert len(pdf.pages) == 1
            assert pdf.pages[0].Resources.XObject.Im0.read_raw_bytes() == \
                source.pages[shown].Resources.XObject.Im0.read_raw_bytes()
            meta = pdf.open_metadata()
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
            assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
    assert archive.read("5_two-pages_p3.pdf") == archive.read("4_two-pages_p3.pdf")
    assert verify_pdf(pdfs["one-page"], roots).valid

    sheet = load_workbook(io.BytesIO(archive.read("H40.01_birth_2017_02.xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == BIRTH_COLUMNS
    assert [r[0] for r in rows[1:]] == ["2", "3", "4", "5", "12", None]  # a missing number is an empty cell
    assert rows[1] == ("2", "2017-05-02", "TRẦN THỊ HAI", "2017-04-20", "Nữ", "TRẦN VĂN BA", "LÊ THỊ TƯ",
                       "2_one-page_p1.pdf", "one-page", 1, 1)
    assert [r[7] for r in rows[1:]] == files and rows[-1][-1] is None

    manifest = json.loads(archive.read("manifest.json"))
    assert (manifest["book"], manifest["entries"]) == (BOOK, 6)
    assert [d["id"] for d in manifest["documents"]] == ["legacy", "one-page", "two-pages"]
    origins = {p["file"]: p["origin"] for p in manifest["pdfs"]}
    assert origins["12_one-page_p1.pdf"] == "stored signed document" and origins["4_two-pages_p3.pdf"] == \
        "signed extract"
    archive.extractall(tmp_path / "unzipped")
    check = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=tmp_path / "unzipped",
                           capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.count(": OK") == len(names) - 1

    with catalog.engine.connect() as connection:
        event = connection.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert audit.verify(connection, store) == []
    assert (event.action, event.actor, event.subject) == ("export", "luu.tru", BOOK)
    assert json.loads(event.details)["sha256"] == summary.sha256


def test_an_unknown_book_is_an_error_and_leaves_no_file(tmp_path: Path, signer: SignerConfig) -> None:
    catalog, store = Catalog.migrated(f"sqlite:///{tmp_path / 'catalog.db'}"), LocalStore(tmp_path / "objects")
    store_book(catalog, store, signer)
    out = tmp_path / "out" / "book.zip"
    out.parent.mkdir()
    for unknown in ("H40.01/birth/2017/09", "H40.02/birth/2017/02"):
        with pytest.raises(BookNotFound, match=f"{unknown}.*H40.01/birth/2017/02, H40.01/death/2017/01"):
            export_book(catalog, store, unknown, out, signer, actor="luu.tru")
    assert list(out.parent.iterdir()) == []


def test_a_changed_stored_pdf_stops_the_export(tmp_path: Path, signer: SignerConfig) -> None:
    catalog, store = Catalog.migrated(f"sqlite:///{tmp_path / 'catalog.db'}"), LocalStore(tmp_path / "objects")
    store_book(catalog, store, signer)
    changed = tmp_path / "objects/docs/H40.01/two-pages/v1.pdf"
    changed.chmod(0o644)
    changed.write_bytes(changed.read_bytes() + b"\n")
    out = tmp_path / "out" / "book.zip"
    out.parent.mkdir()
    with pytest.raises(ObjectChanged, match="two-pages/v1.pdf does not hash"):
        export_book(catalog, store, BOOK, out, signer, actor="luu.tru")
    assert list(out.parent.iterdir()) == []


def test_the_cli_writes_the_zip_and_exits_1_for_an_unknown_book(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SOHOA_DATABASE_URL", raising=False)
    catalog = Catalog.migrated(f"sqlite:///{tmp_path / 'catalog.db'}")
    store_book(catalog, LocalStore(tmp_path / "objects"), SignerConfig(ensure_dev_keys(tmp_path / "keys").signer_p12))
    runner = CliRunner()
    result = runner.invoke(app, ["export", "book", BOOK, "--out", str(tmp_path / "book.zip"), "--actor", "luu.tru"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (f"{BOOK}: 6 entries, 6 PDFs: 3 stored signed documents, 3 extracts (2 pages "
                                     f"extracted and signed) -> {tmp_path / 'book.zip'}")
    assert zipfile.ZipFile(tmp_path / "book.zip").testzip() is None
    result = runner.invoke(app, ["export", "book", "H40.01/birth/2017/09", "--out", str(tmp_path / "none.zip")])
    assert result.exit_code == 1 and "no register pages of book 'H40.01/birth/2017/09'" in result.stderr
    assert not (tmp_path / "none.zip").exists()
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    catalog.engine.dispose()
