"""A small world for the work tests: tree, a cadre with a token, youth on their list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.helpers import Tree, accept_invitations, add_user, gid, standard_tree

ADD = 'mutation($m: String!) { addYouthToMyList(name: "小伙伴", mobile: $m) { id } }'
ACTIVITY = """mutation($k: ActivityKind!, $at: DateTime!, $p: [ID!]!) {
  logActivity(input: {kind: $k, content: "活动记录", occurredAt: $at, place: "社区", participantIds: $p}) { id } }"""
CONTACT = """mutation($y: ID!, $c: Channel!, $at: DateTime!, $text: String!) {
  logContact(input: {youthId: $y, channel: $c, content: $text, occurredAt: $at}) { id } }"""


def hours_ago(h: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=h)).isoformat()


@dataclass
class World:
    api: Any
    tree: Tree
    token: str
    cadre_user: Any
    youth_ids: list[str]

    async def activity(
        self,
        kind: str,
        *,
        token: str | None = None,
        at: str | None = None,
        participants: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> str:
        r = await self.api.gql(
            ACTIVITY,
            {"k": kind, "at": at or hours_ago(0.01), "p": participants or []},
            token=token or self.token,
            headers=headers,
        )
        return r.data["logActivity"]["id"]

    async def contact(
        self,
        youth: str,
        *,
        channel: str = "WECHAT",
        text: str = "谈了谈就业",
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> str:
        r = await self.api.gql(
            CONTACT,
            {"y": youth, "c": channel, "at": hours_ago(0.02), "text": text},
            token=token or self.token,
            headers=headers,
        )
        return r.data["logContact"]["id"]


async def make_cadre(
    api, tree: Tree, name: str, org: str, n_youth: int, start: int, kind=None
) -> tuple[Any, str, list[str]]:
    from models import CadreKind

    user = await add_user(
        api.services, name, org=tree[org], roles=("cadre",), cadre_kind=kind or CadreKind.FULL_TIME
    )
    token = await api.token_for(user.id)
    for i in range(n_youth):
        assert (await api.gql(ADD, {"m": f"1330{start + i:07d}"}, token=token)).data
    # Work is done only with youth who accepted (ACTIVE links).
    youth = [gid("Youth", y) for y in await accept_invitations(api.services, user)]
    return user, token, youth


@pytest.fixture
async def world(api) -> World:
    tree = await standard_tree(api.services)
    user, token, youth = await make_cadre(api, tree, "worker", "A1", 3, 0)
    return World(api, tree, token, user, youth)


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


__all__ = ["World", "callers", "gid", "hours_ago", "make_cadre"]
