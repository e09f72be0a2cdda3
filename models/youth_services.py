"""The youth side (附件2 §2): 青年之声 voices, 微心愿 wishes and the wish pool, resources,
ratings (评价), posts (文化产品) and discussions (活动讨论)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Ltree, TenantOwned, str_enum


def _now() -> sa.ColumnElement[datetime]:
    return sa.func.now()


class VoiceKind(enum.StrEnum):
    OPINION = "OPINION"  # 意见
    SUGGESTION = "SUGGESTION"  # 建议
    QUESTION = "QUESTION"  # 咨询


class VoiceStatus(enum.StrEnum):
    OPEN = "OPEN"  # 待回复
    ANSWERED = "ANSWERED"  # 已回复
    CLOSED = "CLOSED"  # 已关闭


class Voice(Base, TenantOwned):
    """A youth's opinion, suggestion or question, to one of their cadres or to an org.
    Tenant columns: the addressed cadre's org, or the addressed org."""

    __tablename__ = "voices"
    __table_args__ = (sa.Index("ix_voices_org_path_gist", "org_path", postgresql_using="gist"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    youth_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("youth_keys.id"), index=True)
    cadre_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("cadres.id"), index=True
    )
    kind: Mapped[VoiceKind] = mapped_column(str_enum(VoiceKind))
    topic: Mapped[str] = mapped_column(sa.String(40), server_default="")
    title: Mapped[str] = mapped_column(sa.String(100))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[VoiceStatus] = mapped_column(str_enum(VoiceStatus))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    first_reply_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class VoiceReply(Base):
    __tablename__ = "voice_replies"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    voice_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("voices.id"), index=True)
    author_user_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    from_youth: Mapped[bool] = mapped_column(sa.Boolean)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class WishCategory(enum.StrEnum):
    STUDY = "STUDY"  # 学习
    EMPLOYMENT = "EMPLOYMENT"  # 就业创业
    LIFE = "LIFE"  # 生活困难
    HEALTH = "HEALTH"  # 身心健康
    CULTURE = "CULTURE"  # 文体
    OTHER = "OTHER"


class WishStatus(enum.StrEnum):
    SUBMITTED = "SUBMITTED"  # 已提交
    ACCEPTED = "ACCEPTED"  # 团干部已认领
    ESCALATED = "ESCALATED"  # 进入心愿池
    CLAIMED = "CLAIMED"  # 资源方已认领
    FULFILLED = "FULFILLED"  # 已实现（待确认）
    CONFIRMED = "CONFIRMED"  # 小伙伴已确认
    WITHDRAWN = "WITHDRAWN"  # 已撤回
    REJECTED = "REJECTED"  # 未受理


class Wish(Base, TenantOwned):
    """A youth's micro-wish to one of their cadres. Tenant columns: that cadre's org; once in
    the pool, `pool_org_id` is the leading organ that matches it with resources."""

    __tablename__ = "wishes"
    __table_args__ = (
        sa.Index("ix_wishes_org_path_gist", "org_path", postgresql_using="gist"),
        sa.Index("ix_wishes_status_updated", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    youth_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("youth_keys.id"), index=True)
    cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"), index=True)
    category: Mapped[WishCategory] = mapped_column(str_enum(WishCategory))
    title: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[WishStatus] = mapped_column(str_enum(WishStatus))
    pool_org_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("orgs.id"), index=True
    )
    pool_org_path: Mapped[str | None] = mapped_column(Ltree())
    # When the wish entered its present pool: the wait before it moves up counts from here.
    pooled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    resource_id: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("resources.id"))
    evidence: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    submitted_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class WishEvent(Base):
    """Every transition, kept as history (and in the audit log)."""

    __tablename__ = "wish_events"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    wish_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("wishes.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    actor_user_id: Mapped[int | None] = mapped_column(sa.BigInteger)  # None: the system
    note: Mapped[str] = mapped_column(sa.Text, server_default="")
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class ResourceKind(enum.StrEnum):
    COMPANY = "COMPANY"  # 爱心企业
    VOLUNTEER = "VOLUNTEER"  # 志愿者
    FUND = "FUND"  # 资金
    OTHER = "OTHER"


class Resource(Base, TenantOwned):
    """What a leading organ has gathered to fulfil pooled wishes. Tenant columns: the organ."""

    __tablename__ = "resources"
    __table_args__ = (sa.Index("ix_resources_org_path_gist", "org_path", postgresql_using="gist"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    donor: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[ResourceKind] = mapped_column(str_enum(ResourceKind))
    capacity: Mapped[int] = mapped_column(sa.Integer)  # how many wishes it can fulfil
    used: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_until: Mapped[date] = mapped_column(sa.Date)
    description: Mapped[str] = mapped_column(sa.Text, server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class Rating(Base, TenantOwned):
    """A youth rates a cadre who contacts them, once per period (quarter)."""

    __tablename__ = "ratings"
    __table_args__ = (
        sa.UniqueConstraint("youth_id", "cadre_id", "period"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        sa.Index("ix_ratings_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    youth_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("youth_keys.id"))
    cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"), index=True)
    period: Mapped[str] = mapped_column(sa.String(7))  # e.g. 2026-Q4
    score: Mapped[int] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.Text, server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class PostAudience(enum.StrEnum):
    MY_YOUTH = "MY_YOUTH"  # 我联系的小伙伴
    SUBTREE = "SUBTREE"  # 某组织及下级登记的小伙伴


class Post(Base, TenantOwned):
    """文化产品 a cadre pushes. Tenant columns: the audience's org (the author's own org for
    MY_YOUTH, the target org for SUBTREE)."""

    __tablename__ = "posts"
    __table_args__ = (sa.Index("ix_posts_org_path_gist", "org_path", postgresql_using="gist"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"), index=True)
    audience: Mapped[PostAudience] = mapped_column(str_enum(PostAudience))
    title: Mapped[str] = mapped_column(sa.String(100))
    body: Mapped[str] = mapped_column(sa.Text, server_default="")
    link: Mapped[str | None] = mapped_column(sa.String(500))
    media_ref: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class PostRead(Base):
    __tablename__ = "post_reads"

    post_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("posts.id"), primary_key=True)
    youth_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("youth_keys.id"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class Discussion(Base, TenantOwned):
    """活动讨论: a thread a cadre opens with their youth. Tenant columns: the cadre's org."""

    __tablename__ = "discussions"
    __table_args__ = (
        sa.Index("ix_discussions_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(100))
    body: Mapped[str] = mapped_column(sa.Text, server_default="")
    is_closed: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class DiscussionReply(Base):
    __tablename__ = "discussion_replies"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    discussion_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("discussions.id"), index=True
    )
    author_user_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    from_youth: Mapped[bool] = mapped_column(sa.Boolean)
    body: Mapped[str] = mapped_column(sa.Text)
    hidden: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())  # moderated
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
