"""evidence: photos and files on work logs and quarterly reports (佐证材料)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("log_id", sa.BigInteger(), nullable=True),
        sa.Column("report_id", sa.BigInteger(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("org_id", sa.BigInteger(), nullable=False),
        sa.Column("org_path", models.base.Ltree(), nullable=False),
        sa.Column("city_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("num_nonnulls(log_id, report_id) = 1", name=op.f("ck_evidence_one_owner")),
        sa.ForeignKeyConstraint(["log_id"], ["work_logs.id"], name=op.f("fk_evidence_log_id_work_logs")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_evidence_report_id_reports")),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"], name=op.f("fk_evidence_uploaded_by_users")),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_evidence_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    op.create_index(op.f("ix_evidence_log_id"), "evidence", ["log_id"])
    op.create_index(op.f("ix_evidence_report_id"), "evidence", ["report_id"])
    op.create_index(op.f("ix_evidence_org_id"), "evidence", ["org_id"])
    op.create_index("ix_evidence_org_path_gist", "evidence", ["org_path"], postgresql_using="gist")


def downgrade() -> None:
    op.drop_table("evidence")
