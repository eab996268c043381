"""The read side of the HTTP API for real: a uvicorn server on loopback over a catalog and a local object store holding
the sample documents and really signed PDFs; tokens of users of each role. Search answers what `sohoa search --format
json` prints, documents of other agencies are not there, PDFs leave checked and audited, uploads are verified."""
from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pikepdf
import pytest
from api_support import bearer, env_settings, serve_in_thread
from openpyxl import load_workbook
from PIL import Image
from signing_support import small_pdf
from sqlalchemy import select
from storage_backends import StoreUnderTest
from storage_documents import AN_ID, document, store_document, store_sample
from typer.testing import CliRunner

from signing.devca import SIGNER_NAME
from signing.signer import SignerConfig, sign_pdf
from signing.verify import verify_pdf
from sohoa.api.routers import verify as verify_router
from sohoa.cli import app
from sohoa.settings import Settings
from storage import audit
from storage.catalog import Catalog
from storage.objects import ObjectStore
from storage.schema import AuditEvent
from workers.record import DocumentRecord

ROLES = {"officer": ("can.bo.tinh", "officer", None), "an_hoa": ("can.bo.an.hoa", "officer", ["H40.01"]),
         "reviewer": ("nguoi.duyet", "reviewer", None), "archivist": ("luu.tru.h4002", "archivist", ["H40.02"]),
         "scanner": ("to.scan", "scanner", None), "admin": ("quan.tri", "admin", None)}
BATCH = "20240505T090000-H4001"


@dataclass
class Api:
    url: str
    settings: Settings
    catalog: Catalog
    store: ObjectStore
    headers: dict[str, dict[str, str]]
    signed: bytes  # the signed PDF of "kh-ky"

    def get(self, path: str, who: str | None = None, **params: object) -> httpx.Response:
        return httpx.get(self.url + path, params=params, headers=self.headers.get(who or "", {}), timeout=30)

    def verify(self, data: bytes, who: str = "scanner", name: str = "ban-sao.pdf") -> httpx.Response:
        return httpx.post(f"{self.url}/api/verify", files={"file": (name, data, "application/pdf")},
                          headers=self.headers[who], timeout=30)

    def damage(self, key: str) -> None:
        StoreUnderTest("local", self.store, root=self.settings.objects_dir).flip_byte(key)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The sample documents (two agencies), a really signed marriage certificate "kh-ky" in two versions, two signed
    documents whose stored objects are damaged later, and a user of each role."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = env_settings(tmp_path_factory.mktemp("api-data"), monkeypatch)
        catalog, store = Catalog.migrated(settings.database_url), settings.object_store()
        signer = SignerConfig(settings.development_keys().signer_p12)
        store_sample(catalog, store)
        catalog.start_batch(BATCH, "H40.01", "result", {"agency": "H40.01"})
        signed = {}
        for doc_id, version in (("kh-ky", 1), ("kh-ky", 2), ("pdf-hong", 1), ("json-hong", 1)):
            signed[doc_id] = sign_pdf(small_pdf("GIẤY CHỨNG NHẬN KẾT HÔN"), signer)[0]
            store_document(catalog, store, document(doc_id, "marriage_certificate", {
                "husband_name": "NGUYỄN VĂN AN", "wife_name": "LÊ THỊ HOA" if version == 1 else "LÊ THỊ HOÀ",
                "registration_date": "2016-10-02"}, batch=BATCH, version=version), pdf_bytes=signed[doc_id])
        catalog.finish_batch(BATCH, "done", {"documents": 3})
        headers = {who: bearer(settings, *user) for who, user in ROLES.items()}
        headers["forged"] = {"Authorization": "Bearer not-a-token"}
        with serve_in_thread(settings) as url:
            yield Api(url, settings, catalog, store, headers, signed["kh-ky"])


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_call_needs_a_valid_token(api: Api) -> None:
    for who in (None, "forged"):
        for path in ("/api/documents", "/api/documents/bc-an", "/api/documents/bc-an/pdf", "/api/reports/progress"):
            reply = api.get(path, who)
            assert reply.status_code == 401 and reply.headers["www-authenticate"] == "Bearer", (path, reply.text)
        upload = httpx.post(f"{api.url}/api/verify", files={"file": ("a.pdf", api.signed)},
                            headers=api.headers.get(who or "", {}))
        assert upload.status_code == 401


def test_each_call_is_for_its_roles(api: Api) -> None:
    for who, path in (("scanner", "/api/documents"), ("scanner", "/api/documents/bc-an"),
                      ("reviewer", "/api/documents/kh-ky/pdf"), ("archivist", "/api/documents/kh-ky/pdf"),
                      ("officer", "/api/reports/progress")):
        reply = api.get(path, who)
        assert reply.status_code == 403 and f"a {ROLES[who][1]} may not" in reply.json()["detail"], (who, path)
    assert api.get("/api/documents/kh-ky/pdf", "admin").content == api.signed
    for who in ("officer", "reviewer", "archivist", "admin"):
        assert api.get("/api/documents", who).status_code == 200


def test_a_document_of_another_agency_is_not_there(api: Api) -> None:
    assert api.get("/api/documents/cccd-an", "officer").status_code == 200
    for doc_id in ("cccd-an", "qd-1816"):  # H40.02's
        for path in (f"/api/documents/{doc_id}", f"/api/documents/{doc_id}/pdf"):
            reply = api.get(path, "an_hoa")
            assert reply.status_code == 404 and reply.json() == {"detail": f"no document {doc_id}"}
    assert api.get("/api/documents/khong-co", "an_hoa").json() == {"detail": "no document khong-co"}
    found = api.get("/api/documents", "an_hoa", name="nguyen van an", limit=100).json()["items"]
    assert {i["agency"] for i in found} == {"H40.01"} and "cccd-an" not in {i["id"] for i in found}
    assert api.get("/api/documents", "an_hoa", agency="H40.02").json() == {"items": [], "next": None}
    assert [i["id"] for i in api.get("/api/documents", "archivist", q="nguyen van an").json()["items"]] == ["cccd-an"]


@pytest.mark.parametrize(("params", "args"), [
    ({"q": "nguyen van an"}, ["nguyen van an"]),
    ({"personal_id": AN_ID}, ["--personal-id", AN_ID]),
    ({"name": "le thi hoa", "doc_type": "marriage_certificate"}, ["--name", "le thi hoa", "--type",
                                                                  "marriage_certificate"]),
    ({"date_from": "2024-01-01", "number": "245/UBND-VP"}, ["--date-from", "2024-01-01", "--number", "245/UBND-VP"]),
])
def test_search_answers_what_the_cli_prints(api: Api, params: dict[str, str], args: list[str]) -> None:
    assert api.get("/api/documents", "officer", **params).json() == cli_json("search", *args)
    scoped = api.get("/api/documents", "an_hoa", **params).json()
    assert scoped == cli_json("search", *args, "--agency", "H40.01")
    assert all(item["agency"] == "H40.01" for item in scoped["items"])


def test_pages_follow_the_cursor(api: Api) -> None:
    everything = [i["id"] for i in api.get("/api/documents", "officer", limit=100).json()["items"]]
    seen, cursor = [], None
    while True:
        page = api.get("/api/documents", "officer", limit=3, **({"cursor": cursor} if cursor else {})).json()
        assert page == cli_json("search", "--limit", "3", *(["--cursor", cursor] if cursor else []))
        seen += [item["id"] for item in page["items"]]
        if not (cursor := page["next"]):
            break
    assert seen == everything and len(set(seen)) == len(seen) > 6
    other = api.get("/api/documents", "officer", doc_type="decision", cursor=api.get(
        "/api/documents", "officer", limit=2).json()["next"])
    assert other.status_code == 400 and other.json() == {"detail": "the cursor belongs to another list"}
    assert api.get("/api/documents", "officer", cursor="rubbish").status_code == 400
    assert {api.get("/api/documents", "officer", limit=n).status_code for n in (0, 101)} == {422}


def test_a_document_is_its_stored_json_with_page_texts(api: Api) -> None:
    reply = api.get("/api/documents/bc-an", "reviewer")
    assert reply.status_code == 200
    record = reply.json()
    assert record == json.loads(api.store.get(api.catalog.document("bc-an").json_key))
    assert record["pages"][0]["text"].startswith("GIẤY KHAI SINH\nHọ, chữ đệm, tên: NGUYỄN VĂN AN")
    assert record["fields"]["personal_id"] == AN_ID and record["sha256"] == api.catalog.document("bc-an").sha256
    assert api.get("/api/documents/kh-ky", "reviewer").json()["fields"]["wife_name"] == "LÊ THỊ HOÀ"
    first = api.get("/api/documents/kh-ky", "reviewer", version=1).json()
    assert (first["version"], first["fields"]["wife_name"]) == (1, "LÊ THỊ HOA")
    assert api.get("/api/documents/kh-ky", "reviewer", version=3).json() == {"detail": "no document kh-ky version 3"}


def test_the_pdf_is_the_stored_signed_one(api: Api) -> None:
    reply = api.get("/api/documents/kh-ky/pdf", "officer")
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/pdf"
    assert reply.headers["content-disposition"] == 'attachment; filename="kh-ky-v2.pdf"'
    assert reply.content == api.store.get(api.catalog.document("kh-ky").pdf_key) == api.signed
    assert verify_pdf(reply.content, api.settings.trusted_roots()).valid
    first = api.get("/api/documents/kh-ky/pdf", "officer", version=1)
    assert first.headers["content-disposition"] == 'attachment; filename="kh-ky-v1.pdf"'
    assert first.content == api.store.get(api.catalog.document("kh-ky", 1).pdf_key) != api.signed


def test_a_damaged_stored_object_is_not_served(api: Api) -> None:
    for doc_id, path, key in (("pdf-hong", "/api/documents/pdf-hong/pdf", "docs/H40.01/pdf-hong/v1.pdf"),
                              ("json-hong", "/api/documents/json-hong", "docs/H40.01/json-hong/v1.json")):
        assert api.get(path, "officer").status_code == 200
        api.damage(key)
        reply = api.get(path, "officer")
        assert reply.status_code == 500 and reply.headers["content-type"] == "application/json", reply.text
        assert reply.json() == {"detail": f"document {doc_id} could not be served: {key} does not hash to what the "
                                          "catalog recorded: it was changed; an archivist should run `sohoa fixity`"}
    assert b"%PDF" not in reply.content


def test_an_uploaded_pdf_is_verified_as_the_cli_does(api: Api) -> None:
    reply = api.verify(api.signed)
    assert reply.status_code == 200
    report = reply.json()
    assert report["valid"] is True and report["file"] == "ban-sao.pdf" and report["error"] is None
    assert report["signatures"][0]["signer"] == SIGNER_NAME
    tampered = bytearray(api.signed)
    tampered[len(tampered) // 3] ^= 0x01  # in the signed bytes
    report = api.verify(bytes(tampered), "officer").json()
    assert report["valid"] is False and report["signatures"][0]["intact"] is False
    report = api.verify(b"not a pdf at all", "archivist", "ghi-chu.txt").json()
    assert report["valid"] is False and report["error"].startswith("not a readable PDF")
    assert verify_pdf(api.signed, api.settings.trusted_roots(), "ban-sao.pdf",
                      api.settings.verify_crls()).to_dict() == api.verify(api.signed).json()


def test_an_upload_needs_its_file_and_a_bounded_size(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong_field = httpx.post(f"{api.url}/api/verify", files={"pdf": ("a.pdf", api.signed)},
                             headers=api.headers["officer"])
    assert wrong_field.status_code == 422 and "`file`" in wrong_field.json()["detail"]
    monkeypatch.setattr(verify_router, "MAX_UPLOAD_BYTES", len(api.signed) // 2)
    too_big = api.verify(api.signed)
    assert too_big.status_code == 413 and "at most" in too_big.json()["detail"]
    chunked = httpx.post(f"{api.url}/api/verify", content=iter([b"--x\r\n"]), headers={
        **api.headers["officer"], "Content-Type": "multipart/form-data; boundary=x"})
    assert chunked.status_code == 411


def test_progress_is_reported_over_the_callers_agencies(api: Api) -> None:
    scoped = api.get("/api/reports/progress", "archivist").json()
    assert scoped == cli_json("report", "--agency", "H40.02")
    assert {row["agency"] for row in scoped["rows"]} == {"H40.02"} and scoped["total"]["documents"] == 2
    everything = api.get("/api/reports/progress", "admin").json()
    assert everything == cli_json("report") and everything["total"]["documents"] == 11


def test_reads_are_audited_under_the_callers_name(api: Api) -> None:
    api.get("/api/documents", "an_hoa", personal_id=AN_ID)
    api.get("/api/documents/bc-an", "an_hoa")
    api.get("/api/documents/kh-ky/pdf", "an_hoa")
    with api.catalog.engine.connect() as connection:
        events = connection.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(3)).all()
        assert audit.verify(connection, api.store) == []
    assert [(e.actor, e.action, e.subject) for e in reversed(events)] == [
        ("can.bo.an.hoa", "search", ""), ("can.bo.an.hoa", "view", "bc-an v1"),
        ("can.bo.an.hoa", "download", "kh-ky v2")]
    search_details = json.loads(events[2].details)
    assert search_details["query"] == {"personal_id": AN_ID} and search_details["agencies"] == ["H40.01"]
    assert json.loads(events[0].details)["sha256"] == api.catalog.document("kh-ky").sha256


def test_a_page_is_shown_as_its_signed_pdf_prints_it(api: Api) -> None:
    reply = api.get("/api/documents/kh-ky/pages/1.png", "reviewer", dpi=72)
    assert reply.status_code == 200 and reply.headers["content-type"] == "image/png"
    with pikepdf.open(io.BytesIO(api.signed)) as pdf:
        box = [float(v) for v in pdf.pages[0].mediabox]
    assert Image.open(io.BytesIO(reply.content)).size == (math.ceil(box[2] - box[0]), math.ceil(box[3] - box[1]))
    again = httpx.get(f"{api.url}/api/documents/kh-ky/pages/1.png", params={"dpi": 72}, timeout=30,
                      headers={**api.headers["reviewer"], "If-None-Match": reply.headers["etag"]})
    assert again.status_code == 304 and not again.content
    assert api.get("/api/documents/kh-ky/pages/1.png", "officer").headers["etag"] != reply.headers["etag"]  # 110 dpi
    for path, who, words in (("/api/documents/kh-ky/pages/2.png", "officer", "is blank"),
                             ("/api/documents/kh-ky/pages/3.png", "officer", "has 2 pages"),
                             ("/api/documents/kh-ky/pages/1.png", "archivist", "no document kh-ky")):  # H40.02's
        refused = api.get(path, who)
        assert refused.status_code == 404 and words in refused.json()["detail"]
    assert api.get("/api/documents/kh-ky/pages/1.png", "scanner").status_code == 403
    with api.catalog.engine.connect() as connection:
        event = connection.execute(select(AuditEvent).where(AuditEvent.action == "view")
                                   .order_by(AuditEvent.seq.desc())).first()
        assert event.actor == "can.bo.tinh" and json.loads(event.details)["page"] == 1


def test_a_reviewer_corrects_and_confirms_over_the_api(api: Api) -> None:
    signer = SignerConfig(api.settings.development_keys().signer_p12)
    record = document("kh-sua", "marriage_certificate", {"husband_name": "NGUYỄN VĂN AN", "wife_name": "LÊ THI HOA",
                                                         "wife_personal_id": "205092054321",
                                                         "registration_date": "2016-10-02"}, batch=BATCH)
    del record["needs_review"], record["review_reasons"]
    record["doubts"] = [{"target": "wife_personal_id", "reason": "personal ID 205092054321 starts with 205, which is "
                                                                 "no province's code"}]
    store_document(api.catalog, api.store, DocumentRecord.model_validate(record).to_json(),
                   pdf_bytes=sign_pdf(small_pdf("GIẤY CHỨNG NHẬN KẾT HÔN"), signer)[0])

    def post(body: dict, who: str = "reviewer") -> httpx.Response:
        return httpx.post(f"{api.url}/api/documents/kh-sua/corrections", json=body, headers=api.headers[who],
                          timeout=60)

    made = post({"set": {"wife_name": "LÊ THỊ HOA"}, "confirm": ["wife_personal_id"], "note": "đối chiếu bản giấy"})
    assert made.status_code == 201, made.text
    new = made.json()
    assert new["version"] == 2 and new["fields"]["wife_name"] == "LÊ THỊ HOA" and not new["needs_review"]
    assert new["corrections"][-1] == {"version": 2, "by": "nguoi.duyet", "at": new["corrections"][-1]["at"],
                                      "note": "đối chiếu bản giấy", "confirmed": ["wife_personal_id"],
                                      "changes": [{"target": "wife_name", "old": "LÊ THI HOA", "new": "LÊ THỊ HOA"}]}
    assert api.get("/api/documents/kh-sua", "officer").json() == new
    assert verify_pdf(api.get("/api/documents/kh-sua/pdf", "officer").content,
                      api.settings.trusted_roots()).valid
    assert post({"set": {"wife_name": "X"}}, "officer").status_code == 403
    assert post({"set": {"wife_name": "X"}}, "forged").status_code == 401
    assert post({"set": {"wife_name": "X"}}, "archivist").status_code == 403
    refused = post({"set": {"registration_date": "31/02/2016"}})
    assert refused.status_code == 422 and "is not a date" in refused.json()["detail"]
    assert post({"confirm": ["wife_name"]}).json()["detail"] == "wife_name: nothing to confirm, it is not in doubt"
    assert post({"set": {}, "kind": "x"}).status_code == 422  # unknown keys are refused
    assert httpx.post(f"{api.url}/api/documents/kh-ky/corrections", json={"set": {"wife_name": "X"}}, timeout=30,
                      headers=api.headers["an_hoa"]).status_code == 403  # an officer, whatever its agency
    assert api.catalog.document("kh-sua").version == 2


# What the officer's pages call (added with them).

def test_the_lookup_reads_one_query_and_searches_as_the_api_does(api: Api) -> None:
    for q, read_as, value, params in (
            (AN_ID, "personal_id", AN_ID, {"personal_id": AN_ID}),
            ("0010.9001.2345", "personal_id", AN_ID, {"personal_id": AN_ID}),
            ("245/ubnd-vp", "number", "245/ubnd-vp", {"number": "245/ubnd-vp"}),
            ("nguyen van an", "text", "nguyen van an", {"q": "nguyen van an"}),
            ("15/03/1990", "text", "15/03/1990", {"q": "15/03/1990"})):
        found = api.get("/api/documents/lookup", "officer", q=q).json()
        assert (found["read_as"], found["value"]) == (read_as, value), q
        assert found["items"] == api.get("/api/documents", "officer", **params).json()["items"] != [], q
    overruled = api.get("/api/documents/lookup", "officer", q="245/UBND-VP", read_as="text").json()
    assert overruled["read_as"] == "text" and [i["id"] for i in overruled["items"]] == ["cv-245"]
    typed = api.get("/api/documents/lookup", "an_hoa", q="nguyen", doc_type="birth_certificate").json()
    assert {i["id"] for i in typed["items"]} == {"bc-an", "bc-khoi"}
    assert api.get("/api/documents/lookup", "officer", q="nguyen", needs_review="true").json()["items"] == []
    assert api.get("/api/documents", "officer", needs_review="false", limit=100).json() == api.get(
        "/api/documents", "officer", limit=100).json()  # nobody needs to review the sample
    assert api.get("/api/documents/lookup", "scanner", q="nguyen").status_code == 403
    assert api.get("/api/documents/lookup", None, q="nguyen").status_code == 401


def test_a_citizens_documents_are_found_from_the_personal_id(api: Api) -> None:
    reply = api.get(f"/api/documents/reuse/{AN_ID}", "officer")
    assert reply.status_code == 200
    person = reply.json()
    printed = cli_json("reuse", AN_ID)
    assert (person["names"], person["dates_of_birth"]) == (printed["names"], printed["dates_of_birth"])
    for group in ("documents", "register_entries", "as_parent"):
        assert [(h["role"], h["match"], h["document"]["id"], h.get("entry")) for h in person[group]] == [
            (h["role"], h["match"], h["document"]["id"], h.get("entry")) for h in printed[group]], group
    assert {(h["role"], h["document"]["id"]) for h in person["documents"]} >= {("subject", "bc-an"),
                                                                               ("husband", "kh-an-hoa")}
    assert [(h["document"]["id"], h["entry"], h["match"]) for h in person["register_entries"]] == [
        ("so-ks-1990", 1, "name_and_date_of_birth")]  # entry 2 is another NGUYỄN VĂN AN, born 1985
    assert ("father", "bc-khoi") in {(h["role"], h["document"]["id"]) for h in person["as_parent"]}
    scoped = api.get(f"/api/documents/reuse/{AN_ID}", "an_hoa").json()
    assert "cccd-an" not in {h["document"]["id"] for h in scoped["documents"]}  # H40.02's
    assert api.get("/api/documents/reuse/12345", "officer").status_code == 422
    assert api.get(f"/api/documents/reuse/{AN_ID}", "scanner").status_code == 403


def test_versions_and_the_stored_signature_are_reported(api: Api) -> None:
    history = api.get("/api/documents/kh-ky/versions", "reviewer").json()
    assert history["id"] == "kh-ky"
    assert [(v["version"], v["latest"], v["correction"]) for v in history["versions"]] == [(1, False, None),
                                                                                            (2, True, None)]
    assert history["versions"][1]["sha256"] == api.catalog.document("kh-ky").sha256
    if api.catalog.document("kh-sua"):  # corrected over the API above: the correction says who, what and why
        made = api.get("/api/documents/kh-sua/versions", "officer").json()["versions"][-1]["correction"]
        assert made["by"] == "nguoi.duyet" and made["changes"][0]["target"] == "wife_name"
    report = api.get("/api/documents/kh-ky/signature", "archivist")
    assert report.status_code == 404  # H40.02's archivist: kh-ky is H40.01's
    report = api.get("/api/documents/kh-ky/signature", "officer").json()
    assert report["valid"] is True and report["signatures"][0]["signer"] == SIGNER_NAME
    assert report == verify_pdf(api.signed, api.settings.trusted_roots(), "kh-ky-v2.pdf",
                                api.settings.verify_crls()).to_dict()
    assert api.get("/api/documents/kh-ky/signature", "officer", version=1).json()["file"] == "kh-ky-v1.pdf"
    unsigned = api.get("/api/documents/bc-an/signature", "reviewer").json()  # the sample's stand-in PDFs
    assert unsigned["valid"] is False and unsigned["error"]
    assert api.get("/api/documents/khong-co/versions", "officer").status_code == 404
    with api.catalog.engine.connect() as connection:
        event = connection.execute(select(AuditEvent).where(AuditEvent.action == "view")
                                   .order_by(AuditEvent.seq.desc())).first()
    assert (event.actor, event.subject, json.loads(event.details)["verified"]) == ("nguoi.duyet", "bc-an v1", False)


def test_the_data_extract_is_json_or_one_sheet(api: Api) -> None:
    extract = api.get("/api/documents/kh-ky/extract", "reviewer", version=1).json()
    assert (extract["id"], extract["version"], extract["fields"]["wife_name"]) == ("kh-ky", 1, "LÊ THỊ HOA")
    assert extract["sha256"] == api.catalog.document("kh-ky", 1).sha256 and "pages" not in extract
    sheet = api.get("/api/documents/so-ks-1990/extract", "officer", format="xlsx")
    assert sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert sheet.headers["content-disposition"] == 'attachment; filename="so-ks-1990-v1.xlsx"'
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    facts = {r[0]: r[1] for r in rows if r and r[0] and len([c for c in r if c is not None]) == 2}
    assert (facts["id"], facts["doc_type"], facts["agency"]) == ("so-ks-1990", "birth_register_page", "H40.01")
    header = rows.index(next(r for r in rows if r[0] == "entry"))
    assert [r[3] for r in rows[header + 1:]] == ["NGUYỄN VĂN AN", "NGUYỄN VĂN AN", "PHẠM ĐỨC ĐẠT"]
    assert api.get("/api/documents/so-ks-1990/extract", "officer", format="pdf").status_code == 422
    assert api.get("/api/documents/cccd-an/extract", "an_hoa").status_code == 404


def test_a_register_entry_is_extracted_as_a_signed_page(api: Api) -> None:
    batch = "20240601T080000-sokhaisinh"
    api.catalog.start_batch(batch, "H40.01", "registry_book", {"kind": "registry_book", "agency_name":
                                                               "UBND xã An Hòa", "book": {"type": "birth",
                                                                                          "year": 2017,
                                                                                          "volume": "02"}})
    signer = SignerConfig(api.settings.development_keys().signer_p12)
    entries = [{"registration_number": "3", "full_name": "TRẦN THỊ BA", "page": 1},
               {"registration_number": "5", "full_name": "TRẦN THỊ NĂM", "page": 3}]
    record = document("so-2-trang", "birth_register_page", {}, records=entries, batch=batch)
    shown = {**record["pages"][0], "pdf_page": 1}
    record["pages"] = [shown, {**record["pages"][1], "pdf_page": None},
                       {**shown, "index": 3, "source_page": 3, "pdf_page": 2}]
    signed = sign_pdf(small_pdf("SỔ ĐĂNG KÝ KHAI SINH", pages=2), signer)[0]
    store_document(api.catalog, api.store, record, pdf_bytes=signed)
    one_page = document("so-1-trang", "birth_register_page", {}, records=entries[:1], batch=batch)
    one_signed = sign_pdf(small_pdf("SỔ ĐĂNG KÝ KHAI SINH"), signer)[0]
    store_document(api.catalog, api.store, one_page, pdf_bytes=one_signed)

    reply = api.get("/api/documents/so-2-trang/entries/2/pdf", "officer")
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/pdf"
    assert reply.headers["content-disposition"] == 'attachment; filename="so-2-trang-v1-entry2-p3.pdf"'
    report = verify_pdf(reply.content, api.settings.trusted_roots())
    assert report.valid and report.signatures[0].coverage == "ENTIRE_FILE"
    with pikepdf.open(io.BytesIO(reply.content)) as extract, pikepdf.open(io.BytesIO(signed)) as source:
        assert len(extract.pages) == 1  # the page entry 2 is on: the signed PDF's second page
        assert extract.pages[0].Resources.XObject.Im0.read_raw_bytes() == \
            source.pages[1].Resources.XObject.Im0.read_raw_bytes()
        assert extract.open_metadata()["pdfaid:part"] == "2"
    assert api.get("/api/documents/so-1-trang/entries/1/pdf", "officer").content == one_signed  # it is that page
    with api.catalog.engine.connect() as connection:
        event = connection.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    details = json.loads(event.details)
    assert (event.actor, event.action, event.subject, details["entry"]) == ("can.bo.tinh", "download",
                                                                            "so-1-trang v1", 1)
    for who, path, status in (("reviewer", "/api/documents/so-2-trang/entries/1/pdf", 403),
                              ("officer", "/api/documents/so-2-trang/entries/3/pdf", 404),
                              ("officer", "/api/documents/bc-an/entries/1/pdf", 404),
                              ("officer", "/api/documents/so-2-trang/entries/0/pdf", 422),
                              ("archivist", "/api/documents/so-2-trang/entries/1/pdf", 403)):
        assert api.get(path, who).status_code == status, (who, path)
    refused = api.get("/api/documents/so-2-trang/entries/3/pdf", "officer").json()
    assert refused == {"detail": "document so-2-trang has 2 register entries, not an entry 3"}


def test_the_cli_tables_show_whole_document_ids_on_an_80_column_terminal(api: Api) -> None:
    long_id = "3f9c2a7d41e85b06c1d94e2fa8b7305c"  # as the pipeline makes them: 32 hexadecimal digits
    store_document(api.catalog, api.store, document(long_id, "birth_certificate", {
        "full_name": "NGUYỄN VĂN AN", "date_of_birth": "1990-03-15", "personal_id": AN_ID}, batch=BATCH))
    runner = CliRunner()
    for args in (["search", "nguyen van an"], ["reuse", AN_ID]):
        shown = runner.invoke(app, args, env={"COLUMNS": "80"})
        assert shown.exit_code == 0, shown.output
        assert long_id in shown.stdout, shown.stdout
