"""results flow down, honest checks: bulletin lines per org, the assessed org's path on its
scores, the checked log's org on a spot-check item, the checker and the end of a spot check,
field grants tied to a spot check

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import models.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0007: while a move rewrites paths, and only in the path columns.
_PATH_ONLY = """(coalesce(current_setting('youthlink.org_move', true), '') = 'on'
    AND (to_jsonb(NEW) - 'org_path' - 'city_id') = (to_jsonb(OLD) - 'org_path' - 'city_id'))"""


def upgrade() -> None:
    op.add_column("spot_checks", sa.Column("checker_id", sa.BigInteger(), nullable=True))
    op.add_column("spot_checks", sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("spot_checks", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_foreign_key(
        op.f("fk_spot_checks_checker_id_users"), "spot_checks", "users", ["checker_id"], ["id"]
    )
    op.create_index(op.f("ix_spot_checks_checker_id"), "spot_checks", ["checker_id"], unique=False)
    op.execute("UPDATE spot_checks SET checker_id = created_by")
    op.add_column("spot_check_items", sa.Column("org_path", models.base.Ltree(), nullable=True))
    op.execute(
        "UPDATE spot_check_items i SET org_path = l.org_path FROM work_logs l WHERE l.id = i.log_id"
    )
    op.create_index(
        "ix_spot_check_items_org_path_gist",
        "spot_check_items",
        ["org_path"],
        postgresql_using="gist",
    )
    op.add_column("field_grants", sa.Column("spot_check_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_field_grants_spot_check_id_spot_checks"),
        "field_grants",
        "spot_checks",
        ["spot_check_id"],
        ["id"],
    )
    op.create_index(
        op.f("ix_field_grants_spot_check_id"), "field_grants", ["spot_check_id"], unique=False
    )
    op.add_column("assessment_scores", sa.Column("org_path", models.base.Ltree(), nullable=True))
    op.execute("UPDATE assessment_scores s SET org_path = o.path FROM orgs o WHERE o.id = s.org_id")

    op.create_table(
        "bulletin_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bulletin_id", sa.BigInteger(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.SmallInteger(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("org_id", sa.BigInteger(), nullable=False),
        sa.Column("org_path", models.base.Ltree(), nullable=False),
        sa.Column("city_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bulletin_id"], ["bulletins.id"], name=op.f("fk_bulletin_lines_bulletin_id_bulletins")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_bulletin_lines_org_id_orgs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin_lines")),
        sa.UniqueConstraint(
            "bulletin_id", "org_id", name=op.f("uq_bulletin_lines_bulletin_id_org_id")
        ),
    )
    op.create_index(
        op.f("ix_bulletin_lines_bulletin_id"), "bulletin_lines", ["bulletin_id"], unique=False
    )
    op.create_index(op.f("ix_bulletin_lines_org_id"), "bulletin_lines", ["org_id"], unique=False)
    op.create_index(
        "ix_bulletin_lines_org_path_gist", "bulletin_lines", ["org_path"], postgresql_using="gist"
    )
    # The lines of bulletins already published.
    op.execute("""
        INSERT INTO bulletin_lines
            (bulletin_id, year, quarter, published_at, figures, org_id, org_path, city_id)
        SELECT b.id, b.year, b.quarter, coalesce(b.published_at, b.created_at), r.line,
               o.id, o.path, o.city_id
          FROM bulletins b CROSS JOIN LATERAL jsonb_array_elements(b.rows) AS r(line)
          JOIN orgs o ON o.id = (r.line->>'org_id')::bigint
         WHERE b.published
    """)
    # A published line never changes, as its bulletin (a move rewrites its path columns only).
    op.execute(f"""
        CREATE FUNCTION bulletin_lines_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND {_PATH_ONLY} THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'bulletin line % is published and cannot change', OLD.id
                USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    op.execute("""
        CREATE TRIGGER bulletin_lines_frozen BEFORE UPDATE OR DELETE ON bulletin_lines
            FOR EACH ROW EXECUTE FUNCTION bulletin_lines_frozen()
    """)
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON bulletin_lines TO youthlink_app")
    op.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO youthlink_app")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS bulletin_lines_frozen ON bulletin_lines")
    op.execute("DROP FUNCTION IF EXISTS bulletin_lines_frozen()")
    op.drop_table("bulletin_lines")
    op.drop_column("assessment_scores", "org_path")
    op.drop_index(op.f("ix_field_grants_spot_check_id"), table_name="field_grants")
    op.drop_constraint(
        op.f("fk_field_grants_spot_check_id_spot_checks"), "field_grants", type_="foreignkey"
    )
    op.drop_column("field_grants", "spot_check_id")
    op.drop_index("ix_spot_check_items_org_path_gist", table_name="spot_check_items")
    op.drop_column("spot_check_items", "org_path")
    op.drop_index(op.f("ix_spot_checks_checker_id"), table_name="spot_checks")
    op.drop_constraint(op.f("fk_spot_checks_checker_id_users"), "spot_checks", type_="foreignkey")
    op.drop_column("spot_checks", "closed_at")
    op.drop_column("spot_checks", "ends_at")
    op.drop_column("spot_checks", "checker_id")
