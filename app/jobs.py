"""Scheduled work as procrastinate jobs in PostgreSQL: the nightly points snapshot and flag
detection, wish escalation, the retention purge and deadline reminders.

Run once across any number of instances: every worker's periodic deferrer tries to defer
each tick, and procrastinate's `procrastinate_periodic_defers` (unique per task and tick)
lets one of them; `queueing_lock` keeps at most one waiting job per task and `lock` one
running. Each job is idempotent for its tick (safe to run twice): the job gets the tick's
timestamp and works on the period it names, with statements that change nothing the second
time. `make run` runs a worker inside the web process; `youthlink worker` runs one alone.
Schedules are cron in UTC (League time is UTC+8)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import procrastinate
import sqlalchemy as sa
from procrastinate.job_context import JobContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.settings import Settings

log = logging.getLogger("youthlink.jobs")

QUEUE = "scheduled"


@dataclass
class Runtime:
    """What a job works with: the database and the settings of the process running it."""

    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Settings

    def league_day(self, timestamp: int) -> date:
        """The League-time date of a tick."""
        return datetime.fromtimestamp(timestamp, ZoneInfo(self.settings.timezone)).date()


Work = Callable[[Runtime, AsyncSession, int], Awaitable[dict[str, int]]]


@dataclass(frozen=True)
class Schedule:
    name: str  # the task's name, its periodic id and its locks
    cron: str  # UTC
    title: str  # what operators read (zh-CN)
    work: Work


async def _points_snapshot(rt: Runtime, session: AsyncSession, timestamp: int) -> dict[str, int]:
    """The day that ended before the tick (League time); an upsert per cadre."""
    from resolvers.points import take_snapshot

    day = rt.league_day(timestamp) - timedelta(days=1)
    return {"cadres": await take_snapshot(session, day)}


DETECT_DAYS = 7  # logs can be confirmed, flagged or spot-checked days after they happened


async def _detect_flags(rt: Runtime, session: AsyncSession, timestamp: int) -> dict[str, int]:
    """The detectors over the whole province's last week: new flags only."""
    from authz import PolicyStore, Principal
    from models import Org
    from resolvers import truth
    from resolvers.base import Ctx, audit_row

    root = (
        await session.execute(sa.select(Org.id, Org.path).where(Org.parent_id.is_(None)).limit(1))
    ).one_or_none()
    if root is None:
        return {}
    end = rt.league_day(timestamp) - timedelta(days=1)
    # The job decides nothing: it is the system, acting on the whole tree (audited, no actor).
    ctx = Ctx(opened=session, principal=Principal(), policy=PolicyStore(), settings=rt.settings)
    report = await truth.scan(ctx, root.path, end - timedelta(days=DETECT_DAYS - 1), end)
    if any(report.__dict__.values()):
        session.add(
            audit_row(
                action="flags.detect",
                entity_type="Org",
                entity_id=root.id,
                org_path=root.path,
                after=report.__dict__,
            )
        )
    return dict(report.__dict__)


async def _escalate_wishes(rt: Runtime, session: AsyncSession, timestamp: int) -> dict[str, int]:
    """As of the tick, not of the run: a late or repeated run moves what a punctual one would."""
    from resolvers.wishes import escalate_due

    done = await escalate_due(
        session,
        datetime.fromtimestamp(timestamp, UTC),
        stale_days=rt.settings.wish_escalate_days,
        waits=rt.settings.wish_pool_waits,
    )
    return {"toPool": done.to_pool, "upward": done.upward}


async def _purge(rt: Runtime, session: AsyncSession, timestamp: int) -> dict[str, int]:
    from resolvers.privacy import purge

    return await purge(session, rt.settings)


async def _reminders(rt: Runtime, session: AsyncSession, timestamp: int) -> dict[str, int]:
    from resolvers.reminders import issue_due

    return await issue_due(session, rt.league_day(timestamp))


async def _city_partitions(rt: Runtime, session: AsyncSession, timestamp: int) -> dict[str, int]:
    """A city made since the last run gets its own partitions (app/partitions.py): its rows
    wait in the default ones until then, read correctly but not pruned. At night: it holds
    the default partitions' ACCESS EXCLUSIVE lock while it moves the rows."""
    from app.partitions import split_cities

    return {"partitions": len(await split_cities(await session.connection()))}


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        "points-snapshot", "5 16 * * *", "每日积分快照（北京时间 0:05，前一日）", _points_snapshot
    ),
    Schedule(
        "flag-detection", "20 16 * * *", "每夜可疑记录检测（北京时间 0:20，近 7 天）", _detect_flags
    ),
    Schedule("wish-escalation", "*/5 * * * *", "心愿升级（每 5 分钟）", _escalate_wishes),
    Schedule("retention-purge", "0 18 * * *", "过期数据清理（北京时间 2:00）", _purge),
    Schedule("deadline-reminders", "0 1 * * *", "到期提醒（北京时间 9:00）", _reminders),
    Schedule(
        "city-partitions", "40 18 * * *", "新建市级组织的分区（北京时间 2:40）", _city_partitions
    ),
)
BY_NAME = {s.name: s for s in SCHEDULES}


async def run_schedule(runtime: Runtime, name: str, timestamp: int) -> dict[str, int]:
    """One run of a schedule for one tick, in one transaction."""
    async with runtime.sessionmaker() as session:
        out = await BY_NAME[name].work(runtime, session, timestamp)
        await session.commit()
    log.info("job %s for %s: %s", name, datetime.fromtimestamp(timestamp, UTC).isoformat(), out)
    return out


def _task(schedule: Schedule) -> Callable[..., Awaitable[dict[str, int]]]:
    async def task(context: JobContext, timestamp: int) -> dict[str, int]:
        runtime: Runtime = context.additional_context["runtime"]
        return await run_schedule(runtime, schedule.name, timestamp)

    task.__name__ = task.__qualname__ = schedule.name.replace("-", "_")
    return task


def libpq_url(url: str) -> str:
    return (
        sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


def make_job_app(url: str, *, periodic: bool = True) -> procrastinate.App:
    """A procrastinate app on its own small pool (psycopg), with every schedule's task; with
    `periodic`, its workers also defer the schedules' ticks."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=libpq_url(url), min_size=1, max_size=3)
    )
    for schedule in SCHEDULES:
        task = app.task(
            name=schedule.name,
            queue=QUEUE,
            pass_context=True,
            queueing_lock=schedule.name,
            lock=schedule.name,
        )(_task(schedule))
        if periodic:
            app.periodic(cron=schedule.cron, periodic_id=schedule.name)(task)
    return app


async def run_worker(
    url: str,
    runtime: Runtime,
    *,
    wait: bool = True,
    name: str = "worker",
    signals: bool = False,
    periodic: bool = True,
    **options: Any,
) -> None:
    """A worker until cancelled (or, wait=False, until no job is left). Cancelling it lets
    the running job finish first (procrastinate's graceful stop). Without `periodic` it runs
    what is queued and defers no tick itself."""
    app = make_job_app(url, periodic=periodic)
    async with app.open_async():
        await app.run_worker_async(
            queues=[QUEUE],
            wait=wait,
            name=name,
            install_signal_handlers=signals,
            additional_context={"runtime": runtime},
            **options,
        )


RESTART_SECONDS = 5


async def keep_worker(url: str, runtime: Runtime, *, name: str) -> None:
    """The worker inside the web process (`make run`): if it stops on an error (the database
    away), it is started again rather than leaving the instance without scheduled jobs."""
    while True:
        try:
            await run_worker(url, runtime, name=name, shutdown_graceful_timeout=15)
            return
        except Exception:
            log.exception("scheduled jobs' worker stopped; starting again in %s s", RESTART_SECONDS)
            await asyncio.sleep(RESTART_SECONDS)
