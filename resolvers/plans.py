"""实施方案: each League committee writes its plan for the year's "1+100" work and the
committee above approves it or returns it with comments (备案). Versions are kept in the
audit log (each submission's text); the row holds the current one."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from authz import Act, Obj, errors, require_user
from authz.errors import BadInput, Conflict, Forbidden
from models import ImplementationPlan, OrgLevel, ReportStatus
from resolvers import orgs
from resolvers.base import Ctx, clean_text
from resolvers.pagination import Page
from resolvers.review import PLAN

COMMITTEES = (OrgLevel.PROVINCE, OrgLevel.CITY, OrgLevel.COUNTY, OrgLevel.GRASSROOTS)


async def submit(
    ctx: Ctx, *, org_id: int, year: int, title: str, content: str
) -> ImplementationPlan:
    """The committee's managers (`report:manage` at the org) submit, or submit again after a
    return; an approved plan stays as approved."""
    user_id = require_user(ctx.principal)
    org = await orgs.load(ctx, org_id)
    ctx.authorize(Act.MANAGE, Obj.REPORT, org.path)
    if org.level not in COMMITTEES:
        raise BadInput("实施方案由各级团委（含基层团委）制定，团支部不单独制定", field="orgId")
    if not 2000 <= year <= datetime.now(UTC).year + 1:
        raise BadInput("年份不在可接受的范围内", field="year")
    text = {
        "title": clean_text(title, "标题", max_len=200),
        "content": clean_text(content, "方案内容", max_len=50_000),
    }
    plan = await ctx.session.scalar(
        sa.select(ImplementationPlan)
        .where(ImplementationPlan.org_id == org.id, ImplementationPlan.year == year)
        .with_for_update()
    )
    if plan is None:
        plan = ImplementationPlan(
            year=year, version=0, org_id=org.id, org_path=org.path, city_id=org.city_id
        )
        ctx.session.add(plan)
    PLAN.submit(plan)
    plan.title, plan.content = text["title"], text["content"]
    plan.submitted_by, plan.submitted_at = user_id, datetime.now(UTC)
    await ctx.session.flush()
    await ctx.audit(
        "plan.submit",
        "ImplementationPlan",
        plan.id,
        org.path,
        after={"version": plan.version, **text},
    )
    return plan


async def review(ctx: Ctx, plan_id: int, approve: bool, comment: str) -> ImplementationPlan:
    """The committee above approves: `report:approve` over the parent org, so a committee
    never approves its own plan (its managers' rights at its own org do not reach)."""
    plan = await ctx.load(ImplementationPlan, plan_id, Act.VIEW, Obj.REPORT, for_update=True)
    org = await orgs.load(ctx, plan.org_id)
    parent = org.path.rpartition(".")[0]
    if not parent:
        raise Conflict("省级实施方案没有上级团委审批", reason=errors.ILLEGAL_TRANSITION)
    if not ctx.decide(Act.APPROVE, Obj.REPORT, parent).allowed:
        # The committee sees its plan (hence not NOT_FOUND) but may not approve it.
        raise Forbidden("实施方案由上一级团委审批")
    await PLAN.review(ctx, plan, approve, comment)
    return plan


async def listed(
    ctx: Ctx,
    *,
    under: int | None,
    year: int | None,
    status: ReportStatus | None,
    first: int | None,
    after: str | None,
    newest_first: bool = False,
) -> Page[ImplementationPlan]:
    ctx.scope(Act.VIEW, Obj.REPORT)
    stmt = sa.select(ImplementationPlan).where(ctx.readable(ImplementationPlan))
    stmt = await orgs.within(ctx, stmt, ImplementationPlan.org_path, under)
    if year is not None:
        stmt = stmt.where(ImplementationPlan.year == year)
    if status is not None:
        stmt = stmt.where(ImplementationPlan.status == status)
    return await ctx.page(stmt, ImplementationPlan.id, first, after, newest_first=newest_first)
