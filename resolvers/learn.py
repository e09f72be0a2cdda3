"""一学一做: each cadre guides one grassroots committee and joins one branch's practice a year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from authz import Act, Obj, is_in_subtree
from authz.errors import BadInput, Conflict, NotFound
from models import Cadre, LearnAndDoChoice, LearnAndDoKind, LearnAndDoRecord, OrgLevel, PointSource
from resolvers import orgs, points
from resolvers.base import Ctx, clean_text
from resolvers.contacts import my_cadre


async def choose(
    ctx: Ctx, *, year: int, guided_org_id: int, joined_branch_id: int
) -> LearnAndDoChoice:
    """Both orgs in the cadre's own subtree: a grassroots committee and a branch."""
    cadre = await my_cadre(ctx)
    this_year = points.today(ctx).year
    if year not in (this_year, this_year + 1):
        raise BadInput("只能为今年或明年选择", field="year")
    guided = await orgs.load(ctx, guided_org_id)
    branch = await orgs.load(ctx, joined_branch_id)
    for org, level, field in (
        (guided, OrgLevel.GRASSROOTS, "guidedOrgId"),
        (branch, OrgLevel.BRANCH, "joinedBranchId"),
    ):
        if not is_in_subtree(org.path, cadre.org_path) or not org.is_active:
            raise NotFound(field=field)
        if org.level != level:
            raise BadInput(
                "须选择一个基层团委" if level == OrgLevel.GRASSROOTS else "须选择一个团支部",
                field=field,
            )
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
    if occurred_on > points.today(ctx):
        raise BadInput("不能记录未来的活动", field="occurredOn")
    year = occurred_on.year
    chosen = await ctx.session.scalar(
        sa.select(LearnAndDoChoice.id).where(
            LearnAndDoChoice.cadre_id == cadre.id, LearnAndDoChoice.year == year
        )
    )
    if chosen is None:
        raise Conflict(f"请先选择 {year} 年联系的基层团委和参加的团支部")
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


@dataclass(frozen=True)
class MyLearnAndDo:
    choice: LearnAndDoChoice | None
    records: list[LearnAndDoRecord]


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
    return MyLearnAndDo(choice, list(records))


@dataclass(frozen=True)
class Gap:
    cadre: Cadre
    has_chosen: bool
    records: int


async def gaps(ctx: Ctx, org_id: int, year: int) -> list[Gap]:
    """Cadres of a subtree who have not chosen, or have chosen and recorded nothing."""
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.VIEW, Obj.WORK, org.path)
    scope = ctx.scope(Act.VIEW, Obj.WORK)
    chosen = sa.exists().where(LearnAndDoChoice.cadre_id == Cadre.id, LearnAndDoChoice.year == year)
    recorded = (
        sa.select(sa.func.count())
        .where(LearnAndDoRecord.cadre_id == Cadre.id, LearnAndDoRecord.year == year)
        .scalar_subquery()
    )
    rows = await ctx.session.execute(
        sa.select(Cadre, chosen.label("chosen"), recorded.label("records"))
        .where(
            Cadre.is_active, Cadre.org_path.descendant_of(org.path), scope.predicate(Cadre.org_path)
        )
        .where(sa.or_(~chosen, recorded == 0))
        .order_by(Cadre.id)
    )
    return [Gap(c, bool(ch), int(n)) for c, ch, n in rows]
