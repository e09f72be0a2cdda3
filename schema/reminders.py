"""到期提醒 in a cadre's inbox, put there by the daily job (app/jobs.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from models import Reminder as ReminderRow
from models import ReminderKind
from resolvers import reminders
from schema.context import Info
from schema.relay import Connection, Node, connection, to_global_id


@strawberry.type(name="Reminder", description="到期提醒：定时任务放入团干部收件箱的一条")
class Reminder(Node):
    kind: ReminderKind = strawberry.field(description="提醒的种类")
    period: str = strawberry.field(
        description="所提醒的周期：报送为季度（如 2026-Q4），“五个一”为该周期的第一天"
    )
    due_on: date = strawberry.field(description="截止日期（含当天）")
    message: str = strawberry.field(description="提醒的内容")
    created_at: datetime = strawberry.field(description="放入收件箱的时间")

    @classmethod
    def of(cls, r: ReminderRow) -> Reminder:
        return cls(
            id=to_global_id("Reminder", r.id),
            kind=r.kind,
            period=r.period,
            due_on=r.due_on,
            message=r.message,
            created_at=r.created_at,
        )


@strawberry.type
class ReminderQuery:
    @strawberry.field(description="团干部：我的到期提醒（报送窗口、“五个一”截止），按放入的先后")
    async def my_reminders(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="每页条数")] = None,
        after: Annotated[
            str | None, strawberry.argument(description="上一页的 endCursor，从其后续取")
        ] = None,
    ) -> Connection[Reminder]:
        return connection(await reminders.mine(info.context.ctx, first, after), Reminder.of)
