"""附件1 as written and as data: each item of a rubric version names a formula kind and its
parameters; every computed kind is a weighted share over its subjects (the cadres, the leading
organs or the county committees of an assessed subtree), each subject judged over every period
inside the assessed half-year, not at its end alone. The readings of the notice behind each
kind are in docs/assessment.md ("The 100-point assessment"); the versions themselves in
`resolvers/rubric_versions.py`.

Every figure a formula reads comes from `resolvers.figures` (统计口径: per cadre
`Figures.cadre_work`, 五个一 periods `five_ones_periods`); what is counted per leading organ
and per county committee only for the rubric is below."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from authz.errors import BadInput
from models import CampaignKind, RubricFormula
from resolvers.figures import (
    CadreWork,
    Figures,
    Period,
    cadre_progress_sql,
    five_ones_periods,
    months_in,
    organ_progress_sql,
)

TOTAL_POINTS = 100  # 附件1: 考核实行百分制
F = RubricFormula


@dataclass(frozen=True)
class Params:
    """A formula's parameters; each kind reads only those `ACCEPTS` lists for it."""

    # Weight of a full-time cadre or a leading organ's cadre (附件1 一.4: 重点考察); others 1.
    key_weight: float = 2.0
    # A subject's share of the item as far as it got (true), or only when it got all (false).
    proportional: bool = True
    youth_per_cadre: int = 100  # "1+100": about a hundred youth each
    campaign: str | None = None  # the 集中活动 kind a CADRE_CAMPAIGN item counts
    group_share: float = 0.5  # of a city organ's 1.3: having a working group; rest: sharing
    choice_share: float = 0.5  # of 4.5: choosing the branch; rest: recording the practice


_WEIGHED = {"key_weight", "proportional"}
ACCEPTS: dict[RubricFormula, frozenset[str]] = {
    F.ORGAN_FIVE_ONES: frozenset({"proportional"}),
    F.CADRE_FIVE_ONES: frozenset(_WEIGHED),
    F.ORGAN_WORKING_GROUPS: frozenset({"proportional", "group_share"}),
    F.ORGAN_OPEN_DAY: frozenset({"proportional"}),
    F.CADRE_CAMPAIGN: frozenset(_WEIGHED | {"campaign"}),
    F.COUNTY_NOMINATION: frozenset({"proportional"}),
    F.CADRE_MONTHS_USED: frozenset(_WEIGHED),
    F.CADRE_YOUTH: frozenset(_WEIGHED | {"youth_per_cadre"}),
    F.CADRE_ACTIVITIES: frozenset(_WEIGHED),
    F.CADRE_MONTHS_ON_MOBILE: frozenset(_WEIGHED),
    F.CADRE_LEARN_AND_DO: frozenset(_WEIGHED | {"choice_share"}),
    F.MANUAL: frozenset(),
}
RANGES: dict[str, tuple[float, float]] = {
    "key_weight": (1, 10),
    "youth_per_cadre": (1, 1000),
    "group_share": (0, 1),
    "choice_share": (0, 1),
}
CODE = re.compile(r"^[1-9][0-9]?(\.[1-9][0-9]?)?$")  # a section of 附件1: 3, 4.5


@dataclass(frozen=True)
class Item:
    """One item of a rubric version: its section in 附件1, title, points and formula."""

    code: str
    title: str
    points: float
    formula: RubricFormula
    params: Params = Params()

    @property
    def computed(self) -> bool:
        return self.formula != F.MANUAL

    @classmethod
    def of(cls, d: dict[str, Any]) -> Item:
        return cls(
            d["code"], d["title"], float(d["points"]), F(d["formula"]), Params(**d["params"])
        )

    def to_json(self) -> dict[str, Any]:
        """The stored form: only the parameters the formula reads."""
        accepted = ACCEPTS[self.formula]
        params = {k: v for k, v in asdict(self.params).items() if k in accepted}
        return {
            "code": self.code,
            "title": self.title,
            "points": self.points,
            "formula": self.formula.value,
            "params": params,
        }


def validate(items: Sequence[dict[str, Any]]) -> list[Item]:
    """A whole rubric, or BAD_USER_INPUT naming the first fault: sections well formed and
    distinct, titles given, points adding up to the notice's 100, each formula's parameters
    its own and in range."""
    if not items:
        raise BadInput("考核细则至少要有一项", field="items")
    if len(items) > 50:
        raise BadInput("考核细则最多 50 项", field="items")
    out: list[Item] = []
    seen: set[str] = set()
    for n, raw in enumerate(items, start=1):
        out.append(_item(n, raw, seen))
    total = sum(i.points for i in out)
    if not math.isclose(total, TOTAL_POINTS):
        raise BadInput(
            f"各项分值合计 {total:g} 分，应为通知规定的 {TOTAL_POINTS} 分", field="items"
        )
    return out


def _item(n: int, raw: dict[str, Any], seen: set[str]) -> Item:
    where = f"第 {n} 项"
    code = str(raw.get("code") or "").strip()
    if not CODE.match(code):
        raise BadInput(f"{where}：编号应为附件1 的条目号，如 3 或 4.5", field="items")
    if code in seen:
        raise BadInput(f"{where}：编号 {code} 重复", field="items")
    seen.add(code)
    title = " ".join(str(raw.get("title") or "").split())
    if not 1 <= len(title) <= 200:
        raise BadInput(f"{where}（{code}）：名称应为 1–200 字", field="items")
    points = float(raw.get("points") or 0)
    if not 0 < points <= TOTAL_POINTS or points * 2 != int(points * 2):
        raise BadInput(
            f"{where}（{code}）：分值应大于 0、不超过 100，最小单位 0.5 分", field="items"
        )
    formula = F(raw["formula"])
    given = {k: v for k, v in (raw.get("params") or {}).items() if v is not None}
    foreign = sorted(set(given) - ACCEPTS[formula])
    if foreign:
        raise BadInput(
            f"{where}（{code}）：{formula.value} 不使用参数 {'、'.join(foreign)}", field="items"
        )
    for key, (lo, hi) in RANGES.items():
        if key in given and not lo <= float(given[key]) <= hi:
            raise BadInput(f"{where}（{code}）：参数 {key} 应在 {lo:g}–{hi:g} 之间", field="items")
    if "youth_per_cadre" in given:
        given["youth_per_cadre"] = int(given["youth_per_cadre"])
    if formula == F.CADRE_CAMPAIGN and given.get("campaign") not in set(CampaignKind):
        raise BadInput(
            f"{where}（{code}）：CADRE_CAMPAIGN 须指定集中活动类别 campaign", field="items"
        )
    return Item(code, title, points, formula, Params(**given))


# ---------------------------------------------------------------------------- shares


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

    @property
    def so_far(self) -> Period:
        """The part of the half-year that has begun."""
        return Period(self.start, min(self.end, self.today))


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


def _judged(item: Item, value: float) -> float:
    """A subject's value as the item counts it: its share, or all or nothing."""
    return value if item.params.proportional else float(value >= 1)


# What each cadre formula reads of a cadre's figures, over `elapsed` months of the half.
_CADRE_VALUES: dict[RubricFormula, Callable[[Item, CadreWork, int], float | None]] = {
    F.CADRE_MONTHS_USED: lambda i, c, elapsed: c.months_used / elapsed,
    F.CADRE_YOUTH: lambda i, c, elapsed: c.youth_in_contact / i.params.youth_per_cadre,
    F.CADRE_ACTIVITIES: lambda i, c, elapsed: (
        c.activities / (c.min_count * max(1, -(-elapsed // c.period_months)))
    ),
    F.CADRE_MONTHS_ON_MOBILE: lambda i, c, elapsed: c.months_on_mobile / elapsed,
    # §一.1: only full-time and organ cadres must guide 一学一做; nobody else is judged on it.
    F.CADRE_LEARN_AND_DO: lambda i, c, elapsed: (
        i.params.choice_share * c.chose_learn_and_do
        + (1 - i.params.choice_share) * c.recorded_learn_and_do
        if c.key
        else None
    ),
    F.CADRE_CAMPAIGN: lambda i, c, elapsed: float(i.params.campaign in c.campaign_kinds),
}


class _Scoring:
    """The shares of one round's computed items, each read once from the figures."""

    def __init__(self, session: AsyncSession, tz: str, ids: Sequence[int], year: int, half: Half):
        self.session, self.tz, self.ids, self.half = session, tz, list(ids), half
        zone, last = ZoneInfo(tz), half.so_far.end
        self.params = {
            "ids": self.ids,
            "year": year,
            "tz": tz,
            "start": datetime.combine(half.start, time(), zone),
            "end": datetime.combine(last + timedelta(days=1), time(), zone),
            "first_day": half.start,
            "last_day": last,
        }
        self.out: dict[int, OrgShares] = defaultdict(OrgShares)
        self._cadres: list[CadreWork] | None = None
        self._organs: list[sa.Row[Any]] | None = None

    async def cadres(self) -> list[CadreWork]:
        if self._cadres is None:
            figures = Figures(self.session, self.tz)
            self._cadres = await figures.cadre_work(self.ids, self.half.so_far)
        return self._cadres

    async def organs(self) -> list[sa.Row[Any]]:
        if self._organs is None:
            self._organs = list((await self.session.execute(sa.text(_ORGANS), self.params)).all())
        return self._organs

    async def item(self, item: Item) -> None:
        if item.formula in _CADRE_VALUES:
            await self._cadre_item(item)
        elif item.formula == F.CADRE_FIVE_ONES:
            await self._cadre_five_ones(item)
        elif item.formula == F.ORGAN_FIVE_ONES:
            await self._organ_five_ones(item)
        elif item.formula in (F.ORGAN_OPEN_DAY, F.ORGAN_WORKING_GROUPS):
            await self._organ_item(item)
        elif item.formula == F.COUNTY_NOMINATION:
            await self._counties(item)

    @staticmethod
    def _weight(item: Item, c: CadreWork) -> float:
        return item.params.key_weight if c.key else 1.0

    @staticmethod
    def _who(c: CadreWork) -> Subject:
        return Subject("CADRE", c.cadre_id, c.org_id, c.org_path, c.city_id)

    async def _cadre_item(self, item: Item) -> None:
        elapsed = max(1, len(self.half.months))
        value_of = _CADRE_VALUES[item.formula]
        for c in await self.cadres():
            value = value_of(item, c, elapsed)
            if value is not None:
                share = self.out[c.assessed].items[item.code]
                share.add(self._who(c), _judged(item, value), self._weight(item, c))

    async def _cadre_five_ones(self, item: Item) -> None:
        cadres = {c.cadre_id: c for c in await self.cadres()}
        in_subtrees = "c.org_path <@ ANY(ARRAY(SELECT path FROM orgs WHERE id = ANY(:ids)))"
        sql = cadre_progress_sql(in_subtrees)
        for p in await five_ones_periods(self.session, sql, self.params, self.half.months):
            c = cadres.get(p.subject_id)
            if c is not None:
                share = self.out[c.assessed].items[item.code]
                share.add(self._who(c), float(p.complete), self._weight(item, c))

    def _organ(self, o: sa.Row[Any]) -> Subject:
        return Subject("ORGAN", o.id, o.id, o.org_path, o.city_id)

    async def _organ_five_ones(self, item: Item) -> None:
        organs = {o.id: o for o in await self.organs()}
        in_organs = "o.path <@ ANY(ARRAY(SELECT path FROM orgs WHERE id = ANY(:ids)))"
        sql = organ_progress_sql(in_organs)
        for p in await five_ones_periods(self.session, sql, self.params, self.half.months):
            o = organs.get(p.subject_id)
            if o is not None:
                self.out[o.assessed].items[item.code].add(self._organ(o), float(p.complete))

    async def _organ_item(self, item: Item) -> None:
        for o in await self.organs():
            if item.formula == F.ORGAN_OPEN_DAY:
                value = float(o.open_day)
            elif o.level == "CITY":  # §二.3: working groups, a sharing event every quarter
                quarters = min(1.0, o.sharing_quarters / max(1, self.half.quarters))
                g = item.params.group_share
                value = g * o.groups + (1 - g) * quarters
            else:  # §二.3: each county organ cadre keeps in touch with grassroots secretaries
                value = o.keeping_secretaries / o.organ_cadres if o.organ_cadres else 0.0
            self.out[o.assessed].items[item.code].add(self._organ(o), _judged(item, value))

    async def _counties(self, item: Item) -> None:
        for county in (await self.session.execute(sa.text(_COUNTIES), self.params)).all():
            me = Subject("COUNTY", county.id, county.id, county.org_path, county.city_id)
            self.out[county.assessed].items[item.code].add(me, float(county.nominated))


async def shares(
    session: AsyncSession,
    tz: str,
    ids: Sequence[int],
    year: int,
    half: Half,
    items: Sequence[Item],
) -> dict[int, OrgShares]:
    """Per assessed org (each standing for its subtree), the weighted share of every computed
    item of the round's rubric: 五个一 items over every period begun in the half, monthly
    items over every month of it."""
    scoring = _Scoring(session, tz, ids, year, half)
    for item in items:
        await scoring.item(item)
    return scoring.out
