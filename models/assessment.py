"""Checking and assessment (§三, §五, 附件1): truth signals, spot checks, flags, campaigns and
nominations, quarterly reports, bulletins, and the 100-point assessment."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Ltree, TenantOwned, str_enum


def _now() -> sa.ColumnElement[datetime]:
    return sa.func.now()


class LogConfirmation(Base):
    """A youth confirms or denies, from their phone, a contact a cadre logged with them."""

    __tablename__ = "log_confirmations"

    log_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("work_log_keys.id"), primary_key=True
    )
    youth_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("youth_keys.id"), index=True)
    confirmed: Mapped[bool] = mapped_column(sa.Boolean)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class SpotCheckMethod(enum.StrEnum):
    PHONE = "PHONE"  # 电话抽查
    ON_SITE = "ON_SITE"  # 实地抽查
    COMMISSIONED = "COMMISSIONED"  # 委托调查


class SpotCheck(Base, TenantOwned):
    """A reproducible random sample of a subtree's contact logs, stratified by child org."""

    __tablename__ = "spot_checks"
    __table_args__ = (
        sa.Index("ix_spot_checks_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    method: Mapped[SpotCheckMethod] = mapped_column(str_enum(SpotCheckMethod))
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    sample_size: Mapped[int] = mapped_column(sa.Integer)
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    created_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    # Who calls or visits the sample (the drawer unless another account is named; for a
    # commissioned check an account from outside the subtree), and until when: the checker's
    # rights on the sample (and the field grant of its numbers) end with the check.
    checker_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("users.id"), index=True
    )
    ends_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class SpotCheckItem(Base):
    __tablename__ = "spot_check_items"
    __table_args__ = (
        sa.UniqueConstraint("check_id", "log_id"),
        sa.Index("ix_spot_check_items_org_path_gist", "org_path", postgresql_using="gist"),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction_range"
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    check_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("spot_checks.id"), index=True
    )
    log_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("work_log_keys.id"))
    # The sampled log's org: the checked org reads its own findings, not its siblings'.
    org_path: Mapped[str | None] = mapped_column(Ltree())
    stratum_org_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("orgs.id"))
    reached: Mapped[bool | None] = mapped_column(sa.Boolean)
    confirmed: Mapped[bool | None] = mapped_column(sa.Boolean)
    satisfaction: Mapped[int | None] = mapped_column(sa.SmallInteger)
    notes: Mapped[str] = mapped_column(sa.Text, server_default="")
    recorded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    recorded_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))


class FlagKind(enum.StrEnum):
    NEAR_DUPLICATE = "NEAR_DUPLICATE"  # 内容高度雷同
    BURST = "BURST"  # 超出个人能力的密集记录
    UNCONFIRMED = "UNCONFIRMED"  # 长期未获小伙伴确认
    DENIED = "DENIED"  # 小伙伴否认
    SPOT_CHECK_FAILED = "SPOT_CHECK_FAILED"  # 抽查未核实
    DENIAL_PATTERN = "DENIAL_PATTERN"  # 多次被否认的干部尚无人确认的联系


class FlagStatus(enum.StrEnum):
    OPEN = "OPEN"  # 待复核：不计积分
    CLEARED = "CLEARED"  # 复核通过：恢复积分
    UPHELD = "UPHELD"  # 复核属实：不计积分


class Flag(Base, TenantOwned):
    """A suspicious record. Tenant columns: the log's."""

    __tablename__ = "flags"
    __table_args__ = (
        sa.Index("ix_flags_org_path_gist", "org_path", postgresql_using="gist"),
        sa.UniqueConstraint("log_id", "kind"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    log_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("work_log_keys.id"), index=True
    )
    cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"), index=True)
    kind: Mapped[FlagKind] = mapped_column(str_enum(FlagKind))
    detail: Mapped[str] = mapped_column(sa.String(300), server_default="")
    status: Mapped[FlagStatus] = mapped_column(str_enum(FlagStatus))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    reviewed_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    review_note: Mapped[str] = mapped_column(sa.Text, server_default="")


class CampaignKind(enum.StrEnum):
    OPEN_DAY = "OPEN_DAY"  # 团干部开放日
    LECTURE = "LECTURE"  # 宣讲
    YOUTH_STORY = "YOUTH_STORY"  # 最美青春故事
    SERVICE_MONTH = "SERVICE_MONTH"  # 服务青年月


class Campaign(Base):
    """集中活动 run by the province through the whole tree, with dates and phases."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    kind: Mapped[CampaignKind] = mapped_column(str_enum(CampaignKind))
    year: Mapped[int] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(100))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    # [{"name": ..., "starts_on": ..., "ends_on": ...}]; for YOUTH_STORY also the selection
    # deadlines and quotas per level: {"COUNTY": {"deadline": ..., "quota": n}, ...}
    phases: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    selection: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class NominationStatus(enum.StrEnum):
    PENDING = "PENDING"  # 待本级遴选
    RETURNED = "RETURNED"  # 退回下级（附意见）
    FINALIST = "FINALIST"  # 省级入选


class NominationLevel(enum.StrEnum):
    """Where a nomination waits: the level that decides on it next."""

    CITY = "CITY"  # 市级遴选
    PROVINCE = "PROVINCE"  # 省级遴选


class StoryForm(enum.StrEnum):
    """How a 最美青春故事 is shared (§三.3: 通过演讲、征文、微视频、H5页面等形式)."""

    SPEECH = "SPEECH"  # 演讲
    ESSAY = "ESSAY"  # 征文
    MICRO_VIDEO = "MICRO_VIDEO"  # 微视频
    H5 = "H5"  # H5 页面


class Nomination(Base, TenantOwned):
    """A YOUTH_STORY nomination moving county → city → province. Tenant columns: the
    nominating county; `level` is where it waits now. The nominee is a cadre (§三.3:
    团干部典型), named by reference; `nominee_name` keeps the name as nominated. Rows from
    before the reference (free-text names) have no cadre, form or title."""

    __tablename__ = "nominations"
    __table_args__ = (
        sa.Index("ix_nominations_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("campaigns.id"), index=True
    )
    youth_id: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("youth_keys.id"))
    cadre_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("cadres.id"), index=True
    )
    nominee_name: Mapped[str] = mapped_column(sa.String(50))
    form: Mapped[StoryForm | None] = mapped_column(str_enum(StoryForm))
    title: Mapped[str] = mapped_column(sa.String(100), server_default="")
    story: Mapped[str] = mapped_column(sa.Text)
    level: Mapped[str] = mapped_column(sa.String(10))  # a NominationLevel: who decides next
    status: Mapped[NominationStatus] = mapped_column(str_enum(NominationStatus))
    comment: Mapped[str] = mapped_column(sa.Text, server_default="")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class ReportStatus(enum.StrEnum):
    SUBMITTED = "SUBMITTED"  # 已报送
    APPROVED = "APPROVED"  # 已通过
    RETURNED = "RETURNED"  # 退回修改


class Report(Base, TenantOwned):
    """A city's quarterly 五个一 report (报送). Tenant columns: the city."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.UniqueConstraint("org_id", "year", "quarter"),
        sa.Index("ix_reports_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    quarter: Mapped[int] = mapped_column(sa.SmallInteger)
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus))
    version: Mapped[int] = mapped_column(sa.Integer)
    late: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    review_comment: Mapped[str] = mapped_column(sa.Text, server_default="")
    reviewed_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class ReportVersion(Base):
    """Every submission is kept whole, with the figures computed from the data at the time."""

    __tablename__ = "report_versions"
    __table_args__ = (sa.UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("reports.id"), index=True)
    version: Mapped[int] = mapped_column(sa.Integer)
    practices: Mapped[str] = mapped_column(sa.Text)  # 做法
    experience: Mapped[str] = mapped_column(sa.Text)  # 经验
    problems: Mapped[str] = mapped_column(sa.Text)  # 存在问题
    next_steps: Mapped[str] = mapped_column(sa.Text)  # 下步工作安排
    figures: Mapped[dict[str, Any]] = mapped_column(JSONB)
    submitted_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )


class Bulletin(Base, TenantOwned):
    """A quarterly bulletin (季度通报) of an org over its children. Once published, frozen:
    a trigger refuses any change to a published row."""

    __tablename__ = "bulletins"
    __table_args__ = (
        sa.UniqueConstraint("org_id", "year", "quarter"),
        sa.Index("ix_bulletins_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    quarter: Mapped[int] = mapped_column(sa.SmallInteger)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    published: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class BulletinLine(Base, TenantOwned):
    """One child's line of a published bulletin, copied when it is published. Tenant columns:
    the child's, so the org a line is about reads it (and its siblings do not)."""

    __tablename__ = "bulletin_lines"
    __table_args__ = (
        sa.UniqueConstraint("bulletin_id", "org_id"),
        sa.Index("ix_bulletin_lines_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("bulletins.id"), index=True
    )
    # The bulletin's quarter and publication, copied: the line is read without its bulletin.
    year: Mapped[int] = mapped_column(sa.Integer)
    quarter: Mapped[int] = mapped_column(sa.SmallInteger)
    published_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    figures: Mapped[dict[str, Any]] = mapped_column(JSONB)


class RoundHalf(enum.StrEnum):
    MID_YEAR = "MID_YEAR"  # 半年考核
    YEAR_END = "YEAR_END"  # 年终考核


class RubricFormula(enum.StrEnum):
    """How a rubric item is scored (resolvers/rubric.py: each kind, its subjects, its
    parameters)."""

    ORGAN_FIVE_ONES = "ORGAN_FIVE_ONES"  # 领导机关每期“五个一”
    CADRE_FIVE_ONES = "CADRE_FIVE_ONES"  # 团干部每期“五个一”
    ORGAN_WORKING_GROUPS = "ORGAN_WORKING_GROUPS"  # 工作小组、分享会、联系书记
    ORGAN_OPEN_DAY = "ORGAN_OPEN_DAY"  # 领导机关集中开放日
    CADRE_CAMPAIGN = "CADRE_CAMPAIGN"  # 团干部参加某一集中活动
    COUNTY_NOMINATION = "COUNTY_NOMINATION"  # 县级推荐最美青春故事
    CADRE_MONTHS_USED = "CADRE_MONTHS_USED"  # 每月使用系统
    CADRE_YOUTH = "CADRE_YOUTH"  # 联系青年数
    CADRE_ACTIVITIES = "CADRE_ACTIVITIES"  # 活动数对指标
    CADRE_MONTHS_ON_MOBILE = "CADRE_MONTHS_ON_MOBILE"  # 每月用手机端
    CADRE_LEARN_AND_DO = "CADRE_LEARN_AND_DO"  # 指导参与一学一做
    MANUAL = "MANUAL"  # 考核人员录入


class RubricVersion(Base):
    """One version of the 100-point rubric of 附件1 as data: its items (section, title, points,
    formula kind and parameters; `resolvers/rubric.py` reads them). The province drafts a
    version, edits it, publishes it; a published version never changes, and a round freezes
    the one current when it opens. Province-wide: no tenant columns."""

    __tablename__ = "rubric_versions"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    number: Mapped[int] = mapped_column(sa.Integer, unique=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    note: Mapped[str] = mapped_column(sa.Text, server_default="")
    created_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    published_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class AssessmentRound(Base, TenantOwned):
    """An assessment of the children of an org (the province assessing its cities, a city its
    counties) on the rubric of 附件1. Tenant columns: the assessing org. The rubric version
    current when it opened is frozen on it: scores, drill-down and results use that one."""

    __tablename__ = "assessment_rounds"
    __table_args__ = (sa.UniqueConstraint("org_id", "year", "half"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    half: Mapped[RoundHalf] = mapped_column(str_enum(RoundHalf))
    closed: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    rubric_version_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("rubric_versions.id")
    )


class AssessmentScore(Base):
    """One rubric item for one assessed org: computed from the data, or entered with evidence."""

    __tablename__ = "assessment_scores"
    __table_args__ = (sa.UniqueConstraint("round_id", "org_id", "item"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("assessment_rounds.id"), index=True
    )
    org_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("orgs.id"))
    # The assessed org's path: it reads its own results once the round is closed.
    org_path: Mapped[str | None] = mapped_column(Ltree())
    item: Mapped[str] = mapped_column(sa.String(10))
    points: Mapped[float] = mapped_column(sa.Numeric(6, 2))
    evidence: Mapped[str] = mapped_column(sa.Text, server_default="")
    entered_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class ImplementationPlan(Base, TenantOwned):
    """A League committee's 实施方案 for the year's "1+100" work, approved by the committee
    above (备案). Tenant columns: the committee. Each submission is a new version of the text."""

    __tablename__ = "implementation_plans"
    __table_args__ = (
        sa.UniqueConstraint("org_id", "year"),
        sa.Index("ix_implementation_plans_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus))
    version: Mapped[int] = mapped_column(sa.Integer)
    submitted_by: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )
    review_comment: Mapped[str] = mapped_column(sa.Text, server_default="")
    reviewed_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class AssessmentContribution(Base, TenantOwned):
    """What one subject (a cadre, a leading organ, a county committee) contributed to one
    computed item of one assessed org: the item's share is Σ achieved / Σ possible over them.
    Tenant columns: the subject's org, so the assessed org reads its own contributors and
    nothing of its siblings'."""

    __tablename__ = "assessment_contributions"
    __table_args__ = (
        sa.Index("ix_assessment_contributions_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("assessment_rounds.id"), index=True
    )
    assessed_org_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("orgs.id"))
    item: Mapped[str] = mapped_column(sa.String(10))
    subject: Mapped[str] = mapped_column(sa.String(10))  # CADRE | ORGAN | COUNTY
    cadre_id: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"))
    achieved: Mapped[float] = mapped_column(sa.Numeric(10, 4))
    possible: Mapped[float] = mapped_column(sa.Numeric(10, 4))
