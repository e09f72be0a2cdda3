"""积分: rules set by the province, an append-only ledger, rankings live and from snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import DriverWrite
from authz import Act, Obj, require_cadre
from authz.errors import BadInput, NotFound
from models import Cadre, Org, PointEntry, PointRule, PointSnapshot, PointSource
from resolvers import orgs
from resolvers.base import Ctx
from resolvers.pagination import Page, cut, known_count, offset_after


def today(ctx: Ctx) -> date:
    """The League's day (China Standard Time), whatever the server's clock zone."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(ctx.settings.timezone)).date()


# The cadre row is locked only when the rule gives points (as before); FOR NO KEY UPDATE: it
# queues the cadre's awards behind each other but not behind the key-share locks that the
# cadre's new rows (logs, contacts) hold on it, which a FOR UPDATE would wait for while those
# writers wait for it (a deadlock of one cadre's two tabs).
_LOCK_IF_RULED = sa.text("""
SELECT c.id FROM cadres c
 WHERE c.id = :cadre_id
   AND EXISTS (SELECT FROM point_rules r WHERE r.source = :source AND r.points > 0)
   FOR NO KEY UPDATE OF c
""")
# Run after the lock, so its snapshot holds every award committed before it: the day's sum
# is exact and two records at once cannot both pass the cap.
_CREDIT = DriverWrite("""
INSERT INTO point_entries (cadre_id, source, source_id, points, day, org_id, org_path, city_id)
SELECT :cadre_id, r.source, :source_id, least(r.points, r.daily_cap - e.earned), :day,
       :org_id, CAST(:org_path AS ltree), :city_id
  FROM point_rules r,
       (SELECT coalesce(sum(p.points), 0) AS earned FROM point_entries p
         WHERE p.cadre_id = :cadre_id AND p.source = :source AND p.day = :day) e
 WHERE r.source = :source AND least(r.points, r.daily_cap - e.earned) > 0
RETURNING points
""")


async def award(ctx: Ctx, cadre: Cadre, source: PointSource, source_id: int) -> int:
    """Credit the record's points, within the day's cap for that kind; returns the points.
    Two statements, written once: the cadre's lock (when the rule gives points), then the
    capped entry computed and written by the database."""
    key = {"cadre_id": cadre.id, "source": source.value}
    if (await ctx.session.execute(_LOCK_IF_RULED, key)).first() is None:
        return 0
    return await credit_locked(
        ctx,
        source,
        source_id,
        cadre_id=cadre.id,
        org_id=cadre.org_id,
        org_path=cadre.org_path,
        city_id=cadre.city_id,
    )


async def credit_locked(
    ctx: Ctx,
    source: PointSource,
    source_id: int,
    *,
    cadre_id: int,
    org_id: int,
    org_path: str,
    city_id: int,
) -> int:
    """`award`'s second statement, for a writer that took the cadre's lock itself as
    `_LOCK_IF_RULED` does (FOR NO KEY UPDATE, only when the rule gives points) in an earlier
    statement of its transaction: the capped entry, computed and written by the database."""
    credited = await _CREDIT.fetchrow(
        ctx.session,
        {
            "cadre_id": cadre_id,
            "source": source.value,
            "source_id": source_id,
            "day": today(ctx),
            "org_id": org_id,
            "org_path": org_path,
            "city_id": city_id,
        },
    )
    return int(credited["points"]) if credited is not None else 0


async def _last_entry(ctx: Ctx, source: PointSource, source_id: int) -> PointEntry | None:
    return await ctx.session.scalar(
        sa.select(PointEntry)
        .where(PointEntry.source == source, PointEntry.source_id == source_id)
        .order_by(PointEntry.id.desc())
        .limit(1)
        .with_for_update()
    )


async def _negate(ctx: Ctx, entry: PointEntry) -> int:
    """Append the opposite of `entry` (the ledger is never edited)."""
    ctx.session.add(
        PointEntry(
            cadre_id=entry.cadre_id,
            source=entry.source,
            source_id=entry.source_id,
            points=-entry.points,
            day=today(ctx),
            reverses_id=entry.id,
            org_id=entry.org_id,
            org_path=entry.org_path,
            city_id=entry.city_id,
        )
    )
    await ctx.session.flush()
    return -entry.points


async def withhold(ctx: Ctx, source: PointSource, source_id: int) -> int:
    """The record stops counting (deleted, or flagged): if its points are credited now,
    append their reversal. Idempotent."""
    last = await _last_entry(ctx, source, source_id)
    return await _negate(ctx, last) if last is not None and last.points > 0 else 0


async def reinstate(ctx: Ctx, source: PointSource, source_id: int) -> int:
    """The record counts again (a reviewer cleared its flags): undo the last withholding."""
    last = await _last_entry(ctx, source, source_id)
    return await _negate(ctx, last) if last is not None and last.points < 0 else 0


# ---------------------------------------------------------------- rules


async def list_rules(ctx: Ctx) -> list[PointRule]:
    ctx.scope(Act.VIEW, Obj.QUOTA)
    return list((await ctx.session.scalars(sa.select(PointRule).order_by(PointRule.source))).all())


async def set_rule(ctx: Ctx, source: PointSource, points: int, daily_cap: int) -> PointRule:
    root = await orgs.root_path(ctx)
    ctx.authorize_global(Act.MANAGE, Obj.QUOTA, root)
    if not 0 <= points <= 100 or not 0 <= daily_cap <= 1000 or daily_cap < points:
        raise BadInput("分值应在 0–100 之间，每日上限不小于分值且不超过 1000", field="points")
    rule = await ctx.session.get(PointRule, source, with_for_update=True)
    if rule is None:
        raise NotFound()
    before = {"points": rule.points, "daily_cap": rule.daily_cap}
    rule.points, rule.daily_cap = points, daily_cap
    await ctx.session.flush()
    await ctx.audit(
        "points.rule",
        "PointRule",
        source.value,
        root,
        before=before,
        after={"points": points, "daily_cap": daily_cap},
    )
    return rule


# ---------------------------------------------------------------- rankings


@dataclass(frozen=True)
class RankedCadre:
    rank: int
    cadre_id: int
    name: str
    org_id: int
    points: int


@dataclass(frozen=True)
class RankedOrg:
    rank: int
    org_id: int
    points: int
    cadres: int
    points_per_cadre: float


def _period(start: date | None, end: date | None, ctx: Ctx) -> tuple[date, date]:
    end = end or today(ctx)
    start = start or end.replace(day=1)
    if start > end:
        raise BadInput("开始日期不能晚于结束日期", field="from")
    if (end - start).days > 3 * 366:
        raise BadInput("统计区间不能超过三年", field="to")
    return start, end


def _in_ledger(root: Org) -> list[sa.ColumnElement[bool]]:
    """The subtree's entries: by path, and, below the province, also by the subtree's city,
    which only restates the path test (an entry's city is its org's) but lets the planner
    read the city's range of `ix_point_entries_city_day` instead of the country's GiST."""
    city = orgs.subtree_city(root)
    in_city = [] if city is None else [PointEntry.city_id == city]
    return [PointEntry.org_path.descendant_of(root.path), *in_city]


def _totals(root: Org, start: date, end: date, snapshot: bool) -> sa.Subquery:
    """Points per cadre of the subtree in [start, end]: from the ledger (live), or as the
    difference of two daily snapshots."""
    in_subtree = Cadre.org_path.descendant_of(root.path)
    if not snapshot:
        earned = (
            sa.select(PointEntry.cadre_id, sa.func.sum(PointEntry.points).label("points"))
            .where(*_in_ledger(root), PointEntry.day.between(start, end))
            .group_by(PointEntry.cadre_id)
            .subquery()
        )
    else:
        at_end = (
            sa.select(PointSnapshot.cadre_id, PointSnapshot.total)
            .where(PointSnapshot.day == end)
            .subquery()
        )
        before = (
            sa.select(PointSnapshot.cadre_id, PointSnapshot.total)
            .where(PointSnapshot.day == start - timedelta(days=1))
            .subquery()
        )
        earned = (
            sa.select(
                at_end.c.cadre_id,
                (at_end.c.total - sa.func.coalesce(before.c.total, 0)).label("points"),
            )
            .outerjoin(before, before.c.cadre_id == at_end.c.cadre_id)
            .subquery()
        )
    return (
        sa.select(
            Cadre.id.label("cadre_id"),
            Cadre.name,
            Cadre.org_id,
            Cadre.org_path,
            sa.func.coalesce(earned.c.points, 0).label("points"),
        )
        .outerjoin(earned, earned.c.cadre_id == Cadre.id)
        .where(in_subtree, Cadre.is_active)
        .subquery()
    )


async def cadre_ranking(
    ctx: Ctx,
    org_id: int,
    *,
    start: date | None,
    end: date | None,
    snapshot: bool = False,
    first: int | None = None,
    after: str | None = None,
) -> Page[RankedCadre]:
    """Cadres of a subtree by points in a period; ties share a rank. One statement a page;
    a cursor is a position in the ranking."""
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.VIEW, Obj.WORK, org.path)
    await ctx.plan_for_values()  # a subtree and period of any size: its own plan
    start, end = _period(start, end, ctx)
    size = ctx.page_size(first)
    offset = offset_after(after)
    t = _totals(org, start, end, snapshot)
    ranked = sa.select(
        t,
        sa.func.rank().over(order_by=t.c.points.desc()).label("rank"),
        sa.func.count().over().label("total"),
    ).subquery()
    rows = (
        await ctx.session.execute(
            sa.select(ranked)
            .order_by(ranked.c.rank, ranked.c.cadre_id)
            .offset(offset)
            .limit(size + 1)
        )
    ).all()
    total = rows[0].total if rows else 0
    ranking = [RankedCadre(r.rank, r.cadre_id, r.name, r.org_id, int(r.points)) for r in rows]
    positions = range(offset, offset + len(ranking))
    return cut(ranking, size, positions, after=after, count=known_count(total))


async def org_ranking(
    ctx: Ctx,
    org_id: int,
    *,
    start: date | None,
    end: date | None,
    snapshot: bool = False,
    first: int | None = None,
    after: str | None = None,
) -> Page[RankedOrg]:
    """The org's children by points of the cadres in each child's subtree (and per cadre)."""
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.VIEW, Obj.WORK, org.path)
    await ctx.plan_for_values()  # a subtree and period of any size: its own plan
    start, end = _period(start, end, ctx)
    t = _totals(org, start, end, snapshot)
    child = Org.__table__.alias("child")
    per_child = (
        sa.select(
            child.c.id.label("org_id"),
            sa.func.coalesce(sa.func.sum(t.c.points), 0).label("points"),
            sa.func.count(t.c.cadre_id).label("cadres"),
        )
        .select_from(child)
        .outerjoin(t, t.c.org_path.op("<@")(child.c.path))
        .where(child.c.parent_id == org.id, child.c.is_active)
        .group_by(child.c.id)
        .subquery()
    )
    per_cadre = sa.case(
        (per_child.c.cadres > 0, per_child.c.points * 1.0 / per_child.c.cadres), else_=0.0
    )
    rows = await ctx.session.execute(
        sa.select(
            per_child,
            per_cadre.label("ppc"),
            sa.func.rank().over(order_by=per_child.c.points.desc()).label("rank"),
        ).order_by(sa.text("rank"), per_child.c.org_id)
    )
    ranking = [
        RankedOrg(r.rank, r.org_id, int(r.points), r.cadres, round(float(r.ppc), 2)) for r in rows
    ]
    return ctx.page_of(ranking, first, after)  # ranked over all children, then paged


@dataclass(frozen=True)
class MyRank:
    rank: int | None
    of: int
    points: int
    org_id: int


async def my_rank(ctx: Ctx, org_id: int | None, *, start: date | None, end: date | None) -> MyRank:
    """The caller's rank among the cadres of one of their own ancestors (default: the
    city-level one). Any ancestor of one's own org is allowed: one knows one's chain."""
    cadre_id = require_cadre(ctx.principal)
    await ctx.plan_for_values()
    me = await ctx.session.get(Cadre, cadre_id)
    assert me is not None
    target = await orgs.load(ctx, org_id if org_id is not None else me.city_id)
    if not (me.org_path == target.path or me.org_path.startswith(target.path + ".")):
        raise NotFound()
    start, end = _period(start, end, ctx)
    t = _totals(target, start, end, snapshot=False)
    ranked = sa.select(
        t.c.cadre_id,
        t.c.points,
        sa.func.rank().over(order_by=t.c.points.desc()).label("rank"),
        sa.func.count().over().label("total"),
    ).subquery()
    row = (
        await ctx.session.execute(sa.select(ranked).where(ranked.c.cadre_id == cadre_id))
    ).one_or_none()
    if row is None:
        return MyRank(None, 0, 0, target.id)
    return MyRank(row.rank, row.total, int(row.points), target.id)


async def take_snapshot(session: AsyncSession, day: date) -> int:
    """Each cadre's cumulative points at the end of `day`, from the ledger; idempotent."""
    totals = sa.select(
        sa.literal(day).label("day"),
        Cadre.id,
        sa.literal_column("cadres.org_path", sa.Text),
        Cadre.city_id,
        sa.func.coalesce(
            sa.select(sa.func.sum(PointEntry.points))
            .where(PointEntry.cadre_id == Cadre.id, PointEntry.day <= day)
            .scalar_subquery(),
            0,
        ),
    )
    stmt = insert(PointSnapshot).from_select(
        ["day", "cadre_id", "org_path", "city_id", "total"], totals
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["day", "cadre_id"],
        set_={"total": stmt.excluded.total, "org_path": stmt.excluded.org_path},
    )
    # DML answers a CursorResult (the session's signature says only Result).
    result = cast("sa.CursorResult[Any]", await session.execute(stmt))
    return int(result.rowcount or 0)
