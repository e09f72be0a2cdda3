"""五个一 as §二 writes it: five of one kind count unless the province asks for variety; an
organ's progress is the organ's own organised work (a cadre's personal volunteering is not),
plus its cadres' 一学一做 work (§二.1: 可纳入“五个一”工作内容)."""

from __future__ import annotations

from tests.helpers import add_user, gid
from tests.work.conftest import ACTIVITY, hours_ago, make_cadre
from tests.work.test_learn_and_do import window_day

MINE = (
    "query($on: Date) { myQuotaProgress(on: $on) { done complete kindsMissing learnAndDoCounted } }"
)
ORGAN = """query($o: ID!, $on: Date) { organQuotaProgress(orgId: $o, on: $on) {
  done complete kindsDone learnAndDoCounted } }"""
ORGAN_ACTIVITY = """mutation($k: ActivityKind!, $at: DateTime!, $organ: Boolean!) {
  logActivity(input: {kind: $k, content: "集中志愿服务", occurredAt: $at, forOrgan: $organ}) { forOrgan } }"""


async def test_five_heart_talks_complete_a_period(world) -> None:
    for _ in range(5):
        await world.activity("HEART_TALK")
    p = (await world.api.gql(MINE, {"on": None}, token=world.token)).data["myQuotaProgress"]
    assert p == {"done": 5, "complete": True, "kindsMissing": [], "learnAndDoCounted": 0}


async def test_an_organ_counts_its_organised_work_not_a_cadres_own(world) -> None:
    """`worker` is a cadre of 甲一县's committee (a leading organ)."""
    api = world.api
    county = await add_user(api.services, "county", org=world.tree["A1"], roles=("county_admin",))
    t = await api.token_for(county.id)
    a1 = gid("Org", world.tree["A1"].id)

    async def organ() -> dict:
        return (await api.gql(ORGAN, {"o": a1, "on": None}, token=t)).data["organQuotaProgress"]

    for _ in range(3):
        await world.activity("VOLUNTEER")  # the cadre's own volunteering
    assert (await organ())["done"] == 0
    r = await api.gql(
        ORGAN_ACTIVITY, {"k": "VOLUNTEER", "at": hours_ago(0.1), "organ": True}, token=world.token
    )
    assert r.data["logActivity"] == {"forOrgan": True}
    r = await api.gql(
        ORGAN_ACTIVITY,
        {"k": "ORGAN_OPEN_DAY", "at": hours_ago(0.1), "organ": False},
        token=world.token,
    )
    assert r.data["logActivity"] == {"forOrgan": True}  # an open day is always the organ's
    p = await organ()
    assert (p["done"], sorted(p["kindsDone"])) == (2, ["ORGAN_OPEN_DAY", "VOLUNTEER"])
    # The cadre's own progress counts all four of their activities of the cadre kinds.
    mine = (await api.gql(MINE, {"on": None}, token=world.token)).data["myQuotaProgress"]
    assert mine["done"] == 4
    # Only a cadre of a leading organ logs work as the organ's.
    _, branch_token, _ = await make_cadre(api, world.tree, "branchc", "A1x", 0, 900)
    refused = await api.gql(
        ORGAN_ACTIVITY, {"k": "VOLUNTEER", "at": hours_ago(0.1), "organ": True}, token=branch_token
    )
    assert refused.error("BAD_USER_INPUT")["extensions"]["field"] == "forOrgan"
    assert (
        await api.gql(
            ACTIVITY, {"k": "VOLUNTEER", "at": hours_ago(0.1), "p": []}, token=branch_token
        )
    ).data


async def test_organ_cadres_learn_and_do_work_counts_for_the_organ(world) -> None:
    from models import OrgKind, OrgLevel

    api = world.api
    day = window_day()
    g = await world.tree.add("G", "A1", OrgLevel.GRASSROOTS, OrgKind.COMMUNITY, name="街道团工委")
    b = await world.tree.add("Gb", "G", OrgLevel.BRANCH, OrgKind.COMMUNITY, name="街道某支部")
    chosen = await api.gql(
        "mutation($y: Int!, $g: ID!, $b: ID!) { chooseLearnAndDo(year: $y, guidedOrgId: $g, joinedBranchId: $b) { year } }",
        {"y": day.year, "g": gid("Org", g.id), "b": gid("Org", b.id)},
        token=world.token,
    )
    assert chosen.data
    for kind in ("SELF_REVIEW", "LEAGUE_LESSON"):
        r = await api.gql(
            "mutation($k: LearnAndDoKind!, $d: Date!) { recordLearnAndDo(kind: $k, occurredOn: $d) { kind } }",
            {"k": kind, "d": day.isoformat()},
            token=world.token,
        )
        assert r.data
    county = await add_user(api.services, "county", org=world.tree["A1"], roles=("county_admin",))
    t = await api.token_for(county.id)
    p = await api.gql(ORGAN, {"o": gid("Org", world.tree["A1"].id), "on": day.isoformat()}, token=t)
    assert p.data["organQuotaProgress"] == {
        "done": 2,
        "complete": False,
        "kindsDone": [],
        "learnAndDoCounted": 2,
    }
    # The cadre's own quota does not count 一学一做 unless the province's rule says so.
    mine = await api.gql(MINE, {"on": day.isoformat()}, token=world.token)
    assert mine.data["myQuotaProgress"]["learnAndDoCounted"] == 0
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    r = await api.gql(
        "mutation { setQuotaRule(input: {subject: FULL_TIME, countsLearnAndDo: true}) { countsLearnAndDo } }",
        token=await api.token_for(province.id),
    )
    assert r.data["setQuotaRule"] == {"countsLearnAndDo": True}
    mine = await api.gql(MINE, {"on": day.isoformat()}, token=world.token)
    assert mine.data["myQuotaProgress"]["learnAndDoCounted"] == 2


async def test_the_quarterly_report_counts_every_cadre_city_organ_cadres_too(world) -> None:
    """Issue 16: city-organ cadres were dropped from the report's 五个一 figures (67 of 71)."""
    from tests.assessment.test_reports_bulletins import SUBMIT, previous_quarter
    from tests.helpers import league_today

    api, tree = world.api, world.tree
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    await add_user(api.services, "organ2", org=tree["A"], roles=("cadre",))  # 市团委机关
    await make_cadre(api, tree, "branch", "A1x", 0, 700)
    y, q = previous_quarter(league_today(api.services))
    r = await api.gql(
        SUBMIT,
        {"o": gid("Org", tree["A"].id), "y": y, "q": q, "p": "做法"},
        token=await api.token_for(city.id),
    )
    figures = r.data["submitReport"]["versions"]["nodes"][0]["figures"]
    # cityA and organ2 at the city's organ, worker at 甲一县, branch at its branch.
    assert figures["cadres"] == figures["fiveOnesCadres"] == 4
