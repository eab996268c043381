"""One exit-status policy for every command (CONTRACT §1): 2 and one line on stderr for bad usage or configuration,
3 for a service that does not answer, never a traceback; checked before any page is read."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from storage_backends import free_port
from test_api_batches import redis_url  # noqa: F401 - a redis-server for the worker's health check
from typer.testing import CliRunner

from sohoa.cli import app

SECRET = "hunter2-s3cr3t"
SOHOA = str(Path(sys.executable).parent / "sohoa")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No SOHOA_* variable but SOHOA_DATA_DIR; a folder with one scan and an empty one."""
    for name in [n for n in os.environ if n.startswith("SOHOA_")]:
        monkeypatch.delenv(name)
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "a.png").write_bytes(b"not really a scan")
    (tmp_path / "empty").mkdir()
    return {"SOHOA_DATA_DIR": str(tmp_path / "data")}


def invoke(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """The exit status and stderr of a command run in this process."""
    result = CliRunner().invoke(app, args, env=env)
    assert not result.exception or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize("variable, value, message", [
    ("SOHOA_DATABASE_URL", "garbage", "error: SOHOA_DATABASE_URL is not a catalog URL (value not shown): expected "),
    ("SOHOA_RETENTION_YEARS", "x", "error: SOHOA_RETENTION_YEARS is 'x', expected a whole number of years"),
    ("SOHOA_MAX_FILE_BYTES", "abc", "error: SOHOA_MAX_FILE_BYTES is 'abc', expected a whole number above 0"),
    ("SOHOA_SIGNING_P12", "/nowhere/agency.p12", "error: SOHOA_SIGNING_P12 names no file: /nowhere/agency.p12"),
    ("SOHOA_S3_SECURE", "maybe", "error: SOHOA_S3_SECURE is 'maybe', expected 1 or 0"),
    ("SOHOA_SIGNATURE_LEVEL", "B-Z", "error: SOHOA_SIGNATURE_LEVEL is 'B-Z', expected B-B, B-T, B-LT or B-LTA"),
    ("SOHOA_OCR_LANG", "xyz", "error: SOHOA_OCR_LANG is 'xyz', but Tesseract has no xyz (it has "),
    ("SOHOA_LOG_LEVEL", "loud", "error: SOHOA_LOG_LEVEL is 'loud', expected DEBUG, INFO"),
])
def test_bad_configuration_ends_process_before_any_page(env: dict[str, str], tmp_path: Path, variable: str,
                                                        value: str, message: str) -> None:
    code, stderr = invoke(["process", str(tmp_path / "scans"), "--out", str(tmp_path / "out")],
                          {**env, variable: value})
    assert code == 2 and one_line(stderr).startswith(message)
    assert not (tmp_path / "out").exists() and not (tmp_path / "data").exists()  # nothing read, nothing made


def test_bad_configuration_ends_every_command(env: dict[str, str]) -> None:
    for args in (["search", "x"], ["fixity"], ["users", "list"], ["verify", "x.pdf"], ["keys", "show"],
                 ["db", "upgrade"], ["audit", "verify"]):
        code, stderr = invoke(args, {**env, "SOHOA_RETENTION_YEARS": "x"})
        assert code == 2 and one_line(stderr).startswith("error: SOHOA_RETENTION_YEARS is 'x'"), args


def test_an_unreadable_secret_file(env: dict[str, str], tmp_path: Path) -> None:
    code, stderr = invoke(["search", "x"], {**env, "SOHOA_DATABASE_URL_FILE": str(tmp_path / "none")})
    assert code == 2 and one_line(stderr) == (
        f"error: SOHOA_DATABASE_URL_FILE names no readable file: {tmp_path / 'none'} (No such file or directory)")


@pytest.mark.parametrize("inputs, out, message", [
    (["empty"], "out", "error: nothing to process: {tmp}/empty holds no files"),
    (["scans"], "scans/a.png", "error: --out names a file, not a folder: {tmp}/scans/a.png"),
    (["nowhere"], "out", "error: no such file or folder: {tmp}/nowhere"),
])
def test_bad_usage_of_process(env: dict[str, str], tmp_path: Path, inputs: list[str], out: str,
                              message: str) -> None:
    code, stderr = invoke(["process", *(str(tmp_path / i) for i in inputs), "--out", str(tmp_path / out)], env)
    assert code == 2 and one_line(stderr).startswith(message.format(tmp=tmp_path))


def test_an_unreachable_object_store(env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    s3 = {**env, "SOHOA_S3_ENDPOINT": f"127.0.0.1:{port}", "SOHOA_S3_SECURE": "0", "SOHOA_S3_ACCESS_KEY": "sohoa",
          "SOHOA_S3_SECRET_KEY": SECRET}
    for args in (["process", str(tmp_path / "scans"), "--out", str(tmp_path / "out")], ["fixity"], ["audit", "verify"]):
        code, stderr = invoke(args, s3)
        assert code == 3 and one_line(stderr) == (
            f"error: the object store at SOHOA_S3_ENDPOINT (127.0.0.1:{port}) does not answer: Connection refused")
    assert not list((tmp_path / "out").iterdir())  # not one page read


def test_an_unreachable_catalog(env: dict[str, str]) -> None:
    port = free_port()
    code, stderr = invoke(["search", "x"], {**env, "SOHOA_DATABASE_URL": f"postgresql://sohoa@127.0.0.1:{port}/sohoa",
                                            "SOHOA_DATABASE_PASSWORD": SECRET})
    line = one_line(stderr)
    assert code == 3 and line.startswith(f"error: the catalog (PostgreSQL at 127.0.0.1:{port}) does not answer: ")
    assert "Connection refused" in line and SECRET not in line


def test_an_unreachable_queue_and_timestamp_authority(env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    code, stderr = invoke(["worker", "--check"], {**env, "SOHOA_REDIS_URL": f"redis://:{SECRET}@127.0.0.1:{port}/0"})
    line = one_line(stderr)
    assert code == 3 and line.startswith(f"error: the queue at SOHOA_REDIS_URL (127.0.0.1:{port}) does not answer")
    assert SECRET not in line
    code, stderr = invoke(["process", str(tmp_path / "scans"), "--out", str(tmp_path / "out")],
                          {**env, "SOHOA_TSA_URL": f"http://127.0.0.1:{port}/tsa"})
    assert code == 3 and one_line(stderr) == (
        f"error: the timestamp authority at SOHOA_TSA_URL (127.0.0.1:{port}) does not answer: Connection refused")


def test_the_worker_health_check(env: dict[str, str], redis_url: str) -> None:  # noqa: F811 - the fixture
    """`sohoa worker --check` (the container's health check) checks, and changes nothing: not even the schema."""
    worker = {**env, "SOHOA_REDIS_URL": redis_url}
    code, stderr = invoke(["worker", "--check"], worker)
    assert code == 2 and one_line(stderr).endswith("run `sohoa db upgrade`")
    assert invoke(["db", "upgrade"], worker)[0] == 0
    result = CliRunner().invoke(app, ["worker", "--check"], env=worker)
    assert result.exit_code == 0 and result.stdout.startswith("ready:"), result.output


def test_a_worker_metrics_port_taken(env: dict[str, str], redis_url: str) -> None:  # noqa: F811 - the fixture
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, stderr = invoke(["worker", "--burst"], {**env, "SOHOA_REDIS_URL": redis_url,
                                                      "SOHOA_METRICS_PORT": str(port)})
    assert code == 2 and one_line(stderr) == (
        f"error: SOHOA_METRICS_PORT: port {port} cannot be listened on (Address already in use)")


@pytest.fixture
def installed_env(env: dict[str, str]) -> Iterator[dict[str, str]]:
    yield {**env, "PATH": os.environ["PATH"], "SOHOA_LOG_FORMAT": "json"}


def test_the_installed_command(installed_env: dict[str, str], tmp_path: Path) -> None:
    """The `sohoa` program itself: one line, the status, no traceback; its log lines are JSON."""
    bad = subprocess.run([SOHOA, "search", "x"], capture_output=True, text=True,
                         env={**installed_env, "SOHOA_DATABASE_URL": "garbage"})
    assert bad.returncode == 2 and one_line(bad.stderr).startswith("error: SOHOA_DATABASE_URL is not a catalog URL")
    down = subprocess.run([SOHOA, "db", "upgrade"], capture_output=True, text=True,
                          env={**installed_env, "SOHOA_S3_ENDPOINT": "127.0.0.1:1", "SOHOA_LOG_LEVEL": "debug",
                               "SOHOA_DATABASE_URL": f"postgresql://sohoa:{SECRET}@127.0.0.1:{free_port()}/x"})
    assert down.returncode == 3 and "Traceback" not in down.stderr and SECRET not in down.stderr
    *logged, last = down.stderr.splitlines()
    assert last.startswith("error: the catalog (PostgreSQL at 127.0.0.1:") and all(json.loads(x) for x in logged)
