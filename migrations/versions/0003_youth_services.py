"""youth services

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 22:33:56.617870
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('resources',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('donor', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('COMPANY', 'VOLUNTEER', 'FUND', 'OTHER', name='resourcekind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('used', sa.Integer(), server_default='0', nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_resources_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resources'))
    )
    op.create_index(op.f('ix_resources_org_id'), 'resources', ['org_id'], unique=False)
    op.create_index('ix_resources_org_path_gist', 'resources', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('discussions',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('is_closed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_discussions_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_discussions_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discussions'))
    )
    op.create_index(op.f('ix_discussions_cadre_id'), 'discussions', ['cadre_id'], unique=False)
    op.create_index(op.f('ix_discussions_org_id'), 'discussions', ['org_id'], unique=False)
    op.create_index('ix_discussions_org_path_gist', 'discussions', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('posts',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('audience', sa.Enum('MY_YOUTH', 'SUBTREE', name='postaudience', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('media_ref', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_posts_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_posts_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posts'))
    )
    op.create_index(op.f('ix_posts_cadre_id'), 'posts', ['cadre_id'], unique=False)
    op.create_index(op.f('ix_posts_org_id'), 'posts', ['org_id'], unique=False)
    op.create_index('ix_posts_org_path_gist', 'posts', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('ratings',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('youth_id', sa.BigInteger(), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_ratings_score_range')),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_ratings_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_ratings_org_id_orgs')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_ratings_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('youth_id', 'cadre_id', 'period', name=op.f('uq_ratings_youth_id_cadre_id_period'))
    )
    op.create_index(op.f('ix_ratings_cadre_id'), 'ratings', ['cadre_id'], unique=False)
    op.create_index(op.f('ix_ratings_org_id'), 'ratings', ['org_id'], unique=False)
    op.create_index('ix_ratings_org_path_gist', 'ratings', ['org_path'], unique=False, postgresql_using='gist')
    op.create_table('voices',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('youth_id', sa.BigInteger(), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.Enum('OPINION', 'SUGGESTION', 'QUESTION', name='voicekind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('topic', sa.String(length=40), server_default='', nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('OPEN', 'ANSWERED', 'CLOSED', name='voicestatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('first_reply_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_voices_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_voices_org_id_orgs')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_voices_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voices'))
    )
    op.create_index(op.f('ix_voices_cadre_id'), 'voices', ['cadre_id'], unique=False)
    op.create_index(op.f('ix_voices_org_id'), 'voices', ['org_id'], unique=False)
    op.create_index('ix_voices_org_path_gist', 'voices', ['org_path'], unique=False, postgresql_using='gist')
    op.create_index(op.f('ix_voices_youth_id'), 'voices', ['youth_id'], unique=False)
    op.create_table('wishes',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('youth_id', sa.BigInteger(), nullable=False),
    sa.Column('cadre_id', sa.BigInteger(), nullable=False),
    sa.Column('category', sa.Enum('STUDY', 'EMPLOYMENT', 'LIFE', 'HEALTH', 'CULTURE', 'OTHER', name='wishcategory', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('SUBMITTED', 'ACCEPTED', 'ESCALATED', 'CLAIMED', 'FULFILLED', 'CONFIRMED', 'WITHDRAWN', 'REJECTED', name='wishstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('pool_org_id', sa.BigInteger(), nullable=True),
    sa.Column('pool_org_path', models.base.Ltree(), nullable=True),
    sa.Column('resource_id', sa.BigInteger(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('org_path', models.base.Ltree(), nullable=False),
    sa.Column('city_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_wishes_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_wishes_org_id_orgs')),
    sa.ForeignKeyConstraint(['pool_org_id'], ['orgs.id'], name=op.f('fk_wishes_pool_org_id_orgs')),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_wishes_resource_id_resources')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_wishes_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wishes'))
    )
    op.create_index(op.f('ix_wishes_cadre_id'), 'wishes', ['cadre_id'], unique=False)
    op.create_index(op.f('ix_wishes_org_id'), 'wishes', ['org_id'], unique=False)
    op.create_index('ix_wishes_org_path_gist', 'wishes', ['org_path'], unique=False, postgresql_using='gist')
    op.create_index(op.f('ix_wishes_pool_org_id'), 'wishes', ['pool_org_id'], unique=False)
    op.create_index('ix_wishes_status_updated', 'wishes', ['status', 'updated_at'], unique=False)
    op.create_index(op.f('ix_wishes_youth_id'), 'wishes', ['youth_id'], unique=False)
    op.create_table('discussion_replies',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('discussion_id', sa.BigInteger(), nullable=False),
    sa.Column('author_user_id', sa.BigInteger(), nullable=False),
    sa.Column('from_youth', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('hidden', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['author_user_id'], ['users.id'], name=op.f('fk_discussion_replies_author_user_id_users')),
    sa.ForeignKeyConstraint(['discussion_id'], ['discussions.id'], name=op.f('fk_discussion_replies_discussion_id_discussions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_replies'))
    )
    op.create_index(op.f('ix_discussion_replies_discussion_id'), 'discussion_replies', ['discussion_id'], unique=False)
    op.create_table('post_reads',
    sa.Column('post_id', sa.BigInteger(), nullable=False),
    sa.Column('youth_id', sa.BigInteger(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_reads_post_id_posts')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_post_reads_youth_id_youth')),
    sa.PrimaryKeyConstraint('post_id', 'youth_id', name=op.f('pk_post_reads'))
    )
    op.create_table('voice_replies',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('voice_id', sa.BigInteger(), nullable=False),
    sa.Column('author_user_id', sa.BigInteger(), nullable=False),
    sa.Column('from_youth', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['author_user_id'], ['users.id'], name=op.f('fk_voice_replies_author_user_id_users')),
    sa.ForeignKeyConstraint(['voice_id'], ['voices.id'], name=op.f('fk_voice_replies_voice_id_voices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_replies'))
    )
    op.create_index(op.f('ix_voice_replies_voice_id'), 'voice_replies', ['voice_id'], unique=False)
    op.create_table('wish_events',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('wish_id', sa.BigInteger(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('actor_user_id', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['wish_id'], ['wishes.id'], name=op.f('fk_wish_events_wish_id_wishes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wish_events'))
    )
    op.create_index(op.f('ix_wish_events_wish_id'), 'wish_events', ['wish_id'], unique=False)


    # New objects in the default role templates (voice, wish, resource, rating, post).
    from authz.defaults import sync_statements

    for stmt in sync_statements():
        op.get_bind().execute(stmt)

def downgrade() -> None:
    op.drop_index(op.f('ix_wish_events_wish_id'), table_name='wish_events')
    op.drop_table('wish_events')
    op.drop_index(op.f('ix_voice_replies_voice_id'), table_name='voice_replies')
    op.drop_table('voice_replies')
    op.drop_table('post_reads')
    op.drop_index(op.f('ix_discussion_replies_discussion_id'), table_name='discussion_replies')
    op.drop_table('discussion_replies')
    op.drop_index(op.f('ix_wishes_youth_id'), table_name='wishes')
    op.drop_index('ix_wishes_status_updated', table_name='wishes')
    op.drop_index(op.f('ix_wishes_pool_org_id'), table_name='wishes')
    op.drop_index('ix_wishes_org_path_gist', table_name='wishes', postgresql_using='gist')
    op.drop_index(op.f('ix_wishes_org_id'), table_name='wishes')
    op.drop_index(op.f('ix_wishes_cadre_id'), table_name='wishes')
    op.drop_table('wishes')
    op.drop_index(op.f('ix_voices_youth_id'), table_name='voices')
    op.drop_index('ix_voices_org_path_gist', table_name='voices', postgresql_using='gist')
    op.drop_index(op.f('ix_voices_org_id'), table_name='voices')
    op.drop_index(op.f('ix_voices_cadre_id'), table_name='voices')
    op.drop_table('voices')
    op.drop_index('ix_ratings_org_path_gist', table_name='ratings', postgresql_using='gist')
    op.drop_index(op.f('ix_ratings_org_id'), table_name='ratings')
    op.drop_index(op.f('ix_ratings_cadre_id'), table_name='ratings')
    op.drop_table('ratings')
    op.drop_index('ix_posts_org_path_gist', table_name='posts', postgresql_using='gist')
    op.drop_index(op.f('ix_posts_org_id'), table_name='posts')
    op.drop_index(op.f('ix_posts_cadre_id'), table_name='posts')
    op.drop_table('posts')
    op.drop_index('ix_discussions_org_path_gist', table_name='discussions', postgresql_using='gist')
    op.drop_index(op.f('ix_discussions_org_id'), table_name='discussions')
    op.drop_index(op.f('ix_discussions_cadre_id'), table_name='discussions')
    op.drop_table('discussions')
    op.drop_index('ix_resources_org_path_gist', table_name='resources', postgresql_using='gist')
    op.drop_index(op.f('ix_resources_org_id'), table_name='resources')
    op.drop_table('resources')
