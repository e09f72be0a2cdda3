"""A query's hot lists (youth, cadres, work logs) read their page and the edges fetched with it
(resolvers/lookahead.py) as records on the driver (app/records.py): each record holds what the
ORM's entity holds for the same row, in every mapped column of each model involved, edge
rows the caller may not see are absent as before, and a mutation's lists stay entities.
tests/work/test_lookahead.py and tests/authz/test_edges.py compare the answers with
look-ahead on and off."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from app.records import Record
from authz import load_principal
from authz.errors import DomainError
from resolvers import people, worklogs
from resolvers.base import Ctx
from resolvers.tokens import read_access
from schema.people import CADRE_EDGES, YOUTH_EDGES
from schema.worklogs import WORK_LOG_EDGES
from tests.helpers import add_user, differ, statements_sent
from tests.work.conftest import World, make_cadre

Lister = Callable[[Ctx], Awaitable[Any]]
LISTS: dict[str, Lister] = {
    "youth": lambda ctx: people.list_youth(ctx, edges=YOUTH_EDGES),
    "cadres": lambda ctx: people.list_cadres(ctx, edges=CADRE_EDGES),
    "logs": lambda ctx: worklogs.list_logs(ctx, edges=WORK_LOG_EDGES),
    "logs, newest first, no edges": lambda ctx: worklogs.list_logs(ctx, newest_first=True),
}


@pytest.fixture
async def tokens(world: World) -> dict[str, str]:
    """The cadre who wrote the logs; a city admin of 甲市 (sees them all); a cadre of A2 (sees
    neither the logs' youth nor the worker: every edge hidden)."""
    api, tree = world.api, world.tree
    await world.contact(world.youth_ids[0])
    await world.contact(world.youth_ids[1], channel="PHONE")
    await world.activity("HEART_TALK")  # no youth: the youth edge is absent
    city = await add_user(api.services, "city", org=tree["A"], roles=("city_admin",))
    _, other, _ = await make_cadre(api, tree, "other", "A2", 1, 50)
    return {"worker": world.token, "city": await api.token_for(city.id), "other": other}


async def page_as(api: Any, session: Any, token: str, lister: Lister, *, query: bool) -> Any:
    services = api.services
    claims = read_access(services.settings, token)
    principal = await load_principal(session, claims.user_id, claims.session_id)
    ctx = Ctx(
        opened=session, principal=principal, policy=services.policy, settings=services.settings
    )
    ctx.querying = query
    return await lister(ctx)


@pytest.mark.parametrize("shape", list(LISTS))
async def test_records_hold_what_entities_hold(
    world: World, tokens: dict[str, str], shape: str
) -> None:
    api, lister = world.api, LISTS[shape]
    compared = absent = 0
    for who, token in tokens.items():
        async with api.services.sessionmaker() as s:
            entities = await refused_or(page_as(api, s, token, lister, query=False))
        async with api.services.reader() as s:
            records = await refused_or(page_as(api, s, token, lister, query=True))
        if isinstance(entities, DomainError):
            assert type(records) is type(entities), who
            continue
        assert len(records.rows) == len(entities.rows), who
        assert records.keys == entities.keys and records.has_next == entities.has_next
        assert len(records.others) == len(entities.others)
        pairs = list(zip(records.rows, entities.rows, strict=True))
        for mine, theirs in zip(records.others, entities.others, strict=True):
            pairs += zip(mine, theirs, strict=True)
        for record, entity in pairs:
            if entity is None:
                assert record is None, who
                absent += 1
                continue
            assert isinstance(record, Record) and not isinstance(entity, Record)
            assert differ(record, entity) == [], (who, type(entity).__name__, entity.id)
            compared += 1
    assert compared
    if shape == "logs":
        assert absent, "no hidden or missing edge: the outer join's None is not shown"


async def refused_or(listing: Awaitable[Any]) -> Any:
    """The page, or the refusal (a caller without the scope is FORBIDDEN either way)."""
    try:
        return await listing
    except DomainError as exc:
        return exc


async def test_a_query_reads_its_page_on_the_driver(world: World, tokens: dict[str, str]) -> None:
    query = """query { workLogs(first: 50) { nodes { id kind cadre { name } youth { name } } } }"""
    with statements_sent(world.api, on_driver=True) as sent:
        r = await world.api.gql(query, token=tokens["city"])
    assert len(r.data["workLogs"]["nodes"]) == 3
    assert any("work_logs" in sql and "LATERAL" in sql for sql in sent), sent
