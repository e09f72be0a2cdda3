"""The hot lists built once per shape (resolvers/listing.py) page as `ctx.page` does.

Every listing (`Listing.made`), for callers of each kind in the work world (a city admin who
is a cadre, one who is not, a county admin, the cadre who wrote the logs, a cadre of another
county), under no org, a city, a county and a branch: from the start and past the first row,
oldest and newest first, with no filter; and from the start with each of its flags, with
each filter named by a column of its model (its value that column's in a row the city admin
sees), and a search matching every name: a query's page (the statement built once, every
value bound) and a mutation's (`ctx.page`, the statement built for the request from the
caller's own rule) hold the same rows, the same next-page flag and the same count. An org the caller may not see is NOT_FOUND both ways.
The nodes' JSON and the edges are held to the records path in test_prebuilt.py and
test_lookahead.py, and walked against the independent model in tests/authz/test_edges.py."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import sqlalchemy as sa

from authz.defaults import default_lines
from authz.errors import NotFound
from authz.policy_store import PolicyLine, PolicyStore
from authz.principal import GrantRef, Principal
from authz.visibility import RULES, Subject, one_subtree, spread, template_for
from authz.vocabulary import Obj
from models import Cadre, WorkLog
from resolvers.listing import Listing
from resolvers.pagination import encode_cursor
from tests.helpers import add_user, ctx_of
from tests.work.conftest import World

FIRST = 2


async def leader(world: World) -> str:
    """A city admin who is no cadre: their rule is one subtree's, so a list without `under`
    is narrowed to it (resolvers/listing.py `_only_subtree`)."""
    user = await add_user(
        world.api.services, "leader", org=world.tree["A"], roles=("city_admin",), cadre_kind=None
    )
    return str(await world.api.token_for(user.id))


async def page(api: Any, token: str, listing: Listing, *, querying: bool, **args: Any) -> Any:
    """The page's ids, next-page flag and count, on a query's session (`querying`) or a
    mutation's; or the error's type."""
    opened = api.services.reader() if querying else api.services.sessionmaker()
    async with opened as s:
        ctx = await ctx_of(api, s, token, querying=querying)
        try:
            found = await listing.page(ctx, first=FIRST, **args)
        except NotFound as e:
            return type(e).__name__
        return [r.id for r in found.rows], found.has_next, await found.total_count()


def wheres(listing: Listing, row: Any) -> list[dict[str, Any]]:
    """No filter; each flag; each filter named by a column, with `row`'s value; a search."""
    made: list[dict[str, Any]] = [{}]
    made += [{flag: True} for flag in listing.flags]
    made += [
        {name: getattr(row, name)}
        for name in listing.conditions
        if getattr(row, name, None) is not None
    ]
    if "search" in listing.conditions:
        made.append({"search": "%"})
    return made


@pytest.mark.parametrize("listing", Listing.made, ids=lambda x: x.model.__name__)
async def test_a_query_pages_as_ctx_page(
    world: World, callers: dict[str, str], listing: Listing
) -> None:
    api, tree = world.api, world.tree
    await world.activity("VOLUNTEER")  # a log with no youth, beside the contacts
    callers = {**callers, "leader": await leader(world)}
    seen = await page(
        api, callers["city"], listing, querying=False, where={}, under=None, after=None
    )
    assert seen[0], "the city admin sees no row: the cases prove nothing"
    async with api.services.sessionmaker() as s:
        row = await s.get(listing.model, seen[0][0])
    planned = Listing._compiled.cache_info()
    compared = 0
    cursor = encode_cursor(seen[0][0])
    # Each cursor and order with no filter; each filter from the start, oldest first.
    pages = [(after, newest, {}) for after in (None, cursor) for newest in (False, True)]
    pages += [(None, False, where) for where in wheres(listing, row)[1:]]
    for (name, token), under, (after, newest_first, where) in itertools.product(
        callers.items(), [None, "A", "A1", "A1x"], pages
    ):
        args = {
            "where": where,
            "under": tree[under].id if under else None,
            "after": after,
            "newest_first": newest_first,
        }
        built = await page(api, token, listing, querying=False, **args)
        bound = await page(api, token, listing, querying=True, **args)
        assert bound == built, (name, args)
        compared += isinstance(built, tuple) and bool(built[0])
    assert compared > 10
    assert Listing._compiled.cache_info().hits > planned.hits  # the query's path was taken


async def test_a_leader_s_list_is_narrowed_to_their_one_subtree(world: World) -> None:
    """A leader who is neither cadre nor youth sees a subtree and nothing else: their lists
    without `under` read it as an `under` (its city's partition alone); a cadre's rule reads
    who they are too, and is not narrowed."""
    api = world.api
    for token, narrowed in ((await leader(world), world.tree["A"].path), (world.token, None)):
        async with api.services.reader() as s:
            ctx = await ctx_of(api, s, token, querying=True)
            for listing in Listing.made:
                template = template_for(ctx.subject, listing.model, listed=True)
                assert template is not None
                only = one_subtree(ctx.subject, template, listing.path)
                if listing.model is Cadre:  # seen by cadre:view or work:view: two scopes
                    assert only is None
                else:
                    assert only == narrowed, listing.model.__name__


async def test_a_cadre_leader_s_rows_are_read_in_their_cities(
    world: World, callers: dict[str, str]
) -> None:
    """A city admin who is also a cadre: their rule is their subtree's, or their own rows
    (authz `spread`): every row they see lies in their city, or among those own rows. A
    cadre without a grant has no subtree: their own rows are read by their own index."""
    api, tree = world.api, world.tree
    async with api.services.reader() as s:
        ctx = await ctx_of(api, s, callers["city"], querying=True)
        for listing in Listing.made:
            found = spread(ctx.subject, listing.model, listing.path)
            assert found is not None, listing.model.__name__
            assert set(found.roots) == {tree["A"].path}
            assert found.own is not None and "me_cadre_id" in str(found.own.predicate)
        ctx = await ctx_of(api, s, world.token, querying=True)
        found = spread(ctx.subject, WorkLog, WorkLog.org_path)
        assert found is not None and found.roots == () and found.own is not None


@pytest.mark.parametrize("negated", ["not", "not in"])
def test_spread_refuses_a_rule_that_negates_a_scope(monkeypatch, negated: str) -> None:
    """`spread` rests on every rule being monotone in its scope tests; a rule that negates
    one (no rule does today) is refused, and its lists read every city as before."""

    def rule(s: Any) -> Any:
        test = s.within(Obj.WORK, WorkLog.org_path)
        if negated == "not":
            return sa.or_(sa.not_(test), WorkLog.cadre_id == s.cadre_id)
        return ~WorkLog.id.in_(sa.select(WorkLog.id).where(test))

    principal = Principal(
        user_id=7, cadre_id=3, cadre_city_id=2, grants=(GrantRef(1, "city_admin", 2, "1.2"),)
    )
    store = PolicyStore()
    store.replace([PolicyLine(*line) for line in default_lines()])
    subject = Subject(store, principal)
    assert spread(subject, WorkLog, WorkLog.org_path) is not None
    monkeypatch.setitem(RULES, WorkLog, rule)
    assert spread(subject, WorkLog, WorkLog.org_path) is None
