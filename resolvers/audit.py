"""Reading the audit log, within the auditor's subtrees."""

from __future__ import annotations

import sqlalchemy as sa

from authz import Act, Obj
from models import AuditEntry
from resolvers import orgs
from resolvers.base import Ctx
from resolvers.pagination import Page, paginate


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
    if under is not None:
        root = await orgs.get(ctx, under)
        stmt = stmt.where(AuditEntry.org_path.descendant_of(root.path))
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor_user_id is not None:
        stmt = stmt.where(AuditEntry.actor_user_id == actor_user_id)
    return await paginate(
        ctx.session,
        stmt,
        AuditEntry.id,
        first=first,
        after=after,
        default=ctx.settings.page_size_default,
        maximum=ctx.settings.page_size_max,
    )
