"""一学一做 (§一): each cadre guides one grassroots committee or general branch (基层团委或团总支),
joins the practice of one branch inside it, from March to September; makes a work plan with
the committee and recommends the good experience, practices and models found there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa

from authz import Act, Obj, is_in_subtree
from authz.errors import BadInput, Conflict, NotFound
from models import (
    LEARN_AND_DO_MONTHS,
    Cadre,
    LearnAndDoChoice,
    LearnAndDoKind,
    LearnAndDoRecommendation,
    LearnAndDoRecord,
    OrgLevel,
    PointSource,
    RecommendationKind,
)
from resolvers import orgs, points
from resolvers.base import Ctx, clean_text
from resolvers.contacts import my_cadre
from resolvers.pagination import Page, paginate_rows

GUIDED_LEVELS = (OrgLevel.GRASSROOTS, OrgLevel.GENERAL_BRANCH)


async def choose(
    ctx: Ctx, *, year: int, guided_org_id: int, joined_branch_id: int
) -> LearnAndDoChoice:
    """Both orgs in the cadre's own subtree: a grassroots committee or general branch, and a
    branch inside it (§一.2: 所联系基层团委或团总支中的一个支部)."""
    cadre = await my_cadre(ctx)
    this_year = points.today(ctx).year
    if year not in (this_year, this_year + 1):
        raise BadInput("只能为今年或明年选择", field="year")
    guided = await orgs.load(ctx, guided_org_id)
    branch = await orgs.load(ctx, joined_branch_id)
    for org, field in ((guided, "guidedOrgId"), (branch, "joinedBranchId")):
        if not is_in_subtree(org.path, cadre.org_path) or not org.is_active:
            raise NotFound(field=field)
    if guided.level not in GUIDED_LEVELS:
        raise BadInput("须选择一个基层团委或团总支", field="guidedOrgId")
    if branch.level != OrgLevel.BRANCH:
        raise BadInput("须选择一个团支部", field="joinedBranchId")
    if not is_in_subtree(branch.path, guided.path):
        raise BadInput("参加的团支部须在所联系的基层团委（团总支）之内", field="joinedBranchId")
    choice = await ctx.session.scalar(
        sa.select(LearnAndDoChoice)
        .where(LearnAndDoChoice.cadre_id == cadre.id, LearnAndDoChoice.year == year)
        .with_for_update()
    )
    before = None
    if choice is None:
        choice = LearnAndDoChoice(
            cadre_id=cadre.id,
            year=year,
            org_id=cadre.org_id,
            org_path=cadre.org_path,
            city_id=cadre.city_id,
            guided_org_id=guided.id,
            joined_branch_id=branch.id,
        )
        ctx.session.add(choice)
    else:
        before = {
            "guided_org_id": choice.guided_org_id,
            "joined_branch_id": choice.joined_branch_id,
        }
        choice.guided_org_id, choice.joined_branch_id = guided.id, branch.id
    await ctx.session.flush()
    await ctx.audit(
        "learn.choose",
        "LearnAndDoChoice",
        choice.id,
        cadre.org_path,
        before,
        {"year": year, "guided_org_id": guided.id, "joined_branch_id": branch.id},
    )
    return choice


async def record(
    ctx: Ctx, *, kind: LearnAndDoKind, occurred_on: date, note: str = ""
) -> LearnAndDoRecord:
    cadre = await my_cadre(ctx)
    _in_window(ctx, occurred_on)
    year = occurred_on.year
    await _chosen(ctx, cadre, year)
    rec = LearnAndDoRecord(
        cadre_id=cadre.id,
        year=year,
        kind=kind,
        occurred_on=occurred_on,
        note=clean_text(note, "备注", max_len=1000, required=False),
        org_id=cadre.org_id,
        org_path=cadre.org_path,
        city_id=cadre.city_id,
    )
    ctx.session.add(rec)
    await ctx.session.flush()
    await ctx.audit(
        "learn.record",
        "LearnAndDoRecord",
        rec.id,
        cadre.org_path,
        after={"kind": kind.value, "occurred_on": occurred_on.isoformat()},
    )
    await points.award(ctx, cadre, PointSource.LEARN_AND_DO, rec.id)
    return rec


def _in_window(ctx: Ctx, on: date, field: str = "occurredOn") -> None:
    """Only March to September (§一.1: 3月至9月), and never in the future."""
    if on > points.today(ctx):
        raise BadInput("不能记录未来的活动", field=field)
    if on.month not in LEARN_AND_DO_MONTHS:
        raise BadInput("一学一做教育实践在每年 3 月至 9 月开展，日期须在此期间", field=field)


async def _chosen(ctx: Ctx, cadre: Cadre, year: int, *, lock: bool = False) -> LearnAndDoChoice:
    stmt = sa.select(LearnAndDoChoice).where(
        LearnAndDoChoice.cadre_id == cadre.id, LearnAndDoChoice.year == year
    )
    chosen = await ctx.session.scalar(stmt.with_for_update() if lock else stmt)
    if chosen is None:
        raise Conflict(f"请先选择 {year} 年联系的基层团委（团总支）和参加的团支部")
    return chosen


async def set_work_plan(ctx: Ctx, *, year: int, plan: str) -> LearnAndDoChoice:
    """The work plan made with the guided committee (§一.1: 指导其结合实际制定工作方案)."""
    cadre = await my_cadre(ctx)
    text = clean_text(plan, "工作方案", max_len=10_000)
    choice = await _chosen(ctx, cadre, year, lock=True)
    before = {"work_plan": choice.work_plan}
    choice.work_plan = text
    choice.work_plan_updated_at = datetime.now(UTC)
    await ctx.session.flush()
    await ctx.audit(
        "learn.work_plan",
        "LearnAndDoChoice",
        choice.id,
        cadre.org_path,
        before,
        {"work_plan": choice.work_plan},
    )
    return choice


async def recommend(
    ctx: Ctx,
    *,
    kind: RecommendationKind,
    source_org_id: int,
    title: str,
    description: str,
    recommended_on: date,
) -> LearnAndDoRecommendation:
    """典型推荐: found in the guided committee (or an org inside it), that year's choice."""
    cadre = await my_cadre(ctx)
    _in_window(ctx, recommended_on, "recommendedOn")
    choice = await _chosen(ctx, cadre, recommended_on.year)
    source = await orgs.load(ctx, source_org_id)
    guided = await orgs.load(ctx, choice.guided_org_id)
    if not is_in_subtree(source.path, guided.path):
        raise BadInput("推荐的典型须来自所联系的基层团委（团总支）", field="sourceOrgId")
    rec = LearnAndDoRecommendation(
        cadre_id=cadre.id,
        year=recommended_on.year,
        kind=kind,
        source_org_id=source.id,
        title=clean_text(title, "标题", max_len=200),
        description=clean_text(description, "推荐理由", max_len=5000),
        recommended_on=recommended_on,
        org_id=cadre.org_id,
        org_path=cadre.org_path,
        city_id=cadre.city_id,
    )
    ctx.session.add(rec)
    await ctx.session.flush()
    await ctx.audit(
        "learn.recommend",
        "LearnAndDoRecommendation",
        rec.id,
        cadre.org_path,
        after={"kind": kind.value, "source_org_id": source.id, "title": rec.title},
    )
    return rec


async def recommendations(
    ctx: Ctx, *, org_id: int | None, year: int, first: int | None, after: str | None
) -> Page[LearnAndDoRecommendation]:
    """The recommendations of a subtree's cadres that the caller may see (the organisation
    they were recommended to reads them here)."""
    stmt = sa.select(LearnAndDoRecommendation).where(
        ctx.readable(LearnAndDoRecommendation), LearnAndDoRecommendation.year == year
    )
    stmt = await orgs.within(ctx, stmt, LearnAndDoRecommendation.org_path, org_id)
    return await ctx.page(stmt, LearnAndDoRecommendation.id, first, after)


@dataclass(frozen=True)
class MyLearnAndDo:
    choice: LearnAndDoChoice | None
    records: list[LearnAndDoRecord]
    recommendations: list[LearnAndDoRecommendation]


async def mine(ctx: Ctx, year: int) -> MyLearnAndDo:
    cadre = await my_cadre(ctx)
    choice = await ctx.session.scalar(
        sa.select(LearnAndDoChoice).where(
            LearnAndDoChoice.cadre_id == cadre.id, LearnAndDoChoice.year == year
        )
    )
    records = (
        await ctx.session.scalars(
            sa.select(LearnAndDoRecord)
            .where(LearnAndDoRecord.cadre_id == cadre.id, LearnAndDoRecord.year == year)
            .order_by(LearnAndDoRecord.occurred_on)
        )
    ).all()
    mine_recommended = (
        await ctx.session.scalars(
            sa.select(LearnAndDoRecommendation)
            .where(
                LearnAndDoRecommendation.cadre_id == cadre.id,
                LearnAndDoRecommendation.year == year,
            )
            .order_by(LearnAndDoRecommendation.id)
        )
    ).all()
    return MyLearnAndDo(choice, list(records), list(mine_recommended))


@dataclass(frozen=True)
class Gap:
    cadre: Cadre
    has_chosen: bool
    records: int


async def gaps(
    ctx: Ctx, org_id: int, year: int, *, first: int | None, after: str | None
) -> Page[Gap]:
    """Cadres of a subtree who have not chosen, or have chosen and recorded nothing; a page
    by cadre id."""
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.VIEW, Obj.WORK, org.path)
    scope = ctx.scope(Act.VIEW, Obj.WORK)
    chosen = sa.exists().where(LearnAndDoChoice.cadre_id == Cadre.id, LearnAndDoChoice.year == year)
    recorded = (
        sa.select(sa.func.count())
        .where(LearnAndDoRecord.cadre_id == Cadre.id, LearnAndDoRecord.year == year)
        .scalar_subquery()
    )
    stmt = (
        sa.select(Cadre, chosen.label("chosen"), recorded.label("records"))
        .where(
            Cadre.is_active, Cadre.org_path.descendant_of(org.path), scope.predicate(Cadre.org_path)
        )
        .where(sa.or_(~chosen, recorded == 0))
    )
    page = await paginate_rows(
        ctx.session, stmt, Cadre.id, lambda r: r[0].id, size=ctx.page_size(first), after=after
    )
    page.rows = [Gap(c, bool(ch), int(n)) for c, ch, n in page.rows]
    return page
