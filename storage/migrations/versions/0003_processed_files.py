"""Input files whose documents were all stored, so that a rerun reuses them instead of reading the file again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed_files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("documents", sa.JSON, nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("blank_pages", sa.Integer, nullable=False),
        sa.Column("notes", sa.JSON, nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("processed_files")
