"""The fixed cost of a request (docs/operations.md): the principal is read on the service's
own small pool (app/db.py DriverPool), and the request's session is opened only when a
resolver first needs one. What must hold: an operation that reads nothing else checks out no
session connection, yet is judged by the principal as it is now (a revoked session is
refused at once); one that reads data gets its session as before."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import url as sa_url
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import Connections, DriverStatement
from tests.helpers import add_user, gid, standard_tree


@contextmanager
def counting_checkouts(engine: AsyncEngine) -> Iterator[list[int]]:
    """How many times the engine's pool hands out a connection meanwhile."""
    seen = [0]

    def checked_out(*_: object) -> None:
        seen[0] += 1

    pool = engine.sync_engine.pool
    event.listen(pool, "checkout", checked_out)
    try:
        yield seen
    finally:
        event.remove(pool, "checkout", checked_out)


async def test_an_operation_that_reads_nothing_checks_out_no_session(api) -> None:
    tree = await standard_tree(api.services)
    leader = await add_user(api.services, "leader", org=tree["A"], roles=("city_admin",))
    token = await api.token_for(leader.id)
    with counting_checkouts(api.services.engine) as seen:
        for _ in range(3):
            r = await api.gql("{ __typename }", token=token)
            assert r.data == {"__typename": "Query"}, r.body
        assert seen[0] == 0
        counted = await api.gql("{ orgs { totalCount } }", token=token)
        assert counted.data["orgs"]["totalCount"] == 4, counted.body  # A and below
        assert seen[0] >= 1  # a resolver that reads opened its session
    assert api.services.engine.pool.checkedout() == 0, api.services.engine.pool.status()


async def test_the_principal_read_apart_is_current(api) -> None:
    """Read on its own pool, the principal reflects a logout at once, on the very next
    request, which is refused before any session is opened."""
    tree = await standard_tree(api.services)
    cadre = await add_user(api.services, "c1", org=tree["A"], roles=("cadre",))
    token = await api.token_for(cadre.id)
    assert (await api.gql("mutation { logout }", token=token)).data["logout"] == 1
    with counting_checkouts(api.services.engine) as seen:
        me = await api.gql("{ me { user { displayName } } }", token=token)
        assert seen[0] == 0  # refused on the principal alone: no session was opened
    assert me.error("UNAUTHENTICATED")["extensions"]["reason"] == "TOKEN_REVOKED", me.body


def _connections(database_url: str, max_size: int, idle_seconds: float = 60) -> Connections:
    dsn = sa_url.make_url(database_url).set(drivername="postgresql")
    dsn_text = dsn.render_as_string(hide_password=False)
    return Connections(
        lambda: asyncpg.connect(dsn_text), max_size=max_size, idle_seconds=idle_seconds
    )


async def _until_waiting(pool: Connections) -> None:
    await asyncio.sleep(0)  # one turn of the loop: the acquiring task's first step
    assert pool._waiters  # it found the pool full and queued itself


async def test_a_connection_put_back_goes_to_the_one_waiting(database_url) -> None:
    """The principal's pool full: a second caller waits, and gets the connection the first
    one puts back; with none coming back in time, TimeoutError (DATABASE_BUSY)."""
    pool = _connections(database_url, max_size=1)
    try:
        held = await pool.acquire(5)
        waiting = asyncio.ensure_future(pool.acquire(5))
        await _until_waiting(pool)
        pool.put(held)
        assert await waiting is held
        with pytest.raises(TimeoutError):
            await pool.acquire(0.05)
        pool.put(held)
        assert await pool.acquire(5) is held  # free again: no wait
        pool.put(held)
    finally:
        await pool.close()
    assert held.is_closed()


async def test_a_broken_connection_frees_its_slot_for_a_new_one(database_url) -> None:
    """A connection ended while in use (a statement broken midway) is dropped when put
    back; the caller waiting opens a fresh one in its place."""
    pool = _connections(database_url, max_size=1)
    try:
        broken = await pool.acquire(5)
        waiting = asyncio.ensure_future(pool.acquire(5))
        await _until_waiting(pool)
        broken.terminate()
        pool.put(broken)
        fresh = await waiting
        assert fresh is not broken and await fresh.fetchval("SELECT 1") == 1
        pool.put(fresh)
    finally:
        await pool.close()


async def test_idle_connections_are_closed(database_url) -> None:
    pool = _connections(database_url, max_size=2, idle_seconds=0)
    try:
        conn = await pool.acquire(5)
        pool.put(conn)
        pool._reap()  # what its timer runs: free for idle_seconds (0) already
        assert await pool.acquire(5) is not conn
    finally:
        await pool.close()
    assert conn.is_closed()


async def test_a_query_that_reads_records_checks_out_no_session(api) -> None:
    """A query whose reads all run on the driver (the org look-ahead, a list's page of
    records, the loaders by id) runs them on the service's pool: no session connection is
    checked out. The same document as a mutation's part, or a figure planned for its values,
    still gets its session."""
    tree = await standard_tree(api.services)
    leader = await add_user(api.services, "leader", org=tree["A"], roles=("city_admin",))
    token = await api.token_for(leader.id)
    org = """query($o: ID!) { org(id: $o) { name parent { name }
        children(first: 10) { nodes { name } } } }"""
    youth = """query($o: ID!) { youths(under: $o, first: 50) { nodes { name org { name } } } }"""
    a1 = {"o": gid("Org", tree["A1"].id)}
    for document in (org, youth):
        first = await api.gql(document, a1, token=token)  # a new document: the usual session
        with counting_checkouts(api.services.engine) as seen:
            again = await api.gql(document, a1, token=token)
        assert again.body == first.body and "errors" not in again.body
        assert seen[0] == 0, document
    assert first.data is not None
    dashboard = "query($o: ID!) { dashboard(orgId: $o) { cadres logs } }"
    await api.gql(dashboard, a1, token=token)
    with counting_checkouts(api.services.engine) as seen:
        assert "errors" not in (await api.gql(dashboard, a1, token=token)).body
    assert seen[0] >= 1  # its figures are planned for their values on the session's connection


async def test_a_query_reads_on_its_session_once_it_has_one(api) -> None:
    """A query's driver statement runs on the service's pool only while its session has no
    connection; once it has one, there (the statements a resolver runs in turn stay on one
    connection), as on a mutation's session always."""
    pid = "SELECT pg_backend_pid()"
    on_driver = DriverStatement(pid)
    async with api.services.reader() as s:
        pooled = (await on_driver.fetchrow(s))[0]
        own = await s.scalar(sa.text(pid))
        assert pooled != own
        assert (await on_driver.fetchrow(s))[0] == own
    async with api.services.sessionmaker() as s:
        assert (await on_driver.fetchrow(s))[0] == await s.scalar(sa.text(pid))
