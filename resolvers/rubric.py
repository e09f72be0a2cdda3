"""附件1 as written: every computed item is a weighted share over its subjects (the cadres,
the leading organs or the county committees of an assessed subtree), each subject judged over
every period inside the assessed half-year, not at its end alone. The readings of the notice
behind each item are in docs/assessment.md ("The 100-point assessment").

五个一 progress and its completion rule come from `resolvers.figures` (统计口径), evaluated
once per period; the per-subject figures below exist nowhere else (the figures module counts
per org)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.figures import cadre_progress_sql, organ_progress_sql

# 附件1 一.4: 重点考察各级团的领导机关团干部、专职团干部工作情况.
KEY_WEIGHT = 2.0
YOUTH_PER_CADRE = 100  # "1+100": about a hundred youth each


@dataclass(frozen=True)
class Subject:
    """Whom a share is about: a cadre, a leading organ or a county committee, and its org
    (tenant columns of the contribution)."""

    kind: str  # CADRE | ORGAN | COUNTY
    id: int
    org_id: int
    org_path: str
    city_id: int


@dataclass
class Share:
    """Σ weight × value over the subjects, and Σ weight: the item's share of its points;
    and what each subject contributed to both (the drill-down)."""

    achieved: float = 0.0
    possible: float = 0.0
    by_subject: dict[Subject, list[float]] = field(default_factory=dict)

    def add(self, subject: Subject, value: float, weight: float = 1.0) -> None:
        got = weight * max(0.0, min(1.0, value))
        self.achieved += got
        self.possible += weight
        mine = self.by_subject.setdefault(subject, [0.0, 0.0])
        mine[0] += got
        mine[1] += weight

    @property
    def subjects(self) -> int:
        return len(self.by_subject)

    @property
    def ratio(self) -> float | None:
        return self.achieved / self.possible if self.possible else None


@dataclass
class OrgShares:
    items: dict[str, Share] = field(default_factory=lambda: defaultdict(Share))


def months_in(start: date, end: date, today: date) -> list[date]:
    """First days of the months of [start, end] that have begun by `today`."""
    out, m = [], date(start.year, start.month, 1)
    while m <= end and m <= today:
        out.append(m)
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


@dataclass(frozen=True)
class PeriodResult:
    subject_id: int
    org_path: str
    period_start: date
    period_end: date  # exclusive
    complete: bool


async def periods(
    session: AsyncSession, progress_sql: str, params: dict, months: Sequence[date]
) -> list[PeriodResult]:
    """Every 五个一 period of the subjects that begins inside the assessed months: the period
    holding each month, evaluated by the figures module's progress and completion rule."""
    found: dict[tuple[int, date], PeriodResult] = {}
    first = months[0] if months else None
    for m in months:
        rows = await session.execute(sa.text(progress_sql), {**params, "on": m})
        for r in rows:
            if first is not None and r.period_start >= first:
                found[(r.subject_id, r.period_start)] = PeriodResult(
                    r.subject_id, str(r.org_path), r.period_start, r.period_end, bool(r.complete)
                )
    return list(found.values())


_CADRES = """
WITH kids AS (SELECT id, path FROM orgs WHERE id = ANY(:ids)),
cad AS (
  SELECT c.id, c.kind, c.org_id, c.org_path, c.city_id, k.id AS assessed,
         o.is_leading_organ AS organ_cadre
  FROM cadres c JOIN kids k ON c.org_path <@ k.path JOIN orgs o ON o.id = c.org_id
  WHERE c.is_active)
SELECT cad.id, cad.kind, cad.assessed, cad.organ_cadre, q.min_count, q.period_months,
  cad.org_id, cad.org_path::text AS org_path, cad.city_id,
  (SELECT count(DISTINCT date_trunc('month', l.occurred_at AT TIME ZONE :tz)) FROM work_logs l
     WHERE l.cadre_id = cad.id AND l.deleted_at IS NULL
       AND l.occurred_at >= :start AND l.occurred_at < :end) AS months_used,
  (SELECT count(DISTINCT date_trunc('month', l.occurred_at AT TIME ZONE :tz)) FROM work_logs l
     WHERE l.cadre_id = cad.id AND l.deleted_at IS NULL AND l.client = 'MOBILE'
       AND l.occurred_at >= :start AND l.occurred_at < :end) AS months_mobile,
  (SELECT count(*) FROM work_logs l WHERE l.cadre_id = cad.id AND l.deleted_at IS NULL
       AND l.kind = 'ACTIVITY' AND l.occurred_at >= :start AND l.occurred_at < :end) AS activities,
  (SELECT count(DISTINCT ct.youth_id) FROM contacts ct
     WHERE ct.cadre_id = cad.id AND ct.status = 'ACTIVE') AS youth,
  EXISTS (SELECT 1 FROM learn_and_do_choices d WHERE d.cadre_id = cad.id AND d.year = :year) AS chose,
  EXISTS (SELECT 1 FROM learn_and_do_records e WHERE e.cadre_id = cad.id AND e.year = :year
            AND e.occurred_on BETWEEN :first_day AND :last_day) AS recorded,
  (SELECT coalesce(array_agg(DISTINCT cp.kind), '{}') FROM work_logs l
     JOIN campaigns cp ON cp.id = l.campaign_id
     WHERE l.cadre_id = cad.id AND l.deleted_at IS NULL AND cp.year = :year
       AND l.occurred_at < :end) AS campaign_kinds
FROM cad JOIN quota_rules q ON q.subject = cad.kind
ORDER BY cad.id
"""

_ORGANS = """
WITH kids AS (SELECT id, path FROM orgs WHERE id = ANY(:ids))
SELECT o.id, o.level, k.id AS assessed, o.path::text AS org_path, o.city_id,
  EXISTS (SELECT 1 FROM work_logs l JOIN campaigns cp ON cp.id = l.campaign_id
          WHERE l.org_id = o.id AND l.deleted_at IS NULL AND cp.kind = 'OPEN_DAY'
            AND cp.year = :year AND l.occurred_at < :end) AS open_day,
  EXISTS (SELECT 1 FROM working_groups g WHERE g.org_id = o.id AND g.is_active
            AND EXISTS (SELECT 1 FROM working_group_members m WHERE m.group_id = g.id)) AS groups,
  (SELECT count(DISTINCT date_trunc('quarter', s.held_on)) FROM sharing_events s
     WHERE s.org_id = o.id AND s.held_on BETWEEN :first_day AND :last_day) AS sharing_quarters,
  (SELECT count(*) FROM cadres c WHERE c.org_id = o.id AND c.is_active) AS organ_cadres,
  (SELECT count(DISTINCT sc.cadre_id) FROM secretary_contacts sc JOIN cadres c ON c.id = sc.cadre_id
     WHERE c.org_id = o.id AND c.is_active) AS keeping_secretaries
FROM orgs o JOIN kids k ON o.path <@ k.path
WHERE o.is_leading_organ AND o.is_active AND o.level IN ('CITY', 'COUNTY')
ORDER BY o.id
"""

_COUNTIES = """
WITH kids AS (SELECT id, path FROM orgs WHERE id = ANY(:ids))
SELECT o.id, k.id AS assessed, o.path::text AS org_path, o.city_id,
  EXISTS (SELECT 1 FROM nominations n JOIN campaigns cp ON cp.id = n.campaign_id
          WHERE n.org_path <@ o.path AND cp.year = :year) AS nominated
FROM orgs o JOIN kids k ON o.path <@ k.path
WHERE o.level = 'COUNTY' AND o.is_active
"""


@dataclass(frozen=True)
class Half:
    start: date
    end: date  # inclusive
    today: date

    @property
    def months(self) -> list[date]:
        return months_in(self.start, self.end, self.today)

    @property
    def quarters(self) -> int:
        return len({(m.month - 1) // 3 for m in self.months})


async def shares(
    session: AsyncSession, tz: str, ids: Sequence[int], year: int, half: Half
) -> dict[int, OrgShares]:
    """Per assessed org (each standing for its subtree), the weighted share of every computed
    item. 1.1 and 1.2: every 五个一 period begun in the half; 4.x: every month of it."""
    zone = ZoneInfo(tz)
    last = min(half.end, half.today)
    params = {
        "ids": list(ids),
        "year": year,
        "tz": tz,
        "start": datetime.combine(half.start, time(), zone),
        "end": datetime.combine(last + timedelta(days=1), time(), zone),
        "first_day": half.start,
        "last_day": last,
    }
    out: dict[int, OrgShares] = defaultdict(OrgShares)
    months = half.months
    elapsed = max(1, len(months))

    cadres = (await session.execute(sa.text(_CADRES), params)).all()
    weight = {c.id: KEY_WEIGHT if c.kind == "FULL_TIME" or c.organ_cadre else 1.0 for c in cadres}
    assessed = {c.id: c.assessed for c in cadres}
    who = {c.id: Subject("CADRE", c.id, c.org_id, c.org_path, c.city_id) for c in cadres}
    for c in cadres:
        s, me = out[c.assessed].items, who[c.id]
        w = weight[c.id]
        periods_begun = max(1, -(-elapsed // c.period_months))
        s["4.1"].add(me, c.months_used / elapsed, w)
        s["4.2"].add(me, c.youth / YOUTH_PER_CADRE, w)
        s["4.3"].add(me, c.activities / (c.min_count * periods_begun), w)
        s["4.4"].add(me, c.months_mobile / elapsed, w)
        if c.kind == "FULL_TIME" or c.organ_cadre:  # §一.1: who must guide 一学一做
            s["4.5"].add(me, 0.5 * c.chose + 0.5 * c.recorded, w)
        s["2.2"].add(me, 1.0 if "LECTURE" in c.campaign_kinds else 0.0, w)
        s["2.4"].add(me, 1.0 if "SERVICE_MONTH" in c.campaign_kinds else 0.0, w)

    in_subtrees = "c.org_path <@ ANY(ARRAY(SELECT path FROM orgs WHERE id = ANY(:ids)))"
    for p in await periods(session, cadre_progress_sql(in_subtrees), params, months):
        if p.subject_id in assessed:
            out[assessed[p.subject_id]].items["1.2"].add(
                who[p.subject_id], float(p.complete), weight[p.subject_id]
            )

    organs = (await session.execute(sa.text(_ORGANS), params)).all()
    organ_of = {o.id: o.assessed for o in organs}
    organ = {o.id: Subject("ORGAN", o.id, o.id, o.org_path, o.city_id) for o in organs}
    for o in organs:
        s, me = out[o.assessed].items, organ[o.id]
        s["2.1"].add(me, float(o.open_day))
        if o.level == "CITY":  # §二.3: working groups, a sharing event every quarter
            quarters = min(1.0, o.sharing_quarters / max(1, half.quarters))
            s["1.3"].add(me, 0.5 * o.groups + 0.5 * quarters)
        else:  # §二.3: each county organ cadre keeps in touch with grassroots secretaries
            s["1.3"].add(me, o.keeping_secretaries / o.organ_cadres if o.organ_cadres else 0.0)
    in_organs = "o.path <@ ANY(ARRAY(SELECT path FROM orgs WHERE id = ANY(:ids)))"
    for p in await periods(session, organ_progress_sql(in_organs), params, months):
        if p.subject_id in organ_of:
            out[organ_of[p.subject_id]].items["1.1"].add(organ[p.subject_id], float(p.complete))

    for county in (await session.execute(sa.text(_COUNTIES), params)).all():
        me = Subject("COUNTY", county.id, county.id, county.org_path, county.city_id)
        out[county.assessed].items["2.3"].add(me, float(county.nominated))
    return out


@dataclass(frozen=True)
class CadrePeriods:
    """A cadre's 五个一 periods of the half that have ended, and the incomplete ones."""

    ended: int
    incomplete: list[date]


async def cadre_periods(session: AsyncSession, root: str, half: Half) -> dict[int, CadrePeriods]:
    """For eligibility (§五.2: 不合格的团干部不能参评): each active cadre of the subtree, over every
    period of the half that has ended by today (the one still running is not held against
    them)."""
    found: dict[int, tuple[int, list[date]]] = defaultdict(lambda: (0, []))
    sql = cadre_progress_sql("c.org_path <@ CAST(:root AS ltree)")
    for p in await periods(session, sql, {"root": root}, half.months):
        if p.period_end > half.today:
            continue
        ended, incomplete = found[p.subject_id]
        found[p.subject_id] = (ended + 1, incomplete + ([] if p.complete else [p.period_start]))
    return {k: CadrePeriods(e, sorted(i)) for k, (e, i) in found.items()}
