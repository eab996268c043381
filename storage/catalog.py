"""The catalog: batches, documents and pages in SQLite or PostgreSQL (derived data; the object store is the record)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    create_engine,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Batch(Base):
    __tablename__ = "batches"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str | None] = mapped_column(String(32))
    manifest: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="running")
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    batch_id: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(Text)
    doc_type: Mapped[str] = mapped_column(String(48), index=True)
    doc_type_confidence: Mapped[float] = mapped_column(Float)
    needs_review: Mapped[bool] = mapped_column(Boolean, index=True)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    records: Mapped[list] = mapped_column(JSON, default=list)
    sha256: Mapped[str] = mapped_column(String(64))
    pdf_key: Mapped[str] = mapped_column(Text)
    json_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (ForeignKeyConstraint(["document_id", "version"], ["documents.id", "documents.version"]),)
    document_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_page: Mapped[int] = mapped_column(Integer)
    blank: Mapped[bool] = mapped_column(Boolean)
    confidence: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)


class Catalog:
    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        Base.metadata.create_all(self.engine)

    def start_batch(self, batch_id: str, agency: str, kind: str | None, manifest: dict[str, Any]) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(Batch(id=batch_id, agency=agency, kind=kind, manifest=manifest))

    def finish_batch(self, batch_id: str, status: str, summary: dict[str, Any]) -> None:
        with Session(self.engine) as session, session.begin():
            batch = session.get(Batch, batch_id)
            batch.status, batch.summary = status, summary

    def latest_version(self, doc_id: str) -> Document | None:
        with Session(self.engine) as session:
            query = select(Document).where(Document.id == doc_id).order_by(Document.version.desc()).limit(1)
            return session.scalars(query).first()

    def add_document(self, record: dict[str, Any], version: int, agency: str, batch_id: str,
                     pdf_key: str, json_key: str) -> None:
        """Record one stored document version (the CONTRACT §2 JSON) with its pages."""
        with Session(self.engine) as session, session.begin():
            session.add(Document(
                id=record["id"], version=version, agency=agency, batch_id=batch_id, source=record["source"],
                doc_type=record["doc_type"], doc_type_confidence=record["doc_type_confidence"],
                needs_review=record["needs_review"], fields=record["fields"], records=record["records"],
                sha256=record["sha256"], pdf_key=pdf_key, json_key=json_key))
            session.flush()
            session.add_all(Page(document_id=record["id"], version=version, index=p["index"],
                                 source_page=p["source_page"], blank=p["blank"], confidence=p["confidence"],
                                 text=p["text"]) for p in record["pages"])
