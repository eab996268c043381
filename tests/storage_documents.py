"""Document JSONs of CONTRACT §2 with realistic Vietnamese fields, stored the way the pipeline stores them."""
from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from storage.batches import seal_batch
from storage.catalog import Catalog
from storage.keys import doc_key
from storage.objects import ObjectStore

AN_ID = "001090012345"  # NGUYỄN VĂN AN
HOA_ID = "001192054321"  # LÊ THỊ HOA, his wife
KHOI_ID = "001218000111"  # NGUYỄN MINH KHÔI, their son


def document(doc_id: str, doc_type: str, fields: dict[str, str], *, records: list[dict[str, str]] | None = None,
             text: str = "", agency: str = "H40.01", batch: str = "20240504T080000-aaaa0001",
             version: int = 1) -> dict[str, Any]:
    page_text = text or "\n".join(f"{k}: {v}" for k, v in fields.items())
    return {
        "id": doc_id, "source": f"scans/{doc_id}.png", "doc_type": doc_type, "doc_type_confidence": 0.96,
        "fields": fields, "records": records or [],
        "pages": [{"index": 1, "source_page": 1, "text": page_text, "confidence": 0.91, "rotation": 0,
                   "skew_deg": 0.4, "blank": False, "dpi": 300},
                  {"index": 2, "source_page": 2, "text": "", "confidence": 0.0, "rotation": 0, "skew_deg": 0.0,
                   "blank": True, "dpi": 300}],
        "needs_review": False, "review_reasons": [], "pdf": f"{doc_id}.pdf", "sha256": "",
        "signature": {"level": "PAdES-B-B", "signer": "UBND xã An Hòa (development)",
                      "signed_at": "2024-05-04T08:00:00+07:00"},
        "batch": batch, "agency": agency, "version": version,
    }


def store_document(catalog: Catalog, store: ObjectStore, record: dict[str, Any], actor: str = "tester",
                   pdf_bytes: bytes | None = None) -> None:
    """Put the signed PDF (a stand-in unless given) and the JSON as ``docs/<agency>/<id>/v<n>`` and catalog them, as
    process_batch does."""
    pdf_bytes = pdf_bytes or f"%PDF-1.7\n% signed {record['id']} v{record['version']}\n%%EOF\n".encode()
    record["sha256"] = hashlib.sha256(pdf_bytes).hexdigest()
    key = functools.partial(doc_key, record["agency"], record["id"], record["version"])
    pdf = store.put(key("pdf"), pdf_bytes, "application/pdf")
    data = store.put(key("json"), json.dumps(record, ensure_ascii=False).encode(), "application/json")
    catalog.add_document(record, pdf, data, actor)


def sample_documents() -> list[dict[str, Any]]:
    """Eight documents of two agencies around one family, and a few strangers."""
    return [
        document("bc-an", "birth_certificate", {
            "full_name": "NGUYỄN VĂN AN", "date_of_birth": "1990-03-15", "gender": "Nam", "ethnicity": "Kinh",
            "nationality": "Việt Nam", "place_of_birth": "Trạm Y tế xã An Hòa", "personal_id": AN_ID,
            "father_name": "NGUYỄN VĂN BÌNH", "mother_name": "TRẦN THỊ ĐÀO", "registration_number": "123",
            "book_number": "01/1990", "registration_date": "1990-03-20",
            "registration_authority": "UBND xã An Hòa"},
            text="GIẤY KHAI SINH\nHọ, chữ đệm, tên: NGUYỄN VĂN AN\nNgày sinh: 15/03/1990\n"
                 "Nơi sinh: Trạm Y tế xã An Hòa"),
        document("cccd-an", "citizen_id", {
            "personal_id": AN_ID, "full_name": "NGUYỄN VĂN AN", "date_of_birth": "1990-03-15", "gender": "Nam",
            "nationality": "Việt Nam", "hometown": "An Hòa, Tam Đảo, Vĩnh Phúc",
            "place_of_residence": "Thôn Đông, An Hòa, Tam Đảo, Vĩnh Phúc", "expiry_date": "2030-03-15"},
            agency="H40.02"),
        document("kh-an-hoa", "marriage_certificate", {
            "husband_name": "NGUYỄN VĂN AN", "husband_date_of_birth": "1990-03-15", "husband_personal_id": AN_ID,
            "wife_name": "LÊ THỊ HOA", "wife_date_of_birth": "1992-07-09", "wife_personal_id": HOA_ID,
            "registration_number": "45", "registration_date": "2016-10-02",
            "registration_authority": "UBND xã An Hòa"}),
        document("bc-khoi", "birth_certificate", {
            "full_name": "NGUYỄN MINH KHÔI", "date_of_birth": "2018-06-01", "gender": "Nam", "personal_id": KHOI_ID,
            "father_name": "NGUYỄN VĂN AN", "mother_name": "LÊ THỊ HOA", "registration_number": "77",
            "registration_date": "2018-06-10"}),
        document("so-ks-1990", "birth_register_page", {}, records=[
            {"registration_number": "123", "registration_date": "1990-03-20", "full_name": "NGUYỄN VĂN AN",
             "date_of_birth": "1990-03-15", "gender": "Nam", "father_name": "NGUYỄN VĂN BÌNH",
             "mother_name": "TRẦN THỊ ĐÀO"},
            {"registration_number": "124", "registration_date": "1990-03-21", "full_name": "NGUYỄN VĂN AN",
             "date_of_birth": "1985-01-02", "gender": "Nam", "father_name": "NGUYỄN VĂN CƯỜNG",
             "mother_name": "PHAN THỊ MAI"},
            {"registration_number": "125", "registration_date": "1990-03-22", "full_name": "PHẠM ĐỨC ĐẠT",
             "date_of_birth": "1990-03-01", "gender": "Nam", "father_name": "PHẠM VĂN ĐỨC",
             "mother_name": "ĐỖ THỊ LAN"}],
            text="SỔ ĐĂNG KÝ KHAI SINH\n123 NGUYỄN VĂN AN\n124 NGUYỄN VĂN AN\n125 PHẠM ĐỨC ĐẠT"),
        document("qd-1816", "decision", {
            "document_number": "1816/QĐ-UBND", "issue_date": "2023-11-20", "issuing_authority": "UBND HUYỆN TAM ĐẢO",
            "subject": "Về việc phê duyệt kế hoạch sử dụng đất năm 2024", "signer_name": "ĐỖ VĂN ĐỨC"},
            agency="H40.02",
            text="QUYẾT ĐỊNH\nVề việc phê duyệt kế hoạch sử dụng đất năm 2024\nđất nông nghiệp, đất ở, đất đai"),
        document("cv-245", "official_letter", {
            "document_number": "245/UBND-VP", "issue_date": "2024-02-05", "issuing_authority": "UBND XÃ AN HÒA",
            "subject": "V/v báo cáo tình hình đất đai", "signer_name": "TRẦN VĂN HÙNG"},
            text="V/v báo cáo tình hình đất đai\nKính gửi: UBND huyện Tam Đảo"),
        document("kt-ut", "death_extract", {
            "full_name": "ĐẶNG THỊ ÚT", "date_of_birth": "1931-01-01", "personal_id": "001031009999",
            "date_of_death": "2021-12-30", "place_of_death": "Thôn Đông, xã An Hòa"}),
    ]


def store_sample(catalog: Catalog, store: ObjectStore) -> list[dict[str, Any]]:
    """The sample documents stored under their batches, each batch finished and sealed as process_batch does."""
    docs = sample_documents()
    for agency in sorted({d["agency"] for d in docs}):
        batch = f"20240504T080000-{agency.replace('.', '')}"
        catalog.start_batch(batch, agency, "result", {"agency": agency, "operator": "Nguyễn Thị Thu"})
        for doc in (d for d in docs if d["agency"] == agency):
            doc["batch"] = batch
            store_document(catalog, store, doc)
        catalog.finish_batch(batch, "done", {"documents": sum(d["agency"] == agency for d in docs)})
        seal_batch(catalog, store, batch)
    return docs
