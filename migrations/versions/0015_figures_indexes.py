"""Figures (统计口径) read through indexes that hold what they count: a city's logs of a period,
each cadre's and each leading organ's activities, a city's links, youth's industries

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 17:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
ACTIVITIES = sa.text("kind = 'ACTIVITY' AND deleted_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_work_logs_city_occurred",
        "work_logs",
        ["city_id", "occurred_at"],
        postgresql_include=["org_path", "cadre_id", "kind", "activity_kind", "channel", "client"],
        postgresql_where=LIVE,
    )
    for owner in ("cadre_id", "org_id"):
        op.create_index(
            f"ix_work_logs_{owner.removesuffix('_id')}_activity",
            "work_logs",
            [owner, "occurred_at"],
            postgresql_include=["activity_kind"],
            postgresql_where=ACTIVITIES,
        )
    op.create_index(
        "ix_contacts_city_status",
        "contacts",
        ["city_id", "status"],
        postgresql_include=["org_path", "youth_id", "cadre_id"],
    )
    op.create_index("ix_youth_industry", "youth", ["id"], postgresql_include=["industry"])


def downgrade() -> None:
    op.drop_index("ix_youth_industry", table_name="youth")
    op.drop_index("ix_contacts_city_status", table_name="contacts")
    for name in ("ix_work_logs_org_activity", "ix_work_logs_cadre_activity", "ix_work_logs_city_occurred"):
        op.drop_index(name, table_name="work_logs")
