"""Scheduled jobs on PostgreSQL (app/jobs.py), with real procrastinate workers against the
test database: each job's effect, each job run twice for one tick changing nothing more,
two instances deferring and running a tick once, and what operators see."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from procrastinate.periodic import PeriodicDeferrer

from app.jobs import SCHEDULES, Runtime, make_job_app, run_worker
from app.main import create_app
from app.settings import ROOT
from models import (
    ActivityKind,
    Flag,
    LogKind,
    OtpCode,
    PointEntry,
    PointSnapshot,
    PointSource,
    Reminder,
    Wish,
    WishCategory,
    WishStatus,
    WorkLog,
)
from tests.conftest import METRICS_TOKEN, RunningApp, settings_for_tests
from tests.helpers import DEADLINE, add_user, add_youth, cadre_id_of, standard_tree

# The live-update fixture and helpers (a second instance served by uvicorn, a WebSocket).
from tests.youth.test_live import next_message, second_instance, subscription  # noqa: F401


def tick(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


@pytest.fixture
async def jobs(api, database_url) -> AsyncIterator[Runtime]:
    """procrastinate's tables emptied (they are not the models', so no test reset empties
    them); the runtime the workers give the jobs."""
    async with api.services.engine.begin() as conn:
        await conn.execute(
            sa.text(
                "TRUNCATE procrastinate_periodic_defers, procrastinate_events, procrastinate_jobs,"
                " procrastinate_workers CASCADE"
            )
        )
    yield Runtime(api.services.sessionmaker, api.services.settings)


async def run_once(url: str, runtime: Runtime, name: str, timestamp: object) -> None:
    """Queue one run of `name` for a tick, and let a real worker run what is queued."""
    app = make_job_app(url, periodic=False)
    async with app.open_async():
        await app.tasks[name].defer_async(timestamp=timestamp)
    await run_worker(url, runtime, wait=False, periodic=False)


async def runs(services) -> list[tuple[str, int | None, str]]:
    async with services.engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT task_name, (args->>'timestamp')::bigint, status::text"
                " FROM procrastinate_jobs ORDER BY id"
            )
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def count(services, model, *where) -> int:
    async with services.sessionmaker() as s:
        return int(await s.scalar(sa.select(sa.func.count()).select_from(model).where(*where)))


async def test_points_snapshot_and_flag_detection(api, jobs, database_url) -> None:
    tree = await standard_tree(api.services)
    user = await add_user(api.services, "cadre", org=tree["A1"])
    cadre = await cadre_id_of(api.services, user)
    a1 = tree["A1"]
    tenant = {"org_id": a1.id, "org_path": a1.path, "city_id": a1.city_id}
    async with api.services.sessionmaker() as s:
        for i, (day, points) in enumerate(((date(2026, 11, 19), 5), (date(2026, 11, 21), 3))):
            s.add(
                PointEntry(
                    cadre_id=cadre,
                    source=PointSource.ACTIVITY_LOG,
                    source_id=900 + i,
                    points=points,
                    day=day,
                    **tenant,
                )
            )
        # Five activities in half an hour: a burst (more than 4 in any 60 minutes).
        start = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
        for i in range(5):
            s.add(
                WorkLog(
                    cadre_id=cadre,
                    kind=LogKind.ACTIVITY,
                    activity_kind=ActivityKind.VOLUNTEER,
                    content=f"志愿服务第{i}场",
                    occurred_at=start + timedelta(minutes=6 * i),
                    **tenant,
                )
            )
        await s.commit()

    # 00:05 League time on 21 November: the snapshot of the 20th (the entry of the 21st is later).
    for _ in range(2):
        await run_once(database_url, jobs, "points-snapshot", tick("2026-11-20T16:05:00"))
        await run_once(database_url, jobs, "flag-detection", tick("2026-11-20T16:20:00"))
        async with api.services.sessionmaker() as s:
            snaps = (await s.execute(sa.select(PointSnapshot.day, PointSnapshot.total))).all()
        assert snaps == [(date(2026, 11, 20), 5)]
        assert await count(api.services, Flag) == 5  # the second night raises none again
    assert [status for _, _, status in await runs(api.services)] == ["succeeded"] * 4


async def test_wish_escalation_purge_and_reminders(api, jobs, database_url) -> None:
    tree = await standard_tree(api.services)
    city = await add_user(api.services, "citycadre", org=tree["A"])
    county = await add_user(api.services, "countycadre", org=tree["A1"])
    youth = await add_youth(api.services, "小伙伴", "13900000001", tree["A1x"])
    at = datetime(2026, 12, 28, 1, 0, tzinfo=UTC)  # 9:00 League time, the quarter's last week
    a1x = tree["A1x"]
    async with api.services.sessionmaker() as s:
        s.add(
            Wish(
                youth_id=youth.id,
                cadre_id=await cadre_id_of(api.services, county),
                category=WishCategory.STUDY,
                title="一本书",
                description="想要一本书",
                status=WishStatus.SUBMITTED,
                updated_at=at - timedelta(days=8),
                org_id=a1x.id,
                org_path=a1x.path,
                city_id=a1x.city_id,
            )
        )
        s.add(
            OtpCode(
                mobile="13900000001",
                code_hash="x" * 64,
                created_at=datetime.now(UTC) - timedelta(days=40),
                expires_at=datetime.now(UTC) - timedelta(days=40),
            )
        )
        await s.commit()

    for _ in range(2):  # a second run of the same ticks changes nothing more
        for name in ("wish-escalation", "retention-purge", "deadline-reminders"):
            await run_once(database_url, jobs, name, int(at.timestamp()))
        assert await count(api.services, Wish, Wish.status == WishStatus.ESCALATED) == 1
        assert await count(api.services, OtpCode) == 0
        assert await count(api.services, Reminder) == 3

    async def kinds(user) -> list[str]:
        token = await api.token_for(user.id)
        r = await api.gql("{ myReminders { nodes { kind period dueOn message } } }", token=token)
        return sorted(n["kind"] for n in r.data["myReminders"]["nodes"])

    # The city's cadre: its report for 2026-Q4 is due, and their 五个一 period ends; the
    # county's cadre only the latter. Nobody sees another's reminders.
    assert await kinds(city) == ["FIVE_ONES_DUE", "REPORT_WINDOW"]
    assert await kinds(county) == ["FIVE_ONES_DUE"]
    assert all(status == "succeeded" for _, _, status in await runs(api.services))


async def test_a_new_city_gets_its_partitions_at_night(api, jobs, database_url) -> None:
    """Cities made after the last split: their rows wait in the default partitions until the
    nightly `city-partitions` job gives each city its own; a second run makes none."""
    from tests.scale.test_partitions import CONTACT, where_rows_are
    from tests.work.conftest import hours_ago, make_cadre

    async with api.services.engine.begin() as conn:
        # Ids above every city that has partitions (they outlive tests): cities never split.
        await conn.execute(
            sa.text(
                "SELECT setval('orgs_id_seq', greatest((SELECT last_value FROM orgs_id_seq),"
                " coalesce((SELECT max(substring(c.relname FROM 'youth_city_(\\d+)')::bigint)"
                " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE i.inhparent = 'youth'::regclass), 0) + 1))"
            )
        )
    tree = await standard_tree(api.services)
    for name, county, start in (("a1", "A1", 0), ("b1", "B1", 100)):
        _user, token, youth = await make_cadre(api, tree, name, county, 1, start)
        assert (await api.gql(CONTACT, {"y": youth[0], "at": hours_ago(1)}, token=token)).data
    assert await where_rows_are(api, "work_logs") == {"work_logs_default": 2}

    await run_once(database_url, jobs, "city-partitions", tick("2026-11-20T18:40:00"))
    a, b = tree["A"].id, tree["B"].id
    for table in ("work_logs", "youth", "contacts"):
        assert await where_rows_are(api, table) == {f"{table}_city_{a}": 1, f"{table}_city_{b}": 1}
    await run_once(database_url, jobs, "city-partitions", tick("2026-11-21T18:40:00"))
    assert [status for *_, status in await runs(api.services)] == ["succeeded"] * 2
    async with api.services.engine.connect() as conn:
        made = await conn.scalar(
            sa.text(
                "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE c.relname LIKE ANY (ARRAY[:a, :b])"
            ),
            {"a": f"%_city_{a}", "b": f"%_city_{b}"},
        )
    assert made == 6  # three tables, two cities: the second night made none more


async def test_two_instances_defer_and_run_a_tick_once(api, jobs, database_url) -> None:
    """Both instances' deferrers try the 16:05 ticks; one job each is queued, and two
    workers running side by side run each once."""
    tree = await standard_tree(api.services)
    await add_user(api.services, "cadre", org=tree["A1"])
    at = tick("2026-11-20T16:05:00") + 1
    for _ in range(2):
        app = make_job_app(database_url)
        async with app.open_async():
            deferrer = PeriodicDeferrer(registry=app.periodic_registry, max_delay=600)
            await deferrer.defer_jobs(deferrer.get_previous_tasks(at=at))
    queued = await runs(api.services)
    assert sorted(name for name, _, _ in queued) == ["points-snapshot", "wish-escalation"]
    await asyncio.gather(
        *(run_worker(database_url, jobs, wait=False, periodic=False, name=n) for n in "ab")
    )
    assert {(name, status) for name, _, status in await runs(api.services)} == {
        ("points-snapshot", "succeeded"),
        ("wish-escalation", "succeeded"),
    }
    async with api.services.engine.connect() as conn:
        started = (
            await conn.execute(
                sa.text("SELECT count(*) FROM procrastinate_events WHERE type = 'started'")
            )
        ).scalar_one()
    assert started == 2
    assert await count(api.services, PointSnapshot) == 1


async def _until_escalation_ran(services) -> list[tuple[str, int | None, str]]:
    """procrastinate's jobs once a run of the five-minute escalation has succeeded (a worker
    defers its current tick on start); bounded by the suite's DEADLINE."""
    async with asyncio.timeout(DEADLINE):
        while True:
            done = await runs(services)
            if any(n == "wish-escalation" and s == "succeeded" for n, _, s in done):
                return done
            await asyncio.sleep(0.05)


async def test_two_app_instances_with_their_workers_run_each_tick_once(
    api, jobs, database_url
) -> None:
    """`make run`'s set-up twice: two app instances, each with a worker in its process, defer
    the current ticks by themselves; whatever ticks fall in the run, each is one job, run once."""
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(2):
            app = create_app(settings_for_tests(), database_url=database_url, worker=True)
            await stack.enter_async_context(RunningApp(app))
        done = await _until_escalation_ran(api.services)
    assert max(Counter((n, t) for n, t, _ in done).values()) == 1, done


async def test_the_worker_command_runs_jobs_and_stops_on_sigterm(api, jobs, database_url) -> None:
    """`youthlink worker`, a process of its own, as an operator runs it."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "development",
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "worker",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await _until_escalation_ran(api.services)
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(worker.communicate(), DEADLINE)
    assert worker.returncode == 0, err.decode()[-2000:]


async def test_operators_see_runs_and_failures(api, jobs, database_url) -> None:
    tree = await standard_tree(api.services)
    province = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    ops = await add_user(
        api.services, "ops", org=tree["P"], roles=("system_admin",), cadre_kind=None
    )
    city = await add_user(api.services, "city", org=tree["A"], roles=("city_admin",))
    await run_once(database_url, jobs, "points-snapshot", tick("2026-11-20T16:05:00"))
    await run_once(database_url, jobs, "deadline-reminders", "not a tick")  # fails for real

    q = "{ scheduledJobs(first: 10) { totalCount nodes { name lastRunAt lastSucceeded nextRunAt failures } } }"
    for user in (province, ops):
        r = await api.gql(q, token=await api.token_for(user.id))
        nodes = {n["name"]: n for n in r.data["scheduledJobs"]["nodes"]}
        assert r.data["scheduledJobs"]["totalCount"] == len(SCHEDULES) == len(nodes)
        assert nodes["points-snapshot"]["lastSucceeded"] is True
        assert nodes["deadline-reminders"]["lastSucceeded"] is False
        assert nodes["deadline-reminders"]["failures"] == 1
        assert nodes["retention-purge"]["lastRunAt"] is None
        assert datetime.fromisoformat(nodes["wish-escalation"]["nextRunAt"]) > datetime.now(UTC)
    refused = await api.gql(q, token=await api.token_for(city.id))
    assert refused.codes in (["FORBIDDEN"], ["NOT_FOUND"])

    metrics = await api.client.get("/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
    assert 'youthlink_job_failures_last_week{job="deadline-reminders"} 1.0' in metrics.text
    assert 'youthlink_job_last_run_succeeded{job="points-snapshot"} 1.0' in metrics.text


async def test_reminders_reach_the_live_inbox(api, jobs, database_url, second_instance) -> None:  # noqa: F811 (the fixture)
    """A cadre subscribed on another instance hears of each reminder the job puts in."""
    tree = await standard_tree(api.services)
    city = await add_user(api.services, "citycadre", org=tree["A"])
    query = "subscription { myInbox { kind reminder { kind period } } }"
    async with subscription(second_instance, await api.token_for(city.id), query) as inbox:
        await run_once(database_url, jobs, "deadline-reminders", tick("2026-12-28T01:00:00"))
        got = [(await next_message(inbox))["payload"]["data"]["myInbox"] for _ in range(2)]
    assert sorted(g["reminder"]["kind"] for g in got) == ["FIVE_ONES_DUE", "REPORT_WINDOW"]
    assert {g["kind"] for g in got} == {"REMINDER"}
