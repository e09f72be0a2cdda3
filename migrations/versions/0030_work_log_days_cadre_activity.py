"""a cadre's own activities of a 五个一 period, index-only: `ix_work_log_days_cadre_activity
(cadre_id, day) INCLUDE (activity_kind, n, city_id) WHERE kind = 'ACTIVITY'` on the rollup.
A cadre's own page (resolvers/figures.py `_progress_sql`, `few=True`) looks up each cadre's
activities; with only the primary key (not covering `n` and `city_id`) and the city's
(city_id, day) range to choose from, at 52 cities the planner read the city's period
index-only and filtered it by cadre (71,104 rows removed for 4 kept: 8.4 ms a cadre at
scale 4, 0.4 ms at scale 1; bench/results/scale.md). This range is the cadre's own rows.

Built CONCURRENTLY: the rollup is written by the triggers of every work log.

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-28 07:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_work_log_days_cadre_activity")
        op.execute(
            "CREATE INDEX CONCURRENTLY ix_work_log_days_cadre_activity ON work_log_days"
            " (cadre_id, day) INCLUDE (activity_kind, n, city_id) WHERE kind = 'ACTIVITY'"
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_work_log_days_cadre_activity")
