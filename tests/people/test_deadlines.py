"""Deadline views (§四.2) and the activation figure: cadres not signed in by the end of
March, youth not signed in by the end of April, scoped and paged; youth activated, League
members, League age on the dashboard."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from models import AuthSession, ClientKind, Membership, Youth
from tests.helpers import add_user, add_youth, add_youth_account, gid, standard_tree

CST = ZoneInfo("Asia/Shanghai")
CADRES = """query($y: Int, $first: Int) { cadresNotSignedIn(year: $y, first: $first) {
  totalCount pageInfo { hasNextPage } nodes { name } } }"""
YOUTH = """query($y: Int, $o: ID) { youthNotSignedIn(year: $y, under: $o) { totalCount nodes { name } } }"""
ACTIVATION = """query($o: ID!, $to: Date!) { dashboard(orgId: $o, dateTo: $to) { youthActivation {
  youth activated leagueMembers leagueMembersActivated inLeagueAge rate } } }"""


async def signed_in(api, user_id: int, at: datetime) -> None:
    async with api.services.sessionmaker() as s:
        s.add(
            AuthSession(id=uuid.uuid4(), user_id=user_id, client=ClientKind.MOBILE, created_at=at)
        )
        await s.commit()


async def test_cadres_not_signed_in_by_the_end_of_march(api) -> None:
    tree = await standard_tree(api.services)
    early = await add_user(api.services, "early", org=tree["A1"], roles=("cadre",))
    late = await add_user(api.services, "late", org=tree["A2"], roles=("cadre",))
    await add_user(api.services, "elsewhere", org=tree["B1"], roles=("cadre",))
    await signed_in(api, early.id, datetime(2025, 3, 31, 23, 59, tzinfo=CST))
    await signed_in(api, late.id, datetime(2025, 4, 1, 0, 0, tzinfo=CST))
    city = await add_user(api.services, "citya", org=tree["A"], roles=("city_admin",))
    t = await api.token_for(city.id)  # signs in today: long after March 2025
    r = (await api.gql(CADRES, {"y": 2025, "first": 50}, token=t)).data["cadresNotSignedIn"]
    # 乙市's cadre is not the city's to see; the early one signed in in time.
    assert sorted(n["name"] for n in r["nodes"]) == ["citya", "late"]
    assert r["totalCount"] == 2
    page = (await api.gql(CADRES, {"y": 2025, "first": 1}, token=t)).data["cadresNotSignedIn"]
    assert len(page["nodes"]) == 1 and page["pageInfo"]["hasNextPage"] is True
    youth_user = (await add_youth_account(api.services, "小伙伴", "13500000001", tree["A1"]))[1]
    youth_token = await api.token_for(youth_user.id)
    assert (await api.gql(CADRES, {"y": 2025, "first": 5}, token=youth_token)).codes == [
        "FORBIDDEN"
    ]


async def test_youth_not_signed_in_by_the_end_of_april_and_the_activation_figure(api) -> None:
    tree = await standard_tree(api.services)
    y1, u1 = await add_youth_account(
        api.services, "按时", "13500000001", tree["A1"], birth_date=date(2000, 1, 1)
    )
    y2, u2 = await add_youth_account(api.services, "迟到", "13500000002", tree["A1"])
    await add_youth(api.services, "未注册", "13500000003", tree["A1"], birth_date=date(1990, 1, 1))
    await add_youth(api.services, "外市", "13500000004", tree["B1"])
    await signed_in(api, u1.id, datetime(2025, 4, 15, 9, 0, tzinfo=CST))
    await signed_in(api, u2.id, datetime(2025, 5, 3, 9, 0, tzinfo=CST))
    async with api.services.sessionmaker() as s:
        await s.execute(
            sa.update(Youth)
            .where(Youth.id.in_([y1.id, y2.id]))
            .values(membership=Membership.LEAGUE_MEMBER)
        )
        await s.commit()
    county = await add_user(api.services, "county", org=tree["A1"], roles=("county_admin",))
    t = await api.token_for(county.id)
    r = (await api.gql(YOUTH, {"y": 2025, "o": None}, token=t)).data["youthNotSignedIn"]
    assert sorted(n["name"] for n in r["nodes"]) == ["未注册", "迟到"]
    other = await add_user(api.services, "cityb", org=tree["B"], roles=("city_admin",))
    tb = await api.token_for(other.id)
    assert (await api.gql(YOUTH, {"y": 2025, "o": None}, token=tb)).data["youthNotSignedIn"][
        "nodes"
    ] == [{"name": "外市"}]
    assert (await api.gql(YOUTH, {"y": 2025, "o": gid("Org", tree["A1"].id)}, token=tb)).codes == [
        "NOT_FOUND"
    ]

    a1 = gid("Org", tree["A1"].id)
    end_of_april = (await api.gql(ACTIVATION, {"o": a1, "to": "2025-04-30"}, token=t)).data
    assert end_of_april["dashboard"]["youthActivation"] == {
        "youth": 3,
        "activated": 1,
        "leagueMembers": 2,
        "leagueMembersActivated": 1,
        "inLeagueAge": 1,  # 按时 is 25; 未注册 is 35; 迟到's birth date is unknown
        "rate": 0.3333,
    }
    june = (await api.gql(ACTIVATION, {"o": a1, "to": "2025-06-30"}, token=t)).data
    assert june["dashboard"]["youthActivation"]["activated"] == 2
    assert june["dashboard"]["youthActivation"]["leagueMembersActivated"] == 2
