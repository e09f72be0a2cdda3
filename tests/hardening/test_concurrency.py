"""Writes that hold under concurrency: one cadre writing from many places at once."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from prometheus_client import REGISTRY

from models import PointEntry, WorkLog
from resolvers.audit import verify_chain
from tests.helpers import count_rows
from tests.work.conftest import ACTIVITY, CONTACT, hours_ago


async def _deadlocks(services) -> int:
    async with services.engine.connect() as conn:
        return int(
            await conn.scalar(
                sa.text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
            )
        )


async def test_sixteen_concurrent_writes_by_one_cadre_all_succeed(world) -> None:
    """A phone retrying while the web page writes, two tabs, an import: the same cadre's
    writes queue behind each other, none deadlocks and none fails."""
    api = world.api
    before = await _deadlocks(api.services)
    contact = {"c": "PHONE", "at": hours_ago(0.05), "text": "并发联系"}
    activity = {"k": "HEART_TALK", "at": hours_ago(0.05), "p": world.youth_ids}
    results = await asyncio.gather(
        *(
            api.gql(CONTACT, {**contact, "y": world.youth_ids[i % 3]}, token=world.token)
            if i % 2
            else api.gql(ACTIVITY, activity, token=world.token)
            for i in range(16)
        )
    )
    assert all(r.codes == [] for r in results), [r.body for r in results if r.codes]
    assert await count_rows(api.services, WorkLog) == 16
    assert await count_rows(api.services, PointEntry) >= 2  # both kinds, within the day's cap
    assert await _deadlocks(api.services) == before
    async with api.services.sessionmaker() as s:
        check = await verify_chain(s)
    assert check.ok and check.checked == 16 + 3, check.breaks  # and the 3 contacts added


async def _conflicts_on_log_insert(services, sqlstate: str, times: int | None) -> None:
    """A trigger that fails the first `times` inserts of a work log (every one if None) as
    PostgreSQL fails the loser of a deadlock or serialization race."""
    limit = "true" if times is None else f"n <= {times}"
    async with services.engine.begin() as conn:
        await conn.execute(sa.text("CREATE SEQUENCE zz_attempts"))
        await conn.execute(
            sa.text(
                "CREATE FUNCTION zz_conflict() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "DECLARE n bigint := nextval('zz_attempts'); BEGIN "
                f"IF {limit} THEN RAISE EXCEPTION 'lost a race' USING ERRCODE = '{sqlstate}'; "
                "END IF; RETURN NEW; END $$"
            )
        )
        await conn.execute(
            sa.text(
                "CREATE TRIGGER zz_conflict BEFORE INSERT ON work_logs "
                "FOR EACH ROW EXECUTE FUNCTION zz_conflict()"
            )
        )


async def _drop_conflicts(services) -> int:
    """Drops the trigger; how many inserts it saw."""
    async with services.engine.begin() as conn:
        seen = int(await conn.scalar(sa.text("SELECT last_value FROM zz_attempts")))
        await conn.execute(sa.text("DROP TRIGGER zz_conflict ON work_logs"))
        await conn.execute(sa.text("DROP FUNCTION zz_conflict()"))
        await conn.execute(sa.text("DROP SEQUENCE zz_attempts"))
    return seen


def _retries() -> float:
    return REGISTRY.get_sample_value("youthlink_write_retries_total") or 0.0


async def test_a_write_rolled_back_by_a_deadlock_is_run_again_inside_the_server(world) -> None:
    api = world.api
    retried = _retries()
    await _conflicts_on_log_insert(api.services, "40P01", times=2)
    try:
        r = await api.gql(
            CONTACT,
            {"y": world.youth_ids[0], "c": "PHONE", "at": hours_ago(0.05), "text": "重放"},
            token=world.token,
            headers={"Idempotency-Key": "retry-inside-0001"},
        )
    finally:
        attempts = await _drop_conflicts(api.services)
    assert r.codes == [] and r.data["logContact"]["id"]
    assert attempts == 3 and _retries() - retried == 2  # two rolled back, the third stood
    assert await count_rows(api.services, WorkLog) == 1  # nothing of the failed runs remains
    async with api.services.sessionmaker() as s:
        assert (await verify_chain(s)).ok


async def test_a_conflict_that_persists_says_retry(world) -> None:
    api = world.api
    await _conflicts_on_log_insert(api.services, "40001", times=None)
    try:
        r = await api.gql(
            CONTACT,
            {"y": world.youth_ids[0], "c": "PHONE", "at": hours_ago(0.05), "text": "冲突"},
            token=world.token,
        )
    finally:
        attempts = await _drop_conflicts(api.services)
    error = r.error("SERVICE_UNAVAILABLE")
    assert error["extensions"]["reason"] == "WRITE_CONFLICT"
    assert error["extensions"]["retryAfter"] >= 1 and "lost a race" not in str(r.body)
    assert attempts == 1 + api.services.settings.write_retries
    assert await count_rows(api.services, WorkLog) == 0
