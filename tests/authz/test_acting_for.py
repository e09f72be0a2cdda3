"""Acting for (代管): every write a delegated grant allows carries the mark, whichever path
writes it (wishes, voices, industry tags …); the mark belongs to that one write, never to
the rest of the request; and the user's own grant wins over a delegated one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from models import AuditEntry, Grant
from tests.helpers import add_grant, add_user, add_youth, gid
from tests.youth.conftest import People, people  # noqa: F401 (the fixture)
from tests.youth.test_wishes import RESOURCE, act, pooled_wish


async def delegated(services, user_id: int, role: str, org, by: int) -> int:
    """A live delegated grant, as `delegateRole` leaves it."""
    now = datetime.now(UTC)
    async with services.sessionmaker() as s:
        g = Grant(
            user_id=user_id,
            role=role,
            org_id=org.id,
            org_path=org.path,
            city_id=org.city_id,
            granted_by=by,
            delegated_by=by,
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(days=1),
        )
        s.add(g)
        await s.commit()
        return g.id


async def marks(services, action: str) -> list[int | None]:
    async with services.sessionmaker() as s:
        return list(
            await s.scalars(
                sa.select(AuditEntry.acting_for_user_id)
                .where(AuditEntry.action == action)
                .order_by(AuditEntry.id)
            )
        )


async def test_wish_voice_and_industry_writes_through_a_delegation_are_marked(
    people: People,  # noqa: F811
) -> None:
    api, tree = people.api, people.tree
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    deputy = await add_user(api.services, "deputy", org=tree["A2"], roles=("cadre",))
    await delegated(api.services, deputy.id, "city_admin", tree["A"], city.id)
    dt = await api.token_for(deputy.id)
    # A wish in the county's pool, claimed by the deputy through the city's wish:manage.
    w = await pooled_wish(people)
    res = (
        await api.gql(RESOURCE, {"o": gid("Org", tree["A1"].id), "cap": 5}, token=people.county)
    ).data["addResource"]
    assert (await act(api, dt, w, "CLAIM", resource=res["id"])).data["actOnWish"][
        "status"
    ] == "CLAIMED"
    # The youth's own steps and the cadre's own steps act for nobody.
    assert await marks(api.services, "wish.transition") == [None, None, city.id]
    # A voice to the county, answered by the deputy through the city's voice:view.
    v = await api.gql(
        """mutation($o: ID) { sendVoice(kind: QUESTION, title: "实习", body: "有没有实习岗位？",
        orgId: $o) { id } }""",
        {"o": gid("Org", tree["A1"].id)},
        token=people.youth,
    )
    r = await api.gql(
        'mutation($id: ID!) { replyVoice(id: $id, body: "下周发布") { status } }',
        {"id": v.data["sendVoice"]["id"]},
        token=dt,
    )
    assert r.data["replyVoice"]["status"] == "ANSWERED"
    assert await marks(api.services, "voice.reply") == [city.id]
    # Industry tags, a batch: each youth's own reason decides its mark.
    y = await add_youth(api.services, "甲二", "13500000001", tree["A1x"])
    r = await api.gql(
        'mutation($ids: [ID!]!) { setYouthIndustry(youthIds: $ids, industry: "制造业") { industry } }',
        {"ids": [gid("Youth", y.id)]},
        token=dt,
    )
    assert r.data, r.body
    assert await marks(api.services, "youth.industry") == [city.id]


CREATE_TWO = """mutation($a: ID!, $b: ID!) {
  viaDelegation: createYouth(input: {orgId: $a, name: "代管登记", mobile: "13300001111"}) { id }
  viaOwnGrant: createYouth(input: {orgId: $b, name: "本职登记", mobile: "13300002222"}) { id } }"""


async def test_the_mark_is_per_write_and_own_grants_win(api) -> None:
    from tests.helpers import standard_tree

    tree = await standard_tree(api.services)
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    deputy = await add_user(api.services, "deputy", org=tree["A2"], roles=("cadre",))
    # The delegated grant is the older one (the lower id): the own grant must still win
    # wherever both allow (A2 lies under both), whatever order the grants load in.
    await delegated(api.services, deputy.id, "city_admin", tree["A"], city.id)
    await add_grant(api.services, deputy.id, "county_admin", tree["A2"])
    r = await api.gql(
        CREATE_TWO,
        {"a": gid("Org", tree["A1"].id), "b": gid("Org", tree["A2"].id)},
        token=await api.token_for(deputy.id),
    )
    assert r.data, r.body
    # A1 only through the delegation: marked; A2 by the deputy's own county grant: not,
    # though it comes after a delegated write in the same request.
    assert await marks(api.services, "youth.create") == [city.id, None]
    # Alone in its request, a write both grants allow is the own grant's.
    r = await api.gql(
        'mutation($o: ID!) { createYouth(input: {orgId: $o, name: "再登记", mobile: "13300003333"}) { id } }',
        {"o": gid("Org", tree["A2"].id)},
        token=await api.token_for(deputy.id),
    )
    assert r.data, r.body
    assert await marks(api.services, "youth.create") == [city.id, None, None]
