"""最美青春故事 nominations of cadres by reference, with a form (演讲、征文、微视频、H5) and a
title; evidence on nominations; evidence and download links kept in an object store

Rows from before keep their free-text name and have no cadre, form or title; every
evidence row so far keeps its content in PostgreSQL.

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-27 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("nominations", sa.Column("cadre_id", sa.BigInteger(), nullable=True))
    op.add_column("nominations", sa.Column("form", sa.String(length=32), nullable=True))
    op.create_check_constraint(
        "ck_nominations_storyform",
        "nominations",
        "form IN ('SPEECH', 'ESSAY', 'MICRO_VIDEO', 'H5')",
    )
    op.add_column(
        "nominations",
        sa.Column("title", sa.String(length=100), server_default="", nullable=False),
    )
    op.create_foreign_key(
        op.f("fk_nominations_cadre_id_cadres"), "nominations", "cadres", ["cadre_id"], ["id"]
    )
    op.create_index(op.f("ix_nominations_cadre_id"), "nominations", ["cadre_id"])

    op.add_column("evidence", sa.Column("nomination_id", sa.BigInteger(), nullable=True))
    op.add_column("evidence", sa.Column("store_key", sa.String(length=200), nullable=True))
    op.alter_column("evidence", "content", existing_type=sa.LargeBinary(), nullable=True)
    op.create_foreign_key(
        op.f("fk_evidence_nomination_id_nominations"),
        "evidence",
        "nominations",
        ["nomination_id"],
        ["id"],
    )
    op.create_index(op.f("ix_evidence_nomination_id"), "evidence", ["nomination_id"])
    op.drop_constraint(op.f("ck_evidence_one_owner"), "evidence", type_="check")
    op.create_check_constraint(
        op.f("ck_evidence_one_owner"),
        "evidence",
        "num_nonnulls(log_id, report_id, nomination_id) = 1",
    )
    op.create_check_constraint(
        op.f("ck_evidence_one_place"), "evidence", "num_nonnulls(content, store_key) = 1"
    )
    op.add_column("downloads", sa.Column("store_key", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("downloads", "store_key")
    op.execute("DELETE FROM evidence WHERE nomination_id IS NOT NULL OR store_key IS NOT NULL")
    op.drop_constraint(op.f("ck_evidence_one_place"), "evidence", type_="check")
    op.drop_constraint(op.f("ck_evidence_one_owner"), "evidence", type_="check")
    op.create_check_constraint(
        op.f("ck_evidence_one_owner"), "evidence", "num_nonnulls(log_id, report_id) = 1"
    )
    op.drop_index(op.f("ix_evidence_nomination_id"), "evidence")
    op.drop_column("evidence", "nomination_id")
    op.drop_column("evidence", "store_key")
    op.alter_column("evidence", "content", existing_type=sa.LargeBinary(), nullable=False)
    op.drop_index(op.f("ix_nominations_cadre_id"), "nominations")
    op.drop_column("nominations", "title")
    op.drop_constraint("ck_nominations_storyform", "nominations", type_="check")
    op.drop_column("nominations", "form")
    op.drop_column("nominations", "cadre_id")
