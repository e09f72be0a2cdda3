"""Writes that hold under concurrency: one cadre writing from many places at once."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

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
