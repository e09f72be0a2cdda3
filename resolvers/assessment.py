"""考核 on the 100-point rubric of 附件1. A round freezes the rubric version published when it
opens (resolvers/rubric_versions.py) and is scored on it alone. Computed items come from the
data of the period; assessors enter the rest with evidence. Mid-year and year-end rounds;
totals and ranks among the assessed orgs; cadres who fail are marked not eligible for the
excellent-cadre selection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from authz import Act, Obj
from authz.errors import BadInput, Conflict, NotFound
from models import (
    AssessmentContribution,
    AssessmentRound,
    AssessmentScore,
    Cadre,
    Org,
    RoundHalf,
)
from resolvers import orgs, rubric, rubric_versions
from resolvers.base import Ctx, clean_text
from resolvers.figures import Completion, Figures, Period, cadre_periods
from resolvers.pagination import Page


def period_of(r: AssessmentRound) -> tuple[date, date]:
    return date(r.year, 1, 1), date(r.year, 6, 30) if r.half == RoundHalf.MID_YEAR else date(
        r.year, 12, 31
    )


async def open_round(ctx: Ctx, org_id: int, year: int, half: RoundHalf) -> AssessmentRound:
    """The org assesses its children (the province its cities, a city its counties), on the
    rubric version published now, frozen on the round."""
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.APPROVE, Obj.WORK, org.path)
    version = await rubric_versions.current(ctx)
    r = AssessmentRound(
        year=year,
        half=half,
        closed=False,
        org_id=org.id,
        org_path=org.path,
        city_id=org.city_id,
        rubric_version_id=version.id,
    )
    ctx.session.add(r)
    await ctx.flush_or_conflict("该轮考核已存在")
    await ctx.audit(
        "assessment.open",
        "AssessmentRound",
        r.id,
        org.path,
        after={"year": year, "half": half.value, "rubric_version": version.number},
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


def _half(ctx: Ctx, r: AssessmentRound) -> rubric.Half:
    start, end = period_of(r)
    return rubric.Half(start, end, datetime.now(ZoneInfo(ctx.settings.timezone)).date())


def _score(found: rubric.OrgShares, items: list[rubric.Item]) -> dict[str, tuple[float, str]]:
    """Points and the basis of each computed item: its weighted share of its points. An item
    with no subject in the subtree (no leading organ, no county) is scored at the org's mean
    share of the items that have subjects, so that no org gains or loses by construction."""
    computed = [i for i in items if i.computed]
    ratios = {i.code: found.items[i.code].ratio for i in computed if i.code in found.items}
    present = [v for v in ratios.values() if v is not None]
    fallback = sum(present) / len(present) if present else 0.0
    out = {}
    for i in computed:
        share = found.items.get(i.code)
        if share is None or share.ratio is None:
            out[i.code] = (
                i.points * fallback,
                f"系统数据：本级无考核对象，按其余各项平均得分率 {fallback:.2%} 计",
            )
            continue
        out[i.code] = (
            i.points * share.ratio,
            f"系统数据：{share.subjects} 个考核对象，加权完成 {share.achieved:g} / {share.possible:g}",
        )
    return out


async def compute(ctx: Ctx, round_id: int) -> int:
    """(Re)compute every computed item of the round's frozen rubric for every assessed org,
    over every period of the assessed half-year (resolvers/rubric.py)."""
    r = await _round(ctx, round_id, Act.APPROVE, for_update=True)
    items = await rubric_versions.of_round(ctx, r)
    kids = (await Figures(ctx.session, ctx.settings.timezone).children([r.org_id]))[r.org_id]
    found = await rubric.shares(
        ctx.session, ctx.settings.timezone, kids, r.year, _half(ctx, r), items
    )
    paths = dict(
        (await ctx.session.execute(sa.select(Org.id, Org.path).where(Org.id.in_(kids)))).all()
    )
    values = [
        {
            "round_id": r.id,
            "org_id": org_id,
            "org_path": paths[org_id],
            "item": code,
            "points": round(points, 2),
            "evidence": basis,
            "entered_by": None,
        }
        for org_id in kids
        for code, (points, basis) in _score(found[org_id], items).items()
    ]
    if values:
        stmt = insert(AssessmentScore).values(values)
        await ctx.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["round_id", "org_id", "item"],
                set_={
                    "points": stmt.excluded.points,
                    "evidence": stmt.excluded.evidence,
                    "updated_at": sa.func.now(),
                },
            )
        )
    await _store_contributions(ctx, r, found)
    await ctx.audit(
        "assessment.compute", "AssessmentRound", r.id, r.org_path, after={"orgs": len(kids)}
    )
    return len(kids)


async def _store_contributions(
    ctx: Ctx, r: AssessmentRound, found: dict[int, rubric.OrgShares]
) -> None:
    """What each subject contributed to each computed item: replaced on every compute."""
    await ctx.session.execute(
        sa.delete(AssessmentContribution).where(AssessmentContribution.round_id == r.id)
    )
    rows = [
        {
            "round_id": r.id,
            "assessed_org_id": org_id,
            "item": code,
            "subject": who.kind,
            "cadre_id": who.id if who.kind == "CADRE" else None,
            "achieved": round(got, 4),
            "possible": round(of, 4),
            "org_id": who.org_id,
            "org_path": who.org_path,
            "city_id": who.city_id,
        }
        for org_id, shares in found.items()
        for code, share in shares.items.items()
        for who, (got, of) in share.by_subject.items()
    ]
    if rows:
        await ctx.session.execute(sa.insert(AssessmentContribution), rows)


async def contributions(
    ctx: Ctx,
    *,
    org_id: int,
    year: int | None,
    half: RoundHalf | None,
    item: str | None,
    first: int | None,
    after: str | None,
) -> Page[AssessmentContribution]:
    """The subjects behind the computed scores of an assessed org, as far as the caller may
    read them (the assessor: all; the assessed org, once closed: those in its subtree)."""
    org = await orgs.get(ctx, org_id)
    stmt = sa.select(AssessmentContribution).where(
        AssessmentContribution.assessed_org_id == org.id, ctx.readable(AssessmentContribution)
    )
    rounds = sa.select(AssessmentRound.id)
    if year is not None:
        rounds = rounds.where(AssessmentRound.year == year)
    if half is not None:
        rounds = rounds.where(AssessmentRound.half == half)
    if year is not None or half is not None:
        stmt = stmt.where(AssessmentContribution.round_id.in_(rounds))
    if item is not None:
        stmt = stmt.where(AssessmentContribution.item == item)
    return await ctx.page(stmt, AssessmentContribution.id, first, after)


async def enter(
    ctx: Ctx, round_id: int, org_id: int, item: str, points: float, evidence: str
) -> AssessmentScore:
    """An assessor's score for an item the round's rubric scores by hand, with its evidence
    (materials, checks, media)."""
    r = await _round(ctx, round_id, Act.APPROVE, for_update=True)
    found = {i.code: i for i in await rubric_versions.of_round(ctx, r)}.get(item)
    if found is None or found.computed:
        raise BadInput("只能录入本轮考核细则中非系统计算的考核项", field="item")
    if not 0 <= points <= found.points:
        raise BadInput(f"该项分值为 0–{found.points:g}", field="points")
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
    """A cadre fails (not eligible for the excellent-cadre selection, §五.2) over the whole
    period: no work logged in some quarter of it that has begun, an upheld flag, or any
    五个一 period of it that has ended incomplete (the one still running is not held
    against them)."""
    r = await _round(ctx, round_id, Act.VIEW)
    half = _half(ctx, r)
    periods = await cadre_periods(ctx.session, r.org_path, half.months, half.today)
    figures = Figures(ctx.session, ctx.settings.timezone)
    stats = {c.cadre_id: c for c in await figures.cadre_work([r.org_id], half.so_far)}
    quarters = sorted({(m.month - 1) // 3 + 1 for m in half.months})
    cadres = (
        await ctx.session.scalars(
            sa.select(Cadre).where(Cadre.id.in_(list(stats))).order_by(Cadre.id)
        )
    ).all()
    out = []
    for c in cadres:
        reasons = []
        worked = set(stats[c.id].quarters_worked)
        idle = [q for q in quarters if q not in worked]
        if not worked:
            reasons.append("考核期内没有工作记录")
        elif idle:
            reasons.append("考核期内第 " + "、".join(map(str, idle)) + " 季度没有工作记录")
        if stats[c.id].upheld_flags:
            reasons.append(f"{stats[c.id].upheld_flags} 条记录经复核属实存在问题")
        p = periods.get(c.id)
        if p is not None and p.incomplete:
            begun = "、".join(f"{d.month} 月起" for d in p.incomplete)
            reasons.append(f"“五个一”未完成：{begun}的周期（共 {p.ended} 个已结束的周期）")
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
