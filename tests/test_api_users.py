"""The administrator's API for real: users added, disabled and enabled, a new password, tokens answered once and
revoked, every change audited; the agencies known; the signer in use."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from api_support import bearer, env_settings, serve_in_thread
from sqlalchemy import select

from storage.catalog import Catalog
from storage.schema import AuditEvent, User
from storage.users import SignInRefused, sign_in

PASSWORD = "mat-khau-moi-dai-1"


@dataclass
class Api:
    url: str
    catalog: Catalog
    admin: dict[str, str]
    archivist: dict[str, str]

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None) -> httpx.Response:
        return httpx.request(method, self.url + path, json=body, headers=self.admin if headers is None else headers,
                             timeout=30)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = env_settings(tmp_path_factory.mktemp("users-api"), monkeypatch)
        catalog = Catalog.migrated(settings.database_url)
        catalog.start_batch("20240504T080000-H4001", "H40.01", "result",
                            {"agency": "H40.01", "agency_name": "UBND xã An Hòa"})
        admin = bearer(settings, "quan.tri", "admin")
        archivist = bearer(settings, "luu.tru", "archivist", ["H40.01"])
        with serve_in_thread(settings) as url:
            yield Api(url, catalog, admin, archivist)


def test_only_an_admin_may(api: Api) -> None:
    for method, path in (("GET", "/api/users"), ("POST", "/api/users"), ("GET", "/api/agencies"),
                         ("GET", "/api/signer"), ("POST", "/api/users/luu.tru/token")):
        assert api.call(method, path, {}, api.archivist).status_code == 403, path
        assert api.call(method, path, {}, {}).status_code == 401, path


def test_a_person_added_signs_in_and_a_client_gets_its_token_once(api: Api) -> None:
    added = api.call("POST", "/api/users", {"name": "lan.an.hoa", "role": "officer", "agencies": ["H40.01"],
                                            "password": PASSWORD})
    assert added.status_code == 201 and added.json()["token"] is None
    user = added.json()["user"]
    assert (user["role"], user["agencies"], user["has_password"], user["has_token"], user["disabled"]) == (
        "officer", ["H40.01"], True, False, False)
    assert sign_in(api.catalog, "lan.an.hoa", PASSWORD).caller.agencies == {"H40.01"}
    client = api.call("POST", "/api/users", {"name": "he.thong.mot.cua", "role": "officer", "token": True}).json()
    assert client["user"]["agencies"] is None and not client["user"]["has_password"]
    found = httpx.get(f"{api.url}/api/documents", headers={"Authorization": f"Bearer {client['token']}"})
    assert found.status_code == 200
    assert "token" not in api.call("GET", "/api/users/he.thong.mot.cua").json()
    names = [u["name"] for u in api.call("GET", "/api/users").json()["items"]]
    assert names == sorted(names) and {"lan.an.hoa", "he.thong.mot.cua", "quan.tri"} <= set(names)


@pytest.mark.parametrize(("body", "status"), [
    ({"name": "quan.tri", "role": "officer"}, 409),
    ({"name": "x", "role": "boss"}, 422),
    ({"name": "x", "role": "officer", "password": "ngan"}, 422),
    ({"name": "x", "role": "officer", "agencies": ["H40 01"]}, 422),
])
def test_bad_new_users_are_refused(api: Api, body: dict, status: int) -> None:
    assert api.call("POST", "/api/users", body).status_code == status


def test_disable_enable_password_and_tokens(api: Api) -> None:
    api.call("POST", "/api/users", {"name": "thu", "role": "scanner", "password": PASSWORD})
    token = api.call("POST", "/api/users/thu/token").json()["token"]
    as_thu = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{api.url}/api/batches", headers=as_thu).status_code == 200
    disabled = api.call("PUT", "/api/users/thu/disabled", {"disabled": True}).json()
    assert disabled["disabled"] and httpx.get(f"{api.url}/api/batches", headers=as_thu).status_code == 401
    with pytest.raises(SignInRefused):
        sign_in(api.catalog, "thu", PASSWORD)
    assert not api.call("PUT", "/api/users/thu/disabled", {"disabled": False}).json()["disabled"]
    assert api.call("PUT", "/api/users/thu/password", {"password": "mat-khau-thu-hai"}).json()["has_password"]
    assert sign_in(api.catalog, "thu", "mat-khau-thu-hai").caller.name == "thu"
    assert api.call("PUT", "/api/users/thu/password", {"password": "ngan"}).status_code == 422
    assert not api.call("DELETE", "/api/users/thu/token").json()["has_token"]
    assert httpx.get(f"{api.url}/api/batches", headers=as_thu).status_code == 401
    with api.catalog.engine.connect() as connection:
        changes = connection.execute(select(AuditEvent.actor, AuditEvent.details).where(
            AuditEvent.action == "user", AuditEvent.subject == "thu").order_by(AuditEvent.seq)).all()
    assert [c.actor for c in changes] == ["quan.tri"] * 6
    assert [c.details.split('"change":"')[1].split('"')[0] for c in changes] == [
        "added", "new token", "disabled", "enabled", "password", "token revoked"]


def test_unknown_users_and_disabling_oneself(api: Api) -> None:
    for method, path, body in (("GET", "/api/users/khong.co", None), ("PUT", "/api/users/khong.co/disabled",
                                                                       {"disabled": True}),
                               ("POST", "/api/users/khong.co/token", None), ("DELETE", "/api/users/khong.co/token",
                                                                            None)):
        assert api.call(method, path, body).status_code == 404, path
    assert api.call("PUT", "/api/users/quan.tri/disabled", {"disabled": True}).status_code == 409


def test_the_agencies_and_the_signer(api: Api) -> None:
    agencies = {a["code"]: a for a in api.call("GET", "/api/agencies").json()["items"]}
    with api.catalog.engine.connect() as connection:
        given = sum("H40.01" in (codes or ()) for codes in connection.scalars(select(User.agencies)))
    assert agencies["H40.01"] == {"code": "H40.01", "name": "UBND xã An Hòa", "batches": 1, "users": given}
    signer = api.call("GET", "/api/signer").json()
    assert signer["development"] and signer["level"] == "PAdES-B-B" and not signer["timestamps"]
    assert signer["crl_urls"] and signer["crl_urls"][0].endswith("/keys/dev-ca.crl") and not signer["expired"]
