"""一学一做 as the notice writes it (§一): a grassroots committee or a general branch, a branch
inside it, March to September, every kind of §一.2, the work plan and 典型 recommendations."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from models import OrgKind, OrgLevel
from tests.helpers import add_user, gid

CHOOSE = """mutation($y: Int!, $g: ID!, $b: ID!) {
  chooseLearnAndDo(year: $y, guidedOrgId: $g, joinedBranchId: $b) { year guidedOrg { name } } }"""
RECORD = """mutation($k: LearnAndDoKind!, $d: Date!) {
  recordLearnAndDo(kind: $k, occurredOn: $d, note: "支部活动") { kind occurredOn } }"""
PLAN = (
    """mutation($p: String!) { setLearnAndDoWorkPlan(plan: $p) { workPlan workPlanUpdatedAt } }"""
)
RECOMMEND = """mutation($k: RecommendationKind!, $o: ID!, $d: Date!) {
  recommendLearnAndDoModel(kind: $k, sourceOrgId: $o, title: "团员先锋岗", description: "带动青年参与社区服务",
    recommendedOn: $d) { kind title sourceOrg { name } cadre { name } } }"""
LIST = """query($o: ID) { learnAndDoRecommendations(orgId: $o) { totalCount nodes { title } } }"""


def window_day() -> date:
    """A day of this year's 一学一做 (March–September) that is not in the future."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    if today.month < 3:
        pytest.skip("一学一做 has not started this year (it runs March to September)")
    return min(today, date(today.year, 9, 30))


@pytest.fixture
async def committee(world):
    """街道团工委 (grassroots) ⊃ 某团总支 (general branch) ⊃ 某团支部; 甲一县某支部 is outside."""
    t = world.tree
    await t.add("G", "A1", OrgLevel.GRASSROOTS, OrgKind.COMMUNITY, name="街道团工委")
    await t.add("GB", "G", OrgLevel.GENERAL_BRANCH, OrgKind.COMMUNITY, name="某团总支")
    await t.add("Bx", "GB", OrgLevel.BRANCH, OrgKind.COMMUNITY, name="某团支部")
    return t


async def test_a_general_branch_may_be_chosen_and_the_branch_must_lie_inside(
    world, committee
) -> None:
    api, t = world.api, committee
    y = window_day().year

    async def choose(guided: str, branch: str):
        return await api.gql(
            CHOOSE,
            {"y": y, "g": gid("Org", t[guided].id), "b": gid("Org", t[branch].id)},
            token=world.token,
        )

    outside = await choose("G", "A1x")
    assert outside.error("BAD_USER_INPUT")["extensions"]["field"] == "joinedBranchId"
    assert "之内" in outside.body["errors"][0]["message"]
    not_a_committee = await choose("A1x", "A1x")
    assert not_a_committee.error("BAD_USER_INPUT")["extensions"]["field"] == "guidedOrgId"
    r = await choose("GB", "Bx")
    assert r.data["chooseLearnAndDo"] == {"year": y, "guidedOrg": {"name": "某团总支"}}
    r = await choose("G", "Bx")  # a branch anywhere inside the committee
    assert r.data["chooseLearnAndDo"]["guidedOrg"] == {"name": "街道团工委"}


async def test_dates_only_march_to_september_and_every_kind_of_the_notice(world, committee) -> None:
    api, t = world.api, committee
    day = window_day()
    await api.gql(
        CHOOSE,
        {"y": day.year, "g": gid("Org", t["G"].id), "b": gid("Org", t["Bx"].id)},
        token=world.token,
    )
    for outside in (date(day.year, 2, 28), date(day.year - 1, 10, 1), date(day.year - 1, 12, 31)):
        r = await api.gql(RECORD, {"k": "STUDY", "d": outside.isoformat()}, token=world.token)
        assert r.error("BAD_USER_INPUT")["extensions"]["field"] == "occurredOn", outside
        assert "3 月至 9 月" in r.body["errors"][0]["message"]
    for kind in ("SELF_REVIEW", "SELECT_MODELS", "VANGUARD_POST", "LEAGUE_LESSON"):
        r = await api.gql(RECORD, {"k": kind, "d": day.isoformat()}, token=world.token)
        assert r.data["recordLearnAndDo"] == {"kind": kind, "occurredOn": day.isoformat()}
    first = await api.gql(
        RECORD, {"k": "STUDY", "d": date(day.year, 3, 1).isoformat()}, token=world.token
    )
    assert first.data


async def test_the_work_plan_and_model_recommendations(world, committee) -> None:
    api, t = world.api, committee
    day = window_day()
    assert (await api.gql(PLAN, {"p": "三会两制一课"}, token=world.token)).codes == ["CONFLICT"]
    await api.gql(
        CHOOSE,
        {"y": day.year, "g": gid("Org", t["G"].id), "b": gid("Org", t["Bx"].id)},
        token=world.token,
    )
    assert (await api.gql(PLAN, {"p": "  "}, token=world.token)).codes == ["BAD_USER_INPUT"]
    saved = await api.gql(PLAN, {"p": "每月一次主题团日；建立三会两制一课"}, token=world.token)
    assert saved.data["setLearnAndDoWorkPlan"]["workPlan"] == "每月一次主题团日；建立三会两制一课"
    assert saved.data["setLearnAndDoWorkPlan"]["workPlanUpdatedAt"]

    wrong = await api.gql(
        RECOMMEND,
        {"k": "MODEL", "o": gid("Org", t["A1x"].id), "d": day.isoformat()},
        token=world.token,
    )
    assert wrong.error("BAD_USER_INPUT")["extensions"]["field"] == "sourceOrgId"
    r = await api.gql(
        RECOMMEND,
        {"k": "PRACTICE", "o": gid("Org", t["GB"].id), "d": day.isoformat()},
        token=world.token,
    )
    assert r.data["recommendLearnAndDoModel"] == {
        "kind": "PRACTICE",
        "title": "团员先锋岗",
        "sourceOrg": {"name": "某团总支"},
        "cadre": {"name": "worker"},
    }
    mine = await api.gql(
        "{ myLearnAndDo { choice { workPlan } recommendations { nodes { kind title } } } }",
        token=world.token,
    )
    assert mine.data["myLearnAndDo"] == {
        "choice": {"workPlan": "每月一次主题团日；建立三会两制一课"},
        "recommendations": {"nodes": [{"kind": "PRACTICE", "title": "团员先锋岗"}]},
    }
    # The organisation above reads it; a sibling city does not.
    city_a = await add_user(api.services, "cityA", org=t["A"], roles=("city_admin",))
    city_b = await add_user(api.services, "cityB", org=t["B"], roles=("city_admin",))
    seen = await api.gql(LIST, {"o": gid("Org", t["A"].id)}, token=await api.token_for(city_a.id))
    assert seen.data["learnAndDoRecommendations"] == {
        "totalCount": 1,
        "nodes": [{"title": "团员先锋岗"}],
    }
    other = await api.gql(LIST, {"o": None}, token=await api.token_for(city_b.id))
    assert other.data["learnAndDoRecommendations"]["totalCount"] == 0
    assert (
        await api.gql(LIST, {"o": gid("Org", t["A"].id)}, token=await api.token_for(city_b.id))
    ).codes == ["NOT_FOUND"]
