"""考核 on the 100-point rubric of 附件1. Computed items come from the data of the period (one
statement for all assessed orgs); assessors enter the rest with evidence. Mid-year and
year-end rounds; totals and ranks among the assessed orgs; cadres who fail are marked not
eligible for the excellent-cadre selection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from authz import Act, Obj
from authz.errors import BadInput, Conflict, NotFound
from models import AssessmentRound, AssessmentScore, Cadre, Org, RoundHalf
from resolvers import orgs
from resolvers.base import Ctx, clean_text
from resolvers.figures import Completion, Figures, Period, cadre_progress_sql
from resolvers.pagination import Page


@dataclass(frozen=True)
class RubricItem:
    code: str
    title: str
    max_points: float
    computed: bool


# 附件1: 1 mechanisms (20), 2 campaigns (20), 3 rules in place (10), 4 cadres' work (50).
RUBRIC = [
    RubricItem("1.1", "市县领导机关每季度“五个一”", 10, True),
    RubricItem("1.2", "团干部“五个一”", 5, True),
    RubricItem("1.3", "工作小组", 5, True),
    RubricItem("2.1", "团干部开放日", 5, True),
    RubricItem("2.2", "宣讲活动", 5, True),
    RubricItem("2.3", "最美青春故事", 5, True),
    RubricItem("2.4", "服务青年月", 5, True),
    RubricItem("3", "市县通报、督查、考核制度", 10, False),
    RubricItem("4.1", "团干部使用系统", 15, True),
    RubricItem("4.2", "联系小伙伴", 10, True),
    RubricItem("4.3", "开展活动", 10, True),
    RubricItem("4.4", "手机端使用", 5, True),
    RubricItem("4.5", "一学一做指导", 10, True),
]
ITEMS = {i.code: i for i in RUBRIC}
assert sum(i.max_points for i in RUBRIC) == 100


def period_of(r: AssessmentRound) -> tuple[date, date]:
    return date(r.year, 1, 1), date(r.year, 6, 30) if r.half == RoundHalf.MID_YEAR else date(
        r.year, 12, 31
    )


async def open_round(ctx: Ctx, org_id: int, year: int, half: RoundHalf) -> AssessmentRound:
    """The org assesses its children (the province its cities, a city its counties)."""
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.APPROVE, Obj.WORK, org.path)
    r = AssessmentRound(
        year=year, half=half, closed=False, org_id=org.id, org_path=org.path, city_id=org.city_id
    )
    ctx.session.add(r)
    await ctx.flush_or_conflict("该轮考核已存在")
    await ctx.audit(
        "assessment.open",
        "AssessmentRound",
        r.id,
        org.path,
        after={"year": year, "half": half.value},
    )
    return r


async def list_rounds(
    ctx: Ctx,
    *,
    under: int | None,
    year: int | None,
    closed: bool | None,
    first: int | None,
    after: str | None,
) -> Page[AssessmentRound]:
    """Rounds held by orgs the caller may view work at."""
    ctx.scope(Act.VIEW, Obj.WORK)
    stmt = sa.select(AssessmentRound).where(ctx.readable(AssessmentRound))
    stmt = await orgs.within(ctx, stmt, AssessmentRound.org_path, under)
    if year is not None:
        stmt = stmt.where(AssessmentRound.year == year)
    if closed is not None:
        stmt = stmt.where(AssessmentRound.closed.is_(closed))
    return await ctx.page(stmt, AssessmentRound.id, first, after)


async def _round(ctx: Ctx, round_id: int, act: Act, *, for_update: bool = False) -> AssessmentRound:
    r = await ctx.session.get(AssessmentRound, round_id, with_for_update=for_update)
    if r is None:
        raise NotFound()
    ctx.authorize(act, Obj.WORK, r.org_path)
    if act == Act.APPROVE and r.closed:
        raise Conflict("该轮考核已结束，不能再修改")
    return r


# What only the assessment counts; the shared figures come from `resolvers.figures`.
_OWN_FIGURES = """
SELECT k.id,
  (SELECT count(*) FROM working_groups g WHERE g.is_active AND (g.org_path <@ k.path OR g.org_path @> k.path)
      AND g.responsible_org_id IN (SELECT id FROM orgs WHERE path <@ k.path)) AS groups,
  (SELECT coalesce(json_object_agg(kind, n), '{}') FROM (
      SELECT cp.kind, count(*) AS n FROM work_logs l JOIN campaigns cp ON cp.id = l.campaign_id
      WHERE l.org_path <@ k.path AND l.deleted_at IS NULL AND cp.year = :year GROUP BY cp.kind) x) AS campaigns,
  (SELECT count(*) FROM nominations n JOIN campaigns cp ON cp.id = n.campaign_id
      WHERE n.org_path <@ k.path AND cp.year = :year) AS nominations
FROM orgs k WHERE k.id = ANY(:ids) ORDER BY k.id
"""


@dataclass(frozen=True)
class Inputs:
    """What one assessed org's computed items are scored from: its subtree over the round's
    period (五个一 and 一学一做 as of the period's last day)."""

    cadres: int
    active_cadres: int
    youth_in_contact: int
    activities: int
    cadres_on_mobile: int
    organs: Completion
    five_ones: Completion
    learn_and_do: Completion
    groups: int
    campaigns: dict[str, int]
    nominations: int


async def inputs(ctx: Ctx, r: AssessmentRound) -> dict[int, Inputs]:
    """Per assessed org (the round org's active children), authorized at the round's org:
    the whole subtree counts."""
    period = Period(*period_of(r))
    figures = Figures(ctx.session, ctx.settings.timezone)
    ids = (await figures.children([r.org_id]))[r.org_id]
    own = (await ctx.session.execute(sa.text(_OWN_FIGURES), {"ids": ids, "year": r.year})).all()
    head = await figures.headline(ids, period)
    mobile = await figures.mobile(ids, period)
    organs = await figures.organ_five_ones(ids, period)
    five = await figures.five_ones(ids, period)
    learn = await figures.learn_and_do(ids, period)
    return {
        o.id: Inputs(
            cadres=head[o.id].cadres,
            active_cadres=head[o.id].active_cadres,
            youth_in_contact=head[o.id].youth_in_contact,
            activities=head[o.id].activities,
            cadres_on_mobile=mobile[o.id].cadres_on_mobile,
            organs=organs[o.id],
            five_ones=five[o.id],
            learn_and_do=learn[o.id],
            groups=o.groups,
            campaigns=dict(o.campaigns or {}),
            nominations=o.nominations,
        )
        for o in own
    }


def _score(x: Inputs, months: int) -> dict[str, float]:
    """The computed items, from one org's figures. Ratios are capped at 1."""
    cadres = x.cadres

    def share(n: float, of: float) -> float:
        return min(1.0, n / of) if of else 0.0

    campaigns = x.campaigns
    quarters = max(1, months // 3)
    return {
        "1.1": 10 * share(x.organs.done, x.organs.subjects),
        "1.2": 5 * share(x.five_ones.done, cadres),
        "1.3": 5.0 if x.groups else 0.0,
        "2.1": 5.0 if campaigns.get("OPEN_DAY") else 0.0,
        "2.2": 5.0 if campaigns.get("LECTURE") else 0.0,
        "2.3": 5.0 if x.nominations or campaigns.get("YOUTH_STORY") else 0.0,
        "2.4": 5.0 if campaigns.get("SERVICE_MONTH") else 0.0,
        "4.1": 15 * share(x.active_cadres, cadres),
        "4.2": 10 * share(x.youth_in_contact, cadres * 100),  # about a hundred youth each
        "4.3": 10 * share(x.activities, cadres * 5 * quarters),  # five a quarter each
        "4.4": 5 * share(x.cadres_on_mobile, cadres),
        "4.5": 10 * share(x.learn_and_do.done, cadres),
    }


async def compute(ctx: Ctx, round_id: int) -> int:
    """(Re)compute every computed item for every assessed org."""
    r = await _round(ctx, round_id, Act.APPROVE, for_update=True)
    found = await inputs(ctx, r)
    months = 6 if r.half == RoundHalf.MID_YEAR else 12
    paths = dict(
        (
            await ctx.session.execute(sa.select(Org.id, Org.path).where(Org.id.in_(list(found))))
        ).all()
    )
    values = [
        {
            "round_id": r.id,
            "org_id": org_id,
            "org_path": paths[org_id],
            "item": code,
            "points": round(points, 2),
            "evidence": "系统数据",
            "entered_by": None,
        }
        for org_id, x in found.items()
        for code, points in _score(x, months).items()
    ]
    if values:
        stmt = insert(AssessmentScore).values(values)
        await ctx.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["round_id", "org_id", "item"],
                set_={"points": stmt.excluded.points, "updated_at": sa.func.now()},
            )
        )
    await ctx.audit(
        "assessment.compute", "AssessmentRound", r.id, r.org_path, after={"orgs": len(found)}
    )
    return len(found)


async def enter(
    ctx: Ctx, round_id: int, org_id: int, item: str, points: float, evidence: str
) -> AssessmentScore:
    """An assessor's score for an entered item, with its evidence (materials, checks, media)."""
    r = await _round(ctx, round_id, Act.APPROVE, for_update=True)
    rubric = ITEMS.get(item)
    if rubric is None or rubric.computed:
        raise BadInput("只能录入非系统计算的考核项", field="item")
    if not 0 <= points <= rubric.max_points:
        raise BadInput(f"该项分值为 0–{rubric.max_points:g}", field="points")
    org = await orgs.load(ctx, org_id)
    if org.parent_id != r.org_id:
        raise NotFound("该组织不在本轮考核范围内", field="orgId")
    stmt = insert(AssessmentScore).values(
        round_id=r.id,
        org_id=org.id,
        org_path=org.path,
        item=item,
        points=points,
        evidence=clean_text(evidence, "依据", max_len=4000),
        entered_by=ctx.principal.user_id,
    )
    row = (
        await ctx.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["round_id", "org_id", "item"],
                set_={
                    "points": stmt.excluded.points,
                    "evidence": stmt.excluded.evidence,
                    "entered_by": stmt.excluded.entered_by,
                    "updated_at": sa.func.now(),
                },
            ).returning(AssessmentScore)
        )
    ).scalar_one()
    await ctx.audit(
        "assessment.enter",
        "AssessmentScore",
        row.id,
        r.org_path,
        after={"org_id": org.id, "item": item, "points": points},
    )
    return row


async def close(ctx: Ctx, round_id: int) -> AssessmentRound:
    r = await _round(ctx, round_id, Act.APPROVE, for_update=True)
    r.closed = True
    await ctx.session.flush()
    await ctx.audit("assessment.close", "AssessmentRound", r.id, r.org_path, after={"closed": True})
    return r


@dataclass(frozen=True)
class OrgResult:
    org_id: int
    total: float
    rank: int
    items: dict[str, tuple[float, str]]


async def results(ctx: Ctx, round_id: int) -> list[OrgResult]:
    """Totals and ranks among the assessed orgs (ties share a rank)."""
    r = await _round(ctx, round_id, Act.VIEW)
    rows = (
        await ctx.session.execute(
            sa.select(
                AssessmentScore.org_id,
                AssessmentScore.item,
                AssessmentScore.points,
                AssessmentScore.evidence,
            ).where(AssessmentScore.round_id == r.id, ctx.readable(AssessmentScore))
        )
    ).all()
    by_org: dict[int, dict[str, tuple[float, str]]] = {}
    for org_id, item, points, evidence in rows:
        by_org.setdefault(org_id, {})[item] = (float(points), evidence)
    totals = sorted(
        ((round(sum(p for p, _ in items.values()), 2), org_id) for org_id, items in by_org.items()),
        key=lambda t: (-t[0], t[1]),
    )
    out, rank = [], 0
    for i, (total, org_id) in enumerate(totals):
        if i == 0 or total != totals[i - 1][0]:
            rank = i + 1
        out.append(OrgResult(org_id, total, rank, by_org[org_id]))
    return out


@dataclass(frozen=True)
class CadreEligibility:
    cadre: Cadre
    eligible: bool
    reasons: list[str]


async def eligibility(ctx: Ctx, round_id: int) -> list[CadreEligibility]:
    """A cadre fails (not eligible for the excellent-cadre selection) with no work logged in
    the period, an upheld flag, or 五个一 unmet at its end."""
    r = await _round(ctx, round_id, Act.VIEW)
    start, end = period_of(r)
    tz = ZoneInfo(ctx.settings.timezone)
    progress = {
        row.subject_id: row
        for row in (
            await ctx.session.execute(
                sa.text(cadre_progress_sql("c.org_path <@ CAST(:root AS ltree)")),
                {"root": r.org_path, "on": end},
            )
        ).all()
    }
    stat_rows = await ctx.session.execute(
        sa.text("""
        SELECT c.id,
          (SELECT count(*) FROM work_logs l WHERE l.cadre_id = c.id AND l.deleted_at IS NULL
             AND l.occurred_at >= :start AND l.occurred_at < :end) AS logs,
          (SELECT count(*) FROM flags f WHERE f.cadre_id = c.id AND f.status = 'UPHELD'
             AND f.created_at >= :start AND f.created_at < :end) AS upheld
        FROM cadres c WHERE c.is_active AND c.org_path <@ CAST(:root AS ltree) ORDER BY c.id"""),
        {
            "root": r.org_path,
            "start": datetime.combine(start, time(), tz),
            "end": datetime.combine(end + timedelta(days=1), time(), tz),
        },
    )
    stats = {s.id: s for s in stat_rows}
    cadres = (
        await ctx.session.scalars(
            sa.select(Cadre).where(Cadre.id.in_(list(stats))).order_by(Cadre.id)
        )
    ).all()
    out = []
    for c in cadres:
        reasons = []
        if not stats[c.id].logs:
            reasons.append("考核期内没有工作记录")
        if stats[c.id].upheld:
            reasons.append(f"{stats[c.id].upheld} 条记录经复核属实存在问题")
        p = progress.get(c.id)
        if p is None or not p.complete:
            reasons.append("“五个一”未完成")
        out.append(CadreEligibility(c, not reasons, reasons))
    return out


async def assessed_orgs(ctx: Ctx, round_id: int) -> list[Org]:
    r = await _round(ctx, round_id, Act.VIEW)
    return list(
        (
            await ctx.session.scalars(
                sa.select(Org).where(Org.parent_id == r.org_id, Org.is_active).order_by(Org.id)
            )
        ).all()
    )


# ---------------------------------------------------------------- results flow down


async def rounds_of(
    ctx: Ctx, org_id: int, first: int | None, after: str | None
) -> Page[AssessmentRound]:
    """The rounds in which `org` was assessed and whose scores the caller may read (the
    assessed org reads its own once a round is closed)."""
    org = await orgs.get(ctx, org_id)
    mine = sa.select(AssessmentScore.round_id).where(
        AssessmentScore.org_id == org.id, ctx.readable(AssessmentScore)
    )
    stmt = sa.select(AssessmentRound).where(AssessmentRound.id.in_(mine))
    return await ctx.page(stmt, AssessmentRound.id, first, after)


@dataclass(frozen=True)
class OwnResult:
    """One org's result in one round: its own items, total, and its place among the assessed
    (the rank and how many were assessed; no sibling's figures)."""

    round: AssessmentRound
    org_id: int
    total: float
    rank: int
    assessed: int
    items: dict[str, tuple[float, str]]


async def own_result(ctx: Ctx, r: AssessmentRound, org_id: int) -> OwnResult:
    rows = (
        await ctx.session.execute(
            sa.select(AssessmentScore.item, AssessmentScore.points, AssessmentScore.evidence).where(
                AssessmentScore.round_id == r.id,
                AssessmentScore.org_id == org_id,
                ctx.readable(AssessmentScore),
            )
        )
    ).all()
    items = {item: (float(points), evidence) for item, points, evidence in rows}
    total = round(sum(p for p, _ in items.values()), 2)
    # The place among the assessed: an aggregate over the round, telling only how many
    # scored more (ties share a rank) and how many took part.
    totals = (
        sa.select(sa.func.round(sa.func.sum(AssessmentScore.points), 2).label("t"))
        .where(AssessmentScore.round_id == r.id)
        .group_by(AssessmentScore.org_id)
        .subquery()
    )
    above, assessed = (
        await ctx.session.execute(
            sa.select(sa.func.count().filter(totals.c.t > total), sa.func.count()).select_from(
                totals
            )
        )
    ).one()
    return OwnResult(r, org_id, total, int(above) + 1, int(assessed), items)
