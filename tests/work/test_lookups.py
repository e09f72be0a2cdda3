"""Lookups by a natural key (mobile) tell nothing about youth outside the caller's scope: an
invitation answers the same whether or not the number is registered, and an import reports
the same outcome for a number registered elsewhere as for a new one."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from models import Contact, Youth
from tests.helpers import add_user, add_youth_account, gid, snapshot, standard_tree
from tests.work.test_contacts import IMPORT, xlsx

INVITE = """mutation($n: String!, $m: String!) { addYouthToMyList(name: $n, mobile: $m) {
  status acceptedAt youth { id name mobile birthDate org { name } } } }"""


async def registered_elsewhere(api, tree) -> tuple[Youth, str]:
    """A minor registered in another city (B1), with an account."""
    youth, user = await add_youth_account(
        api.services, "远方", "13800000001", tree["B1"], birth_date=date(2012, 3, 1)
    )
    return youth, await api.token_for(user.id)


async def test_an_invitation_by_mobile_answers_the_same_whether_registered_or_not(api) -> None:
    tree = await standard_tree(api.services)
    _, yt = await registered_elsewhere(api, tree)
    cadre = await add_user(api.services, "c1", org=tree["A1"], roles=("cadre",))
    t = await api.token_for(cadre.id)
    known = await api.gql(INVITE, {"n": "随便", "m": "13800000001"}, token=t)
    new = await api.gql(INVITE, {"n": "随便", "m": "13800000002"}, token=t)
    assert (
        known.body
        == new.body
        == {"data": {"addYouthToMyList": {"status": "INVITED", "acceptedAt": None, "youth": None}}}
    )
    for mobile in ("13800000001", "13800000003"):  # bad input is refused alike
        bad = await api.gql(INVITE, {"n": "", "m": mobile}, token=t)
        assert (
            bad.codes == ["BAD_USER_INPUT"] and bad.body["errors"][0]["message"] == "姓名不能为空"
        )
    found = "query($s: String) { myContacts(search: $s) { totalCount } }"
    for term in ("远", "随"):  # a registered name, the typed one: neither is matched yet
        assert (await api.gql(found, {"s": term}, token=t)).data["myContacts"]["totalCount"] == 0
    mine = "{ myContacts { nodes { status youth { name mobile birthDate } } } }"
    assert [n["youth"] for n in (await api.gql(mine, token=t)).data["myContacts"]["nodes"]] == [
        None,
        None,
    ]
    # Once the youth accepts, their cadre sees who they are, whole.
    pending = (await api.gql("{ myContacts { nodes { id } } }", token=yt)).data["myContacts"]
    accept = "mutation($id: ID!) { acceptContact(id: $id) { status } }"
    assert (await api.gql(accept, {"id": pending["nodes"][0]["id"]}, token=yt)).data
    shown = [n["youth"] for n in (await api.gql(mine, token=t)).data["myContacts"]["nodes"]]
    assert {"name": "远方", "mobile": "13800000001", "birthDate": "2012-03-01"} in shown
    assert (await api.gql(found, {"s": "远"}, token=t)).data["myContacts"]["totalCount"] == 1


async def test_an_inviter_who_may_view_the_youth_sees_them_at_once(api) -> None:
    tree = await standard_tree(api.services)
    youth, _ = await add_youth_account(api.services, "本县", "13800000011", tree["A1x"])
    boss = await add_user(api.services, "boss", org=tree["A1"], roles=("cadre", "county_admin"))
    r = await api.gql(INVITE, {"n": "x", "m": "13800000011"}, token=await api.token_for(boss.id))
    assert r.data["addYouthToMyList"]["youth"]["id"] == gid("Youth", youth.id)
    assert r.data["addYouthToMyList"]["youth"]["mobile"] == "138****0011"  # not theirs yet


async def test_an_import_is_no_oracle_over_numbers_registered_elsewhere(api) -> None:
    tree = await standard_tree(api.services)
    far, _ = await registered_elsewhere(api, tree)
    await add_youth_account(api.services, "本县", "13800000011", tree["A1x"])
    rows = [["姓名", "手机号"], ["甲", "13800000001"], ["乙", "13800000009"], ["丙", "13800000011"]]
    file = xlsx(rows)

    def outcomes(report):
        return [(x["outcome"], x["reason"]) for x in report["rows"]]

    boss = await add_user(api.services, "boss", org=tree["A1"], roles=("cadre", "county_admin"))
    scoped = (
        await api.gql(
            IMPORT, {"f": "a.xlsx", "c": file, "v": False}, token=await api.token_for(boss.id)
        )
    ).data["importYouth"]
    # Only a youth the importer may view anyway is told apart; B1's is "invited" like a new one.
    assert outcomes(scoped) == [("INVITED", ""), ("INVITED", ""), ("MATCHED", "")]
    cadre = await add_user(api.services, "c1", org=tree["A1"], roles=("cadre",))
    plain = (
        await api.gql(
            IMPORT, {"f": "a.xlsx", "c": file, "v": False}, token=await api.token_for(cadre.id)
        )
    ).data["importYouth"]
    assert outcomes(plain) == [("INVITED", "")] * 3  # all three are registered by now
    assert (plain["invited"], plain["matched"]) == (3, 0)
    async with api.services.sessionmaker() as s:
        kept = await s.get(Youth, far.id)
        invited = await s.scalar(
            sa.select(sa.func.count()).select_from(Contact).where(Contact.youth_id == far.id)
        )
    assert (kept.name, kept.org_id, invited) == ("远方", tree["B1"].id, 2)  # invited, untouched
    # With a bad row, nothing at all is written, whoever the numbers belong to.
    other = await api.token_for((await add_user(api.services, "c2", org=tree["A2"])).id)
    before = await snapshot(api.services)
    bad = xlsx([*rows, ["", "13800000012"]])
    r = await api.gql(IMPORT, {"f": "a.xlsx", "c": bad, "v": False}, token=other)
    assert r.data["importYouth"]["written"] is False
    assert await snapshot(api.services) == before
