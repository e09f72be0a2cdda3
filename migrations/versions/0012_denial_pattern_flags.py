"""flags: DENIAL_PATTERN, the unanswered contacts of a cadre whose youth deny contacts

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 17:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("NEAR_DUPLICATE", "BURST", "UNCONFIRMED", "DENIED", "SPOT_CHECK_FAILED")
NEW = (*OLD, "DENIAL_PATTERN")


def _allow(kinds: tuple[str, ...]) -> None:
    op.drop_constraint("flagkind", "flags", type_="check")
    listed = ", ".join(f"'{k}'" for k in kinds)
    op.create_check_constraint("flagkind", "flags", f"kind IN ({listed})")


def upgrade() -> None:
    _allow(NEW)


def downgrade() -> None:
    op.execute("DELETE FROM flags WHERE kind = 'DENIAL_PATTERN'")
    _allow(OLD)
