"""Indexes for the web interface: documents by their signed PDF's SHA-256 (public verification finds a result by its
fingerprint without reading the whole table), batches by creation time (the list of batches, newest first).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""
from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_documents_sha256", "documents", ["sha256"])
    op.create_index("ix_batches_created_at", "batches", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_batches_created_at", "batches")
    op.drop_index("ix_documents_sha256", "documents")
