"""assessment contributions: what each subject (cadre, leading organ, county) contributed to
each computed item of an assessed org (the drill-down behind a score)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-27 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessment_contributions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("assessed_org_id", sa.BigInteger(), nullable=False),
        sa.Column("item", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("cadre_id", sa.BigInteger(), nullable=True),
        sa.Column("achieved", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.Column("possible", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.Column("org_id", sa.BigInteger(), nullable=False),
        sa.Column("org_path", models.base.Ltree(), nullable=False),
        sa.Column("city_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["assessment_rounds.id"],
            name=op.f("fk_assessment_contributions_round_id_assessment_rounds"),
        ),
        sa.ForeignKeyConstraint(
            ["assessed_org_id"],
            ["orgs.id"],
            name=op.f("fk_assessment_contributions_assessed_org_id_orgs"),
        ),
        sa.ForeignKeyConstraint(
            ["cadre_id"], ["cadres.id"], name=op.f("fk_assessment_contributions_cadre_id_cadres")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_assessment_contributions_org_id_orgs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_contributions")),
    )
    op.create_index(
        op.f("ix_assessment_contributions_round_id"),
        "assessment_contributions",
        ["round_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_assessment_contributions_org_id"),
        "assessment_contributions",
        ["org_id"],
        unique=False,
    )
    op.create_index(
        "ix_assessment_contributions_org_path_gist",
        "assessment_contributions",
        ["org_path"],
        postgresql_using="gist",
    )
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON assessment_contributions TO youthlink_app")
    op.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO youthlink_app")


def downgrade() -> None:
    op.drop_table("assessment_contributions")
