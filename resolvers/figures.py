"""统计口径: every figure of the work, defined once.

The dashboards (工作看板), the quarterly bulletins (季度通报), the quarterly reports (报送,
`ReportVersion.figures`) and the assessment's computed items (考核) all count through this
module, so they cannot disagree. Each figure is a method over a set of orgs, each standing
for its whole subtree, and a period; it answers one value per org id asked for.

Who counts what is decided by the caller: `Figures(..., roots=...)` narrows every count to
the caller's readable subtrees (a dashboard shows only what its viewer may see); without
roots the whole subtree counts (bulletins, reports and assessment are authorized at the org
they cover).

五个一: which logs count toward a subject's period is `_progress_sql`; whether a period is
complete is `five_ones_complete`, the one rule everything else (progress, lists of those
behind, dashboards, bulletins, reports, assessment, eligibility) reads.

Per cadre: `Figures.cadre_work` (what the assessment's cadre items and eligibility read),
`five_ones_periods` (each period of each subject), `Figures.industry` (youth by industry)
and `ratings_by_cadre`, `rating_distribution` (评价). Using the phone (手机端) is always what the server recorded on
the log (`work_logs.client`, from the front end that wrote it), never a flag of the login.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import Cadre, Rating
from models.rollups import ROLLUP_ZONE


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


# ---------------------------------------------------------------------------- 五个一


def five_ones_complete(p: str) -> str:
    """THE 五个一 completion rule, as SQL over a progress row `p` (done, min_count, kinds,
    one_of_each, kinds_done): enough counted activities in the period and, only when the
    province's rule asks for variety (`one_of_each`, off by default: the notice's kinds are
    examples, 比如), every counted kind among them. Change the rule here and only here."""
    return f"({p}.done >= {p}.min_count AND (NOT {p}.one_of_each OR {p}.kinds <@ {p}.kinds_done))"


# The period of `q` that contains :on (periods are whole months counted from 1 January).
_PERIOD = """
    (date_trunc('year', CAST(:on AS date))
     + make_interval(months => ((extract(month FROM CAST(:on AS date))::int - 1)
                                / q.period_months) * q.period_months))::date
"""
# Activities only a leading organ holds (§二.1); VOLUNTEER (集中志愿服务) is the organ's only
# when logged as organised by it (`work_logs.for_organ`): a cadre's own volunteering is not.
ORGAN_ONLY_KINDS = ("ORGAN_OPEN_DAY", "FACE_TO_FACE", "SHARING", "SELF_DESIGNED")


# The rollup's days are the session's (models/rollups.py): read it, else the logs' rows.
_ROLLUP_DAYS = f"current_setting('TimeZone') = '{ROLLUP_ZONE}'"


def _progress_sql(subjects: str, owns_log: str, owns_learn: str) -> str:
    """Progress per subject, each subject looked up on its own: `subjects` selects
    (subject_id, city_id, org_path, subject, min_count, kinds, one_of_each,
    counts_learn_and_do, period_start, period_months); `owns_log` (SQL over `l` and `r`)
    ties a log to its subject, `owns_learn` (over `e` and `r`) a 一学一做 record. What
    counts: the subject's non-deleted activities of the rule's kinds within the period,
    plus, where the rule says so (§二.1: 机关干部指导参与一学一做的有关工作可纳入), its
    一学一做 records of the period (`learn_done`; they add to the count, not to the kinds).
    Each subject's activities are read through its own index range: of the rollup of its
    days (work_log_days, models/rollups.py: `n` live activities per day and kind) when the
    session's days are the rollup's, else of its logs (ix_work_logs_*_activity). For a few
    subjects (a cadre's own page); many read `_grouped_progress_sql`. (`owns_log` reads
    columns both have.)"""
    return f"""
    SELECT g.*, {five_ones_complete("g")} AS complete FROM (
    WITH r AS ({subjects})
    SELECT r.subject_id, r.org_path, r.subject, r.period_start,
           (r.period_start + make_interval(months => r.period_months))::date AS period_end,
           r.min_count, r.kinds, r.one_of_each, x.done + lad.n AS done, lad.n AS learn_done,
           x.kinds_done
    FROM r, LATERAL (
      SELECT coalesce(sum(u.n), 0)::int AS done,
             coalesce(array_agg(DISTINCT u.activity_kind), '{{}}') AS kinds_done
      FROM (
        SELECT l.n, l.activity_kind FROM work_log_days l
        WHERE {_ROLLUP_DAYS} AND {owns_log} AND l.kind = 'ACTIVITY'
          AND l.activity_kind = ANY(r.kinds)
          AND l.day >= r.period_start
          AND l.day < r.period_start + make_interval(months => r.period_months)
        UNION ALL
        SELECT 1, l.activity_kind FROM work_logs l
        WHERE NOT {_ROLLUP_DAYS} AND {owns_log} AND l.kind = 'ACTIVITY' AND l.deleted_at IS NULL
          AND l.activity_kind = ANY(r.kinds)
          AND l.occurred_at >= r.period_start
          AND l.occurred_at < r.period_start + make_interval(months => r.period_months)) u) x,
    LATERAL (
      SELECT count(*) AS n FROM learn_and_do_records e
      WHERE r.counts_learn_and_do AND {owns_learn}
        AND e.occurred_on >= r.period_start
        AND e.occurred_on < r.period_start + make_interval(months => r.period_months)) lad) g
    """


def _grouped_progress_sql(subjects: str, key: str, logs_of: str, owns_learn: str) -> str:
    """The same progress (same columns, same rule) for many subjects at once: the
    activities of the subjects' cities in the span of their periods are read once — one
    range of the rollup's (city_id, day) index, or of the logs' partitions — and matched to
    the subjects by a hash join on `key` (SQL over `l`: the subject a row counts for, among
    the rows meeting `logs_of`). Per-subject lookups (`_progress_sql`) cost an index probe
    per subject and leave the planner to choose, per subject, between the subject's own
    index range and the city's days filtered by subject: with 52 cities it chose the latter,
    reading the city's whole rollup once per cadre (98 ms → 40 s, bench/results/scale.md).
    This plan reads the city's rows of the period once, whatever the number of cities or
    subjects. The one-time conditions on the session's zone pick the branch."""
    return f"""
    SELECT g.*, {five_ones_complete("g")} AS complete FROM (
    WITH r AS MATERIALIZED (
      SELECT s.*, (s.period_start + make_interval(months => s.period_months))::date AS period_end
      FROM ({subjects}) s),
    u AS MATERIALIZED (
      SELECT {key} AS subject_id, l.day, l.activity_kind, l.n FROM work_log_days l
      WHERE {_ROLLUP_DAYS} AND {logs_of} AND l.kind = 'ACTIVITY'
        AND l.city_id = ANY(ARRAY(SELECT DISTINCT r.city_id FROM r))
        AND l.day >= (SELECT min(r.period_start) FROM r)
        AND l.day < (SELECT max(r.period_end) FROM r)
      UNION ALL
      -- a log's day in the session's zone: the same test as `occurred_at >= period_start`
      SELECT {key}, CAST(l.occurred_at AS date), l.activity_kind, 1 FROM work_logs l
      WHERE NOT {_ROLLUP_DAYS} AND {logs_of} AND l.kind = 'ACTIVITY' AND l.deleted_at IS NULL
        AND l.city_id = ANY(ARRAY(SELECT DISTINCT r.city_id FROM r))
        AND l.occurred_at >= (SELECT min(r.period_start) FROM r)
        AND l.occurred_at < (SELECT max(r.period_end) FROM r)),
    x AS (
      SELECT r.subject_id, sum(u.n)::int AS done, array_agg(DISTINCT u.activity_kind) AS kinds_done
      FROM r JOIN u ON u.subject_id = r.subject_id AND u.activity_kind = ANY(r.kinds)
        AND u.day >= r.period_start AND u.day < r.period_end
      GROUP BY r.subject_id),
    lad AS (
      SELECT r.subject_id, count(*) AS n
      FROM r JOIN learn_and_do_records e ON {owns_learn}
        AND e.occurred_on >= r.period_start AND e.occurred_on < r.period_end
      WHERE r.counts_learn_and_do
      GROUP BY r.subject_id)
    SELECT r.subject_id, r.org_path, r.subject, r.period_start, r.period_end, r.min_count,
           r.kinds, r.one_of_each, coalesce(x.done, 0) + coalesce(lad.n, 0) AS done,
           coalesce(lad.n, 0) AS learn_done, coalesce(x.kinds_done, '{{}}') AS kinds_done
    FROM r LEFT JOIN x ON x.subject_id = r.subject_id
    LEFT JOIN lad ON lad.subject_id = r.subject_id) g
    """


def cadre_progress_sql(cadre_filter: str, logs_in: str = "true", *, few: bool = False) -> str:
    """Progress of the active cadres matching `cadre_filter` (SQL over `c`), by their kind,
    in the period containing :on: their own activities. A cadre's logs are all in the
    cadre's city (their org's; moveOrg moves both), which the partitions are by; `logs_in`
    (SQL over `l`) may name those cities for the planner to prune to. `few`: a handful of
    cadres named by id, each looked up on their own; else the city's period is read once."""
    subjects = f"""SELECT c.id AS subject_id, c.city_id, c.org_path, c.kind AS subject, q.min_count, q.kinds,
                   q.one_of_each, q.counts_learn_and_do, {_PERIOD} AS period_start,
                   q.period_months
            FROM cadres c JOIN quota_rules q ON q.subject = c.kind
            WHERE c.is_active AND ({cadre_filter})"""
    if few:
        return _progress_sql(
            subjects,
            f"l.cadre_id = r.subject_id AND l.city_id = r.city_id AND {logs_in}",
            "e.cadre_id = r.subject_id",
        )
    return _grouped_progress_sql(subjects, "l.cadre_id", logs_in, "e.cadre_id = r.subject_id")


def organ_progress_sql(org_filter: str, logs_in: str = "true") -> str:
    """Progress of the city and county leading organs matching `org_filter` (SQL over `o`):
    the organ's own organised work (activities its cadres logged as the organ's,
    `for_organ`), and its cadres' 一学一做 records where the rule counts them. Read as
    the cadres' many are (no index leads with the rollup's org: each organ alone would
    read its city's period anyway)."""
    return _grouped_progress_sql(
        f"""SELECT o.id AS subject_id, o.city_id, o.path AS org_path, 'LEADING_ORGAN' AS subject, q.min_count,
                   q.kinds, q.one_of_each, q.counts_learn_and_do, {_PERIOD} AS period_start,
                   q.period_months
            FROM orgs o JOIN quota_rules q ON q.subject = 'LEADING_ORGAN'
            WHERE o.is_leading_organ AND o.is_active AND o.level IN ('CITY', 'COUNTY')
              AND ({org_filter})""",
        "l.org_id",
        f"l.for_organ AND {logs_in}",
        "e.org_id = r.subject_id",
    )


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


async def five_ones_periods(
    session: AsyncSession, progress_sql: str, params: dict[str, Any], months: Sequence[date]
) -> list[PeriodResult]:
    """Every 五个一 period of the subjects that begins inside `months`: the period holding
    each month, evaluated by the progress and completion rule above."""
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


@dataclass(frozen=True)
class CadrePeriods:
    """A cadre's 五个一 periods that have ended, and the incomplete ones."""

    ended: int
    incomplete: list[date]


async def cadre_periods(
    session: AsyncSession, root: str, months: Sequence[date], today: date
) -> dict[int, CadrePeriods]:
    """Each active cadre of the subtree at `root`: their periods begun in `months` that have
    ended by `today` (the one still running is not held against them)."""
    found: dict[int, tuple[int, list[date]]] = defaultdict(lambda: (0, []))
    sql = cadre_progress_sql("c.org_path <@ CAST(:root AS ltree)")
    for p in await five_ones_periods(session, sql, {"root": root}, months):
        if p.period_end > today:
            continue
        ended, incomplete = found[p.subject_id]
        found[p.subject_id] = (ended + 1, incomplete + ([] if p.complete else [p.period_start]))
    return {k: CadrePeriods(e, sorted(i)) for k, (e, i) in found.items()}


# ---------------------------------------------------------------------------- results


@dataclass
class Headline:
    cadres: int = 0  # active cadres of the subtree
    active_cadres: int = 0  # cadres with a log in the period
    youth_in_contact: int = 0  # distinct youth with an accepted (ACTIVE) link
    youth_invited: int = 0  # distinct youth invited, not yet accepted
    logs: int = 0  # non-deleted logs in the period
    activities: int = 0  # of them, activities


@dataclass
class Breakdown:
    by_kind: dict[str, int] = field(default_factory=dict)  # CONTACT or the activity kind
    by_channel: dict[str, int] = field(default_factory=dict)  # contacts by channel


@dataclass
class MobileUse:
    cadres_signed_in: int = 0
    cadres_on_mobile: int = 0  # cadres who wrote a log from the phone pages
    logs: int = 0
    logs_from_mobile: int = 0


@dataclass
class Activation:
    """Youth of a subtree, and those activated (signed in at least once by the period's end:
    §四.2, 登陆系统手机端); the same for League members (团员); youth of League age (14–28)
    at the period's end."""

    youth: int = 0
    activated: int = 0
    league_members: int = 0
    league_members_activated: int = 0
    in_league_age: int = 0


@dataclass(frozen=True)
class CadreMix:
    cadre_id: int
    name: str
    youth: int
    industries: int
    mix: dict[str, int]


@dataclass(frozen=True)
class CadreWork:
    """One active cadre's figures over a period, counted for `assessed` (the asked org whose
    subtree holds them). `key`: a full-time cadre or a leading organ's (附件1 一.4: 重点考察)."""

    cadre_id: int
    assessed: int
    kind: str
    key: bool
    org_id: int
    org_path: str
    city_id: int
    min_count: int  # the 五个一 quota of their kind, per period
    period_months: int
    months_used: int  # months of the period with a log
    months_on_mobile: int  # of them, months with a log written from the phone pages
    quarters_worked: tuple[int, ...]  # quarters of the year with a log in the period
    activities: int
    youth_in_contact: int  # distinct youth with an ACTIVE link (now)
    chose_learn_and_do: bool  # 一学一做 chosen for the period's year
    recorded_learn_and_do: bool  # and a record of it dated in the period
    campaign_kinds: tuple[str, ...]  # 集中活动 of the year they logged work for, by its end
    upheld_flags: int  # flags raised in the period and upheld on review


@dataclass(frozen=True)
class Completion:
    """Subjects (cadres, or leading organs) of a subtree, and those who completed."""

    subjects: int = 0
    done: int = 0


@dataclass(frozen=True)
class Week:
    week_start: date
    logs: int
    contacts: int
    activities: int


@dataclass
class LogFigures:
    """Every figure of the period's non-deleted logs, from one reading of them."""

    logs: int = 0
    active_cadres: int = 0  # distinct cadres who logged
    activities: int = 0
    from_mobile: int = 0
    cadres_on_mobile: int = 0  # distinct cadres who wrote from the phone pages
    by_kind: dict[str, int] = field(default_factory=dict)  # CONTACT or the activity kind
    by_channel: dict[str, int] = field(default_factory=dict)  # contacts by channel
    weeks: list[Week] = field(default_factory=list)  # weeks start on Monday, league time


# One row per active cadre of each asked subtree (`assessed`): each figure of `CadreWork`.
# Logs through the cadre's own index range; "from the phone" is the server's record.
_CADRE_WORK = """
WITH kids AS (SELECT id, path FROM orgs WHERE id = ANY(:ids)),
cad AS (
  SELECT c.id, c.kind, c.org_id, c.org_path, c.city_id, k.id AS assessed,
         o.is_leading_organ AS organ_cadre
  FROM cadres c JOIN kids k ON c.org_path <@ k.path JOIN orgs o ON o.id = c.org_id
  WHERE c.is_active AND c.org_path <@ ANY(CAST(:roots AS ltree[])))
SELECT cad.id, cad.kind, cad.assessed, cad.organ_cadre, q.min_count, q.period_months,
  cad.org_id, cad.org_path::text AS org_path, cad.city_id, lg.*,
  (SELECT count(DISTINCT ct.youth_id) FROM contacts ct
     WHERE ct.cadre_id = cad.id AND ct.status = 'ACTIVE') AS youth,
  EXISTS (SELECT 1 FROM learn_and_do_choices d WHERE d.cadre_id = cad.id AND d.year = :year) AS chose,
  EXISTS (SELECT 1 FROM learn_and_do_records e WHERE e.cadre_id = cad.id AND e.year = :year
            AND e.occurred_on BETWEEN :first AND CAST(:on AS date)) AS recorded,
  (SELECT coalesce(array_agg(DISTINCT cp.kind), '{}') FROM work_logs l
     JOIN campaigns cp ON cp.id = l.campaign_id
     WHERE l.cadre_id = cad.id AND l.deleted_at IS NULL AND cp.year = :year
       AND l.occurred_at < :end) AS campaign_kinds,
  (SELECT count(*) FROM flags f WHERE f.cadre_id = cad.id AND f.status = 'UPHELD'
     AND f.created_at >= :start AND f.created_at < :end) AS upheld
FROM cad JOIN quota_rules q ON q.subject = cad.kind,
LATERAL (
  SELECT count(DISTINCT date_trunc('month', l.occurred_at AT TIME ZONE :tz)) AS months_used,
         count(DISTINCT date_trunc('month', l.occurred_at AT TIME ZONE :tz))
           FILTER (WHERE l.client = 'MOBILE') AS months_mobile,
         array_agg(DISTINCT extract(quarter FROM l.occurred_at AT TIME ZONE :tz)::int) AS quarters,
         count(*) FILTER (WHERE l.kind = 'ACTIVITY') AS activities
  FROM work_logs l WHERE l.cadre_id = cad.id AND l.deleted_at IS NULL
    AND l.occurred_at >= :start AND l.occurred_at < :end) lg
ORDER BY cad.id
"""


def rating_distribution(where: Sequence[sa.ColumnElement[bool]]) -> sa.Select[int, int]:
    """评价: how many of the ratings meeting `where` gave each score (score, count): a
    cadre's own summary, or an org's."""
    return sa.select(Rating.score, sa.func.count()).where(*where).group_by(Rating.score)


def ratings_by_cadre(where: Sequence[sa.ColumnElement[bool]]) -> sa.Select[Any]:
    """评价 by cadre: each rated cadre among the ratings meeting `where`, with the number of
    ratings and their average, lowest average first (cadre id, name, count, average)."""
    return (
        sa.select(Cadre.id, Cadre.name, sa.func.count(), sa.func.avg(Rating.score))
        .join(Cadre, Cadre.id == Rating.cadre_id)
        .where(*where)
        .group_by(Cadre.id, Cadre.name)
        .order_by(sa.func.avg(Rating.score), Cadre.id)
    )


# Rows of the counted subtrees only: the caller's roots ('' is every path's ancestor).
_SCOPED = "{0}.org_path <@ ANY(CAST(:roots AS ltree[]))"
_LOGS = (
    "l.deleted_at IS NULL AND l.occurred_at >= :start AND l.occurred_at < :end AND "
    + _SCOPED.format("l")
)
_ACTIVE_CADRES = "c.is_active AND " + _SCOPED.format("c")
# The cities a subtree `r` lies in (one, below the province). Logs and links are found by
# (city_id, …) indexes holding what the figures read, so a city's dashboard reads its own
# period's rows only, not every row its subtree ever had; the path filter stays exact
# ("IS TRUE": a filter on what the index holds, never the access path, which the planner
# would otherwise pick from a far too low estimate of a subtree's rows). A city's own rows
# are all its subtree's (a row's city_id is its org's city, kept by moveOrg): for the city
# itself the per-row path test is skipped, the costliest part of reading its period.
_CITIES = (
    "CROSS JOIN LATERAL (SELECT array_agg(DISTINCT o.city_id) AS ids FROM orgs o "
    "WHERE o.path <@ r.path) cities"
)
_IN_CITIES = (
    "{0}.city_id = ANY(cities.ids) AND ({0}.city_id = r.id OR {0}.org_path <@ r.path) IS TRUE"
)
# The same cities for all the subtrees at once, found before the query and bound as
# :cities: logs, links and youth are partitioned by city (app/partitions.py), and a value
# known when planning lets the planner drop every other city's partition (a lateral's is
# known only while running).
_CITIES_OF = (
    "SELECT DISTINCT o.city_id FROM orgs r JOIN orgs o ON o.path <@ r.path WHERE r.id = ANY(:ids)"
)
_IN_CITY = "{0}.city_id = ANY(CAST(:cities AS bigint[]))"

# The asked subtrees (:ids) for `_by_subtree`: their path, depth, and whether a city.
_SUBTREES = """r AS MATERIALIZED (
      SELECT id, path, level = 'CITY' AS is_city, nlevel(path) AS depth FROM orgs
      WHERE id = ANY(:ids))"""


def _by_subtree(name: str, table: str, cols: Sequence[str], where: str) -> str:
    """CTEs (after `_SUBTREES`): `name` holds the rows of `table` (as `t`) meeting `where`
    (which names their cities, :cities), each once with `rid` for every asked subtree it
    lies in, and the columns `cols`. Each row is matched to the subtrees by hash joins, never
    tested against each subtree in turn (a city's ten counties were ten passes over the
    city's rows: 780k path tests for its links): a city takes the rows of its city
    (`city_id`, the row's org's city); any other subtree the rows whose path begins with its
    own (the row's path cut to the subtree's depth). The second read runs only when a
    subtree other than a city is asked."""
    of_t = ", ".join(f"t.{c}" for c in cols)
    return f"""{name}_below AS MATERIALIZED (
      SELECT k.depth, subpath(t.org_path, 0, least(k.depth, nlevel(t.org_path))) AS prefix, {of_t}
      FROM (SELECT DISTINCT depth FROM r WHERE NOT r.is_city) k CROSS JOIN {table} t
      WHERE EXISTS (SELECT 1 FROM r WHERE NOT r.is_city) AND {where}),
    {name} AS (
      SELECT r.id AS rid, {of_t} FROM r JOIN {table} t ON t.city_id = r.id
      WHERE r.is_city AND {where}
      UNION ALL
      SELECT r.id, {", ".join(f"b.{c}" for c in cols)} FROM {name}_below b
      JOIN r ON NOT r.is_city AND r.depth = b.depth AND r.path = b.prefix)"""


# The log figures' one reading: per subtree `rid`, counts by (week, kind, activity kind or
# CONTACT, channel, client), the distinct cadres who logged, and those who wrote from the phone
# pages (client MOBILE, as the server recorded it). From the rows themselves:
_LOG_COUNTS_FROM_ROWS = f"""
    WITH x AS MATERIALIZED (
      SELECT r.id AS rid, l.cadre_id, l.kind, l.channel, l.client, l.activity_kind,
             l.occurred_at
      FROM orgs r {_CITIES}
      JOIN work_logs l ON {_IN_CITY.format("l")} AND {_IN_CITIES.format("l")} AND {_LOGS}
      WHERE r.id = ANY(:ids))
    SELECT rid, date_trunc('week', occurred_at)::date AS wk, kind,
           coalesce(activity_kind, 'CONTACT') AS kind_key, channel, client,
           count(*) AS n, NULL AS cadres
    FROM x GROUP BY rid, 2, kind, 4, channel, client
    UNION ALL
    SELECT rid, NULL, NULL, NULL, NULL, NULL, NULL, count(DISTINCT cadre_id)
    FROM x GROUP BY rid
    UNION ALL
    SELECT rid, NULL, NULL, NULL, NULL, 'MOBILE_CADRES', NULL, count(DISTINCT cadre_id)
    FROM x WHERE client = 'MOBILE' GROUP BY rid"""
# The same from the rollup (models/rollups.py): a row per cadre, league day and shape holds
# how many live logs it stands for, so sums of `n` are counts of logs and a cadre with a row
# in the period logged in it. Exact for any period of whole days; a week starts on Monday.
# The asked subtrees' cities' days are read once, one range of the (city_id, day) index,
# and given to the subtrees by `_by_subtree`; the distinct cadres counted by hashing.
_DAYS = _by_subtree(
    "x",
    "work_log_days",
    ("cadre_id", "kind", "channel", "client", "activity_kind", "day", "n"),
    f"{_IN_CITY.format('t')} AND t.day BETWEEN :first AND :on AND {_SCOPED.format('t')}",
)
_LOG_COUNTS_FROM_DAYS = f"""
    WITH {_SUBTREES}, {_DAYS},
    g AS MATERIALIZED (
      SELECT rid, wk, kind, kind_key, channel, client, cadre_id, sum(n)::int AS n,
             GROUPING(cadre_id, client) AS s
      FROM (SELECT rid, cadre_id, day - (extract(isodow FROM day)::int - 1) AS wk, kind,
                   coalesce(nullif(activity_kind, ''), 'CONTACT') AS kind_key,
                   nullif(channel, '') AS channel, client, n FROM x) y
      GROUP BY GROUPING SETS ((rid, wk, kind, kind_key, channel, client), (rid, cadre_id),
                             (rid, cadre_id, client)))
    SELECT rid, wk, kind, kind_key, channel, client, n, NULL AS cadres FROM g WHERE s = 2
    UNION ALL
    SELECT rid, NULL, NULL, NULL, NULL, CASE s WHEN 0 THEN 'MOBILE_CADRES' END, NULL, count(*)
    FROM g WHERE s = 1 OR (s = 0 AND client = 'MOBILE') GROUP BY rid, s"""

# The live and pending links of a subtree `r` (the youth in contact and invited): a city's
# are its city's (no path test: the costliest part of reading them); another subtree's are
# found by their path (ix_contacts_org_path_gist: a county's ten thousand, not its city's
# hundred thousand tested one by one for each county asked). Only one branch runs for each
# `r` (the other's condition on `r` alone is false).
_LINKS_OF_R = f"""
    SELECT t.youth_id, t.status FROM contacts t
    WHERE r.level = 'CITY' AND t.city_id = r.id AND {_IN_CITY.format("t")}
      AND t.status IN ('ACTIVE', 'INVITED') AND {_SCOPED.format("t")}
    UNION ALL
    SELECT t.youth_id, t.status FROM contacts t
    WHERE r.level <> 'CITY' AND t.org_path <@ r.path AND {_IN_CITY.format("t")}
      AND t.status IN ('ACTIVE', 'INVITED') AND {_SCOPED.format("t")}"""


class Figures:
    """The figures of a set of subtrees, counted within `roots` (None: everywhere)."""

    def __init__(self, session: AsyncSession, tz: str, roots: Sequence[str] | None = None):
        self.session, self.tz = session, tz
        self.roots = list(roots) if roots is not None else [""]
        # Log figures already read, by period and org: headline, breakdown, mobile use and
        # the weekly trend of one request share one reading of the logs.
        self._logs: dict[tuple[Period, int], asyncio.Future[dict[int, LogFigures]]] = {}
        self._cities: dict[tuple[int, ...], list[int]] = {}

    def _params(self, ids: Sequence[int], period: Period) -> dict[str, Any]:
        start, end = period.bounds(self.tz)
        return {
            "tz": self.tz,
            "ids": list(ids),
            "start": start,
            "end": end,
            "roots": self.roots,
            "first": period.start,
            "on": period.end,
            "year": period.end.year,
        }

    async def _rows(self, sql: str, ids: Sequence[int], period: Period) -> Sequence[sa.Row]:
        params = self._params(ids, period)
        if ":cities" in sql:
            params["cities"] = await self.cities(ids)
        return (await self.session.execute(sa.text(sql), params)).all()

    async def cities(self, ids: Sequence[int]) -> list[int]:
        """The cities (and, for the province's own organs, the province) of the subtrees."""
        key = tuple(sorted(set(ids)))
        if key not in self._cities:
            found = await self.session.scalars(sa.text(_CITIES_OF), {"ids": list(key)})
            self._cities[key] = sorted(found.all())
        return self._cities[key]

    async def logs(self, ids: Sequence[int], period: Period) -> dict[int, LogFigures]:
        """The period's log figures of each subtree. The orgs not yet read (or being read
        for another figure of this request) are read by one statement."""
        missing = [i for i in dict.fromkeys(ids) if (period, i) not in self._logs]
        if missing:
            reading = asyncio.ensure_future(self._read_logs(missing, period))
            for i in missing:
                self._logs[(period, i)] = reading
        found: dict[int, LogFigures] = {}
        for i in ids:
            found[i] = (await self._logs[(period, i)])[i]
        return found

    async def _read_logs(self, ids: list[int], period: Period) -> dict[int, LogFigures]:
        """One pass over the period's logs: counts by (week, kind, channel, client), folded
        here into each figure, and the distinct cadres who logged. Read from the rollup of
        each cadre's days (work_log_days, kept by the database with every write to the logs)
        when its days are the league's, else from the rows."""
        rows = await self._rows(
            _LOG_COUNTS_FROM_DAYS if self.tz == ROLLUP_ZONE else _LOG_COUNTS_FROM_ROWS,
            ids,
            period,
        )
        found = {i: LogFigures() for i in ids}
        weeks: dict[int, dict[date, list[int]]] = defaultdict(dict)
        for r in rows:
            f = found[r.rid]
            if r.cadres is not None:
                if r.client == "MOBILE_CADRES":
                    f.cadres_on_mobile = r.cadres
                else:
                    f.active_cadres = r.cadres
                continue
            f.logs += r.n
            f.by_kind[r.kind_key] = f.by_kind.get(r.kind_key, 0) + r.n
            if r.channel:
                f.by_channel[r.channel] = f.by_channel.get(r.channel, 0) + r.n
            if r.client == "MOBILE":
                f.from_mobile += r.n
            week = weeks[r.rid].setdefault(r.wk, [0, 0, 0])  # logs, contacts, activities
            week[0] += r.n
            if r.kind == "ACTIVITY":
                f.activities += r.n
                week[2] += r.n
            else:
                week[1] += r.n
        for i, by_week in weeks.items():
            found[i].weeks = [Week(wk, *counts) for wk, counts in sorted(by_week.items())]
        return found

    async def headline(self, ids: Sequence[int], period: Period) -> dict[int, Headline]:
        rows = await self._rows(
            f"""
            SELECT r.id,
              (SELECT count(*) FROM cadres c WHERE c.org_path <@ r.path AND {_ACTIVE_CADRES}) AS cadres,
              y.in_contact, y.invited
            FROM orgs r, LATERAL (
              SELECT count(DISTINCT ct.youth_id) FILTER (WHERE ct.status = 'ACTIVE') AS in_contact,
                     count(DISTINCT ct.youth_id) FILTER (WHERE ct.status = 'INVITED') AS invited
              FROM ({_LINKS_OF_R}) ct) y
            WHERE r.id = ANY(:ids)""",
            ids,
            period,
        )
        logs = await self.logs(ids, period)
        out: dict[int, Headline] = defaultdict(Headline)
        for r in rows:
            g = logs[r.id]
            out[r.id] = Headline(
                r.cadres, g.active_cadres, r.in_contact, r.invited, g.logs, g.activities
            )
        return out

    async def breakdown(self, ids: Sequence[int], period: Period) -> dict[int, Breakdown]:
        logs = await self.logs(ids, period)
        return {i: Breakdown(dict(g.by_kind), dict(g.by_channel)) for i, g in logs.items()}

    async def mobile(self, ids: Sequence[int], period: Period) -> dict[int, MobileUse]:
        """Active cadres who signed in during the period; cadres who wrote from the phone
        pages and the logs so written, from the front end the server recorded on each log
        (`work_logs.client`), not from what a client claimed at login."""
        rows = await self._rows(
            f"""
            SELECT r.id, count(DISTINCT c.id) AS signed_in
            FROM orgs r
            JOIN cadres c ON c.org_path <@ r.path AND {_ACTIVE_CADRES}
            JOIN auth_sessions a ON a.user_id = c.user_id
             AND a.created_at >= :start AND a.created_at < :end
            WHERE r.id = ANY(:ids)
            GROUP BY r.id""",
            ids,
            period,
        )
        signed = {r.id: r for r in rows}
        logs = await self.logs(ids, period)
        out: dict[int, MobileUse] = defaultdict(MobileUse)
        for i in ids:
            s = signed.get(i)
            g = logs[i]
            out[i] = MobileUse(s.signed_in if s else 0, g.cadres_on_mobile, g.logs, g.from_mobile)
        return out

    async def cadre_work(self, ids: Sequence[int], period: Period) -> list[CadreWork]:
        """Every active cadre of each subtree, with their figures over the period."""
        rows = await self._rows(_CADRE_WORK, ids, period)
        return [
            CadreWork(
                cadre_id=r.id,
                assessed=r.assessed,
                kind=r.kind,
                key=r.kind == "FULL_TIME" or r.organ_cadre,
                org_id=r.org_id,
                org_path=r.org_path,
                city_id=r.city_id,
                min_count=r.min_count,
                period_months=r.period_months,
                months_used=r.months_used,
                months_on_mobile=r.months_mobile,
                quarters_worked=tuple(r.quarters or ()),
                activities=r.activities,
                youth_in_contact=r.youth,
                chose_learn_and_do=r.chose,
                recorded_learn_and_do=r.recorded,
                campaign_kinds=tuple(r.campaign_kinds),
                upheld_flags=r.upheld,
            )
            for r in rows
        ]

    async def activation(self, ids: Sequence[int], period: Period) -> dict[int, Activation]:
        rows = await self._rows(
            f"""
            SELECT r.id, a.*
            FROM orgs r, LATERAL (
              SELECT count(*) AS youth,
                     count(*) FILTER (WHERE x.signed_in) AS activated,
                     count(*) FILTER (WHERE x.membership = 'LEAGUE_MEMBER') AS members,
                     count(*) FILTER (WHERE x.membership = 'LEAGUE_MEMBER' AND x.signed_in)
                       AS members_activated,
                     count(*) FILTER (WHERE x.birth_date <= CAST(:on AS date) - interval '14 years'
                                        AND x.birth_date > CAST(:on AS date) - interval '29 years')
                       AS in_age
              FROM (SELECT y.membership, y.birth_date,
                           EXISTS (SELECT 1 FROM auth_sessions s
                                   WHERE s.user_id = y.user_id AND s.created_at < :end) AS signed_in
                    FROM youth y WHERE {_IN_CITY.format("y")} AND y.org_path <@ r.path
                      AND {_SCOPED.format("y")}) x) a
            WHERE r.id = ANY(:ids)""",
            ids,
            period,
        )
        return defaultdict(
            Activation,
            {
                r.id: Activation(r.youth, r.activated, r.members, r.members_activated, r.in_age)
                for r in rows
            },
        )

    async def industry(self, ids: Sequence[int], period: Period) -> dict[int, list[CadreMix]]:
        """Per cadre of the subtree: youth on their list (ACTIVE links: an invitation tells
        nothing about the youth) by industry; the least varied first, at most 500. Read
        from the rollup of each cadre's links by industry (cadre_industries, kept by the
        database with every write to links and youth), not from every link and youth."""
        rows = await self._rows(
            f"""
            WITH x AS (
              SELECT r.id AS rid, ci.cadre_id, ci.industry, sum(ci.n)::int AS n
              FROM orgs r {_CITIES}
              JOIN cadre_industries ci ON {_IN_CITIES.format("ci")} AND {_SCOPED.format("ci")}
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

    async def five_ones(self, ids: Sequence[int], period: Period) -> dict[int, Completion]:
        """Active cadres of each subtree, and those whose 五个一 period containing the
        period's last day is complete."""
        progress = cadre_progress_sql(
            "c.org_path <@ ANY(ARRAY(SELECT path FROM orgs WHERE id = ANY(:ids))) AND "
            + _SCOPED.format("c"),
            _IN_CITY.format("l"),
        )
        return await self._completion(progress, ids, period)

    async def organ_five_ones(self, ids: Sequence[int], period: Period) -> dict[int, Completion]:
        """The city and county leading organs of each subtree, and those complete."""
        progress = organ_progress_sql(
            "o.path <@ ANY(ARRAY(SELECT path FROM orgs WHERE id = ANY(:ids))) AND "
            "o.path <@ ANY(CAST(:roots AS ltree[]))",
            _IN_CITY.format("l"),
        )
        return await self._completion(progress, ids, period)

    async def _completion(
        self, progress: str, ids: Sequence[int], period: Period
    ) -> dict[int, Completion]:
        rows = await self._rows(
            f"""
            WITH p AS ({progress})
            SELECT r.id, count(p.subject_id) AS subjects,
                   count(p.subject_id) FILTER (WHERE p.complete) AS done
            FROM orgs r LEFT JOIN p ON p.org_path <@ r.path
            WHERE r.id = ANY(:ids) GROUP BY r.id""",
            ids,
            period,
        )
        return defaultdict(Completion, {r.id: Completion(r.subjects, r.done) for r in rows})

    async def learn_and_do(self, ids: Sequence[int], period: Period) -> dict[int, Completion]:
        """Active cadres of each subtree, and those who both chose and recorded 一学一做 in
        the year of the period's last day."""
        rows = await self._rows(
            f"""
            SELECT r.id, count(c.id) AS subjects,
                   count(c.id) FILTER (WHERE EXISTS (
                       SELECT 1 FROM learn_and_do_choices d WHERE d.cadre_id = c.id AND d.year = :year)
                     AND EXISTS (
                       SELECT 1 FROM learn_and_do_records e WHERE e.cadre_id = c.id AND e.year = :year)
                   ) AS done
            FROM orgs r LEFT JOIN cadres c ON c.org_path <@ r.path AND {_ACTIVE_CADRES}
            WHERE r.id = ANY(:ids) GROUP BY r.id""",
            ids,
            period,
        )
        return defaultdict(Completion, {r.id: Completion(r.subjects, r.done) for r in rows})

    async def weeks(self, ids: Sequence[int], period: Period) -> dict[int, list[Week]]:
        """Logs per week (weeks start on Monday, in the league's time zone)."""
        return {i: list(g.weeks) for i, g in (await self.logs(ids, period)).items()}

    async def children(self, ids: Sequence[int]) -> dict[int, list[int]]:
        """The active children of each org, by id: figures 'by child' are figures of these."""
        rows = await self.session.execute(
            sa.text(
                "SELECT parent_id, id FROM orgs WHERE parent_id = ANY(:ids) AND is_active "
                "ORDER BY parent_id, id"
            ),
            {"ids": list(ids)},
        )
        out: dict[int, list[int]] = defaultdict(list)
        for parent, child in rows:
            out[parent].append(child)
        return out
