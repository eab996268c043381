"""Users of the HTTP API: a token is shown once and only its hash is kept; roles and agencies come back with it."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sohoa.cli import app
from storage import audit
from storage.catalog import Catalog
from storage.schema import AuditEvent, User
from storage.users import Caller, UserError, add_user, caller_for


def test_a_token_finds_its_user_and_only_its_hash_is_kept(catalog: Catalog) -> None:
    token = add_user(catalog, "Nguyễn Thị Lan", "officer", ["H40.01", "H40.02", "H40.01"], actor="admin")
    assert caller_for(catalog, token) == Caller("Nguyễn Thị Lan", "officer", frozenset({"H40.01", "H40.02"}))
    assert caller_for(catalog, token + "x") is None
    with catalog.engine.connect() as connection:
        stored = connection.execute(select(User.token_sha256)).scalar_one()
        assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored
        event = connection.execute(select(AuditEvent.actor, AuditEvent.subject).where(AuditEvent.action == "user"))
        assert event.one() == ("admin", "Nguyễn Thị Lan")
        assert audit.verify(connection) == []
    everywhere = caller_for(catalog, add_user(catalog, "archivist-1", "archivist", None, actor="admin"))
    assert everywhere.agencies is None and everywhere.sees("ANY") and not caller_for(catalog, token).sees("ANY")


@pytest.mark.parametrize("name, role, message", [("x", "boss", "unknown role 'boss'"), (" ", "officer", "a name"),
                                                 ("Nguyễn Thị Lan", "scanner", "already a user")])
def test_bad_users_are_refused(catalog: Catalog, name: str, role: str, message: str) -> None:
    add_user(catalog, "Nguyễn Thị Lan", "officer", None, actor="admin")
    with pytest.raises(UserError, match=message):
        add_user(catalog, name, role, None, actor="admin")


def test_cli_prints_the_token_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SOHOA_DATABASE_URL", raising=False)
    done = CliRunner().invoke(app, ["users", "add", "scanner-1", "--role", "scanner", "--agency", "H40.01"])
    assert done.exit_code == 0, done.output
    token = done.stdout.strip().splitlines()[-1]
    assert caller_for(Catalog.migrated(f"sqlite:///{tmp_path / 'catalog.db'}"), token).role == "scanner"
    assert CliRunner().invoke(app, ["users", "add", "x", "--role", "boss"]).exit_code == 2
