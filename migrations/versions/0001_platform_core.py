"""platform core

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 22:01:02.767793
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS ltree")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor_user_id', sa.BigInteger(), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=True),
    sa.Column('before', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('after', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'], unique=False)
    op.create_index('ix_audit_log_org_path_gist', 'audit_log', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('login_throttle',
    sa.Column('identifier', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('identifier', name=op.f('pk_login_throttle'))
    )
    op.create_table('orgs',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('parent_id', sa.BigInteger(), nullable=True),
    sa.Column('path', models.base.Ltree(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.Enum('PROVINCE', 'CITY', 'COUNTY', 'GRASSROOTS', 'GENERAL_BRANCH', 'BRANCH', name='orglevel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('kind', sa.Enum('REGIONAL', 'WORK_COMMITTEE', 'UNIVERSITY', 'SCHOOL', 'ENTERPRISE', 'DEPARTMENT', 'COMMUNITY', 'ABROAD', 'OTHER', name='orgkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('is_leading_organ', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['orgs.id'], name=op.f('fk_orgs_parent_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orgs')),
    sa.UniqueConstraint('code', name=op.f('uq_orgs_code')),
    sa.UniqueConstraint('path', name=op.f('uq_orgs_path'))
    )
    op.create_index('ix_orgs_name_trgm', 'orgs', ['name'], unique=False, postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
    op.create_index(op.f('ix_orgs_parent_id'), 'orgs', ['parent_id'], unique=False)
    op.create_index('ix_orgs_path_gist', 'orgs', ['path'], unique=False, postgresql_using='gist')
    op.create_table('otp_codes',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_otp_codes'))
    )
    op.create_index(op.f('ix_otp_codes_mobile'), 'otp_codes', ['mobile'], unique=False)
    op.create_table('roles',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('is_builtin', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_roles'))
    )
    op.create_table('sms_outbox',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_outbox'))
    )
    op.create_index(op.f('ix_sms_outbox_mobile'), 'sms_outbox', ['mobile'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('mobile', sa.String(length=20), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('display_name', sa.String(length=50), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('mobile', name=op.f('uq_users_mobile')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('auth_sessions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('client', sa.Enum('WEB', 'MOBILE', name='clientkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_auth_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_sessions'))
    )
    op.create_index(op.f('ix_auth_sessions_user_id'), 'auth_sessions', ['user_id'], unique=False)
    op.create_table('cadres',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.Enum('FULL_TIME', 'SECONDED', 'PART_TIME', name='cadrekind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('position', sa.String(length=100), server_default='', nullable=False),
    sa.Column('is_leading_organ_cadre', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_cadres_org_id_orgs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cadres_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cadres')),
    sa.UniqueConstraint('user_id', name=op.f('uq_cadres_user_id'))
    )
    op.create_index(op.f('ix_cadres_org_id'), 'cadres', ['org_id'], unique=False)
    op.create_index('ix_cadres_org_path_gist', 'cadres', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('grants',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('granted_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.BigInteger(), nullable=True),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['granted_by'], ['users.id'], name=op.f('fk_grants_granted_by_users')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_grants_org_id_orgs')),
    sa.ForeignKeyConstraint(['revoked_by'], ['users.id'], name=op.f('fk_grants_revoked_by_users')),
    sa.ForeignKeyConstraint(['role'], ['roles.name'], name=op.f('fk_grants_role_roles')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_grants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grants'))
    )
    op.create_index(op.f('ix_grants_org_id'), 'grants', ['org_id'], unique=False)
    op.create_index('ix_grants_org_path_gist', 'grants', ['org_path'], unique=False, postgresql_using='gist')
    op.create_index(op.f('ix_grants_user_id'), 'grants', ['user_id'], unique=False)
    op.create_index('uq_grants_active', 'grants', ['user_id', 'role', 'org_id'], unique=True, postgresql_where=sa.text('revoked_at IS NULL'))
    op.create_table('role_permissions',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('object', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['role'], ['roles.name'], name=op.f('fk_role_permissions_role_roles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_permissions')),
    sa.UniqueConstraint('role', 'object', 'action', name=op.f('uq_role_permissions_role_object_action'))
    )
    op.create_table('youth',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=False),
    sa.Column('industry', sa.String(length=50), server_default='', nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_youth_org_id_orgs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_youth_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_youth')),
    sa.UniqueConstraint('mobile', name=op.f('uq_youth_mobile')),
    sa.UniqueConstraint('user_id', name=op.f('uq_youth_user_id'))
    )
    op.create_index(op.f('ix_youth_org_id'), 'youth', ['org_id'], unique=False)
    op.create_index('ix_youth_org_path_gist', 'youth', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('refresh_tokens',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['auth_sessions.id'], name=op.f('fk_refresh_tokens_session_id_auth_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_refresh_tokens_token_hash'))
    )
    op.create_index(op.f('ix_refresh_tokens_session_id'), 'refresh_tokens', ['session_id'], unique=False)

    # The audit log is append-only: rows are never changed or removed by the application.
    op.execute("""
        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    op.execute("""
        CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    """)

    # The default role templates, from the versioned policy files.
    from authz.defaults import sync_statements

    for stmt in sync_statements():
        op.get_bind().execute(stmt)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_index(op.f('ix_refresh_tokens_session_id'), table_name='refresh_tokens')
    op.drop_table('refresh_tokens')
    op.drop_index('ix_youth_org_path_gist', table_name='youth', postgresql_using='gist')
    op.drop_index(op.f('ix_youth_org_id'), table_name='youth')
    op.drop_table('youth')
    op.drop_table('role_permissions')
    op.drop_index('uq_grants_active', table_name='grants', postgresql_where=sa.text('revoked_at IS NULL'))
    op.drop_index(op.f('ix_grants_user_id'), table_name='grants')
    op.drop_index('ix_grants_org_path_gist', table_name='grants', postgresql_using='gist')
    op.drop_index(op.f('ix_grants_org_id'), table_name='grants')
    op.drop_table('grants')
    op.drop_index('ix_cadres_org_path_gist', table_name='cadres', postgresql_using='gist')
    op.drop_index(op.f('ix_cadres_org_id'), table_name='cadres')
    op.drop_table('cadres')
    op.drop_index(op.f('ix_auth_sessions_user_id'), table_name='auth_sessions')
    op.drop_table('auth_sessions')
    op.drop_table('users')
    op.drop_index(op.f('ix_sms_outbox_mobile'), table_name='sms_outbox')
    op.drop_table('sms_outbox')
    op.drop_table('roles')
    op.drop_index(op.f('ix_otp_codes_mobile'), table_name='otp_codes')
    op.drop_table('otp_codes')
    op.drop_index('ix_orgs_path_gist', table_name='orgs', postgresql_using='gist')
    op.drop_index(op.f('ix_orgs_parent_id'), table_name='orgs')
    op.drop_index('ix_orgs_name_trgm', table_name='orgs', postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
    op.drop_table('orgs')
    op.drop_table('login_throttle')
    op.drop_index('ix_audit_log_org_path_gist', table_name='audit_log', postgresql_using='gist')
    op.drop_index(op.f('ix_audit_log_at'), table_name='audit_log')
    op.drop_table('audit_log')
