"""rosters: the 智慧团建 org code, and 团员 / 青年 on youth

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("orgs", sa.Column("zhtj_code", sa.String(length=32), nullable=True))
    op.create_unique_constraint(op.f("uq_orgs_zhtj_code"), "orgs", ["zhtj_code"])
    op.add_column(
        "youth",
        sa.Column(
            "membership",
            sa.Enum(
                "LEAGUE_MEMBER",
                "YOUTH",
                name="membership",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
    )


def downgrade() -> None:
    op.drop_column("youth", "membership")
    op.drop_constraint(op.f("uq_orgs_zhtj_code"), "orgs", type_="unique")
    op.drop_column("orgs", "zhtj_code")
