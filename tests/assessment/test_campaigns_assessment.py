"""Campaigns with nominations going up the tree, and the 100-point assessment."""

from __future__ import annotations

from datetime import timedelta

from models import OrgKind, OrgLevel
from tests.helpers import add_user, cadre_id_of, gid, league_today

CREATE = """mutation($k: CampaignKind!, $y: Int!, $s: Date!, $e: Date!, $sel: SelectionInput) {
  createCampaign(kind: $k, year: $y, title: "最美青春故事", startsOn: $s, endsOn: $e,
    phases: [{name: "县级推荐", startsOn: $s, endsOn: $s}], selection: $sel) { id kind
    phases { name startsOn endsOn } selection { countyDeadline countyQuota cityQuota finalists } } }"""
NOMINATE = """mutation($c: ID!, $o: ID!, $n: ID!, $f: StoryForm = ESSAY) {
  nominateStory(campaignId: $c, orgId: $o, cadreId: $n, form: $f, title: "扎根乡村",
  story: "扎根乡村支教三年。\\n带着一百个小伙伴。") { id level status } }"""
DECIDE = """mutation($id: ID!, $s: Boolean!, $c: String!) { decideNomination(id: $id, select: $s, comment: $c) {
  level status comment } }"""


async def story_campaign(api, token, *, past: bool = False) -> str:
    today = league_today(api.services)
    d = (
        (lambda n: (today - timedelta(days=n)).isoformat())
        if past
        else (lambda n: (today + timedelta(days=n)).isoformat())
    )
    # Past: the deadlines have gone by (county 10 days ago …); future: they are ahead.
    days = (10, 5, 1) if past else (10, 20, 30)
    sel = {
        "countyDeadline": d(days[0]),
        "cityDeadline": d(days[1]),
        "provinceDeadline": d(days[2]),
        "countyQuota": 2,
        "cityQuota": 1,
        "finalists": 1,
    }
    start = (today - timedelta(days=30)).isoformat()
    r = await api.gql(
        CREATE,
        {
            "k": "YOUTH_STORY",
            "y": today.year,
            "s": start,
            "e": (today + timedelta(days=60)).isoformat(),
            "sel": sel,
        },
        token=token,
    )
    made = r.data["createCampaign"]
    assert made["phases"] == [{"name": "县级推荐", "startsOn": start, "endsOn": start}]
    assert made["selection"] == {
        "countyDeadline": sel["countyDeadline"],
        "countyQuota": 2,
        "cityQuota": 1,
        "finalists": 1,
    }
    return made["id"]


async def cadres_of(world, org: str, *names: str) -> list[str]:
    """Cadres of `org` (global ids), to be nominated."""
    found = []
    for name in names:
        user = await add_user(world.api.services, name, org=world.tree[org], roles=("cadre",))
        found.append(gid("Cadre", await cadre_id_of(world.api.services, user)))
    return found


async def test_nominations_go_up_with_quotas_returns_and_deadlines(world) -> None:
    api = world.api
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    county = await add_user(api.services, "countyA1", org=world.tree["A1"], roles=("county_admin",))
    pt, ct, kt = [await api.token_for(u.id) for u in (province, city, county)]
    li, wang, third_one, zhao = await cadres_of(world, "A1x", "李青", "王禾", "第三人", "赵田")
    assert (
        await api.gql(
            CREATE,
            {"k": "LECTURE", "y": 2026, "s": "2026-05-01", "e": "2026-05-31", "sel": None},
            token=ct,
        )
    ).codes == ["FORBIDDEN"]  # the province runs campaigns
    c = await story_campaign(api, pt)
    a1 = gid("Org", world.tree["A1"].id)
    first = (await api.gql(NOMINATE, {"c": c, "o": a1, "n": li}, token=kt)).data["nominateStory"]
    second = (await api.gql(NOMINATE, {"c": c, "o": a1, "n": wang}, token=kt)).data["nominateStory"]
    assert first == {"id": first["id"], "level": "CITY", "status": "PENDING"}
    assert (await api.gql(NOMINATE, {"c": c, "o": a1, "n": third_one}, token=kt)).codes == [
        "CONFLICT"
    ]  # county quota 2
    assert (
        await api.gql(NOMINATE, {"c": c, "o": gid("Org", world.tree["A"].id), "n": li}, token=ct)
    ).codes == ["BAD_USER_INPUT"]
    # The county cannot decide at city level; the city selects one and returns the other.
    assert (await api.gql(DECIDE, {"id": first["id"], "s": True, "c": ""}, token=kt)).codes == [
        "NOT_FOUND"
    ]
    up = await api.gql(DECIDE, {"id": first["id"], "s": True, "c": ""}, token=ct)
    assert up.data["decideNomination"] == {"level": "PROVINCE", "status": "PENDING", "comment": ""}
    assert (await api.gql(DECIDE, {"id": second["id"], "s": False, "c": ""}, token=ct)).codes == [
        "BAD_USER_INPUT"
    ]
    back = await api.gql(
        DECIDE, {"id": second["id"], "s": False, "c": "事迹材料不够具体"}, token=ct
    )
    assert back.data["decideNomination"]["status"] == "RETURNED"
    # A returned slot can be used again; the city's quota (1) is full now.
    third = (await api.gql(NOMINATE, {"c": c, "o": a1, "n": zhao}, token=kt)).data["nominateStory"]
    assert (await api.gql(DECIDE, {"id": third["id"], "s": True, "c": ""}, token=ct)).codes == [
        "CONFLICT"
    ]
    # The province picks the finalist.
    assert (await api.gql(DECIDE, {"id": first["id"], "s": True, "c": ""}, token=ct)).codes == [
        "NOT_FOUND"
    ]
    fin = await api.gql(DECIDE, {"id": first["id"], "s": True, "c": ""}, token=pt)
    assert fin.data["decideNomination"]["status"] == "FINALIST"
    listed = await api.gql(
        "query($c: ID!) { nominations(campaignId: $c) { totalCount nodes { status } } }",
        {"c": c},
        token=kt,
    )
    assert sorted(n["status"] for n in listed.data["nominations"]["nodes"]) == [
        "FINALIST",
        "PENDING",
        "RETURNED",
    ]


async def test_deadlines_hold(world) -> None:
    api = world.api
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    county = await add_user(api.services, "countyA1", org=world.tree["A1"], roles=("county_admin",))
    c = await story_campaign(api, await api.token_for(province.id), past=True)
    [late_one] = await cadres_of(world, "A1", "迟到")
    late = await api.gql(
        NOMINATE,
        {"c": c, "o": gid("Org", world.tree["A1"].id), "n": late_one},
        token=await api.token_for(county.id),
    )
    assert late.codes == ["CONFLICT"] and "截止" in late.body["errors"][0]["message"]


async def test_campaign_activities_count_and_stay_in_dates(world) -> None:
    api = world.api
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    pt = await api.token_for(province.id)
    today = league_today(api.services)
    r = await api.gql(
        CREATE,
        {
            "k": "SERVICE_MONTH",
            "y": today.year,
            "s": (today - timedelta(days=3)).isoformat(),
            "e": (today + timedelta(days=3)).isoformat(),
            "sel": None,
        },
        token=pt,
    )
    campaign = r.data["createCampaign"]["id"]
    log = """mutation($c: ID!, $at: DateTime!) { logActivity(input: {kind: VOLUNTEER, content: "寒冬送温暖",
        occurredAt: $at, campaignId: $c}) { id } }"""
    from tests.work.conftest import hours_ago

    assert (await api.gql(log, {"c": campaign, "at": hours_ago(1)}, token=world.token)).data
    assert (
        await api.gql(log, {"c": campaign, "at": hours_ago(24 * 10)}, token=world.token)
    ).codes == ["BAD_USER_INPUT"]
    n = await api.gql(
        "query($o: ID!, $c: ID!) { campaignActivityCount(orgId: $o, campaignId: $c) }",
        {"o": gid("Org", world.tree["A"].id), "c": campaign},
        token=pt,
    )
    assert n.data["campaignActivityCount"] == 1


ROUND = """query($id: ID!) { assessmentRound(id: $id) { closed results { nodes { org { name } total rank items { item points evidence } } }
  cadreEligibility { nodes { cadre { name } eligible reasons } } } }"""


async def test_assessment_round(world) -> None:
    api = world.api
    for kind in ["PRACTICAL_DEED", "LEAGUE_LESSON", "HEART_TALK", "VOLUNTEER", "CULTURE_SPORTS"]:
        await world.activity(kind)
    await world.tree.add("B2", "B", OrgLevel.COUNTY, OrgKind.REGIONAL, name="乙二县")
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    t = await api.token_for(province.id)
    year = league_today(api.services).year
    half = "YEAR_END"
    r = await api.gql(
        "mutation($o: ID!, $y: Int!, $h: RoundHalf!) { openAssessment(orgId: $o, year: $y, half: $h) { id } }",
        {"o": gid("Org", world.tree["P"].id), "y": year, "h": half},
        token=t,
    )
    rid = r.data["openAssessment"]["id"]
    assert (
        await api.gql(
            "mutation($o: ID!, $y: Int!, $h: RoundHalf!) { openAssessment(orgId: $o, year: $y, half: $h) { id } }",
            {"o": gid("Org", world.tree["P"].id), "y": year, "h": half},
            token=t,
        )
    ).codes == ["CONFLICT"]
    assert (
        await api.gql(
            "mutation($id: ID!) { computeAssessment(id: $id) { id } }", {"id": rid}, token=t
        )
    ).data
    enter = """mutation($id: ID!, $o: ID!, $i: String!, $p: Float!) { enterAssessmentScore(id: $id, orgId: $o, item: $i,
        points: $p, evidence: "查阅制度文件") { item points } }"""
    a, b = gid("Org", world.tree["A"].id), gid("Org", world.tree["B"].id)
    assert (await api.gql(enter, {"id": rid, "o": a, "i": "1.1", "p": 5}, token=t)).codes == [
        "BAD_USER_INPUT"
    ]  # computed
    assert (await api.gql(enter, {"id": rid, "o": a, "i": "3", "p": 11}, token=t)).codes == [
        "BAD_USER_INPUT"
    ]  # over 10
    assert (
        await api.gql(
            enter, {"id": rid, "o": gid("Org", world.tree["A1"].id), "i": "3", "p": 5}, token=t
        )
    ).codes == ["NOT_FOUND"]
    assert (await api.gql(enter, {"id": rid, "o": a, "i": "3", "p": 8}, token=t)).data
    assert (await api.gql(enter, {"id": rid, "o": b, "i": "3", "p": 8}, token=t)).data
    res = (await api.gql(ROUND, {"id": rid}, token=t)).data["assessmentRound"]
    by = {x["org"]["name"]: x for x in res["results"]["nodes"]}
    items = {i["item"]: i["points"] for i in by["甲市"]["items"]}
    # A's one cadre (专职) met 五个一 in the period holding today only: a share of every
    # 2-month period begun this year (test_rubric.py has the whole picture).
    month = league_today(api.services).month
    assert items["1.2"] == round(5 / ((month + 1) // 2), 2)
    assert items["4.1"] == round(10 / month, 2) and items["3"] == 8  # active this month only
    assert by["甲市"]["total"] == round(sum(items.values()), 2)
    assert (
        by["甲市"]["rank"] == 1
        and by["乙市"]["rank"] == 2
        and by["甲市"]["total"] > by["乙市"]["total"]
    )
    eligible = {e["cadre"]["name"]: e for e in res["cadreEligibility"]["nodes"]}
    assert (
        eligible["prov"]["eligible"] is False
        and "考核期内没有工作记录" in eligible["prov"]["reasons"]
    )
    closed = await api.gql(
        "mutation($id: ID!) { closeAssessment(id: $id) { closed } }", {"id": rid}, token=t
    )
    assert closed.data["closeAssessment"]["closed"] is True
    assert (await api.gql(enter, {"id": rid, "o": a, "i": "3", "p": 10}, token=t)).codes == [
        "CONFLICT"
    ]
    rubric = (await api.gql("{ rubric { code maxPoints computed } }", token=t)).data["rubric"]
    assert sum(i["maxPoints"] for i in rubric) == 100
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    assert (await api.gql(ROUND, {"id": rid}, token=await api.token_for(city.id))).codes == [
        "NOT_FOUND"
    ]
