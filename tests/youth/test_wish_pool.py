"""The wish pool upward (§二.1): county → city → province after the configured waits, called
as a scheduled job would call it (with an explicit "now"); resources of any leading organ
above the wish; the pool's path right after a move."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from models import Org, Wish
from resolvers.wishes import escalate_due
from tests.helpers import add_user, gid, pk_of
from tests.youth.test_wishes import RESOURCE, act, pooled_wish

WAITS = {"COUNTY": 14, "CITY": 30}
POOL = "query($o: ID) { wishPool(orgId: $o) { nodes { id poolOrg { name } } } }"
WISH = """query($id: ID!) { wish(id: $id) { status pooledAt poolOrg { name }
  history { nodes { toStatus bySystem note } } } }"""
MOVE = "mutation($id: ID!, $to: ID!) { moveOrg(id: $id, newParentId: $to) { id } }"


async def pooled_at(api, wish: str) -> datetime:
    async with api.services.sessionmaker() as s:
        at = await s.scalar(sa.select(Wish.pooled_at).where(Wish.id == pk_of(wish)))
    assert at is not None
    return at


async def run(api, now: datetime) -> tuple[int, int]:
    async with api.services.sessionmaker() as s:
        done = await escalate_due(s, now, stale_days=7, waits=WAITS)
        await s.commit()
    return done.to_pool, done.upward


async def pool_names(api, token: str) -> list[str]:
    r = await api.gql(POOL, {"o": None}, token=token)
    return [n["poolOrg"]["name"] for n in r.data["wishPool"]["nodes"]]


async def test_an_unclaimed_wish_climbs_county_city_province_and_runs_are_idempotent(
    people,
) -> None:
    api = people.api
    city = await api.token_for(
        (await add_user(api.services, "cityA", org=people.tree["A"], roles=("city_admin",))).id
    )
    prov = await api.token_for(
        (await add_user(api.services, "prov", org=people.tree["P"], roles=("province_admin",))).id
    )
    w = await pooled_wish(people)
    start = await pooled_at(api, w)

    assert await run(api, start + timedelta(days=13, hours=23)) == (0, 0)
    assert await pool_names(api, people.county) == ["甲一县"]
    assert await run(api, start + timedelta(days=14)) == (0, 1)
    assert await run(api, start + timedelta(days=14)) == (0, 0)  # the same "now": nothing
    # The county's pool no longer holds it; the city's does, and the county may not claim it.
    assert await pool_names(api, people.county) == []
    assert await pool_names(api, city) == ["甲市"]
    res = (
        await api.gql(
            RESOURCE, {"o": gid("Org", people.tree["A1"].id), "cap": 1}, token=people.county
        )
    ).data["addResource"]
    assert (await act(api, people.county, w, "CLAIM", resource=res["id"])).codes == ["FORBIDDEN"]

    assert await run(api, start + timedelta(days=43)) == (0, 0)
    assert await run(api, start + timedelta(days=44)) == (0, 1)
    assert await pool_names(api, city) == []
    assert await pool_names(api, prov) == ["省"]
    assert await run(api, start + timedelta(days=400)) == (0, 0)  # the province's is the top

    r = (await api.gql(WISH, {"id": w}, token=prov)).data["wish"]
    assert r["status"] == "ESCALATED" and r["poolOrg"]["name"] == "省"
    assert datetime.fromisoformat(r["pooledAt"]) == start + timedelta(days=44)
    moves = [h for h in r["history"]["nodes"] if h["bySystem"]]
    assert [h["note"] for h in moves] == [
        "在心愿池中 14 天未被认领，升至甲市心愿池",
        "在心愿池中 30 天未被认领，升至省心愿池",
    ]


async def test_a_late_run_ends_where_punctual_runs_would_have(people) -> None:
    api = people.api
    w = await pooled_wish(people)
    start = await pooled_at(api, w)
    # One run 50 days on: both waits have passed, so the wish is in the province's pool,
    # and entered it when it was due to (day 44), not at the run.
    assert await run(api, start + timedelta(days=50)) == (0, 2)
    async with api.services.sessionmaker() as s:
        wish = await s.get(Wish, pk_of(w))
    assert wish is not None and wish.pool_org_id == people.tree["P"].id
    assert wish.pooled_at == start + timedelta(days=44)


async def test_an_untouched_wish_enters_the_pool_then_climbs_on_the_same_clock(people) -> None:
    api = people.api
    from tests.youth.test_wishes import SUBMIT

    w = (await api.gql(SUBMIT, {"c": people.cadre_id}, token=people.youth)).data["submitWish"]["id"]
    async with api.services.sessionmaker() as s:
        submitted = await s.scalar(sa.select(Wish.updated_at).where(Wish.id == pk_of(w)))
    assert await run(api, submitted + timedelta(days=7, seconds=1)) == (1, 0)
    assert await pooled_at(api, w) == submitted + timedelta(days=7, seconds=1)
    assert await run(api, submitted + timedelta(days=7, seconds=1)) == (0, 0)
    assert await run(api, submitted + timedelta(days=21, seconds=1)) == (0, 1)


async def test_a_resource_of_any_leading_organ_above_the_wish_serves_it(people) -> None:
    api = people.api
    tree = people.tree
    city = await api.token_for(
        (await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))).id
    )
    prov = await api.token_for(
        (await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))).id
    )
    w = await pooled_wish(people)  # in the county's pool
    city_res = await api.gql(RESOURCE, {"o": gid("Org", tree["A"].id), "cap": 2}, token=city)
    city_res = city_res.data["addResource"]["id"]
    sibling_res = await api.gql(RESOURCE, {"o": gid("Org", tree["B"].id), "cap": 2}, token=prov)
    sibling_res = sibling_res.data["addResource"]["id"]
    # The county may not spend the city's resource; nobody may spend a sibling city's.
    assert (await act(api, people.county, w, "CLAIM", resource=city_res)).codes == ["NOT_FOUND"]
    assert (await act(api, prov, w, "CLAIM", resource=sibling_res)).codes == ["NOT_FOUND"]
    # The city serves a wish still in the county's pool with its own resource.
    r = await act(api, city, w, "CLAIM", resource=city_res)
    assert r.data["actOnWish"]["status"] == "CLAIMED"
    used = await api.gql(
        "{ resources(validOnly: false) { nodes { donor used org { name } } } }", token=city
    )
    assert {"donor": "爱心企业", "used": 1, "org": {"name": "甲市"}} in used.data["resources"][
        "nodes"
    ]


async def test_the_resources_that_may_serve_a_wish_are_those_of_every_organ_above_it(
    people,
) -> None:
    """resources(forWish:) lists what a claim would accept: the county's, the city's and the
    province's resources, not a sibling city's, whatever `under` the caller's scope has."""
    api, tree = people.api, people.tree
    prov = await api.token_for(
        (await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))).id
    )
    w = await pooled_wish(people)  # in the county's pool
    donors = {}
    for at in ("P", "A", "A1", "B"):
        r = await api.gql(RESOURCE, {"o": gid("Org", tree[at].id), "cap": 2}, token=prov)
        donors[r.data["addResource"]["id"]] = at
    q = "query($w: ID) { resources(forWish: $w, first: 50) { nodes { id } } }"
    listed = (await api.gql(q, {"w": w}, token=prov)).data["resources"]["nodes"]
    assert sorted(donors[n["id"]] for n in listed if n["id"] in donors) == ["A", "A1", "P"]
    for n in listed:  # every one is accepted by the claim (the first: one claim per wish)
        assert donors.get(n["id"]) != "B"
    first = listed[0]["id"]
    assert (await act(api, prov, w, "CLAIM", resource=first)).data["actOnWish"]["status"] == (
        "CLAIMED"
    )
    other = await api.gql(q, {"w": gid("Wish", 999_999)}, token=prov)
    assert other.codes == ["NOT_FOUND"]


async def test_after_a_move_the_pool_is_still_above_the_wish(people) -> None:
    api = people.api
    tree = people.tree
    prov = await api.token_for(
        (await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))).id
    )
    w = await pooled_wish(people)
    start = await pooled_at(api, w)
    assert await run(api, start + timedelta(days=14)) == (0, 1)  # now in 甲市's pool

    async def pool_of() -> tuple[int | None, str | None, str]:
        async with api.services.sessionmaker() as s:
            wish = await s.get(Wish, pk_of(w))
            assert wish is not None and wish.pool_org_id is not None
            org = await s.get(Org, wish.pool_org_id)
            assert org is not None
            return wish.pool_org_id, wish.pool_org_path, org.path

    # Within the city (the branch to another county): the city's pool is still above it.
    r = await api.gql(
        MOVE, {"id": gid("Org", tree["A1x"].id), "to": gid("Org", tree["A2"].id)}, token=prov
    )
    assert r.data
    org_id, path, org_path = await pool_of()
    assert org_id == tree["A"].id and path == org_path
    # To another city: 甲市 is above it no more, so the nearest leading organ above (甲二县,
    # now under 乙市) holds it, its path the county's new one, and its wait starts again.
    r = await api.gql(
        MOVE, {"id": gid("Org", tree["A2"].id), "to": gid("Org", tree["B"].id)}, token=prov
    )
    assert r.data
    org_id, path, org_path = await pool_of()
    assert org_id == tree["A2"].id and path == org_path and path.startswith(tree["B"].path + ".")
    assert start <= await pooled_at(api, w) < start + timedelta(days=1)
