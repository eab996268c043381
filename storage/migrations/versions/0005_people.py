"""People who sign in to the web interface: a password hash (argon2), disabling, lock-out after failed sign-ins, and
their sessions (only a session id's SHA-256 is kept). A user may now have no bearer token (a person who only signs in,
or whose token was revoked).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.alter_column("token_sha256", existing_type=sa.String(64), nullable=True)
        users.add_column(sa.Column("password_hash", sa.String(255)))
        users.add_column(sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()))
        users.add_column(sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"))
        users.add_column(sa.Column("locked_until", sa.DateTime(timezone=True)))
    op.create_table(
        "web_sessions",
        sa.Column("id_sha256", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(128), sa.ForeignKey("users.name", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_sessions")
    with op.batch_alter_table("users") as users:
        for column in ("locked_until", "failed_sign_ins", "disabled", "password_hash"):
            users.drop_column(column)
