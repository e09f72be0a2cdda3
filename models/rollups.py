"""Rollups (汇总): counts of the work kept by the database itself, for the figures
(resolvers/figures.py) to sum instead of reading every row. Each is kept by triggers on its
source table (migration 0023), so no write path can forget it; `youthlink check-rollups`
compares each with a recount from the rows."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantOwned

# The zone of `work_log_days.day` (the SQL function league_day, migration 0023): the figures
# read the rollup only when the league's time zone (Settings.timezone) is this one.
ROLLUP_ZONE = "Asia/Shanghai"


class WorkLogDay(Base, TenantOwned):
    """The live (not deleted) work logs of one cadre at one org on one league day, by their
    shape (kind, activity kind, channel, front end, organ's or not): how many. The tenant
    columns are the logs' (a move rewrites them with every tenant-owned row)."""

    __tablename__ = "work_log_days"
    __table_args__ = (
        sa.PrimaryKeyConstraint(
            "cadre_id",
            "day",
            "org_id",
            "kind",
            "activity_kind",
            "channel",
            "client",
            "for_organ",
            name="pk_work_log_days",
        ),
        # A city's days of a period, index-only: what the log figures read.
        sa.Index(
            "ix_work_log_days_city_day",
            "city_id",
            "day",
            postgresql_include=[
                "org_path",
                "cadre_id",
                "kind",
                "activity_kind",
                "channel",
                "client",
                "n",
            ],
        ),
        # A cadre's own activities of a 五个一 period (a cadre's page, migration 0030).
        sa.Index(
            "ix_work_log_days_cadre_activity",
            "cadre_id",
            "day",
            postgresql_include=["activity_kind", "n", "city_id"],
            postgresql_where=sa.text("kind = 'ACTIVITY'"),
        ),
        # A leading organ's own activities of a 五个一 period.
        sa.Index(
            "ix_work_log_days_organ",
            "org_id",
            "day",
            postgresql_include=["activity_kind", "n"],
            postgresql_where=sa.text("kind = 'ACTIVITY' AND for_organ"),
        ),
    )

    cadre_id: Mapped[int] = mapped_column(sa.BigInteger)
    day: Mapped[date] = mapped_column(sa.Date)  # league_day(occurred_at)
    kind: Mapped[str] = mapped_column(sa.String(32))
    activity_kind: Mapped[str] = mapped_column(sa.String(32))  # '' for a contact
    channel: Mapped[str] = mapped_column(sa.String(32))  # '' for an activity
    client: Mapped[str] = mapped_column(sa.String(10))
    for_organ: Mapped[bool] = mapped_column(sa.Boolean)
    n: Mapped[int] = mapped_column(sa.Integer)


class CadreIndustry(Base, TenantOwned):
    """A cadre's accepted (ACTIVE) links at one org, by the youth's industry ('未填写' when
    blank): how many. Kept by triggers on contacts and on youth (an industry edited moves
    the youth's links); tenant columns are the links' (the cadre's org)."""

    __tablename__ = "cadre_industries"
    __table_args__ = (
        sa.PrimaryKeyConstraint("cadre_id", "org_id", "industry", name="pk_cadre_industries"),
        # A city's cadres' mixes, index-only: what the industry mix reads.
        sa.Index(
            "ix_cadre_industries_city",
            "city_id",
            postgresql_include=["org_path", "cadre_id", "industry", "n"],
        ),
    )

    cadre_id: Mapped[int] = mapped_column(sa.BigInteger)
    industry: Mapped[str] = mapped_column(sa.String(50))
    n: Mapped[int] = mapped_column(sa.Integer)
