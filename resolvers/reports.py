"""报送: a city's quarterly 五个一 report (做法、经验、存在问题、下步工作安排), sent up in the
last week of the quarter with the figures computed from the data attached; the province
approves or returns it; every version is kept; late ones show."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from authz import Act, Obj
from authz.errors import BadInput, Conflict
from models import Org, OrgLevel, Report, ReportStatus, ReportVersion
from resolvers import orgs
from resolvers.base import Ctx, clean_text
from resolvers.figures import Figures
from resolvers.pagination import Page
from resolvers.points import today
from resolvers.quarters import quarter_period
from resolvers.review import REPORT

WINDOW_DAYS = 7  # the report window opens in the quarter's last week


async def figures(ctx: Ctx, org: Org, year: int, quarter: int) -> dict[str, Any]:
    """What the system already knows of the quarter: nobody re-types it."""
    period = quarter_period(year, quarter)
    figures = Figures(ctx.session, ctx.settings.timezone)  # authorized at the city: all of it
    head = (await figures.headline([org.id], period))[org.id]
    five = (await figures.five_ones([org.id], period))[org.id]
    return {
        "period": [period.start.isoformat(), period.end.isoformat()],
        "cadres": head.cadres,
        "active_cadres": head.active_cadres,
        "youth_in_contact": head.youth_in_contact,
        "logs": head.logs,
        "five_ones_done": five.done,
        "five_ones_cadres": five.subjects,
    }


async def submit(
    ctx: Ctx,
    *,
    org_id: int,
    year: int,
    quarter: int,
    practices: str,
    experience: str,
    problems: str,
    next_steps: str,
) -> Report:
    org = await orgs.load(ctx, org_id)
    ctx.authorize(Act.MANAGE, Obj.REPORT, org.path)
    if org.level != OrgLevel.CITY:
        raise BadInput("季度报送由市级团委提交", field="orgId")
    period = quarter_period(year, quarter)
    now = today(ctx)
    if now < period.end - timedelta(days=WINDOW_DAYS - 1):
        raise Conflict(f"报送窗口在 {period.end - timedelta(days=WINDOW_DAYS - 1)} 开放")
    text = {
        k: clean_text(v, label, max_len=10_000)
        for k, v, label in (
            ("practices", practices, "做法"),
            ("experience", experience, "经验"),
            ("problems", problems, "存在问题"),
            ("next_steps", next_steps, "下步工作安排"),
        )
    }
    report = await ctx.session.scalar(
        sa.select(Report)
        .where(Report.org_id == org.id, Report.year == year, Report.quarter == quarter)
        .with_for_update()
    )
    if report is None:
        report = Report(
            year=year,
            quarter=quarter,
            status=ReportStatus.SUBMITTED,
            version=0,
            late=False,
            org_id=org.id,
            org_path=org.path,
            city_id=org.city_id,
        )
        ctx.session.add(report)
    REPORT.submit(report)
    report.late = now > period.end
    await ctx.session.flush()
    ctx.session.add(
        ReportVersion(
            report_id=report.id,
            version=report.version,
            submitted_by=ctx.principal.user_id,
            figures=await figures(ctx, org, year, quarter),
            **text,
        )
    )
    await ctx.session.flush()
    await ctx.audit(
        "report.submit",
        "Report",
        report.id,
        org.path,
        after={"version": report.version, "late": report.late},
    )
    return report


async def review(ctx: Ctx, report_id: int, approve: bool, comment: str) -> Report:
    """Approving is a permission of its own (`report:approve`), held by the province."""
    report = await ctx.load(Report, report_id, Act.APPROVE, Obj.REPORT, for_update=True)
    await REPORT.review(ctx, report, approve, comment)
    return report


async def get(ctx: Ctx, report_id: int) -> Report:
    report = await ctx.load(Report, report_id, Act.VIEW, Obj.REPORT)
    return report


async def versions(
    ctx: Ctx, report_id: int, *, first: int | None, after: str | None
) -> Page[ReportVersion]:
    """A report's versions, oldest first (ids grow with the version number)."""
    stmt = sa.select(ReportVersion).where(ReportVersion.report_id == report_id)
    return await ctx.page(stmt, ReportVersion.id, first, after)


async def list_reports(
    ctx: Ctx,
    *,
    year: int | None,
    quarter: int | None,
    status: ReportStatus | None,
    first: int | None,
    after: str | None,
) -> Page[Report]:
    ctx.scope(Act.VIEW, Obj.REPORT)
    stmt = sa.select(Report).where(ctx.readable(Report))
    for col, value in ((Report.year, year), (Report.quarter, quarter), (Report.status, status)):
        if value is not None:
            stmt = stmt.where(col == value)
    return await ctx.page(stmt, Report.id, first, after)


async def missing(
    ctx: Ctx, year: int, quarter: int, *, first: int | None, after: str | None
) -> Page[Org]:
    """Cities in the caller's subtrees with no report for the quarter."""
    quarter_period(year, quarter)  # validates both
    scope = ctx.scope(Act.VIEW, Obj.REPORT)
    filed = sa.select(Report.org_id).where(Report.year == year, Report.quarter == quarter)
    stmt = sa.select(Org).where(
        Org.level == OrgLevel.CITY,
        Org.is_active,
        scope.predicate(Org.path),
        Org.id.not_in(filed),
    )
    return await ctx.page(stmt, Org.id, first, after)
