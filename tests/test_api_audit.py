"""The archivist's API for real (a uvicorn server on loopback): the audit log filtered and paged with the hash chain's
status, fixity runs started in the background and their results, and the dashboard's numbers as JSON."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from api_support import bearer, env_settings, serve_in_thread
from sqlalchemy import func, select, update
from storage_backends import StoreUnderTest
from storage_documents import store_sample

from sohoa.settings import Settings
from storage.catalog import Catalog
from storage.days import today
from storage.schema import AuditEvent, Document, ObjectRow

ROLES = {"archivist": ("luu.tru", "archivist", None), "h4002": ("luu.tru.h4002", "archivist", ["H40.02"]),
         "officer": ("can.bo", "officer", None), "admin": ("quan.tri", "admin", None)}


@dataclass
class Api:
    url: str
    settings: Settings
    catalog: Catalog
    headers: dict[str, dict[str, str]]

    def get(self, path: str, who: str | None = None, **params: object) -> httpx.Response:
        return httpx.get(self.url + path, params=params, headers=self.headers.get(who or "", {}), timeout=30)

    def post(self, path: str, who: str, body: dict) -> httpx.Response:
        return httpx.post(self.url + path, json=body, headers=self.headers[who], timeout=30)

    def fixity_run(self, everything: bool) -> dict:
        """Start a run, wait for its end; the status then."""
        assert self.post("/api/fixity", "archivist", {"all": everything}).status_code == 202
        for _ in range(200):
            status = self.get("/api/fixity", "archivist").json()
            if not status["state"]["running"]:
                return status
            time.sleep(0.05)
        raise AssertionError("the fixity run did not end")


@contextmanager
def serving(data_dir: Path) -> Iterator[Api]:
    """The sample documents of two agencies, stored as the pipeline stores them, and a user of each role."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = env_settings(data_dir, monkeypatch)
        catalog = Catalog.migrated(settings.database_url)
        store_sample(catalog, settings.object_store())
        headers = {who: bearer(settings, *user) for who, user in ROLES.items()}
        with serve_in_thread(settings) as url:
            yield Api(url, settings, catalog, headers)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving(tmp_path_factory.mktemp("audit-api")) as served:
        yield served


def _events(api: Api) -> list[AuditEvent]:
    with api.catalog.engine.connect() as connection:
        return list(connection.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())))


def test_the_log_needs_an_archivist(api: Api) -> None:
    assert api.get("/api/audit").status_code == 401
    for path in ("/api/audit", "/api/fixity", "/api/reports/dashboard"):
        assert api.get(path, "officer").status_code == 403, path
        assert api.get(path, "admin").status_code == 200, path
    refused = api.get("/api/audit", "h4002")  # an archivist of one agency: the log holds every agency's searches
    assert refused.status_code == 403 and "every agency" in refused.json()["detail"]


def test_the_log_newest_first_with_an_intact_chain(api: Api) -> None:
    answer = api.get("/api/audit", "archivist", limit=5).json()
    expected = _events(api)
    assert [e["seq"] for e in answer["items"]] == [e.seq for e in expected[:5]]
    first = answer["items"][0]
    assert (first["actor"], first["action"], first["subject"], first["hash"]) == (
        expected[0].actor, expected[0].action, expected[0].subject, expected[0].hash)
    assert answer["chain"] == {"intact": True, "events": len(expected), "problems": []}


def test_the_log_is_paged_by_its_cursor(api: Api) -> None:
    seen, cursor = [], None
    while True:
        page = api.get("/api/audit", "archivist", limit=7, **({"cursor": cursor} if cursor else {})).json()
        seen += [e["seq"] for e in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) >= 20
    assert set(seen) >= {e.seq for e in _events(api)[-20:]}  # down to the first event
    assert api.get("/api/audit", "archivist", cursor="abc").status_code == 400
    assert api.get("/api/audit", "archivist", action="delete").status_code == 422


def test_the_log_is_filtered(api: Api) -> None:
    signing = api.get("/api/audit", "archivist", action="signing", limit=200).json()["items"]
    assert len(signing) == 8 and {e["action"] for e in signing} == {"signing"}
    assert {e["subject"] for e in signing} >= {"bc-an v1", "qd-1816 v1"}
    by_actor = api.get("/api/audit", "archivist", actor="test-admin", limit=200).json()["items"]
    assert {e["action"] for e in by_actor} == {"user"} and len(by_actor) == len(ROLES)
    subject = api.get("/api/audit", "archivist", subject="QD-1816", limit=200).json()["items"]
    assert {e["subject"] for e in subject} == {"qd-1816 v1"} and {e["action"] for e in subject} == {"processing",
                                                                                                     "signing"}
    assert api.get("/api/audit", "archivist", since=today().isoformat()).json()["items"]
    later = (today() + dt.timedelta(days=1)).isoformat()
    assert api.get("/api/audit", "archivist", since=later).json()["items"] == []
    assert api.get("/api/audit", "archivist", until=(today() - dt.timedelta(days=1)).isoformat()).json() == {
        "items": [], "next": None, "chain": api.get("/api/audit", "archivist", limit=1).json()["chain"]}


def test_a_fixity_run_in_the_background_and_its_result(api: Api) -> None:
    with api.catalog.engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(ObjectRow))
    status = api.fixity_run(everything=True)
    assert status["state"]["everything"] is True and status["state"]["actor"] == "luu.tru"
    assert not status["state"]["failed"] and status["state"]["finished_at"]
    last = status["runs"][0]
    assert (last["checked"], last["missing"], last["changed"], last["everything"]) == (stored, 0, 0, True)
    assert status["objects"] == {"stored": stored, "due": 0, "problems": 0}
    again = api.fixity_run(everything=False)  # nothing is due any more
    assert again["runs"][0]["checked"] == 0 and again["runs"][1]["seq"] == last["seq"]


def test_the_dashboard_as_json(api: Api) -> None:
    board = api.get("/api/reports/dashboard", "archivist").json()
    with api.catalog.engine.connect() as connection:
        per_agency = dict(connection.execute(select(Document.agency, func.count()).where(Document.latest)
                                             .group_by(Document.agency)).all())
    assert {line["agency"]: line["documents"] for line in board["by_agency"]} == per_agency
    assert board["total"]["results_signed_share"] == 1.0 and board["until"] == today().isoformat()
    assert len(board["pages_per_day"]) == 30
    scoped = api.get("/api/reports/dashboard", "h4002").json()
    assert scoped["agencies"] == ["H40.02"] and scoped["total"]["documents"] == per_agency["H40.02"]
    assert api.get("/api/reports/dashboard", "h4002", agency="H40.01").status_code == 404
    assert api.get("/api/reports/dashboard", "archivist", since="2026-02-01", until="2026-01-01").status_code == 422
    window = api.get("/api/reports/dashboard", "archivist", since="2024-05-01", until="2024-05-05").json()
    assert [d["pages"] for d in window["pages_per_day"]] == [0, 0, 0, 8, 0]  # signed 08:00 in Vietnam on 4 May


def test_a_broken_chain_and_a_changed_object_are_named(tmp_path: Path) -> None:
    with serving(tmp_path / "data") as api:
        with api.catalog.engine.begin() as connection:
            connection.execute(update(AuditEvent).where(AuditEvent.seq == 5).values(subject="bc-an v9"))
            key = connection.scalar(select(ObjectRow.key).where(ObjectRow.key.like("docs/%.pdf")).limit(1))
        StoreUnderTest("local", api.settings.object_store(), root=api.settings.objects_dir).flip_byte(key)
        chain = api.get("/api/audit", "archivist").json()["chain"]
        assert not chain["intact"] and [p["seq"] for p in chain["problems"]] == [5]
        assert "no longer matches its hash" in chain["problems"][0]["reason"]
        last = api.fixity_run(everything=True)["runs"][0]
        assert (last["changed"], last["changed_keys"], last["missing"]) == (1, [key], 0)
