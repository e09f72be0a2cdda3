"""五个一 as written: variety a rule setting (off by default), organ work only, organs' 一学一做

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-27 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORGAN_ONLY_KINDS = "('ORGAN_OPEN_DAY', 'FACE_TO_FACE', 'SHARING', 'SELF_DESIGNED')"


def upgrade() -> None:
    # The notice lists the kinds as examples (比如): the seeded "one of each" misread it.
    op.alter_column("quota_rules", "one_of_each", server_default=sa.false())
    op.execute("UPDATE quota_rules SET one_of_each = false")
    op.add_column(
        "quota_rules",
        sa.Column("counts_learn_and_do", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # §二.1: 机关干部指导参与基层团组织“一学一做”教育实践的有关工作，可纳入“五个一”工作内容。
    op.execute("UPDATE quota_rules SET counts_learn_and_do = true WHERE subject = 'LEADING_ORGAN'")
    op.add_column(
        "work_logs",
        sa.Column("for_organ", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # Kinds only an organ holds were the organ's; a VOLUNTEER log is not known to be.
    op.execute(f"UPDATE work_logs SET for_organ = true WHERE activity_kind IN {ORGAN_ONLY_KINDS}")
    # The organ's activities stay an index-only read with the new column in the index.
    op.drop_index("ix_work_logs_org_activity", table_name="work_logs")
    op.create_index(
        "ix_work_logs_org_activity",
        "work_logs",
        ["org_id", "occurred_at"],
        postgresql_include=["activity_kind", "for_organ"],
        postgresql_where=sa.text("kind = 'ACTIVITY' AND deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_work_logs_org_activity", table_name="work_logs")
    op.create_index(
        "ix_work_logs_org_activity",
        "work_logs",
        ["org_id", "occurred_at"],
        postgresql_include=["activity_kind"],
        postgresql_where=sa.text("kind = 'ACTIVITY' AND deleted_at IS NULL"),
    )
    op.drop_column("work_logs", "for_organ")
    op.drop_column("quota_rules", "counts_learn_and_do")
    op.alter_column("quota_rules", "one_of_each", server_default=sa.true())
