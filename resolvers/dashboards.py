"""Dashboards: each figure is one SQL statement over the subtree predicate, batched across
every org asked for in the request (a leader's nested query stays a constant number of
statements, however many children)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from strawberry.dataloader import DataLoader

from authz import Act, Obj
from authz.errors import BadInput
from models import Org
from resolvers import orgs
from resolvers.base import Ctx
from resolvers.points import today
from resolvers.quotas import cadre_progress_sql


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        zone = ZoneInfo(tz)
        return (
            datetime.combine(self.start, time(), zone),
            datetime.combine(self.end + timedelta(days=1), time(), zone),
        )


@dataclass(frozen=True)
class DashboardRef:
    """What a Dashboard field needs: whose, and when. Authorized when made."""

    org: Org
    period: Period


async def dashboard(ctx: Ctx, org_id: int, start: date | None, end: date | None) -> DashboardRef:
    org = await orgs.get(ctx, org_id)
    return for_org(ctx, org, start, end)


def for_org(ctx: Ctx, org: Org, start: date | None, end: date | None) -> DashboardRef:
    ctx.authorize(Act.VIEW, Obj.WORK, org.path)
    end = end or today(ctx)
    start = start or end - timedelta(days=27)
    if start > end or (end - start).days > 366 * 2:
        raise BadInput("统计区间应在两年以内，且开始不晚于结束", field="from")
    return DashboardRef(org, Period(start, end))


@dataclass
class Headline:
    cadres: int = 0
    active_cadres: int = 0
    youth_in_contact: int = 0
    youth_invited: int = 0
    logs: int = 0


@dataclass
class Breakdown:
    by_kind: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)


@dataclass
class MobileUse:
    cadres_signed_in: int = 0
    cadres_on_mobile: int = 0
    logs: int = 0
    logs_from_mobile: int = 0


@dataclass(frozen=True)
class CadreMix:
    cadre_id: int
    name: str
    youth: int
    industries: int
    mix: dict[str, int]


@dataclass(frozen=True)
class ChildCompletion:
    org_id: int
    cadres: int
    done: int


@dataclass(frozen=True)
class Week:
    week_start: date
    logs: int
    contacts: int
    activities: int


Key = tuple[int, Period]


def loaders(ctx: Ctx) -> DashboardLoaders:
    return ctx.per_request(DashboardLoaders, lambda: DashboardLoaders(ctx))


class DashboardLoaders:
    """One loader per figure; keys are (org id, period)."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.headline: DataLoader[Key, Headline] = DataLoader(self._batched(self._headline))
        self.breakdown: DataLoader[Key, Breakdown] = DataLoader(self._batched(self._breakdown))
        self.mobile: DataLoader[Key, MobileUse] = DataLoader(self._batched(self._mobile))
        self.industry: DataLoader[Key, list[CadreMix]] = DataLoader(self._batched(self._industry))
        self.five_ones: DataLoader[Key, list[ChildCompletion]] = DataLoader(
            self._batched(self._five_ones)
        )
        self.learn: DataLoader[Key, list[ChildCompletion]] = DataLoader(self._batched(self._learn))
        self.weeks: DataLoader[Key, list[Week]] = DataLoader(self._batched(self._weeks))

    def _batched(self, fetch):
        """Group the keys by period: one statement per distinct period (usually one)."""

        async def load(keys: Sequence[Key]) -> list[Any]:
            by_period: dict[Period, list[int]] = defaultdict(list)
            for org_id, period in keys:
                by_period[period].append(org_id)
            found: dict[Key, Any] = {}
            for period, ids in by_period.items():
                results = await fetch(ids, period)
                for org_id in ids:
                    found[(org_id, period)] = results[org_id]
            return [found[k] for k in keys]

        return load

    def _params(self, ids: list[int], period: Period) -> dict[str, Any]:
        start, end = period.bounds(self.ctx.settings.timezone)
        roots = list(self.ctx.scope(Act.VIEW, Obj.WORK).roots)
        return {
            "ids": ids,
            "start": start,
            "end": end,
            "roots": roots,
            "on": period.end,
            "year": period.end.year,
        }

    async def _rows(self, sql: str, ids: list[int], period: Period) -> Sequence[sa.Row]:
        return (await self.ctx.session.execute(sa.text(sql), self._params(ids, period))).all()

    async def _headline(self, ids: list[int], period: Period) -> dict[int, Headline]:
        rows = await self._rows(
            f"""
            SELECT r.id,
              (SELECT count(*) FROM cadres c WHERE c.org_path <@ r.path AND c.is_active AND {_SCOPED.format("c")}) AS cadres,
              (SELECT count(DISTINCT l.cadre_id) FROM work_logs l WHERE l.org_path <@ r.path AND {_LOGS}) AS active,
              (SELECT count(*) FROM work_logs l WHERE l.org_path <@ r.path AND {_LOGS}) AS logs,
              (SELECT count(DISTINCT ct.youth_id) FROM contacts ct WHERE ct.org_path <@ r.path
                 AND ct.status = 'ACTIVE' AND {_SCOPED.format("ct")}) AS in_contact,
              (SELECT count(DISTINCT ct.youth_id) FROM contacts ct WHERE ct.org_path <@ r.path
                 AND ct.status = 'INVITED' AND {_SCOPED.format("ct")}) AS invited
            FROM orgs r WHERE r.id = ANY(:ids)""",
            ids,
            period,
        )
        return defaultdict(
            Headline,
            {r.id: Headline(r.cadres, r.active, r.in_contact, r.invited, r.logs) for r in rows},
        )

    async def _breakdown(self, ids: list[int], period: Period) -> dict[int, Breakdown]:
        rows = await self._rows(
            f"""
            SELECT r.id, coalesce(l.activity_kind, 'CONTACT') AS kind, l.channel, count(*) AS n
            FROM orgs r JOIN work_logs l ON l.org_path <@ r.path AND {_LOGS}
            WHERE r.id = ANY(:ids) GROUP BY r.id, 2, 3""",
            ids,
            period,
        )
        out: dict[int, Breakdown] = defaultdict(Breakdown)
        for r in rows:
            b = out[r.id]
            b.by_kind[r.kind] = b.by_kind.get(r.kind, 0) + r.n
            if r.channel:
                b.by_channel[r.channel] = b.by_channel.get(r.channel, 0) + r.n
        return out

    async def _mobile(self, ids: list[int], period: Period) -> dict[int, MobileUse]:
        rows = await self._rows(
            f"""
            SELECT r.id,
              (SELECT count(DISTINCT c.id) FROM cadres c JOIN auth_sessions s ON s.user_id = c.user_id
                WHERE c.org_path <@ r.path AND {_SCOPED.format("c")}
                  AND s.created_at >= :start AND s.created_at < :end) AS signed_in,
              (SELECT count(DISTINCT c.id) FROM cadres c JOIN auth_sessions s ON s.user_id = c.user_id
                WHERE c.org_path <@ r.path AND {_SCOPED.format("c")} AND s.client = 'MOBILE'
                  AND s.created_at >= :start AND s.created_at < :end) AS on_mobile,
              (SELECT count(*) FROM work_logs l WHERE l.org_path <@ r.path AND {_LOGS}) AS logs,
              (SELECT count(*) FROM work_logs l WHERE l.org_path <@ r.path AND {_LOGS}
                 AND l.client = 'MOBILE') AS mobile_logs
            FROM orgs r WHERE r.id = ANY(:ids)""",
            ids,
            period,
        )
        return defaultdict(
            MobileUse,
            {r.id: MobileUse(r.signed_in, r.on_mobile, r.logs, r.mobile_logs) for r in rows},
        )

    async def _industry(self, ids: list[int], period: Period) -> dict[int, list[CadreMix]]:
        """Per cadre of the subtree: youth on their list (ACTIVE links: an invitation tells
        nothing about the youth) by industry; the least varied first."""
        rows = await self._rows(
            f"""
            WITH x AS (
              SELECT r.id AS rid, ct.cadre_id, coalesce(nullif(y.industry, ''), '未填写') AS industry,
                     count(*) AS n
              FROM orgs r
              JOIN contacts ct ON ct.org_path <@ r.path AND ct.status = 'ACTIVE'
                              AND {_SCOPED.format("ct")}
              JOIN youth y ON y.id = ct.youth_id
              WHERE r.id = ANY(:ids) GROUP BY 1, 2, 3)
            SELECT x.rid, x.cadre_id, c.name, sum(x.n)::int AS youth, count(*) AS industries,
                   json_object_agg(x.industry, x.n) AS mix
            FROM x JOIN cadres c ON c.id = x.cadre_id
            GROUP BY x.rid, x.cadre_id, c.name
            ORDER BY x.rid, industries, youth DESC, x.cadre_id""",
            ids,
            period,
        )
        out: dict[int, list[CadreMix]] = defaultdict(list)
        for r in rows:
            if len(out[r.rid]) < 500:
                out[r.rid].append(CadreMix(r.cadre_id, r.name, r.youth, r.industries, dict(r.mix)))
        return out

    async def _five_ones(self, ids: list[int], period: Period) -> dict[int, list[ChildCompletion]]:
        """Per child org: cadres, and those who met their 五个一 in the period containing `to`."""
        progress = cadre_progress_sql(
            "c.org_path <@ ANY(ARRAY(SELECT path FROM orgs WHERE id = ANY(:ids))) "
            "AND c.org_path <@ ANY(CAST(:roots AS ltree[]))"
        )
        rows = await self._rows(
            f"""
            WITH p AS ({progress})
            SELECT r.id AS rid, ch.id AS child_id, count(p.subject_id) AS cadres,
                   count(p.subject_id) FILTER (WHERE p.done >= p.min_count
                        AND (NOT p.one_of_each OR p.kinds <@ p.kinds_done)) AS done
            FROM orgs r JOIN orgs ch ON ch.parent_id = r.id AND ch.is_active
            LEFT JOIN p ON p.org_path <@ ch.path
            WHERE r.id = ANY(:ids) GROUP BY r.id, ch.id ORDER BY r.id, ch.id""",
            ids,
            period,
        )
        return _per_child(rows)

    async def _learn(self, ids: list[int], period: Period) -> dict[int, list[ChildCompletion]]:
        """Per child org: cadres, and those who chose and recorded 一学一做 in the year of `to`."""
        rows = await self._rows(
            f"""
            SELECT r.id AS rid, ch.id AS child_id, count(c.id) AS cadres,
                   count(c.id) FILTER (WHERE EXISTS (
                       SELECT 1 FROM learn_and_do_choices d WHERE d.cadre_id = c.id AND d.year = :year)
                     AND EXISTS (
                       SELECT 1 FROM learn_and_do_records e WHERE e.cadre_id = c.id AND e.year = :year)
                   ) AS done
            FROM orgs r JOIN orgs ch ON ch.parent_id = r.id AND ch.is_active
            LEFT JOIN cadres c ON c.org_path <@ ch.path AND c.is_active AND {_SCOPED.format("c")}
            WHERE r.id = ANY(:ids) GROUP BY r.id, ch.id ORDER BY r.id, ch.id""",
            ids,
            period,
        )
        return _per_child(rows)

    async def _weeks(self, ids: list[int], period: Period) -> dict[int, list[Week]]:
        rows = await self._rows(
            f"""
            SELECT r.id, date_trunc('week', l.occurred_at)::date AS wk, count(*) AS logs,
                   count(*) FILTER (WHERE l.kind = 'CONTACT') AS contacts,
                   count(*) FILTER (WHERE l.kind = 'ACTIVITY') AS activities
            FROM orgs r JOIN work_logs l ON l.org_path <@ r.path AND {_LOGS}
            WHERE r.id = ANY(:ids) GROUP BY r.id, wk ORDER BY r.id, wk""",
            ids,
            period,
        )
        out: dict[int, list[Week]] = defaultdict(list)
        for r in rows:
            out[r.id].append(Week(r.wk, r.logs, r.contacts, r.activities))
        return out


# Rows of the principal's subtrees only (`authz.scope` roots), as every list.
_SCOPED = "{0}.org_path <@ ANY(CAST(:roots AS ltree[]))"
_LOGS = (
    "l.deleted_at IS NULL AND l.occurred_at >= :start AND l.occurred_at < :end AND "
    + _SCOPED.format("l")
)


def _per_child(rows: Sequence[sa.Row]) -> dict[int, list[ChildCompletion]]:
    out: dict[int, list[ChildCompletion]] = defaultdict(list)
    for r in rows:
        out[r.rid].append(ChildCompletion(r.child_id, r.cadres, r.done))
    return out
