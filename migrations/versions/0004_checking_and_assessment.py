"""checking and assessment

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 22:42:08.389175
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('kind', sa.Enum('OPEN_DAY', 'LECTURE', 'YOUTH_STORY', 'SERVICE_MONTH', name='campaignkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('phases', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.Column('selection', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    op.create_table('assessment_rounds',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('half', sa.Enum('MID_YEAR', 'YEAR_END', name='roundhalf', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('closed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_assessment_rounds_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_rounds')),
    sa.UniqueConstraint('org_id', 'year', 'half', name=op.f('uq_assessment_rounds_org_id_year_half'))
    )
    op.create_index(op.f('ix_assessment_rounds_org_id'), 'assessment_rounds', ['org_id'], unique=False)
    op.create_table('bulletins',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.SmallInteger(), nullable=False),
    sa.Column('rows', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('published', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_bulletins_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletins')),
    sa.UniqueConstraint('org_id', 'year', 'quarter', name=op.f('uq_bulletins_org_id_year_quarter'))
    )
    op.create_index(op.f('ix_bulletins_org_id'), 'bulletins', ['org_id'], unique=False)
    op.create_index('ix_bulletins_org_path_gist', 'bulletins', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('reports',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.Enum('SUBMITTED', 'APPROVED', 'RETURNED', name='reportstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('late', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('review_comment', sa.Text(), server_default='', nullable=False),
    sa.Column('reviewed_by', sa.BigInteger(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_reports_org_id_orgs')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_reports_reviewed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('org_id', 'year', 'quarter', name=op.f('uq_reports_org_id_year_quarter'))
    )
    op.create_index(op.f('ix_reports_org_id'), 'reports', ['org_id'], unique=False)
    op.create_index('ix_reports_org_path_gist', 'reports', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('spot_checks',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('method', sa.Enum('PHONE', 'ON_SITE', 'COMMISSIONED', name='spotcheckmethod', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_spot_checks_created_by_users')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_spot_checks_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_checks'))
    )
    op.create_index(op.f('ix_spot_checks_org_id'), 'spot_checks', ['org_id'], unique=False)
    op.create_index('ix_spot_checks_org_path_gist', 'spot_checks', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('assessment_scores',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('round_id', sa.BigInteger(), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('item', sa.String(length=10), nullable=False),
    sa.Column('points', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('evidence', sa.Text(), server_default='', nullable=False),
    sa.Column('entered_by', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['entered_by'], ['users.id'], name=op.f('fk_assessment_scores_entered_by_users')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_assessment_scores_org_id_orgs')),
    sa.ForeignKeyConstraint(['round_id'], ['assessment_rounds.id'], name=op.f('fk_assessment_scores_round_id_assessment_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_scores')),
    sa.UniqueConstraint('round_id', 'org_id', 'item', name=op.f('uq_assessment_scores_round_id_org_id_item'))
    )
    op.create_index(op.f('ix_assessment_scores_round_id'), 'assessment_scores', ['round_id'], unique=False)
    op.create_table('nominations',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('campaign_id', sa.BigInteger(), nullable=False),
    sa.Column('youth_id', sa.BigInteger(), nullable=True),
    sa.Column('nominee_name', sa.String(length=50), nullable=False),
    sa.Column('story', sa.Text(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'RETURNED', 'FINALIST', name='nominationstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_nominations_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_nominations_org_id_orgs')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_nominations_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nominations'))
    )
    op.create_index(op.f('ix_nominations_campaign_id'), 'nominations', ['campaign_id'], unique=False)
    op.create_index(op.f('ix_nominations_org_id'), 'nominations', ['org_id'], unique=False)
    op.create_index('ix_nominations_org_path_gist', 'nominations', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('report_versions',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('practices', sa.Text(), nullable=False),
    sa.Column('experience', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('figures', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('submitted_by', sa.BigInteger(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_versions_report_id_reports')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_report_versions_submitted_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_versions')),
    sa.UniqueConstraint('report_id', 'version', name=op.f('uq_report_versions_report_id_version'))
    )
    op.create_index(op.f('ix_report_versions_report_id'), 'report_versions', ['report_id'], unique=False)
    op.create_table('flags',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('log_id', sa.BigInteger(), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Enum('NEAR_DUPLICATE', 'BURST', 'UNCONFIRMED', 'DENIED', 'SPOT_CHECK_FAILED', name='flagkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('detail', sa.String(length=300), server_default='', nullable=False),
    sa.Column('status', sa.Enum('OPEN', 'CLEARED', 'UPHELD', name='flagstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('reviewed_by', sa.BigInteger(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), server_default='', nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_flags_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['log_id'], ['work_logs.id'], name=op.f('fk_flags_log_id_work_logs')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_flags_org_id_orgs')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_flags_reviewed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flags')),
    sa.UniqueConstraint('log_id', 'kind', name=op.f('uq_flags_log_id_kind'))
    )
    op.create_index(op.f('ix_flags_cadre_id'), 'flags', ['cadre_id'], unique=False)
    op.create_index(op.f('ix_flags_log_id'), 'flags', ['log_id'], unique=False)
    op.create_index(op.f('ix_flags_org_id'), 'flags', ['org_id'], unique=False)
    op.create_index('ix_flags_org_path_gist', 'flags', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('log_confirmations',
    sa.Column('log_id', sa.BigInteger(), nullable=False),
    sa.Column('youth_id', sa.BigInteger(), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['log_id'], ['work_logs.id'], name=op.f('fk_log_confirmations_log_id_work_logs')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_log_confirmations_youth_id_youth')),
    sa.PrimaryKeyConstraint('log_id', name=op.f('pk_log_confirmations'))
    )
    op.create_index(op.f('ix_log_confirmations_youth_id'), 'log_confirmations', ['youth_id'], unique=False)
    op.create_table('spot_check_items',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('check_id', sa.BigInteger(), nullable=False),
    sa.Column('log_id', sa.BigInteger(), nullable=False),
    sa.Column('stratum_org_id', sa.BigInteger(), nullable=False),
    sa.Column('reached', sa.Boolean(), nullable=True),
    sa.Column('confirmed', sa.Boolean(), nullable=True),
    sa.Column('satisfaction', sa.SmallInteger(), nullable=True),
    sa.Column('notes', sa.Text(), server_default='', nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5', name=op.f('ck_spot_check_items_satisfaction_range')),
    sa.ForeignKeyConstraint(['check_id'], ['spot_checks.id'], name=op.f('fk_spot_check_items_check_id_spot_checks')),
    sa.ForeignKeyConstraint(['log_id'], ['work_logs.id'], name=op.f('fk_spot_check_items_log_id_work_logs')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_spot_check_items_recorded_by_users')),
    sa.ForeignKeyConstraint(['stratum_org_id'], ['orgs.id'], name=op.f('fk_spot_check_items_stratum_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_items')),
    sa.UniqueConstraint('check_id', 'log_id', name=op.f('uq_spot_check_items_check_id_log_id'))
    )
    op.create_index(op.f('ix_spot_check_items_check_id'), 'spot_check_items', ['check_id'], unique=False)
    op.add_column('work_logs', sa.Column('campaign_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f('fk_work_logs_campaign_id_campaigns'), 'work_logs', 'campaigns', ['campaign_id'], ['id'])


    # A published bulletin never changes: neither its figures nor its state.
    op.execute("""
        CREATE FUNCTION bulletins_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.published THEN
                RAISE EXCEPTION 'bulletin % is published and cannot change', OLD.id
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER bulletins_frozen BEFORE UPDATE OR DELETE ON bulletins
            FOR EACH ROW EXECUTE FUNCTION bulletins_frozen()
    """)

    from authz.defaults import sync_statements

    for stmt in sync_statements():
        op.get_bind().execute(stmt)

def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS bulletins_frozen ON bulletins")
    op.execute("DROP FUNCTION IF EXISTS bulletins_frozen()")
    op.drop_constraint(op.f('fk_work_logs_campaign_id_campaigns'), 'work_logs', type_='foreignkey')
    op.drop_column('work_logs', 'campaign_id')
    op.drop_index(op.f('ix_spot_check_items_check_id'), table_name='spot_check_items')
    op.drop_table('spot_check_items')
    op.drop_index(op.f('ix_log_confirmations_youth_id'), table_name='log_confirmations')
    op.drop_table('log_confirmations')
    op.drop_index('ix_flags_org_path_gist', table_name='flags', postgresql_using='gist')
    op.drop_index(op.f('ix_flags_org_id'), table_name='flags')
    op.drop_index(op.f('ix_flags_log_id'), table_name='flags')
    op.drop_index(op.f('ix_flags_cadre_id'), table_name='flags')
    op.drop_table('flags')
    op.drop_index(op.f('ix_report_versions_report_id'), table_name='report_versions')
    op.drop_table('report_versions')
    op.drop_index('ix_nominations_org_path_gist', table_name='nominations', postgresql_using='gist')
    op.drop_index(op.f('ix_nominations_org_id'), table_name='nominations')
    op.drop_index(op.f('ix_nominations_campaign_id'), table_name='nominations')
    op.drop_table('nominations')
    op.drop_index(op.f('ix_assessment_scores_round_id'), table_name='assessment_scores')
    op.drop_table('assessment_scores')
    op.drop_index('ix_spot_checks_org_path_gist', table_name='spot_checks', postgresql_using='gist')
    op.drop_index(op.f('ix_spot_checks_org_id'), table_name='spot_checks')
    op.drop_table('spot_checks')
    op.drop_index('ix_reports_org_path_gist', table_name='reports', postgresql_using='gist')
    op.drop_index(op.f('ix_reports_org_id'), table_name='reports')
    op.drop_table('reports')
    op.drop_index('ix_bulletins_org_path_gist', table_name='bulletins', postgresql_using='gist')
    op.drop_index(op.f('ix_bulletins_org_id'), table_name='bulletins')
    op.drop_table('bulletins')
    op.drop_index(op.f('ix_assessment_rounds_org_id'), table_name='assessment_rounds')
    op.drop_table('assessment_rounds')
    op.drop_table('campaigns')
