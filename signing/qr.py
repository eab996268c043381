"""The QR code on a result (top left of page 1): who and what the result is for, drawn as vector content.

It is part of the signed content: it is added in the same incremental update as the signature, before signing.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from urllib.parse import urlencode

import cv2
import numpy as np
import pypdfium2 as pdfium
import segno
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.request import VIETNAM, SignRequest

SYSTEM = "sohoa"
CHECK_DPI = 200  # a symbol must read back with OpenCV at this print resolution
MODULE_PIXELS = 4  # in a CHECK_DPI print: whole pixels, so that no module is smeared over two
MODULE = 72 * MODULE_PIXELS / CHECK_DPI  # points: 0.51 mm; a typical result's symbol is about 3.3 cm square
MARGIN = 18.0  # points from the page's top and left edges: 50 pixels at CHECK_DPI, also whole
QUIET_ZONE = 4  # modules
CHECK_BAND = 1000  # pixels from the top of a CHECK_DPI print in which a result's QR code must read back

# The printed titles of CONTRACT §3, in sentence case, as a result's QR code names the document.
DOCUMENT_NAMES = {
    "birth_certificate": "Giấy khai sinh",
    "marriage_certificate": "Giấy chứng nhận kết hôn",
    "death_extract": "Trích lục khai tử",
    "criminal_record": "Phiếu lý lịch tư pháp",
    "citizen_id": "Căn cước công dân",
    "driving_license": "Giấy phép lái xe",
    "land_use_certificate": "Giấy chứng nhận quyền sử dụng đất",
    "application_form": "Tờ khai",
    "decision": "Quyết định",
    "official_letter": "Công văn",
    "birth_register_page": "Sổ đăng ký khai sinh",
    "marriage_register_page": "Sổ đăng ký kết hôn",
    "death_register_page": "Sổ đăng ký khai tử",
}


def qr_payload(request: SignRequest, issued_at: dt.datetime, verify_url: str | None = None) -> str:
    """Compact JSON (UTF-8): dossier code, procedure code, personal ID, document name, issuing system, time of issue,
    and with ``verify_url`` (the public verification page) the link that checks this result (``verify_link``).

    Keys whose value is unknown are left out.
    """
    values = {
        "dossier_code": request.dossier_code,
        "procedure_code": request.procedure_code,
        "personal_id": request.personal_id,
        "document": DOCUMENT_NAMES.get(request.doc_type or "", request.doc_type),
        "system": SYSTEM,
        "issued_at": issued_at.astimezone(VIETNAM).isoformat(),
        "verify_url": verify_link(verify_url, request.result_code) if verify_url else None,
    }
    return json.dumps({k: v for k, v in values.items() if v}, ensure_ascii=False, separators=(",", ":"))


def verify_link(verify_url: str, result_code: str | None) -> str:
    """The address that opens a result's verification: ``<verify_url>?ma=<result code>``, or the page itself for a
    result without a code."""
    return f"{verify_url}?{urlencode({'ma': result_code})}" if result_code else verify_url


def qr_symbols(payload: str) -> Iterator[np.ndarray]:
    """QR symbols of ``payload`` (1 = dark, quiet zone included) that OpenCV's detector reads back on their own, one
    mask after another (segno's own choice first): the detector fails on some masks whatever their size."""
    for mask in (None, *range(8)):
        code = segno.make(payload, error="m", micro=False, mask=mask)
        matrix = np.array([list(row) for row in code.matrix_iter(border=QUIET_ZONE)], dtype=np.uint8)
        symbol = np.kron(1 - matrix, np.ones((MODULE_PIXELS, MODULE_PIXELS), dtype=np.uint8)) * 255
        if cv2.QRCodeDetector().detectAndDecode(symbol)[0] == payload:
            yield matrix


def reads_on_page(pdf: bytes, payload: str) -> bool:
    """Whether OpenCV's detector reads ``payload`` from the top of page 1 of ``pdf`` printed at CHECK_DPI, where the
    symbol is printed among the document's text and the agency's stamp (which can mislead the detector)."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        band = CHECK_BAND * 72 / CHECK_DPI  # points from the top
        crop = (0, max(0.0, page.get_height() - band), 0, 0)
        image = page.render(scale=CHECK_DPI / 72, grayscale=True, crop=crop).to_numpy()
    finally:
        document.close()
    return cv2.QRCodeDetector().detectAndDecode(image)[0] == payload


def draw_qr(writer: IncrementalPdfFileWriter, symbol: np.ndarray, media_box: tuple[float, ...]) -> None:
    """Draw a QR symbol (from qr_symbols) at the top left of page 1 (``media_box``), on a white square."""
    rows = symbol.tolist()
    module, size = MODULE, MODULE * len(rows)
    left, _, _, top = media_box
    x0, y0 = left + MARGIN, top - MARGIN - size
    ops = [f"q 1 g {x0:.3f} {y0:.3f} {size:.3f} {size:.3f} re f 0 g"]
    for r, row in enumerate(rows):
        y = y0 + size - (r + 1) * module
        c = 0
        while c < len(row):  # one rectangle per run of dark modules
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            ops.append(f"{x0 + start * module:.3f} {y:.3f} {(c - start) * module:.3f} {module:.3f} re")
    ops.append("f Q")
    # wrap what the page draws in q/Q so that our drawing starts from the default graphics state
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"q")), prepend=True)
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"Q")))
    stream = generic.StreamObject(stream_data="\n".join(ops).encode())
    stream.compress()
    writer.add_stream_to_page(0, writer.add_object(stream))
