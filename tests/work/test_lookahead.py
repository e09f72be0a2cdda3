"""Look-ahead (resolvers/lookahead.py): a list and the object edges its nodes ask for come by
one statement, and the answers are those of the field-by-field path, for callers who may see
the edge's rows and for callers who may not (the edge is then null, as before).

The edge-walking test (tests/authz/test_edges.py) runs every edge of the schema both ways;
this one pins the bench's shapes and counts the statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from tests.helpers import add_user, gid
from tests.work.conftest import World, make_cadre

YOUTHS = (
    "query($o: ID) { youths(under: $o, first: 50) { nodes { id name industry org { name } } } }"
)
YOUTHS_BARE = "query($o: ID) { youths(under: $o, first: 50) { nodes { id name industry } } }"
LOGS = """query($o: ID) { workLogs(under: $o, first: 50) {
  edges { node { id kind content cadre { name } youth { name } } } } }"""
LOGS_BARE = (
    "query($o: ID) { workLogs(under: $o, first: 50) { edges { node { id kind content } } } }"
)
CADRES = """query($o: ID) { cadres(under: $o) { nodes { ...who } } }
fragment who on Cadre { name org { name } }"""
ORG = """query($o: ID!) { org(id: $o) { name parent { name }
  children(first: 1) { nodes { name } pageInfo { hasNextPage } } } }"""
ORG_BARE = "query($o: ID!) { org(id: $o) { name } }"
# The console's tree page: the children's page arguments come as variables (one left unset).
ORG_PAGED = """query($o: ID!, $n: Int, $after: String) { org(id: $o) { name parent { name }
  children(first: $n, after: $after) { nodes { name } } } }"""


@contextmanager
def statements(api: Any) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    sent: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    engine = api.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


async def ask(api: Any, query: str, variables: dict, token: str, *, ahead: bool) -> tuple[Any, int]:
    """The answer and the number of statements, with look-ahead on or off."""
    api.services.settings.lookahead = ahead
    try:
        with statements(api) as sent:
            r = await api.gql(query, variables, token=token)
    finally:
        api.services.settings.lookahead = True
    return r.body, len(sent)


def edges_shown(answer: Any) -> int:
    """How many object edges in an answer are not null."""
    if isinstance(answer, list):
        return sum(edges_shown(a) for a in answer)
    if not isinstance(answer, dict):
        return 0
    # a node's edges (the root field `data.org` alone in its dict is not an edge)
    here = sum(1 for k in ("org", "cadre", "youth", "parent") if answer.get(k) and len(answer) > 1)
    return here + sum(edges_shown(v) for v in answer.values())


@pytest.fixture
async def callers(world: World) -> dict[str, str]:
    """A city admin (sees everything in 甲市), a county admin of A1 (not its parent city, nor
    the other county's cadre), the cadre who wrote the logs (sees their own logs and youth),
    and a cadre of A2 (sees neither the logs nor the youth of A1)."""
    api, tree = world.api, world.tree
    city = await add_user(api.services, "city", org=tree["A"], roles=("city_admin",))
    county = await add_user(api.services, "county", org=tree["A1"], roles=("county_admin",))
    _, other, youth = await make_cadre(api, tree, "other", "A2", 1, 50)
    await world.contact(world.youth_ids[0])
    await world.contact(world.youth_ids[1], channel="PHONE")
    await world.contact(youth[0], token=other)
    return {
        "city": await api.token_for(city.id),
        "county": await api.token_for(county.id),
        "worker": world.token,
        "other": other,
    }


@pytest.mark.parametrize(
    ("query", "bare", "under"),
    [
        (YOUTHS, YOUTHS_BARE, None),
        (YOUTHS, YOUTHS_BARE, "A"),
        (LOGS, LOGS_BARE, None),
        (LOGS, LOGS_BARE, "A1"),
        (CADRES, None, None),
        (ORG, ORG_BARE, "A1"),
        (ORG, ORG_BARE, "A1x"),
        (ORG_PAGED, None, "A1"),
    ],
)
async def test_the_same_answers_with_fewer_statements(
    world: World, callers: dict[str, str], query: str, bare: str | None, under: str | None
) -> None:
    api = world.api
    variables = {"o": gid("Org", world.tree[under].id) if under else None, "n": 1}
    shown_edges = 0
    for who, token in callers.items():
        ahead, n_ahead = await ask(api, query, variables, token, ahead=True)
        walked, n_walked = await ask(api, query, variables, token, ahead=False)
        assert ahead == walked, who
        assert n_ahead <= n_walked, who
        shown_edges += edges_shown(ahead)
        if bare is not None and "errors" not in ahead:
            # the edges cost no statement of their own: as many as the list without them
            _, n_bare = await ask(api, bare, variables, token, ahead=True)
            assert n_ahead == n_bare, (who, n_ahead, n_bare)
    assert shown_edges, "no caller saw any edge: the shape proves nothing"


async def test_a_hidden_edge_is_null_both_ways(world: World, callers: dict[str, str]) -> None:
    """The county admin of A1 sees A1 but not its city: `parent` is null on both paths; and
    a list's org edge shows only orgs the caller may see on their own."""
    api = world.api
    variables = {"o": gid("Org", world.tree["A1"].id)}
    for ahead in (True, False):
        body, _ = await ask(api, ORG, variables, callers["county"], ahead=ahead)
        assert body["data"]["org"]["name"] == "甲一县"
        assert body["data"]["org"]["parent"] is None
    body, _ = await ask(api, LOGS, {"o": None}, callers["worker"], ahead=True)
    logs = [e["node"] for e in body["data"]["workLogs"]["edges"]]
    assert len(logs) == 2 and all(n["cadre"]["name"] == "worker" for n in logs)
