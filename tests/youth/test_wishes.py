"""Wishes: the state machine, the pool, racing claims, automatic escalation, privacy."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import sqlalchemy as sa

from models import Wish, WishEvent
from resolvers.wishes import TRANSITIONS, WishAction, escalate_stale
from tests.helpers import add_user, gid, snapshot

SUBMIT = """mutation($c: ID!) { submitWish(cadreId: $c, category: STUDY, title: "想要一套考研资料",
  description: "家里困难，希望得到帮助") { id status allowedActions { action } } }"""
ACT = """mutation($id: ID!, $a: WishAction!, $note: String!, $ev: String, $r: ID) {
  actOnWish(id: $id, action: $a, note: $note, evidence: $ev, resourceId: $r) { status reason evidence
    history { nodes { fromStatus toStatus bySystem } } } }"""


async def act(api, token, wish, action, note="", evidence=None, resource=None):
    return await api.gql(
        ACT, {"id": wish, "a": action, "note": note, "ev": evidence, "r": resource}, token=token
    )


async def test_cadre_path_submit_accept_fulfil_confirm(people) -> None:
    api = people.api
    w = (await api.gql(SUBMIT, {"c": people.cadre_id}, token=people.youth)).data["submitWish"]
    assert w["status"] == "SUBMITTED" and {a["action"] for a in w["allowedActions"]} == {"WITHDRAW"}
    assert (await act(api, people.cadre, w["id"], "ACCEPT")).data["actOnWish"][
        "status"
    ] == "ACCEPTED"
    r = await act(api, people.cadre, w["id"], "FULFIL", evidence="已送到小明手中")
    assert r.data["actOnWish"]["evidence"] == "已送到小明手中"
    done = (await act(api, people.youth, w["id"], "CONFIRM")).data["actOnWish"]
    assert done["status"] == "CONFIRMED"
    assert [(h["fromStatus"], h["toStatus"]) for h in done["history"]["nodes"]] == [
        (None, "SUBMITTED"),
        ("SUBMITTED", "ACCEPTED"),
        ("ACCEPTED", "FULFILLED"),
        ("FULFILLED", "CONFIRMED"),
    ]


async def test_every_illegal_transition_is_refused_and_changes_nothing(people) -> None:
    api = people.api
    w = (await api.gql(SUBMIT, {"c": people.cadre_id}, token=people.youth)).data["submitWish"]["id"]
    legal_from_submitted = {a for (frm, a) in TRANSITIONS if frm.value == "SUBMITTED"}
    before = await snapshot(api.services)
    for action in WishAction:
        if action in legal_from_submitted:
            continue
        for token in (people.youth, people.cadre):
            r = await act(api, token, w, action.value, note="x", evidence="x")
            assert r.codes == ["CONFLICT"], (action, r.body)
            assert r.body["errors"][0]["extensions"]["reason"] == "ILLEGAL_TRANSITION"
    # Legal steps by the wrong person: refused too.
    assert (await act(api, people.youth, w, "ACCEPT")).codes == ["FORBIDDEN"]
    assert (await act(api, people.cadre, w, "WITHDRAW")).codes == ["FORBIDDEN"]
    assert (await act(api, people.cadre, w, "REJECT", note="")).codes == [
        "BAD_USER_INPUT"
    ]  # a reason
    assert await snapshot(api.services) == before
    # And a terminal state takes nothing at all.
    assert (await act(api, people.youth, w, "WITHDRAW")).data["actOnWish"]["status"] == "WITHDRAWN"
    for action in WishAction:
        r = await act(api, people.youth, w, action.value, note="x", evidence="x")
        assert r.codes == ["CONFLICT"], action


async def test_a_youth_never_sees_another_youths_wish(people) -> None:
    api = people.api
    w = (await api.gql(SUBMIT, {"c": people.cadre_id}, token=people.youth)).data["submitWish"]["id"]
    for token in (people.other_youth, people.stranger):
        assert (
            await api.gql("query($id: ID!) { wish(id: $id) { title } }", {"id": w}, token=token)
        ).codes == ["NOT_FOUND"]
        assert (await act(api, token, w, "WITHDRAW")).codes == ["NOT_FOUND"]
        assert (await api.gql("{ myWishes { totalCount } }", token=token)).data["myWishes"][
            "totalCount"
        ] == 0
    # A stranger cannot address a cadre who does not contact them.
    assert (await api.gql(SUBMIT, {"c": people.cadre_id}, token=people.stranger)).codes == [
        "NOT_FOUND"
    ]
    # The cadre sees the whole mobile number of their youth; a county leader sees it masked.
    q = "query($id: ID!) { wish(id: $id) { youth { mobile } } }"
    assert (await api.gql(q, {"id": w}, token=people.cadre)).data["wish"]["youth"][
        "mobile"
    ] == "13200000001"
    assert (await api.gql(q, {"id": w}, token=people.county)).data["wish"]["youth"][
        "mobile"
    ] == "132****0001"


async def pooled_wish(people) -> str:
    api = people.api
    w = (await api.gql(SUBMIT, {"c": people.cadre_id}, token=people.youth)).data["submitWish"]["id"]
    r = await act(api, people.cadre, w, "ESCALATE", note="需要企业资源")
    assert r.data["actOnWish"]["status"] == "ESCALATED"
    return w


RESOURCE = """mutation($o: ID!, $cap: Int!) { addResource(orgId: $o, donor: "爱心企业", kind: COMPANY, capacity: $cap,
  validFrom: "2020-01-01", validUntil: "2099-12-31") { id capacity used } }"""


async def test_pool_claim_and_fulfil_by_the_leading_organ(people) -> None:
    api = people.api
    w = await pooled_wish(people)
    pool = await api.gql(
        "{ wishPool(category: STUDY) { totalCount nodes { id poolOrg { name } } } }",
        token=people.county,
    )
    assert pool.data["wishPool"]["nodes"] == [{"id": w, "poolOrg": {"name": "甲一县"}}]
    res = (
        await api.gql(
            RESOURCE, {"o": gid("Org", people.tree["A1"].id), "cap": 5}, token=people.county
        )
    ).data["addResource"]
    assert (await act(api, people.cadre, w, "CLAIM", resource=res["id"])).codes == ["FORBIDDEN"]
    claimed = await act(api, people.county, w, "CLAIM", resource=res["id"])
    assert claimed.data["actOnWish"]["status"] == "CLAIMED"
    r = await act(api, people.county, w, "FULFIL", evidence="企业已寄送资料")
    assert r.data["actOnWish"]["status"] == "FULFILLED"
    assert (await act(api, people.youth, w, "CONFIRM")).data["actOnWish"]["status"] == "CONFIRMED"
    used = await api.gql("{ resources(validOnly: false) { nodes { used } } }", token=people.county)
    assert used.data["resources"]["nodes"] == [{"used": 1}]


async def test_two_racing_claims_exactly_one_wins(people, database_url) -> None:
    api = people.api
    w = await pooled_wish(people)
    res = (
        await api.gql(
            RESOURCE, {"o": gid("Org", people.tree["A1"].id), "cap": 5}, token=people.county
        )
    ).data["addResource"]
    other_admin = await add_user(
        api.services, "county2", org=people.tree["A1"], roles=("county_admin",)
    )
    tokens = [people.county, await api.token_for(other_admin.id)]
    results = await asyncio.gather(*(act(api, t, w, "CLAIM", resource=res["id"]) for t in tokens))
    codes = sorted(str(r.codes) for r in results)
    assert codes == ["['CONFLICT']", "[]"], [r.body for r in results]
    async with api.services.sessionmaker() as s:
        wish = await s.get(Wish, int(__import__("tests.helpers", fromlist=["pk_of"]).pk_of(w)))
        claims = await s.scalar(
            sa.select(sa.func.count())
            .select_from(WishEvent)
            .where(WishEvent.to_status == "CLAIMED")
        )
    assert wish.status.value == "CLAIMED" and claims == 1
    used = await api.gql("{ resources(validOnly: false) { nodes { used } } }", token=people.county)
    assert used.data["resources"]["nodes"] == [{"used": 1}]


async def test_untouched_wishes_escalate_by_themselves(people) -> None:
    api = people.api
    w = (await api.gql(SUBMIT, {"c": people.cadre_id}, token=people.youth)).data["submitWish"]["id"]
    fresh = (await api.gql(SUBMIT, {"c": people.cadre_id}, token=people.other_youth)).data[
        "submitWish"
    ]["id"]
    days = api.services.settings.wish_escalate_days
    from tests.helpers import pk_of

    async with api.services.sessionmaker() as s:
        await s.execute(
            sa.update(Wish)
            .where(Wish.id == pk_of(w))
            .values(updated_at=sa.func.now() - sa.text(f"interval '{days + 1} days'"))
        )
        await s.commit()
        assert await escalate_stale(s, days) == 1
        await s.commit()
    r = await api.gql(
        "query($id: ID!) { wish(id: $id) { status poolOrg { name } history { nodes { toStatus bySystem } } } }",
        {"id": w},
        token=people.youth,
    )
    # The youth follows the wish; the pool's organ is the county's to see, not the youth's.
    assert r.data["wish"]["status"] == "ESCALATED" and r.data["wish"]["poolOrg"] is None
    pool = await api.gql(
        "query($id: ID!) { wish(id: $id) { poolOrg { name } } }", {"id": w}, token=people.county
    )
    assert pool.data["wish"]["poolOrg"]["name"] == "甲一县"
    assert r.data["wish"]["history"]["nodes"][-1] == {"toStatus": "ESCALATED", "bySystem": True}
    r = await api.gql(
        "query($id: ID!) { wish(id: $id) { status } }", {"id": fresh}, token=people.other_youth
    )
    assert r.data["wish"]["status"] == "SUBMITTED"
    assert date.today() - timedelta(days=1)
