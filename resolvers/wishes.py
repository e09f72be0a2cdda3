"""微心愿: a state machine enforced here alone.

    SUBMITTED ─accept→ ACCEPTED ─fulfil→ FULFILLED ─confirm→ CONFIRMED
        │                 │
        └──escalate───────┴──→ ESCALATED (wish pool) ─claim→ CLAIMED ─fulfil→ FULFILLED
    withdraw (by the youth) from SUBMITTED, ACCEPTED, ESCALATED; reject (with a reason) from
    SUBMITTED (the cadre) or ESCALATED (the pool's organ). Untouched for WISH_ESCALATE_DAYS,
    a SUBMITTED or ACCEPTED wish escalates by itself.

The pool goes upward (§二.1: 领导机关要建立协调机制，广泛整合资源): a wish first waits in the
nearest leading organ's pool (a county's); unclaimed there for WISH_COUNTY_POOL_DAYS it moves
to the city's pool, and after WISH_CITY_POOL_DAYS there to the province's (`escalate_due`).
A resource of any leading organ above the wish may serve it.

Every transition locks the wish row, so of two racing claims exactly one wins; the other
sees the new state and gets CONFLICT. Each is kept as a WishEvent and in the audit log."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from authz import Act, Obj, errors, is_in_subtree, is_own_youth, require_user
from authz.errors import BadInput, Conflict, Forbidden, NotFound
from models import (
    Org,
    OrgLevel,
    Resource,
    ResourceKind,
    Wish,
    WishCategory,
    WishEvent,
    WishStatus,
)
from resolvers import events, orgs, privacy
from resolvers.base import Ctx, audit_row, clean_text
from resolvers.pagination import Page
from resolvers.voices import my_cadre_link, my_youth

S = WishStatus


class WishAction(enum.StrEnum):
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"
    ESCALATE = "ESCALATE"
    CLAIM = "CLAIM"
    FULFIL = "FULFIL"
    CONFIRM = "CONFIRM"
    WITHDRAW = "WITHDRAW"


class Actor(enum.Enum):
    YOUTH = "youth"  # the youth whose wish it is
    CADRE = "cadre"  # the cadre it is addressed to
    POOL = "pool"  # whoever may manage wishes at the pool's organ


# (from, action) → (to, who may)
TRANSITIONS: dict[tuple[WishStatus, WishAction], tuple[WishStatus, Actor]] = {
    (S.SUBMITTED, WishAction.ACCEPT): (S.ACCEPTED, Actor.CADRE),
    (S.SUBMITTED, WishAction.REJECT): (S.REJECTED, Actor.CADRE),
    (S.SUBMITTED, WishAction.ESCALATE): (S.ESCALATED, Actor.CADRE),
    (S.ACCEPTED, WishAction.ESCALATE): (S.ESCALATED, Actor.CADRE),
    (S.ACCEPTED, WishAction.FULFIL): (S.FULFILLED, Actor.CADRE),
    (S.ESCALATED, WishAction.CLAIM): (S.CLAIMED, Actor.POOL),
    (S.ESCALATED, WishAction.REJECT): (S.REJECTED, Actor.POOL),
    (S.CLAIMED, WishAction.FULFIL): (S.FULFILLED, Actor.POOL),
    (S.FULFILLED, WishAction.CONFIRM): (S.CONFIRMED, Actor.YOUTH),
    (S.SUBMITTED, WishAction.WITHDRAW): (S.WITHDRAWN, Actor.YOUTH),
    (S.ACCEPTED, WishAction.WITHDRAW): (S.WITHDRAWN, Actor.YOUTH),
    (S.ESCALATED, WishAction.WITHDRAW): (S.WITHDRAWN, Actor.YOUTH),
}
STATUS_NAMES = {
    S.SUBMITTED: "已提交",
    S.ACCEPTED: "已认领",
    S.ESCALATED: "在心愿池中",
    S.CLAIMED: "资源方已认领",
    S.FULFILLED: "已实现待确认",
    S.CONFIRMED: "已确认",
    S.WITHDRAWN: "已撤回",
    S.REJECTED: "未受理",
}


def _is(ctx: Ctx, wish: Wish, actor: Actor) -> bool:
    p = ctx.principal
    if actor == Actor.YOUTH:
        return is_own_youth(p, wish.youth_id)
    if actor == Actor.CADRE:
        return p.cadre_id is not None and p.cadre_id == wish.cadre_id
    return (
        wish.pool_org_path is not None
        and ctx.decide(Act.MANAGE, Obj.WISH, wish.pool_org_path).allowed
    )


async def _load(ctx: Ctx, wish_id: int, *, for_update: bool = False) -> Wish:
    """Another youth's wish is NOT_FOUND: not even its existence."""
    require_user(ctx.principal)
    return await ctx.load(Wish, wish_id, Act.VIEW, Obj.WISH, for_update=for_update)


async def get(ctx: Ctx, wish_id: int) -> Wish:
    return await _load(ctx, wish_id)


async def submit(
    ctx: Ctx, *, cadre_id: int, category: WishCategory, title: str, description: str
) -> Wish:
    youth = await my_youth(ctx)
    await privacy.require_consent(ctx, youth)
    link = await my_cadre_link(ctx, youth, cadre_id)
    wish = Wish(
        youth_id=youth.id,
        cadre_id=cadre_id,
        category=category,
        status=S.SUBMITTED,
        title=clean_text(title, "心愿", max_len=100),
        description=clean_text(description, "心愿说明", max_len=2000),
        org_id=link.org_id,
        org_path=link.org_path,
        city_id=link.city_id,
    )
    ctx.session.add(wish)
    await ctx.session.flush()
    await _record(ctx.session, wish, None, "", ctx)
    return wish


async def act(
    ctx: Ctx,
    wish_id: int,
    action: WishAction,
    *,
    note: str = "",
    evidence: str | None = None,
    resource_id: int | None = None,
) -> Wish:
    """The one way a wish changes state."""
    wish = await _load(ctx, wish_id, for_update=True)
    step = TRANSITIONS.get((wish.status, action))
    if step is None:
        raise Conflict(
            f"心愿当前状态为「{STATUS_NAMES[wish.status]}」，不能执行此操作",
            reason=errors.ILLEGAL_TRANSITION,
            status=wish.status.value,
        )
    to, actor = step
    if not _is(ctx, wish, actor):
        raise Forbidden("你不能对这个心愿执行此操作")
    before = wish.status
    if action == WishAction.REJECT:
        wish.reason = clean_text(note, "原因", max_len=500)
    if action == WishAction.FULFIL:
        wish.evidence = clean_text(evidence, "实现情况", max_len=2000)
    if action == WishAction.ESCALATE:
        wish.pool_org_id, wish.pool_org_path = await pool_for(ctx.session, wish.org_path)
        wish.pooled_at = datetime.now(UTC)
    if action == WishAction.CLAIM:
        wish.resource_id = await _use_resource(ctx, wish, resource_id)
    wish.status, wish.updated_at = to, datetime.now(UTC)
    await ctx.session.flush()
    await _record(ctx.session, wish, before, note, ctx)
    return wish


async def pool_for(session: AsyncSession, org_path: str) -> tuple[int, str]:
    """The nearest leading organ at or above the wish's org: whose pool it joins."""
    pool = (
        await session.execute(
            sa.select(Org.id, Org.path)
            .where(Org.path.ancestor_of(org_path), Org.is_leading_organ)
            .order_by(sa.func.nlevel(Org.path).desc())
            .limit(1)
        )
    ).one_or_none()
    if pool is None:
        raise Conflict("找不到可接收心愿的领导机关")
    return pool[0], pool[1]


async def _use_resource(ctx: Ctx, wish: Wish, resource_id: int | None) -> int:
    """Any leading organ's resource at or above the wish's org serves it (a city's resource
    a wish still in a county's pool), used by whoever may manage that organ's resources."""
    if resource_id is None:
        raise BadInput("认领时须选择资源", field="resourceId")
    res = await ctx.session.get(Resource, resource_id, with_for_update=True)
    if (
        res is None
        or not is_in_subtree(wish.org_path, res.org_path)
        or not ctx.decide(Act.MANAGE, Obj.RESOURCE, res.org_path).allowed
    ):
        raise NotFound("资源不存在，或不是该心愿所在组织上级领导机关的资源", field="resourceId")
    today = datetime.now(UTC).date()
    if not res.valid_from <= today <= res.valid_until:
        raise Conflict("该资源不在有效期内")
    if res.used >= res.capacity:
        raise Conflict("该资源已用完")
    res.used += 1
    return res.id


async def _record(
    session: AsyncSession,
    wish: Wish,
    before: WishStatus | None,
    note: str,
    ctx: Ctx | None = None,
) -> None:
    """History, audit and the live event: in the same transaction as the change. Without a
    request (`ctx`) the system is the actor (the stale-wish job)."""
    actor = ctx.principal.user_id if ctx else None
    session.add(
        WishEvent(
            wish_id=wish.id,
            from_status=before.value if before else None,
            to_status=wish.status.value,
            actor_user_id=actor,
            note=note,
        )
    )
    was, now = ({"status": before.value} if before else None), {"status": wish.status.value}
    if ctx is not None:
        await ctx.audit("wish.transition", "Wish", wish.id, wish.org_path, was, now)
    else:
        session.add(
            audit_row(
                action="wish.transition",
                entity_type="Wish",
                entity_id=wish.id,
                org_path=wish.org_path,
                before=was,
                after=now,
            )
        )
        await session.flush()
    await events.publish(
        session,
        "wish",
        id=wish.id,
        youth_id=wish.youth_id,
        cadre_id=wish.cadre_id,
        status=wish.status.value,
    )


async def escalate_stale(session: AsyncSession, days: int, *, now: datetime | None = None) -> int:
    """Wishes nobody has acted on for `days` go to the pool by themselves (the system is the
    actor). Safe to run on every instance: rows are claimed with SKIP LOCKED."""
    now = now or datetime.now(UTC)
    stale = (
        await session.scalars(
            sa.select(Wish)
            .where(
                Wish.status.in_([S.SUBMITTED, S.ACCEPTED]),
                Wish.updated_at < now - timedelta(days=days),
            )
            .with_for_update(skip_locked=True)
            .limit(500)
        )
    ).all()
    for wish in stale:
        before = wish.status
        wish.pool_org_id, wish.pool_org_path = await pool_for(session, wish.org_path)
        wish.status, wish.updated_at, wish.pooled_at = S.ESCALATED, now, now
        await session.flush()
        await _record(session, wish, before, f"{days} 天无人处理，自动进入心愿池")
    return len(stale)


# The order a wish climbs: a county's pool, then a city's; the province's pool is the top.
POOL_LEVELS = (OrgLevel.COUNTY, OrgLevel.CITY)


async def escalate_pools(session: AsyncSession, now: datetime, waits: Mapping[str, int]) -> int:
    """Pooled wishes unclaimed for `waits[level]` days in a pool of that level move up to the
    nearest leading organ above it (0 days: never). The wait in the new pool counts from
    when the wish was due to move, so a late run ends where punctual ones would have;
    running again with the same `now` moves nothing (idempotent). SKIP LOCKED: any number
    of instances may run it."""
    moved = 0
    for level in POOL_LEVELS:
        days = waits.get(level, 0)
        if days <= 0:
            continue
        due = (
            await session.scalars(
                sa.select(Wish)
                .join(Org, Org.id == Wish.pool_org_id)
                .where(
                    Wish.status == S.ESCALATED,
                    Org.level == level,
                    Wish.pooled_at <= now - timedelta(days=days),
                )
                .order_by(Wish.id)
                .with_for_update(of=Wish, skip_locked=True)
                .limit(500)
            )
        ).all()
        for wish in due:
            moved += await _move_up(session, wish, days, now)
    return moved


async def _move_up(session: AsyncSession, wish: Wish, days: int, now: datetime) -> int:
    assert wish.pool_org_path is not None and wish.pooled_at is not None
    above = (
        await session.execute(
            sa.select(Org.id, Org.path, Org.name)
            .where(
                Org.path.ancestor_of(wish.pool_org_path),
                Org.path != wish.pool_org_path,
                Org.is_leading_organ,
                Org.is_active,
            )
            .order_by(sa.func.nlevel(Org.path).desc())
            .limit(1)
        )
    ).one_or_none()
    if above is None:
        return 0
    wish.pool_org_id, wish.pool_org_path = above.id, above.path
    wish.pooled_at, wish.updated_at = wish.pooled_at + timedelta(days=days), now
    await session.flush()
    await _record(
        session, wish, S.ESCALATED, f"在心愿池中 {days} 天未被认领，升至{above.name}心愿池"
    )
    return 1


@dataclass(frozen=True)
class Escalated:
    to_pool: int  # SUBMITTED or ACCEPTED wishes that went to the pool
    upward: int  # pooled wishes that moved up a level


async def escalate_due(
    session: AsyncSession, now: datetime, *, stale_days: int, waits: Mapping[str, int]
) -> Escalated:
    """All the wish escalation due at `now`, for a scheduled job: idempotent, and safe on
    every instance. The caller commits."""
    to_pool = await escalate_stale(session, stale_days, now=now)
    return Escalated(to_pool, await escalate_pools(session, now, waits))


async def history(
    ctx: Ctx, wish_id: int, *, first: int | None, after: str | None
) -> Page[WishEvent]:
    stmt = sa.select(WishEvent).where(WishEvent.wish_id == wish_id)
    return await ctx.page(stmt, WishEvent.id, first, after)


async def list_wishes(
    ctx: Ctx,
    *,
    mine: bool,
    under: int | None = None,
    status: WishStatus | None = None,
    first: int | None = None,
    after: str | None = None,
    newest_first: bool = False,
) -> Page[Wish]:
    """`mine`: a youth's wishes, or those addressed to the calling cadre; otherwise the
    wishes of the subtrees the caller may view."""
    stmt = sa.select(Wish)
    if mine:
        p = ctx.principal
        owner = (
            Wish.youth_id == p.youth_id if p.youth_id is not None else Wish.cadre_id == p.cadre_id
        )
        if p.youth_id is None and p.cadre_id is None:
            raise Forbidden()
        stmt = stmt.where(owner)
    else:
        ctx.scope(Act.VIEW, Obj.WISH)
        stmt = stmt.where(ctx.readable(Wish))
        stmt = await orgs.within(ctx, stmt, Wish.org_path, under)
    if status is not None:
        stmt = stmt.where(Wish.status == status)
    return await ctx.page(stmt, Wish.id, first, after, newest_first=newest_first)


async def pool(
    ctx: Ctx,
    *,
    org_id: int | None,
    category: WishCategory | None,
    older_than_days: int | None,
    first: int | None,
    after: str | None,
) -> Page[Wish]:
    """Wishes waiting in the pools the caller may manage: by organ subtree, category, age."""
    scope = ctx.scope(Act.MANAGE, Obj.WISH)
    stmt = sa.select(Wish).where(Wish.status == S.ESCALATED, scope.predicate(Wish.pool_org_path))
    stmt = await orgs.within(ctx, stmt, Wish.pool_org_path, org_id)
    if category is not None:
        stmt = stmt.where(Wish.category == category)
    if older_than_days is not None:
        stmt = stmt.where(Wish.updated_at < datetime.now(UTC) - timedelta(days=older_than_days))
    return await ctx.page(stmt, Wish.id, first, after)


# ---------------------------------------------------------------- resources


async def add_resource(
    ctx: Ctx,
    *,
    org_id: int,
    donor: str,
    kind: ResourceKind,
    capacity: int,
    valid_from: date,
    valid_until: date,
    description: str = "",
) -> Resource:
    org = await orgs.load(ctx, org_id)
    ctx.authorize(Act.MANAGE, Obj.RESOURCE, org.path)
    if not org.is_leading_organ:
        raise BadInput("资源由领导机关登记", field="orgId")
    if not 1 <= capacity <= 100_000:
        raise BadInput("可帮扶数量应在 1–100000 之间", field="capacity")
    if valid_until < valid_from:
        raise BadInput("有效期结束不能早于开始", field="validUntil")
    res = Resource(
        donor=clean_text(donor, "捐助方", max_len=100),
        kind=kind,
        capacity=capacity,
        valid_from=valid_from,
        valid_until=valid_until,
        description=clean_text(description, "说明", max_len=2000, required=False),
        org_id=org.id,
        org_path=org.path,
        city_id=org.city_id,
    )
    ctx.session.add(res)
    await ctx.session.flush()
    await ctx.audit(
        "resource.create",
        "Resource",
        res.id,
        org.path,
        after={"donor": res.donor, "kind": kind.value, "capacity": capacity},
    )
    return res


async def list_resources(
    ctx: Ctx,
    *,
    under: int | None,
    valid_only: bool,
    first: int | None,
    after: str | None,
    for_wish: int | None = None,
) -> Page[Resource]:
    """`for_wish`: only the resources that may serve it, of organs at or above its org (the
    rule of `_use_resource`)."""
    ctx.scope(Act.VIEW, Obj.RESOURCE)
    stmt = sa.select(Resource).where(ctx.readable(Resource))
    stmt = await orgs.within(ctx, stmt, Resource.org_path, under)
    if for_wish is not None:
        wish = await ctx.load(Wish, for_wish, Act.VIEW, Obj.WISH)
        stmt = stmt.where(Resource.org_path.ancestor_of(wish.org_path))
    if valid_only:
        today = datetime.now(UTC).date()
        stmt = stmt.where(
            Resource.valid_from <= today,
            Resource.valid_until >= today,
            Resource.used < Resource.capacity,
        )
    return await ctx.page(stmt, Resource.id, first, after)


@dataclass(frozen=True)
class Transition:
    action: WishAction
    to: WishStatus


def allowed_actions(ctx: Ctx, wish: Wish) -> list[Transition]:
    """What the caller may do next: clients show exactly these buttons."""
    return [
        Transition(a, to)
        for (frm, a), (to, who) in TRANSITIONS.items()
        if frm == wish.status and _is(ctx, wish, who)
    ]
