"""一学一做 as written: the missing kinds (自查整顿, 评先, 先锋岗), the work plan, and 典型 recommendations

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = ("STUDY", "ORG_LIFE_MEETING", "OATH_RENEWAL", "VOLUNTEER", "ONLINE_THEME_DAY", "LEAGUE_LESSON")
NEW_KINDS = (*OLD_KINDS, "SELF_REVIEW", "SELECT_MODELS", "VANGUARD_POST")


def _kinds_check(kinds: tuple[str, ...]) -> None:
    op.drop_constraint(op.f("ck_learn_and_do_records_learnanddokind"), "learn_and_do_records", type_="check")
    listed = ", ".join(f"'{k}'" for k in kinds)
    op.create_check_constraint(
        op.f("ck_learn_and_do_records_learnanddokind"), "learn_and_do_records", f"kind IN ({listed})"
    )


def upgrade() -> None:
    _kinds_check(NEW_KINDS)
    op.add_column("learn_and_do_choices", sa.Column("work_plan", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "learn_and_do_choices", sa.Column("work_plan_updated_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "learn_and_do_recommendations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("cadre_id", sa.BigInteger(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "EXPERIENCE", "PRACTICE", "MODEL",
                name="recommendationkind", native_enum=False, create_constraint=True, length=32,
            ),
            nullable=False,
        ),
        sa.Column("source_org_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recommended_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("org_id", sa.BigInteger(), nullable=False),
        sa.Column("org_path", models.base.Ltree(), nullable=False),
        sa.Column("city_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cadre_id"], ["cadres.id"], name=op.f("fk_learn_and_do_recommendations_cadre_id_cadres")
        ),
        sa.ForeignKeyConstraint(
            ["source_org_id"], ["orgs.id"], name=op.f("fk_learn_and_do_recommendations_source_org_id_orgs")
        ),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_learn_and_do_recommendations_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learn_and_do_recommendations")),
    )
    op.create_index(
        "ix_learn_and_do_recommendations_cadre_year", "learn_and_do_recommendations", ["cadre_id", "year"]
    )
    op.create_index(
        op.f("ix_learn_and_do_recommendations_org_id"), "learn_and_do_recommendations", ["org_id"]
    )
    op.create_index(
        "ix_learn_and_do_recommendations_org_path_gist",
        "learn_and_do_recommendations",
        ["org_path"],
        postgresql_using="gist",
    )


def downgrade() -> None:
    op.drop_table("learn_and_do_recommendations")
    op.drop_column("learn_and_do_choices", "work_plan_updated_at")
    op.drop_column("learn_and_do_choices", "work_plan")
    op.execute("DELETE FROM learn_and_do_records WHERE kind IN ('SELF_REVIEW', 'SELECT_MODELS', 'VANGUARD_POST')")
    _kinds_check(OLD_KINDS)
