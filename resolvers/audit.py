"""Reading the audit log, within the auditor's subtrees."""

from __future__ import annotations

import sqlalchemy as sa

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
