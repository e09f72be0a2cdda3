"""青年之声: a youth speaks to one of their cadres or to an org; replies thread under it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from authz import Act, Obj, is_in_subtree, is_own_youth, require_youth
from authz.errors import BadInput, Conflict, NotFound
from models import Contact, ContactStatus, Voice, VoiceKind, VoiceReply, VoiceStatus, Youth
from resolvers import events, orgs, privacy
from resolvers.base import Ctx, clean_text
from resolvers.pagination import Page


async def my_youth(ctx: Ctx) -> Youth:
    youth = await ctx.session.get(Youth, require_youth(ctx.principal))
    assert youth is not None
    return youth


async def my_cadre_link(ctx: Ctx, youth: Youth, cadre_id: int) -> Contact:
    """The youth's accepted link to that cadre: they may only address their own cadres."""
    link = await ctx.session.scalar(
        sa.select(Contact).where(
            Contact.youth_id == youth.id,
            Contact.cadre_id == cadre_id,
            Contact.status == ContactStatus.ACTIVE,
        )
    )
    if link is None:
        raise NotFound("只能联系与你有联系的团干部", field="cadreId")
    return link


async def send(
    ctx: Ctx,
    *,
    kind: VoiceKind,
    title: str,
    body: str,
    topic: str = "",
    cadre_id: int | None = None,
    org_id: int | None = None,
) -> Voice:
    youth = await my_youth(ctx)
    await privacy.require_consent(ctx, youth)
    if (cadre_id is None) == (org_id is None):
        raise BadInput("请选择一位团干部或一个团组织作为对象", field="cadreId")
    if cadre_id is not None:
        link = await my_cadre_link(ctx, youth, cadre_id)
        path, org, city = link.org_path, link.org_id, link.city_id
    else:
        target = await orgs.load(ctx, org_id)  # type: ignore[arg-type]
        if not is_in_subtree(youth.org_path, target.path):
            raise NotFound("只能向所在组织或其上级组织反映", field="orgId")
        path, org, city = target.path, target.id, target.city_id
    voice = Voice(
        youth_id=youth.id,
        cadre_id=cadre_id,
        kind=kind,
        status=VoiceStatus.OPEN,
        topic=clean_text(topic, "话题", max_len=40, required=False),
        title=clean_text(title, "标题", max_len=100),
        body=clean_text(body, "内容", max_len=4000),
        org_id=org,
        org_path=path,
        city_id=city,
    )
    ctx.session.add(voice)
    await ctx.session.flush()
    await ctx.audit(
        "voice.create", "Voice", voice.id, path, after={"kind": kind.value, "cadre_id": cadre_id}
    )
    await events.publish(ctx.session, "voice", id=voice.id, cadre_id=cadre_id, youth_id=youth.id)
    return voice


def _may_answer(ctx: Ctx, voice: Voice) -> bool:
    """The addressed cadre, or anyone who may view the voices of that org."""
    p = ctx.principal
    return (voice.cadre_id is not None and p.cadre_id == voice.cadre_id) or ctx.decide(
        Act.VIEW, Obj.VOICE, voice.org_path
    ).allowed


async def get(ctx: Ctx, voice_id: int, *, for_update: bool = False) -> Voice:
    """Another youth's voice is NOT_FOUND: not even its existence."""
    return await ctx.load(Voice, voice_id, Act.VIEW, Obj.VOICE, for_update=for_update)


async def reply(ctx: Ctx, voice_id: int, body: str) -> VoiceReply:
    voice = await get(ctx, voice_id, for_update=True)
    if voice.status == VoiceStatus.CLOSED:
        raise Conflict("该留言已关闭")
    from_youth = is_own_youth(ctx.principal, voice.youth_id)
    if not from_youth and not _may_answer(ctx, voice):  # the decision this write rests on
        raise NotFound()
    row = VoiceReply(
        voice_id=voice.id,
        author_user_id=ctx.principal.user_id,
        from_youth=from_youth,
        body=clean_text(body, "回复", max_len=4000),
    )
    ctx.session.add(row)
    if not from_youth:
        voice.status = VoiceStatus.ANSWERED
        voice.first_reply_at = voice.first_reply_at or datetime.now(UTC)
    await ctx.session.flush()
    await ctx.audit(
        "voice.reply", "Voice", voice.id, voice.org_path, after={"from_youth": from_youth}
    )
    await events.publish(
        ctx.session, "voice", id=voice.id, cadre_id=voice.cadre_id, youth_id=voice.youth_id
    )
    return row


async def close(ctx: Ctx, voice_id: int) -> Voice:
    voice = await get(ctx, voice_id, for_update=True)
    if voice.status == VoiceStatus.CLOSED:
        raise Conflict("该留言已关闭")
    voice.status, voice.closed_at = VoiceStatus.CLOSED, datetime.now(UTC)
    await ctx.session.flush()
    await ctx.audit("voice.close", "Voice", voice.id, voice.org_path, after={"status": "CLOSED"})
    return voice


async def replies(
    ctx: Ctx, voice_id: int, *, first: int | None, after: str | None
) -> Page[VoiceReply]:
    stmt = sa.select(VoiceReply).where(VoiceReply.voice_id == voice_id)
    return await ctx.page(stmt, VoiceReply.id, first, after)


async def list_voices(
    ctx: Ctx,
    *,
    mine: bool,
    under: int | None = None,
    status: VoiceStatus | None = None,
    topic: str | None = None,
    first: int | None = None,
    after: str | None = None,
    newest_first: bool = False,
) -> Page[Voice]:
    """`mine`: a youth's own voices, or those addressed to the calling cadre. Otherwise the
    voices of the subtrees the caller may view."""
    stmt = sa.select(Voice)
    if mine:
        p = ctx.principal
        if p.youth_id is not None:
            stmt = stmt.where(Voice.youth_id == p.youth_id)
        elif p.cadre_id is not None:
            stmt = stmt.where(Voice.cadre_id == p.cadre_id)
        else:
            require_youth(p)
    else:
        ctx.scope(Act.VIEW, Obj.VOICE)
        stmt = stmt.where(ctx.readable(Voice))
        stmt = await orgs.within(ctx, stmt, Voice.org_path, under)
    if status is not None:
        stmt = stmt.where(Voice.status == status)
    if topic:
        stmt = stmt.where(Voice.topic == topic.strip())
    return await ctx.page(stmt, Voice.id, first, after, newest_first=newest_first)


@dataclass(frozen=True)
class VoiceStats:
    total: int
    open: int
    answered: int
    closed: int
    median_hours_to_reply: float | None
    open_over_3_days: int
    by_topic: dict[str, int]


async def stats(ctx: Ctx, org_id: int, start: datetime | None, end: datetime | None) -> VoiceStats:
    """A leader's view: how many, how fast answered (one statement)."""
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.VIEW, Obj.VOICE, org.path)
    scope = ctx.scope(Act.VIEW, Obj.VOICE)
    where = [Voice.org_path.descendant_of(org.path), scope.predicate(Voice.org_path)]
    if start:
        where.append(Voice.created_at >= start)
    if end:
        where.append(Voice.created_at < end)
    hours = sa.extract("epoch", Voice.first_reply_at - Voice.created_at) / 3600
    stale = sa.and_(
        Voice.status == VoiceStatus.OPEN,
        Voice.created_at < sa.func.now() - sa.text("interval '3 days'"),
    )
    row = (
        await ctx.session.execute(
            sa.select(
                sa.func.count(),
                sa.func.count().filter(Voice.status == VoiceStatus.OPEN),
                sa.func.count().filter(Voice.status == VoiceStatus.ANSWERED),
                sa.func.count().filter(Voice.status == VoiceStatus.CLOSED),
                sa.func.percentile_cont(0.5).within_group(hours),
                sa.func.count().filter(stale),
                sa.func.coalesce(
                    sa.select(sa.func.json_object_agg(sa.text("t.topic"), sa.text("t.n")))
                    .select_from(
                        sa.select(Voice.topic.label("topic"), sa.func.count().label("n"))
                        .where(*where)
                        .group_by(Voice.topic)
                        .subquery("t")
                    )
                    .scalar_subquery(),
                    sa.text("'{}'::json"),
                ),
            ).where(*where)
        )
    ).one()
    return VoiceStats(
        row[0],
        row[1],
        row[2],
        row[3],
        round(row[4], 2) if row[4] is not None else None,
        row[5],
        dict(row[6]),
    )
