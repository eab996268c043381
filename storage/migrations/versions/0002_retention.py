"""Retention classes: each document version's class and the date (or ``permanent``) it must be kept until.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as table:
        table.add_column(sa.Column("retention_class", sa.String(32)))
        table.add_column(sa.Column("retain_until", sa.String(16)))
        table.create_index("ix_documents_retain_until", ["retain_until"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as table:
        table.drop_index("ix_documents_retain_until")
        table.drop_column("retain_until")
        table.drop_column("retention_class")
