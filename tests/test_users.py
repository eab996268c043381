"""Users of the HTTP API: a token is shown once and only its hash is kept; roles and agencies come back with it."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sohoa.cli import app
from storage import audit
from storage.catalog import Catalog
from storage.schema import AuditEvent, User
from storage.users import (
    LOCK_MINUTES,
    MAX_FAILURES,
    Caller,
    SignInRefused,
    UserError,
    add_user,
    caller_for,
    list_users,
    new_token,
    revoke_token,
    session_caller,
    set_disabled,
    set_password,
    sign_in,
)


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


def test_a_person_signs_in_and_is_locked_out_after_five_failures(catalog: Catalog) -> None:
    add_user(catalog, "lan", "officer", ["H40.01"], actor="admin", password="mat-khau-cua-lan", token=False)
    login = sign_in(catalog, "lan", "mat-khau-cua-lan")
    assert login.caller == Caller("lan", "officer", frozenset({"H40.01"}))
    assert session_caller(catalog, login.session_id) == (login.caller, login.csrf)
    start = dt.datetime.now(dt.UTC)
    for attempt in range(MAX_FAILURES):
        with pytest.raises(SignInRefused) as refused:
            sign_in(catalog, "lan", "sai-mat-khau", at=start)
        assert (refused.value.locked_until is None) == (attempt < MAX_FAILURES - 1)
    with pytest.raises(SignInRefused, match="locked"):  # even the right password, while locked
        sign_in(catalog, "lan", "mat-khau-cua-lan", at=start + dt.timedelta(minutes=LOCK_MINUTES - 1))
    assert sign_in(catalog, "lan", "mat-khau-cua-lan", at=start + dt.timedelta(minutes=LOCK_MINUTES + 1))
    with pytest.raises(SignInRefused, match="unknown user"):
        sign_in(catalog, "nobody", "mat-khau-cua-lan")
    with catalog.engine.connect() as connection:
        results = [json.loads(d)["result"] for d in connection.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "sign-in").order_by(AuditEvent.seq))]
        assert results == ["ok", "bad", "bad", "bad", "bad", "bad", "locked", "ok", "unknown user"]
        assert "mat-khau" not in " ".join(connection.scalars(select(AuditEvent.details)))
        assert audit.verify(connection) == []


def test_disabling_or_a_new_password_ends_sessions_and_a_revoked_token_stops(catalog: Catalog) -> None:
    token = add_user(catalog, "hoa", "reviewer", None, actor="admin", password="mat-khau-cua-hoa")
    login = sign_in(catalog, "hoa", "mat-khau-cua-hoa")
    set_password(catalog, "hoa", "mat-khau-moi-cua-hoa", actor="admin")
    assert session_caller(catalog, login.session_id) is None
    with pytest.raises(SignInRefused):
        sign_in(catalog, "hoa", "mat-khau-cua-hoa")
    login = sign_in(catalog, "hoa", "mat-khau-moi-cua-hoa")
    set_disabled(catalog, "hoa", True, actor="admin")
    assert session_caller(catalog, login.session_id) is None and caller_for(catalog, token) is None
    with pytest.raises(SignInRefused, match="disabled"):
        sign_in(catalog, "hoa", "mat-khau-moi-cua-hoa")
    set_disabled(catalog, "hoa", False, actor="admin")
    assert caller_for(catalog, token) is not None
    revoke_token(catalog, "hoa", actor="admin")
    assert caller_for(catalog, token) is None and sign_in(catalog, "hoa", "mat-khau-moi-cua-hoa")
    assert caller_for(catalog, new_token(catalog, "hoa", actor="admin")).name == "hoa"
    with pytest.raises(UserError, match="at least 10 characters"):
        set_password(catalog, "hoa", "ngan", actor="admin")
    with pytest.raises(UserError, match="no user 'x'"):
        set_disabled(catalog, "x", True, actor="admin")
    stored = next(u for u in list_users(catalog) if u.name == "hoa")
    assert stored.has_password and stored.has_token and not stored.disabled


def test_cli_manages_people(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SOHOA_DATABASE_URL", raising=False)
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "thu", "--role", "scanner", "--agency", "H40.01", "--password-stdin"],
                          input="mat-khau-cua-thu\n")
    assert added.exit_code == 0, added.output
    assert "may now sign in" in added.output and "mat-khau" not in added.output
    catalog = Catalog.migrated(f"sqlite:///{tmp_path / 'catalog.db'}")
    assert sign_in(catalog, "thu", "mat-khau-cua-thu").caller.role == "scanner"
    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0 and "thu" in listed.output and "scanner" in listed.output
    reset = runner.invoke(app, ["users", "reset-password", "thu"])
    assert reset.exit_code == 0, reset.output
    assert sign_in(catalog, "thu", reset.stdout.strip().splitlines()[-1]).caller.name == "thu"
    assert runner.invoke(app, ["users", "disable", "thu"]).exit_code == 0
    assert "disabled" in runner.invoke(app, ["users", "list"]).output
    assert runner.invoke(app, ["users", "disable", "nobody"]).exit_code == 1
    token = runner.invoke(app, ["users", "new-token", "thu"]).stdout.strip().splitlines()[-1]
    assert caller_for(catalog, token) is None  # disabled
    assert runner.invoke(app, ["users", "enable", "thu"]).exit_code == 0 and caller_for(catalog, token)
    assert runner.invoke(app, ["users", "revoke-token", "thu"]).exit_code == 0 and not caller_for(catalog, token)
    short = runner.invoke(app, ["users", "add", "x", "--role", "officer", "--password-stdin"], input="ngan\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
