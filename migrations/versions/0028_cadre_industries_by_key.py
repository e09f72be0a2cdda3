"""cadre_industries' trigger on contacts reads the links' youth through youth_keys: by id
alone it probed every city's youth partition for each youth (migration 0027 partitioned
youth by city), one index scan per city for every link written (430 for the country);
with the key table's city, one.

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-28 01:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDUSTRY = "coalesce(nullif(y.industry, ''), '未填写')"
_UPSERT = """
    INSERT INTO cadre_industries AS w (cadre_id, org_id, industry, org_path, city_id, n)
    SELECT cadre_id, org_id, industry, (array_agg(org_path ORDER BY d DESC))[1],
           (array_agg(city_id ORDER BY d DESC))[1], sum(d)
    FROM (SELECT c.cadre_id, c.org_id, y.industry, c.org_path, c.city_id, c.d
          FROM c JOIN y ON y.id = c.youth_id) x
    GROUP BY cadre_id, org_id, industry HAVING sum(d) <> 0
    ORDER BY cadre_id, org_id, industry
    ON CONFLICT ON CONSTRAINT pk_cadre_industries DO UPDATE
    SET n = w.n + EXCLUDED.n, org_path = EXCLUDED.org_path, city_id = EXCLUDED.city_id"""
# The links' youth, read FOR SHARE (see 0025): before, by id alone; now with their city.
_BY_ID = f"""SELECT y.id, {_INDUSTRY} AS industry FROM youth y
             WHERE y.id IN (SELECT youth_id FROM c) ORDER BY y.id FOR SHARE"""
_BY_KEY = f"""SELECT y.id, {_INDUSTRY} AS industry
             FROM youth_keys k JOIN youth y ON y.id = k.id AND y.city_id = k.city_id
             WHERE k.id IN (SELECT youth_id FROM c) ORDER BY y.id FOR SHARE OF y"""


def _links_function(youth: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION cadre_industries_from_links() RETURNS trigger
        LANGUAGE plpgsql AS $f$
        DECLARE
            changed text := CASE TG_OP
                WHEN 'INSERT' THEN 'SELECT l.*, 1 AS d FROM new_rows l'
                WHEN 'DELETE' THEN 'SELECT l.*, -1 AS d FROM old_rows l'
                ELSE 'SELECT l.*, -1 AS d FROM old_rows l UNION ALL SELECT l.*, 1 FROM new_rows l'
            END;
        BEGIN
            EXECUTE format($q$
                WITH c AS MATERIALIZED (SELECT * FROM (%s) c WHERE c.status = 'ACTIVE'),
                y AS MATERIALIZED ({youth})
                {_UPSERT}
            $q$, changed);
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM cadre_industries w USING (SELECT DISTINCT cadre_id FROM old_rows) o
                WHERE w.cadre_id = o.cadre_id AND w.n = 0;
            END IF;
            RETURN NULL;
        END $f$
    """


def upgrade() -> None:
    op.execute(_links_function(_BY_KEY))


def downgrade() -> None:
    op.execute(_links_function(_BY_ID))
