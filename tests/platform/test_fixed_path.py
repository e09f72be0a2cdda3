"""The fixed cost of a request (docs/operations.md): the principal is read on the service's
own small pool (app/db.py DriverPool), and the request's session is opened only when a
resolver first needs one. What must hold: an operation that reads nothing else checks out no
session connection, yet is judged by the principal as it is now (a revoked session is
refused at once); one that reads data gets its session as before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import add_user, standard_tree


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
