"""Work logs (日志): a contact with one youth, or an activity with several. Editable by the
author for a set window, then locked; deletion is soft, audited, and reverses the points."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.db import DriverWrite
from authz import Act, Obj, require_cadre
from authz.errors import BadInput, Conflict, Forbidden, NotFound
from models import (
    ActivityKind,
    Cadre,
    Campaign,
    Channel,
    Contact,
    ContactStatus,
    LogKind,
    Org,
    PointSource,
    WorkLog,
    WorkLogParticipant,
)
from resolvers import points
from resolvers.base import Ctx, clean_text, containing
from resolvers.contacts import my_cadre, own_contact_youth_ids
from resolvers.figures import ORGAN_ONLY_KINDS
from resolvers.listing import Listing
from resolvers.lookahead import Edge
from resolvers.pagination import Page
from resolvers.prebuilt import Shape


def _snapshot(log: WorkLog) -> dict[str, Any]:
    """For the audit log, which is append-only: free texts, where a cadre may write a
    youth's name or number, go in as digests (a change still shows, and a text can be
    checked against its digest), so that erasing a person never needs the log edited."""
    return {
        "kind": log.kind.value,
        "youth_id": log.youth_id,
        "channel": log.channel.value if log.channel else None,
        "activity_kind": log.activity_kind.value if log.activity_kind else None,
        "place_sha256": _digest(log.place),
        "content_sha256": _digest(log.content),
        "occurred_at": log.occurred_at.isoformat(),
        "participant_count": log.participant_count,
        "for_organ": log.for_organ,
    }


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# Work is logged only with youth who accepted the link (ACTIVE); an invitation is not contact.
NOT_LINKED = "该小伙伴不在你的联系名单中（或尚未确认联系）"


def _check_time(occurred_at: datetime) -> datetime:
    if occurred_at.tzinfo is None:
        raise BadInput("时间须带时区（如 2026-05-04T10:00:00+08:00）", field="occurredAt")
    now = datetime.now(UTC)
    if occurred_at > now + timedelta(minutes=5):
        raise BadInput("不能记录未来的工作", field="occurredAt")
    if occurred_at < now - timedelta(days=366):
        raise BadInput("只能记录一年以内的工作", field="occurredAt")
    return occurred_at


# The caller's cadre record and whether the youth is on its list (ACTIVE), in one statement
# written once: what a refused contact log reads, to answer as it always did.
_CADRE_AND_LINK = sa.select(
    Cadre,
    sa.exists().where(
        Contact.cadre_id == Cadre.id,
        Contact.youth_id == sa.bindparam("youth_id"),
        Contact.status == ContactStatus.ACTIVE,
    ),
).where(Cadre.id == sa.bindparam("cadre_id"))

# A new log in one statement, written once (the ORM's unit of work cost more CPU than the
# database's whole work): the log from its cadre's row `c` (no row, no log), its
# participants, its audit entry (sealed into the chain at commit by the deferred trigger, as
# any entry) and, when the rule gives points, the cadre's lock of `points._LOCK_IF_RULED`
# (FOR NO KEY UPDATE), taken after the log's insert as before; the capped credit follows as
# its own statement, whose snapshot then holds every award committed before the lock.
# The participants read `log` after the main query has consumed it, so work_logs' statement
# trigger has written the log's key (work_log_keys) before their foreign keys are checked.
_NEW_LOG = """
WITH c AS ({cadre}),
log AS (
  INSERT INTO work_logs (cadre_id, kind, youth_id, channel, activity_kind, place, content,
                         occurred_at, participant_count, campaign_id, for_organ, client,
                         org_id, org_path, city_id)
  SELECT c.id, CAST(:kind AS varchar), CAST(:youth_id AS bigint), CAST(:channel AS varchar),
         CAST(:activity_kind AS varchar), CAST(:place AS varchar), CAST(:content AS text),
         CAST(:occurred_at AS timestamptz), CAST(:participant_count AS integer),
         CAST(:campaign_id AS bigint), CAST(:for_organ AS boolean), CAST(:client AS varchar),
         c.org_id, c.org_path, c.city_id
    FROM c
  RETURNING id, cadre_id, created_at, updated_at, org_id, org_path, city_id
),
participants AS (
  INSERT INTO work_log_participants (log_id, youth_id)
  SELECT log.id, y FROM log, unnest(CAST(:youth_ids AS bigint[])) AS y
),
audit AS (
  INSERT INTO audit_log (actor_user_id, acting_for_user_id, request_id, action, entity_type,
                         entity_id, org_path, after)
  SELECT CAST(:actor_user_id AS bigint), CAST(:acting_for_user_id AS bigint),
         CAST(:request_id AS varchar), 'worklog.create', 'WorkLog', CAST(log.id AS text),
         log.org_path, CAST(:after AS jsonb)
    FROM log
),
locked AS (
  SELECT k.id FROM cadres k JOIN log ON k.id = log.cadre_id
   WHERE EXISTS (SELECT FROM point_rules r WHERE r.source = :source AND r.points > 0)
     FOR NO KEY UPDATE OF k
)
SELECT log.id, log.created_at, log.updated_at, log.org_id, CAST(log.org_path AS text) AS org_path,
       log.city_id, EXISTS (SELECT FROM locked) AS ruled
  FROM log
"""


def _new_log(cadre: str) -> DriverWrite:
    return DriverWrite(_NEW_LOG.format(cadre=cadre))


# A contact: the caller's cadre row only when the youth is on its list (ACTIVE).
_NEW_CONTACT_LOG = _new_log(
    "SELECT k.id, k.org_id, k.org_path, k.city_id FROM cadres k WHERE k.id = :cadre_id"
    " AND EXISTS (SELECT FROM contacts t WHERE t.cadre_id = k.id"
    " AND t.youth_id = CAST(:youth_id AS bigint) AND t.status = 'ACTIVE')"
)
# An activity: the cadre as the resolver read it (its checks are done by then).
_NEW_ACTIVITY_LOG = _new_log(
    "SELECT CAST(:cadre_id AS bigint) AS id, CAST(:org_id AS bigint) AS org_id,"
    " CAST(:org_path AS ltree) AS org_path, CAST(:city_id AS bigint) AS city_id"
)


async def log_contact(
    ctx: Ctx, *, youth_id: int, channel: Channel, content: str, occurred_at: datetime
) -> WorkLog:
    cadre_id = require_cadre(ctx.principal)
    try:
        text = clean_text(content, "联系内容", max_len=2000)
        at = _check_time(occurred_at)
    except BadInput:
        await _require_link(ctx, cadre_id, youth_id)  # the link is checked first, as ever
        raise
    log = WorkLog(
        cadre_id=cadre_id,
        kind=LogKind.CONTACT,
        youth_id=youth_id,
        channel=channel,
        content=text,
        place="",
        occurred_at=at,
        participant_count=1,
        for_organ=False,
        client=ctx.front_end,
    )
    saved = await _save_new(ctx, _NEW_CONTACT_LOG, log, PointSource.CONTACT_LOG, [youth_id])
    if saved is None:
        await _require_link(ctx, cadre_id, youth_id)
        raise NotFound(NOT_LINKED, field="youthId")
    return saved


async def _require_link(ctx: Ctx, cadre_id: int, youth_id: int) -> None:
    """NOT_FOUND unless the youth is on the cadre's list (ACTIVE)."""
    found = await ctx.session.execute(_CADRE_AND_LINK, {"cadre_id": cadre_id, "youth_id": youth_id})
    _, linked = found.one()
    if not linked:
        raise NotFound(NOT_LINKED, field="youthId")


async def log_activity(
    ctx: Ctx,
    *,
    kind: ActivityKind,
    content: str,
    occurred_at: datetime,
    place: str = "",
    participant_ids: list[int] | None = None,
    campaign_id: int | None = None,
    for_organ: bool = False,
) -> WorkLog:
    """`for_organ`: the cadre's leading organ organised it (机关组织), so it counts toward the
    organ's 五个一 (§二.1), not as the cadre's own; the organ-only kinds always are."""
    cadre = await my_cadre(ctx)
    if for_organ and not await _in_leading_organ(ctx, cadre):
        raise BadInput("只有领导机关的团干部可以登记机关组织的活动", field="forOrgan")
    for_organ = for_organ or kind.value in ORGAN_ONLY_KINDS
    ids = list(dict.fromkeys(participant_ids or []))
    if len(ids) > 500:
        raise BadInput("参与的小伙伴不能超过 500 位", field="participantIds")
    if ids and len(await own_contact_youth_ids(ctx, ids)) != len(ids):
        raise NotFound("部分参与者不在你的联系名单中（或尚未确认联系）", field="participantIds")
    if campaign_id is not None:
        await _check_campaign(ctx, campaign_id, occurred_at)
    log = WorkLog(
        cadre_id=cadre.id,
        kind=LogKind.ACTIVITY,
        campaign_id=campaign_id,
        activity_kind=kind,
        content=clean_text(content, "活动内容", max_len=4000),
        place=clean_text(place, "地点", max_len=200, required=False),
        occurred_at=_check_time(occurred_at),
        participant_count=len(ids),
        for_organ=for_organ,
        client=ctx.front_end,
        org_id=cadre.org_id,
        org_path=cadre.org_path,
        city_id=cadre.city_id,
    )
    saved = await _save_new(ctx, _NEW_ACTIVITY_LOG, log, PointSource.ACTIVITY_LOG, ids)
    assert saved is not None  # the cadre's row is given: the log is always written
    return saved


async def _in_leading_organ(ctx: Ctx, cadre: Cadre) -> bool:
    org = await ctx.session.get(Org, cadre.org_id)
    return org is not None and org.is_leading_organ


async def _check_campaign(ctx: Ctx, campaign_id: int, occurred_at: datetime) -> None:
    """An activity belongs to a campaign only within the campaign's dates."""
    campaign = await ctx.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("没有这个集中活动", field="campaignId")
    on = occurred_at.astimezone(ZoneInfo(ctx.settings.timezone)).date()
    if not campaign.starts_on <= on <= campaign.ends_on:
        raise BadInput("活动日期不在该集中活动的时间内", field="campaignId")


async def _save_new(
    ctx: Ctx, stmt: DriverWrite, log: WorkLog, source: PointSource, youth_ids: list[int]
) -> WorkLog | None:
    """Write `log` (transient, every column but the database's given) with its participants,
    its audit entry and its points; None when `stmt` found no cadre row for it."""
    params = {
        "cadre_id": log.cadre_id,
        "org_id": log.org_id,
        "org_path": log.org_path,
        "city_id": log.city_id,
        "kind": log.kind.value,
        "youth_id": log.youth_id,
        "channel": log.channel.value if log.channel else None,
        "activity_kind": log.activity_kind.value if log.activity_kind else None,
        "place": log.place,
        "content": log.content,
        "occurred_at": log.occurred_at,
        "participant_count": log.participant_count,
        "campaign_id": log.campaign_id,
        "for_organ": log.for_organ,
        "client": log.client,
        "youth_ids": youth_ids,
        "source": source.value,
        "after": json.dumps(_snapshot(log)),  # jsonb as the dialect sends it: its text
    }
    actor = ctx.audit_actor()
    params.update(actor, request_id=actor["request_id"] or None)
    row = await stmt.fetchrow(ctx.session, params)
    if row is None:
        return None
    log.id, log.created_at, log.updated_at = row["id"], row["created_at"], row["updated_at"]
    log.org_id, log.org_path, log.city_id = row["org_id"], row["org_path"], row["city_id"]
    if row["ruled"]:
        await points.credit_locked(
            ctx,
            source,
            log.id,
            cadre_id=log.cadre_id,
            org_id=log.org_id,
            org_path=log.org_path,
            city_id=log.city_id,
        )
    return log


async def authored(ctx: Ctx, log_id: int) -> WorkLog:
    """The caller's own, still-editable log. Someone else's: FORBIDDEN if the caller can see
    it (a leader), NOT_FOUND otherwise."""
    cadre_id = require_cadre(ctx.principal)
    log = await ctx.session.get(WorkLog, log_id, with_for_update=True)
    if log is None or log.deleted_at is not None:
        raise NotFound()
    if log.cadre_id != cadre_id:
        ctx.authorize(Act.VIEW, Obj.WORK, log.org_path)
        raise Forbidden("只能修改自己的日志")
    if datetime.now(UTC) > log.created_at + timedelta(hours=ctx.settings.work_log_edit_hours):
        raise Conflict(
            f"日志已锁定：写入 {ctx.settings.work_log_edit_hours} 小时后不能再修改或删除"
        )
    return log


async def update(
    ctx: Ctx,
    log_id: int,
    *,
    content: str | None = None,
    channel: Channel | None = None,
    occurred_at: datetime | None = None,
    place: str | None = None,
    activity_kind: ActivityKind | None = None,
) -> WorkLog:
    log = await authored(ctx, log_id)
    before = _snapshot(log)
    if content is not None:
        log.content = clean_text(content, "内容", max_len=4000)
    if occurred_at is not None:
        log.occurred_at = _check_time(occurred_at)
    if place is not None:
        log.place = clean_text(place, "地点", max_len=200, required=False)
    if channel is not None:
        if log.kind != LogKind.CONTACT:
            raise BadInput("活动日志没有联系方式", field="channel")
        log.channel = channel
    if activity_kind is not None:
        if log.kind != LogKind.ACTIVITY:
            raise BadInput("联系日志没有活动类型", field="activityKind")
        log.activity_kind = activity_kind
    await ctx.session.flush()
    await ctx.audit("worklog.update", "WorkLog", log.id, log.org_path, before, _snapshot(log))
    return log


async def delete(ctx: Ctx, log_id: int, reason: str) -> WorkLog:
    log = await authored(ctx, log_id)
    log.deleted_at = datetime.now(UTC)
    log.deleted_reason = clean_text(reason, "删除原因", max_len=200)
    await ctx.session.flush()
    source = PointSource.CONTACT_LOG if log.kind == LogKind.CONTACT else PointSource.ACTIVITY_LOG
    await points.withhold(ctx, source, log.id)
    await ctx.audit(
        "worklog.delete",
        "WorkLog",
        log.id,
        log.org_path,
        _snapshot(log),
        {"deleted_reason": log.deleted_reason},
    )
    return log


async def get(ctx: Ctx, log_id: int) -> WorkLog:
    return await ctx.load(WorkLog, log_id, Act.VIEW, Obj.WORK)


async def list_logs(
    ctx: Ctx,
    *,
    under: int | None = None,
    cadre_id: int | None = None,
    kind: LogKind | None = None,
    channel: Channel | None = None,
    activity_kind: ActivityKind | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    search: str | None = None,
    include_deleted: bool = False,
    first: int | None = None,
    after: str | None = None,
    edges: Sequence[Edge] = (),
    nodes: Shape | None = None,
    newest_first: bool = False,
) -> Page[WorkLog]:
    """A cadre's own logs, and those of the subtrees a leader may view; filters and text
    search (trigram index, which suits Chinese text that has no spaces to split on)."""
    ctx.scope(Act.VIEW, Obj.WORK, required=ctx.principal.cadre_id is None)
    where = {
        "cadre_id": cadre_id,
        "kind": kind,
        "channel": channel,
        "activity_kind": activity_kind,
        "start": start,
        "end": end,
        "search": containing(search),
        "live": not include_deleted,
    }
    return await LOGS.page(
        ctx,
        where,
        under=under,
        first=first,
        after=after,
        edges=edges,
        nodes=nodes,
        newest_first=newest_first,
    )


LOGS = Listing(
    WorkLog,
    WorkLog.id,
    WorkLog.org_path,
    {
        "cadre_id": lambda p: WorkLog.cadre_id == p,
        "kind": lambda p: WorkLog.kind == p,
        "channel": lambda p: WorkLog.channel == p,
        "activity_kind": lambda p: WorkLog.activity_kind == p,
        "start": lambda p: WorkLog.occurred_at >= p,
        "end": lambda p: WorkLog.occurred_at < p,
        "search": lambda p: WorkLog.content.ilike(p),
    },
    flags={"live": WorkLog.deleted_at.is_(None)},
)


async def participants(ctx: Ctx, log_id: int) -> list[int]:
    return list(
        await ctx.session.scalars(
            sa.select(WorkLogParticipant.youth_id).where(WorkLogParticipant.log_id == log_id)
        )
    )
