"""The QR code on a result (top left of page 1): who and what the result is for, drawn as vector content.

It is part of the signed content: it is added in the same incremental update as the signature, before signing.
"""
from __future__ import annotations

import datetime as dt
import json

import cv2
import numpy as np
import segno
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.request import VIETNAM, SignRequest

SYSTEM = "sohoa"
SIZE = 96.0  # points, quiet zone included: about 3.4 cm, 4 pixels a module in a 200-dpi print
MARGIN = 18.0  # points from the page's top and left edges
QUIET_ZONE = 4  # modules
CHECK_DPI = 200  # a symbol must read back with OpenCV at this print resolution

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


def qr_payload(request: SignRequest, issued_at: dt.datetime) -> str:
    """Compact JSON (UTF-8): dossier code, procedure code, personal ID, document name, issuing system, time of issue.

    Keys whose value is unknown are left out.
    """
    values = {
        "dossier_code": request.dossier_code,
        "procedure_code": request.procedure_code,
        "personal_id": request.personal_id,
        "document": DOCUMENT_NAMES.get(request.doc_type or "", request.doc_type),
        "system": SYSTEM,
        "issued_at": issued_at.astimezone(VIETNAM).isoformat(),
    }
    return json.dumps({k: v for k, v in values.items() if v}, ensure_ascii=False, separators=(",", ":"))


def qr_matrix(payload: str) -> np.ndarray:
    """The QR symbol (1 = dark, quiet zone included) in the first mask that OpenCV's QR detector reads back.

    OpenCV fails on some symbols whatever their size (it depends on the mask), so each candidate is checked.
    """
    for mask in (None, *range(8)):  # None: segno's own choice first
        code = segno.make(payload, error="m", micro=False, mask=mask)
        matrix = np.array([list(row) for row in code.matrix_iter(border=QUIET_ZONE)], dtype=np.uint8)
        if _read_back(matrix, CHECK_DPI) == payload:
            return matrix
    raise ValueError("OpenCV reads no QR symbol of this payload back")


def _read_back(matrix: np.ndarray, dpi: int) -> str:
    scale = SIZE / len(matrix) * dpi / 72
    image = cv2.resize((1 - matrix) * 255, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return cv2.QRCodeDetector().detectAndDecode(image)[0]


def draw_qr(writer: IncrementalPdfFileWriter, payload: str, media_box: tuple[float, ...]) -> None:
    """Draw the QR code of ``payload`` at the top left of page 1 (``media_box``), on a white square."""
    rows = qr_matrix(payload).tolist()
    module = SIZE / len(rows)
    left, _, _, top = media_box
    x0, y0 = left + MARGIN, top - MARGIN - SIZE
    ops = [f"q 1 g {x0:.3f} {y0:.3f} {SIZE:.3f} {SIZE:.3f} re f 0 g"]
    for r, row in enumerate(rows):
        y = y0 + SIZE - (r + 1) * module
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
