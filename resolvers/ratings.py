"""评价: a youth rates a cadre who contacts them, once a quarter. Cadres and leaders see
aggregates only: no one reads who gave which score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from authz import Act, Obj, require_cadre
from authz.errors import BadInput, NotFound
from models import Contact, ContactStatus, Rating
from resolvers import orgs, privacy
from resolvers.base import Ctx, clean_text
from resolvers.figures import rating_distribution, ratings_by_cadre
from resolvers.pagination import Page, paginate_ranked
from resolvers.points import today
from resolvers.voices import my_youth


def quarter(ctx: Ctx) -> str:
    d = today(ctx)
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


async def rate(ctx: Ctx, *, cadre_id: int, score: int, comment: str = "") -> Rating:
    youth = await my_youth(ctx)
    await privacy.require_consent(ctx, youth)
    link = await ctx.session.scalar(
        sa.select(Contact).where(
            Contact.youth_id == youth.id,
            Contact.cadre_id == cadre_id,
            Contact.status == ContactStatus.ACTIVE,
        )
    )
    if link is None:
        raise NotFound("只能评价与你保持联系的团干部", field="cadreId")
    if not 1 <= score <= 5:
        raise BadInput("评分为 1–5 分", field="score")
    rating = Rating(
        youth_id=youth.id,
        cadre_id=cadre_id,
        period=quarter(ctx),
        score=score,
        comment=clean_text(comment, "评价", max_len=500, required=False),
        org_id=link.org_id,
        org_path=link.org_path,
        city_id=link.city_id,
    )
    ctx.session.add(rating)
    await ctx.flush_or_conflict("本季度已评价过这位团干部")
    await ctx.audit(
        "rating.create", "Rating", rating.id, link.org_path, after={"cadre_id": cadre_id}
    )
    return rating


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: float | None
    distribution: dict[int, int]


@dataclass(frozen=True)
class CadreRating:
    cadre_id: int
    name: str
    count: int
    average: float


def _summary(rows: list[tuple[int, int]]) -> RatingSummary:
    total = sum(n for _, n in rows)
    avg = round(sum(s * n for s, n in rows) / total, 2) if total else None
    return RatingSummary(total, avg, {s: dict(rows).get(s, 0) for s in range(1, 6)})


async def mine(ctx: Ctx, period: str | None) -> RatingSummary:
    cadre_id = require_cadre(ctx.principal)
    where = [Rating.cadre_id == cadre_id]
    if period:
        where.append(Rating.period == period)
    return _summary([(s, n) for s, n in await ctx.session.execute(rating_distribution(where))])


async def _org_filter(ctx: Ctx, org_id: int, period: str | None) -> list[Any]:
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.VIEW, Obj.RATING, org.path)
    where = [
        Rating.org_path.descendant_of(org.path),
        ctx.scope(Act.VIEW, Obj.RATING).predicate(Rating.org_path),
    ]
    if period:
        where.append(Rating.period == period)
    return where


async def for_org(ctx: Ctx, org_id: int, period: str | None) -> RatingSummary:
    where = await _org_filter(ctx, org_id, period)
    return _summary([(s, n) for s, n in await ctx.session.execute(rating_distribution(where))])


async def by_cadre(
    ctx: Ctx, org_id: int, period: str | None, *, first: int | None, after: str | None
) -> Page[CadreRating]:
    """Each rated cadre of the subtree, lowest average first; a page by position."""
    where = await _org_filter(ctx, org_id, period)
    stmt = ratings_by_cadre(where)
    page = await paginate_ranked(ctx.session, stmt, size=ctx.page_size(first), after=after)
    page.rows = [CadreRating(i, n, c, round(float(a), 2)) for i, n, c, a in page.rows]
    return page
