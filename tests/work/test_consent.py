"""Relationships begin at consent: an invitation gives the inviting cadre nothing; an ACTIVE
link gives the own-contact rights (whole number, guarded fields, minors rule, "my youth");
nothing is left once the link ends."""

from __future__ import annotations

from datetime import date

from tests.helpers import add_user, add_youth_account, gid, snapshot, standard_tree
from tests.work.conftest import CONTACT, hours_ago

ADD = 'mutation($m: String!) { addYouthToMyList(name: "x", mobile: $m) { id } }'
ACTIVITY = """mutation($p: [ID!]!) { logActivity(input: {kind: VOLUNTEER, content: "活动",
  occurredAt: "%s", participantIds: $p}) { id } }"""
TAG = 'mutation($ids: [ID!]!) { setYouthIndustry(youthIds: $ids, industry: "餐饮") { id } }'
VOICE = (
    """mutation($c: ID) { sendVoice(kind: QUESTION, title: "t", body: "b", cadreId: $c) { id } }"""
)
POST = 'mutation { publishPost(audience: MY_YOUTH, title: "只给我的小伙伴") { id } }'
MINE = """query($s: ContactStatus) { myContacts(status: $s) { nodes { status
  youth { mobile birthDate } } } }"""
LOG = "query($id: ID!) { workLog(id: $id) { youth { mobile birthDate } } }"


async def test_only_an_active_link_gives_a_cadre_rights_over_a_youth(api) -> None:
    tree = await standard_tree(api.services)
    cadre = await add_user(api.services, "c1", org=tree["A1"], roles=("cadre",))
    ct = await api.token_for(cadre.id)
    cadre_gid = (await api.gql("{ me { cadre { id } } }", token=ct)).data["me"]["cadre"]["id"]
    # A minor of another city (B1): nobody's youth yet.
    youth, youth_user = await add_youth_account(
        api.services, "小乙", "13500000001", tree["B1"], birth_date=date(2012, 3, 1)
    )
    yt, y = await api.token_for(youth_user.id), gid("Youth", youth.id)
    contact = (await api.gql(ADD, {"m": "13500000001"}, token=ct)).data["addYouthToMyList"]["id"]

    # INVITED: no logs, no points, no tags, no whole number, no feed, no voice.
    before = await snapshot(api.services)
    refused = [
        await api.gql(
            CONTACT, {"y": y, "c": "PHONE", "at": hours_ago(0.1), "text": "谈心"}, token=ct
        ),
        await api.gql(ACTIVITY % hours_ago(0.1), {"p": [y]}, token=ct),
        await api.gql(TAG, {"ids": [y]}, token=ct),
        await api.gql(VOICE, {"c": cadre_gid}, token=yt),
    ]
    assert [r.codes for r in refused] == [["NOT_FOUND"]] * 4
    assert await snapshot(api.services) == before  # nothing written, no points
    pending = (await api.gql(MINE, token=ct)).data["myContacts"]["nodes"]
    assert [n["status"] for n in pending] == ["INVITED"]
    assert pending[0]["youth"] in (None, {"mobile": "135****0001", "birthDate": None})
    export = (await api.gql("{ exportYouth(format: CSV) { rows } }", token=ct)).data
    assert export["exportYouth"]["rows"] == 0
    assert (await api.gql(POST, token=ct)).data
    feed = "{ myFeed { totalCount } }"
    assert (await api.gql(feed, token=yt)).data["myFeed"]["totalCount"] == 0

    # ACTIVE: the cadre's own youth, minor or not.
    accept = "mutation($id: ID!) { acceptContact(id: $id) { status } }"
    assert (await api.gql(accept, {"id": contact}, token=yt)).data
    assert (await api.gql(feed, token=yt)).data["myFeed"]["totalCount"] == 1
    assert (await api.gql(VOICE, {"c": cadre_gid}, token=yt)).data
    mine = (await api.gql(MINE, token=ct)).data["myContacts"]["nodes"]
    assert mine[0]["youth"] == {"mobile": "13500000001", "birthDate": "2012-03-01"}
    log = await api.gql(
        CONTACT, {"y": y, "c": "PHONE", "at": hours_ago(0.1), "text": "谈心"}, token=ct
    )
    log_id = log.data["logContact"]["id"]
    assert (await api.gql(LOG, {"id": log_id}, token=ct)).data["workLog"]["youth"] == {
        "mobile": "13500000001",
        "birthDate": "2012-03-01",
    }

    # LEFT: nothing remains, not even through the cadre's own earlier log.
    leave = "mutation($id: ID!) { leaveContact(id: $id) { status } }"
    assert (await api.gql(leave, {"id": contact}, token=yt)).data
    assert (await api.gql(LOG, {"id": log_id}, token=ct)).data["workLog"]["youth"] in (
        None,
        {"mobile": "135****0001", "birthDate": None},
    )
    ended = (await api.gql(MINE, {"s": "LEFT"}, token=ct)).data["myContacts"]["nodes"]
    assert ended[0]["youth"] in (None, {"mobile": "135****0001", "birthDate": None})
    before = await snapshot(api.services)
    again = await api.gql(
        CONTACT, {"y": y, "c": "PHONE", "at": hours_ago(0.1), "text": "再谈"}, token=ct
    )
    assert again.codes == ["NOT_FOUND"]
    assert await snapshot(api.services) == before
    assert (await api.gql(feed, token=yt)).data["myFeed"]["totalCount"] == 0
