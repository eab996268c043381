"""``sohoa serve`` for real on loopback: /healthz, and the development CA's certificate and CRL over HTTP. A PAdES-B-LT
signature given no CRLs fetches its revocation data from the running service, and a revocation published there is what
the next fetch finds."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from api_support import env_settings, serve_in_thread
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator.errors import RevokedError
from signing_support import LoopbackTsa, nss_db, pdfsig, small_pdf
from storage_backends import free_port

from signing.devca import CRL_CONTENT_TYPE, DevKeys, dev_keys, issue_cert, revoke
from signing.signer import B_B, B_LT, SignerConfig, sign_pdf
from signing.verify import load_roots, verify_pdf


@dataclass
class Service:
    url: str
    keys: DevKeys

    @property
    def crl_url(self) -> str:
        return f"{self.url}/keys/dev-ca.crl"

    @property
    def ca(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.keys.ca_cert.read_bytes())

    def ca_der(self) -> bytes:
        return self.ca.public_bytes(serialization.Encoding.DER)


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer: {log.read_text()}")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """`sohoa serve` in a fresh data folder; it makes the development keys, pointing at its own address."""
    data_dir = tmp_path_factory.mktemp("serve-data")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    env |= {"SOHOA_DATA_DIR": str(data_dir), "SOHOA_PUBLIC_URL": url}
    log = data_dir / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "sohoa.cli", "serve", "--port", str(port)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for(f"{url}/healthz", process, log)
        yield Service(url, dev_keys(data_dir / "keys"))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
    # uvicorn shuts down gracefully, then ends by the signal it was sent, as a process should
    assert code == -signal.SIGTERM and "Application shutdown complete" in log.read_text(), log.read_text()


@pytest.fixture(scope="module")
def tsa(service: Service) -> Iterator[LoopbackTsa]:
    key, cert = issue_cert(service.keys, "sohoa development TSA - NOT FOR PRODUCTION", time_stamping=True,
                           crl_url=service.crl_url)
    with LoopbackTsa(key, cert) as server:
        yield server


def test_healthz_names_the_parts_that_answered(service: Service) -> None:
    reply = httpx.get(f"{service.url}/healthz")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok", "checks": {"catalog": "ok", "object_store": "ok"}}


def test_the_served_crl_and_certificate_are_the_development_cas(service: Service) -> None:
    reply = httpx.get(service.crl_url)
    assert reply.status_code == 200 and reply.headers["content-type"] == CRL_CONTENT_TYPE
    assert reply.content == service.keys.crl.read_bytes()
    crl = x509.load_der_x509_crl(reply.content)
    assert crl.issuer == service.ca.subject and crl.is_signature_valid(service.ca.public_key())
    pem = httpx.get(f"{service.url}/keys/dev-ca.pem")
    assert pem.status_code == 200 and pem.headers["content-type"] == "application/x-pem-file"
    assert pem.content == service.keys.ca_cert.read_bytes()
    _, signer, _ = pkcs12.load_key_and_certificates(service.keys.signer_p12.read_bytes(), None)
    points = signer.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [name.value for point in points for name in point.full_name] == [service.crl_url]


def test_b_lt_fetches_its_revocation_data_from_the_service(service: Service, tsa: LoopbackTsa,
                                                           tmp_path: Path) -> None:
    config = SignerConfig(service.keys.signer_p12, level=B_LT, tsa_url=tsa.url, trust_roots=(service.ca_der(),))
    assert config.crls == ()  # nothing given: pyHanko fetches from the certificates' CRL address
    data, _ = sign_pdf(small_pdf(), config)
    dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(data)))
    assert [ref.get_object().data for ref in dss.crls] == [service.keys.crl.read_bytes()]
    report = verify_pdf(data, load_roots([service.keys.ca_cert]))
    assert report.valid, report.to_dict()
    sig = report.signatures[0]
    assert (sig.level, sig.revocation, sig.revocation_source) == (B_LT, "good", "embedded")
    pdf = tmp_path / "b-lt.pdf"
    pdf.write_bytes(data)
    out = pdfsig(pdf, nss_db(tmp_path / "nss", service.keys.ca_cert))
    assert "Signature is Valid" in out and "Certificate is Trusted" in out, out


def test_a_revocation_is_what_the_service_serves_next(service: Service, tsa: LoopbackTsa, tmp_path: Path) -> None:
    key, cert = issue_cert(service.keys, "Cán bộ bị thu hồi chứng thư", crl_url=service.crl_url)
    p12 = tmp_path / "revoked.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"k", key, cert, [service.ca],
                                                          serialization.NoEncryption()))
    data, _ = sign_pdf(small_pdf(), SignerConfig(p12, level=B_B))
    roots = load_roots([service.keys.ca_cert])
    before = httpx.get(service.crl_url).content
    assert verify_pdf(data, roots, crls=[before]).valid
    revoke(service.keys, cert.serial_number)
    served = httpx.get(service.crl_url).content
    assert x509.load_der_x509_crl(served).get_revoked_certificate_by_serial_number(cert.serial_number) is not None
    assert _crl_number(served) == _crl_number(before) + 1  # a relying party takes the higher number as newer
    sig = verify_pdf(data, roots, crls=[served]).signatures[0]
    assert (sig.revocation, sig.revocation_source) == ("revoked", "configured CRL")
    with pytest.raises(SigningError, match="could not be validated") as refused:  # B-LT fetches the new CRL
        sign_pdf(small_pdf(), SignerConfig(p12, level=B_LT, tsa_url=tsa.url, trust_roots=(service.ca_der(),)))
    assert isinstance(refused.value.__cause__, RevokedError)


def test_without_a_development_ca_the_keys_are_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serve_in_thread(env_settings(tmp_path, monkeypatch)) as url:
        for path in ("/keys/dev-ca.crl", "/keys/dev-ca.pem"):
            reply = httpx.get(url + path)
            assert reply.status_code == 404 and "no development CA" in reply.json()["detail"]
        assert httpx.get(f"{url}/healthz").status_code == 200
    assert not (tmp_path / "keys").exists()


def test_healthz_names_a_queue_that_does_not_answer_without_its_password(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    settings = env_settings(tmp_path, monkeypatch, SOHOA_REDIS_URL=f"redis://:s3cret@127.0.0.1:{free_port()}/0")
    with serve_in_thread(settings) as url:
        reply = httpx.get(f"{url}/healthz")
    assert reply.status_code == 503 and "s3cret" not in reply.text
    checks = reply.json()["checks"]
    assert checks["catalog"] == checks["object_store"] == "ok" and checks["queue"].startswith("failing")


def test_healthz_pings_a_real_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        with serve_in_thread(env_settings(tmp_path, monkeypatch, SOHOA_REDIS_URL=f"redis://127.0.0.1:{port}/0")) as url:
            deadline = time.monotonic() + 10
            while (reply := httpx.get(f"{url}/healthz")).status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.1)  # redis-server is still starting
        assert reply.json()["checks"] == {"catalog": "ok", "object_store": "ok", "queue": "ok"}, reply.text
    finally:
        redis.terminate()
        redis.wait(10)


def _crl_number(der: bytes) -> int:
    return x509.load_der_x509_crl(der).extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
