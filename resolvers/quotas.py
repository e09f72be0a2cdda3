"""五个一: quotas set by the province only, and progress for any period.

Progress is one statement (`resolvers.figures`, where what counts and when a period is
complete are defined): each cadre joined to the rule for their kind, the period that
contains the given day computed in SQL from the rule's length, and their activity logs of
the counted kinds in that period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from authz import Act, Obj, is_own_cadre
from authz.errors import BadInput, NotFound
from models import ActivityKind, Cadre, QuotaRule, QuotaSubject
from resolvers import orgs
from resolvers.base import Ctx
from resolvers.figures import cadre_progress_sql, organ_progress_sql

PERIOD_LENGTHS = (1, 2, 3, 4, 6, 12)


async def list_rules(ctx: Ctx) -> list[QuotaRule]:
    ctx.scope(Act.VIEW, Obj.QUOTA)
    return list((await ctx.session.scalars(sa.select(QuotaRule).order_by(QuotaRule.subject))).all())


async def set_rule(
    ctx: Ctx,
    subject: QuotaSubject,
    *,
    period_months: int | None = None,
    min_count: int | None = None,
    kinds: list[ActivityKind] | None = None,
    one_of_each: bool | None = None,
    counts_learn_and_do: bool | None = None,
) -> QuotaRule:
    """Only with `quota:manage` at the root (the province): a city cannot raise its quota."""
    root = await orgs.root_path(ctx)
    ctx.authorize_global(Act.MANAGE, Obj.QUOTA, root)
    rule = await ctx.session.get(QuotaRule, subject, with_for_update=True)
    if rule is None:
        raise NotFound()
    before = {
        "period_months": rule.period_months,
        "min_count": rule.min_count,
        "kinds": list(rule.kinds),
        "one_of_each": rule.one_of_each,
        "counts_learn_and_do": rule.counts_learn_and_do,
    }
    if period_months is not None:
        if period_months not in PERIOD_LENGTHS:
            raise BadInput("周期只能是 1、2、3、4、6 或 12 个月", field="periodMonths")
        rule.period_months = period_months
    if min_count is not None:
        if not 1 <= min_count <= 100:
            raise BadInput("最少次数应在 1–100 之间", field="minCount")
        rule.min_count = min_count
    if kinds is not None:
        if not kinds:
            raise BadInput("至少要有一种计入的活动", field="kinds")
        rule.kinds = [k.value for k in dict.fromkeys(kinds)]
    if one_of_each is not None:
        rule.one_of_each = one_of_each
    if counts_learn_and_do is not None:
        rule.counts_learn_and_do = counts_learn_and_do
    if rule.one_of_each and rule.min_count < len(rule.kinds):
        raise BadInput("要求每种各一次时，最少次数不能少于活动种类数", field="minCount")
    await ctx.session.flush()
    await ctx.audit(
        "quota.update",
        "QuotaRule",
        subject.value,
        root,
        before,
        {
            "period_months": rule.period_months,
            "min_count": rule.min_count,
            "kinds": list(rule.kinds),
            "one_of_each": rule.one_of_each,
            "counts_learn_and_do": rule.counts_learn_and_do,
        },
    )
    return rule


@dataclass(frozen=True)
class Progress:
    subject_id: int  # a cadre id, or an org id for a leading organ
    subject: QuotaSubject
    period_start: date
    period_end: date  # exclusive
    done: int
    required: int
    kinds_done: tuple[str, ...]
    kinds_required: tuple[str, ...]
    complete: bool
    learn_done: int = 0  # of `done`, 一学一做 records (where the rule counts them)
    one_of_each: bool = False


def _progress(row: sa.Row) -> Progress:
    kinds_done = tuple(sorted(row.kinds_done))
    return Progress(
        row.subject_id,
        QuotaSubject(row.subject),
        row.period_start,
        row.period_end,
        row.done,
        row.min_count,
        kinds_done,
        tuple(row.kinds),
        row.complete,
        row.learn_done,
        row.one_of_each,
    )


# The cadres' cities, named to the progress statement as values: the planner then plans only
# those cities' log partitions (a join to the cadres prunes only as it runs, after planning
# and locking every city's: 5.9 ms of planning a cadre at 52 cities, 1.5 ms at 13; 0.4 ms at
# both with the cities named, bench/results/scale.md). A cadre's logs are all in the cadre's
# city, so it restates `l.city_id = r.city_id`.
_CITIES = sa.text("SELECT DISTINCT city_id FROM cadres WHERE id = ANY(:ids)")
_IN_CITIES = "l.city_id = ANY(CAST(:cities AS bigint[]))"


async def cadre_progress(ctx: Ctx, cadre_ids: list[int], on: date) -> dict[int, Progress]:
    cities = list(await ctx.session.scalars(_CITIES, {"ids": cadre_ids}))
    rows = await ctx.session.execute(
        sa.text(cadre_progress_sql("c.id = ANY(:ids)", _IN_CITIES, few=True)),
        {"ids": cadre_ids, "on": on, "cities": cities},
    )
    return {r.subject_id: _progress(r) for r in rows}


async def progress_of(ctx: Ctx, cadre: Cadre, on: date) -> Progress | None:
    """One cadre's progress: their own, or for a leader with `work:view` over them.
    Batched: a list of cadres costs one statement."""
    if not is_own_cadre(ctx.principal, cadre.id):
        ctx.authorize(Act.VIEW, Obj.WORK, cadre.org_path)
    return await ctx.loader(_progress_batch).load((cadre.id, on))


async def _progress_batch(ctx: Ctx, keys: Sequence[tuple[int, date]]) -> list[Progress | None]:
    found: dict[tuple[int, date], Progress] = {}
    for on in {k[1] for k in keys}:
        ids = [k[0] for k in keys if k[1] == on]
        found |= {(i, on): p for i, p in (await cadre_progress(ctx, ids, on)).items()}
    return [found.get(k) for k in keys]


async def organ_progress(ctx: Ctx, org_id: int, on: date) -> Progress | None:
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.VIEW, Obj.WORK, org.path)
    row = (
        await ctx.session.execute(
            sa.text(organ_progress_sql("o.id = :id")), {"id": org_id, "on": on}
        )
    ).one_or_none()
    return _progress(row) if row else None


async def behind(ctx: Ctx, org_id: int, on: date, *, organs: bool = False) -> list[Progress]:
    """Cadres (or leading organs) of a subtree who have not met their quota this period."""
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.VIEW, Obj.WORK, org.path)
    scope = ctx.scope(Act.VIEW, Obj.WORK)
    params = {"root": org.path, "roots": list(scope.roots), "on": on}
    if organs:
        sql = organ_progress_sql(
            "o.path <@ CAST(:root AS ltree) AND o.path <@ ANY(CAST(:roots AS ltree[]))"
        )
    else:
        sql = cadre_progress_sql(
            "c.org_path <@ CAST(:root AS ltree) AND c.org_path <@ ANY(CAST(:roots AS ltree[]))"
        )
    rows = await ctx.session.execute(sa.text(sql + " ORDER BY done, subject_id"), params)
    return [p for p in map(_progress, rows) if not p.complete]
