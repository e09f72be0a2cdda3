"""the points ledger by city and day: `ix_point_entries_city_day (city_id, day) INCLUDE
(cadre_id, points, org_path)`, so that a ranking of a subtree within one city reads that
city's entries of the period (index-only once the table is vacuumed) instead of the GiST
range of org_path over the whole country's ledger (bench/results/scale.md: 2.5× at 52
cities). The ledger is not partitioned: its unique keys (an award per record, a reversal per
entry) and its self-reference would have to take the city, and a move of a county would move
its rows between partitions; the index gives the rankings the same pruning.

Built CONCURRENTLY (outside the migration's transaction): every work record appends to the
ledger, and a plain CREATE INDEX would hold those writers for the build (minutes at 20M
rows). A build that failed leaves an invalid index: it is dropped and made again.

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-28 06:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_point_entries_city_day")
        op.execute(
            "CREATE INDEX CONCURRENTLY ix_point_entries_city_day ON point_entries"
            " (city_id, day) INCLUDE (cadre_id, points, org_path)"
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_point_entries_city_day")
