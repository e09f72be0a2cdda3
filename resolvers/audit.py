"""Reading the audit log, within the auditor's subtrees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from authz import Act, Obj
from authz.principal import active_grant
from models import AuditEntry, Cadre, Grant, User, Youth
from resolvers import orgs
from resolvers.base import Ctx
from resolvers.pagination import Page


@dataclass(frozen=True)
class EntryView:
    """An entry as the caller may see it: users outside their reach are not named."""

    row: AuditEntry
    actor_user_id: int | None
    acting_for_user_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    above_your_level: bool  # someone was left unnamed


# Keys of before/after snapshots that hold a user id.
USER_KEYS = ("user_id", "to_user_id", "granted_by", "delegated_by", "requested_by", "decided_by")


async def list_entries(
    ctx: Ctx,
    *,
    under: int | None = None,
    entity_type: str | None = None,
    action: str | None = None,
    actor_user_id: int | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[EntryView]:
    scope = ctx.scope(Act.VIEW, Obj.AUDIT)
    stmt = sa.select(AuditEntry).where(scope.predicate(AuditEntry.org_path))
    stmt = await orgs.within(ctx, stmt, AuditEntry.org_path, under)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor_user_id is not None:
        # Only someone the caller may name can be looked for: no oracle over who acted.
        known = actor_user_id in await visible_users(ctx, {actor_user_id})
        stmt = stmt.where(AuditEntry.actor_user_id == actor_user_id if known else sa.false())
    page = await ctx.page(stmt, AuditEntry.id, first, after)
    rows: list[AuditEntry] = list(page.rows)  # type: ignore[arg-type]
    named = await visible_users(ctx, {u for r in rows for u in _users_in(r)})
    page.rows = [_view(r, named) for r in rows]  # type: ignore[assignment]
    return page  # type: ignore[return-value]


def _users_in(r: AuditEntry) -> list[int]:
    ids = [r.actor_user_id, r.acting_for_user_id]
    for snap in (r.before, r.after):
        if isinstance(snap, dict):
            ids += [snap.get(k) for k in USER_KEYS]
    return [i for i in ids if isinstance(i, int)]


def _view(r: AuditEntry, named: set[int]) -> EntryView:
    hidden = [u for u in _users_in(r) if u not in named]

    def keep(user_id: int | None) -> int | None:
        return user_id if user_id in named else None

    def scrub(snap: Any) -> Any:
        if not isinstance(snap, dict):
            return snap
        return {k: keep(v) if k in USER_KEYS and isinstance(v, int) else v for k, v in snap.items()}

    return EntryView(
        r,
        keep(r.actor_user_id),
        keep(r.acting_for_user_id),
        scrub(r.before),
        scrub(r.after),
        bool(hidden),
    )


async def visible_users(ctx: Ctx, ids: set[int]) -> set[int]:
    """Of `ids`, the users the caller may name: themself; one whose cadre or youth record
    lies in the caller's cadre:view / youth:view subtrees; one holding a live grant in the
    caller's grant:view subtrees. Everyone else stands above (or beside) the caller."""
    if not ids:
        return set()
    me = ctx.principal.user_id

    def within(obj: Obj, column: Any) -> sa.ColumnElement[bool]:
        return ctx.scope(Act.VIEW, obj, required=False).predicate(column)

    reachable = sa.or_(
        User.id == me,
        sa.exists().where(Cadre.user_id == User.id, within(Obj.CADRE, Cadre.org_path)),
        sa.exists().where(Youth.user_id == User.id, within(Obj.YOUTH, Youth.org_path)),
        sa.exists().where(
            Grant.user_id == User.id, active_grant(Grant), within(Obj.GRANT, Grant.org_path)
        ),
    )
    found = await ctx.session.scalars(sa.select(User.id).where(User.id.in_(ids), reachable))
    return set(found)


# The same expression as the audit_log_chain trigger (migrations 0005, 0006).
_EXPECTED = """encode(sha256(convert_to(
    coalesce(prev_hash, '') || '|' || id || '|' || extract(epoch FROM at) || '|' ||
    coalesce(actor_user_id::text, '') || '|' || action || '|' || entity_type || '|' ||
    entity_id || '|' || coalesce(org_path::text, '') || '|' ||
    coalesce(before::text, '') || '|' || coalesce(after::text, '') ||
    CASE WHEN acting_for_user_id IS NULL THEN '' ELSE '|for:' || acting_for_user_id END, 'UTF8')), 'hex')"""


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_bad_id: int | None


async def verify_chain(session: AsyncSession) -> ChainCheck:
    """Recompute every row's hash and link: any edited, removed or inserted row shows."""
    row = (
        await session.execute(
            sa.text(f"""
        WITH c AS (
            SELECT id, hash, prev_hash, {_EXPECTED} AS expected, lag(hash) OVER (ORDER BY id) AS previous
            FROM audit_log WHERE hash IS NOT NULL)
        SELECT count(*) AS n,
               min(id) FILTER (WHERE hash <> expected OR prev_hash IS DISTINCT FROM previous) AS bad
        FROM c""")
        )
    ).one()
    return ChainCheck(row.bad is None, row.n, row.bad)


async def verify(ctx: Ctx) -> ChainCheck:
    root = await orgs.root_path(ctx)
    ctx.authorize_global(Act.VIEW, Obj.AUDIT, root)
    return await verify_chain(ctx.session)
