"""实施方案: a committee submits its year's plan, the committee above approves or returns it;
nobody approves their own; the plan is seen where reports are."""

from __future__ import annotations

from tests.helpers import add_user, gid, snapshot

SUBMIT = """mutation($o: ID!, $y: Int!, $t: String!, $c: String!) { submitImplementationPlan(orgId: $o,
  year: $y, title: $t, content: $c) { id status version title org { name } } }"""
REVIEW = """mutation($id: ID!, $a: Boolean!, $c: String!) { reviewImplementationPlan(id: $id, approve: $a,
  comment: $c) { status version reviewComment } }"""
LIST = "query($y: Int) { implementationPlans(year: $y) { totalCount nodes { title status org { name } } } }"


async def test_a_city_plan_is_returned_resubmitted_and_approved_by_the_province(world) -> None:
    api = world.api
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    other = await add_user(api.services, "cityB", org=world.tree["B"], roles=("city_admin",))
    ct, pt, ot = [await api.token_for(u.id) for u in (city, province, other)]
    args = {
        "o": gid("Org", world.tree["A"].id),
        "y": 2026,
        "t": "2026年实施方案",
        "c": "一、目标……",
    }
    plan = (await api.gql(SUBMIT, args, token=ct)).data["submitImplementationPlan"]
    assert (plan["status"], plan["version"]) == ("SUBMITTED", 1)

    # The city does not approve its own plan; the province does, or returns it with a comment.
    assert (await api.gql(REVIEW, {"id": plan["id"], "a": True, "c": ""}, token=ct)).codes == [
        "FORBIDDEN"
    ]
    before = await snapshot(api.services)
    assert (await api.gql(REVIEW, {"id": plan["id"], "a": False, "c": ""}, token=pt)).codes == [
        "BAD_USER_INPUT"  # a return says why
    ]
    assert await snapshot(api.services) == before
    back = await api.gql(REVIEW, {"id": plan["id"], "a": False, "c": "补充工作台账"}, token=pt)
    assert back.data["reviewImplementationPlan"] == {
        "status": "RETURNED",
        "version": 1,
        "reviewComment": "补充工作台账",
    }
    again = await api.gql(SUBMIT, {**args, "c": "一、目标……二、台账……"}, token=ct)
    assert again.data["submitImplementationPlan"]["version"] == 2
    ok = await api.gql(REVIEW, {"id": plan["id"], "a": True, "c": "同意"}, token=pt)
    assert ok.data["reviewImplementationPlan"]["status"] == "APPROVED"
    late = await api.gql(SUBMIT, args, token=ct)
    assert late.codes == ["CONFLICT"]
    assert late.body["errors"][0]["extensions"]["reason"] == "ILLEGAL_TRANSITION"

    # Seen by the city and the province, not by a sibling city.
    for token in (ct, pt):
        listed = (await api.gql(LIST, {"y": 2026}, token=token)).data["implementationPlans"]
        assert listed["totalCount"] == 1 and listed["nodes"][0]["status"] == "APPROVED"
    assert (await api.gql(LIST, {"y": 2026}, token=ot)).data["implementationPlans"][
        "totalCount"
    ] == 0
    assert (await api.gql(SUBMIT, args, token=ot)).codes == ["NOT_FOUND"]


async def test_a_branch_makes_no_plan_and_the_province_has_none_above(world) -> None:
    api = world.api
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    pt = await api.token_for(province.id)
    branch = world.tree["A1x"]
    r = await api.gql(SUBMIT, {"o": gid("Org", branch.id), "y": 2026, "t": "t", "c": "c"}, token=pt)
    assert r.codes == ["BAD_USER_INPUT"]
    own = await api.gql(
        SUBMIT, {"o": gid("Org", world.tree["P"].id), "y": 2026, "t": "省方案", "c": "c"}, token=pt
    )
    plan = own.data["submitImplementationPlan"]["id"]
    refused = await api.gql(REVIEW, {"id": plan, "a": True, "c": "同意"}, token=pt)
    assert refused.codes == ["CONFLICT"]
