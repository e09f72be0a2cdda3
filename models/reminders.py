"""Deadline reminders (到期提醒) put into a cadre's inbox by the scheduled jobs (app/jobs.py)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantOwned, str_enum


class ReminderKind(enum.StrEnum):
    REPORT_WINDOW = "REPORT_WINDOW"  # 季度报送窗口已开、本市尚未报送
    FIVE_ONES_DUE = "FIVE_ONES_DUE"  # 本周期“五个一”即将截止、尚未完成


class Reminder(Base, TenantOwned):
    """One reminder to one cadre for one period: the unique key makes the job idempotent.
    Tenant columns: the cadre's."""

    __tablename__ = "reminders"
    __table_args__ = (sa.UniqueConstraint("kind", "period", "cadre_id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    cadre_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("cadres.id"), index=True)
    kind: Mapped[ReminderKind] = mapped_column(str_enum(ReminderKind))
    # The period reminded of: "2026-Q4" for a report, the period's first day for a 五个一.
    period: Mapped[str] = mapped_column(sa.String(20))
    due_on: Mapped[date] = mapped_column(sa.Date)
    message: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
