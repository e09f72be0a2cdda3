"""rubric versions: the 附件1 rubric as data the province edits (version 1 as written), and
each round's frozen version

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-27 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from models.defaults import rubric_seed_statement

    op.create_table(
        "rubric_versions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("published_by", sa.BigInteger(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_rubric_versions_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["published_by"], ["users.id"], name=op.f("fk_rubric_versions_published_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubric_versions")),
        sa.UniqueConstraint("number", name=op.f("uq_rubric_versions_number")),
    )
    op.execute(rubric_seed_statement())
    # Rounds opened before versions existed were scored on version 1 (the constant it holds).
    op.add_column(
        "assessment_rounds", sa.Column("rubric_version_id", sa.BigInteger(), nullable=True)
    )
    op.execute(
        "UPDATE assessment_rounds SET rubric_version_id = "
        "(SELECT id FROM rubric_versions WHERE number = 1)"
    )
    op.alter_column("assessment_rounds", "rubric_version_id", nullable=False)
    op.create_foreign_key(
        op.f("fk_assessment_rounds_rubric_version_id_rubric_versions"),
        "assessment_rounds",
        "rubric_versions",
        ["rubric_version_id"],
        ["id"],
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_assessment_rounds_rubric_version_id_rubric_versions"),
        "assessment_rounds",
        type_="foreignkey",
    )
    op.drop_column("assessment_rounds", "rubric_version_id")
    op.drop_table("rubric_versions")
