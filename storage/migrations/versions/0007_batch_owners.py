"""Who runs a batch and whether it is alive: the catalog, not the queue, is the record of what is owed. A batch's run
is claimed by one worker (``worker``, ``attempt``), which beats ``heartbeat_at`` while it runs; a run that stopped
waits for ``retry_at``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batches:
        batches.add_column(sa.Column("attempt", sa.Integer, nullable=False, server_default="0"))
        batches.add_column(sa.Column("worker", sa.String(128)))
        batches.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True)))
        batches.add_column(sa.Column("retry_at", sa.DateTime(timezone=True)))
    op.create_index("ix_batches_owed", "batches", ["status", "heartbeat_at"])


def downgrade() -> None:
    op.drop_index("ix_batches_owed", "batches")
    with op.batch_alter_table("batches") as batches:
        for column in ("retry_at", "heartbeat_at", "worker", "attempt"):
            batches.drop_column(column)
