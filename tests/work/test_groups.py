"""Working groups: the leader sees the subtree the group answers for; sharing events; secretaries."""

from __future__ import annotations

from models import OrgKind, OrgLevel
from tests.helpers import add_user, cadre_id_of, gid, snapshot
from tests.work.conftest import make_cadre

CREATE = """mutation($o: ID!, $l: ID!, $r: ID!, $m: [ID!]!) {
  createWorkingGroup(input: {orgId: $o, name: "联系甲一县小组", leaderCadreId: $l, responsibleOrgId: $r, memberCadreIds: $m}) {
    id name leader { name } responsibleOrg { name } members { nodes { name } } } }"""


async def test_group_leader_sees_the_subtree_until_dissolved(world) -> None:
    api = world.api
    await world.activity("VOLUNTEER")
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    city_t = await api.token_for(city.id)
    leader_user, leader_t, _ = await make_cadre(api, world.tree, "leaderA", "A", 0, 300)
    member_user, _, _ = await make_cadre(api, world.tree, "memberA", "A", 0, 400)
    leader_id, member_id = (
        await cadre_id_of(api.services, leader_user),
        await cadre_id_of(api.services, member_user),
    )
    assert (await api.gql("{ workLogs { totalCount } }", token=leader_t)).data["workLogs"][
        "totalCount"
    ] == 0
    r = await api.gql(
        CREATE,
        {
            "o": gid("Org", world.tree["A"].id),
            "l": gid("Cadre", leader_id),
            "r": gid("Org", world.tree["A1"].id),
            "m": [gid("Cadre", member_id)],
        },
        token=city_t,
    )
    group = r.data["createWorkingGroup"]
    assert group["leader"]["name"] == "leaderA" and group["responsibleOrg"]["name"] == "甲一县"
    assert group["members"]["nodes"] == [{"name": "memberA"}]
    seen = await api.gql("{ workLogs { nodes { cadre { name } } } }", token=leader_t)
    assert [n["cadre"]["name"] for n in seen.data["workLogs"]["nodes"]] == ["worker"]
    listed = await api.gql("{ workingGroups { totalCount } }", token=leader_t)
    assert listed.data["workingGroups"]["totalCount"] == 1
    r = await api.gql(
        "mutation($id: ID!) { dissolveWorkingGroup(id: $id) { isActive } }",
        {"id": group["id"]},
        token=city_t,
    )
    assert r.data["dissolveWorkingGroup"]["isActive"] is False
    assert (await api.gql("{ workLogs { totalCount } }", token=leader_t)).data["workLogs"][
        "totalCount"
    ] == 0


async def test_group_refusals(world) -> None:
    api = world.api
    county = await add_user(api.services, "countyA1", org=world.tree["A1"], roles=("county_admin",))
    city_b = await add_user(api.services, "cityB", org=world.tree["B"], roles=("city_admin",))
    city_a = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    county_t, city_b_t, city_a_t = [await api.token_for(u.id) for u in (county, city_b, city_a)]
    worker_cadre = await cadre_id_of(api.services, world.cadre_user)
    b1_user, _, _ = await make_cadre(api, world.tree, "b1", "B1", 0, 500)
    b1_cadre = await cadre_id_of(api.services, b1_user)
    before = await snapshot(api.services)
    args = {
        "o": gid("Org", world.tree["A"].id),
        "l": gid("Cadre", worker_cadre),
        "r": gid("Org", world.tree["A1"].id),
        "m": [],
    }
    assert (await api.gql(CREATE, args, token=county_t)).codes == ["NOT_FOUND"]  # above the county
    assert (await api.gql(CREATE, args, token=city_b_t)).codes == ["NOT_FOUND"]
    assert (
        await api.gql(CREATE, {**args, "r": gid("Org", world.tree["B1"].id)}, token=city_a_t)
    ).codes == ["NOT_FOUND"]
    assert (
        await api.gql(CREATE, {**args, "m": [gid("Cadre", b1_cadre)]}, token=city_a_t)
    ).codes == ["NOT_FOUND"]
    assert (
        await api.gql(CREATE, {**args, "o": gid("Org", world.tree["A1"].id)}, token=city_a_t)
    ).codes == ["BAD_USER_INPUT"]
    assert await snapshot(api.services) == before


async def test_sharing_events_and_secretaries(world) -> None:
    api = world.api
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    city_t = await api.token_for(city.id)
    r = await api.gql(
        """mutation($o: ID!) { recordSharingEvent(orgId: $o, title: "第三季度“1+100”分享会",
        heldOn: "2026-09-20", attendees: 45) { title attendees } }""",
        {"o": gid("Org", world.tree["A"].id)},
        token=city_t,
    )
    assert r.data["recordSharingEvent"]["attendees"] == 45
    events = await api.gql("{ sharingEvents(year: 2026) { nodes { title heldOn } } }", token=city_t)
    assert events.data["sharingEvents"]["nodes"] == [
        {"title": "第三季度“1+100”分享会", "heldOn": "2026-09-20"}
    ]
    # A county cadre keeps the grassroots secretaries they contact.
    await world.tree.add("A1g", "A1", OrgLevel.GRASSROOTS, OrgKind.COMMUNITY, name="街道团工委")
    secretary_user, _, _ = await make_cadre(api, world.tree, "secretary", "A1g", 0, 600)
    sec_id = await cadre_id_of(api.services, secretary_user)
    add = 'mutation($c: ID!) { addSecretary(secretaryCadreId: $c, note: "每月通话") { secretary { name } note } }'
    assert (await api.gql(add, {"c": gid("Cadre", sec_id)}, token=world.token)).data[
        "addSecretary"
    ]["secretary"]["name"] == "secretary"
    assert (await api.gql(add, {"c": gid("Cadre", sec_id)}, token=world.token)).codes == [
        "CONFLICT"
    ]
    not_grassroots = await cadre_id_of(api.services, city)
    assert (await api.gql(add, {"c": gid("Cadre", not_grassroots)}, token=world.token)).codes == [
        "NOT_FOUND"
    ]
    mine = await api.gql(
        "{ mySecretaries { nodes { secretary { name } note } } }", token=world.token
    )
    assert mine.data["mySecretaries"]["nodes"] == [
        {"secretary": {"name": "secretary"}, "note": "每月通话"}
    ]
