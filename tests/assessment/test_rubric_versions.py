"""The 附件1 rubric as versioned data (issue 16, item 1): the province drafts and publishes a
version; a round freezes the version published when it opens and is scored, drilled down and
read on it alone; a draft is never used; nobody but the province manages versions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from models import CadreKind
from tests.helpers import add_user, gid, league_today

VERSION = """fragment V on RubricVersion { id number published note totalPoints
  items { code title maxPoints computed formula
          params { keyWeight proportional youthPerCadre campaign groupShare choiceShare } } }"""
CURRENT = "{ rubricVersions { nodes { ...V } } }\n" + VERSION
PROPOSE = (
    """mutation($items: [RubricItemInput!]!, $note: String!) {
  proposeRubricVersion(items: $items, note: $note) { ...V } }\n"""
    + VERSION
)
UPDATE = (
    """mutation($id: ID!, $items: [RubricItemInput!]!) {
  updateRubricDraft(id: $id, items: $items) { ...V } }\n"""
    + VERSION
)
PUBLISH = "mutation($id: ID!) { publishRubricVersion(id: $id) { id number published } }"
OPEN = """mutation($o: ID!, $y: Int!) { openAssessment(orgId: $o, year: $y, half: YEAR_END) {
  id rubricVersion { number } } }"""
COMPUTE = "mutation($id: ID!) { computeAssessment(id: $id) { id } }"
RESULTS = """query($id: ID!) { assessmentRound(id: $id) { rubricVersion { number }
  results { nodes { org { name } items { item points evidence } } } } }"""
CONTRIBUTIONS = """query($o: ID!, $i: String!) { assessmentContributions(orgId: $o, year: %d,
  half: YEAR_END, item: $i) { nodes { achieved possible cadre { name } } } }"""


def as_input(item: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A version's item as RubricItemInput (only the parameters its formula uses)."""
    params = {k: v for k, v in item["params"].items() if v is not None}
    out = {
        "code": item["code"],
        "title": item["title"],
        "points": item["maxPoints"],
        "formula": item["formula"],
        **params,
    }
    out.update(changes)
    return out


async def _province(api, tree) -> str:
    prov = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    return await api.token_for(prov.id)


async def _v1(api, token: str) -> dict[str, Any]:
    nodes = (await api.gql(CURRENT, token=token)).data["rubricVersions"]["nodes"]
    assert [v["number"] for v in nodes] == [1]
    return nodes[0]


def _heavier(v1: dict[str, Any]) -> list[dict[str, Any]]:
    """Version 2: organ and full-time cadres weigh 3, and 4.2 asks one youth per cadre."""
    out = []
    for item in v1["items"]:
        changes: dict[str, Any] = {}
        if item["params"]["keyWeight"] is not None:
            changes["keyWeight"] = 3
        if item["code"] == "4.2":
            changes["youthPerCadre"] = 1
        out.append(as_input(item, **changes))
    return out


async def _scores(api, token: str, rid: str) -> dict[str, dict[str, float]]:
    res = (await api.gql(RESULTS, {"id": rid}, token=token)).data["assessmentRound"]
    return {
        x["org"]["name"]: {i["item"]: i["points"] for i in x["items"]}
        for x in res["results"]["nodes"]
    }


async def test_version_one_is_the_notice_as_data(api) -> None:
    from tests.helpers import standard_tree

    tree = await standard_tree(api.services)
    v1 = await _v1(api, await _province(api, tree))
    assert v1["published"] is True and v1["totalPoints"] == 100
    by = {i["code"]: i for i in v1["items"]}
    assert by["3"]["formula"] == "MANUAL" and by["3"]["computed"] is False
    assert by["1.2"]["params"]["keyWeight"] == 2  # 附件1 一.4: 重点考察
    assert by["4.2"]["params"]["youthPerCadre"] == 100
    assert by["2.2"]["params"]["campaign"] == "LECTURE"
    assert by["1.1"]["params"]["keyWeight"] is None  # organs are not weighed


async def test_a_published_version_changes_new_rounds_only(world) -> None:
    api, tree = world.api, world.tree
    year = league_today(api.services).year
    t = await _province(api, tree)
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    part = await add_user(
        api.services, "part", org=tree["A1x"], roles=("cadre",), cadre_kind=CadreKind.PART_TIME
    )  # a branch's part-time cadre weighs 1
    assert part is not None
    for kind in ("PRACTICAL_DEED", "LEAGUE_LESSON"):
        await world.activity(kind)
    v1 = await _v1(api, t)
    old = (await api.gql(OPEN, {"o": gid("Org", tree["P"].id), "y": year}, token=t)).data
    old_id = old["openAssessment"]["id"]
    assert old["openAssessment"]["rubricVersion"]["number"] == 1
    await api.gql(COMPUTE, {"id": old_id}, token=t)
    before = await _scores(api, t, old_id)

    v2 = (await api.gql(PROPOSE, {"items": _heavier(v1), "note": "权重 3"}, token=t)).data
    v2_id = v2["proposeRubricVersion"]["id"]
    assert (await api.gql(PUBLISH, {"id": v2_id}, token=t)).data["publishRubricVersion"] == {
        "id": v2_id,
        "number": 2,
        "published": True,
    }

    # The open round keeps version 1: recomputed, every score is what it was.
    await api.gql(COMPUTE, {"id": old_id}, token=t)
    assert await _scores(api, t, old_id) == before
    # A new round (甲市 assessing its counties) freezes version 2 and is scored on it.
    tc = await api.token_for(city.id)
    new = (await api.gql(OPEN, {"o": gid("Org", tree["A"].id), "y": year}, token=tc)).data
    new_id = new["openAssessment"]["id"]
    assert new["openAssessment"]["rubricVersion"]["number"] == 2
    await api.gql(COMPUTE, {"id": new_id}, token=tc)
    after = await _scores(api, tc, new_id)
    # 4.2: three youth against one asked per cadre (v2), against 100 (v1, the old round);
    # the worker weighs 3 against the part-timer's 1 (v2), 2 against 1 (v1).
    assert after["甲一县"]["4.2"] == 7.5
    assert before["甲市"]["4.2"] < 10 and "加权完成 0.06 / 5" in _evidence(
        await api.gql(RESULTS, {"id": old_id}, token=t), "甲市", "4.2"
    )
    # The drill-down shows each round's weights: the full-time worker weighs 2, then 3.
    drill = CONTRIBUTIONS % year
    a, a1 = gid("Org", tree["A"].id), gid("Org", tree["A1"].id)
    old_rows = (await api.gql(drill, {"o": a, "i": "4.1"}, token=t)).data
    new_rows = (await api.gql(drill, {"o": a1, "i": "4.1"}, token=tc)).data
    weights = lambda d: {  # noqa: E731
        n["cadre"]["name"]: n["possible"] for n in d["assessmentContributions"]["nodes"]
    }
    assert weights(old_rows) == {"worker": 2, "part": 1, "cityA": 2}
    assert weights(new_rows) == {"worker": 3, "part": 1}


def _evidence(answer, org: str, item: str) -> str:
    res = answer.data["assessmentRound"]["results"]["nodes"]
    row = next(x for x in res if x["org"]["name"] == org)
    return next(i["evidence"] for i in row["items"] if i["item"] == item)


async def test_a_draft_is_never_used(world) -> None:
    api, tree = world.api, world.tree
    t = await _province(api, tree)
    v1 = await _v1(api, t)
    items = [as_input(i) for i in v1["items"] if i["code"] != "3"]
    items.append({"code": "3.1", "title": "制度建立", "points": 10, "formula": "MANUAL"})
    draft = (await api.gql(PROPOSE, {"items": items, "note": ""}, token=t)).data
    assert draft["proposeRubricVersion"]["published"] is False
    opened = await api.gql(
        OPEN, {"o": gid("Org", tree["P"].id), "y": league_today(api.services).year}, token=t
    )
    round_ = opened.data["openAssessment"]
    assert round_["rubricVersion"]["number"] == 1
    # Item 3.1 exists only in the draft: not an item of this round.
    enter = await api.gql(
        """mutation($id: ID!, $o: ID!) { enterAssessmentScore(id: $id, orgId: $o, item: "3.1",
          points: 5, evidence: "材料") { item } }""",
        {"id": round_["id"], "o": gid("Org", tree["A"].id)},
        token=t,
    )
    assert enter.codes == ["BAD_USER_INPUT"]
    ok = await api.gql(
        """mutation($id: ID!, $o: ID!) { enterAssessmentScore(id: $id, orgId: $o, item: "3",
          points: 10, evidence: "材料") { item points } }""",
        {"id": round_["id"], "o": gid("Org", tree["A"].id)},
        token=t,
    )
    assert ok.data["enterAssessmentScore"] == {"item": "3", "points": 10}
    assert (await api.gql("{ rubric { code } }", token=t)).data["rubric"][7]["code"] == "3"


async def test_bad_versions_are_refused_whole_and_published_ones_never_change(world) -> None:
    api, tree = world.api, world.tree
    t = await _province(api, tree)
    v1 = await _v1(api, t)
    good = [as_input(i) for i in v1["items"]]
    bad = {
        "合计 99 分，应为通知规定的 100 分": [*good[:-1], as_input(v1["items"][-1], points=9)],
        "CADRE_CAMPAIGN 须指定集中活动类别": [
            as_input(i, campaign=None) if i["code"] == "2.2" else as_input(i) for i in v1["items"]
        ],
        "参数 key_weight 应在 1–10 之间": [
            as_input(v1["items"][1], keyWeight=11),
            *good[2:],
            good[0],
        ],
        "ORGAN_FIVE_ONES 不使用参数 key_weight": [as_input(v1["items"][0], keyWeight=2), *good[1:]],
        "编号 1.2 重复": [good[0], good[1], {**good[2], "code": "1.2"}, *good[3:]],
        "编号应为附件1 的条目号": [{**good[0], "code": "一"}, *good[1:]],
    }
    for message, items in bad.items():
        r = await api.gql(PROPOSE, {"items": items, "note": ""}, token=t)
        assert r.codes == ["BAD_USER_INPUT"], (message, r.body)
        assert message in r.error("BAD_USER_INPUT")["message"], (message, r.body)
    assert len((await api.gql(CURRENT, token=t)).data["rubricVersions"]["nodes"]) == 1

    draft = (await api.gql(PROPOSE, {"items": good, "note": "草稿"}, token=t)).data
    draft_id = draft["proposeRubricVersion"]["id"]
    edited = [as_input(i, points=12) if i["code"] == "4.1" else as_input(i) for i in v1["items"]]
    edited = [
        as_input(i, points=8) if i["code"] == "4.2" else e
        for i, e in zip(v1["items"], edited, strict=True)
    ]
    r = await api.gql(UPDATE, {"id": draft_id, "items": edited}, token=t)
    by = {i["code"]: i["maxPoints"] for i in r.data["updateRubricDraft"]["items"]}
    assert (by["4.1"], by["4.2"]) == (12, 8)
    r = await api.gql(
        UPDATE, {"id": draft_id, "items": bad["合计 99 分，应为通知规定的 100 分"]}, token=t
    )
    assert r.codes == ["BAD_USER_INPUT"]
    assert (await api.gql(PUBLISH, {"id": draft_id}, token=t)).data
    for attempt in (
        api.gql(UPDATE, {"id": draft_id, "items": good}, token=t),
        api.gql(PUBLISH, {"id": draft_id}, token=t),
        api.gql(UPDATE, {"id": v1["id"], "items": good}, token=t),
    ):
        assert (await attempt).codes == ["CONFLICT"]
    got = (await api.gql("query($id: ID!) { rubricVersion(id: $id) { ...V } }\n" + VERSION,
                         {"id": draft_id}, token=t)).data["rubricVersion"]  # fmt: skip
    assert {i["code"]: i["maxPoints"] for i in got["items"]}["4.1"] == 12  # as published
    async with api.services.engine.connect() as conn:
        actions = (
            await conn.scalars(
                sa.text(
                    "SELECT action FROM audit_log WHERE entity_type = 'RubricVersion' ORDER BY id"
                )
            )
        ).all()
    assert actions == ["rubric.propose", "rubric.update", "rubric.publish"]


async def test_only_the_province_manages_and_sees_drafts(world) -> None:
    api, tree = world.api, world.tree
    t = await _province(api, tree)
    v1 = await _v1(api, t)
    good = [as_input(i) for i in v1["items"]]
    draft = (await api.gql(PROPOSE, {"items": good, "note": ""}, token=t)).data
    draft_id = draft["proposeRubricVersion"]["id"]
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    tc = await api.token_for(city.id)
    for token in (tc, world.token):
        assert (await api.gql(PROPOSE, {"items": good, "note": ""}, token=token)).codes == [
            "FORBIDDEN"
        ]
        assert (await api.gql(UPDATE, {"id": draft_id, "items": good}, token=token)).codes == [
            "FORBIDDEN"
        ]
        assert (await api.gql(PUBLISH, {"id": draft_id}, token=token)).codes == ["FORBIDDEN"]
        seen = (await api.gql(CURRENT, token=token)).data["rubricVersions"]["nodes"]
        assert [v["number"] for v in seen] == [1]  # the draft is the province's
        r = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": draft_id}, token=token)
        assert r.codes == ["NOT_FOUND"]
    assert len((await api.gql(CURRENT, token=t)).data["rubricVersions"]["nodes"]) == 2


async def test_a_city_leader_reads_the_version_their_round_used(world) -> None:
    api, tree = world.api, world.tree
    t = await _province(api, tree)
    v1 = await _v1(api, t)
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    tc = await api.token_for(city.id)
    year = league_today(api.services).year
    opened = (await api.gql(OPEN, {"o": gid("Org", tree["A"].id), "y": year}, token=tc)).data
    assessed = (await api.gql(OPEN, {"o": gid("Org", tree["P"].id), "y": year}, token=t)).data
    assessed_id = assessed["openAssessment"]["id"]
    await api.gql(COMPUTE, {"id": assessed_id}, token=t)
    v2 = (await api.gql(PROPOSE, {"items": _heavier(v1), "note": ""}, token=t)).data
    await api.gql(PUBLISH, {"id": v2["proposeRubricVersion"]["id"]}, token=t)
    close = "mutation($id: ID!) { closeAssessment(id: $id) { id } }"
    assert (await api.gql(close, {"id": assessed_id}, token=t)).data
    used = await api.gql(
        "query($id: ID!) { assessmentRound(id: $id) { rubricVersion { ...V } } }\n" + VERSION,
        {"id": opened["openAssessment"]["id"]},
        token=tc,
    )
    version = used.data["assessmentRound"]["rubricVersion"]
    assert version["number"] == 1 and version["items"] == v1["items"]
    # The city as the assessed org: its own results read with the version they were scored on.
    own = await api.gql(
        """query($o: ID!) { assessmentResults(orgId: $o) { nodes { total
          rubricVersion { number items { code maxPoints } } } } }""",
        {"o": gid("Org", tree["A"].id)},
        token=tc,
    )
    [result] = own.data["assessmentResults"]["nodes"]
    assert result["rubricVersion"]["number"] == 1
    assert len(result["rubricVersion"]["items"]) == len(v1["items"])
    listed = (await api.gql(CURRENT, token=tc)).data["rubricVersions"]["nodes"]
    assert [v["number"] for v in listed] == [1, 2]
