"""文化产品 (posts) a cadre pushes to their youth or to a subtree, and 活动讨论 (threads a cadre
opens with their youth and moderates)."""

from __future__ import annotations

import sqlalchemy as sa

from authz import Act, Obj, require_cadre, require_youth
from authz.errors import BadInput, Conflict, NotFound
from authz.visibility import feed_of
from models import Discussion, DiscussionReply, Post, PostAudience, PostRead
from resolvers import events, orgs
from resolvers.base import Ctx, clean_text
from resolvers.contacts import my_cadre
from resolvers.pagination import Page


def _link(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.startswith(("https://", "http://")) or len(value) > 500:
        raise BadInput("链接须以 http:// 或 https:// 开头，且不超过 500 个字符", field="link")
    return value


async def publish(
    ctx: Ctx,
    *,
    audience: PostAudience,
    title: str,
    body: str = "",
    link: str | None = None,
    media_ref: str | None = None,
    org_id: int | None = None,
) -> Post:
    cadre = await my_cadre(ctx)
    if audience == PostAudience.SUBTREE:
        if org_id is None:
            raise BadInput("推送到组织时须选择组织", field="orgId")
        target = await orgs.load(ctx, org_id)
        ctx.authorize(Act.MANAGE, Obj.POST, target.path)
        path, org, city = target.path, target.id, target.city_id
    else:
        path, org, city = cadre.org_path, cadre.org_id, cadre.city_id
    post = Post(
        cadre_id=cadre.id,
        audience=audience,
        title=clean_text(title, "标题", max_len=100),
        body=clean_text(body, "正文", max_len=20_000, required=False),
        link=_link(link),
        media_ref=clean_text(media_ref, "媒体", max_len=500, required=False) or None,
        org_id=org,
        org_path=path,
        city_id=city,
    )
    ctx.session.add(post)
    await ctx.session.flush()
    await ctx.audit(
        "post.publish",
        "Post",
        post.id,
        path,
        after={"audience": audience.value, "title": post.title},
    )
    await events.publish(ctx.session, "post", id=post.id, cadre_id=cadre.id)
    return post


async def feed(ctx: Ctx, first: int | None, after: str | None) -> Page[Post]:
    """Posts for this youth (authz.visibility.feed_of)."""
    stmt = sa.select(Post).where(feed_of(require_youth(ctx.principal)))
    return await ctx.page(stmt, Post.id, first, after)


async def mark_read(ctx: Ctx, post_id: int) -> Post:
    youth_id = require_youth(ctx.principal)
    post = await ctx.session.scalar(sa.select(Post).where(Post.id == post_id, feed_of(youth_id)))
    if post is None:
        raise NotFound()
    await ctx.session.execute(
        sa.dialects.postgresql.insert(PostRead)
        .values(post_id=post.id, youth_id=youth_id)
        .on_conflict_do_nothing()
    )
    return post


async def my_posts(ctx: Ctx, first: int | None, after: str | None) -> Page[Post]:
    cadre_id = require_cadre(ctx.principal)
    return await ctx.page(sa.select(Post).where(Post.cadre_id == cadre_id), Post.id, first, after)


async def read_counts(ctx: Ctx, post_ids: list[int]) -> dict[int, int]:
    rows = await ctx.session.execute(
        sa.select(PostRead.post_id, sa.func.count())
        .where(PostRead.post_id.in_(post_ids))
        .group_by(PostRead.post_id)
    )
    return dict(rows.all())


# ---------------------------------------------------------------- discussions


async def open_discussion(ctx: Ctx, title: str, body: str = "") -> Discussion:
    cadre = await my_cadre(ctx)
    d = Discussion(
        cadre_id=cadre.id,
        title=clean_text(title, "标题", max_len=100),
        body=clean_text(body, "内容", max_len=4000, required=False),
        org_id=cadre.org_id,
        org_path=cadre.org_path,
        city_id=cadre.city_id,
    )
    ctx.session.add(d)
    await ctx.session.flush()
    await ctx.audit("discussion.open", "Discussion", d.id, cadre.org_path, after={"title": d.title})
    return d


async def get_discussion(ctx: Ctx, discussion_id: int, *, for_update: bool = False) -> Discussion:
    """The cadre's own thread, or one of a youth's cadres' threads."""
    return await ctx.load(Discussion, discussion_id, Act.VIEW, Obj.POST, for_update=for_update)


async def reply(ctx: Ctx, discussion_id: int, body: str) -> DiscussionReply:
    d = await get_discussion(ctx, discussion_id)
    if d.is_closed:
        raise Conflict("讨论已关闭")
    r = DiscussionReply(
        discussion_id=d.id,
        author_user_id=ctx.principal.user_id,
        from_youth=ctx.principal.cadre_id != d.cadre_id,
        body=clean_text(body, "回复", max_len=2000),
    )
    ctx.session.add(r)
    await ctx.session.flush()
    return r


async def moderate(ctx: Ctx, reply_id: int, hidden: bool) -> DiscussionReply:
    """Only the thread's cadre hides or shows a reply (audited)."""
    r = await ctx.session.get(DiscussionReply, reply_id, with_for_update=True)
    d = await ctx.session.get(Discussion, r.discussion_id) if r else None
    if r is None or d is None or ctx.principal.cadre_id != d.cadre_id:
        raise NotFound()
    r.hidden = hidden
    await ctx.session.flush()
    await ctx.audit(
        "discussion.moderate", "DiscussionReply", r.id, d.org_path, after={"hidden": hidden}
    )
    return r


async def close_discussion(ctx: Ctx, discussion_id: int) -> Discussion:
    d = await get_discussion(ctx, discussion_id, for_update=True)
    if ctx.principal.cadre_id != d.cadre_id:
        raise NotFound()
    d.is_closed = True
    await ctx.session.flush()
    return d


async def discussions(ctx: Ctx, first: int | None, after: str | None) -> Page[Discussion]:
    p = ctx.principal
    if p.cadre_id is None:
        require_youth(p)
    return await ctx.page(
        sa.select(Discussion).where(ctx.readable(Discussion)), Discussion.id, first, after
    )


async def thread(
    ctx: Ctx, discussion_id: int, *, first: int | None, after: str | None
) -> Page[DiscussionReply]:
    d = await get_discussion(ctx, discussion_id)
    stmt = sa.select(DiscussionReply).where(DiscussionReply.discussion_id == d.id)
    if ctx.principal.cadre_id != d.cadre_id:
        stmt = stmt.where(
            sa.or_(~DiscussionReply.hidden, DiscussionReply.author_user_id == ctx.principal.user_id)
        )
    return await ctx.page(stmt, DiscussionReply.id, first, after)
