"""运维: the scheduled jobs' last run, next run and failures, for the province and operators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from resolvers import operations
from resolvers.operations import JobStatus
from schema.context import Info
from schema.relay import Connection, connection


@strawberry.type(description="一项定时任务（procrastinate 周期任务，跨实例只运行一次）的运行情况")
class ScheduledJob:
    name: str = strawberry.field(description="任务名，如 points-snapshot")
    title: str = strawberry.field(description="任务说明与运行时间")
    cron: str = strawberry.field(description="运行时间表（cron，UTC；北京时间为 UTC+8）")
    last_run_at: datetime | None = strawberry.field(
        description="最近一次运行结束的时间；从未运行为 null"
    )
    last_succeeded: bool | None = strawberry.field(
        description="最近一次运行是否成功；从未运行为 null"
    )
    next_run_at: datetime = strawberry.field(description="下一次按时间表运行的时间")
    failures: int = strawberry.field(description="近 7 天失败的次数")
    last_failure_at: datetime | None = strawberry.field(description="最近一次失败的时间")
    waiting: int = strawberry.field(description="已排队、等待运行的作业数")

    @classmethod
    def of(cls, s: JobStatus) -> ScheduledJob:
        return cls(
            name=s.name,
            title=s.title,
            cron=s.cron,
            last_run_at=s.last_run_at,
            last_succeeded=s.last_succeeded,
            next_run_at=s.next_run_at,
            failures=s.failures,
            last_failure_at=s.last_failure_at,
            waiting=s.waiting,
        )


@strawberry.type
class OperationsQuery:
    @strawberry.field(
        description="定时任务的运行情况：最近一次、下一次与失败（需要根组织的 operations:view：团省委、系统管理员）"
    )
    async def scheduled_jobs(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="每页条数")] = None,
        after: Annotated[
            str | None, strawberry.argument(description="上一页的 endCursor，从其后续取")
        ] = None,
    ) -> Connection[ScheduledJob]:
        return connection(
            await operations.list_jobs(info.context.ctx, first, after), ScheduledJob.of
        )
