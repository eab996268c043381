"""The SOHOA_* variables read once and checked (CONTRACT §4): each bad value named in one line with what is
expected, secrets never shown, any variable given as <NAME>_FILE."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from ingest.limits import Limits
from ocr.engine import OcrConfig
from sohoa.exits import ConfigError
from sohoa.settings import Settings

SECRET = "hunter2-s3cr3t"


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No SOHOA_* variable but SOHOA_DATA_DIR."""
    for name in [n for n in os.environ if n.startswith("SOHOA_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path / "data"))


def refused(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        Settings.from_env()
    return str(caught.value)


def test_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env()
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'catalog.db'}"
    assert (settings.agency, settings.ocr, settings.s3, settings.log_level) == ("LOCAL", OcrConfig(), None, "INFO")
    assert settings.limits == Limits() and settings.log_format is None and settings.signature_visible
    assert settings.metrics_port is None and settings.metrics_token is None


@pytest.mark.parametrize("variable, value, expected", [
    ("SOHOA_DATABASE_URL", "garbage", "SOHOA_DATABASE_URL is not a catalog URL (value not shown): expected sqlite:///"),
    ("SOHOA_DATABASE_URL", "mysql://u@h/db", "SOHOA_DATABASE_URL is not a catalog URL"),
    ("SOHOA_RETENTION_YEARS", "x", "SOHOA_RETENTION_YEARS is 'x', expected a whole number of years"),
    ("SOHOA_RETENTION_YEARS", "-1", "SOHOA_RETENTION_YEARS is '-1', expected a whole number of years"),
    ("SOHOA_MAX_FILE_BYTES", "abc", "SOHOA_MAX_FILE_BYTES is 'abc', expected a whole number above 0"),
    ("SOHOA_MAX_PAGES", "0", "SOHOA_MAX_PAGES is '0', expected a whole number above 0"),
    ("SOHOA_SIGNING_P12", "/nowhere/agency.p12", "SOHOA_SIGNING_P12 names no file: /nowhere/agency.p12"),
    ("SOHOA_TRUST_ROOTS", "/nowhere/a.pem:/nowhere/b.pem", "SOHOA_TRUST_ROOTS names no file: /nowhere/a.pem, "),
    ("SOHOA_S3_SECURE", "maybe", "SOHOA_S3_SECURE is 'maybe', expected 1 or 0"),
    ("SOHOA_S3_ENDPOINT", "http://minio:9000", "SOHOA_S3_ENDPOINT is 'http://minio:9000', expected HOST:PORT"),
    ("SOHOA_S3_BUCKET", "My_Bucket", "SOHOA_S3_BUCKET is 'My_Bucket', expected an S3 bucket name"),
    ("SOHOA_SIGNATURE_LEVEL", "B-Z", "SOHOA_SIGNATURE_LEVEL is 'B-Z', expected B-B, B-T, B-LT or B-LTA"),
    ("SOHOA_SIGNATURE_VISIBLE", "perhaps", "SOHOA_SIGNATURE_VISIBLE is 'perhaps', expected 1 or 0"),
    ("SOHOA_OCR_LANG", "vie eng", "SOHOA_OCR_LANG is 'vie eng', expected Tesseract languages"),
    ("SOHOA_OCR_TIMEOUT", "0", "SOHOA_OCR_TIMEOUT is '0', expected a number of seconds, above 0"),
    ("SOHOA_OCR_TIMEOUT", "2 min", "SOHOA_OCR_TIMEOUT is '2 min', expected a number of seconds, above 0"),
    ("SOHOA_AGENCY", "../H40", "SOHOA_AGENCY is '../H40', expected an agency code"),
    ("SOHOA_RETENTION_CLASSES", "dossier=ten", "SOHOA_RETENTION_CLASSES is 'dossier=ten', expected CLASS=YEARS"),
    ("SOHOA_TSA_URL", "tsa.example.org", "SOHOA_TSA_URL is 'tsa.example.org', expected an http:// or https://"),
    ("SOHOA_PUBLIC_URL", "ftp://example.org", "SOHOA_PUBLIC_URL is 'ftp://example.org', expected an http://"),
    ("SOHOA_LOG_LEVEL", "loud", "SOHOA_LOG_LEVEL is 'loud', expected DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    ("SOHOA_LOG_FORMAT", "xml", "SOHOA_LOG_FORMAT is 'xml', expected json or text"),
    ("SOHOA_METRICS_PORT", "0", "SOHOA_METRICS_PORT is '0', expected a TCP port, 1 to 65535"),
    ("SOHOA_METRICS_PORT", "metrics", "SOHOA_METRICS_PORT is 'metrics', expected a TCP port, 1 to 65535"),
])
def test_a_bad_value_is_named_with_what_is_expected(monkeypatch: pytest.MonkeyPatch, variable: str, value: str,
                                                      expected: str) -> None:
    message = refused(monkeypatch, **{variable: value})
    assert message.startswith(expected) and "\n" not in message


def test_every_bad_value_is_named_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    message = refused(monkeypatch, SOHOA_RETENTION_YEARS="x", SOHOA_S3_SECURE="maybe", SOHOA_MAX_PAGES="many")
    assert "\n" not in message and message.count(";") == 2
    assert all(name in message for name in ("SOHOA_RETENTION_YEARS", "SOHOA_S3_SECURE", "SOHOA_MAX_PAGES"))


@pytest.mark.parametrize("env, expected", [
    ({"SOHOA_SIGNATURE_LEVEL": "B-LT"}, "SOHOA_SIGNATURE_LEVEL=B-LT needs a timestamp authority: set SOHOA_TSA_URL"),
    ({"SOHOA_PKCS11_MODULE": "/bin/sh"}, "SOHOA_PKCS11_MODULE needs SOHOA_PKCS11_TOKEN and SOHOA_PKCS11_KEY as well"),
    ({"SOHOA_DATABASE_PASSWORD": "pw"}, "SOHOA_DATABASE_PASSWORD needs a postgresql:// SOHOA_DATABASE_URL"),
])
def test_variables_that_need_others(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str) -> None:
    assert refused(monkeypatch, **env) == expected


@pytest.mark.parametrize("variable, value", [
    ("SOHOA_REDIS_URL", f"http://user:{SECRET}@redis:6379"),
    ("SOHOA_DATABASE_URL", f"oracle://user:{SECRET}@db/x"),
    ("SOHOA_DATABASE_URL", f"postgresql://user:{SECRET}@db:notaport/x"),
])
def test_a_secret_is_never_shown(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    message = refused(monkeypatch, **{variable: value})
    assert variable in message and "value not shown" in message and SECRET not in message


def test_the_settings_repr_hides_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATABASE_URL", f"postgresql://sohoa:{SECRET}@db:5432/sohoa")
    monkeypatch.setenv("SOHOA_REDIS_URL", f"redis://:{SECRET}@redis:6379/0")
    monkeypatch.setenv("SOHOA_S3_ENDPOINT", "s3.example.org:9000")
    monkeypatch.setenv("SOHOA_S3_SECRET_KEY", SECRET)
    monkeypatch.setenv("SOHOA_METRICS_TOKEN", SECRET)
    assert SECRET not in repr(Settings.from_env())


def test_values_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """<NAME>_FILE holds the value (a Docker secret): its final line break is not part of it."""
    (tmp_path / "key").write_text(f"{SECRET}\n")
    (tmp_path / "years").write_text("7\n")
    monkeypatch.setenv("SOHOA_S3_ENDPOINT", "s3.example.org:9000")
    monkeypatch.setenv("SOHOA_S3_SECRET_KEY_FILE", str(tmp_path / "key"))
    monkeypatch.setenv("SOHOA_RETENTION_YEARS_FILE", str(tmp_path / "years"))
    monkeypatch.setenv("SOHOA_METRICS_TOKEN_FILE", str(tmp_path / "key"))
    settings = Settings.from_env()
    assert settings.s3.secret_key == SECRET and settings.retention_years == 7 and settings.metrics_token == SECRET


def test_bad_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "secure").write_text("maybe\n")
    assert refused(monkeypatch, SOHOA_S3_SECURE_FILE=str(tmp_path / "secure")) == (
        "SOHOA_S3_SECURE_FILE is 'maybe', expected 1 or 0 (also true/false, yes/no, on/off)")
    monkeypatch.delenv("SOHOA_S3_SECURE_FILE")
    assert refused(monkeypatch, SOHOA_S3_SECRET_KEY_FILE=str(tmp_path / "none")) == (
        f"SOHOA_S3_SECRET_KEY_FILE names no readable file: {tmp_path / 'none'} (No such file or directory)")
    (tmp_path / "key").write_text(SECRET)
    assert refused(monkeypatch, SOHOA_S3_SECRET_KEY_FILE=str(tmp_path / "key"), SOHOA_S3_SECRET_KEY="other") == (
        "SOHOA_S3_SECRET_KEY and SOHOA_S3_SECRET_KEY_FILE are both set: give one of them")


def test_the_database_password_goes_into_the_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SOHOA_DATABASE_PASSWORD(_FILE): a password with URL characters needs no %-encoding by hand."""
    password = "p@ss:w/rd%?#"
    (tmp_path / "pw").write_text(password + "\n")
    monkeypatch.setenv("SOHOA_DATABASE_URL", "postgresql://sohoa@postgres:5432/sohoa")
    monkeypatch.setenv("SOHOA_DATABASE_PASSWORD_FILE", str(tmp_path / "pw"))
    url = make_url(Settings.from_env().database_url)
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "sohoa", password, "postgres", 5432, "sohoa")


def test_the_settings_carry_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_MAX_FILE_BYTES", "1000")
    monkeypatch.setenv("SOHOA_MAX_PAGES", "7")
    monkeypatch.setenv("SOHOA_MAX_PAGE_PIXELS", "4000000")
    monkeypatch.setenv("SOHOA_MAX_UPLOAD_BYTES", "5000")
    assert Settings.from_env().limits == Limits(1000, 7, 4_000_000, 5000)


def test_the_settings_carry_the_ocr_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_OCR_LANG", "vie+eng")
    monkeypatch.setenv("SOHOA_OCR_TIMEOUT", "45.5")
    assert Settings.from_env().ocr == OcrConfig("vie+eng", 45.5)


def test_the_metrics_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_METRICS_PORT", "9100")
    monkeypatch.setenv("SOHOA_METRICS_TOKEN", SECRET)
    settings = Settings.from_env()
    assert (settings.metrics_port, settings.metrics_token) == (9100, SECRET)


def test_names_are_read_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_LOG_LEVEL", "debug")
    monkeypatch.setenv("SOHOA_LOG_FORMAT", "JSON")
    monkeypatch.setenv("SOHOA_SIGNATURE_LEVEL", "b-b")
    settings = Settings.from_env()
    assert (settings.log_level, settings.log_format, settings.signature_level) == ("DEBUG", "json", "PAdES-B-B")
