"""集中活动 (§三): campaigns with dates and phases, activities linked to them, and the
YOUTH_STORY nominations going county → city → province, each level selecting within its
quota or returning with a comment, before its deadline (cities by 31 October).

A nomination names a cadre of the county's subtree (§三.3 寻找、认定……优秀团干部典型),
the form the story is shared in (演讲、征文、微视频、H5) and its title and text; its
materials are evidence (resolvers/evidence.py). The county may change it while it waits
for the city's decision."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from authz import Act, Obj, errors, is_in_subtree
from authz.errors import BadInput, Conflict, NotFound
from models import (
    Cadre,
    Campaign,
    CampaignKind,
    Nomination,
    NominationLevel,
    NominationStatus,
    Org,
    OrgLevel,
    StoryForm,
)
from resolvers import orgs
from resolvers.base import Ctx, clean_text
from resolvers.pagination import Page
from resolvers.points import today


def _dates(phases: list[dict[str, Any]], starts_on: date, ends_on: date) -> list[dict[str, Any]]:
    out = []
    for p in phases:
        try:
            a, b = date.fromisoformat(str(p["starts_on"])), date.fromisoformat(str(p["ends_on"]))
            name = clean_text(str(p["name"]), "阶段名称", max_len=50)
        except (KeyError, ValueError):
            raise BadInput(
                "每个阶段须有 name、starts_on、ends_on（YYYY-MM-DD）", field="phases"
            ) from None
        if a > b or a < starts_on or b > ends_on:
            raise BadInput("阶段日期须在活动起止日期之内", field="phases")
        out.append({"name": name, "starts_on": a.isoformat(), "ends_on": b.isoformat()})
    return out


async def create(
    ctx: Ctx,
    *,
    kind: CampaignKind,
    year: int,
    title: str,
    starts_on: date,
    ends_on: date,
    phases: list[dict[str, Any]],
    selection: dict[str, Any] | None = None,
) -> Campaign:
    """The province runs campaigns through the whole tree."""
    root = await orgs.root_path(ctx)
    ctx.authorize_global(Act.MANAGE, Obj.CAMPAIGN, root)
    if starts_on > ends_on:
        raise BadInput("开始日期不能晚于结束日期", field="startsOn")
    sel: dict[str, Any] = {}
    if kind == CampaignKind.YOUTH_STORY:
        sel = _selection(selection or {})
    c = Campaign(
        kind=kind,
        year=year,
        title=clean_text(title, "活动名称", max_len=100),
        starts_on=starts_on,
        ends_on=ends_on,
        phases=_dates(phases, starts_on, ends_on),
        selection=sel,
    )
    ctx.session.add(c)
    await ctx.session.flush()
    await ctx.audit(
        "campaign.create", "Campaign", c.id, root, after={"kind": kind.value, "year": year}
    )
    return c


def _selection(s: dict[str, Any]) -> dict[str, Any]:
    try:
        out: dict[str, Any] = {
            k: date.fromisoformat(str(s[k])).isoformat()
            for k in ("county_deadline", "city_deadline", "province_deadline")
        }
        out |= {k: int(s[k]) for k in ("county_quota", "city_quota", "finalists")}
    except (KeyError, ValueError, TypeError):
        raise BadInput("最美青春故事须给出各级截止日期和名额", field="selection") from None
    if not out["county_deadline"] <= out["city_deadline"] <= out["province_deadline"]:
        raise BadInput("截止日期须县 ≤ 市 ≤ 省", field="selection")
    if min(out["county_quota"], out["city_quota"], out["finalists"]) < 1:
        raise BadInput("名额至少为 1", field="selection")
    return out


async def get(ctx: Ctx, campaign_id: int) -> Campaign:
    ctx.scope(Act.VIEW, Obj.CAMPAIGN)
    c = await ctx.session.get(Campaign, campaign_id)
    if c is None:
        raise NotFound()
    return c


async def list_campaigns(
    ctx: Ctx, year: int | None, *, first: int | None, after: str | None
) -> Page[Campaign]:
    ctx.scope(Act.VIEW, Obj.CAMPAIGN)
    stmt = sa.select(Campaign)
    if year is not None:
        stmt = stmt.where(Campaign.year == year)
    return await ctx.page(stmt, Campaign.id, first, after)


async def activity_counts(ctx: Ctx, org_id: int, campaign_id: int) -> int:
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.VIEW, Obj.WORK, org.path)
    from models import WorkLog

    counted = await ctx.session.execute(
        sa.select(sa.func.count()).where(
            WorkLog.campaign_id == campaign_id,
            WorkLog.deleted_at.is_(None),
            WorkLog.org_path.descendant_of(org.path),
        )
    )
    return counted.scalar_one()


# ---------------------------------------------------------------- nominations


def _deadline(c: Campaign, level: str) -> date:
    return date.fromisoformat(c.selection[f"{level.lower()}_deadline"])


def _open(ctx: Ctx, c: Campaign, level: str) -> None:
    if today(ctx) > _deadline(c, level):
        raise Conflict(f"已过截止日期（{_deadline(c, level)}）")


async def _story_campaign(ctx: Ctx, campaign_id: int) -> Campaign:
    c = await ctx.session.get(Campaign, campaign_id, with_for_update=True)
    if c is None or c.kind != CampaignKind.YOUTH_STORY:
        raise NotFound("没有这个最美青春故事活动", field="campaignId")
    return c


async def nominate(
    ctx: Ctx,
    *,
    campaign_id: int,
    org_id: int,
    cadre_id: int,
    form: StoryForm,
    title: str,
    story: str,
) -> Nomination:
    """A county committee puts one of its cadres' stories forward to its city, within its
    quota."""
    c = await _story_campaign(ctx, campaign_id)
    county = await orgs.load(ctx, org_id)
    ctx.authorize(Act.MANAGE, Obj.CAMPAIGN, county.path)
    if county.level != OrgLevel.COUNTY:
        raise BadInput("由县级团委推荐", field="orgId")
    cadre = await _nominee(ctx, county, cadre_id)
    _open(ctx, c, "COUNTY")
    sent = await ctx.session.scalar(
        sa.select(sa.func.count()).where(
            Nomination.campaign_id == c.id,
            Nomination.org_id == county.id,
            Nomination.status != NominationStatus.RETURNED,
        )
    )
    if sent >= c.selection["county_quota"]:
        raise Conflict(f"本县名额（{c.selection['county_quota']}）已满")
    n = Nomination(
        campaign_id=c.id,
        cadre_id=cadre.id,
        nominee_name=cadre.name,
        form=form,
        title=clean_text(title, "标题", max_len=100),
        story=clean_text(story, "事迹", max_len=20_000, multiline=True),
        level=NominationLevel.CITY.value,
        status=NominationStatus.PENDING,
        org_id=county.id,
        org_path=county.path,
        city_id=county.city_id,
    )
    ctx.session.add(n)
    await ctx.session.flush()
    await ctx.audit("nomination.create", "Nomination", n.id, county.path, after=_snapshot(n))
    return n


async def update(
    ctx: Ctx,
    nomination_id: int,
    *,
    cadre_id: int | None = None,
    form: StoryForm | None = None,
    title: str | None = None,
    story: str | None = None,
) -> Nomination:
    """The nominating county changes what it sent while the city has not decided; the
    fields not given stay."""
    n = await editable(ctx, nomination_id)
    before = _snapshot(n)
    if cadre_id is not None:
        county = await orgs.load(ctx, n.org_id)
        cadre = await _nominee(ctx, county, cadre_id)
        n.cadre_id, n.nominee_name = cadre.id, cadre.name
    if form is not None:
        n.form = form
    if title is not None:
        n.title = clean_text(title, "标题", max_len=100)
    if story is not None:
        n.story = clean_text(story, "事迹", max_len=20_000, multiline=True)
    n.updated_at = datetime.now(UTC)
    await ctx.session.flush()
    await ctx.audit("nomination.update", "Nomination", n.id, n.org_path, before, _snapshot(n))
    return n


async def editable(ctx: Ctx, nomination_id: int) -> Nomination:
    """The nomination, locked, if the caller may change it now: whoever may nominate for
    its county, while it waits at the city (PENDING at CITY) and the city's deadline has
    not passed. Also the rule for its materials."""
    n = await ctx.load(Nomination, nomination_id, Act.VIEW, Obj.CAMPAIGN, for_update=True)
    ctx.authorize(Act.MANAGE, Obj.CAMPAIGN, n.org_path)
    if n.status != NominationStatus.PENDING or n.level != NominationLevel.CITY.value:
        raise Conflict("只能在市级遴选前修改推荐", reason=errors.ILLEGAL_TRANSITION)
    c = await _story_campaign(ctx, n.campaign_id)
    _open(ctx, c, "CITY")
    return n


async def _nominee(ctx: Ctx, county: Org, cadre_id: int) -> Cadre:
    """A cadre the caller sees (else NOT_FOUND, as for any invisible row), active, of the
    nominating county's subtree (else BAD_USER_INPUT: the caller may see wider, e.g. a
    city acting for its county, but the county nominates its own)."""
    cadre = await ctx.load(Cadre, cadre_id, Act.VIEW, Obj.CADRE)
    if not is_in_subtree(cadre.org_path, county.path):
        raise BadInput("只能推荐本县（及下级组织）的团干部", field="cadreId")
    if not cadre.is_active:
        raise BadInput("该团干部已停用", field="cadreId")
    return cadre


def _snapshot(n: Nomination) -> dict[str, object]:
    return {
        "cadreId": n.cadre_id,
        "nomineeName": n.nominee_name,
        "form": n.form.value if n.form else None,
        "title": n.title,
        "story": n.story,
        "level": n.level,
    }


async def _deciding_org(ctx: Ctx, n: Nomination) -> Org:
    """The org that decides a nomination where it waits: its city, or the province."""
    if n.level == "CITY":
        return await orgs.load(ctx, n.city_id)
    root = await ctx.session.scalar(sa.select(Org).where(Org.parent_id.is_(None)))
    assert root is not None
    return root


async def decide(ctx: Ctx, nomination_id: int, *, select: bool, comment: str = "") -> Nomination:
    n = await ctx.session.get(Nomination, nomination_id, with_for_update=True)
    if n is None or n.status != NominationStatus.PENDING:
        if n is None:
            raise NotFound()
        raise Conflict("该推荐已有结论")
    c = await _story_campaign(ctx, n.campaign_id)
    deciding = await _deciding_org(ctx, n)
    ctx.authorize(Act.MANAGE, Obj.CAMPAIGN, deciding.path)
    if not is_in_subtree(n.org_path, deciding.path):
        raise NotFound()
    _open(ctx, c, n.level)
    before = {"level": n.level, "status": n.status.value}
    if not select:
        n.status, n.comment = (
            NominationStatus.RETURNED,
            clean_text(comment, "退回意见", max_len=2000),
        )
    elif n.level == "CITY":
        forwarded = await ctx.session.scalar(
            sa.select(sa.func.count()).where(
                Nomination.campaign_id == c.id,
                Nomination.city_id == n.city_id,
                Nomination.level == "PROVINCE",
                Nomination.status != NominationStatus.RETURNED,
            )
        )
        if forwarded >= c.selection["city_quota"]:
            raise Conflict(f"本市名额（{c.selection['city_quota']}）已满")
        n.level = "PROVINCE"
    else:
        finalists = await ctx.session.scalar(
            sa.select(sa.func.count()).where(
                Nomination.campaign_id == c.id, Nomination.status == NominationStatus.FINALIST
            )
        )
        if finalists >= c.selection["finalists"]:
            raise Conflict(f"入选名额（{c.selection['finalists']}）已满")
        n.status = NominationStatus.FINALIST
    n.updated_at = datetime.now(UTC)
    await ctx.session.flush()
    await ctx.audit(
        "nomination.decide",
        "Nomination",
        n.id,
        n.org_path,
        before,
        {"level": n.level, "status": n.status.value, "comment": n.comment},
    )
    return n


async def list_nominations(
    ctx: Ctx,
    *,
    campaign_id: int,
    level: str | None,
    status: NominationStatus | None,
    first: int | None,
    after: str | None,
) -> Page[Nomination]:
    stmt = sa.select(Nomination).where(
        Nomination.campaign_id == campaign_id,
        ctx.readable(Nomination),
    )
    if level:
        stmt = stmt.where(Nomination.level == level)
    if status is not None:
        stmt = stmt.where(Nomination.status == status)
    return await ctx.page(stmt, Nomination.id, first, after)
