"""Results flow down (issue 16, item 4): the assessed org reads its own bulletin lines and its
own assessment results, and nothing about its siblings. (Spot-check findings:
test_honest_checks.py.)"""

from __future__ import annotations

from tests.assessment.test_reports_bulletins import quarter_of
from tests.helpers import add_user, gid, league_today

LINES = """query($y: Int) { bulletinLines(year: $y) { totalCount nodes { id year quarter cadres
  activeCadres fiveOnesRate org { id } } } }"""
RESULTS = """query($o: ID!) { assessmentResults(orgId: $o) { totalCount nodes { year half closed
  total rank assessed items { item points } org { id } } } }"""


async def _province_and_cities(world):
    api = world.api
    prov = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    city_a = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    city_b = await add_user(api.services, "cityB", org=world.tree["B"], roles=("city_admin",))
    return (
        await api.token_for(prov.id),
        await api.token_for(city_a.id),
        await api.token_for(city_b.id),
    )


async def test_each_city_reads_its_own_bulletin_line(world) -> None:
    api = world.api
    await world.contact(world.youth_ids[0])
    t, ta, tb = await _province_and_cities(world)
    y, q = quarter_of(league_today(api.services))
    b = (
        await api.gql(
            "mutation($o: ID!, $y: Int!, $q: Int!) { generateBulletin(orgId: $o, year: $y, quarter: $q) { id } }",
            {"o": gid("Org", world.tree["P"].id), "y": y, "q": q},
            token=t,
        )
    ).data["generateBulletin"]
    # A draft is the province's alone.
    assert (await api.gql(LINES, {"y": y}, token=ta)).data["bulletinLines"]["totalCount"] == 0
    await api.gql(
        "mutation($id: ID!) { publishBulletin(id: $id) { id } }", {"id": b["id"]}, token=t
    )
    province = (await api.gql(LINES, {"y": y}, token=t)).data["bulletinLines"]
    assert {n["org"]["id"] for n in province["nodes"]} == {
        gid("Org", world.tree["A"].id),
        gid("Org", world.tree["B"].id),
    }
    for token, own in ((ta, "A"), (tb, "B")):
        lines = (await api.gql(LINES, {"y": y}, token=token)).data["bulletinLines"]
        assert lines["totalCount"] == 1
        (line,) = lines["nodes"]
        assert line["org"]["id"] == gid("Org", world.tree[own].id) and line["quarter"] == q
        # The whole bulletin (every city's line) stays with the province.
        assert (
            await api.gql(
                "query($id: ID!) { bulletin(id: $id) { id } }", {"id": b["id"]}, token=token
            )
        ).codes == ["NOT_FOUND"]
        # By id: its own line, not its sibling's.
        other = next(n for n in province["nodes"] if n["org"]["id"] != line["org"]["id"])
        mine = await api.gql(
            "query($id: ID!) { node(id: $id) { id } }", {"id": line["id"]}, token=token
        )
        assert mine.data["node"] == {"id": line["id"]}
        theirs = await api.gql(
            "query($id: ID!) { node(id: $id) { id } }", {"id": other["id"]}, token=token
        )
        assert theirs.codes == ["NOT_FOUND"]
    a_line = next(n for n in province["nodes"] if n["org"]["id"] == gid("Org", world.tree["A"].id))
    assert a_line["cadres"] == 2 and a_line["activeCadres"] == 1  # the worker and cityA


async def test_each_city_reads_its_own_assessment_result_once_closed(world) -> None:
    api = world.api
    for kind in ["PRACTICAL_DEED", "LEAGUE_LESSON", "HEART_TALK", "VOLUNTEER", "CULTURE_SPORTS"]:
        await world.activity(kind)
    t, ta, tb = await _province_and_cities(world)
    year = league_today(api.services).year
    rid = (
        await api.gql(
            "mutation($o: ID!, $y: Int!) { openAssessment(orgId: $o, year: $y, half: YEAR_END) { id } }",
            {"o": gid("Org", world.tree["P"].id), "y": year},
            token=t,
        )
    ).data["openAssessment"]["id"]
    await api.gql("mutation($id: ID!) { computeAssessment(id: $id) { id } }", {"id": rid}, token=t)
    a, b = gid("Org", world.tree["A"].id), gid("Org", world.tree["B"].id)
    await api.gql(
        """mutation($id: ID!, $o: ID!) { enterAssessmentScore(id: $id, orgId: $o, item: "3",
        points: 8, evidence: "查阅制度文件") { item } }""",
        {"id": rid, "o": a},
        token=t,
    )
    # While the round runs the assessed read nothing; the assessor reads everything.
    assert (await api.gql(RESULTS, {"o": a}, token=ta)).data["assessmentResults"]["totalCount"] == 0
    running = (await api.gql(RESULTS, {"o": a}, token=t)).data["assessmentResults"]["nodes"]
    assert running[0]["closed"] is False
    await api.gql(
        "mutation($id: ID!) { closeAssessment(id: $id) { closed } }", {"id": rid}, token=t
    )
    assessor = (await api.gql(RESULTS, {"o": a}, token=t)).data["assessmentResults"]["nodes"][0]
    own = (await api.gql(RESULTS, {"o": a}, token=ta)).data["assessmentResults"]["nodes"]
    assert own == [assessor]
    assert own[0]["closed"] is True and own[0]["assessed"] == 2 and own[0]["org"]["id"] == a
    assert {"item": "3", "points": 8.0} in own[0]["items"]
    assert own[0]["total"] == round(sum(i["points"] for i in own[0]["items"]), 2)
    mine_b = (await api.gql(RESULTS, {"o": b}, token=tb)).data["assessmentResults"]["nodes"]
    assert {own[0]["rank"], mine_b[0]["rank"]} <= {1, 2} and mine_b[0]["total"] < own[0]["total"]
    assert own[0]["rank"] == 1 and mine_b[0]["rank"] == 2
    # Nothing about the sibling: its results, the round with everyone's.
    assert (await api.gql(RESULTS, {"o": b}, token=ta)).codes == ["NOT_FOUND"]
    assert (
        await api.gql(
            "query($id: ID!) { assessmentRound(id: $id) { results { nodes { total } } } }",
            {"id": rid},
            token=ta,
        )
    ).codes == ["NOT_FOUND"]


CONTRIB = """query($o: ID!, $i: String) { assessmentContributions(orgId: $o, item: $i, first: 100) {
  totalCount nodes { item subject achieved possible cadre { name } org { id } } } }"""


async def test_each_score_drills_down_to_its_subjects(world) -> None:
    """Every computed score lists the subjects behind it, with what each contributed; the
    assessed org reads its own once the round is closed, never its sibling's."""
    api = world.api
    for kind in ["PRACTICAL_DEED", "LEAGUE_LESSON", "HEART_TALK", "VOLUNTEER", "CULTURE_SPORTS"]:
        await world.activity(kind)
    t, ta, tb = await _province_and_cities(world)
    year = league_today(api.services).year
    rid = (
        await api.gql(
            "mutation($o: ID!, $y: Int!) { openAssessment(orgId: $o, year: $y, half: YEAR_END) { id } }",
            {"o": gid("Org", world.tree["P"].id), "y": year},
            token=t,
        )
    ).data["openAssessment"]["id"]
    await api.gql("mutation($id: ID!) { computeAssessment(id: $id) { id } }", {"id": rid}, token=t)
    a = gid("Org", world.tree["A"].id)
    assert (await api.gql(CONTRIB, {"o": a}, token=ta)).data["assessmentContributions"][
        "totalCount"
    ] == 0  # not before the round is closed
    await api.gql(
        "mutation($id: ID!) { closeAssessment(id: $id) { closed } }", {"id": rid}, token=t
    )
    mine = (await api.gql(CONTRIB, {"o": a, "i": "1.2"}, token=ta)).data["assessmentContributions"]
    names = sorted(n["cadre"]["name"] for n in mine["nodes"])
    assert names == ["cityA", "worker"] and {n["subject"] for n in mine["nodes"]} == {"CADRE"}
    # The parts add up to the score's basis, as the assessor reads it.
    got = sum(n["achieved"] for n in mine["nodes"])
    of = sum(n["possible"] for n in mine["nodes"])
    res = (await api.gql(RESULTS, {"o": a}, token=ta)).data["assessmentResults"]["nodes"][0]
    points = next(i["points"] for i in res["items"] if i["item"] == "1.2")
    assert points == round(5 * got / of, 2) and got > 0
    assessor = (await api.gql(CONTRIB, {"o": a}, token=t)).data["assessmentContributions"]
    assert (
        assessor["totalCount"]
        == (await api.gql(CONTRIB, {"o": a}, token=ta)).data["assessmentContributions"][
            "totalCount"
        ]
    )
    # The sibling city: NOT_FOUND for A; its own lists none of A's cadres.
    assert (await api.gql(CONTRIB, {"o": a}, token=tb)).codes == ["NOT_FOUND"]
    theirs = await api.gql(CONTRIB, {"o": gid("Org", world.tree["B"].id)}, token=tb)
    assert all(
        n["cadre"] is None or n["cadre"]["name"] == "cityB"
        for n in theirs.data["assessmentContributions"]["nodes"]
    )
