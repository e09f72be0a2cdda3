"""Fields a client (the console) needs to show policy without a second round trip:
`grants(delegated: true)` lists the delegations (代管) with their window and delegator; a
previewed change names whom it affects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.authz.test_policy_tools import DELEGATE
from tests.helpers import add_user, gid, standard_tree

LIST = """query($d: Boolean) { grants(delegated: $d) { totalCount
  nodes { role userName startsAt endsAt delegatedBy } } }"""


async def test_delegations_are_listed_apart_with_their_window(api) -> None:
    tree = await standard_tree(api.services)
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    deputy = await add_user(api.services, "deputy", org=tree["A1"], roles=("cadre",))
    ct = await api.token_for(city.id)
    ends = datetime.now(UTC) + timedelta(days=7)
    window = {"s": datetime.now(UTC).isoformat(), "e": ends.isoformat()}
    args = {"to": gid("User", deputy.id), "r": "city_admin", "o": gid("Org", tree["A"].id)}
    assert (await api.gql(DELEGATE, {**args, **window}, token=ct)).data
    delegations = (await api.gql(LIST, {"d": True}, token=ct)).data["grants"]
    assert delegations["totalCount"] == 1
    (row,) = delegations["nodes"]
    assert (row["role"], row["userName"], row["delegatedBy"]) == (
        "city_admin",
        "deputy",
        gid("User", city.id),
    )
    assert datetime.fromisoformat(row["endsAt"]) == ends
    own = (await api.gql(LIST, {"d": False}, token=ct)).data["grants"]["nodes"]
    assert {(g["userName"], g["delegatedBy"], g["endsAt"]) for g in own} == {
        ("cityA", None, None),
        ("deputy", None, None),
    }
    everything = (await api.gql(LIST, {"d": None}, token=ct)).data["grants"]
    assert everything["totalCount"] == 3


async def test_a_preview_names_who_gains(api) -> None:
    tree = await standard_tree(api.services)
    boss = await add_user(api.services, "boss", org=tree["P"], roles=("province_admin",))
    clerk = await add_user(api.services, "小王", org=tree["B1"], roles=("cadre",))
    change = {"kind": "ADD_GRANT", "userId": gid("User", clerk.id), "role": "county_admin"}
    change["orgId"] = gid("Org", tree["B1"].id)
    r = await api.gql(
        "query($c: [PolicyChangeInput!]!) { previewPolicyChange(changes: $c) "
        "{ gained { userId userName subtree { name } } } }",
        {"c": [change]},
        token=await api.token_for(boss.id),
    )
    gained = r.data["previewPolicyChange"]["gained"]
    assert gained and {(g["userName"], g["subtree"]["name"]) for g in gained} == {
        ("小王", "乙一县")
    }
