"""PAdES levels B-B to B-LTA with a real TSA on loopback and the development CA's real CRL, each checked by pyHanko's
validator (through ``signing.verify``) and by poppler's pdfsig; long-term extension; level configuration."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from signing_support import LoopbackTsa, Pki, make_pki, nss_db, pdfsig, small_pdf
from typer.testing import CliRunner

from signing.devca import issue_cert
from signing.lta import extend_lta, last_timestamp_expiry
from signing.signer import B_B, B_LT, B_LTA, B_T, LEVELS, SignerConfig, load_signer, parse_level, sign_pdf
from signing.verify import load_roots, verify_pdf
from sohoa.cli import app
from sohoa.settings import Settings


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("signing-data")


@pytest.fixture(scope="module")
def pki(data_dir: Path) -> Pki:
    return make_pki(data_dir / "keys")  # where `sohoa` finds the development CA for SOHOA_DATA_DIR=data_dir


@pytest.fixture(scope="module")
def tsa(pki: Pki):
    with LoopbackTsa(pki.tsa_key, pki.tsa_cert) as server:
        yield server


@pytest.fixture(scope="module")
def nss(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> str:
    return nss_db(tmp_path_factory.mktemp("nss"), pki.keys.ca_cert)


def _config(pki: Pki, level: str, tsa: LoopbackTsa) -> SignerConfig:
    return SignerConfig(pki.keys.signer_p12, level=level, tsa_url=None if level == B_B else tsa.url,
                        trust_roots=(pki.ca_der,), crls=(pki.crl(),))


@pytest.fixture(scope="module")
def signed(pki: Pki, tsa: LoopbackTsa, data_dir: Path) -> dict[str, Path]:
    """One document signed at each level; the unsigned original too."""
    original = small_pdf()
    paths = {"original": data_dir / "original.pdf"}
    paths["original"].write_bytes(original)
    for level in LEVELS:
        data, signature = sign_pdf(original, _config(pki, level, tsa))
        assert signature.level == level and "development" in signature.signer
        paths[level] = data_dir / f"{level}.pdf"
        paths[level].write_bytes(data)
    return paths


@pytest.mark.parametrize("level", LEVELS)
def test_level_is_reached_and_valid_for_pyhanko(level: str, signed: dict[str, Path], pki: Pki) -> None:
    report = verify_pdf(signed[level].read_bytes(), load_roots([pki.keys.ca_cert]))
    assert report.valid, report.to_dict()
    sig = report.signatures[0]
    assert sig.level == level and sig.intact and sig.trusted and not sig.modified_after
    assert (sig.timestamp is not None) == (level != B_B)
    assert sig.timestamp is None or (sig.timestamp.valid and "TSA" in sig.timestamp.authority)
    if level in (B_LT, B_LTA):  # revocation data was embedded from the real CRL
        assert (sig.revocation, sig.revocation_source) == ("good", "embedded")
        assert sig.changes_after == "LTA_UPDATES"  # the DSS (and timestamp) came after: allowed
    else:  # nothing to check revocation with: reported, not failed
        assert sig.revocation == "not checked" and sig.changes_after == "NONE"
    assert len(report.document_timestamps) == (level == B_LTA)


@pytest.mark.parametrize("level", LEVELS)
def test_level_is_valid_for_pdfsig(level: str, signed: dict[str, Path], nss: str) -> None:
    out = pdfsig(signed[level], nss)
    assert "Signature is Valid" in out and "Certificate is Trusted" in out, out
    assert ("Timestamp-" in out) == (level == B_LTA)  # the document timestamp is listed as a second signature


@pytest.mark.parametrize("level", LEVELS)
def test_signing_is_an_incremental_update_that_keeps_pdfa(level: str, signed: dict[str, Path]) -> None:
    original = signed["original"].read_bytes()
    assert signed[level].read_bytes().startswith(original)
    assert subprocess.run(["qpdf", "--check", str(signed[level])], capture_output=True).returncode == 0
    with pikepdf.open(signed[level]) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"


def test_configured_crl_is_consulted_when_the_document_has_none(signed: dict[str, Path], pki: Pki) -> None:
    report = verify_pdf(signed[B_T].read_bytes(), load_roots([pki.keys.ca_cert]), crls=[pki.crl()])
    sig = report.signatures[0]
    assert report.valid and (sig.revocation, sig.revocation_source) == ("good", "configured CRL")
    assert sig.level == B_T  # revocation data that is not in the document does not make it B-LT


def test_lta_document_is_extended_with_a_fresh_timestamp(signed: dict[str, Path], pki: Pki, tsa: LoopbackTsa) -> None:
    data = signed[B_LTA].read_bytes()
    assert last_timestamp_expiry(data) == pki.tsa_cert.not_valid_after_utc
    extended = extend_lta(data, tsa.url, load_roots([pki.keys.ca_cert]), [pki.crl()])
    assert extended.startswith(data)
    report = verify_pdf(extended, load_roots([pki.keys.ca_cert]))
    assert report.valid, report.to_dict()
    assert len(report.document_timestamps) == 2 and report.signatures[0].level == B_LTA


def test_cli_extends_in_place_and_verifies(signed: dict[str, Path], data_dir: Path, tsa: LoopbackTsa,
                                           tmp_path: Path) -> None:
    target = tmp_path / "archive.pdf"
    target.write_bytes(signed[B_LTA].read_bytes())
    cli = CliRunner(env={"SOHOA_DATA_DIR": str(data_dir), "SOHOA_TSA_URL": tsa.url, "SOHOA_TRUST_ROOTS": None,
                         "SOHOA_CRLS": None})
    kept = cli.invoke(app, ["timestamp", "extend", str(target), "--if-expiring-within", "30"])
    assert kept.exit_code == 0 and "kept" in kept.stdout, kept.output
    assert target.read_bytes() == signed[B_LTA].read_bytes()
    done = cli.invoke(app, ["timestamp", "extend", str(target)])
    assert done.exit_code == 0 and "extended" in done.stdout, done.output
    check = cli.invoke(app, ["verify", str(target)])
    assert check.exit_code == 0, check.output
    assert "PAdES-B-LTA" in check.stdout and check.stdout.count("document timestamp") == 2


def test_levels_need_a_timestamp_authority() -> None:
    assert parse_level("b-lt") == B_LT and parse_level("PAdES-B-LTA") == B_LTA
    with pytest.raises(ValueError, match="B-B, B-T"):
        parse_level("B-X")
    with pytest.raises(ValueError, match="SOHOA_TSA_URL"):
        SignerConfig(Path("k.p12"), level=B_T)


def test_level_comes_from_the_environment(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA_DIR", str(data_dir))
    for name in ("SOHOA_SIGNATURE_LEVEL", "SOHOA_TSA_URL", "SOHOA_SIGNING_P12", "SOHOA_PKCS11_MODULE", "SOHOA_CRLS"):
        monkeypatch.delenv(name, raising=False)
    config = Settings.from_env().signer_config()
    assert config.level == B_B and config.crls  # the development CA's CRL, for B-LT when asked
    monkeypatch.setenv("SOHOA_TSA_URL", "http://127.0.0.1:9/tsa")
    assert Settings.from_env().signer_config().level == B_T  # CONTRACT §4: a TSA means B-T and above
    monkeypatch.setenv("SOHOA_SIGNATURE_LEVEL", "B-LTA")
    assert Settings.from_env().signer_config().level == B_LTA
    assert load_signer(config) is load_signer(config)  # the key is loaded once per process


def test_keys_show_names_the_signer_and_warns_before_expiry(pki: Pki, data_dir: Path, tmp_path: Path) -> None:
    key, cert = issue_cert(pki.keys, "Cán bộ sắp hết hạn", days=10)
    p12 = tmp_path / "short.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"k", key, cert, [pki.ca], serialization.NoEncryption()))
    cli = CliRunner(env={"SOHOA_DATA_DIR": str(data_dir), "SOHOA_SIGNING_P12": str(p12), "SOHOA_PKCS11_MODULE": None,
                         "SOHOA_TSA_URL": None, "SOHOA_SIGNATURE_LEVEL": None})
    shown = cli.invoke(app, ["keys", "show"])
    assert shown.exit_code == 0 and "Cán bộ sắp hết hạn" in shown.stdout and "PAdES-B-B" in shown.stdout
    assert "warning" in shown.output and f"{cert.not_valid_after_utc:%Y-%m-%d}" in shown.output
    development = cli.invoke(app, ["keys", "show"], env={"SOHOA_SIGNING_P12": None})
    assert "NOT FOR LEGAL USE" in development.stdout and "warning" not in development.output
