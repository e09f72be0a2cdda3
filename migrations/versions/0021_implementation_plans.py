"""implementation plans: each committee's 实施方案, approved by the committee above

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-27 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "implementation_plans",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("SUBMITTED", "APPROVED", "RETURNED", name="reportstatus", native_enum=False,
                    create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.BigInteger(), nullable=False),
        sa.Column(
            "submitted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("review_comment", sa.Text(), server_default="", nullable=False),
        sa.Column("reviewed_by", sa.BigInteger(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("org_id", sa.BigInteger(), nullable=False),
        sa.Column("org_path", models.base.Ltree(), nullable=False),
        sa.Column("city_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["submitted_by"], ["users.id"], name=op.f("fk_implementation_plans_submitted_by_users")),
        sa.ForeignKeyConstraint(["reviewed_by"], ["users.id"], name=op.f("fk_implementation_plans_reviewed_by_users")),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_implementation_plans_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_implementation_plans")),
        sa.UniqueConstraint("org_id", "year", name=op.f("uq_implementation_plans_org_id_year")),
    )
    op.create_index(op.f("ix_implementation_plans_org_id"), "implementation_plans", ["org_id"])
    op.create_index(
        "ix_implementation_plans_org_path_gist", "implementation_plans", ["org_path"], postgresql_using="gist"
    )


def downgrade() -> None:
    op.drop_table("implementation_plans")
