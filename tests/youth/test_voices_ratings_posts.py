"""Voices, ratings, posts and discussions."""

from __future__ import annotations

from tests.helpers import gid, snapshot

SEND = """mutation($c: ID, $o: ID) { sendVoice(kind: QUESTION, title: "实习机会", body: "暑期有没有实习岗位？",
  topic: "就业", cadreId: $c, orgId: $o) { id status } }"""


async def test_voice_thread_and_leader_stats(people) -> None:
    api = people.api
    v = (await api.gql(SEND, {"c": people.cadre_id}, token=people.youth)).data["sendVoice"]
    assert v["status"] == "OPEN"
    inbox = await api.gql("{ myVoices { nodes { id title youth { name } } } }", token=people.cadre)
    assert inbox.data["myVoices"]["nodes"] == [
        {"id": v["id"], "title": "实习机会", "youth": {"name": "小明"}}
    ]
    r = await api.gql(
        'mutation($id: ID!) { replyVoice(id: $id, body: "团县委下周发布实习信息") { status replies { nodes { fromYouth } } } }',
        {"id": v["id"]},
        token=people.cadre,
    )
    assert r.data["replyVoice"] == {
        "status": "ANSWERED",
        "replies": {"nodes": [{"fromYouth": False}]},
    }
    r = await api.gql(
        'mutation($id: ID!) { replyVoice(id: $id, body: "谢谢") { replies { nodes { fromYouth } } } }',
        {"id": v["id"]},
        token=people.youth,
    )
    assert [x["fromYouth"] for x in r.data["replyVoice"]["replies"]["nodes"]] == [False, True]
    # To an org: the youth's own org or above; not a sibling's.
    assert (await api.gql(SEND, {"o": gid("Org", people.tree["A1"].id)}, token=people.youth)).data
    assert (
        await api.gql(SEND, {"o": gid("Org", people.tree["B1"].id)}, token=people.youth)
    ).codes == ["NOT_FOUND"]
    assert (await api.gql(SEND, {"c": people.cadre_id}, token=people.stranger)).codes == [
        "NOT_FOUND"
    ]
    stats = await api.gql(
        "query($o: ID!) { voiceStats(orgId: $o) { total open answered medianHoursToReply byTopic { topic count } } }",
        {"o": gid("Org", people.tree["A1"].id)},
        token=people.county,
    )
    s = stats.data["voiceStats"]
    assert (s["total"], s["open"], s["answered"]) == (2, 1, 1) and s[
        "medianHoursToReply"
    ] is not None
    assert s["byTopic"] == [{"topic": "就业", "count": 2}]
    # Another youth never reads them.
    for token in (people.other_youth, people.stranger):
        assert (
            await api.gql(
                "query($id: ID!) { voice(id: $id) { title } }", {"id": v["id"]}, token=token
            )
        ).codes == ["NOT_FOUND"]
        assert (await api.gql("{ myVoices { totalCount } }", token=token)).data["myVoices"][
            "totalCount"
        ] == 0
    closed = await api.gql(
        "mutation($id: ID!) { closeVoice(id: $id) { status } }", {"id": v["id"]}, token=people.youth
    )
    assert closed.data["closeVoice"]["status"] == "CLOSED"
    assert (
        await api.gql(
            'mutation($id: ID!) { replyVoice(id: $id, body: "x") { status } }',
            {"id": v["id"]},
            token=people.cadre,
        )
    ).codes == ["CONFLICT"]


RATE = (
    'mutation($c: ID!, $s: Int!) { rateCadre(cadreId: $c, score: $s, comment: "很耐心") { count } }'
)


async def test_ratings_once_a_quarter_and_aggregates_only(people) -> None:
    api = people.api
    assert (await api.gql(RATE, {"c": people.cadre_id, "s": 5}, token=people.youth)).data
    before = await snapshot(api.services)
    assert (await api.gql(RATE, {"c": people.cadre_id, "s": 1}, token=people.youth)).codes == [
        "CONFLICT"
    ]
    assert (
        await api.gql(RATE, {"c": people.cadre_id, "s": 6}, token=people.other_youth)
    ).codes == ["BAD_USER_INPUT"]
    assert (await api.gql(RATE, {"c": people.cadre_id, "s": 3}, token=people.stranger)).codes == [
        "NOT_FOUND"
    ]
    assert await snapshot(api.services) == before
    assert (await api.gql(RATE, {"c": people.cadre_id, "s": 4}, token=people.other_youth)).data
    mine = (
        await api.gql(
            "{ myRatings { count average distribution { score count } } }", token=people.cadre
        )
    ).data["myRatings"]
    assert mine["count"] == 2 and mine["average"] == 4.5
    assert {d["score"]: d["count"] for d in mine["distribution"]} == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1}
    org = await api.gql(
        "query($o: ID!) { orgRatings(orgId: $o) { overall { average } byCadre { nodes { name count average } } } }",
        {"o": gid("Org", people.tree["A1"].id)},
        token=people.county,
    )
    assert org.data["orgRatings"]["byCadre"]["nodes"] == [
        {"name": "cadre1", "count": 2, "average": 4.5}
    ]
    assert (await api.gql("{ myRatings { count } }", token=people.youth)).codes == ["FORBIDDEN"]


async def test_posts_feed_and_read_counts(people) -> None:
    api = people.api
    p = await api.gql(
        'mutation { publishPost(audience: MY_YOUTH, title: "五四青年节活动", link: "https://example.org/a") { id } }',
        token=people.cadre,
    )
    post = p.data["publishPost"]["id"]
    sub = await api.gql(
        'mutation($o: ID!) { publishPost(audience: SUBTREE, orgId: $o, title: "全县团课") { id } }',
        {"o": gid("Org", people.tree["A1"].id)},
        token=people.county,
    )
    county_post = sub.data["publishPost"]["id"]  # a county admin (a cadre) pushes to the county
    plain = await api.gql(
        'mutation($o: ID!) { publishPost(audience: SUBTREE, orgId: $o, title: "x") { id } }',
        {"o": gid("Org", people.tree["A1x"].id)},
        token=people.cadre,
    )
    assert plain.codes == ["FORBIDDEN"]  # a plain cadre may not push to a whole subtree
    bad = await api.gql(
        'mutation { publishPost(audience: MY_YOUTH, title: "x", link: "javascript:alert(1)") { id } }',
        token=people.cadre,
    )
    assert bad.codes == ["BAD_USER_INPUT"]
    feed = await api.gql("{ myFeed { nodes { id title } } }", token=people.youth)
    assert feed.data["myFeed"]["nodes"] == [
        {"id": post, "title": "五四青年节活动"},
        {"id": county_post, "title": "全县团课"},
    ]
    assert (await api.gql("{ myFeed { totalCount } }", token=people.stranger)).data["myFeed"][
        "totalCount"
    ] == 0
    read = "mutation($id: ID!) { markPostRead(id: $id) { id } }"
    assert (await api.gql(read, {"id": post}, token=people.youth)).data
    assert (await api.gql(read, {"id": post}, token=people.youth)).data  # once counted
    assert (await api.gql(read, {"id": post}, token=people.stranger)).codes == ["NOT_FOUND"]
    counts = await api.gql("{ myPosts { nodes { readCount } } }", token=people.cadre)
    assert counts.data["myPosts"]["nodes"] == [{"readCount": 1}]


async def test_discussions_with_moderation(people) -> None:
    api = people.api
    d = (
        await api.gql(
            'mutation { openDiscussion(title: "周末志愿活动怎么安排？") { id } }',
            token=people.cadre,
        )
    ).data["openDiscussion"]["id"]
    reply = "mutation($id: ID!, $b: String!) { replyDiscussion(id: $id, body: $b) { replies { nodes { id body hidden } } } }"
    r = await api.gql(reply, {"id": d, "b": "我报名！"}, token=people.youth)
    bad = await api.gql(reply, {"id": d, "b": "广告内容"}, token=people.other_youth)
    bad_id = bad.data["replyDiscussion"]["replies"]["nodes"][-1]["id"]
    assert (await api.gql(reply, {"id": d, "b": "x"}, token=people.stranger)).codes == ["NOT_FOUND"]
    assert (
        await api.gql(
            "mutation($id: ID!) { moderateReply(id: $id, hidden: true) }",
            {"id": bad_id},
            token=people.youth,
        )
    ).codes == ["NOT_FOUND"]
    assert (
        await api.gql(
            "mutation($id: ID!) { moderateReply(id: $id, hidden: true) }",
            {"id": bad_id},
            token=people.cadre,
        )
    ).data["moderateReply"] is True
    seen = await api.gql(
        "{ discussions { nodes { replies { nodes { body } } } } }", token=people.youth
    )
    assert seen.data["discussions"]["nodes"] == [{"replies": {"nodes": [{"body": "我报名！"}]}}]
    one = "query($id: ID!) { discussion(id: $id) { title replies { nodes { body } } } }"
    assert (await api.gql(one, {"id": d}, token=people.youth)).data["discussion"] == {
        "title": "周末志愿活动怎么安排？",
        "replies": {"nodes": [{"body": "我报名！"}]},
    }
    assert (
        len(
            (await api.gql(one, {"id": d}, token=people.cadre)).data["discussion"]["replies"][
                "nodes"
            ]
        )
        == 2
    )
    assert (await api.gql(one, {"id": d}, token=people.stranger)).codes == ["NOT_FOUND"]
    assert r.data
    closed = await api.gql(
        "mutation($id: ID!) { closeDiscussion(id: $id) { isClosed } }",
        {"id": d},
        token=people.cadre,
    )
    assert closed.data["closeDiscussion"]["isClosed"] is True
    assert (await api.gql(reply, {"id": d, "b": "晚了"}, token=people.youth)).codes == ["CONFLICT"]
