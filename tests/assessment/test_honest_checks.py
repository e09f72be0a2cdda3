"""Honest checks (issue 16, item 5) and findings flowing down (item 4): the checker calls the
real numbers of their sample while the check runs (a field grant tied to it, every read
logged), nobody samples, checks or reviews their own records, commissioned checks by an
outside account bounded in scope and time; once a check is over each checked org reads its
own findings, and its siblings nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from models import FieldGrant, Flag, PersonalDataRead, SpotCheck, WorkLog
from tests.helpers import accept_invitations, add_user, gid, league_today, pk_of
from tests.work.conftest import ADD, make_cadre

DRAW = """mutation($o: ID!, $m: SpotCheckMethod!, $n: Int!, $f: Date!, $t: Date!, $c: ID, $e: DateTime) {
  drawSpotCheck(orgId: $o, method: $m, sampleSize: $n, seed: 1, dateFrom: $f, dateTo: $t,
                checkerUserId: $c, endsAt: $e) { id endsAt amChecker } }"""
ITEMS = """query($id: ID!) { spotCheck(id: $id) { id closedAt passRate amChecker }
  items: spotCheckItems(spotCheckId: $id) { totalCount nodes { id youthName youthMobile reached
    confirmed log { id content } stratumOrg { id } } } }"""
RECORD = """mutation($id: ID!) { recordSpotCheck(itemId: $id, reached: true, confirmed: true,
  satisfaction: 5, notes: "电话核实") { id reached confirmed } }"""
CLOSE = "mutation($id: ID!) { closeSpotCheck(id: $id) { closedAt } }"


def _draw_args(world, org: str, method: str = "PHONE", n: int = 6, **extra):
    today = league_today(world.api.services)
    return {
        "o": gid("Org", world.tree[org].id),
        "m": method,
        "n": n,
        "f": (today - timedelta(days=2)).isoformat(),
        "t": today.isoformat(),
        **extra,
    }


async def _two_counties(world) -> tuple[str, str]:
    """Contacts logged in A1 (the world's cadre) and A2 (a second cadre): tokens of each
    county's admin."""
    api = world.api
    for y in world.youth_ids:
        await world.contact(y)
    _, other, youth = await make_cadre(api, world.tree, "worker2", "A2", 3, 500)
    for y in youth:
        await world.contact(y, token=other)
    a1 = await add_user(api.services, "adminA1", org=world.tree["A1"], roles=("county_admin",))
    a2 = await add_user(api.services, "adminA2", org=world.tree["A2"], roles=("county_admin",))
    return await api.token_for(a1.id), await api.token_for(a2.id)


async def _reads(api, user_id: int) -> int:
    async with api.services.sessionmaker() as s:
        return int(
            await s.scalar(
                sa.select(sa.func.count()).where(PersonalDataRead.viewer_user_id == user_id)
            )
            or 0
        )


async def test_the_checker_calls_real_numbers_while_the_check_runs(world) -> None:
    api = world.api
    token_a1, token_a2 = await _two_counties(world)
    prov = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    other_prov = await add_user(
        api.services, "prov2", org=world.tree["P"], roles=("province_admin",)
    )
    t, t2 = await api.token_for(prov.id), await api.token_for(other_prov.id)
    check = (await api.gql(DRAW, _draw_args(world, "A"), token=t)).data["drawSpotCheck"]
    assert check["amChecker"] is True
    real = {f"1330{i:07d}" for i in (0, 1, 2, 500, 501, 502)}

    seen = (await api.gql(ITEMS, {"id": check["id"]}, token=t)).data
    seen = {**seen["spotCheck"], "items": seen["items"]}
    mobiles = {i["youthMobile"] for i in seen["items"]["nodes"]}
    assert mobiles == real and seen["items"]["totalCount"] == 6
    assert all(i["log"]["content"] == "谈了谈就业" for i in seen["items"]["nodes"])
    # Every whole read is logged, one per number shown.
    assert await _reads(api, prov.id) == 6
    # Another approver above sees the sample, masked, and may not record on it.
    theirs = (await api.gql(ITEMS, {"id": check["id"]}, token=t2)).data
    theirs = {**theirs["spotCheck"], "items": theirs["items"]}
    assert theirs["amChecker"] is False
    assert all("****" in i["youthMobile"] for i in theirs["items"]["nodes"])
    assert await _reads(api, other_prov.id) == 0
    item = seen["items"]["nodes"][0]["id"]
    assert (await api.gql(RECORD, {"id": item}, token=t2)).codes == ["FORBIDDEN"]
    # The checked counties do not see which of their records are sampled while it runs.
    for token in (token_a1, token_a2):
        assert set((await api.gql(ITEMS, {"id": check["id"]}, token=token)).codes) == {"NOT_FOUND"}
    assert (await api.gql(RECORD, {"id": item}, token=t)).data["recordSpotCheck"]["reached"]

    # Closing ends the checker's rights and the field grant of the numbers.
    assert (await api.gql(CLOSE, {"id": check["id"]}, token=token_a1)).codes == ["NOT_FOUND"]
    closed = await api.gql(CLOSE, {"id": check["id"]}, token=t)
    assert closed.data["closeSpotCheck"]["closedAt"] is not None
    after = (await api.gql(ITEMS, {"id": check["id"]}, token=t)).data
    after = {**after["spotCheck"], "items": after["items"]}
    assert after["amChecker"] is False
    assert all("****" in i["youthMobile"] for i in after["items"]["nodes"])
    assert await _reads(api, prov.id) == 6
    assert (await api.gql(RECORD, {"id": item}, token=t)).codes == ["FORBIDDEN"]
    async with api.services.sessionmaker() as s:
        grant = await s.scalar(
            sa.select(FieldGrant).where(FieldGrant.spot_check_id == pk_of(check["id"]))
        )
        assert grant is not None and grant.user_id == prov.id and grant.revoked_at is not None

    # Findings flow down: each county reads its own three, never its sibling's.
    a1_org, a2_org = gid("Org", world.tree["A1"].id), gid("Org", world.tree["A2"].id)
    for token, own in ((token_a1, a1_org), (token_a2, a2_org)):
        got = (await api.gql(ITEMS, {"id": check["id"]}, token=token)).data
        nodes = got["items"]["nodes"]
        assert got["items"]["totalCount"] == 3 and {i["stratumOrg"]["id"] for i in nodes} == {own}
        assert all("****" in i["youthMobile"] for i in nodes)
    listed = await api.gql("{ spotChecks { nodes { id } } }", token=token_a1)
    assert listed.data["spotChecks"]["nodes"] == [{"id": check["id"]}]
    city_b = await add_user(api.services, "adminB1", org=world.tree["B1"], roles=("county_admin",))
    token_b1 = await api.token_for(city_b.id)
    assert set((await api.gql(ITEMS, {"id": check["id"]}, token=token_b1)).codes) == {"NOT_FOUND"}
    assert (await api.gql("{ spotChecks { nodes { id } } }", token=token_b1)).data["spotChecks"][
        "nodes"
    ] == []


async def test_nobody_samples_checks_or_reviews_their_own_records(world) -> None:
    api = world.api
    for y in world.youth_ids:
        await world.contact(y)
    # A county admin who is a cadre of the county: their own records lie in it.
    admin = await add_user(api.services, "adminA1", org=world.tree["A1"], roles=("county_admin",))
    ta = await api.token_for(admin.id)
    own = await api.gql(DRAW, _draw_args(world, "A1"), token=ta)
    assert own.codes == ["FORBIDDEN"] and own.error("FORBIDDEN")["extensions"]["reason"] == (
        "OWN_RECORDS"
    )
    # Nor may the level above name a checker whose records are in the sample's subtree.
    prov = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    t = await api.token_for(prov.id)
    inside = await api.gql(
        DRAW, _draw_args(world, "A", c=gid("User", world.cadre_user.id)), token=t
    )
    assert inside.error("FORBIDDEN")["extensions"]["reason"] == "OWN_RECORDS"
    # Reviewing a flag on one's own log is refused; on another's it is allowed.
    assert (await api.gql(ADD, {"m": "13312345678"}, token=ta)).data
    (youth,) = await accept_invitations(api.services, admin)
    mine = await world.contact(gid("Youth", youth), token=ta)
    theirs = (await api.gql("{ workLogs { nodes { id } } }", token=world.token)).data["workLogs"]
    async with api.services.sessionmaker() as s:
        for log_id in (pk_of(mine), pk_of(theirs["nodes"][0]["id"])):
            log = await s.get(WorkLog, log_id)
            assert log is not None
            s.add(
                Flag(
                    log_id=log.id,
                    cadre_id=log.cadre_id,
                    kind="BURST",
                    status="OPEN",
                    org_id=log.org_id,
                    org_path=log.org_path,
                    city_id=log.city_id,
                )
            )
        await s.commit()
        flags = dict((await s.execute(sa.select(Flag.log_id, Flag.id).order_by(Flag.id))).all())
    review = (
        'mutation($id: ID!) { reviewFlag(id: $id, decision: CLEARED, note: "核实") { status } }'
    )
    refused = await api.gql(review, {"id": gid("Flag", flags[pk_of(mine)])}, token=ta)
    assert refused.error("FORBIDDEN")["extensions"]["reason"] == "OWN_RECORDS"
    other = await api.gql(
        review, {"id": gid("Flag", flags[pk_of(theirs["nodes"][0]["id"])])}, token=ta
    )
    assert other.data["reviewFlag"]["status"] == "CLEARED"


async def test_commissioned_check_by_an_outside_account(world) -> None:
    api = world.api
    for y in world.youth_ids:
        await world.contact(y)
    prov = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    t = await api.token_for(prov.id)
    assert (await api.gql(DRAW, _draw_args(world, "A", "COMMISSIONED"), token=t)).codes == [
        "BAD_USER_INPUT"
    ]
    # 委托团省委机关下沉干部: an account with no rights of its own in the subtree.
    outsider = await add_user(api.services, "xiachen", cadre_kind=None)
    to = await api.token_for(outsider.id)
    ends = datetime.now(UTC) + timedelta(days=2)
    args = _draw_args(world, "A", "COMMISSIONED", c=gid("User", outsider.id), e=ends.isoformat())
    check = (await api.gql(DRAW, args, token=t)).data["drawSpotCheck"]
    assert check["amChecker"] is False  # the drawer is not the checker
    mine = await api.gql("{ spotChecks(assignedToMe: true) { nodes { id amChecker } } }", token=to)
    assert mine.data["spotChecks"]["nodes"] == [{"id": check["id"], "amChecker": True}]
    got = (await api.gql(ITEMS, {"id": check["id"]}, token=to)).data
    nodes = got["items"]["nodes"]
    assert {i["youthMobile"] for i in nodes} == {f"1330{i:07d}" for i in range(3)}
    assert all(i["log"]["content"] for i in nodes)
    assert (await api.gql(RECORD, {"id": nodes[0]["id"]}, token=to)).data["recordSpotCheck"]
    # Scoped: the sample, nothing else of the subtree.
    assert (await api.gql("{ workLogs { nodes { id } } }", token=to)).codes == ["FORBIDDEN"]
    # Time-bound: past its end the account sees nothing of it and records nothing.
    async with api.services.sessionmaker() as s:
        row = await s.get(SpotCheck, pk_of(check["id"]))
        assert row is not None
        row.ends_at = datetime.now(UTC) - timedelta(minutes=1)
        await s.execute(
            sa.update(FieldGrant)
            .where(FieldGrant.spot_check_id == row.id)
            .values(ends_at=row.ends_at)
        )
        await s.commit()
    to = await api.token_for(outsider.id)
    assert set((await api.gql(ITEMS, {"id": check["id"]}, token=to)).codes) == {"NOT_FOUND"}
    assert (await api.gql(RECORD, {"id": nodes[1]["id"]}, token=to)).codes == ["NOT_FOUND"]
    log = nodes[1]["log"]["id"]
    assert (
        await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": log}, token=to)
    ).codes == ["NOT_FOUND"]
    audit = await api.gql('{ auditLog(action: "spotcheck.draw") { nodes { after } } }', token=t)
    assert audit.data["auditLog"]["nodes"][0]["after"]["checker_id"] == outsider.id
