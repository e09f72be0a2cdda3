"""downloads: the files of exports behind short-lived, single-use signed links

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "downloads",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("org_path", models.base.Ltree(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_downloads_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_downloads")),
    )
    op.create_index(op.f("ix_downloads_expires_at"), "downloads", ["expires_at"], unique=False)
    op.create_index(op.f("ix_downloads_user_id"), "downloads", ["user_id"], unique=False)
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON downloads TO youthlink_app")
    op.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO youthlink_app")


def downgrade() -> None:
    op.drop_index(op.f("ix_downloads_user_id"), table_name="downloads")
    op.drop_index(op.f("ix_downloads_expires_at"), table_name="downloads")
    op.drop_table("downloads")
