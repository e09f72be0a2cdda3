"""work_log_days: the live work logs counted per cadre, org, league day and shape, kept by
triggers on work_logs in the writing statement's own transaction; backfilled from the rows

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-27 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A log's key in the rollup, over a row `l` of work_logs (what models/rollups.py recounts).
_KEY = """cadre_id, league_day(occurred_at) AS day, org_id, kind,
          coalesce(activity_kind, '') AS activity_kind, coalesce(channel, '') AS channel,
          client, for_organ"""
_COLUMNS = "cadre_id, day, org_id, kind, activity_kind, channel, client, for_organ"


def upgrade() -> None:
    op.create_table(
        "work_log_days",
        sa.Column("cadre_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("activity_kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("client", sa.String(length=10), nullable=False),
        sa.Column("for_organ", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.BigInteger(), nullable=False),
        sa.Column("org_path", models.base.Ltree(), nullable=False),
        sa.Column("city_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_work_log_days_org_id_orgs")),
        sa.PrimaryKeyConstraint(
            "cadre_id",
            "day",
            "org_id",
            "kind",
            "activity_kind",
            "channel",
            "client",
            "for_organ",
            name="pk_work_log_days",
        ),
    )
    op.create_index(op.f("ix_work_log_days_org_id"), "work_log_days", ["org_id"])
    op.create_index(
        "ix_work_log_days_city_day",
        "work_log_days",
        ["city_id", "day"],
        postgresql_include=[
            "org_path",
            "cadre_id",
            "kind",
            "activity_kind",
            "channel",
            "client",
            "n",
        ],
    )
    op.create_index(
        "ix_work_log_days_organ",
        "work_log_days",
        ["org_id", "day"],
        postgresql_include=["activity_kind", "n"],
        postgresql_where=sa.text("kind = 'ACTIVITY' AND for_organ"),
    )
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON work_log_days TO youthlink_app")

    # The league's day of an instant (models.rollups.ROLLUP_ZONE): periods are whole days there.
    op.execute("""
        CREATE FUNCTION league_day(t timestamptz) RETURNS date
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT (t AT TIME ZONE 'Asia/Shanghai')::date $$
    """)
    # One function for the three statement triggers: the statement's removed rows (old) count
    # -1, its added rows (new) +1, summed per key; keys whose sum is 0 (a move rewriting paths,
    # an edit of the text) are left alone. Keys are written in their order, so concurrent
    # writers take the rollup's row locks in one order. A row brought to 0 is removed.
    op.execute(f"""
        CREATE FUNCTION work_log_days_keep() RETURNS trigger LANGUAGE plpgsql AS $f$
        DECLARE
            changed text := CASE TG_OP
                WHEN 'INSERT' THEN 'SELECT l.*, 1 AS d FROM new_rows l'
                WHEN 'DELETE' THEN 'SELECT l.*, -1 AS d FROM old_rows l'
                ELSE 'SELECT l.*, -1 AS d FROM old_rows l UNION ALL SELECT l.*, 1 FROM new_rows l'
            END;
        BEGIN
            EXECUTE format($q$
                INSERT INTO work_log_days AS w ({_COLUMNS}, org_path, city_id, n)
                SELECT {_COLUMNS}, (array_agg(org_path ORDER BY d DESC))[1],
                       (array_agg(city_id ORDER BY d DESC))[1], sum(d)
                FROM (SELECT {_KEY}, org_path, city_id, d
                      FROM (%s) l WHERE l.deleted_at IS NULL) x
                GROUP BY {_COLUMNS} HAVING sum(d) <> 0
                ORDER BY {_COLUMNS}
                ON CONFLICT ON CONSTRAINT pk_work_log_days DO UPDATE
                SET n = w.n + EXCLUDED.n, org_path = EXCLUDED.org_path, city_id = EXCLUDED.city_id
            $q$, changed);
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM work_log_days w USING (SELECT DISTINCT cadre_id, league_day(occurred_at) AS day
                                                   FROM old_rows) o
                WHERE w.cadre_id = o.cadre_id AND w.day = o.day AND w.n = 0;
            END IF;
            RETURN NULL;
        END $f$
    """)
    op.execute("""
        CREATE TRIGGER work_log_days_insert AFTER INSERT ON work_logs
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION work_log_days_keep()
    """)
    op.execute("""
        CREATE TRIGGER work_log_days_update AFTER UPDATE ON work_logs
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION work_log_days_keep()
    """)
    op.execute("""
        CREATE TRIGGER work_log_days_delete AFTER DELETE ON work_logs
            REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION work_log_days_keep()
    """)
    # The logs already written.
    op.execute(f"""
        INSERT INTO work_log_days ({_COLUMNS}, org_path, city_id, n)
        SELECT {_COLUMNS}, min(org_path::text)::ltree, min(city_id), count(*)
        FROM (SELECT {_KEY}, org_path, city_id FROM work_logs WHERE deleted_at IS NULL) l
        GROUP BY {_COLUMNS}
    """)
    op.execute("ANALYZE work_log_days")


def downgrade() -> None:
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER work_log_days_{event} ON work_logs")
    op.execute("DROP FUNCTION work_log_days_keep()")
    op.drop_table("work_log_days")
    op.execute("DROP FUNCTION league_day(timestamptz)")
