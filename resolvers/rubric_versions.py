"""The 附件1 rubric as versioned data: the province drafts a version, edits it and publishes
it; a published version never changes. A round freezes the version current when it opens
(`current`), and is scored on it alone (`of_round`), so a later version changes nothing for
it. Who may do what: `quota:manage` at the root (authz/, like the 五个一 quotas); who reads
which version: authz/visibility.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from authz import Act, Obj
from authz.errors import Conflict, NotFound
from models import AssessmentRound, RubricVersion
from resolvers import orgs
from resolvers.base import Ctx, clean_text
from resolvers.pagination import Page
from resolvers.rubric import Item, validate


def items_of(v: RubricVersion) -> list[Item]:
    return [Item.of(d) for d in v.items]


async def current(ctx: Ctx) -> RubricVersion:
    """The latest published version: what a round opened now freezes."""
    found = await ctx.session.scalar(
        sa.select(RubricVersion)
        .where(RubricVersion.published_at.is_not(None))
        .order_by(RubricVersion.number.desc())
        .limit(1)
    )
    if found is None:
        raise NotFound("尚无已发布的考核细则")
    return found


async def of_round(ctx: Ctx, r: AssessmentRound) -> list[Item]:
    """The items of the version the round froze (the round is authorized by the caller)."""
    v = await ctx.session.get(RubricVersion, r.rubric_version_id)
    assert v is not None  # a foreign key
    return items_of(v)


async def list_versions(
    ctx: Ctx, *, published: bool | None, first: int | None, after: str | None
) -> Page[RubricVersion]:
    ctx.scope(Act.VIEW, Obj.QUOTA)
    stmt = sa.select(RubricVersion).where(ctx.readable(RubricVersion))
    if published is not None:
        stmt = stmt.where(RubricVersion.published_at.is_not(None) == published)
    return await ctx.page(stmt, RubricVersion.id, first, after)


async def get(ctx: Ctx, version_id: int) -> RubricVersion:
    found = await ctx.visible(RubricVersion).load(version_id)
    if found is None:
        raise NotFound()
    return found


async def _manage(ctx: Ctx) -> str:
    """Only with `quota:manage` at the root (the province), as the quotas: the rubric holds
    for every round of the tree."""
    root = await orgs.root_path(ctx)
    ctx.authorize_global(Act.MANAGE, Obj.QUOTA, root)
    return root


def _stored(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i.to_json() for i in validate(items)]


async def propose(ctx: Ctx, items: Sequence[dict[str, Any]], note: str) -> RubricVersion:
    """A new draft, numbered after the last version (validated whole before anything is
    written)."""
    root = await _manage(ctx)
    stored = _stored(items)
    last = await ctx.session.scalar(sa.select(sa.func.max(RubricVersion.number)))
    v = RubricVersion(
        number=(last or 0) + 1,
        items=stored,
        note=clean_text(note, "说明", max_len=2000, required=False),
        created_by=ctx.principal.user_id,
    )
    ctx.session.add(v)
    await ctx.flush_or_conflict("同时有另一份草稿提交，请重试")
    await ctx.audit(
        "rubric.propose", "RubricVersion", v.id, root, after={"number": v.number, "items": stored}
    )
    return v


async def _draft(ctx: Ctx, version_id: int) -> RubricVersion:
    v = await ctx.session.get(RubricVersion, version_id, with_for_update=True)
    if v is None:
        raise NotFound()
    if v.published_at is not None:
        raise Conflict("已发布的考核细则版本不可更改，请另拟新版本")
    return v


async def update_draft(
    ctx: Ctx, version_id: int, items: Sequence[dict[str, Any]], note: str | None
) -> RubricVersion:
    root = await _manage(ctx)
    v = await _draft(ctx, version_id)
    stored = _stored(items)
    before = {"items": v.items, "note": v.note}
    v.items = stored
    if note is not None:
        v.note = clean_text(note, "说明", max_len=2000, required=False)
    await ctx.session.flush()
    await ctx.audit(
        "rubric.update", "RubricVersion", v.id, root, before, {"items": stored, "note": v.note}
    )
    return v


async def publish(ctx: Ctx, version_id: int) -> RubricVersion:
    """From now on rounds opened freeze this version; rounds already open keep theirs."""
    root = await _manage(ctx)
    v = await _draft(ctx, version_id)
    validate(v.items)  # stored valid; checked again so nothing invalid is ever published
    v.published_at = datetime.now(UTC)
    v.published_by = ctx.principal.user_id
    await ctx.session.flush()
    await ctx.audit("rubric.publish", "RubricVersion", v.id, root, after={"number": v.number})
    return v
