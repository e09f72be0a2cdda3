"""hardening

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 22:51:29.812976
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('response', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_table('consents',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('youth_id', sa.BigInteger(), nullable=False),
    sa.Column('policy_version', sa.String(length=20), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('guardian_name', sa.String(length=50), nullable=True),
    sa.Column('guardian_mobile', sa.String(length=20), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_consents_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    op.create_index(op.f('ix_consents_youth_id'), 'consents', ['youth_id'], unique=False)
    op.create_table('deletion_requests',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('youth_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['done_by'], ['users.id'], name=op.f('fk_deletion_requests_done_by_users')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_deletion_requests_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deletion_requests'))
    )
    op.create_index(op.f('ix_deletion_requests_youth_id'), 'deletion_requests', ['youth_id'], unique=False)
    op.create_table('personal_data_reads',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('youth_id', sa.BigInteger(), nullable=False),
    sa.Column('viewer_user_id', sa.BigInteger(), nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['viewer_user_id'], ['users.id'], name=op.f('fk_personal_data_reads_viewer_user_id_users')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_personal_data_reads_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_data_reads'))
    )
    op.create_index('ix_personal_data_reads_youth_at', 'personal_data_reads', ['youth_id', 'at'], unique=False)
    op.add_column('audit_log', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_log', sa.Column('hash', sa.String(length=64), nullable=True))
    op.add_column('otp_codes', sa.Column('address', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_otp_codes_address'), 'otp_codes', ['address'], unique=False)
    op.add_column('youth', sa.Column('birth_date', sa.Date(), nullable=True))


    # Tamper evidence: each audit row's hash covers its content and the previous row's hash.
    # The chain is extended under a transaction-scoped advisory lock, so it is strictly in
    # commit order of writers (mutations serialize on it; reads are not affected).
    op.execute("""
        CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(7243001);
            SELECT hash INTO NEW.prev_hash FROM audit_log ORDER BY id DESC LIMIT 1;
            NEW.hash := encode(sha256(convert_to(
                coalesce(NEW.prev_hash, '') || '|' || NEW.id || '|' || extract(epoch FROM NEW.at) || '|' ||
                coalesce(NEW.actor_user_id::text, '') || '|' || NEW.action || '|' || NEW.entity_type || '|' ||
                NEW.entity_id || '|' || coalesce(NEW.org_path::text, '') || '|' ||
                coalesce(NEW.before::text, '') || '|' || coalesce(NEW.after::text, ''), 'UTF8')), 'hex');
            RETURN NEW;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_chain()
    """)
    # The role an application should connect as: it may write everything but may never
    # change or remove audit rows (the append-only trigger holds for every role as well).
    op.execute("""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'youthlink_app') THEN
                CREATE ROLE youthlink_app NOLOGIN;
            END IF;
        END $$
    """)
    op.execute("GRANT USAGE ON SCHEMA public TO youthlink_app")
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO youthlink_app")
    op.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO youthlink_app")
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, point_entries FROM youthlink_app")

    from authz.defaults import sync_statements

    for stmt in sync_statements():
        op.get_bind().execute(stmt)

def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_log_chain ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_chain()")
    op.drop_column('youth', 'birth_date')
    op.drop_index(op.f('ix_otp_codes_address'), table_name='otp_codes')
    op.drop_column('otp_codes', 'address')
    op.drop_column('audit_log', 'hash')
    op.drop_column('audit_log', 'prev_hash')
    op.drop_index('ix_personal_data_reads_youth_at', table_name='personal_data_reads')
    op.drop_table('personal_data_reads')
    op.drop_index(op.f('ix_deletion_requests_youth_id'), table_name='deletion_requests')
    op.drop_table('deletion_requests')
    op.drop_index(op.f('ix_consents_youth_id'), table_name='consents')
    op.drop_table('consents')
    op.drop_table('idempotency_keys')
