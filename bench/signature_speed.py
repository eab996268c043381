"""Signing throughput on one core: 1-page PDF/A documents signed PAdES-B-B, invisible, with the key in a PKCS#12 file
and on a PKCS#11 token (SoftHSM2), and with a result's visible stamp and QR code for comparison.

    .venv/bin/python bench/signature_speed.py [--docs N]

Target (issue 4): at least 15 invisible B-B signatures per second per core with PKCS#12. Each run signs the same
document N times in this process after one warm-up signature (keys are loaded once per process, as in the pipeline).
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import tempfile
import time
from pathlib import Path

from cryptography import x509
from PIL import Image

from ocr.pdfa import PdfInfo, PdfPage, build_pdfa
from signing.devca import ensure_dev_keys, issue_cert
from signing.devtoken import init_softhsm_token
from signing.request import SignRequest
from signing.signer import SignerConfig, sign_pdf
from sohoa.sample import render_page

A4_MM = (210, 297)
DPI = 200


def one_page_pdf() -> bytes:
    page = render_page(["GIẤY KHAI SINH", "Họ, chữ đệm, tên: NGUYỄN VĂN AN", "Ngày, tháng, năm sinh: 15/03/1990"],
                       dpi=DPI, size_mm=A4_MM)
    jpeg = io.BytesIO()
    Image.fromarray(page).save(jpeg, "JPEG", quality=85)
    info = PdfInfo("bench", "birth_certificate", "bench.png", dt.datetime.now(dt.UTC).replace(microsecond=0))
    return build_pdfa([PdfPage(jpeg.getvalue(), page.shape[1], page.shape[0], DPI, page.ndim == 2)], info)


def rate(pdf: bytes, config: SignerConfig, docs: int, request: SignRequest | None = None) -> float:
    sign_pdf(pdf, config, request)  # warm-up: the key is loaded, the font read
    start = time.perf_counter()
    for _ in range(docs):
        sign_pdf(pdf, config, request)
    return docs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100, help="documents signed per configuration")
    docs = parser.parse_args().docs
    pdf = one_page_pdf()
    with tempfile.TemporaryDirectory() as tmp:
        keys = ensure_dev_keys(Path(tmp) / "keys")
        key, cert = issue_cert(keys, "sohoa bench token signer")
        ca = x509.load_pem_x509_certificate(keys.ca_cert.read_bytes())
        token = init_softhsm_token(Path(tmp) / "softhsm", "sohoa-bench", "1234", "signer", key, cert, [ca])
        result = SignRequest("result", agency_name="UBND xã An Hòa", dossier_code="000.00.12.H40-240504-0001",
                             procedure_code="1.001193", personal_id="001090012345", doc_type="birth_certificate")
        runs = [("PAdES-B-B invisible, PKCS#12", SignerConfig(keys.signer_p12), None),
                ("PAdES-B-B invisible, PKCS#11 (SoftHSM2)", SignerConfig(pkcs11=token), None),
                ("PAdES-B-B result stamp + QR, PKCS#12", SignerConfig(keys.signer_p12), result)]
        print(f"{docs} signatures each of a 1-page A4 PDF/A ({len(pdf) // 1024} KiB), one process")
        for name, config, request in runs:
            per_second = rate(pdf, config, docs, request)
            print(f"{name:42s} {per_second:6.1f} docs/s  {1000 / per_second:6.1f} ms/doc")


if __name__ == "__main__":
    main()
