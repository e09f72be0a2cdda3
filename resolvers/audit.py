"""Reading the audit log, within the auditor's subtrees."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from authz import Act, Obj
from models import AuditEntry
from resolvers import orgs
from resolvers.base import Ctx
from resolvers.pagination import Page


async def list_entries(
    ctx: Ctx,
    *,
    under: int | None = None,
    entity_type: str | None = None,
    action: str | None = None,
    actor_user_id: int | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[AuditEntry]:
    scope = ctx.scope(Act.VIEW, Obj.AUDIT)
    stmt = sa.select(AuditEntry).where(scope.predicate(AuditEntry.org_path))
    stmt = await orgs.within(ctx, stmt, AuditEntry.org_path, under)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor_user_id is not None:
        stmt = stmt.where(AuditEntry.actor_user_id == actor_user_id)
    return await ctx.page(stmt, AuditEntry.id, first, after)


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
