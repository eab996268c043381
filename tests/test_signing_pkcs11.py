"""Signing with a real PKCS#11 token: SoftHSM2, initialized here with a development key and its certificates."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from PIL import Image
from signing_support import LoopbackTsa, Pki, make_pki, nss_db, pdfsig, small_pdf
from typer.testing import CliRunner

from signing.devca import issue_cert
from signing.devtoken import init_softhsm_token
from signing.keys import KeySource, Pkcs11Key, open_signer
from signing.signer import B_B, B_LT, SignerConfig, load_signer, sign_pdf
from signing.verify import load_roots, verify_pdf
from sohoa.cli import app
from sohoa.sample import render_page

PIN = "271828"
SIGNER = "Nguyễn Thị Hồng Nhung (token)"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pkcs11-data")


@pytest.fixture(scope="module")
def pki(data_dir: Path) -> Pki:
    return make_pki(data_dir / "keys")


@pytest.fixture(scope="module")
def token(pki: Pki, data_dir: Path) -> Pkcs11Key:
    key, cert = issue_cert(pki.keys, SIGNER)
    return init_softhsm_token(data_dir / "softhsm", "sohoa-test", PIN, "agency-signer", key, cert, [pki.ca])


def _env(data_dir: Path, token: Pkcs11Key, pin: str = PIN) -> dict[str, str]:
    return {"SOHOA_DATA_DIR": str(data_dir), "PATH": os.environ["PATH"], "SOFTHSM2_CONF": os.environ["SOFTHSM2_CONF"],
            "SOHOA_PKCS11_MODULE": str(token.module), "SOHOA_PKCS11_TOKEN": token.token,
            "SOHOA_PKCS11_KEY": token.key, "SOHOA_PKCS11_PIN": pin, "SOHOA_SIGNATURE_VISIBLE": "1"}


def test_token_signs_b_b_valid_for_pyhanko_and_pdfsig(token: Pkcs11Key, pki: Pki, tmp_path: Path) -> None:
    data, signature = sign_pdf(small_pdf(), SignerConfig(pkcs11=token))
    assert signature.signer == SIGNER and signature.level == B_B
    report = verify_pdf(data, load_roots([pki.keys.ca_cert]))
    assert report.valid and report.signatures[0].signer == SIGNER, report.to_dict()
    (tmp_path / "t.pdf").write_bytes(data)
    out = pdfsig(tmp_path / "t.pdf", nss_db(tmp_path / "nss", pki.keys.ca_cert))
    assert "Signature is Valid" in out and "Certificate is Trusted" in out, out


def test_token_signs_b_lt_with_embedded_revocation_data(token: Pkcs11Key, pki: Pki) -> None:
    with LoopbackTsa(pki.tsa_key, pki.tsa_cert) as tsa:
        config = SignerConfig(pkcs11=token, level=B_LT, tsa_url=tsa.url, trust_roots=(pki.ca_der,),
                              crls=(pki.crl(),))
        data, _ = sign_pdf(small_pdf(), config)
    sig = verify_pdf(data, load_roots([pki.keys.ca_cert])).signatures[0]
    assert sig.valid and sig.level == B_LT and sig.revocation_source == "embedded"


def test_token_session_is_opened_once_per_process(token: Pkcs11Key) -> None:
    signer = open_signer(KeySource(pkcs11=token))
    assert load_signer(SignerConfig(pkcs11=token, visible=False)) is signer
    assert signer.pkcs11_session is open_signer(KeySource(pkcs11=token)).pkcs11_session


def test_pin_stays_secret(token: Pkcs11Key, data_dir: Path) -> None:
    assert PIN not in repr(token) and PIN not in repr(SignerConfig(pkcs11=token))
    sohoa = str(Path(sys.executable).parent / "sohoa")
    shown = CliRunner(env=_env(data_dir, token)).invoke(app, ["keys", "show"])
    assert shown.exit_code == 0 and SIGNER in shown.stdout and "PKCS#11 token 'sohoa-test'" in shown.stdout
    assert PIN not in shown.output
    refused = subprocess.run([sohoa, "keys", "show"], capture_output=True, text=True,
                             env=_env(data_dir, token, "999999"))
    assert refused.returncode == 2 and "PinIncorrect" in refused.stderr  # a fresh process: the token is not logged in
    assert "999999" not in refused.stdout + refused.stderr


def test_pipeline_signs_a_result_on_the_token(token: Pkcs11Key, data_dir: Path, tmp_path: Path) -> None:
    """`sohoa process` with the key on the token and a result manifest: worker processes open their own session."""
    scan = tmp_path / "ket_qua.png"
    Image.fromarray(render_page(["GIẤY KHAI SINH", "Họ, chữ đệm, tên: TRẦN VĂN BÌNH"])).save(scan, dpi=(200, 200))
    manifest = tmp_path / "batch.json"
    manifest.write_text(json.dumps({"kind": "result", "agency_name": "UBND phường Bến Nghé",
                                    "dossier_code": "000.00.12.H40-240504-0001", "procedure_code": "1.001193"}))
    sohoa = str(Path(sys.executable).parent / "sohoa")
    done = subprocess.run([sohoa, "process", str(scan), "--out", str(tmp_path / "out"), "--manifest", str(manifest),
                           "--jobs", "1"], capture_output=True, text=True, env=_env(data_dir, token))
    assert done.returncode == 0, done.stderr
    record = json.loads(next(p for p in (tmp_path / "out").glob("*.json") if p.name != "summary.json").read_text())
    assert record["signature"]["signer"] == SIGNER and record["signature"]["level"] == B_B
    pdf = tmp_path / "out" / record["pdf"]
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    payload, _, _ = cv2.QRCodeDetector().detectAndDecode(cv2.imread(str(next(tmp_path.glob("page*.png")))))
    qr = json.loads(payload)
    assert qr["dossier_code"] == "000.00.12.H40-240504-0001" and qr["procedure_code"] == "1.001193"
    issued_at = dt.datetime.fromisoformat(qr["issued_at"])
    assert qr["system"] == "sohoa" and issued_at == dt.datetime.fromisoformat(record["signature"]["signed_at"])
    assert issued_at.utcoffset() == dt.timedelta(hours=7)  # Vietnam time, as on the stamp
    check = subprocess.run([sohoa, "verify", str(pdf)], capture_output=True, text=True, env=_env(data_dir, token))
    assert check.returncode == 0, check.stdout
