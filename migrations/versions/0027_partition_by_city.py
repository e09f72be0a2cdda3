"""partition the hot tables by city: youth, contacts and work_logs become LIST-partitioned on
city_id (one partition per city, province-level rows in `<table>_default`); foreign keys into
youth and work_logs point at narrow key tables (youth_keys, work_log_keys) kept by triggers

A partitioned table's unique keys must hold the partition key, so `youth.id` and
`work_logs.id` alone can no longer be referenced, nor `youth.mobile` be unique across cities.
The key tables are the one global index each: the id (and the youth's city, mobile and
account) of every row, filled and emptied by statement triggers on the partitioned table, so that every
existing foreign key keeps its meaning (RESTRICT, CASCADE) without the referencing tables
learning of cities. docs/scale.md says why this and not composite keys.

Statement-level triggers (with transition tables) rather than row triggers: a move of a
county to another city is an UPDATE that moves its rows between partitions, which row
triggers see as a DELETE and an INSERT (a DELETE would cascade to the log's participants);
an UPDATE statement fires only the UPDATE statement trigger.

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-27 20:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The partitioned tables, parents first; the key table of each table others reference.
TABLES = ("youth", "contacts", "work_logs")
KEYS = {"youth": "youth_keys", "work_logs": "work_log_keys"}
# Unique keys that must take the partition key (a cadre's links are all in their city, so
# (cadre, youth, city) is as unique as (cadre, youth)); youth's mobile and account move to
# youth_keys.
UNIQUE_WITH_CITY = {
    "uq_contacts_live": "CREATE UNIQUE INDEX uq_contacts_live ON contacts "
    "(cadre_id, youth_id, city_id) WHERE status::text <> 'LEFT'::text"
}

TRIGGERS = """
CREATE FUNCTION youth_keys_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  INSERT INTO youth_keys (id, city_id, mobile, user_id)
  SELECT id, city_id, mobile, user_id FROM new_rows;
  RETURN NULL; END $$
--
CREATE FUNCTION youth_keys_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  UPDATE youth_keys k SET city_id = n.city_id, mobile = n.mobile, user_id = n.user_id
  FROM new_rows n WHERE k.id = n.id
  AND (k.city_id, k.mobile, k.user_id) IS DISTINCT FROM (n.city_id, n.mobile, n.user_id);
  RETURN NULL; END $$
--
CREATE FUNCTION youth_keys_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  DELETE FROM youth_keys k USING old_rows o WHERE k.id = o.id;
  RETURN NULL; END $$
--
CREATE TRIGGER youth_keys_insert AFTER INSERT ON youth REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION youth_keys_insert()
--
CREATE TRIGGER youth_keys_update AFTER UPDATE ON youth REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION youth_keys_update()
--
CREATE TRIGGER youth_keys_delete AFTER DELETE ON youth REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION youth_keys_delete()
--
CREATE FUNCTION work_log_keys_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  INSERT INTO work_log_keys (id) SELECT id FROM new_rows; RETURN NULL; END $$
--
CREATE FUNCTION work_log_keys_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  DELETE FROM work_log_keys k USING old_rows o WHERE k.id = o.id; RETURN NULL; END $$
--
CREATE TRIGGER work_log_keys_insert AFTER INSERT ON work_logs REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION work_log_keys_insert()
--
CREATE TRIGGER work_log_keys_delete AFTER DELETE ON work_logs REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION work_log_keys_delete()
--
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS youth_keys_insert ON youth
--
DROP TRIGGER IF EXISTS youth_keys_update ON youth
--
DROP TRIGGER IF EXISTS youth_keys_delete ON youth
--
DROP TRIGGER IF EXISTS work_log_keys_insert ON work_logs
--
DROP TRIGGER IF EXISTS work_log_keys_delete ON work_logs
--
DROP FUNCTION IF EXISTS youth_keys_insert(), youth_keys_update(), youth_keys_delete(),
  work_log_keys_insert(), work_log_keys_delete()
--
"""


def _each(script: str) -> None:
    """One statement at a time (asyncpg prepares each): the script's are separated by `--`."""
    for statement in script.split("\n--"):
        if statement.strip():
            op.execute(statement)


def _rows(sql: str) -> list:  # type: ignore[type-arg]
    return list(op.get_bind().exec_driver_sql(sql))


def _incoming(referenced: Sequence[str]) -> list[tuple[str, str, str]]:
    """(table, constraint, definition) of every foreign key into `referenced`, whoever wrote
    it: others' tables (evidence, spot checks, rollups …) are found, not listed here."""
    names = ", ".join(f"'{t}'::regclass" for t in referenced)
    return _rows(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        f" WHERE contype = 'f' AND confrelid IN ({names}) ORDER BY 1, 2"
    )


def _fk_name(table: str, definition: str, target: str) -> str:
    """The naming convention's name (models/base.py): fk_<table>_<column>_<referred table>."""
    column = definition.split("(", 1)[1].split(")", 1)[0].split(",")[0].strip()
    return f"fk_{table}_{column}_{target}"[:63]


def _retarget(pairs: dict[str, str]) -> None:
    """Drop every foreign key into pairs' keys and make it again into their values."""
    for table, name, definition in _incoming(list(pairs)):
        op.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for old, new in pairs.items():
            if f"REFERENCES {old}(" in definition:
                definition = definition.replace(f"REFERENCES {old}(", f"REFERENCES {new}(")
                op.execute(
                    f'ALTER TABLE {table} ADD CONSTRAINT "{_fk_name(table, definition, new)}" '
                    f"{definition}"
                )
                break


def _rebuild(table: str, *, partitioned: bool) -> None:
    """Make `table` again (partitioned by city or plain) with its rows, columns, checks,
    identity, indexes, outgoing foreign keys, triggers and grants, as the catalogue has them
    now."""
    fks = _rows(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        f" WHERE contype = 'f' AND conrelid = '{table}'::regclass"
    )
    indexes = _rows(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisprimary,"
        " EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype = 'u')"
        f" FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = '{table}'::regclass"
    )
    # Others' triggers (work_log_days' on work_logs, cadre_industries' on contacts and youth): made
    # again after the rows are copied, so that copying is not counted as writing.
    triggers = _rows(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger"
        f" WHERE tgrelid = '{table}'::regclass AND NOT tgisinternal AND tgparentid = 0"
    )
    grants = _rows(
        "SELECT grantee, string_agg(privilege_type, ', ') FROM information_schema.role_table_grants"
        f" WHERE table_name = '{table}' AND grantee <> current_user GROUP BY grantee"
    )
    op.execute(f"ALTER TABLE {table} RENAME TO {table}_old")
    how = " PARTITION BY LIST (city_id)" if partitioned else ""
    op.execute(
        f"CREATE TABLE {table} (LIKE {table}_old INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
        f" INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS){how}"
    )
    if partitioned:
        op.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
        for (city,) in _rows("SELECT id FROM orgs WHERE level = 'CITY' ORDER BY id"):
            op.execute(f"CREATE TABLE {table}_city_{city} PARTITION OF {table} FOR VALUES IN ({city})")
    op.execute(f"INSERT INTO {table} OVERRIDING SYSTEM VALUE SELECT * FROM {table}_old")
    op.execute(f"DROP TABLE {table}_old")
    op.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
        f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
    )
    keys = "id, city_id" if partitioned else "id"
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY ({keys})")
    for name, definition, primary, unique_constraint in indexes:
        if primary:
            continue
        if partitioned and (unique_constraint or name in UNIQUE_WITH_CITY):
            if name in UNIQUE_WITH_CITY:
                op.execute(UNIQUE_WITH_CITY[name])
            continue  # youth's mobile and account: unique in youth_keys
        if not partitioned and name == "uq_contacts_live":
            definition = definition.replace(", city_id)", ")")
        if not partitioned and name in ("ix_youth_mobile", "ix_youth_user_id"):
            column = name.removeprefix("ix_youth_")
            op.execute(f"ALTER TABLE youth ADD CONSTRAINT uq_youth_{column} UNIQUE ({column})")
            continue
        op.execute(definition.replace(f"ON ONLY public.{table} ", f"ON public.{table} "))
    if partitioned and table == "youth":
        op.execute("CREATE INDEX ix_youth_mobile ON youth (mobile)")
        op.execute("CREATE INDEX ix_youth_user_id ON youth (user_id)")
    for name, definition in fks:
        op.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for (definition,) in triggers:
        op.execute(definition)
    for grantee, privileges in grants:
        op.execute(f"GRANT {privileges} ON {table} TO {grantee}")


def upgrade() -> None:
    op.execute(
        "CREATE TABLE youth_keys (id BIGINT NOT NULL, city_id BIGINT NOT NULL,"
        " mobile VARCHAR(20) NOT NULL, user_id BIGINT,"
        " CONSTRAINT pk_youth_keys PRIMARY KEY (id),"
        " CONSTRAINT uq_youth_keys_mobile UNIQUE (mobile),"
        " CONSTRAINT uq_youth_keys_user_id UNIQUE (user_id))"
    )
    op.execute(
        "CREATE TABLE work_log_keys (id BIGINT NOT NULL, CONSTRAINT pk_work_log_keys PRIMARY KEY (id))"
    )
    op.execute("INSERT INTO youth_keys SELECT id, city_id, mobile, user_id FROM youth")
    op.execute("INSERT INTO work_log_keys SELECT id FROM work_logs")
    _retarget(KEYS)
    for table in TABLES:
        _rebuild(table, partitioned=True)
    _each(TRIGGERS)
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON youth_keys, work_log_keys TO youthlink_app")
    op.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO youthlink_app")


def downgrade() -> None:
    _each(DROP_TRIGGERS)
    for table in TABLES:
        _rebuild(table, partitioned=False)
    _retarget({v: k for k, v in KEYS.items()})
    op.execute("DROP TABLE youth_keys, work_log_keys")
