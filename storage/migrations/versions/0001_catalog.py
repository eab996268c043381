"""The catalog: batches, document versions, pages, fields, register records, objects, audit log, full text.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SEARCH_KEY = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("agency", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(32)),
        sa.Column("manifest", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP))
    op.create_table(
        "documents",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("latest", sa.Boolean, nullable=False),
        sa.Column("agency", sa.String(64), nullable=False, index=True),
        sa.Column("batch_id", sa.String(64), nullable=False, index=True),
        sa.Column("doc_type", sa.String(48), nullable=False, index=True),
        sa.Column("needs_review", sa.Boolean, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("pdf_key", sa.Text, nullable=False),
        sa.Column("json_key", sa.Text, nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        sa.Column("signed_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("id", "version", name="uq_documents_id_version"))
    op.create_index("ix_documents_recent", "documents", ["signed_at", "id"])
    op.create_index("ix_documents_order", "documents", ["pk", "latest", "signed_at", "id"])
    op.create_table(
        "pages",
        sa.Column("document_pk", sa.Integer, sa.ForeignKey("documents.pk", ondelete="CASCADE"), primary_key=True),
        sa.Column("index", sa.Integer, primary_key=True),
        sa.Column("source_page", sa.Integer, nullable=False),
        sa.Column("blank", sa.Boolean, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("text", sa.Text, nullable=False))
    op.create_table(
        "fields",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_pk", sa.Integer, sa.ForeignKey("documents.pk", ondelete="CASCADE"), nullable=False),
        sa.Column("record_index", sa.Integer),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("folded", SEARCH_KEY, nullable=False),
        sa.Column("date_value", sa.Date))
    op.create_index("ix_fields_folded", "fields", ["folded", "name", "document_pk"])
    op.create_index("ix_fields_date", "fields", ["date_value", "document_pk"])
    op.create_index("ix_fields_document", "fields", ["document_pk"])
    op.create_table(
        "records",
        sa.Column("document_pk", sa.Integer, sa.ForeignKey("documents.pk", ondelete="CASCADE"), primary_key=True),
        sa.Column("index", sa.Integer, primary_key=True),
        sa.Column("data", sa.JSON, nullable=False))
    op.create_table(
        "objects",
        sa.Column("key", sa.String(1024), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("content_type", sa.String(128), nullable=False),
        sa.Column("batch_id", sa.String(64)),
        sa.Column("document_pk", sa.Integer, sa.ForeignKey("documents.pk", ondelete="CASCADE"), index=True),
        sa.Column("checked_at", TIMESTAMP, index=True),
        sa.Column("check_status", sa.String(16)))
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False, index=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False))
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("log_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False))
    op.execute(sa.text("INSERT INTO audit_head (id, log_id, seq, hash) VALUES (1, :log_id, 0, '')")
               .bindparams(log_id=uuid.uuid4().hex))
    _create_full_text()


def _create_full_text() -> None:
    """SQLite: a contentless FTS5 table keyed by documents.pk. PostgreSQL: a tsvector per document, GIN-indexed."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text("CREATE VIRTUAL TABLE document_fts USING fts5(body, content='')"))
    else:
        op.create_table(
            "document_text",
            sa.Column("document_pk", sa.Integer, sa.ForeignKey("documents.pk", ondelete="CASCADE"),
                      primary_key=True),
            sa.Column("body", postgresql.TSVECTOR, nullable=False))
        op.create_index("ix_document_text_body", "document_text", ["body"], postgresql_using="gin")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text("DROP TABLE document_fts"))
    else:
        op.drop_table("document_text")
    for table in ("audit_head", "audit_events", "objects", "records", "fields", "pages", "documents", "batches"):
        op.drop_table(table)
