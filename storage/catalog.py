"""The catalog in SQLite (default) or PostgreSQL, written by the pipeline.

Its schema is brought up to date by ``Catalog.migrated`` (``sohoa db upgrade``, and the start of ``serve``,
``worker``, ``process`` and every other command) under a lock — a PostgreSQL advisory lock, or a file lock beside an
SQLite database — because Alembic is not safe to run twice at once; ``Catalog()`` itself only checks the revision.

It is derived data for search and reporting — the object store is the record of truth and ``storage.rebuild``
makes the catalog again from it — except the audit log, which lives here only. A new migration is made with
``alembic.command.revision`` on a ``Config`` whose ``script_location`` is ``storage:migrations``.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    create_engine,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from storage import audit
from storage.audit_writer import AuditWriter
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
    def __init__(self, url: str) -> None:
        """Open a catalog whose schema is current; CatalogError when it is not (``Catalog.migrated`` makes it so)."""
        self.engine = _engine(url)
        self._reads = AuditWriter(self.engine)
        current, head = _revision(self.engine), _head_revision()
        if current != head:
            self.engine.dispose()
            raise CatalogError(f"the catalog's schema is at revision {current or 'none'}, this sohoa needs {head}: "
                               "run `sohoa db upgrade`")

    @classmethod
    def migrated(cls, url: str, *, drop_legacy: bool = False) -> Catalog:
        """Bring the schema up to date (under the migration lock; nothing to do when it is current), then open it.
        ``drop_legacy``: a catalog made before migrations existed is dropped (``catalog rebuild`` makes it again)."""
        engine = _engine(url)
        try:
            if _revision(engine) != _head_revision():
                with _migration_lock(engine) as connection:
                    _upgrade(connection, drop_legacy)
        finally:
            engine.dispose()
        return cls(url)

    @property
    def revision(self) -> str | None:
        return _revision(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def note_read(self, actor: str, action: str, subject: str = "", details: dict[str, Any] | None = None) -> int:
        """The audit event of a read (a search, a view, a download), committed before this returns, in one
        transaction with the other reads' events that came meanwhile (see storage.audit_writer)."""
        return self._reads.append(actor, action, subject, details)

    def start_batch(self, batch_id: str, agency: str, kind: str | None, manifest: dict[str, Any],
                    status: str = "running") -> None:
        """A new batch's row: ``running``, or ``queued`` for one uploaded to the service."""
        with self.engine.begin() as connection:
            connection.execute(insert(Batch).values(id=batch_id, agency=agency, kind=kind, manifest=manifest,
                                                    status=status, summary={}, created_at=now()))

    def claim_batch(self, batch_id: str, worker: str, dead_after: dt.timedelta) -> int | None:
        """Take a batch's run for ``worker``: one queued (a retry once its time has come), or running for a worker
        silent for ``dead_after``. Its attempt number, or None when it is done, failed, or runs for a live worker
        (one statement: two workers never both get it)."""
        at = now()
        with self.engine.begin() as connection:
            return connection.scalar(update(Batch).where(Batch.id == batch_id, _owed(at, dead_after)).values(
                status="running", attempt=Batch.attempt + 1, worker=worker, heartbeat_at=at, retry_at=None,
                summary={}, finished_at=None).returning(Batch.attempt))

    def batch_heartbeat(self, batch_id: str, worker: str) -> bool:
        """The worker running a batch is alive; False when the batch is no longer its own."""
        with self.engine.begin() as connection:
            return bool(connection.execute(update(Batch).where(Batch.id == batch_id, Batch.worker == worker,
                                                               Batch.status == "running")
                                           .values(heartbeat_at=now())).rowcount)

    def retry_batch(self, batch_id: str, at: dt.datetime, summary: dict[str, Any]) -> None:
        """A run that stopped: the batch is queued again, to be taken from ``at``."""
        with self.engine.begin() as connection:
            connection.execute(update(Batch).where(Batch.id == batch_id)
                               .values(status="queued", retry_at=at, worker=None, heartbeat_at=None,
                                       summary=summary))

    def owed_batches(self, dead_after: dt.timedelta) -> list[tuple[str, int]]:
        """(id, attempt) of the batches a worker should run now: queued (and due), or running for a worker silent
        for ``dead_after``; oldest first."""
        with Session(self.engine) as session:
            return [(row.id, row.attempt) for row in session.execute(
                select(Batch.id, Batch.attempt).where(_owed(now(), dead_after)).order_by(Batch.created_at))]

    def batch_progress(self, batch_id: str, progress: dict[str, Any]) -> None:
        """A running batch's progress, kept in its summary until the batch ends (a late write changes nothing)."""
        with self.engine.begin() as connection:
            connection.execute(update(Batch).where(Batch.id == batch_id, Batch.status == "running")
                               .values(summary=progress))

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

    def agencies_of(self, doc_ids: list[str]) -> set[str]:
        """The agencies that hold these documents."""
        with Session(self.engine) as session:
            return set(session.scalars(select(Document.agency).where(Document.id.in_(doc_ids), Document.latest)
                                       .distinct()))

    def add_processed_file(self, row: ProcessedFile) -> None:
        with Session(self.engine) as session, session.begin():
            session.merge(row)

    def optimize(self) -> None:
        """After bulk loads: the planner's statistics, and on PostgreSQL the visibility map (index-only scans)."""
        statement = "VACUUM ANALYZE" if self.dialect == "postgresql" else "ANALYZE"
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(statement))


def _owed(at: dt.datetime, dead_after: dt.timedelta) -> ColumnElement[bool]:
    """A batch to run: queued (a retry once its time has come), or running for a worker silent for ``dead_after``."""
    return or_(and_(Batch.status == "queued", or_(Batch.retry_at.is_(None), Batch.retry_at <= at)),
               and_(Batch.status == "running", or_(Batch.heartbeat_at.is_(None), Batch.heartbeat_at < at - dead_after)))


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "storage:migrations")
    return config


@cache
def _head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


_THREADS = threading.Lock()  # the file lock orders processes; threads of one process wait here first
_PG_LOCK = 0x736F686F61  # "sohoa": the advisory lock key of catalog migrations


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the catalog's migration lock: no two migrations run at once, in any process."""
    with _THREADS, ExitStack() as held:
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database not in (None, "", ":memory:"):
            lock = held.enter_context(open(f"{database}.migrate-lock", "a+b"))  # noqa: SIM115 - held until the end
            fcntl.flock(lock, fcntl.LOCK_EX)
        connection = held.enter_context(engine.begin())
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        yield connection


def _upgrade(connection: Connection, drop_legacy: bool) -> None:
    if _is_legacy(connection):
        if not drop_legacy:
            raise CatalogError(f"the catalog at {connection.engine.url!r} predates migrations: "
                               "run `sohoa catalog rebuild` to make it again from the object store")
        for table in LEGACY_TABLES:
            connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    config = _config()
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


def _is_legacy(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return "documents" in tables and "alembic_version" not in tables
