"""Points: rules with daily caps, an append-only ledger, reversals, rankings and snapshots."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.main import Services
from models import PointEntry, PointSnapshot
from resolvers.points import take_snapshot
from tests.helpers import add_user, gid
from tests.work.conftest import make_cadre

RANK = """query($o: ID!, $s: RankingSource!) { cadreRanking(orgId: $o, source: $s) {
  totalCount nodes { rank name points } } }"""


async def ledger(services: Services) -> list[tuple[str, int, int | None]]:
    async with services.sessionmaker() as s:
        rows = await s.execute(
            sa.select(PointEntry.source, PointEntry.points, PointEntry.reverses_id).order_by(
                PointEntry.id
            )
        )
        return [(src.value, p, r) for src, p, r in rows]


async def test_every_point_names_its_record_and_caps_hold(world) -> None:
    api = world.api
    for _ in range(4):
        await world.activity("VOLUNTEER")  # 5 points each, capped at 15 a day
    for youth in world.youth_ids:
        await world.contact(youth)
    entries = await ledger(api.services)
    activity_points = [p for src, p, _ in entries if src == "ACTIVITY_LOG"]
    assert activity_points == [5, 5, 5]  # the fourth earned nothing: cap
    assert [p for src, p, _ in entries if src == "CONTACT_LOG"] == [1, 1, 1]
    async with api.services.sessionmaker() as s:
        named = (
            await s.execute(
                sa.text(
                    "SELECT count(*) FROM point_entries p JOIN work_logs l ON l.id = p.source_id "
                    "WHERE p.source IN ('ACTIVITY_LOG', 'CONTACT_LOG')"
                )
            )
        ).scalar_one()
    assert named == 6


async def test_the_ledger_is_append_only(world) -> None:
    await world.activity("HEART_TALK")
    async with world.api.services.engine.connect() as conn:
        for statement in ("UPDATE point_entries SET points = 100", "DELETE FROM point_entries"):
            try:
                await conn.execute(sa.text(statement))
            except sa.exc.DBAPIError as exc:
                assert "append-only" in str(exc)
                await conn.rollback()
            else:
                raise AssertionError(statement)


async def test_rankings_live_and_from_snapshots(world) -> None:
    api = world.api
    await world.activity("VOLUNTEER")
    await world.contact(world.youth_ids[0])
    _, b_token, _b_youth = await make_cadre(api, world.tree, "second", "A2", 1, 900)
    await world.activity("LEAGUE_LESSON", token=b_token)
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    t = await api.token_for(province.id)
    live = (await api.gql(RANK, {"o": gid("Org", world.tree["A"].id), "s": "LIVE"}, token=t)).data[
        "cadreRanking"
    ]
    assert [(r["rank"], r["name"], r["points"]) for r in live["nodes"]] == [
        (1, "worker", 6),
        (2, "second", 5),
    ]
    league_today = datetime.now(ZoneInfo(api.services.settings.timezone)).date()
    async with api.services.sessionmaker() as s:
        await take_snapshot(s, league_today)
        await take_snapshot(s, league_today)  # idempotent
        await s.commit()
        totals = dict(
            (await s.execute(sa.select(PointSnapshot.cadre_id, PointSnapshot.total))).all()
        )
        ledger_totals = dict(
            (
                await s.execute(
                    sa.select(PointEntry.cadre_id, sa.func.sum(PointEntry.points)).group_by(
                        PointEntry.cadre_id
                    )
                )
            ).all()
        )
    assert {
        k: v for k, v in totals.items() if v
    } == ledger_totals  # the snapshot checks against the ledger
    snap = (
        await api.gql(RANK, {"o": gid("Org", world.tree["A"].id), "s": "SNAPSHOT"}, token=t)
    ).data["cadreRanking"]
    assert snap["nodes"] == live["nodes"]
    orgs = await api.gql(
        "query($o: ID!) { orgRanking(orgId: $o) { nodes { rank points cadres org { name } } } }",
        {"o": gid("Org", world.tree["A"].id)},
        token=t,
    )
    assert [
        (r["org"]["name"], r["points"], r["rank"]) for r in orgs.data["orgRanking"]["nodes"]
    ] == [
        ("甲一县", 6, 1),
        ("甲二县", 5, 2),
    ]
    mine = await api.gql("{ myRank { rank of points } }", token=b_token)
    assert mine.data["myRank"] == {"rank": 2, "of": 2, "points": 5}
    outside = await api.gql(
        "query($o: ID!) { myRank(orgId: $o) { rank } }",
        {"o": gid("Org", world.tree["B"].id)},
        token=b_token,
    )
    assert outside.codes == ["NOT_FOUND"]
    # A cadre cannot read a ranking of the subtree (work:view is a leader's right).
    assert (
        await api.gql(RANK, {"o": gid("Org", world.tree["A2"].id), "s": "LIVE"}, token=b_token)
    ).codes == ["FORBIDDEN"]


async def test_province_sets_point_rules(world) -> None:
    api = world.api
    setr = "mutation { setPointRule(source: ACTIVITY_LOG, points: 8, dailyCap: 8) { points dailyCap } }"
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    assert (await api.gql(setr, token=await api.token_for(city.id))).codes == ["FORBIDDEN"]
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    assert (await api.gql(setr, token=await api.token_for(province.id))).data["setPointRule"] == {
        "points": 8,
        "dailyCap": 8,
    }
    await world.activity("VOLUNTEER")
    await world.activity("VOLUNTEER")
    assert [p for src, p, _ in await ledger(api.services) if src == "ACTIVITY_LOG"] == [8]
