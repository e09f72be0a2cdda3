"""A pooled connection the database dropped is replaced before use when it sat idle (app/db.py
ping_when_idle), and a busy pool pays no ping round trip: within the window it is used as is."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.db import make_engine
from tests.conftest import settings_for_tests


async def _dropped_by_the_database(database_url: str, idle_seconds: float) -> object:
    """SELECT 1 on a pool whose one connection the server has terminated meanwhile."""
    engine = make_engine(database_url, settings_for_tests(db_ping_idle_seconds=idle_seconds))
    other = make_engine(database_url, settings_for_tests())
    try:
        async with engine.connect() as conn:
            pid = await conn.scalar(sa.text("SELECT pg_backend_pid()"))
        async with other.connect() as admin:  # the connection is back in the pool: end it
            await admin.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        async with engine.connect() as conn:
            return await conn.scalar(sa.text("SELECT 1"))
    finally:
        await engine.dispose()
        await other.dispose()


async def test_an_idle_dead_connection_is_replaced(database_url: str) -> None:
    assert await _dropped_by_the_database(database_url, idle_seconds=0) == 1


async def test_a_recently_used_connection_is_not_pinged(database_url: str) -> None:
    """Inside the window the pool trusts the connection (no round trip): the dead one fails
    its statement, which is what shows the ping above was what replaced it."""
    with pytest.raises(sa.exc.DBAPIError):
        await _dropped_by_the_database(database_url, idle_seconds=3600)
