"""The catalog's tables (SQLAlchemy 2). Their DDL lives in the Alembic migrations under ``storage/migrations``.

Everything here but the audit log is derived from the object store and can be rebuilt from it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Search keys compare byte-wise on PostgreSQL too, so that prefix ranges mean what they say in any locale.
SearchKey = Text().with_variant(Text(collation="C"), "postgresql")


class Base(DeclarativeBase):
    pass


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (Index("ix_batches_created_at", "created_at", "id"),  # the list of batches, newest first
                      Index("ix_batches_owed", "status", "heartbeat_at"))  # what the reconciler looks for
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str | None] = mapped_column(String(32))
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempt: Mapped[int] = mapped_column(Integer, default=0)  # runs claimed so far
    worker: Mapped[str | None] = mapped_column(String(128))  # who runs it: host:pid
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # its runner is alive
    retry_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # a stopped run is tried again


class Document(Base):
    """One stored version of a document; ``record`` is its CONTRACT §2 JSON without the page texts."""
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("id", "version", name="uq_documents_id_version"),
                      Index("ix_documents_recent", "signed_at", "id"),
                      Index("ix_documents_order", "pk", "latest", "signed_at", "id"))  # sorting matches, index only
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    latest: Mapped[bool] = mapped_column(Boolean)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    batch_id: Mapped[str] = mapped_column(String(64), index=True)
    doc_type: Mapped[str] = mapped_column(String(48), index=True)
    needs_review: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of the signed PDF: public verification finds it
    pdf_key: Mapped[str] = mapped_column(Text)
    json_key: Mapped[str] = mapped_column(Text)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    signed_at: Mapped[str] = mapped_column(String(32))  # UTC, fixed width: sorts as text the same on both databases
    retention_class: Mapped[str | None] = mapped_column(String(32))  # storage.retention: dossier, result, …
    retain_until: Mapped[str | None] = mapped_column(String(16), index=True)  # ISO date, "permanent" or None


class Page(Base):
    __tablename__ = "pages"
    document_pk: Mapped[int] = mapped_column(ForeignKey("documents.pk", ondelete="CASCADE"), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_page: Mapped[int] = mapped_column(Integer)
    blank: Mapped[bool] = mapped_column(Boolean)
    confidence: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)


class Field(Base):
    """One field of a document (``record_index`` None) or of one register entry; ``folded`` is its search key."""
    __tablename__ = "fields"
    __table_args__ = (Index("ix_fields_folded", "folded", "name", "document_pk"),
                      Index("ix_fields_date", "date_value", "document_pk"),
                      Index("ix_fields_document", "document_pk"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_pk: Mapped[int] = mapped_column(ForeignKey("documents.pk", ondelete="CASCADE"))
    record_index: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    folded: Mapped[str] = mapped_column(SearchKey)
    date_value: Mapped[dt.date | None] = mapped_column(Date)


class Record(Base):
    """One entry of a register page (``records`` of CONTRACT §2)."""
    __tablename__ = "records"
    document_pk: Mapped[int] = mapped_column(ForeignKey("documents.pk", ondelete="CASCADE"), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class ObjectRow(Base):
    """A stored object and the SHA-256 it had when stored; fixity compares against it."""
    __tablename__ = "objects"
    key: Mapped[str] = mapped_column(String(1024), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(128))
    batch_id: Mapped[str | None] = mapped_column(String(64))
    document_pk: Mapped[int | None] = mapped_column(ForeignKey("documents.pk", ondelete="CASCADE"), index=True)
    checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    check_status: Mapped[str | None] = mapped_column(String(16))


class AuditEvent(Base):
    """An append-only, hash-chained event: ``hash`` covers every other column, ``prev_hash`` the event before."""
    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)  # canonical JSON, kept as text so that its hash is reproducible
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row holding the log's id and its last event's number and hash; its lock orders writers."""
    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    log_id: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class ProcessedFile(Base):
    """An input file all of whose documents were stored: a run that meets the same bytes again reuses them instead
    of reading the file again. A cache only: without it (after a rebuild) the file is simply processed again."""
    __tablename__ = "processed_files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    documents: Mapped[list[str]] = mapped_column(JSON)  # doc ids, in file order
    pages: Mapped[int] = mapped_column(Integer)
    blank_pages: Mapped[int] = mapped_column(Integer)
    notes: Mapped[dict[str, Any]] = mapped_column(JSON)  # what the run reported: {"rescan": [...], "skipped": [...]}
    batch_id: Mapped[str] = mapped_column(String(64))


class User(Base):
    """Who may use sohoa: a role, the agencies it sees (None: all), the SHA-256 of its bearer token (API clients) and
    the argon2 hash of its password (people signing in to the web interface); either may be absent."""
    __tablename__ = "users"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    agencies: Mapped[list[str] | None] = mapped_column(JSON)
    token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A signed-in person's session: only the SHA-256 of the id in its cookie is kept, beside its CSRF token."""
    __tablename__ = "web_sessions"
    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
