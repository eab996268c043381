"""Helpers for the HTTP API tests: the application under a real uvicorn server on loopback, settings from a clean
environment, and bearer tokens of users made in the catalog."""
from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from sohoa.api.app import create_app
from sohoa.settings import Settings
from storage.catalog import Catalog
from storage.users import add_user


@contextmanager
def serve_in_thread(settings: Settings) -> Iterator[str]:
    """The application under a uvicorn server in a thread, on a free loopback port; its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive()
            time.sleep(0.02)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def env_settings(data_dir: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    """Settings with no SOHOA_* variable but SOHOA_DATA_DIR and ``env``."""
    for name in [n for n in os.environ if n.startswith("SOHOA_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SOHOA_DATA_DIR", str(data_dir))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings.from_env()


def bearer(settings: Settings, name: str, role: str, agencies: list[str] | None = None) -> dict[str, str]:
    """The Authorization header of a new user."""
    token = add_user(Catalog.migrated(settings.database_url), name, role, agencies, actor="test-admin")
    return {"Authorization": f"Bearer {token}"}
