"""Helpers for the signing tests: a development PKI in a folder, an RFC 3161 timestamp authority on loopback, small
PDF/A documents, poppler's pdfsig with an NSS database that trusts the development CA, pages rendered by poppler
and their QR code read by OpenCV."""
from __future__ import annotations

import datetime as dt
import io
import subprocess
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import numpy as np
import pikepdf
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image, ImageDraw
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from ocr.pdfa import PdfInfo, PdfPage, build_pdfa
from signing.devca import DevKeys, dev_crl, ensure_dev_keys, issue_cert


@dataclass
class Pki:
    keys: DevKeys
    ca: x509.Certificate
    tsa_key: rsa.RSAPrivateKey
    tsa_cert: x509.Certificate

    @property
    def ca_der(self) -> bytes:
        return self.ca.public_bytes(serialization.Encoding.DER)

    def crl(self) -> bytes:
        return dev_crl(self.keys)


def make_pki(folder: Path) -> Pki:
    keys = ensure_dev_keys(folder)
    tsa_key, tsa_cert = issue_cert(keys, "sohoa development TSA - NOT FOR PRODUCTION", time_stamping=True)
    return Pki(keys, x509.load_pem_x509_certificate(keys.ca_cert.read_bytes()), tsa_key, tsa_cert)


class LoopbackTsa:
    """pyHanko's DummyTimeStamper behind an RFC 3161 HTTP endpoint on 127.0.0.1 (a free port), in a thread."""

    def __init__(self, key: rsa.RSAPrivateKey, cert: x509.Certificate) -> None:
        stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())))
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(handler) -> None:  # noqa: N805 - the server's handler, not this class
                body = handler.rfile.read(int(handler.headers["Content-Length"]))
                reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
                self.requests += 1
                handler.send_response(200)
                handler.send_header("Content-Type", "application/timestamp-reply")
                handler.send_header("Content-Length", str(len(reply)))
                handler.end_headers()
                handler.wfile.write(reply)

            def log_message(handler, *args) -> None:  # noqa: N805
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackTsa:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def small_pdf(text: str = "GIẤY KHAI SINH", pages: int = 1) -> bytes:
    """A PDF/A-2b like the pipeline makes: A4 pages at 100 dpi (``text`` and the page number on each), no text
    layer."""
    jpegs = []
    for number in range(1, pages + 1):
        image = Image.new("L", (827, 1169), 255)
        draw = ImageDraw.Draw(image)
        draw.rectangle((100, 300, 727, 340), fill=0)
        draw.text((100, 400), f"{text} {number}" if pages > 1 else text, fill=0)
        jpeg = io.BytesIO()
        image.save(jpeg, "JPEG", quality=80)
        jpegs.append(PdfPage(jpeg.getvalue(), 827, 1169, 100, True, []))
    info = PdfInfo(title=f"test {text}", doc_type="birth_certificate", source="test.png",
                   created=dt.datetime.now(dt.UTC).replace(microsecond=0))
    return build_pdfa(jpegs, info)


def nss_db(folder: Path, ca_pem: Path) -> str:
    """An NSS database trusting the CA in ``ca_pem``, as pdfsig's -nssdir wants it."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{folder}", "-n", "sohoa-dev", "-t", "CT,C,C", "-i", str(ca_pem)],
                   check=True)
    return f"sql:{folder}"


def pdfsig(pdf: Path, nssdir: str) -> str:
    """pdfsig's report (its exit status ignores trust, so tests read the text)."""
    return subprocess.run(["pdfsig", "-nssdir", nssdir, str(pdf)], capture_output=True, text=True).stdout


def render_page(pdf: Path, dpi: int, box: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """Page 1 at ``dpi`` (RGB), or only ``box`` (x0, y0, x1, y1 in PDF points) of it."""
    args = ["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile"]
    if box:
        with pikepdf.open(pdf) as doc:
            height = float(doc.pages[0].MediaBox[3])
        x0, y0, x1, y1 = (v * dpi / 72 for v in (box[0], height - box[3], box[2], height - box[1]))
        args += ["-x", str(round(x0)), "-y", str(round(y0)), "-W", str(round(x1 - x0)), "-H", str(round(y1 - y0))]
    subprocess.run([*args, str(pdf), str(pdf.with_suffix(""))], check=True)
    return np.asarray(Image.open(pdf.with_suffix(".png")).convert("RGB"))


def read_qr(pdf: Path) -> str:
    """The QR code on page 1 printed at 200 dpi, as OpenCV reads it ("" when none is found)."""
    return cv2.QRCodeDetector().detectAndDecode(cv2.cvtColor(render_page(pdf, 200), cv2.COLOR_RGB2BGR))[0]
