"""运维: how the scheduled jobs (app/jobs.py) ran, read from procrastinate's own tables:
the last run and its outcome, the next tick, the failures of the last week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from croniter import croniter
from sqlalchemy.ext.asyncio import AsyncSession

from app.jobs import QUEUE, SCHEDULES
from authz import Act, Obj
from resolvers import orgs
from resolvers.base import Ctx
from resolvers.pagination import Page, decode_cursor, page_size

FAILURE_WINDOW_DAYS = 7

_RUNS = sa.text("""
    SELECT j.task_name,
           max(e.at) FILTER (WHERE e.type IN ('succeeded', 'failed')) AS last_run_at,
           (array_agg(e.type::text ORDER BY e.at DESC, e.id DESC)
              FILTER (WHERE e.type IN ('succeeded', 'failed')))[1] AS last_outcome,
           count(*) FILTER (WHERE e.type = 'failed'
                              AND e.at > now() - make_interval(days => :days)) AS failures,
           max(e.at) FILTER (WHERE e.type = 'failed') AS last_failure_at,
           count(DISTINCT j.id) FILTER (WHERE j.status = 'todo') AS waiting
    FROM procrastinate_jobs j JOIN procrastinate_events e ON e.job_id = j.id
    WHERE j.queue_name = :queue
    GROUP BY j.task_name""")


@dataclass(frozen=True)
class JobStatus:
    name: str
    title: str
    cron: str
    last_run_at: datetime | None
    last_succeeded: bool | None
    next_run_at: datetime
    failures: int  # in the last FAILURE_WINDOW_DAYS
    last_failure_at: datetime | None
    waiting: int


async def job_statuses(session: AsyncSession, now: datetime | None = None) -> list[JobStatus]:
    """Every schedule, run or not yet."""
    now = now or datetime.now(UTC)
    rows = {
        r.task_name: r
        for r in await session.execute(_RUNS, {"queue": QUEUE, "days": FAILURE_WINDOW_DAYS})
    }
    out = []
    for s in SCHEDULES:
        r = rows.get(s.name)
        out.append(
            JobStatus(
                name=s.name,
                title=s.title,
                cron=s.cron,
                last_run_at=r.last_run_at if r else None,
                last_succeeded=(r.last_outcome == "succeeded") if r and r.last_outcome else None,
                next_run_at=croniter(s.cron, now).get_next(datetime),
                failures=int(r.failures) if r else 0,
                last_failure_at=r.last_failure_at if r else None,
                waiting=int(r.waiting) if r else 0,
            )
        )
    return out


async def list_jobs(ctx: Ctx, first: int | None, after: str | None) -> Page[JobStatus]:
    """For whoever holds operations:view at the root (the province, operators)."""
    ctx.authorize_global(Act.VIEW, Obj.OPERATIONS, await orgs.root_path(ctx))
    size = page_size(first, ctx.settings.page_size_default, ctx.settings.page_size_max)
    statuses = await job_statuses(ctx.session)
    start = decode_cursor(after) if after is not None else 0
    chosen = statuses[start : start + size]

    async def count() -> int:
        return len(statuses)

    return Page(
        rows=chosen,
        keys=list(range(start + 1, start + 1 + len(chosen))),
        has_next=start + size < len(statuses),
        has_previous=start > 0,
        _count=count,
    )


async def export_metrics(session: AsyncSession) -> None:
    """The job gauges of /metrics."""
    from schema.metrics import (
        JOB_FAILURES,
        JOB_LAST_RUN,
        JOB_LAST_SUCCEEDED,
        JOB_NEXT_RUN,
        JOB_WAITING,
    )

    for s in await job_statuses(session):
        JOB_LAST_RUN.labels(s.name).set(s.last_run_at.timestamp() if s.last_run_at else 0)
        if s.last_succeeded is not None:
            JOB_LAST_SUCCEEDED.labels(s.name).set(1 if s.last_succeeded else 0)
        JOB_NEXT_RUN.labels(s.name).set(s.next_run_at.timestamp())
        JOB_FAILURES.labels(s.name).set(s.failures)
        JOB_WAITING.labels(s.name).set(s.waiting)
