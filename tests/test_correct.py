"""Corrections: a reviewer's `sohoa correct` makes a new, re-signed version; the old one stays, and it is audited.

One real pipeline run (a scanned criminal-record certificate issued as a result, with its QR code) is corrected
through the library call and through the command line."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
from conftest import Run, batch_config
from signing_support import read_qr, small_pdf
from sqlalchemy import select
from storage_documents import document, store_document
from typer.testing import CliRunner

from ingest.manifest import Manifest
from ocr.corrections import BadCorrection, apply_corrections, parse_assignment
from signing.devca import dev_keys
from signing.signer import SignerConfig, sign_pdf
from signing.verify import load_roots, verify_pdf
from sohoa.cli import app
from storage import audit
from storage.catalog import Catalog
from storage.objects import LocalStore
from storage.rebuild import rebuild
from storage.retrieval import DocumentNotFound
from storage.schema import AuditEvent
from storage.search import SearchQuery, search
from workers.correct import correct_document
from workers.embedded import process_batch
from workers.record import DocumentRecord

DOSSIER = "000.00.12.H40-240504-0001"
NEW_ID = "001190031234"


@pytest.fixture(scope="module")
def result_run(sample_run: Run, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A data folder holding one stored result (a criminal-record certificate) and that result's JSON."""
    root = tmp_path_factory.mktemp("results")
    scans = root / "scans"
    scans.mkdir()
    shutil.copy(sample_run.scans / "04_ly_lich_nghieng.png", scans)
    manifest = Manifest(kind="result", agency="H40", agency_name="UBND xã An Hòa", dossier_code=DOSSIER,
                        procedure_code="2.000488")
    config = replace(batch_config(root / "out", root / "data"), manifest=manifest)
    summary = process_batch([str(scans)], config)
    assert summary.documents == 1, summary
    record = json.loads(next(p for p in (root / "out").glob("*.json") if p.name != "summary.json").read_text())
    return root / "data", record


@pytest.fixture
def data_dir(result_run: tuple[Path, dict], tmp_path: Path) -> Path:
    """A copy of the result run's data folder, for one test to change."""
    copy = tmp_path / "data"
    shutil.copytree(result_run[0], copy)
    return copy


def _open(data_dir: Path) -> tuple[Catalog, LocalStore]:
    return Catalog.migrated(f"sqlite:///{data_dir / 'catalog.db'}"), LocalStore(data_dir / "objects")


def _correct(data_dir: Path, doc_id: str, assignments: list[str], **options) -> dict:
    catalog, store = _open(data_dir)
    signer = batch_config(data_dir / "out", data_dir).signer
    return correct_document(catalog, store, doc_id, [parse_assignment(a) for a in assignments], signer=signer,
                            actor="reviewer-1", **options).to_json()


def test_correction_is_a_new_signed_version_and_the_old_one_stays(result_run: tuple[Path, dict],
                                                                   data_dir: Path, tmp_path: Path) -> None:
    first = result_run[1]
    assert first["doc_type"] == "criminal_record" and first["result_code"] == f"{DOSSIER}-KQ1"
    record = _correct(data_dir, first["id"], ["full_name=Trần Văn Hùng", f"personal_id={NEW_ID[:6]} {NEW_ID[6:]}",
                                              "date_of_birth=03/02/1990"], note="checked against the paper")
    assert record["version"] == 2
    assert record["fields"]["full_name"] == "Trần Văn Hùng" and record["fields"]["personal_id"] == NEW_ID
    assert record["fields"]["date_of_birth"] == "1990-02-03"
    assert record["result_code"] == first["result_code"] and record["dossier_code"] == DOSSIER
    assert record["retention"] == first["retention"] == {"class": "result", "until": None}  # no period configured
    history = record["corrections"][-1]
    assert history["by"] == "reviewer-1" and history["note"] == "checked against the paper"
    assert {c["target"] for c in history["changes"]} == {"full_name", "personal_id", "date_of_birth"}

    catalog, store = _open(data_dir)
    latest, old = catalog.document(first["id"]), catalog.document(first["id"], 1)
    assert latest.version == 2 and latest.latest and not old.latest
    assert old.record["fields"] == first["fields"]
    assert store.get(old.pdf_key) == store.get(f"docs/H40/{first['id']}/v1.pdf")
    assert json.loads(store.get(latest.json_key)) == record

    new_pdf = tmp_path / "v2.pdf"
    new_pdf.write_bytes(store.get(latest.pdf_key))
    roots = load_roots([dev_keys(data_dir / "keys").ca_cert])
    assert verify_pdf(new_pdf.read_bytes(), roots).valid
    assert verify_pdf(store.get(old.pdf_key), roots).valid
    assert json.loads(read_qr(new_pdf))["personal_id"] == NEW_ID
    with pikepdf.open(new_pdf) as new, pikepdf.open(data_dir / "objects" / old.pdf_key) as before:
        assert len(new.pages) == len(before.pages)
        # the page as made (scan and text layer) comes first; the signing update adds the QR code after it
        assert new.pages[0].Contents[0].read_bytes() == before.pages[0].Contents[0].read_bytes()

    found = search(catalog, SearchQuery(personal_id=NEW_ID), actor="officer")
    assert [(i["id"], i["version"]) for i in found.items] == [(first["id"], 2)]
    with catalog.engine.connect() as connection:
        actions = connection.execute(select(AuditEvent.action, AuditEvent.actor, AuditEvent.subject)
                                     .order_by(AuditEvent.seq.desc()).limit(3)).all()
        assert actions[1:] == [("signing", "reviewer-1", f"{first['id']} v2"),
                               ("correction", "reviewer-1", f"{first['id']} v2")]
        assert audit.verify(connection, store) == []


def test_bad_corrections_are_refused_and_nothing_is_stored(result_run: tuple[Path, dict], data_dir: Path) -> None:
    doc_id = result_run[1]["id"]
    for assignments, message in ((["husband_name=X"], "'husband_name' is not a field of criminal_record"),
                                 (["issue_date=31/02/2020"], "issue_date: '31/02/2020' is not a date"),
                                 (["personal_id=12345"], "personal_id: '12345' is not 12 digits"),
                                 (["full_name"], "expected FIELD=VALUE"),
                                 ([f"full_name={result_run[1]['fields']['full_name']}"], "change nothing")):
        with pytest.raises(BadCorrection, match=message):
            _correct(data_dir, doc_id, assignments)
    with pytest.raises(DocumentNotFound):
        _correct(data_dir, doc_id, ["full_name=A"], agencies=["OTHER"])
    assert _open(data_dir)[0].document(doc_id).version == 1


def test_a_correction_cut_short_leaves_its_version_unused(result_run: tuple[Path, dict], data_dir: Path) -> None:
    doc_id = result_run[1]["id"]
    catalog, store = _open(data_dir)
    store.put(f"docs/H40/{doc_id}/v2.pdf", b"%PDF-1.7 signed, then the disk filled up", "application/pdf")
    assert _correct(data_dir, doc_id, ["place_of_birth=Hà Nội"])["version"] == 3
    assert catalog.document(doc_id).version == 3 and catalog.document(doc_id, 2) is None


def test_cli_correct_writes_the_new_pdf(result_run: tuple[Path, dict], data_dir: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA_DIR", str(data_dir))
    doc_id = result_run[1]["id"]
    runner = CliRunner()
    done = runner.invoke(app, ["correct", doc_id, "--set", "place_of_birth=Hà Nội", "--actor", "reviewer-2",
                               "--out", str(tmp_path / "new.pdf")])
    assert done.exit_code == 0, done.output
    assert "v2 stored" in done.output and "place_of_birth" in done.output
    assert verify_pdf((tmp_path / "new.pdf").read_bytes(), load_roots([dev_keys(data_dir / "keys").ca_cert])).valid
    refused = runner.invoke(app, ["correct", doc_id, "--set", "gender=maybe"])
    assert refused.exit_code == 2 and "not a field of criminal_record" in refused.output
    assert _open(data_dir)[0].document(doc_id).record["fields"]["place_of_birth"] == "Hà Nội"


def test_register_entries_and_document_type_can_be_corrected() -> None:
    records = [{"registration_number": "12", "full_name": "LÊ VĂN TÁM", "date_of_death": "2019-03-02", "page": 1}]
    corrected = apply_corrections("death_register_page", {}, records,
                                  [("records.1.full_name", "LÊ VĂN TÂM"), ("records.1.registration_date", "")])
    assert corrected.records[0]["full_name"] == "LÊ VĂN TÂM" and records[0]["full_name"] == "LÊ VĂN TÁM"
    assert [c.target for c in corrected.changes] == ["records.1.full_name"]  # an absent field removed: no change
    assert "entry 1 (12): " not in " ".join(corrected.review_reasons)
    with pytest.raises(BadCorrection, match="records.2: the page has 1 entries"):
        apply_corrections("death_register_page", {}, records, [("records.2.full_name", "X")])
    retyped = apply_corrections("decision", {"document_number": "12/QĐ-UBND", "subject": "V/v cấp phép"}, [],
                                [("doc_type", "official_letter")])
    assert retyped.doc_type == "official_letter" and retyped.fields["document_number"] == "12/QĐ-UBND"
    to_birth = apply_corrections("decision", {"document_number": "12/QĐ-UBND"}, [],
                                 [("doc_type", "birth_certificate"), ("full_name", "NGUYỄN AN")])
    assert to_birth.fields == {"full_name": "NGUYỄN AN"}
    assert {"required field not found: date_of_birth", "required field not found: registration_date"} <= set(
        to_birth.review_reasons)


def test_corrected_versions_on_either_catalog_survive_a_rebuild(catalog: Catalog, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects")
    signer = batch_config(tmp_path / "out", tmp_path).signer
    record = document("kh-1", "marriage_certificate", {"husband_name": "NGUYỄN VĂN AN", "wife_name": "LÊ THỊ HOA",
                                                       "registration_date": "2016-10-02"})
    store_document(catalog, store, record, pdf_bytes=sign_pdf(small_pdf("GIẤY CHỨNG NHẬN KẾT HÔN"), signer)[0])
    correct_document(catalog, store, "kh-1", [("wife_name", "LÊ THỊ HOÀ")], signer=signer, actor="reviewer-3")
    correct_document(catalog, store, "kh-1", [("registration_number", "45")], signer=signer, actor="reviewer-3")
    for _ in range(2):  # as stored, then as rebuilt from the object store alone
        assert [catalog.document("kh-1", v).latest for v in (1, 2, 3)] == [False, False, True]
        found = search(catalog, SearchQuery(name="le thi hoa"), actor="officer")
        assert [(i["id"], i["version"], i["fields"]["wife_name"]) for i in found.items] == [("kh-1", 3, "LÊ THỊ HOÀ")]
        assert [c["changes"][0]["target"] for c in catalog.document("kh-1").record["corrections"]] == [
            "wife_name", "registration_number"]
        rebuild(catalog, store, actor="archivist")


def _doubted_marriage(catalog: Catalog, store: LocalStore, signer: SignerConfig) -> None:
    """A signed marriage certificate whose husband's ID starts with no province's code (right, as it happens: the
    reviewer checks the paper) and whose wife's name was read with low confidence."""
    record = document("kh-2", "marriage_certificate", {
        "husband_name": "NGUYỄN VĂN AN", "husband_personal_id": "205090012345", "wife_name": "LÊ THỊ HOA",
        "registration_date": "2016-10-02"})
    del record["needs_review"], record["review_reasons"]
    record["doubts"] = [
        {"target": "husband_personal_id", "reason": "personal ID 205090012345 starts with 205, which is no province's"
                                                    " code"},
        {"target": "wife_name", "reason": "wife_name: read with low confidence (41%): 'LÊ THỊ HOA'"}]
    store_document(catalog, store, DocumentRecord.model_validate(record).to_json(),
                   pdf_bytes=sign_pdf(small_pdf("GIẤY CHỨNG NHẬN KẾT HÔN"), signer)[0])


def test_a_right_value_in_doubt_is_confirmed_and_stays_confirmed_until_changed(catalog: Catalog,
                                                                               tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects")
    signer = batch_config(tmp_path / "out", tmp_path).signer
    _doubted_marriage(catalog, store, signer)
    assert catalog.document("kh-2").needs_review
    with pytest.raises(BadCorrection, match="registration_date: nothing to confirm"):
        correct_document(catalog, store, "kh-2", [], confirm=["registration_date"], signer=signer, actor="r")
    with pytest.raises(BadCorrection, match="change nothing"):
        correct_document(catalog, store, "kh-2", [], signer=signer, actor="r")
    confirmed = correct_document(catalog, store, "kh-2", [], confirm=["husband_personal_id"], signer=signer,
                                 actor="reviewer-4", note="checked against the paper")
    assert confirmed.version == 2 and not confirmed.needs_review and confirmed.fields["husband_personal_id"]
    assert confirmed.corrections[-1].confirmed == ["husband_personal_id"] and confirmed.corrections[-1].changes == []
    assert not catalog.document("kh-2").needs_review  # out of the review queue
    assert search(catalog, SearchQuery(needs_review=True), actor="r").items == []
    later = correct_document(catalog, store, "kh-2", [("registration_number", "45")], signer=signer, actor="r")
    assert not later.needs_review  # still confirmed
    changed = correct_document(catalog, store, "kh-2", [("husband_personal_id", "205090099999")], signer=signer,
                               actor="r")
    assert [d.target for d in changed.doubts] == ["husband_personal_id"]  # a new value is in doubt again
    assert verify_pdf(store.get(catalog.document("kh-2").pdf_key), load_roots([dev_keys(tmp_path / "keys").ca_cert]))
    with catalog.engine.connect() as connection:
        details = json.loads(connection.scalar(select(AuditEvent.details).where(
            AuditEvent.action == "correction", AuditEvent.subject == "kh-2 v2")))
        assert details["confirmed"] == ["husband_personal_id"] and details["changed"] == []


def test_a_register_page_is_keyed_in_whole() -> None:
    records = [{"registration_number": "12", "full_name": "LÊ VĂN TÁM", "date_of_death": "2019-03-02", "page": 1}]
    keyed = apply_corrections("death_register_page", {}, records, [], entries=[
        {"registration_number": "12", "registration_date": "05/03/2019", "full_name": "LÊ VĂN TÂM",
         "date_of_death": "02/03/2019", "page": 1},
        {"registration_number": "", "full_name": "", "page": 1},  # an empty row of the grid
        {"registration_number": "13", "registration_date": "2019-03-09", "full_name": "ĐỖ THỊ HOA",
         "date_of_death": "2019-03-08", "page": 1}])
    assert keyed.records == [
        {"registration_number": "12", "registration_date": "2019-03-05", "full_name": "LÊ VĂN TÂM",
         "date_of_death": "2019-03-02", "page": 1},
        {"registration_number": "13", "registration_date": "2019-03-09", "full_name": "ĐỖ THỊ HOA",
         "date_of_death": "2019-03-08", "page": 1}]
    assert {c.target for c in keyed.changes} == {"records.1.registration_date", "records.1.full_name",
                                                 "records.2.registration_number", "records.2.registration_date",
                                                 "records.2.full_name", "records.2.date_of_death"}
    assert keyed.doubts == []
    for entry, message in (({"registration_date": "31/02/2019"}, "records.1.registration_date: '31/02/2019' is not"),
                           ({"gender": "Nam"}, "'gender' is not a field of a death_register_page entry"),
                           ({"full_name": "A", "page": 0}, "records.1.page: 0 is not a page number")):
        with pytest.raises(BadCorrection, match=message):
            apply_corrections("death_register_page", {}, records, [], entries=[entry])
    with pytest.raises(BadCorrection, match="a decision has no register entries"):
        apply_corrections("decision", {}, [], [], entries=[{"full_name": "A"}])


def test_cli_confirms_a_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SOHOA_DATABASE_URL", raising=False)
    catalog, store = Catalog.migrated(f"sqlite:///{tmp_path / 'catalog.db'}"), LocalStore(tmp_path / "objects")
    _doubted_marriage(catalog, store, batch_config(tmp_path / "out", tmp_path).signer)
    done = CliRunner().invoke(app, ["correct", "kh-2", "--confirm", "husband_personal_id", "--confirm", "wife_name"])
    assert done.exit_code == 0, done.output
    assert "confirmed: husband_personal_id, wife_name" in done.output and "v2 stored" in done.output
    assert not catalog.document("kh-2").needs_review
    nothing = CliRunner().invoke(app, ["correct", "kh-2"])
    assert nothing.exit_code == 2 and "nothing to do" in nothing.output
