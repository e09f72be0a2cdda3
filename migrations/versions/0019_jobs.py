"""scheduled jobs: procrastinate's schema (its tables, types and functions), the reminders
put into cadres' inboxes, and the operations:view right

procrastinate's schema is the one shipped with the pinned version (pyproject.toml); moving
to a later procrastinate means a migration that applies its sql/migrations files.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27 17:10:00
"""

from collections.abc import Sequence
from importlib.resources import files

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = files("procrastinate.sql").joinpath("schema.sql").read_text(encoding="utf-8")
    # The file holds many statements and function bodies: asyncpg runs such a script in one
    # simple-protocol call (without parameters), not as a prepared statement.
    from sqlalchemy.util import await_only

    await_only(op.get_bind().connection.driver_connection.execute(schema))
    op.create_table(
        "reminders",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("cadre_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Enum("REPORT_WINDOW", "FIVE_ONES_DUE", name="reminderkind", native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("org_id", sa.BigInteger(), nullable=False),
        sa.Column("org_path", models.base.Ltree(), nullable=False),
        sa.Column("city_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["cadre_id"], ["cadres.id"], name=op.f("fk_reminders_cadre_id_cadres")),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_reminders_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("kind", "period", "cadre_id", name=op.f("uq_reminders_kind_period_cadre_id")),
    )
    op.create_index(op.f("ix_reminders_cadre_id"), "reminders", ["cadre_id"], unique=False)
    op.create_index(op.f("ix_reminders_org_id"), "reminders", ["org_id"], unique=False)
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON reminders TO youthlink_app")
    op.execute(
        "GRANT SELECT, INSERT, UPDATE, DELETE ON procrastinate_jobs, procrastinate_events,"
        " procrastinate_periodic_defers, procrastinate_workers TO youthlink_app"
    )
    op.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO youthlink_app")

    from authz.defaults import sync_statements

    for stmt in sync_statements():
        op.execute(stmt)


def downgrade() -> None:
    op.drop_table("reminders")
    for table in ("events", "periodic_defers", "jobs", "workers"):
        op.execute(f"DROP TABLE IF EXISTS procrastinate_{table} CASCADE")
