"""wish pool upward: when a wish entered its present pool (county → city → province)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("wishes", sa.Column("pooled_at", sa.DateTime(timezone=True), nullable=True))
    # A wish already in a pool entered it at its last change (the escalation).
    op.execute("UPDATE wishes SET pooled_at = updated_at WHERE pool_org_id IS NOT NULL")


def downgrade() -> None:
    op.drop_column("wishes", "pooled_at")
