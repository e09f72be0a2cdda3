"""The 五个一 progress read two ways (resolvers/figures.py): each cadre on their own, for a
cadre's own page, and a subtree's cadres at once, for everything else. Both give the same
answer; the second reads the rollup once, however many cadres and cities."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.helpers import league_today
from tests.work.test_figures import _busy_world


async def test_each_cadre_alone_and_all_at_once_give_the_same_progress(world) -> None:
    """A cadre's own page looks up each cadre on their own (`few`); the dashboards, lists of
    those behind, reminders and the assessment read a whole subtree's period at once. Both
    readings give every cadre the same progress, 一学一做 counted, in the rollup's zone and
    from the rows."""
    from resolvers.figures import cadre_progress_sql

    api, tree = world.api, world.tree
    await _busy_world(world)
    today = league_today(api.services)
    async with api.services.sessionmaker() as s:
        await s.execute(sa.text("UPDATE quota_rules SET counts_learn_and_do = true"))
        await s.execute(
            sa.text(
                "INSERT INTO learn_and_do_records (cadre_id, year, kind, occurred_on, org_id, "
                "org_path, city_id) SELECT id, :y, 'STUDY', :d, org_id, org_path, city_id "
                "FROM cadres"
            ),
            {"y": today.year, "d": today},
        )
        ids = list(await s.scalars(sa.text("SELECT id FROM cadres WHERE is_active")))
        assert len(ids) >= 3
        readings = []
        for zone in ("Asia/Shanghai", "Asia/Chongqing"):
            await s.execute(sa.text(f"SET LOCAL TimeZone = '{zone}'"))
            for sql in (
                cadre_progress_sql("c.id = ANY(:ids)", few=True),
                cadre_progress_sql("c.org_path <@ CAST(:root AS ltree)"),
            ):
                params = {"ids": ids, "root": tree["P"].path, "on": today}
                readings.append((await s.execute(sa.text(f"{sql} ORDER BY 1"), params)).all())
        assert all(r == readings[0] for r in readings), readings
        assert len(readings[0]) == len(ids)
        assert all(p.learn_done == 1 for p in readings[0])
        assert any(p.complete for p in readings[0]) and any(not p.complete for p in readings[0])
        assert any(p.kinds_done for p in readings[0])


async def test_a_subtrees_progress_reads_its_rollup_once(world) -> None:
    """However many cadres a subtree has, its 五个一 progress reads the rollup's rows of its
    cities and period in one scan (then joins them to the cadres), never once per cadre:
    a per-cadre lookup left the planner to pick, per cadre, the city's whole period
    (bench/results/scale.md: 98 ms → 40 s at 52 cities)."""
    from resolvers.figures import cadre_progress_sql

    api, tree = world.api, world.tree
    await _busy_world(world)
    async with api.services.sessionmaker() as s:
        cadres = await s.scalar(sa.text("SELECT count(*) FROM cadres WHERE is_active"))
        assert cadres >= 3
        sql = cadre_progress_sql("c.org_path <@ CAST(:root AS ltree)")
        plan = await s.scalar(
            sa.text(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}"),
            {"root": tree["P"].path, "on": league_today(api.services)},
        )
    scans = _rollup_scans(plan[0]["Plan"])
    assert [(n["Actual Loops"], n["Actual Rows"] > 0) for n in scans] == [(1, True)]


async def test_a_cadres_own_progress_reads_the_cadres_own_rollup_rows(world) -> None:
    """A cadre's own page (`few`) reads the cadre's activities of the period through
    ix_work_log_days_cadre_activity (migration 0030), index-only: not the city's period
    filtered by cadre, which the planner chose at 52 cities (bench/results/scale.md)."""
    from resolvers.figures import cadre_progress_sql

    api, tree = world.api, world.tree
    await _busy_world(world)
    today = league_today(api.services)
    async with api.services.sessionmaker() as s:
        # The city's other cadres' days: many rows of the city's period, few of the cadre.
        await s.execute(
            sa.text(
                "INSERT INTO work_log_days (cadre_id, day, kind, activity_kind, channel, client,"
                " for_organ, n, org_id, org_path, city_id)"
                " SELECT 1000000 + g % 2000, CAST(:d AS date) - g / 2000, 'ACTIVITY',"
                " 'VOLUNTEER', '', 'WEB', false, 1, :org, CAST(:path AS ltree), :city"
                " FROM generate_series(0, 59999) g"
            ),
            {"d": today, "org": tree["A"].id, "path": tree["A"].path, "city": tree["A"].id},
        )
        await s.execute(sa.text("ANALYZE work_log_days"))
        await s.execute(sa.text("SET LOCAL TimeZone = 'Asia/Shanghai'"))
        me = await s.scalar(
            sa.text("SELECT id FROM cadres WHERE user_id = :u"), {"u": world.cadre_user.id}
        )
        plan = await s.scalar(
            sa.text(f"EXPLAIN (FORMAT JSON) {cadre_progress_sql('c.id = ANY(:ids)', few=True)}"),
            {"ids": [me], "on": today},
        )
    scans = _rollup_scans(plan[0]["Plan"])
    assert [(n["Node Type"], n.get("Index Name")) for n in scans] == [
        ("Index Only Scan", "ix_work_log_days_cadre_activity")
    ], scans


def _rollup_scans(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's nodes that read work_log_days, in plan order."""
    own = [node] if node.get("Relation Name") == "work_log_days" else []
    return own + [scan for child in node.get("Plans", []) for scan in _rollup_scans(child)]
