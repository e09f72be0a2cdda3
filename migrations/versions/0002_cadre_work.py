"""cadre work

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 22:17:07.504693
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('point_rules',
    sa.Column('source', sa.Enum('CONTACT_LOG', 'ACTIVITY_LOG', 'CONTACT_ACCEPTED', 'LEARN_AND_DO', name='pointsource', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('daily_cap', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_point_rules'))
    )
    op.create_table('quota_rules',
    sa.Column('subject', sa.Enum('FULL_TIME', 'SECONDED', 'PART_TIME', 'LEADING_ORGAN', name='quotasubject', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('period_months', sa.Integer(), nullable=False),
    sa.Column('min_count', sa.Integer(), nullable=False),
    sa.Column('kinds', postgresql.ARRAY(sa.String(length=32)), nullable=False),
    sa.Column('one_of_each', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('subject', name=op.f('pk_quota_rules'))
    )
    op.create_table('contacts',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('youth_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('INVITED', 'ACTIVE', 'LEFT', name='contactstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('left_by', sa.String(length=10), nullable=True),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_contacts_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_contacts_org_id_orgs')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_contacts_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    op.create_index(op.f('ix_contacts_cadre_id'), 'contacts', ['cadre_id'], unique=False)
    op.create_index(op.f('ix_contacts_org_id'), 'contacts', ['org_id'], unique=False)
    op.create_index('ix_contacts_org_path_gist', 'contacts', ['org_path'], unique=False, postgresql_using='gist')
    op.create_index(op.f('ix_contacts_youth_id'), 'contacts', ['youth_id'], unique=False)
    op.create_index('uq_contacts_live', 'contacts', ['cadre_id', 'youth_id'], unique=True, postgresql_where=sa.text("status <> 'LEFT'"))
    op.create_table('learn_and_do_choices',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('guided_org_id', sa.BigInteger(), nullable=False),
    sa.Column('joined_branch_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_learn_and_do_choices_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['guided_org_id'], ['orgs.id'], name=op.f('fk_learn_and_do_choices_guided_org_id_orgs')),
    sa.ForeignKeyConstraint(['joined_branch_id'], ['orgs.id'], name=op.f('fk_learn_and_do_choices_joined_branch_id_orgs')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_learn_and_do_choices_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learn_and_do_choices')),
    sa.UniqueConstraint('cadre_id', 'year', name=op.f('uq_learn_and_do_choices_cadre_id_year'))
    )
    op.create_index(op.f('ix_learn_and_do_choices_org_id'), 'learn_and_do_choices', ['org_id'], unique=False)
    op.create_index('ix_learn_and_do_choices_org_path_gist', 'learn_and_do_choices', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('learn_and_do_records',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('STUDY', 'ORG_LIFE_MEETING', 'OATH_RENEWAL', 'VOLUNTEER', 'ONLINE_THEME_DAY', 'LEAGUE_LESSON', name='learnanddokind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_learn_and_do_records_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_learn_and_do_records_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learn_and_do_records'))
    )
    op.create_index('ix_learn_and_do_records_cadre_year', 'learn_and_do_records', ['cadre_id', 'year'], unique=False)
    op.create_index(op.f('ix_learn_and_do_records_org_id'), 'learn_and_do_records', ['org_id'], unique=False)
    op.create_index('ix_learn_and_do_records_org_path_gist', 'learn_and_do_records', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('point_entries',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.Enum('CONTACT_LOG', 'ACTIVITY_LOG', 'CONTACT_ACCEPTED', 'LEARN_AND_DO', name='pointsource', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source_id', sa.BigInteger(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reverses_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_point_entries_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_point_entries_org_id_orgs')),
    sa.ForeignKeyConstraint(['reverses_id'], ['point_entries.id'], name=op.f('fk_point_entries_reverses_id_point_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_entries'))
    )
    op.create_index('ix_point_entries_cadre_day', 'point_entries', ['cadre_id', 'day'], unique=False)
    op.create_index('ix_point_entries_day', 'point_entries', ['day'], unique=False)
    op.create_index(op.f('ix_point_entries_org_id'), 'point_entries', ['org_id'], unique=False)
    op.create_index('ix_point_entries_org_path_gist', 'point_entries', ['org_path'], unique=False, postgresql_using='gist')
    op.create_index('uq_point_entries_award', 'point_entries', ['source', 'source_id'], unique=True, postgresql_where=sa.text('reverses_id IS NULL'))
    op.create_index('uq_point_entries_reversal', 'point_entries', ['reverses_id'], unique=True)
    op.create_table('point_snapshots',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_point_snapshots_cadre_id_cadres')),
    sa.PrimaryKeyConstraint('day', 'cadre_id', name=op.f('pk_point_snapshots'))
    )
    op.create_index('ix_point_snapshots_org_path_gist', 'point_snapshots', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('secretary_contacts',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('secretary_cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_secretary_contacts_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_secretary_contacts_org_id_orgs')),
    sa.ForeignKeyConstraint(['secretary_cadre_id'], ['cadres.id'], name=op.f('fk_secretary_contacts_secretary_cadre_id_cadres')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_secretary_contacts')),
    sa.UniqueConstraint('cadre_id', 'secretary_cadre_id', name=op.f('uq_secretary_contacts_cadre_id_secretary_cadre_id'))
    )
    op.create_index(op.f('ix_secretary_contacts_cadre_id'), 'secretary_contacts', ['cadre_id'], unique=False)
    op.create_index(op.f('ix_secretary_contacts_org_id'), 'secretary_contacts', ['org_id'], unique=False)
    op.create_table('work_logs',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Enum('CONTACT', 'ACTIVITY', name='logkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('youth_id', sa.BigInteger(), nullable=True),
    sa.Column('channel', sa.Enum('FACE_TO_FACE', 'PHONE', 'WECHAT', 'QQ', 'WEIBO', 'OTHER', name='channel', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('activity_kind', sa.Enum('PRACTICAL_DEED', 'LEAGUE_LESSON', 'HEART_TALK', 'VOLUNTEER', 'CULTURE_SPORTS', 'ORGAN_OPEN_DAY', 'FACE_TO_FACE', 'SHARING', 'SELF_DESIGNED', name='activitykind', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('place', sa.String(length=200), server_default='', nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('participant_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('client', sa.String(length=10), server_default='WEB', nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_reason', sa.String(length=200), nullable=True),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(kind = 'CONTACT' AND youth_id IS NOT NULL AND channel IS NOT NULL) OR (kind = 'ACTIVITY' AND activity_kind IS NOT NULL)", name=op.f('ck_work_logs_kind_fields')),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_work_logs_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_work_logs_org_id_orgs')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_work_logs_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_logs'))
    )
    op.create_index('ix_work_logs_cadre_occurred', 'work_logs', ['cadre_id', 'occurred_at'], unique=False)
    op.create_index('ix_work_logs_content_trgm', 'work_logs', ['content'], unique=False, postgresql_using='gin', postgresql_ops={'content': 'gin_trgm_ops'})
    op.create_index('ix_work_logs_occurred', 'work_logs', ['occurred_at'], unique=False)
    op.create_index(op.f('ix_work_logs_org_id'), 'work_logs', ['org_id'], unique=False)
    op.create_index('ix_work_logs_org_path_gist', 'work_logs', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('working_groups',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('leader_cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('responsible_org_id', sa.BigInteger(), nullable=False),
    sa.Column('leader_grant_id', sa.BigInteger(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['leader_cadre_id'], ['cadres.id'], name=op.f('fk_working_groups_leader_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['leader_grant_id'], ['grants.id'], name=op.f('fk_working_groups_leader_grant_id_grants')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_working_groups_org_id_orgs')),
    sa.ForeignKeyConstraint(['responsible_org_id'], ['orgs.id'], name=op.f('fk_working_groups_responsible_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_working_groups'))
    )
    op.create_index(op.f('ix_working_groups_org_id'), 'working_groups', ['org_id'], unique=False)
    op.create_index('ix_working_groups_org_path_gist', 'working_groups', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('sharing_events',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('group_id', sa.BigInteger(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('attendees', sa.Integer(), server_default='0', nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['working_groups.id'], name=op.f('fk_sharing_events_group_id_working_groups')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_sharing_events_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_events'))
    )
    op.create_index(op.f('ix_sharing_events_org_id'), 'sharing_events', ['org_id'], unique=False)
    op.create_index('ix_sharing_events_org_path_gist', 'sharing_events', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('work_log_participants',
    sa.Column('log_id', sa.BigInteger(), nullable=False),
    sa.Column('youth_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['log_id'], ['work_logs.id'], name=op.f('fk_work_log_participants_log_id_work_logs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_work_log_participants_youth_id_youth')),
    sa.PrimaryKeyConstraint('log_id', 'youth_id', name=op.f('pk_work_log_participants'))
    )
    op.create_index(op.f('ix_work_log_participants_youth_id'), 'work_log_participants', ['youth_id'], unique=False)
    op.create_table('working_group_members',
    sa.Column('group_id', sa.BigInteger(), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_working_group_members_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['group_id'], ['working_groups.id'], name=op.f('fk_working_group_members_group_id_working_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'cadre_id', name=op.f('pk_working_group_members'))
    )
    op.add_column('cadres', sa.Column('contact_target', sa.Integer(), server_default='100', nullable=False))

    # The points ledger is append-only, like the audit log.
    op.execute("""
        CREATE FUNCTION point_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'point_entries is append-only' USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    op.execute("""
        CREATE TRIGGER point_entries_append_only BEFORE UPDATE OR DELETE ON point_entries
            FOR EACH ROW EXECUTE FUNCTION point_entries_append_only()
    """)

    # The notice's quotas (§二.1, §二.2) and starting point rules; the province edits both.
    from models.defaults import seed_statements

    # The quota columns of this revision (later ones are filled by their own migrations).
    columns = ("subject", "period_months", "min_count", "kinds", "one_of_each")
    for stmt in seed_statements(quota_columns=columns):
        op.get_bind().execute(stmt)

    # New objects in the default role templates (quota, group).
    from authz.defaults import sync_statements

    for stmt in sync_statements():
        op.get_bind().execute(stmt)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS point_entries_append_only ON point_entries")
    op.execute("DROP FUNCTION IF EXISTS point_entries_append_only()")
    op.drop_column('cadres', 'contact_target')
    op.drop_table('working_group_members')
    op.drop_index(op.f('ix_work_log_participants_youth_id'), table_name='work_log_participants')
    op.drop_table('work_log_participants')
    op.drop_index('ix_sharing_events_org_path_gist', table_name='sharing_events', postgresql_using='gist')
    op.drop_index(op.f('ix_sharing_events_org_id'), table_name='sharing_events')
    op.drop_table('sharing_events')
    op.drop_index('ix_working_groups_org_path_gist', table_name='working_groups', postgresql_using='gist')
    op.drop_index(op.f('ix_working_groups_org_id'), table_name='working_groups')
    op.drop_table('working_groups')
    op.drop_index('ix_work_logs_org_path_gist', table_name='work_logs', postgresql_using='gist')
    op.drop_index(op.f('ix_work_logs_org_id'), table_name='work_logs')
    op.drop_index('ix_work_logs_occurred', table_name='work_logs')
    op.drop_index('ix_work_logs_content_trgm', table_name='work_logs', postgresql_using='gin', postgresql_ops={'content': 'gin_trgm_ops'})
    op.drop_index('ix_work_logs_cadre_occurred', table_name='work_logs')
    op.drop_table('work_logs')
    op.drop_index(op.f('ix_secretary_contacts_org_id'), table_name='secretary_contacts')
    op.drop_index(op.f('ix_secretary_contacts_cadre_id'), table_name='secretary_contacts')
    op.drop_table('secretary_contacts')
    op.drop_index('ix_point_snapshots_org_path_gist', table_name='point_snapshots', postgresql_using='gist')
    op.drop_table('point_snapshots')
    op.drop_index('uq_point_entries_reversal', table_name='point_entries')
    op.drop_index('uq_point_entries_award', table_name='point_entries', postgresql_where=sa.text('reverses_id IS NULL'))
    op.drop_index('ix_point_entries_org_path_gist', table_name='point_entries', postgresql_using='gist')
    op.drop_index(op.f('ix_point_entries_org_id'), table_name='point_entries')
    op.drop_index('ix_point_entries_day', table_name='point_entries')
    op.drop_index('ix_point_entries_cadre_day', table_name='point_entries')
    op.drop_table('point_entries')
    op.drop_index('ix_learn_and_do_records_org_path_gist', table_name='learn_and_do_records', postgresql_using='gist')
    op.drop_index(op.f('ix_learn_and_do_records_org_id'), table_name='learn_and_do_records')
    op.drop_index('ix_learn_and_do_records_cadre_year', table_name='learn_and_do_records')
    op.drop_table('learn_and_do_records')
    op.drop_index('ix_learn_and_do_choices_org_path_gist', table_name='learn_and_do_choices', postgresql_using='gist')
    op.drop_index(op.f('ix_learn_and_do_choices_org_id'), table_name='learn_and_do_choices')
    op.drop_table('learn_and_do_choices')
    op.drop_index('uq_contacts_live', table_name='contacts', postgresql_where=sa.text("status <> 'LEFT'"))
    op.drop_index(op.f('ix_contacts_youth_id'), table_name='contacts')
    op.drop_index('ix_contacts_org_path_gist', table_name='contacts', postgresql_using='gist')
    op.drop_index(op.f('ix_contacts_org_id'), table_name='contacts')
    op.drop_index(op.f('ix_contacts_cadre_id'), table_name='contacts')
    op.drop_table('contacts')
    op.drop_table('quota_rules')
    op.drop_table('point_rules')
