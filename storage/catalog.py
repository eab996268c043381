"""The catalog in SQLite (default) or PostgreSQL: opened through its Alembic migrations, written by the pipeline.

It is derived data for search and reporting — the object store is the record of truth and ``storage.rebuild``
makes the catalog again from it — except the audit log, which lives here only. A new migration is made with
``alembic.command.revision`` on a ``Config`` whose ``script_location`` is ``storage:migrations``.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, insert, inspect, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from storage import audit
from storage.folding import fold
from storage.indexing import StoredDocument, index_documents
from storage.objects import StoredObject
from storage.schema import Batch, Document, Field, ObjectRow, ProcessedFile

LEGACY_TABLES = ("pages", "documents", "batches")  # the catalog made before migrations existed


class CatalogError(Exception):
    pass


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Catalog:
    def __init__(self, url: str, *, drop_legacy: bool = False) -> None:
        self.engine = _engine(url)
        if _is_legacy(self.engine):
            if not drop_legacy:
                raise CatalogError(f"the catalog at {self.engine.url!r} predates migrations: "
                                   "run `sohoa catalog rebuild` to make it again from the object store")
            with self.engine.begin() as connection:
                for table in LEGACY_TABLES:
                    connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
        migrate(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def start_batch(self, batch_id: str, agency: str, kind: str | None, manifest: dict[str, Any],
                    status: str = "running") -> None:
        """A new batch's row: ``running``, or ``queued`` for one uploaded to the service."""
        with self.engine.begin() as connection:
            connection.execute(insert(Batch).values(id=batch_id, agency=agency, kind=kind, manifest=manifest,
                                                    status=status, summary={}, created_at=now()))

    def resume_batch(self, batch_id: str) -> None:
        """A queued batch (or one whose run was cut short) is running (again)."""
        with self.engine.begin() as connection:
            connection.execute(update(Batch).where(Batch.id == batch_id)
                               .values(status="running", summary={}, finished_at=None))

    def batch_progress(self, batch_id: str, progress: dict[str, Any]) -> None:
        """A running batch's progress, kept in its summary until the batch ends (a late write changes nothing)."""
        with self.engine.begin() as connection:
            connection.execute(update(Batch).where(Batch.id == batch_id, Batch.status == "running")
                               .values(summary=progress))

    def unfinished_batches(self, before: dt.datetime) -> list[str]:
        """Batches created before ``before`` still queued or running, oldest first."""
        with Session(self.engine) as session:
            return list(session.scalars(select(Batch.id).where(Batch.status.in_(("queued", "running")),
                                                               Batch.created_at < before)
                                        .order_by(Batch.created_at)))

    def finish_batch(self, batch_id: str, status: str, summary: dict[str, Any]) -> None:
        with self.engine.begin() as connection:
            connection.execute(update(Batch).where(Batch.id == batch_id)
                               .values(status=status, summary=summary, finished_at=now()))

    def batch(self, batch_id: str) -> Batch | None:
        with Session(self.engine) as session:
            return session.get(Batch, batch_id)

    def document(self, doc_id: str, version: int | None = None) -> Document | None:
        """A document's given version, else its latest."""
        query = select(Document).where(Document.id == doc_id)
        query = query.where(Document.version == version) if version else query.where(Document.latest)
        with Session(self.engine) as session:
            return session.scalars(query).first()

    def add_raw_object(self, obj: StoredObject, batch_id: str, actor: str) -> None:
        """A raw object was stored (an ``upload`` event; none when it was catalogued before: an uploaded batch's
        scans are catalogued at upload, then met again by its run)."""
        with self.engine.begin() as connection:
            if connection.scalar(select(ObjectRow.key).where(ObjectRow.key == obj.key)) is None:
                connection.execute(insert(ObjectRow).values(key=obj.key, sha256=obj.sha256, size=obj.size,
                                                            content_type=obj.content_type, batch_id=batch_id))
                audit.append(connection, actor, "upload", obj.key,
                             {"batch": batch_id, "sha256": obj.sha256, "size": obj.size})

    def add_document(self, record: dict[str, Any], pdf: StoredObject, json: StoredObject, actor: str, *,
                     correction: dict[str, Any] | None = None) -> None:
        """A signed document version was stored: a ``processing`` event, or a ``correction`` event with
        ``correction`` as its details; then a ``signing`` event. Raises sqlalchemy's IntegrityError when that
        version of the document is already catalogued."""
        with self.engine.begin() as connection:
            index_documents(connection, [StoredDocument(record, pdf, json)])
            subject = f"{record['id']} v{record['version']}"
            if correction is not None:
                audit.append(connection, actor, "correction", subject, {**correction, "json_sha256": json.sha256})
            else:
                audit.append(connection, actor, "processing", subject, {
                    "batch": record["batch"], "source": record["source"], "doc_type": record["doc_type"],
                    "pages": len(record["pages"]), "needs_review": record["needs_review"],
                    "json_sha256": json.sha256})
            audit.append(connection, actor, "signing", subject, {**record["signature"], "pdf_sha256": pdf.sha256})

    def results_issued(self, dossier_code: str) -> int:
        """The highest n of the result codes ``<dossier_code>-KQ<n>`` catalogued so far (0 when none)."""
        prefix = f"{dossier_code}-KQ"
        with Session(self.engine) as session:
            codes = session.scalars(select(Field.value).where(Field.name == "result_code",
                                                              Field.folded.startswith(fold(prefix)))).all()
        numbers = [int(c[len(prefix):]) for c in codes if c.startswith(prefix) and c[len(prefix):].isdigit()]
        return max(numbers, default=0)

    def processed_file(self, sha256: str) -> ProcessedFile | None:
        """The record of an input file processed before, when every document it gave is still catalogued."""
        with Session(self.engine) as session:
            found = session.get(ProcessedFile, sha256)
            if found is None:
                return None
            present = session.scalar(select(func.count(func.distinct(Document.id)))
                                     .where(Document.id.in_(found.documents)))
            return found if present == len(set(found.documents)) else None

    def add_processed_file(self, row: ProcessedFile) -> None:
        with Session(self.engine) as session, session.begin():
            session.merge(row)

    def optimize(self) -> None:
        """After bulk loads: the planner's statistics, and on PostgreSQL the visibility map (index-only scans)."""
        statement = "VACUUM ANALYZE" if self.dialect == "postgresql" else "ANALYZE"
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(statement))


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (run on every open; a no-op when it is current)."""
    config = Config()
    config.set_main_option("script_location", "storage:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL (readers never wait for the writer), foreign keys, and a writer that waits for another's lock."""
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _is_legacy(engine: Engine) -> bool:
    tables = set(inspect(engine).get_table_names())
    return "documents" in tables and "alembic_version" not in tables
