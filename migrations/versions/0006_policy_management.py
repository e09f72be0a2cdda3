"""policy management

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 23:20:08.776407
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('field_grants',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('object', sa.String(length=40), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('minors', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['granted_by'], ['users.id'], name=op.f('fk_field_grants_granted_by_users')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_field_grants_org_id_orgs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_field_grants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_grants'))
    )
    op.create_index(op.f('ix_field_grants_org_id'), 'field_grants', ['org_id'], unique=False)
    op.create_index('ix_field_grants_org_path_gist', 'field_grants', ['org_path'], unique=False, postgresql_using='gist')
    op.create_index(op.f('ix_field_grants_user_id'), 'field_grants', ['user_id'], unique=False)
    op.create_table('field_rules',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('object', sa.String(length=40), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('max_distance', sa.Integer(), nullable=False),
    sa.Column('minors', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.ForeignKeyConstraint(['role'], ['roles.name'], name=op.f('fk_field_rules_role_roles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_rules')),
    sa.UniqueConstraint('role', 'object', 'field', name=op.f('uq_field_rules_role_object_field'))
    )
    op.add_column('audit_log', sa.Column('acting_for_user_id', sa.BigInteger(), nullable=True))
    op.add_column('grants', sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('grants', sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('grants', sa.Column('delegated_by', sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f('fk_grants_delegated_by_users'), 'grants', 'users', ['delegated_by'], ['id'])


    # The chain covers who was acted for; rows without it hash exactly as before.
    op.execute("""
        CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
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
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON field_rules, field_grants TO youthlink_app")
    op.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO youthlink_app")

    from authz.defaults import field_rule_statements, sync_statements

    for stmt in [*sync_statements(), *field_rule_statements()]:
        op.get_bind().execute(stmt)

def downgrade() -> None:
    op.drop_constraint(op.f('fk_grants_delegated_by_users'), 'grants', type_='foreignkey')
    op.drop_column('grants', 'delegated_by')
    op.drop_column('grants', 'ends_at')
    op.drop_column('grants', 'starts_at')
    op.drop_column('audit_log', 'acting_for_user_id')
    op.drop_table('field_rules')
    op.drop_index(op.f('ix_field_grants_user_id'), table_name='field_grants')
    op.drop_index('ix_field_grants_org_path_gist', table_name='field_grants', postgresql_using='gist')
    op.drop_index(op.f('ix_field_grants_org_id'), table_name='field_grants')
    op.drop_table('field_grants')
