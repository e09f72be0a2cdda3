"""cadre_industries: each cadre's accepted links by the youth's industry, kept by triggers on
contacts and youth in the writing statement's own transaction; backfilled from the rows

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-27 20:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDUSTRY = "coalesce(nullif(industry, ''), '未填写')"
_UPSERT = """
    INSERT INTO cadre_industries AS w (cadre_id, org_id, industry, org_path, city_id, n)
    SELECT cadre_id, org_id, industry, (array_agg(org_path ORDER BY d DESC))[1],
           (array_agg(city_id ORDER BY d DESC))[1], sum(d)
    FROM (%s) x
    GROUP BY cadre_id, org_id, industry HAVING sum(d) <> 0
    ORDER BY cadre_id, org_id, industry
    ON CONFLICT ON CONSTRAINT pk_cadre_industries DO UPDATE
    SET n = w.n + EXCLUDED.n, org_path = EXCLUDED.org_path, city_id = EXCLUDED.city_id"""


def upgrade() -> None:
    op.create_table(
        "cadre_industries",
        sa.Column("cadre_id", sa.BigInteger(), nullable=False),
        sa.Column("industry", sa.String(length=50), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.BigInteger(), nullable=False),
        sa.Column("org_path", models.base.Ltree(), nullable=False),
        sa.Column("city_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_cadre_industries_org_id_orgs")
        ),
        sa.PrimaryKeyConstraint("cadre_id", "org_id", "industry", name="pk_cadre_industries"),
    )
    op.create_index(op.f("ix_cadre_industries_org_id"), "cadre_industries", ["org_id"])
    op.create_index(
        "ix_cadre_industries_city",
        "cadre_industries",
        ["city_id"],
        postgresql_include=["org_path", "cadre_id", "industry", "n"],
    )
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON cadre_industries TO youthlink_app")

    # Links: the statement's removed ACTIVE links count -1, its added ones +1, under their
    # youth's industry. The youth rows are read FOR SHARE: an edit of a youth's industry in
    # a concurrent transaction is waited for and then seen, so neither side misses the other.
    # A row brought to 0 is removed.
    op.execute(f"""
        CREATE FUNCTION cadre_industries_from_links() RETURNS trigger LANGUAGE plpgsql AS $f$
        DECLARE
            changed text := CASE TG_OP
                WHEN 'INSERT' THEN 'SELECT l.*, 1 AS d FROM new_rows l'
                WHEN 'DELETE' THEN 'SELECT l.*, -1 AS d FROM old_rows l'
                ELSE 'SELECT l.*, -1 AS d FROM old_rows l UNION ALL SELECT l.*, 1 FROM new_rows l'
            END;
        BEGIN
            EXECUTE format($q$
                WITH c AS MATERIALIZED (SELECT * FROM (%s) c WHERE c.status = 'ACTIVE'),
                y AS MATERIALIZED (SELECT id, {_INDUSTRY} AS industry FROM youth
                                   WHERE id IN (SELECT youth_id FROM c) ORDER BY id FOR SHARE)
                {_UPSERT.replace("%s", "SELECT c.cadre_id, c.org_id, y.industry, c.org_path, c.city_id, c.d FROM c JOIN y ON y.id = c.youth_id")}
            $q$, changed);
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM cadre_industries w USING (SELECT DISTINCT cadre_id FROM old_rows) o
                WHERE w.cadre_id = o.cadre_id AND w.n = 0;
            END IF;
            RETURN NULL;
        END $f$
    """)
    for event, tables in (
        ("insert", "NEW TABLE AS new_rows"),
        ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("delete", "OLD TABLE AS old_rows"),
    ):
        op.execute(f"""
            CREATE TRIGGER cadre_industries_{event} AFTER {event.upper()} ON contacts
                REFERENCING {tables}
                FOR EACH STATEMENT EXECUTE FUNCTION cadre_industries_from_links()
        """)
    # Youth: an edited industry moves each of the youth's ACTIVE links from the old industry
    # to the new (a youth is deleted only after its links, which count themselves out).
    op.execute(f"""
        CREATE FUNCTION cadre_industries_from_youth() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            {_UPSERT.replace("%s", f'''
                SELECT c.cadre_id, c.org_id, y.industry, c.org_path, c.city_id, y.d
                FROM (SELECT id, {_INDUSTRY} AS industry, -1 AS d FROM old_rows
                      UNION ALL SELECT id, {_INDUSTRY}, 1 FROM new_rows) y
                JOIN contacts c ON c.youth_id = y.id AND c.status = 'ACTIVE' ''')};
            DELETE FROM cadre_industries w
            USING (SELECT DISTINCT c.cadre_id FROM contacts c
                   WHERE c.youth_id IN (SELECT id FROM old_rows)) o
            WHERE w.cadre_id = o.cadre_id AND w.n = 0;
            RETURN NULL;
        END $f$
    """)
    op.execute("""
        CREATE TRIGGER cadre_industries_youth AFTER UPDATE ON youth
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION cadre_industries_from_youth()
    """)
    # The links already made.
    op.execute(f"""
        INSERT INTO cadre_industries (cadre_id, org_id, industry, org_path, city_id, n)
        SELECT c.cadre_id, c.org_id, coalesce(nullif(y.industry, ''), '未填写'),
               min(c.org_path::text)::ltree, min(c.city_id), count(*)
        FROM contacts c JOIN youth y ON y.id = c.youth_id
        WHERE c.status = 'ACTIVE'
        GROUP BY 1, 2, 3
    """)
    op.execute("ANALYZE cadre_industries")


def downgrade() -> None:
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER cadre_industries_{event} ON contacts")
    op.execute("DROP TRIGGER cadre_industries_youth ON youth")
    op.execute("DROP FUNCTION cadre_industries_from_links()")
    op.execute("DROP FUNCTION cadre_industries_from_youth()")
    op.drop_table("cadre_industries")
