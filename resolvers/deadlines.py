"""Deadline views (§四.2): by the end of March every cadre doing "1+100" work has signed in to
the system; by the end of April their youth have signed in on the phone. Who has not, as
lists a leader works through: scoped in SQL like every list, paged as connections."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from authz import Act, Obj
from models import AuthSession, Cadre, Youth
from resolvers import orgs
from resolvers.base import Ctx
from resolvers.pagination import Page

# The first day after each deadline (§四.2: 3月底前 cadres, 4月底前 youth).
CADRES_BY = (4, 1)
YOUTH_BY = (5, 1)


def deadline(ctx: Ctx, year: int, first_day_after: tuple[int, int]) -> datetime:
    """Midnight starting the day after the deadline, in the League's time zone."""
    month, day = first_day_after
    return datetime.combine(date(year, month, day), time(), ZoneInfo(ctx.settings.timezone))


def _signed_in_before(user_id: Any, at: datetime) -> sa.Exists:
    return sa.exists().where(AuthSession.user_id == user_id, AuthSession.created_at < at)


async def cadres_not_signed_in(
    ctx: Ctx, *, under: int | None, year: int, first: int | None, after: str | None
) -> Page[Cadre]:
    """Active cadres the caller may see who had not signed in by the end of March of `year`
    (so far, while March lasts)."""
    ctx.scope(Act.VIEW, Obj.CADRE)
    stmt = sa.select(Cadre).where(
        ctx.readable(Cadre),
        Cadre.is_active,
        ~_signed_in_before(Cadre.user_id, deadline(ctx, year, CADRES_BY)),
    )
    stmt = await orgs.within(ctx, stmt, Cadre.org_path, under)
    return await ctx.page(stmt, Cadre.id, first, after)


async def youth_not_signed_in(
    ctx: Ctx, *, under: int | None, year: int, first: int | None, after: str | None
) -> Page[Youth]:
    """Youth the caller may see (a cadre: their own; a leader: the subtrees they may view)
    who had not signed in on the phone by the end of April of `year`: never registered an
    account, or no sign-in before the deadline."""
    stmt = sa.select(Youth).where(
        ctx.readable(Youth),
        sa.or_(
            Youth.user_id.is_(None),
            ~_signed_in_before(Youth.user_id, deadline(ctx, year, YOUTH_BY)),
        ),
    )
    stmt = await orgs.within(ctx, stmt, Youth.org_path, under)
    return await ctx.page(stmt, Youth.id, first, after)
