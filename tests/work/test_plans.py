"""Figures planned for their own values (resolvers/base.py `Ctx.plan_for_values`).

asyncpg prepares every statement; after five runs on a connection PostgreSQL may keep a
generic plan made without the parameters' values. pg_prepared_statements counts, per
prepared statement of the session, the plans of each kind: a statement run again and again
ends on a generic plan, and from a dashboard's first figure on, none of the request's
statements does."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from authz.principal import GrantRef, Principal
from models import Org
from resolvers import dashboards
from resolvers.base import Ctx
from resolvers.figures import Period
from tests.helpers import league_today, standard_tree

BY_ID = sa.select(Org.name).where(Org.id == sa.bindparam("id"))
PLANS = sa.text(
    "SELECT coalesce(sum(generic_plans), 0) AS generic, coalesce(sum(custom_plans), 0) AS custom"
    " FROM pg_prepared_statements WHERE statement LIKE 'SELECT orgs.name%'"
)
MODE = sa.text("SELECT current_setting('plan_cache_mode')")


def _ctx(api, session, tree) -> Ctx:  # type: ignore[no-untyped-def]
    principal = Principal(
        user_id=1, grants=(GrantRef(1, "province_admin", tree["P"].id, tree["P"].path),)
    )
    services = api.services
    return Ctx(
        opened=session, principal=principal, policy=services.policy, settings=services.settings
    )


async def _run_by_id(session, times: int, org_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The plans of each kind the lookup took in `times` runs (a pooled connection may have
    run it before: the difference is counted)."""
    before = (await session.execute(PLANS)).one()
    for _ in range(times):
        await session.execute(BY_ID, {"id": org_id})
    after = (await session.execute(PLANS)).one()
    return int(after[0] - before[0]), int(after[1] - before[1])


async def test_a_statement_run_again_and_again_ends_on_a_generic_plan(api) -> None:
    """The control: without `plan_for_values` the same lookup, run ten times on one
    connection, is run on a generic plan (so the test below can fail)."""
    tree = await standard_tree(api.services)
    async with api.services.sessionmaker() as s:
        generic, _ = await _run_by_id(s, 10, tree["A"].id)
        assert generic > 0


async def test_a_dashboard_plans_each_statement_for_its_values(api) -> None:
    tree = await standard_tree(api.services)
    async with api.services.sessionmaker() as s:
        ctx = _ctx(api, s, tree)
        assert (await s.scalar(MODE)) == "auto"
        today = league_today(api.services)
        figures = dashboards.loaders(ctx)
        headline = await figures.headline.load((tree["A"].id, Period(today - timedelta(27), today)))
        assert headline is not None
        assert (await s.scalar(MODE)) == "force_custom_plan"
        generic, custom = await _run_by_id(s, 10, tree["A"].id)
        assert (generic, custom) == (0, 10)
        # Local to the transaction: gone with it, and made again for the next one.
        await s.rollback()
        assert (await s.scalar(MODE)) == "auto"
        await ctx.plan_for_values()
        assert (await s.scalar(MODE)) == "force_custom_plan"


async def test_a_querys_session_plans_for_values_until_it_closes(api, database_url) -> None:
    """A query's session has no transaction (AUTOCOMMIT): the connection is set for the
    session and set back when it closes, so the next request on that connection (one
    connection in this pool) plans its lookups as before."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from app.db import make_sessionmaker

    tree = await standard_tree(api.services)
    engine = create_async_engine(database_url, pool_size=1, max_overflow=0)
    reads = make_sessionmaker(engine, read_only=True)
    try:
        async with reads() as s:
            ctx = _ctx(api, s, tree)
            await ctx.plan_for_values()
            assert await _run_by_id(s, 10, tree["A"].id) == (0, 10)
            pid = await s.scalar(sa.text("SELECT pg_backend_pid()"))
        async with reads() as s:
            assert await s.scalar(sa.text("SELECT pg_backend_pid()")) == pid
            assert (await s.scalar(MODE)) == "auto"
            generic, _ = await _run_by_id(s, 10, tree["A"].id)
            assert generic > 0
    finally:
        await engine.dispose()
