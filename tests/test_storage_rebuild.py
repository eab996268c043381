"""The catalog rebuilt from the object store alone answers as before; the CLI's search, reuse and get."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import func, select
from storage_backends import StoreUnderTest
from storage_documents import AN_ID, document, store_document, store_sample
from typer.testing import CliRunner

from sohoa.cli import app
from storage import audit
from storage.catalog import Catalog
from storage.fixity import check_fixity
from storage.objects import LocalStore
from storage.rebuild import rebuild
from storage.reuse import find_person
from storage.schema import AuditEvent, Batch
from storage.search import SearchQuery, search

QUERIES = [SearchQuery(), SearchQuery(name="nguyen van an"), SearchQuery(text="dat dai"), SearchQuery(text="AN HOA"),
           SearchQuery(personal_id=AN_ID), SearchQuery(doc_type="birth_certificate"), SearchQuery(number="245/ubnd-vp"),
           SearchQuery(agency="H40.02"), SearchQuery(name="pham duc dat")]


def answers(catalog: Catalog) -> list:
    found = [[item["id"] for item in search(catalog, q, actor="t", limit=100).items] for q in QUERIES]
    person = find_person(catalog, AN_ID, actor="t").to_dict()
    return [found, person]


def test_a_rebuilt_catalog_answers_the_same(store_under_test: StoreUnderTest, catalog: Catalog,
                                            tmp_path: Path) -> None:
    store = store_under_test.store
    store_sample(catalog, store)
    store_document(catalog, store, document("bc-an", "birth_certificate",
                                            {"full_name": "NGUYỄN VĂN AN", "personal_id": AN_ID,
                                             "date_of_birth": "1990-03-15"}, batch="20240504T080000-H4001",
                                            version=2))  # a corrected version
    before = answers(catalog)
    with catalog.engine.connect() as connection:
        batches_before = connection.execute(select(Batch.id, Batch.kind, Batch.manifest).order_by(Batch.id)).all()
    report = rebuild(catalog, store, actor="archivist")
    assert (report.documents, report.batches, report.raw_objects) == (9, 2, 0)
    assert answers(catalog) == before
    with catalog.engine.connect() as connection:
        assert connection.execute(select(Batch.id, Batch.kind, Batch.manifest).order_by(Batch.id)).all() == \
            batches_before
        assert connection.scalar(select(func.count()).where(AuditEvent.action == "rebuild")) == 1
    lose_everything(catalog)  # the catalog is lost, audit log included: only the object store is left
    fresh = Catalog.migrated(catalog.engine.url.render_as_string(hide_password=False))
    rebuild(fresh, store, actor="archivist")
    assert answers(fresh) == before
    assert check_fixity(fresh, store, actor="archivist").checked == 18  # and the new audit log is anchored
    assert fresh.document("bc-an", 1).version == 1
    with fresh.engine.connect() as connection:
        assert audit.verify(connection, store) == []


def lose_everything(catalog: Catalog) -> None:
    config = Config()
    config.set_main_option("script_location", "storage:migrations")
    with catalog.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    catalog.engine.dispose()


def test_raw_scans_and_batches_without_a_record_are_rebuilt(tmp_path: Path) -> None:
    store, catalog = LocalStore(tmp_path / "objects"), Catalog.migrated(f"sqlite:///{tmp_path / 'c.db'}")
    catalog.add_raw_object(store.put("raw/H40.01/b9/ab.png", b"scan", "image/png"), "b9", "thu")
    store_document(catalog, store, document("bc-9", "birth_certificate", {"full_name": "VŨ THỊ NGA"}, batch="b9"))
    report = rebuild(catalog, store, actor="archivist")  # b9 never finished: it has no batch.json
    assert (report.documents, report.batches, report.raw_objects) == (1, 1, 1)
    assert catalog.batch("b9").status == "unknown" and check_fixity(catalog, store, actor="a").checked == 3


@pytest.fixture
def cli_env(catalog_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Catalog]:
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOHOA_DATABASE_URL", catalog_url)
    catalog = Catalog.migrated(catalog_url)
    store_sample(catalog, LocalStore(tmp_path / "objects"))
    yield catalog
    catalog.engine.dispose()


def test_cli_search_json_is_the_api_answer(cli_env: Catalog) -> None:
    result = CliRunner().invoke(app, ["search", "nguyen van an", "--type", "birth_certificate", "--format", "json",
                                      "--limit", "1", "--actor", "officer"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert set(answer) == {"items", "next"} and len(answer["items"]) == 1 and answer["next"]
    again = CliRunner().invoke(app, ["search", "nguyen van an", "--type", "birth_certificate", "--format", "json",
                                     "--cursor", answer["next"]])
    assert {i["id"] for i in answer["items"] + json.loads(again.output)["items"]} == {"bc-an", "bc-khoi"}
    table = CliRunner().invoke(app, ["search", "--personal-id", AN_ID])
    assert table.exit_code == 0 and "cccd-an" in table.output
    assert CliRunner().invoke(app, ["search", "--date-from", "15/03/1990"]).exit_code == 2
    register = CliRunner().invoke(app, ["search", "--type", "birth_register_page"], env={"COLUMNS": "200"})
    assert "3 entries: NGUYỄN VĂN AN, NGUYỄN VĂN AN, PHẠM ĐỨC ĐẠT" in register.output  # who a register page names


def test_cli_reuse_and_get(cli_env: Catalog, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["reuse", AN_ID, "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output)["names"] == ["NGUYỄN VĂN AN"]
    out = tmp_path / "copy.pdf"
    result = CliRunner().invoke(app, ["get", "kh-an-hoa", "--out", str(out), "--actor", "officer"])
    assert result.exit_code == 0 and out.read_bytes().startswith(b"%PDF") and b"kh-an-hoa" in out.read_bytes()
    assert CliRunner().invoke(app, ["get", "no-such-doc", "--out", str(out)]).exit_code == 1
    (tmp_path / "objects/docs/H40.01/bc-an/v1.pdf").chmod(0o644)
    (tmp_path / "objects/docs/H40.01/bc-an/v1.pdf").write_bytes(b"%PDF-1.7 forged")
    result = CliRunner().invoke(app, ["get", "bc-an", "--out", str(tmp_path / "forged.pdf")])
    assert result.exit_code == 1 and "changed" in result.output and not (tmp_path / "forged.pdf").exists()
