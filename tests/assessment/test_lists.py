"""The lists a console needs beside the by-id lookups: assessment rounds, spot checks and field
exceptions as Relay connections, each scoped by its entity's one visibility rule."""

from __future__ import annotations

from datetime import timedelta

from models import SpotCheck, SpotCheckMethod
from tests.helpers import add_user, gid, league_today, standard_tree

OPEN = (
    """mutation($o: ID!, $y: Int!) { openAssessment(orgId: $o, year: $y, half: MID_YEAR) { id } }"""
)
EXCEPTION = """mutation($u: ID!, $o: ID!) { grantFieldAccess(userId: $u, object: YOUTH,
  field: "mobile", orgId: $o, reason: "电话回访") }"""
ROUNDS = """query($under: ID, $closed: Boolean, $after: String) {
  assessmentRounds(under: $under, closed: $closed, first: 1, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id year half closed createdAt org { name } } } }"""
CHECKS = """query($under: ID) { spotChecks(under: $under) { totalCount
  nodes { id method periodStart createdAt org { name } } } }"""
EXCEPTIONS = """query($all: Boolean!) { fieldGrants(includeRevoked: $all) { totalCount
  nodes { id object field minors reason userName revokedAt org { name } } } }"""


def names(result: dict) -> list[str]:
    return sorted(n["org"]["name"] for n in result["nodes"])


async def test_rounds_checks_and_field_exceptions_are_listed_within_the_callers_subtrees(
    api,
) -> None:
    tree = await standard_tree(api.services)
    province = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    pt = await api.token_for(province.id)
    city_a = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    at = await api.token_for(city_a.id)
    county = await add_user(api.services, "countyA1", org=tree["A1"], roles=("county_admin",))
    checker = await add_user(api.services, "checker", org=tree["A1"], roles=("cadre",))
    today = league_today(api.services)
    for org in ("P", "A", "B"):
        assert (
            await api.gql(OPEN, {"o": gid("Org", tree[org].id), "y": today.year}, token=pt)
        ).data
    async with (
        api.services.sessionmaker() as s
    ):  # drawn checks (drawing: tests/assessment/test_truth.py)
        for org in ("A1", "B1"):
            o = tree[org]
            s.add(
                SpotCheck(
                    method=SpotCheckMethod.PHONE,
                    seed=1,
                    sample_size=5,
                    period_start=today - timedelta(days=30),
                    period_end=today,
                    created_by=province.id,
                    org_id=o.id,
                    org_path=o.path,
                    city_id=o.city_id,
                )
            )
        await s.commit()
    for org in ("A", "B"):
        args = {"u": gid("User", checker.id), "o": gid("Org", tree[org].id)}
        assert (await api.gql(EXCEPTION, args, token=pt)).data

    # The province sees every round; the city its own only, paged like any connection.
    every = (await api.gql(ROUNDS, {}, token=pt)).data["assessmentRounds"]
    assert every["totalCount"] == 3 and every["pageInfo"]["hasNextPage"]
    mine = (await api.gql(ROUNDS, {}, token=at)).data["assessmentRounds"]
    assert mine["totalCount"] == 1 and names(mine) == ["甲市"]
    assert mine["nodes"][0]["half"] == "MID_YEAR" and mine["nodes"][0]["closed"] is False
    second = await api.gql(ROUNDS, {"after": every["pageInfo"]["endCursor"]}, token=pt)
    assert second.data["assessmentRounds"]["nodes"][0]["id"] != every["nodes"][0]["id"]
    under_b = (await api.gql(ROUNDS, {"under": gid("Org", tree["B"].id)}, token=pt)).data
    assert names(under_b["assessmentRounds"]) == ["乙市"]
    sibling = await api.gql(ROUNDS, {"under": gid("Org", tree["B"].id)}, token=at)
    assert sibling.codes == ["NOT_FOUND"]  # a sibling city's subtree is not named
    assert (await api.gql(ROUNDS, {"closed": True}, token=pt)).data["assessmentRounds"][
        "totalCount"
    ] == 0

    assert names((await api.gql(CHECKS, {}, token=pt)).data["spotChecks"]) == ["乙一县", "甲一县"]
    assert names((await api.gql(CHECKS, {}, token=at)).data["spotChecks"]) == ["甲一县"]

    # Field exceptions are policy: city A (policy:view there) sees A's, a county admin none.
    everyone = (await api.gql(EXCEPTIONS, {"all": False}, token=pt)).data["fieldGrants"]
    assert names(everyone) == ["乙市", "甲市"]
    assert {(n["object"], n["field"], n["userName"]) for n in everyone["nodes"]} == {
        ("YOUTH", "mobile", "checker")
    }
    pol = (await api.gql(EXCEPTIONS, {"all": False}, token=at)).data["fieldGrants"]
    assert names(pol) == ["甲市"]
    ct = await api.token_for(county.id)
    assert (await api.gql(EXCEPTIONS, {"all": False}, token=ct)).codes == ["FORBIDDEN"]
    revoke = "mutation($id: ID!) { revokeFieldAccess(id: $id) }"
    assert (await api.gql(revoke, {"id": pol["nodes"][0]["id"]}, token=pt)).data
    left = (await api.gql(EXCEPTIONS, {"all": False}, token=pt)).data["fieldGrants"]
    assert names(left) == ["乙市"]
    kept = (await api.gql(EXCEPTIONS, {"all": True}, token=pt)).data["fieldGrants"]
    assert [n["revokedAt"] is not None for n in kept["nodes"]] == [True, False]

    # Each is a Node: refetched under the same rule.
    node = "query($id: ID!) { node(id: $id) { id } }"
    theirs = everyone["nodes"][[n["org"]["name"] for n in everyone["nodes"]].index("乙市")]["id"]
    assert (await api.gql(node, {"id": theirs}, token=pt)).data["node"]["id"] == theirs
    assert (await api.gql(node, {"id": theirs}, token=at)).codes == ["NOT_FOUND"]
