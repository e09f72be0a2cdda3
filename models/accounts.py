"""Accounts and sessions: logins of cadres (password) and youth (mobile + one-time code)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum


class ClientKind(enum.StrEnum):
    WEB = "WEB"
    MOBILE = "MOBILE"  # the WeChat / phone end: counts toward 手机端使用 (附件1 item 4)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    username: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    mobile: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    display_name: Mapped[str] = mapped_column(sa.String(50))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class AuthSession(Base):
    """One login on one client; its refresh tokens form one family."""

    __tablename__ = "auth_sessions"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"), index=True)
    client: Mapped[ClientKind] = mapped_column(str_enum(ClientKind))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    last_seen_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(40))


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("auth_sessions.id"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class LoginThrottle(Base):
    """Failures per login identifier, known or unknown alike, so both get the same answer."""

    __tablename__ = "login_throttle"

    identifier: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_failure_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class RateLimitCounter(Base):
    """One fixed window of a rate limit (app/ratelimit.py), shared by every instance.
    UNLOGGED: a crash forgets the windows (they last a minute or an hour), never a table row
    anyone needs; in exchange each hit writes no WAL."""

    __tablename__ = "rate_limit_counters"
    __table_args__ = ({"prefixes": ("UNLOGGED",)},)

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    hits: Mapped[int] = mapped_column(sa.Integer)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)


class OtpCode(Base):
    __tablename__ = "otp_codes"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    mobile: Mapped[str] = mapped_column(sa.String(20), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    address: Mapped[str | None] = mapped_column(sa.String(64), index=True)  # who asked, for caps


class Consent(Base):
    """A youth's consent to the privacy policy: scope, time, policy version, and a guardian's
    where the youth is under 14."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    youth_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("youth_keys.id"), index=True)
    policy_version: Mapped[str] = mapped_column(sa.String(20))
    scope: Mapped[str] = mapped_column(sa.String(200))
    guardian_name: Mapped[str | None] = mapped_column(sa.String(50))
    guardian_mobile: Mapped[str | None] = mapped_column(sa.String(20))
    accepted_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class DeletionStatus(enum.StrEnum):
    PENDING = "PENDING"  # 待处理
    DONE = "DONE"  # 已删除（匿名化）


class DeletionRequest(Base):
    """A youth asks for their personal data to be deleted; an administrator carries it out."""

    __tablename__ = "deletion_requests"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    youth_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("youth_keys.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text, server_default="")
    status: Mapped[str] = mapped_column(sa.String(10))  # a DeletionStatus
    requested_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    done_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    done_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))


class SmsOutbox(Base):
    """What the bundled SMS provider 'sends': development and tests read codes here."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    mobile: Mapped[str] = mapped_column(sa.String(20), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
