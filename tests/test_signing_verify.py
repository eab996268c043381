"""Verification reports on tampered, untrusted and revoked documents; ``sohoa verify`` output and exit status."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from signing_support import Pki, make_pki, small_pdf
from typer.testing import CliRunner

from signing.devca import issue_cert, revoke
from signing.signer import B_B, SignerConfig, sign_pdf
from signing.verify import load_roots, verify_pdf
from sohoa.cli import app


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("verify-data")


@pytest.fixture(scope="module")
def pki(data_dir: Path) -> Pki:
    return make_pki(data_dir / "keys")


@pytest.fixture(scope="module")
def signed(pki: Pki) -> bytes:
    return sign_pdf(small_pdf(), SignerConfig(pki.keys.signer_p12))[0]


def _roots(pki: Pki) -> list:
    return load_roots([pki.keys.ca_cert])


def test_a_flipped_byte_in_the_signed_range_is_invalid(signed: bytes, pki: Pki) -> None:
    data = bytearray(signed)
    data[data.find(b"JFIF") + 200] ^= 0x01  # inside the page image, well within the first signed range
    report = verify_pdf(bytes(data), _roots(pki))
    assert not report.valid and not report.signatures[0].intact
    assert "does not match the signed bytes" in report.signatures[0].problems[0]


def test_an_update_that_changes_content_is_reported_as_modified(signed: bytes, pki: Pki) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"0 g 100 100 200 50 re f")))
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), _roots(pki))
    sig = report.signatures[0]
    assert sig.intact and sig.modified_after and not report.valid
    assert sig.coverage == "ENTIRE_REVISION" and sig.bytes_covered < sig.file_size
    assert any("changed after signing" in p for p in sig.problems)


def test_a_signer_from_another_ca_is_untrusted(pki: Pki, tmp_path: Path) -> None:
    stranger = make_pki(tmp_path / "other-keys")
    data, _ = sign_pdf(small_pdf(), SignerConfig(stranger.keys.signer_p12))
    report = verify_pdf(data, _roots(pki))
    sig = report.signatures[0]
    assert sig.intact and not sig.trusted and not report.valid
    assert "not trusted" in sig.problems[0]
    assert verify_pdf(data, load_roots([stranger.keys.ca_cert])).valid


def test_a_revoked_certificate_fails(pki: Pki, tmp_path: Path) -> None:
    key, cert = issue_cert(pki.keys, "Cán bộ bị thu hồi chứng thư")
    p12 = tmp_path / "revoked.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"k", key, cert, [pki.ca], serialization.NoEncryption()))
    data, _ = sign_pdf(small_pdf(), SignerConfig(p12))
    assert verify_pdf(data, _roots(pki), crls=[pki.crl()]).valid  # good before revocation
    crl = revoke(pki.keys, cert.serial_number)
    report = verify_pdf(data, _roots(pki), crls=[crl])
    sig = report.signatures[0]
    assert not report.valid and sig.revocation == "revoked" and sig.revocation_source == "configured CRL"
    assert any("revoked" in p for p in sig.problems)
    with pytest.raises(Exception, match="could not be validated"):  # B-LT checks the chain before signing
        sign_pdf(small_pdf(), SignerConfig(p12, level="PAdES-B-LT", tsa_url="http://127.0.0.1:9/unused",
                                           trust_roots=(pki.ca_der,), crls=(crl,)))


def test_not_a_signed_pdf(pki: Pki) -> None:
    assert verify_pdf(small_pdf(), _roots(pki)).error == "the PDF carries no signature"
    assert "not a readable PDF" in verify_pdf(b"%PDF-1.7 garbage", _roots(pki)).error


def test_cli_reports_and_exits_by_validity(signed: bytes, data_dir: Path, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(signed)
    data = bytearray(signed)
    data[data.find(b"JFIF") + 200] ^= 0x01
    bad.write_bytes(bytes(data))
    cli = CliRunner(env={"SOHOA_DATA_DIR": str(data_dir), "SOHOA_TRUST_ROOTS": None, "SOHOA_CRLS": None})
    text = cli.invoke(app, ["verify", str(good)])
    assert text.exit_code == 0 and "VALID" in text.stdout and B_B in text.stdout, text.output
    assert "revocation: good (configured CRL)" in text.stdout  # the development CA's CRL, by default
    report = cli.invoke(app, ["verify", str(bad), "--format", "json"])
    assert report.exit_code == 1
    parsed = json.loads(report.stdout)
    assert parsed["valid"] is False and parsed["signatures"][0]["intact"] is False
    assert {"signer", "signing_time", "level", "byte_range", "changes_after", "timestamp", "revocation"} <= set(
        parsed["signatures"][0])
