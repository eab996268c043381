"""Fixity and the audit log: damage done behind the system's back is found and named."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from storage_backends import StoreUnderTest
from storage_documents import AN_ID, store_sample
from typer.testing import CliRunner

from sohoa.cli import app
from storage import audit, fulltext
from storage.catalog import Catalog
from storage.fixity import check_fixity
from storage.folding import fold
from storage.objects import LocalStore, ObjectStore
from storage.rebuild import rebuild
from storage.retrieval import fetch_pdf
from storage.schema import AuditEvent, AuditHead, Document, Field, ObjectRow
from storage.search import SearchQuery, search


@pytest.fixture
def local_store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "objects")


def audited(catalog: Catalog, store: ObjectStore, tmp_path: Path) -> None:
    """A history: a raw upload, eight processed and signed documents, a search, a download."""
    catalog.add_raw_object(store.put("raw/H40.01/b1/ab12.png", b"\x89PNG scan", "image/png"), "b1", "Nguyễn Thị Thu")
    store_sample(catalog, store)
    search(catalog, SearchQuery(personal_id=AN_ID), actor="officer")
    fetch_pdf(catalog, store, "bc-an", tmp_path / "bc-an.pdf", actor="officer")


def problems(catalog: Catalog, store: ObjectStore | None = None) -> list[str]:
    with catalog.engine.connect() as connection:
        return [str(p) for p in audit.verify(connection, store)]


def test_a_flipped_byte_and_a_deleted_object_are_reported(store_under_test: StoreUnderTest, catalog: Catalog) -> None:
    store = store_under_test.store
    store_sample(catalog, store)
    assert check_fixity(catalog, store, actor="archivist").ok
    store_under_test.flip_byte("docs/H40.01/bc-an/v1.pdf")
    store_under_test.delete("docs/H40.02/qd-1816/v1.json")
    report = check_fixity(catalog, store, actor="archivist", everything=True)
    assert report.missing == ["docs/H40.02/qd-1816/v1.json"]
    assert [m.key for m in report.mismatched] == ["docs/H40.01/bc-an/v1.pdf"]
    with catalog.engine.connect() as connection:
        statuses = dict(connection.execute(select(ObjectRow.key, ObjectRow.check_status)).all())
        run = connection.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert statuses["docs/H40.01/bc-an/v1.pdf"] == "mismatch" and statuses["docs/H40.02/qd-1816/v1.json"] == "missing"
    assert run.action == "fixity" and run.actor == "archivist" and "qd-1816" in run.details
    assert report.checked == len(statuses) == 16


def test_fixity_checks_only_what_is_due_unless_all(catalog: Catalog, local_store: LocalStore) -> None:
    store_sample(catalog, local_store)
    assert check_fixity(catalog, local_store, actor="archivist").checked == 16
    assert check_fixity(catalog, local_store, actor="archivist").checked == 0  # all checked moments ago
    assert check_fixity(catalog, local_store, actor="archivist", everything=True).checked == 16


def test_the_cli_exits_1_on_damage(catalog_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOHOA_DATABASE_URL", catalog_url)
    catalog, store = Catalog.migrated(catalog_url), LocalStore(tmp_path / "objects")
    store_sample(catalog, store)
    runner = CliRunner()
    assert runner.invoke(app, ["fixity"]).exit_code == 0
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    (tmp_path / "objects/docs/H40.01/kt-ut/v1.pdf").unlink()
    result = runner.invoke(app, ["fixity", "--all", "--actor", "luu.tru"])
    assert result.exit_code == 1 and "MISSING   docs/H40.01/kt-ut/v1.pdf" in result.output
    with catalog.engine.begin() as connection:
        connection.execute(update(AuditEvent).where(AuditEvent.seq == 5).values(actor="someone else"))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and "event 5: changed" in result.output
    catalog.engine.dispose()


def test_every_kind_of_event_is_chained(catalog: Catalog, local_store: LocalStore, tmp_path: Path) -> None:
    audited(catalog, local_store, tmp_path)
    check_fixity(catalog, local_store, actor="archivist")
    with catalog.engine.connect() as connection:
        events = connection.execute(select(AuditEvent.action, AuditEvent.actor)).all()
    assert {a for a, _ in events} == {"upload", "processing", "signing", "search", "download", "fixity"}
    assert ("upload", "Nguyễn Thị Thu") in events and ("download", "officer") in events
    assert problems(catalog, local_store) == []


def test_an_edited_event_is_found(catalog: Catalog, local_store: LocalStore, tmp_path: Path) -> None:
    audited(catalog, local_store, tmp_path)
    with catalog.engine.begin() as connection:
        connection.execute(update(AuditEvent).where(AuditEvent.seq == 3)
                           .values(details=AuditEvent.details + " "))
    assert problems(catalog) == ["event 3: changed (this signing event no longer matches its hash)"]


def test_a_removed_event_is_found(catalog: Catalog, local_store: LocalStore, tmp_path: Path) -> None:
    audited(catalog, local_store, tmp_path)
    with catalog.engine.begin() as connection:
        connection.execute(delete(AuditEvent).where(AuditEvent.seq.in_([4, 5])))
    assert problems(catalog) == ["event 4: removed (events 4 to 5 are missing)"]


def test_a_removed_last_event_is_found(catalog: Catalog, local_store: LocalStore, tmp_path: Path) -> None:
    audited(catalog, local_store, tmp_path)
    with catalog.engine.begin() as connection:
        last = connection.scalar(select(AuditHead.seq))
        connection.execute(delete(AuditEvent).where(AuditEvent.seq == last))
    assert problems(catalog) == [f"event {last}: removed (the log held {last} events, {last - 1} are left)"]


def test_a_rewritten_chain_is_found_by_the_anchors(catalog: Catalog, local_store: LocalStore, tmp_path: Path) -> None:
    """Someone with the database removes event 2 and re-chains every later event: only the anchors tell."""
    audited(catalog, local_store, tmp_path)
    with catalog.engine.begin() as connection:
        connection.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
        prev = connection.scalar(select(AuditEvent.hash).where(AuditEvent.seq == 1))
        for event in connection.execute(select(AuditEvent).where(AuditEvent.seq > 2).order_by(AuditEvent.seq)).all():
            seq = event.seq - 1
            digest = audit.event_hash(seq, event.at, event.actor, event.action, event.subject, event.details, prev)
            connection.execute(update(AuditEvent).where(AuditEvent.seq == event.seq)
                               .values(seq=seq, prev_hash=prev, hash=digest))
            prev = digest
        connection.execute(update(AuditHead).values(seq=AuditHead.seq - 1, hash=prev))
    assert problems(catalog) == []  # the chain alone looks whole
    found = problems(catalog, local_store)
    assert found and all("anchored in the object store" in p for p in found)


def test_a_catalog_row_edited_in_the_database_is_found_and_rebuilt(catalog: Catalog, local_store: LocalStore) -> None:
    store_sample(catalog, local_store)
    assert check_fixity(catalog, local_store, actor="archivist").ok
    doc = catalog.document("bc-an")
    with catalog.engine.begin() as connection:  # someone with the database's password, not sohoa
        connection.execute(update(Field).where(Field.document_pk == doc.pk, Field.name == "full_name")
                           .values(value="TRẦN VĂN GIẢ", folded=fold("TRẦN VĂN GIẢ")))
        connection.execute(update(Document).where(Document.pk == catalog.document("qd-1816").pk)
                           .values(doc_type="birth_certificate"))
    assert [i["id"] for i in search(catalog, SearchQuery(name="tran van gia"), actor="officer").items] == ["bc-an"]
    report = check_fixity(catalog, local_store, actor="archivist", everything=True)
    assert not report.ok and not report.missing and not report.mismatched
    assert {(f.key, tuple(f.parts)) for f in report.forged} == {
        ("docs/H40.01/bc-an/v1.json", ("fields",)), ("docs/H40.02/qd-1816/v1.json", ("document doc_type",))}
    with catalog.engine.connect() as connection:
        run = connection.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert '"forged":2' in run.details and "bc-an" in run.details
    rebuild(catalog, local_store, actor="archivist")
    assert check_fixity(catalog, local_store, actor="archivist", everything=True).ok
    assert search(catalog, SearchQuery(name="tran van gia"), actor="officer").items == []


def test_forged_full_text_is_found(catalog: Catalog, local_store: LocalStore) -> None:
    store_sample(catalog, local_store)
    pk = catalog.document("cv-245").pk
    with catalog.engine.begin() as connection:
        fulltext.clear(connection)  # every document's text gone, then one put back wrong
        fulltext.index_bodies(connection, [(pk, "lời chứng giả")])
    report = check_fixity(catalog, local_store, actor="archivist", everything=True)
    assert len(report.forged) == 8 and all(f.parts == ["full text"] for f in report.forged)
