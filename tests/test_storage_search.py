"""Search, reuse and versions over a real catalog, on SQLite and on PostgreSQL."""
from __future__ import annotations

import datetime as dt
import multiprocessing
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, func, inspect, select, text
from storage_documents import AN_ID, HOA_ID, document, store_document, store_sample

from storage import audit
from storage.catalog import Catalog, CatalogError
from storage.objects import LocalStore
from storage.reuse import find_person
from storage.schema import AuditEvent
from storage.search import BadCursor, SearchQuery, search


@pytest.fixture
def sample(catalog: Catalog, tmp_path: Path) -> Catalog:
    store_sample(catalog, LocalStore(tmp_path / "objects"))
    return catalog


def ids(catalog: Catalog, **query: object) -> list[str]:
    return [item["id"] for item in search(catalog, SearchQuery(**query), actor="officer", limit=100).items]


@pytest.mark.parametrize("typed", ["nguyen van an", "NGUYEN VAN AN", "Nguyễn Văn An",
                                   "nguye\u0302\u0303n  va\u0306n an"])  # typed decomposed, two spaces
def test_names_are_found_without_diacritics_in_any_case(sample: Catalog, typed: str) -> None:
    expected = {"bc-an", "cccd-an", "kh-an-hoa", "bc-khoi", "so-ks-1990"}  # also as husband, father, register entry
    assert set(ids(sample, name=typed)) == expected
    assert expected <= set(ids(sample, text=typed))


def test_d_with_stroke_folds_to_d(sample: Catalog) -> None:
    assert set(ids(sample, name="dang thi ut")) == {"kt-ut"}
    assert set(ids(sample, name="do van duc")) == {"qd-1816"}
    assert set(ids(sample, text="dat dai")) == {"qd-1816", "cv-245"}


def test_a_name_is_the_whole_name_and_text_finds_its_parts(sample: Catalog) -> None:
    assert ids(sample, name="nguyen van") == [] and ids(sample, name="van an") == []
    assert ids(sample, name="nguyen van a") == []  # "a" is not the word "an"
    assert set(ids(sample, text="van an")) >= {"bc-an", "cccd-an", "kh-an-hoa", "bc-khoi", "so-ks-1990"}


def test_filters(sample: Catalog) -> None:
    assert set(ids(sample, personal_id=AN_ID)) == {"bc-an", "cccd-an", "kh-an-hoa"}
    assert set(ids(sample, personal_id=HOA_ID)) == {"kh-an-hoa"}
    assert set(ids(sample, doc_type="birth_certificate")) == {"bc-an", "bc-khoi"}
    assert ids(sample, number="1816/qđ-ubnd") == ["qd-1816"]
    assert ids(sample, number="245/UBND-VP") == ["cv-245"]
    assert set(ids(sample, agency="H40.02")) == {"cccd-an", "qd-1816"}
    assert set(ids(sample, batch="20240504T080000-H4002")) == {"cccd-an", "qd-1816"}
    assert set(ids(sample, date_from=dt.date(2021, 12, 30), date_to=dt.date(2021, 12, 30))) == {"kt-ut"}
    assert set(ids(sample, date_from=dt.date(2024, 1, 1))) == {"cccd-an", "cv-245"}  # an expiry date, an issue date
    assert ids(sample, name="nguyen van an", doc_type="citizen_id", personal_id=AN_ID) == ["cccd-an"]
    assert ids(sample, text="kinh gui tam dao", agency="H40.02") == []


def test_allowed_agencies_limit_every_search(sample: Catalog) -> None:
    scoped = search(sample, SearchQuery(name="nguyen van an"), actor="officer", agencies=["H40.02"])
    assert [item["id"] for item in scoped.items] == ["cccd-an"]
    assert find_person(sample, AN_ID, actor="officer", agencies=["H40.02"]).register_entries == []


def test_full_text_is_ranked(catalog: Catalog, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects")
    store_document(catalog, store, document("few", "other", {}, text="báo cáo một lần về đất đai và nhà ở"))
    store_document(catalog, store, document("many", "other", {}, text="đất đai " * 20))
    store_document(catalog, store, document("none", "other", {}, text="hộ tịch"))
    assert ids(catalog, text="ĐẤT ĐAI") == ["many", "few"]


def test_pages_follow_the_cursor(sample: Catalog) -> None:
    for query in (SearchQuery(), SearchQuery(text="nguyen")):
        everything = [i["id"] for i in search(sample, query, actor="officer", limit=100).items]
        seen, cursor = [], None
        while True:
            page = search(sample, query, actor="officer", limit=3, cursor=cursor)
            assert len(page.items) <= 3
            seen += [item["id"] for item in page.items]
            if not page.next:
                break
            cursor = page.next
        assert seen == everything and len(set(seen)) == len(seen) and len(seen) >= 5
    first = search(sample, SearchQuery(), actor="officer", limit=2)
    with pytest.raises(BadCursor):
        search(sample, SearchQuery(doc_type="decision"), actor="officer", cursor=first.next)
    with pytest.raises(BadCursor):
        search(sample, SearchQuery(), actor="officer", cursor="not-a-cursor")


def test_items_are_the_document_json_without_page_texts(sample: Catalog) -> None:
    page = search(sample, SearchQuery(personal_id=AN_ID, doc_type="citizen_id"), actor="officer")
    item = page.to_dict()["items"][0]
    assert item["fields"]["full_name"] == "NGUYỄN VĂN AN" and item["signature"]["level"] == "PAdES-B-B"
    assert all("text" not in p for p in item["pages"]) and item["pages"][1]["blank"] is True
    assert page.to_dict()["next"] is None


def test_searches_are_audited_with_their_actor(sample: Catalog) -> None:
    search(sample, SearchQuery(personal_id=AN_ID), actor="can.bo.mot.cua")
    with sample.engine.connect() as connection:
        event = connection.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.actor, event.action) == ("can.bo.mot.cua", "search") and AN_ID in event.details


def _search_events(catalog: Catalog) -> int:
    with catalog.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "search"))


def test_concurrent_searches_each_leave_one_event_in_an_unbroken_chain(sample: Catalog) -> None:
    before = _search_events(sample)
    with ThreadPoolExecutor(10) as pool:
        found = list(pool.map(lambda n: set(ids(sample, personal_id=AN_ID if n % 2 else HOA_ID)), range(60)))
    assert found == [{"bc-an", "cccd-an", "kh-an-hoa"} if n % 2 else {"kh-an-hoa"} for n in range(60)]
    assert _search_events(sample) == before + 60
    with sample.engine.connect() as connection:
        assert audit.verify(connection) == []


def _search_in_child(catalog: Catalog) -> None:
    catalog.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
    search(catalog, SearchQuery(personal_id=HOA_ID), actor="child")


def test_a_forked_process_audits_its_own_reads(sample: Catalog) -> None:
    search(sample, SearchQuery(personal_id=AN_ID), actor="parent")  # the parent's audit writer runs
    child = multiprocessing.get_context("fork").Process(target=_search_in_child, args=(sample,))
    child.start()
    child.join(30)
    assert child.exitcode == 0  # the child's search came back: its event was written by a writer of its own
    with sample.engine.connect() as connection:
        actors = [e.actor for e in connection.execute(select(AuditEvent).order_by(AuditEvent.seq))]
        assert actors[-2:] == ["parent", "child"] and audit.verify(connection) == []


def test_reuse_finds_a_person_everywhere(sample: Catalog) -> None:
    person = find_person(sample, AN_ID, actor="officer")
    assert person.names == ["NGUYỄN VĂN AN"] and person.dates_of_birth == ["1990-03-15"]
    assert {(h["role"], h["document"]["id"]) for h in person.documents} == {
        ("subject", "bc-an"), ("subject", "cccd-an"), ("husband", "kh-an-hoa")}
    assert [(h["document"]["id"], h["entry"], h["match"]) for h in person.register_entries] == [
        ("so-ks-1990", 1, "name_and_date_of_birth")]  # entry 2 is another NGUYỄN VĂN AN, born 1985
    assert person.register_entries[0]["record"]["registration_number"] == "123"
    assert [(h["role"], h["document"]["id"]) for h in person.as_parent] == [("father", "bc-khoi")]
    wife = find_person(sample, HOA_ID, actor="officer")
    assert [h["role"] for h in wife.documents] == ["wife"]
    assert [(h["role"], h["document"]["id"]) for h in wife.as_parent] == [("mother", "bc-khoi")]
    assert find_person(sample, "000000000000", actor="officer").documents == []


def test_a_new_version_replaces_the_old_one_in_search(catalog: Catalog, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects")
    store_document(catalog, store, document("bc-x", "birth_certificate", {"full_name": "LÊ VĂN TÁM"}))
    store_document(catalog, store, document("bc-x", "birth_certificate", {"full_name": "LÊ VĂN TÂM"}, version=2))
    assert ids(catalog, name="le van tam") == ["bc-x"]
    assert search(catalog, SearchQuery(name="le van tam"), actor="t").items[0]["fields"]["full_name"] == "LÊ VĂN TÂM"
    assert catalog.document("bc-x").version == 2 and catalog.document("bc-x", 1).record["fields"]["full_name"] == (
        "LÊ VĂN TÁM")


def test_migrations_leave_a_current_catalog_as_it_is(catalog_url: str) -> None:
    for _ in range(2):
        opened = Catalog.migrated(catalog_url)
        with opened.engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "0007"
        opened.engine.dispose()


def test_an_older_catalog_is_upgraded_in_place(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", "storage:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text("INSERT INTO batches (id, agency, manifest, status, summary, created_at) "
                                "VALUES ('b1', 'H40', '{}', 'done', '{}', '2024-05-04')"))
    catalog = Catalog.migrated(url)
    assert catalog.batch("b1").agency == "H40"
    assert {"retention_class", "retain_until"} <= {c["name"] for c in inspect(catalog.engine).get_columns("documents")}


def test_a_catalog_older_than_migrations_is_refused_until_rebuilt(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.db"
    sqlite3.connect(legacy).executescript("CREATE TABLE documents (id TEXT, version INT); CREATE TABLE pages (x INT);")
    with pytest.raises(CatalogError, match="catalog rebuild"):
        Catalog.migrated(f"sqlite:///{legacy}")
    Catalog.migrated(f"sqlite:///{legacy}", drop_legacy=True).engine.dispose()


def test_the_review_queue_is_worked_oldest_first(catalog: Catalog, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects")
    for n, (agency, doubtful) in enumerate([("H40.01", True), ("H40.01", False), ("H40.02", True), ("H40.01", True),
                                            ("H40.01", True)]):
        record = document(f"doc-{n}", "decision", {"document_number": f"{n}/QĐ-UBND"}, agency=agency)
        record["signature"]["signed_at"] = f"2024-05-0{5 - n}T08:00:00+07:00"  # later documents were signed earlier
        record["needs_review"] = doubtful
        store_document(catalog, store, record)
    assert ids(catalog, needs_review=True, oldest_first=True) == ["doc-4", "doc-3", "doc-2", "doc-0"]
    assert ids(catalog, needs_review=True, oldest_first=True, agency="H40.01") == ["doc-4", "doc-3", "doc-0"]
    assert ids(catalog, needs_review=False) == ["doc-1"]
    query = SearchQuery(needs_review=True, oldest_first=True)
    first = search(catalog, query, actor="reviewer", limit=2)
    second = search(catalog, query, actor="reviewer", limit=2, cursor=first.next)
    assert [i["id"] for i in first.items + second.items] == ["doc-4", "doc-3", "doc-2", "doc-0"]
    with pytest.raises(BadCursor):  # the newest-first search is another search
        search(catalog, SearchQuery(needs_review=True), actor="reviewer", cursor=first.next)
