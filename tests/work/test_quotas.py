"""五个一 quotas: set by the province only; progress and who is behind; 一学一做."""

from __future__ import annotations

from models import CadreKind
from tests.helpers import add_user, gid, snapshot
from tests.work.conftest import make_cadre

CADRE_KINDS = ["PRACTICAL_DEED", "LEAGUE_LESSON", "HEART_TALK", "VOLUNTEER", "CULTURE_SPORTS"]
PROGRESS = (
    "{ myQuotaProgress { subject done required complete kindsMissing periodStart periodEnd } }"
)


async def test_progress_counts_activities_and_variety_only_when_the_rule_asks(world) -> None:
    api = world.api
    for kind in CADRE_KINDS[:4]:
        await world.activity(kind)
    await world.activity("VOLUNTEER")
    p = (await api.gql(PROGRESS, token=world.token)).data["myQuotaProgress"]
    # The kinds are examples (比如): five activities complete the period by default.
    assert (p["subject"], p["done"], p["required"], p["complete"]) == ("FULL_TIME", 5, 5, True)
    assert p["kindsMissing"] == []
    start, end = p["periodStart"], p["periodEnd"]
    assert int(end[5:7]) - int(start[5:7]) in (2, -10)  # two-month periods for full-time cadres
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    variety = await api.gql(
        "mutation { setQuotaRule(input: {subject: FULL_TIME, oneOfEach: true}) { oneOfEach } }",
        token=await api.token_for(province.id),
    )
    assert variety.data["setQuotaRule"] == {"oneOfEach": True}
    p = (await api.gql(PROGRESS, token=world.token)).data["myQuotaProgress"]
    assert (p["done"], p["complete"], p["kindsMissing"]) == (5, False, ["CULTURE_SPORTS"])
    await world.activity("CULTURE_SPORTS")
    assert (await api.gql(PROGRESS, token=world.token)).data["myQuotaProgress"]["complete"] is True


async def test_leaders_see_who_is_behind(world) -> None:
    api = world.api
    for kind in CADRE_KINDS:
        await world.activity(kind)
    _, lazy_token, _ = await make_cadre(
        api, world.tree, "lazy", "A2", 0, 50, kind=CadreKind.PART_TIME
    )
    await world.activity("VOLUNTEER", token=lazy_token)
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    t = await api.token_for(city.id)
    r = await api.gql(
        "query($o: ID!) { quotaBehind(orgId: $o) { nodes { subject subjectId done required } } }",
        {"o": gid("Org", world.tree["A"].id)},
        token=t,
    )
    behind = r.data["quotaBehind"]["nodes"]
    # The city admin themself (a full-time cadre with nothing logged) and the part-timer.
    assert sorted((b["subject"], b["done"]) for b in behind) == [("FULL_TIME", 0), ("PART_TIME", 1)]
    organs = await api.gql(
        "query($o: ID!) { quotaBehind(orgId: $o, organs: true) { nodes { subjectId done } } }",
        {"o": gid("Org", world.tree["A"].id)},
        token=t,
    )
    assert {o["subjectId"] for o in organs.data["quotaBehind"]["nodes"]} == {
        gid("Org", world.tree[k].id) for k in ("A", "A1", "A2")
    }
    other = await add_user(api.services, "cityB", org=world.tree["B"], roles=("city_admin",))
    r = await api.gql(
        "query($o: ID!) { quotaBehind(orgId: $o) { nodes { done } } }",
        {"o": gid("Org", world.tree["A"].id)},
        token=await api.token_for(other.id),
    )
    assert r.codes == ["NOT_FOUND"]


async def test_only_the_province_sets_quotas(world) -> None:
    api = world.api
    setq = "mutation { setQuotaRule(input: {subject: PART_TIME, minCount: 8}) { subject minCount periodMonths } }"
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    city_token = await api.token_for(city.id)
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    province_token = await api.token_for(province.id)
    before = await snapshot(api.services)
    raised = await api.gql(setq, token=city_token)
    assert raised.codes == ["FORBIDDEN"] and "团省委" in raised.body["errors"][0]["message"]
    assert (await api.gql(setq, token=world.token)).codes == ["FORBIDDEN"]
    assert await snapshot(api.services) == before
    r = await api.gql(setq, token=province_token)
    assert r.data["setQuotaRule"] == {"subject": "PART_TIME", "minCount": 8, "periodMonths": 3}
    rules = (await api.gql("{ quotaRules { subject minCount } }", token=city_token)).data[
        "quotaRules"
    ]
    assert {"subject": "PART_TIME", "minCount": 8} in rules
    bad = await api.gql(
        "mutation { setQuotaRule(input: {subject: FULL_TIME, minCount: 2, oneOfEach: true}) { minCount } }",
        token=province_token,
    )
    assert bad.codes == ["BAD_USER_INPUT"]  # variety asked for, fewer than the kinds


LEARN = "{ myLearnAndDo { year choice { guidedOrg { name } joinedBranch { name } } records { nodes { kind } } } }"


async def test_learn_and_do(world) -> None:
    api = world.api
    from models import OrgKind, OrgLevel

    g = await world.tree.add("A1g", "A1", OrgLevel.GRASSROOTS, OrgKind.COMMUNITY, name="街道团工委")
    branch = await world.tree.add("A1gb", "A1g", OrgLevel.BRANCH, name="街道某支部")
    record = 'mutation($d: Date!) { recordLearnAndDo(kind: ORG_LIFE_MEETING, occurredOn: $d, note: "支部组织生活会") { kind } }'
    from tests.work.test_learn_and_do import window_day

    today = window_day().isoformat()
    assert (await api.gql(record, {"d": today}, token=world.token)).codes == [
        "CONFLICT"
    ]  # choose first
    choose = "mutation($y: Int!, $g: ID!, $b: ID!) { chooseLearnAndDo(year: $y, guidedOrgId: $g, joinedBranchId: $b) { year } }"
    year = window_day().year
    wrong = await api.gql(
        choose,
        {"y": year, "g": gid("Org", world.tree["A1x"].id), "b": gid("Org", g.id)},
        token=world.token,
    )
    assert wrong.codes == ["BAD_USER_INPUT"]
    outside = await api.gql(
        choose,
        {"y": year, "g": gid("Org", g.id), "b": gid("Org", world.tree["A1x"].id)},
        token=(await make_cadre(api, world.tree, "far", "B1", 0, 70))[1],
    )
    assert outside.codes == ["NOT_FOUND"]
    ok = await api.gql(
        choose, {"y": year, "g": gid("Org", g.id), "b": gid("Org", branch.id)}, token=world.token
    )
    assert ok.data["chooseLearnAndDo"]["year"] == year
    assert (await api.gql(record, {"d": today}, token=world.token)).data
    mine = (await api.gql(LEARN, token=world.token)).data["myLearnAndDo"]
    assert mine["choice"] == {
        "guidedOrg": {"name": "街道团工委"},
        "joinedBranch": {"name": "街道某支部"},
    }
    assert mine["records"]["nodes"] == [{"kind": "ORG_LIFE_MEETING"}]
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    gaps = await api.gql(
        "query($o: ID!) { learnAndDoGaps(orgId: $o) { nodes { cadre { name } hasChosen records } } }",
        {"o": gid("Org", world.tree["A"].id)},
        token=await api.token_for(city.id),
    )
    assert gaps.data["learnAndDoGaps"]["nodes"] == [
        {"cadre": {"name": "cityA"}, "hasChosen": False, "records": 0}
    ]


async def test_leader_reads_each_cadres_progress_in_one_statement(world) -> None:
    api = world.api
    from tests.orgs.test_query_count import counting

    for kind in CADRE_KINDS:
        await world.activity(kind)
    for i in range(3):
        await make_cadre(api, world.tree, f"extra{i}", "A2", 0, 1000 + i * 10)
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    t = await api.token_for(city.id)
    q = "query($o: ID!) { cadres(under: $o, first: 50) { nodes { name quotaProgress { done complete } } } }"
    with counting(api.services.engine) as statements:
        r = await api.gql(q, {"o": gid("Org", world.tree["A"].id)}, token=t)
    progress = {n["name"]: n["quotaProgress"] for n in r.data["cadres"]["nodes"]}
    assert progress["worker"] == {"done": 5, "complete": True}
    assert progress["extra0"] == {"done": 0, "complete": False}
    assert len(statements) <= 4  # principal, page, progress (batched)
    # A cadre reads their own, not a colleague's.
    mine = await api.gql("{ me { cadre { quotaProgress { done } } } }", token=world.token)
    assert mine.data["me"]["cadre"]["quotaProgress"] == {"done": 5}
