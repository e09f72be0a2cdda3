"""Cadres' work: youth lists (联系), work logs (日志), 五个一 quotas, 一学一做, working groups,
and the points ledger (积分)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Ltree, TenantOwned, Timestamps, str_enum


def _now() -> sa.ColumnElement[datetime]:
    return sa.func.now()


class ContactStatus(enum.StrEnum):
    INVITED = "INVITED"  # 待确认: the cadre added the youth; the youth has not accepted
    ACTIVE = "ACTIVE"  # 已联系
    LEFT = "LEFT"  # 已退出: either side ended it (§六: no forcing)


class Contact(Base, TenantOwned):
    """A cadre ↔ youth link. Tenant columns are the cadre's org. Partitioned by city
    (migration 0027): the database's primary key is (id, city_id)."""

    __tablename__ = "contacts"
    __table_args__ = (
        sa.Index("ix_contacts_org_path_gist", "org_path", postgresql_using="gist"),
        sa.Index(  # a city's links, for the figures (resolvers/figures.py)
            "ix_contacts_city_status",
            "city_id",
            "status",
            postgresql_include=["org_path", "youth_id", "cadre_id"],
        ),
        sa.Index(
            "uq_contacts_live",  # city_id: the partition key; a cadre's links are in one city
            "cadre_id",
            "youth_id",
            "city_id",
            unique=True,
            postgresql_where=sa.text("status <> 'LEFT'"),
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"), index=True)
    youth_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("youth_keys.id"), index=True)
    status: Mapped[ContactStatus] = mapped_column(str_enum(ContactStatus))
    invited_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    left_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    left_by: Mapped[str | None] = mapped_column(sa.String(10))  # YOUTH | CADRE


class FrontEnd(enum.StrEnum):
    """Which front end wrote a record, as the server saw the request (app.main.front_end_of)."""

    WEB = "WEB"  # the console
    MOBILE = "MOBILE"  # the phone pages at /m/
    API = "API"  # anything else: the raw API


class LogKind(enum.StrEnum):
    CONTACT = "CONTACT"  # 联系记录
    ACTIVITY = "ACTIVITY"  # 活动记录


class Channel(enum.StrEnum):
    FACE_TO_FACE = "FACE_TO_FACE"  # 面对面
    PHONE = "PHONE"  # 电话
    WECHAT = "WECHAT"  # 微信
    QQ = "QQ"
    WEIBO = "WEIBO"  # 微博
    OTHER = "OTHER"


class ActivityKind(enum.StrEnum):
    # Cadres' 五个一 (§二.2)
    PRACTICAL_DEED = "PRACTICAL_DEED"  # 办一件实事
    LEAGUE_LESSON = "LEAGUE_LESSON"  # 上一堂团课
    HEART_TALK = "HEART_TALK"  # 谈心谈话
    VOLUNTEER = "VOLUNTEER"  # 志愿服务 / 集中志愿服务
    CULTURE_SPORTS = "CULTURE_SPORTS"  # 文体活动
    # Leading organs' 五个一 (§二.1)
    ORGAN_OPEN_DAY = "ORGAN_OPEN_DAY"  # 机关开放
    FACE_TO_FACE = "FACE_TO_FACE"  # 面对面
    SHARING = "SHARING"  # "1+100"分享
    SELF_DESIGNED = "SELF_DESIGNED"  # 自主设计的集体活动


class WorkLog(Base, TenantOwned, Timestamps):
    """A cadre's record of a contact or an activity. Tenant columns are the cadre's org.
    Partitioned by city (migration 0027): the database's primary key is (id, city_id);
    foreign keys refer to `work_log_keys`."""

    __tablename__ = "work_logs"
    __table_args__ = (
        sa.Index("ix_work_logs_org_path_gist", "org_path", postgresql_using="gist"),
        sa.Index("ix_work_logs_cadre_occurred", "cadre_id", "occurred_at"),
        sa.Index("ix_work_logs_occurred", "occurred_at"),
        # The figures' (resolvers/figures.py) reads: a city's logs of a period, and each
        # cadre's and each leading organ's activities of a 五个一 period, index-only.
        sa.Index(
            "ix_work_logs_city_occurred",
            "city_id",
            "occurred_at",
            postgresql_include=[
                "org_path",
                "cadre_id",
                "kind",
                "activity_kind",
                "channel",
                "client",
            ],
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
        sa.Index(
            "ix_work_logs_cadre_activity",
            "cadre_id",
            "occurred_at",
            postgresql_include=["activity_kind"],
            postgresql_where=sa.text("kind = 'ACTIVITY' AND deleted_at IS NULL"),
        ),
        # An organ counts only the work logged as the organ's (for_organ): still index-only.
        sa.Index(
            "ix_work_logs_org_activity",
            "org_id",
            "occurred_at",
            postgresql_include=["activity_kind", "for_organ"],
            postgresql_where=sa.text("kind = 'ACTIVITY' AND deleted_at IS NULL"),
        ),
        sa.Index(
            "ix_work_logs_content_trgm",
            "content",
            postgresql_using="gin",
            postgresql_ops={"content": "gin_trgm_ops"},
        ),
        sa.CheckConstraint(
            "(kind = 'CONTACT' AND youth_id IS NOT NULL AND channel IS NOT NULL) OR "
            "(kind = 'ACTIVITY' AND activity_kind IS NOT NULL)",
            name="kind_fields",
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"))
    kind: Mapped[LogKind] = mapped_column(str_enum(LogKind))
    youth_id: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("youth_keys.id"))
    channel: Mapped[Channel | None] = mapped_column(str_enum(Channel))
    activity_kind: Mapped[ActivityKind | None] = mapped_column(str_enum(ActivityKind))
    place: Mapped[str] = mapped_column(sa.String(200), server_default="")
    content: Mapped[str] = mapped_column(sa.Text)
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    participant_count: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    # The campaign (集中活动) an activity belongs to, if any.
    campaign_id: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("campaigns.id"))
    # An activity the cadre's leading organ organised (机关组织): only these count toward the
    # organ's 五个一, never a cadre's own (§二.1). Always true for the organ-only kinds.
    for_organ: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    # Which front end wrote it, as the server saw the request (app.main.front_end_of): MOBILE
    # (the phone pages), WEB (the console) or API; counts toward 手机端使用 (附件1 4.4).
    client: Mapped[str] = mapped_column(sa.String(10), server_default="WEB")  # a FrontEnd
    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    deleted_reason: Mapped[str | None] = mapped_column(sa.String(200))


class WorkLogKey(Base):
    """The one global index of the partitioned `work_logs`: every log's id, which foreign
    keys refer to. Written only by work_logs' statement triggers (migration 0027)."""

    __tablename__ = "work_log_keys"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)


class WorkLogParticipant(Base):
    __tablename__ = "work_log_participants"

    log_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("work_log_keys.id", ondelete="CASCADE"), primary_key=True
    )
    youth_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("youth_keys.id"), primary_key=True, index=True
    )


class QuotaSubject(enum.StrEnum):
    FULL_TIME = "FULL_TIME"  # 专职团干部
    SECONDED = "SECONDED"  # 挂职团干部
    PART_TIME = "PART_TIME"  # 兼职团干部
    LEADING_ORGAN = "LEADING_ORGAN"  # 市县领导机关


class QuotaRule(Base):
    """五个一 quota, set by the province only (§六: 不能层层加码)."""

    __tablename__ = "quota_rules"

    subject: Mapped[QuotaSubject] = mapped_column(str_enum(QuotaSubject), primary_key=True)
    period_months: Mapped[int] = mapped_column(sa.Integer)
    min_count: Mapped[int] = mapped_column(sa.Integer)
    kinds: Mapped[list[str]] = mapped_column(ARRAY(sa.String(32)))
    # Variety: one of each kind required. Off by default: the notice lists the kinds as
    # examples (比如), so five 谈心谈话 are five activities; the province may ask for it.
    one_of_each: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    # 一学一做 records count toward the quota (§二.1 allows it for the leading organs).
    counts_learn_and_do: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now(), onupdate=_now()
    )


class LearnAndDoKind(enum.StrEnum):
    """What a cadre does in the branch's practice (§一.2)."""

    STUDY = "STUDY"  # 学习
    ORG_LIFE_MEETING = "ORG_LIFE_MEETING"  # 组织生活会
    OATH_RENEWAL = "OATH_RENEWAL"  # 重温入团誓词
    VOLUNTEER = "VOLUNTEER"  # 志愿服务
    ONLINE_THEME_DAY = "ONLINE_THEME_DAY"  # 网上主题团日
    LEAGUE_LESSON = "LEAGUE_LESSON"  # 团课
    SELF_REVIEW = "SELF_REVIEW"  # 组织自查整顿
    SELECT_MODELS = "SELECT_MODELS"  # 评选先进典型
    VANGUARD_POST = "VANGUARD_POST"  # 创建团员先锋岗（队）


# 一学一做 runs from March to September (§一.1: 3月至9月).
LEARN_AND_DO_MONTHS = range(3, 10)


class LearnAndDoChoice(Base, TenantOwned):
    """一学一做: the grassroots committee (or general branch) a cadre guides and the branch
    inside it they join, per year; and the work plan made with it (§一.1: 指导其制定工作方案)."""

    __tablename__ = "learn_and_do_choices"
    __table_args__ = (
        sa.UniqueConstraint("cadre_id", "year"),
        sa.Index("ix_learn_and_do_choices_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"))
    year: Mapped[int] = mapped_column(sa.Integer)
    guided_org_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("orgs.id"))
    joined_branch_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("orgs.id"))
    work_plan: Mapped[str] = mapped_column(sa.Text, server_default="")
    work_plan_updated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class RecommendationKind(enum.StrEnum):
    EXPERIENCE = "EXPERIENCE"  # 好经验
    PRACTICE = "PRACTICE"  # 好做法
    MODEL = "MODEL"  # 先进典型


class LearnAndDoRecommendation(Base, TenantOwned):
    """典型推荐: a good experience, practice or model a cadre found in the committee they guide
    and recommended to the organisation (§一.1). Tenant columns: the cadre's org."""

    __tablename__ = "learn_and_do_recommendations"
    __table_args__ = (
        sa.Index(
            "ix_learn_and_do_recommendations_org_path_gist", "org_path", postgresql_using="gist"
        ),
        sa.Index("ix_learn_and_do_recommendations_cadre_year", "cadre_id", "year"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"))
    year: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[RecommendationKind] = mapped_column(str_enum(RecommendationKind))
    # Where it was found: the guided committee or an org inside it.
    source_org_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("orgs.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    recommended_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class LearnAndDoRecord(Base, TenantOwned):
    __tablename__ = "learn_and_do_records"
    __table_args__ = (
        sa.Index("ix_learn_and_do_records_org_path_gist", "org_path", postgresql_using="gist"),
        sa.Index("ix_learn_and_do_records_cadre_year", "cadre_id", "year"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"))
    year: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[LearnAndDoKind] = mapped_column(str_enum(LearnAndDoKind))
    occurred_on: Mapped[date] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.Text, server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class WorkingGroup(Base, TenantOwned):
    """工作小组: created by a city committee (the tenant columns), answering for a subtree."""

    __tablename__ = "working_groups"
    __table_args__ = (
        sa.Index("ix_working_groups_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    leader_cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"))
    responsible_org_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("orgs.id"))
    # The leader's right to see the subtree is an ordinary grant, revoked with the group.
    leader_grant_id: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("grants.id"))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class WorkingGroupMember(Base):
    __tablename__ = "working_group_members"

    group_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("working_groups.id", ondelete="CASCADE"), primary_key=True
    )
    cadre_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("cadres.id"), primary_key=True
    )


class SharingEvent(Base, TenantOwned):
    """A city committee's quarterly "1+100" sharing event (§二.3)."""

    __tablename__ = "sharing_events"
    __table_args__ = (
        sa.Index("ix_sharing_events_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    group_id: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("working_groups.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    held_on: Mapped[date] = mapped_column(sa.Date)
    attendees: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    note: Mapped[str] = mapped_column(sa.Text, server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class SecretaryContact(Base, TenantOwned):
    """A county cadre's list of the grassroots secretaries they keep in touch with."""

    __tablename__ = "secretary_contacts"
    __table_args__ = (sa.UniqueConstraint("cadre_id", "secretary_cadre_id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"), index=True)
    secretary_cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"))
    note: Mapped[str] = mapped_column(sa.String(200), server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class PointSource(enum.StrEnum):
    CONTACT_LOG = "CONTACT_LOG"  # 联系日志
    ACTIVITY_LOG = "ACTIVITY_LOG"  # 活动日志
    CONTACT_ACCEPTED = "CONTACT_ACCEPTED"  # 小伙伴确认联系
    LEARN_AND_DO = "LEARN_AND_DO"  # 一学一做记录


class PointRule(Base):
    """Points per record kind and a daily cap, set by the province."""

    __tablename__ = "point_rules"

    source: Mapped[PointSource] = mapped_column(str_enum(PointSource), primary_key=True)
    points: Mapped[int] = mapped_column(sa.Integer)
    daily_cap: Mapped[int] = mapped_column(sa.Integer)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now(), onupdate=_now()
    )


class PointEntry(Base, TenantOwned):
    """The append-only points ledger. Every entry names the record that earned it; reversing
    a record appends the negative of its entry. Totals are sums, never edited."""

    __tablename__ = "point_entries"
    __table_args__ = (
        sa.Index("ix_point_entries_org_path_gist", "org_path", postgresql_using="gist"),
        sa.Index("ix_point_entries_cadre_day", "cadre_id", "day"),
        sa.Index("ix_point_entries_day", "day"),
        # A city's entries of a period, index-only: what a ranking within one city reads
        # (migration 0029; the GiST range above spans the whole country's ledger).
        sa.Index(
            "ix_point_entries_city_day",
            "city_id",
            "day",
            postgresql_include=["cadre_id", "points", "org_path"],
        ),
        sa.Index(
            "uq_point_entries_award",
            "source",
            "source_id",
            unique=True,
            postgresql_where=sa.text("reverses_id IS NULL"),
        ),
        sa.Index("uq_point_entries_reversal", "reverses_id", unique=True),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"))
    source: Mapped[PointSource] = mapped_column(str_enum(PointSource))
    source_id: Mapped[int] = mapped_column(sa.BigInteger)
    points: Mapped[int] = mapped_column(sa.Integer)
    day: Mapped[date] = mapped_column(sa.Date)
    reverses_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("point_entries.id")
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class PointSnapshot(Base):
    """Daily snapshot: each cadre's cumulative points at the end of `day` (from the ledger)."""

    __tablename__ = "point_snapshots"
    __table_args__ = (
        sa.Index("ix_point_snapshots_org_path_gist", "org_path", postgresql_using="gist"),
    )

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    cadre_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("cadres.id"), primary_key=True
    )
    org_path: Mapped[str] = mapped_column(Ltree())
    city_id: Mapped[int] = mapped_column(sa.BigInteger)
    total: Mapped[int] = mapped_column(sa.Integer)
