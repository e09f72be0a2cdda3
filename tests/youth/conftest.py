"""A cadre with two youth who have accounts and accepted the link; another youth elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.helpers import Tree, add_user, add_youth_account, cadre_id_of, gid, standard_tree

ADD = 'mutation($m: String!) { addYouthToMyList(name: "x", mobile: $m) { id } }'
ACCEPT = "mutation($id: ID!) { acceptContact(id: $id) { status } }"


@dataclass
class People:
    api: Any
    tree: Tree
    cadre: str  # token
    cadre_id: str  # global id
    county: str  # county admin (A1) token
    youth: str  # token of 小明
    youth_id: int
    other_youth: str  # token of 小红, also on the cadre's list
    stranger: str  # token of a youth with no link to the cadre


async def linked_youth(
    api, tree, cadre_token: str, name: str, mobile: str, org: str
) -> tuple[str, int]:
    youth, user = await add_youth_account(api.services, name, mobile, tree[org])
    contact = (await api.gql(ADD, {"m": mobile}, token=cadre_token)).data["addYouthToMyList"]["id"]
    token = await api.token_for(user.id)
    assert (await api.gql(ACCEPT, {"id": contact}, token=token)).data
    return token, youth.id


@pytest.fixture
async def people(api) -> People:
    tree = await standard_tree(api.services)
    cadre_user = await add_user(api.services, "cadre1", org=tree["A1x"], roles=("cadre",))
    cadre = await api.token_for(cadre_user.id)
    county = await add_user(api.services, "county1", org=tree["A1"], roles=("county_admin",))
    youth, youth_id = await linked_youth(api, tree, cadre, "小明", "13200000001", "A1x")
    other, _ = await linked_youth(api, tree, cadre, "小红", "13200000002", "A1x")
    _, stranger_user = await add_youth_account(api.services, "路人", "13200000003", tree["B1"])
    return People(
        api,
        tree,
        cadre,
        gid("Cadre", await cadre_id_of(api.services, cadre_user)),
        await api.token_for(county.id),
        youth,
        youth_id,
        other,
        await api.token_for(stranger_user.id),
    )
