"""到期提醒: deadline reminders that the daily job (app/jobs.py) puts into cadres' inboxes, and
a cadre's own list. One reminder per kind, period and cadre (a unique key), so running the
job again on the same day, or on every day of a window, reminds nobody twice."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from authz import Act, Obj
from models import Reminder
from resolvers import events
from resolvers.base import Ctx
from resolvers.figures import cadre_progress_sql
from resolvers.pagination import Page
from resolvers.quarters import quarter_label, quarter_period

# The quarter's report (报送) is sent up in its last week; a 五个一 period's last week warns.
REPORT_WINDOW_DAYS = 7
FIVE_ONES_NOTICE_DAYS = 7

_INSERT = """
    INSERT INTO reminders (cadre_id, kind, period, due_on, message, org_id, org_path, city_id)
    {select}
    ON CONFLICT (kind, period, cadre_id) DO NOTHING
    RETURNING id, cadre_id"""

# Cadres of the city committees (市级团委) with no report for the quarter yet.
_REPORT_WINDOW = _INSERT.format(
    select="""
    SELECT c.id, 'REPORT_WINDOW', :period, :due, :message, c.org_id, c.org_path, c.city_id
    FROM cadres c JOIN orgs o ON o.id = c.org_id
    WHERE c.is_active AND o.is_active AND o.level = 'CITY'
      AND NOT EXISTS (SELECT 1 FROM reports r
                      WHERE r.org_id = o.id AND r.year = :year AND r.quarter = :quarter)"""
)

# Cadres whose 五个一 period ends within the notice and who have not met it (by the one
# completion rule, resolvers.figures.five_ones_complete).
_FIVE_ONES_DUE = _INSERT.format(
    select=f"""
    SELECT c.id, 'FIVE_ONES_DUE', p.period_start::text, p.period_end - 1,
           format('本周期“五个一”已完成 %s/%s 项，将于 %s 截止，请抓紧完成',
                  p.done, p.min_count, to_char(p.period_end - 1, 'YYYY-MM-DD')),
           c.org_id, c.org_path, c.city_id
    FROM ({cadre_progress_sql("true")}) p JOIN cadres c ON c.id = p.subject_id
    WHERE p.period_end - CAST(:on AS date) <= :notice AND NOT p.complete"""
)


async def issue_due(session: AsyncSession, on: date) -> dict[str, int]:
    """The reminders due on `on` (League date); each new one is announced to the cadre's
    live inbox when the job's transaction commits."""
    year, quarter = on.year, (on.month - 1) // 3 + 1
    period = quarter_period(year, quarter)
    report_rows: list[Any] = []
    if on > period.end - timedelta(days=REPORT_WINDOW_DAYS):
        label = quarter_label(year, quarter)
        report_rows = list(
            await session.execute(
                sa.text(_REPORT_WINDOW),
                {
                    "period": label,
                    "due": period.end,
                    "message": f"{label} 报送窗口已开放，请于 {period.end.isoformat()} 前报送本季度工作",
                    "year": year,
                    "quarter": quarter,
                },
            )
        )
    five_ones_rows = list(
        await session.execute(sa.text(_FIVE_ONES_DUE), {"on": on, "notice": FIVE_ONES_NOTICE_DAYS})
    )
    for row in [*report_rows, *five_ones_rows]:
        await events.publish(session, "reminder", id=row.id, cadre_id=row.cadre_id)
    return {"reportWindow": len(report_rows), "fiveOnesDue": len(five_ones_rows)}


async def get(ctx: Ctx, reminder_id: int) -> Reminder:
    return await ctx.load(Reminder, reminder_id, Act.VIEW, Obj.WORK)


async def mine(ctx: Ctx, first: int | None, after: str | None) -> Page[Reminder]:
    """The caller's own reminders, in the order they were put in the inbox."""
    return await ctx.page(
        sa.select(Reminder).where(ctx.readable(Reminder)), Reminder.id, first, after
    )
