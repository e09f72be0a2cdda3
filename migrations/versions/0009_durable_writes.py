"""durable writes: the audit chain sealed at commit in its own order, the policy version

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The first chain's formula (0006), kept to verify the links it made.
_LEGACY_DIGEST = """
    CREATE FUNCTION audit_entry_digest_v1(prev text, a audit_log) RETURNS text
    LANGUAGE sql STABLE AS $$
        SELECT encode(sha256(convert_to(
            coalesce(prev, '') || '|' || a.id || '|' || extract(epoch FROM a.at) || '|' ||
            coalesce(a.actor_user_id::text, '') || '|' || a.action || '|' || a.entity_type || '|' ||
            a.entity_id || '|' || coalesce(a.org_path::text, '') || '|' ||
            coalesce(a.before::text, '') || '|' || coalesce(a.after::text, '') ||
            CASE WHEN a.acting_for_user_id IS NULL THEN '' ELSE '|for:' || a.acting_for_user_id END,
            'UTF8')), 'hex')
    $$
"""

# A link's hash: the previous link's hash, the link's position and the whole entry.
_DIGEST = """
    CREATE FUNCTION audit_entry_digest(prev text, seq bigint, a audit_log) RETURNS text
    LANGUAGE sql STABLE AS $$
        SELECT encode(sha256(convert_to(
            coalesce(prev, '') || '|' || seq || '|' || a.id || '|' || extract(epoch FROM a.at) || '|' ||
            coalesce(a.actor_user_id::text, '') || '|' || coalesce(a.acting_for_user_id::text, '') || '|' ||
            coalesce(a.request_id, '') || '|' || a.action || '|' || a.entity_type || '|' ||
            a.entity_id || '|' || coalesce(a.org_path::text, '') || '|' ||
            coalesce(a.before::text, '') || '|' || coalesce(a.after::text, ''),
            'UTF8')), 'hex')
    $$
"""

# Sealing runs at COMMIT (a deferred constraint trigger), after every row the transaction
# writes and every row lock it takes: the head's row lock is the last lock of any write, so
# it is in no lock cycle. The lock (not the id) gives the order; a REPEATABLE READ writer
# that raced another gets a serialization failure instead of a fork.
_SEAL = """
    CREATE FUNCTION audit_log_seal() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        head_seq bigint;
        head_hash text;
        link_hash text;
    BEGIN
        SELECT seq, hash INTO head_seq, head_hash FROM audit_chain_head WHERE id FOR UPDATE;
        IF NOT FOUND THEN
            INSERT INTO audit_chain_head (id, seq) VALUES (true, 0) ON CONFLICT DO NOTHING;
            SELECT seq, hash INTO head_seq, head_hash FROM audit_chain_head WHERE id FOR UPDATE;
        END IF;
        link_hash := audit_entry_digest(head_hash, head_seq + 1, NEW);
        INSERT INTO audit_chain (seq, entry_id, prev_hash, hash)
            VALUES (head_seq + 1, NEW.id, head_hash, link_hash);
        UPDATE audit_chain_head SET seq = head_seq + 1, hash = link_hash WHERE id;
        RETURN NULL;
    END $$
"""

# Statement-level: one bump per changing statement, in the changing transaction.
_BUMP = """
    CREATE FUNCTION policy_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO policy_version (id, version) VALUES (true, 1)
            ON CONFLICT (id) DO UPDATE SET version = policy_version.version + 1;
        RETURN NULL;
    END $$
"""
_POLICY_TABLES = ("roles", "role_permissions", "field_rules")


def upgrade() -> None:
    op.create_table(
        "audit_chain",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("legacy", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_chain")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_audit_chain_entry_id")),
    )
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=True),
        sa.Column("unchained_max_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint("id", name=op.f("ck_audit_chain_head_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.create_table(
        "policy_version",
        sa.Column("id", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="1", nullable=False),
        sa.CheckConstraint("id", name=op.f("ck_policy_version_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_version")),
    )

    # The first chain stops here: its links are copied, in the id order it was verified in,
    # and its rows keep their columns untouched (history is not rewritten). Rows written
    # before that chain existed (no hash) stay outside, and the head says so.
    op.execute("DROP TRIGGER IF EXISTS audit_log_chain ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_chain()")
    op.execute(_LEGACY_DIGEST)
    op.execute(_DIGEST)
    op.execute("""
        INSERT INTO audit_chain (seq, entry_id, prev_hash, hash, legacy)
        SELECT row_number() OVER (ORDER BY id), id, prev_hash, hash, true
        FROM audit_log WHERE hash IS NOT NULL
    """)
    op.execute("""
        INSERT INTO audit_chain_head (id, seq, hash, unchained_max_id)
        SELECT true, coalesce((SELECT max(seq) FROM audit_chain), 0),
               (SELECT hash FROM audit_chain ORDER BY seq DESC LIMIT 1),
               coalesce((SELECT max(id) FROM audit_log WHERE hash IS NULL), 0)
    """)
    op.execute(_SEAL)
    op.execute("""
        CREATE CONSTRAINT TRIGGER audit_log_seal AFTER INSERT ON audit_log
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_log_seal()
    """)
    # The links are append-only like the entries (the message names the table).
    op.execute("""
        CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    op.execute("""
        CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
    """)

    op.execute("INSERT INTO policy_version (id, version) VALUES (true, 1)")
    op.execute(_BUMP)
    for table in _POLICY_TABLES:
        op.execute(f"""
            CREATE TRIGGER {table}_policy_version
                AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION policy_version_bump()
        """)

    op.execute("GRANT SELECT, INSERT ON audit_chain TO youthlink_app")
    op.execute("GRANT SELECT, INSERT, UPDATE ON audit_chain_head, policy_version TO youthlink_app")


def downgrade() -> None:
    for table in _POLICY_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_policy_version ON {table}")
    op.execute("DROP FUNCTION IF EXISTS policy_version_bump()")
    op.execute("DROP TRIGGER IF EXISTS audit_log_seal ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_seal()")
    op.execute("DROP TRIGGER IF EXISTS audit_chain_append_only ON audit_chain")
    op.execute("DROP FUNCTION IF EXISTS audit_entry_digest(text, bigint, audit_log)")
    op.execute("DROP FUNCTION IF EXISTS audit_entry_digest_v1(text, audit_log)")
    # Back to the first chain's trigger (0006): it links new rows by id again.
    op.execute("""
        CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(7243001);
            SELECT hash INTO NEW.prev_hash FROM audit_log ORDER BY id DESC LIMIT 1;
            NEW.hash := encode(sha256(convert_to(
                coalesce(NEW.prev_hash, '') || '|' || NEW.id || '|' || extract(epoch FROM NEW.at) || '|' ||
                coalesce(NEW.actor_user_id::text, '') || '|' || NEW.action || '|' || NEW.entity_type || '|' ||
                NEW.entity_id || '|' || coalesce(NEW.org_path::text, '') || '|' ||
                coalesce(NEW.before::text, '') || '|' || coalesce(NEW.after::text, '') ||
                CASE WHEN NEW.acting_for_user_id IS NULL THEN '' ELSE '|for:' || NEW.acting_for_user_id END,
                'UTF8')), 'hex');
            RETURN NEW;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_chain()
    """)
    op.drop_table("policy_version")
    op.drop_table("audit_chain_head")
    op.drop_table("audit_chain")
