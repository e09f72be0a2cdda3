"""Is the work in the data real (§五, §六: 不能“只有数据没有工作过程”)? Youth confirm or deny
logged contacts; spot checks sample records reproducibly; detectors flag suspicious ones.
A flagged record earns no points until a reviewer clears it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from authz import Act, Obj, mask_mobile, require_youth
from authz.checks import is_live_checker, may_call_sample, refuse_inside, refuse_own_records
from authz.errors import BadInput, Conflict, Forbidden, NotFound
from models import (
    Cadre,
    FieldGrant,
    Flag,
    FlagKind,
    FlagStatus,
    LogConfirmation,
    LogKind,
    PointSource,
    SpotCheck,
    SpotCheckItem,
    SpotCheckMethod,
    WorkLog,
    Youth,
)
from resolvers import orgs, points
from resolvers.base import Ctx, clean_text
from resolvers.pagination import Page

# Detector thresholds: what one person cannot plausibly do, and what is copied text.
SIMILARITY = 0.8  # trigram similarity of two logs' texts
MIN_TEXT = 12  # shorter texts ("谈心") are too common to compare
UNCONFIRMED_DAYS = 14  # a youth with an account has not confirmed a contact by then

# The least time one record takes, in minutes: a 谈心 face to face is not shorter than ten
# minutes, a call five, a message two, an activity half an hour. Records a cadre says began
# within one hour whose least times add up to more than that hour cannot all have happened
# (a busy afternoon of five talks fits; a dozen "face-to-face" talks do not). Counting
# records alone (the first detector) flagged honest busy days and missed quick fabrications.
LEAST_MINUTES = {"ACTIVITY": 30, "FACE_TO_FACE": 10, "PHONE": 5, "MESSAGE": 2}
WINDOW_MINUTES = 60

# Youth deny contacts rarely and one denial may be a slip of memory; a cadre whose youth
# deny at least DENIALS contacts, a quarter or more of the answers, has a pattern, and
# their contacts nobody has answered for are held for review too. Denials count over the
# LOOKBACK_DAYS before the checked period as well as inside it.
DENIALS = 2
DENIED_SHARE = 0.25
LOOKBACK_DAYS = 180

_LEAST = f"""CASE WHEN l.kind = 'ACTIVITY' THEN {LEAST_MINUTES["ACTIVITY"]}
    WHEN l.channel = 'FACE_TO_FACE' THEN {LEAST_MINUTES["FACE_TO_FACE"]}
    WHEN l.channel = 'PHONE' THEN {LEAST_MINUTES["PHONE"]} ELSE {LEAST_MINUTES["MESSAGE"]} END"""


def _source(log: WorkLog) -> PointSource:
    return PointSource.CONTACT_LOG if log.kind == LogKind.CONTACT else PointSource.ACTIVITY_LOG


# ---------------------------------------------------------------- youth confirmation


async def confirm(ctx: Ctx, log_id: int, confirmed: bool) -> LogConfirmation:
    """The youth named in a contact log says whether it happened; a denial flags it."""
    youth_id = require_youth(ctx.principal)
    log = await ctx.session.get(WorkLog, log_id)
    if log is None or log.youth_id != youth_id or log.deleted_at is not None:
        raise NotFound()
    row = LogConfirmation(log_id=log.id, youth_id=youth_id, confirmed=confirmed)
    ctx.session.add(row)
    await ctx.flush_or_conflict("你已经确认过这条记录")
    await ctx.audit("log.confirm", "WorkLog", log.id, log.org_path, after={"confirmed": confirmed})
    if not confirmed:
        await _raise_flags(ctx, [(log.id, FlagKind.DENIED, "小伙伴否认了这次联系")])
    return row


async def my_logged_contacts(ctx: Ctx, first: int | None, after: str | None) -> Page[WorkLog]:
    youth_id = require_youth(ctx.principal)
    stmt = sa.select(WorkLog).where(WorkLog.youth_id == youth_id, WorkLog.deleted_at.is_(None))
    return await ctx.page(stmt, WorkLog.id, first, after)


async def confirmation(ctx: Ctx, log_id: int) -> bool | None:
    """The youth's answer on one log (batched across the request)."""
    return await ctx.loader(_confirmations).load(log_id)


async def _confirmations(ctx: Ctx, log_ids: Sequence[int]) -> list[bool | None]:
    found = await confirmations(ctx, list(log_ids))
    return [found.get(i) for i in log_ids]


async def confirmations(ctx: Ctx, log_ids: list[int]) -> dict[int, bool]:
    """The youth's answers on logs the caller already reached (visibility is the log's own)."""
    rows = await ctx.session.execute(
        sa.select(LogConfirmation.log_id, LogConfirmation.confirmed).where(
            LogConfirmation.log_id.in_(log_ids)
        )
    )
    return {log_id: confirmed for log_id, confirmed in rows}


# ---------------------------------------------------------------- flags


async def _raise_flags(ctx: Ctx, found: list[tuple[int, FlagKind, str]]) -> int:
    """Insert new flags (one per log and kind) and withhold those logs' points."""
    new = 0
    for log_id, kind, detail in found:
        log = await ctx.session.get(WorkLog, log_id)
        assert log is not None
        result = await ctx.session.execute(
            insert(Flag)
            .values(
                log_id=log.id,
                cadre_id=log.cadre_id,
                kind=kind,
                detail=detail[:300],
                status=FlagStatus.OPEN,
                org_id=log.org_id,
                org_path=log.org_path,
                city_id=log.city_id,
            )
            .on_conflict_do_nothing()
            .returning(Flag.id)
        )
        if result.scalar_one_or_none() is not None:
            new += 1
            await points.withhold(ctx, _source(log), log.id)
    return new


@dataclass(frozen=True)
class DetectionReport:
    near_duplicate: int
    burst: int
    unconfirmed: int
    spot_check_failed: int
    denial_pattern: int


async def detect(ctx: Ctx, org_id: int, start: date, end: date) -> DetectionReport:
    """Run the detectors over a subtree's logs in [start, end]; new flags only."""
    if start > end or (end - start).days > 366:
        raise BadInput("检测区间应在一年以内，且开始不晚于结束", field="dateFrom")
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.APPROVE, Obj.WORK, org.path)
    report = await scan(ctx, org.path, start, end)
    await ctx.audit("flags.detect", "Org", org.id, org.path, after=report.__dict__)
    return report


async def scan(ctx: Ctx, root: str, start: date, end: date) -> DetectionReport:
    """The detectors over the logs of the subtree at `root` in [start, end]: new flags only,
    so running it again over the same days raises nothing twice. Decides nothing: `detect`
    for a request, the nightly job (app/jobs.py) for the whole province."""
    tz = ZoneInfo(ctx.settings.timezone)
    params = {
        "root": root,
        "start": datetime.combine(start, time(), tz),
        "end": datetime.combine(end + timedelta(days=1), time(), tz),
        "sim": SIMILARITY,
        "min": MIN_TEXT,
        "window": WINDOW_MINUTES,
        "denials": DENIALS,
        "share": DENIED_SHARE,
        "lookback": LOOKBACK_DAYS,
        "stale": datetime.now(UTC) - timedelta(days=UNCONFIRMED_DAYS),
    }
    scope = "l.org_path <@ CAST(:root AS ltree) AND l.deleted_at IS NULL AND l.occurred_at >= :start AND l.occurred_at < :end"
    dupes = await _ids(
        ctx,
        f"""
        SELECT DISTINCT l.id FROM work_logs l JOIN work_logs o
          ON o.id <> l.id AND o.city_id = l.city_id AND o.deleted_at IS NULL
         AND o.occurred_at >= CAST(:start AS timestamptz) - interval '30 days' AND o.occurred_at < :end
         AND length(o.content) >= :min AND o.content % l.content AND similarity(o.content, l.content) >= :sim
        WHERE {scope} AND length(l.content) >= :min""",
        params,
    )
    bursts = await _ids(
        ctx,
        f"""
        WITH starts AS (  -- the least minutes of a cadre's records begun in each window
            SELECT o.cadre_id, o.occurred_at AS s, sum({_LEAST}) AS least
            FROM work_logs o JOIN work_logs l ON l.cadre_id = o.cadre_id AND l.deleted_at IS NULL
             AND l.occurred_at >= o.occurred_at
             AND l.occurred_at < o.occurred_at + make_interval(mins => :window)
            WHERE {scope.replace("l.", "o.")} GROUP BY o.cadre_id, o.occurred_at)
        SELECT DISTINCT l.id FROM starts w JOIN work_logs l ON l.cadre_id = w.cadre_id
         AND l.occurred_at >= w.s AND l.occurred_at < w.s + make_interval(mins => :window)
        WHERE w.least > :window AND {scope}""",
        params,
    )
    denial_pattern = await _ids(
        ctx,
        f"""
        WITH answers AS (
            SELECT l.cadre_id, count(*) FILTER (WHERE NOT c.confirmed) AS denied, count(*) AS answered
            FROM log_confirmations c JOIN work_logs l ON l.id = c.log_id
            WHERE l.org_path <@ CAST(:root AS ltree) AND l.deleted_at IS NULL
              AND l.occurred_at >= CAST(:start AS timestamptz) - make_interval(days => :lookback)
              AND l.occurred_at < :end
            GROUP BY l.cadre_id)
        SELECT l.id FROM work_logs l JOIN answers a ON a.cadre_id = l.cadre_id
        WHERE {scope} AND l.kind = 'CONTACT' AND a.denied >= :denials
          AND a.denied >= :share * a.answered
          AND NOT EXISTS (SELECT 1 FROM log_confirmations c WHERE c.log_id = l.id)""",
        params,
    )
    unconfirmed = await _ids(
        ctx,
        f"""
        SELECT l.id FROM work_logs l JOIN youth y ON y.id = l.youth_id AND y.user_id IS NOT NULL
        WHERE {scope} AND l.kind = 'CONTACT' AND l.created_at < :stale
          AND NOT EXISTS (SELECT 1 FROM log_confirmations c WHERE c.log_id = l.id)""",
        params,
    )
    failed = await _ids(
        ctx,
        f"""
        SELECT l.id FROM spot_check_items i JOIN work_logs l ON l.id = i.log_id
        WHERE {scope} AND i.reached AND NOT i.confirmed""",
        params,
    )
    report = DetectionReport(
        await _raise_flags(
            ctx, [(i, FlagKind.NEAR_DUPLICATE, "与其他日志内容高度雷同") for i in dupes]
        ),
        await _raise_flags(
            ctx,
            [
                (i, FlagKind.BURST, f"{WINDOW_MINUTES} 分钟内的记录按最短用时也做不完")
                for i in bursts
            ],
        ),
        await _raise_flags(
            ctx,
            [
                (i, FlagKind.UNCONFIRMED, f"{UNCONFIRMED_DAYS} 天未获小伙伴确认")
                for i in unconfirmed
            ],
        ),
        await _raise_flags(ctx, [(i, FlagKind.SPOT_CHECK_FAILED, "抽查未能核实") for i in failed]),
        await _raise_flags(
            ctx,
            [
                (i, FlagKind.DENIAL_PATTERN, "该干部的联系多次被小伙伴否认，本条尚无人确认")
                for i in denial_pattern
            ],
        ),
    )
    return report


async def _ids(ctx: Ctx, sql: str, params: dict) -> list[int]:
    return list(await ctx.session.scalars(sa.text(sql), params))


async def list_flags(
    ctx: Ctx,
    *,
    under: int | None,
    status: FlagStatus | None,
    kind: FlagKind | None,
    first: int | None,
    after: str | None,
    newest_first: bool = False,
) -> Page[Flag]:
    ctx.scope(Act.VIEW, Obj.WORK)
    stmt = sa.select(Flag).where(ctx.readable(Flag))
    stmt = await orgs.within(ctx, stmt, Flag.org_path, under)
    if status is not None:
        stmt = stmt.where(Flag.status == status)
    if kind is not None:
        stmt = stmt.where(Flag.kind == kind)
    return await ctx.page(stmt, Flag.id, first, after, newest_first=newest_first)


async def review(ctx: Ctx, flag_id: int, decision: FlagStatus, note: str) -> Flag:
    """CLEARED gives the record its points back (when no other flag holds it); UPHELD keeps
    them withheld."""
    if decision == FlagStatus.OPEN:
        raise BadInput("复核结论只能是 CLEARED 或 UPHELD", field="decision")
    flag = await ctx.load(Flag, flag_id, Act.APPROVE, Obj.WORK, for_update=True)
    refuse_own_records(ctx.principal, flag.cadre_id, "复核")
    if flag.status != FlagStatus.OPEN:
        raise Conflict("该标记已复核")
    flag.status, flag.reviewed_by, flag.reviewed_at = (
        decision,
        ctx.principal.user_id,
        datetime.now(UTC),
    )
    flag.review_note = clean_text(note, "复核意见", max_len=1000)
    await ctx.session.flush()
    holding = await ctx.session.scalar(
        sa.select(sa.func.count()).where(
            Flag.log_id == flag.log_id, Flag.status != FlagStatus.CLEARED
        )
    )
    log = await ctx.session.get(WorkLog, flag.log_id)
    assert log is not None
    if decision == FlagStatus.CLEARED and not holding and log.deleted_at is None:
        await points.reinstate(ctx, _source(log), log.id)
    await ctx.audit(
        "flag.review",
        "Flag",
        flag.id,
        flag.org_path,
        {"status": "OPEN"},
        {"status": decision.value, "note": flag.review_note},
    )
    return flag


# ---------------------------------------------------------------- spot checks


CHECK_DAYS = 14  # a spot check's default length: its checker's rights end with it
MAX_CHECK_DAYS = 90


async def draw(
    ctx: Ctx,
    *,
    org_id: int,
    method: SpotCheckMethod,
    sample_size: int,
    seed: int,
    start: date,
    end: date,
    checker_user_id: int | None = None,
    ends_at: datetime | None = None,
) -> SpotCheck:
    """A sample of the subtree's contact logs in the period, stratified by child org (the
    org's own logs are a stratum of their own), allocated in proportion to each stratum's
    size; within a stratum, logs are ordered by md5(seed, id): the same seed and data always
    give the same sample.

    The checker (the drawer unless another account is named; for a COMMISSIONED check an
    account from outside the subtree, named) works the sample until `ends_at`, with a field
    grant to the numbers of this sample only, ending with the check. Neither the drawer nor
    the checker may have records in the subtree (nobody samples their own records)."""
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.APPROVE, Obj.WORK, org.path)
    if not 1 <= sample_size <= 2000:
        raise BadInput("样本量应在 1–2000 之间", field="sampleSize")
    if start > end:
        raise BadInput("开始日期不能晚于结束日期", field="from")
    now = datetime.now(UTC)
    ends_at = ends_at or now + timedelta(days=CHECK_DAYS)
    if not now < ends_at <= now + timedelta(days=MAX_CHECK_DAYS):
        raise BadInput(f"抽查结束时间应在现在之后的 {MAX_CHECK_DAYS} 天以内", field="endsAt")
    if method == SpotCheckMethod.COMMISSIONED and checker_user_id is None:
        raise BadInput("委托调查须指定受托账号", field="checkerUserId")
    refuse_inside(ctx.principal.cadre_org_path, org.path, "抽取人")
    checker = checker_user_id or ctx.principal.user_id
    assert checker is not None
    checker_cadre = await _checker_cadre(ctx, checker)
    refuse_inside(checker_cadre.org_path if checker_cadre else None, org.path, "抽查人")
    tz = ZoneInfo(ctx.settings.timezone)
    check = SpotCheck(
        method=method,
        seed=seed,
        sample_size=sample_size,
        period_start=start,
        period_end=end,
        created_by=ctx.principal.user_id,
        checker_id=checker,
        ends_at=ends_at,
        org_id=org.id,
        org_path=org.path,
        city_id=org.city_id,
    )
    ctx.session.add(check)
    await ctx.session.flush()
    own = [c for c in (ctx.principal.cadre_id, checker_cadre.id if checker_cadre else None) if c]
    params = {
        "root": org.path,
        "depth": org.path.count(".") + 2,
        "seed": str(seed),
        "start": datetime.combine(start, time(), tz),
        "end": datetime.combine(end + timedelta(days=1), time(), tz),
        "own": own or [0],
    }
    # A cadre who moved keeps the path of their old org on old logs: their records are left
    # out by cadre too.
    strata_sql = """
        SELECT l.id, CASE WHEN nlevel(l.org_path) >= :depth
                          THEN ltree2text(subpath(l.org_path, :depth - 1, 1))::bigint
                          ELSE NULL END AS stratum
        FROM work_logs l
        WHERE l.org_path <@ CAST(:root AS ltree) AND l.kind = 'CONTACT' AND l.deleted_at IS NULL
          AND l.occurred_at >= :start AND l.occurred_at < :end AND l.cadre_id <> ALL(:own)"""
    sizes: dict[int, int] = dict(
        (
            await ctx.session.execute(
                sa.text(f"SELECT coalesce(stratum, 0), count(*) FROM ({strata_sql}) s GROUP BY 1"),
                params,
            )
        ).all()
    )
    quota = _allocate(sizes, sample_size)
    if not quota:
        raise Conflict("该范围和时段内没有可抽查的联系记录")
    rows = await ctx.session.execute(
        sa.text(f"""
        SELECT x.id, x.stratum, l.org_path::text FROM (
            SELECT s.id, coalesce(s.stratum, 0) AS stratum,
                   row_number() OVER (PARTITION BY coalesce(s.stratum, 0) ORDER BY md5(:seed || ':' || s.id)) AS r
            FROM ({strata_sql}) s) x
        JOIN jsonb_each_text(CAST(:quota AS jsonb)) q ON q.key::bigint = x.stratum
        JOIN work_logs l ON l.id = x.id
        WHERE x.r <= q.value::int ORDER BY x.stratum, x.r"""),
        {**params, "quota": _json(quota)},
    )
    ctx.session.add_all(
        SpotCheckItem(
            check_id=check.id, log_id=log_id, stratum_org_id=stratum or org.id, org_path=path
        )
        for log_id, stratum, path in rows
    )
    ctx.session.add(
        FieldGrant(
            user_id=checker,
            object=Obj.YOUTH.value,
            field="mobile",
            minors=True,  # the sample is called whoever it is
            reason=f"抽查 #{check.id} 的样本：抽查人拨打样本号码",
            granted_by=ctx.principal.user_id,
            ends_at=ends_at,
            spot_check_id=check.id,
            org_id=org.id,
            org_path=org.path,
            city_id=org.city_id,
        )
    )
    await ctx.session.flush()
    await ctx.audit(
        "spotcheck.draw",
        "SpotCheck",
        check.id,
        org.path,
        after={
            "method": method.value,
            "seed": seed,
            "sample_size": sample_size,
            "checker_id": checker,
            "ends_at": ends_at.isoformat(),
        },
    )
    return check


async def _checker_cadre(ctx: Ctx, user_id: int) -> Cadre | None:
    """The checker's cadre record (where their own records are), if any; the account must
    exist and be active."""
    from models import User

    user = await ctx.session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound("受托账号不存在", field="checkerUserId")
    return await ctx.session.scalar(
        sa.select(Cadre).where(Cadre.user_id == user_id, Cadre.is_active)
    )


def _allocate(sizes: dict[int, int], n: int) -> dict[int, int]:
    """Largest-remainder proportional allocation, never more than a stratum holds."""
    total = sum(sizes.values())
    if total == 0:
        return {}
    n = min(n, total)
    exact = {k: n * v / total for k, v in sizes.items()}
    alloc = {k: min(int(x), sizes[k]) for k, x in exact.items()}
    for k in sorted(exact, key=lambda k: (-(exact[k] - int(exact[k])), k)):
        if sum(alloc.values()) >= n:
            break
        if alloc[k] < sizes[k]:
            alloc[k] += 1
    return {k: v for k, v in alloc.items() if v}


def _json(d: dict[int, int]) -> str:
    import json

    return json.dumps({str(k): v for k, v in d.items()})


async def record(
    ctx: Ctx,
    item_id: int,
    *,
    reached: bool,
    confirmed: bool | None,
    satisfaction: int | None,
    notes: str = "",
) -> SpotCheckItem:
    """The checker of an open check records what they found; nobody checks their own record."""
    item = await ctx.load(SpotCheckItem, item_id, Act.VIEW, Obj.WORK, for_update=True)
    check = await ctx.session.get(SpotCheck, item.check_id)
    assert check is not None
    if not _works(ctx, check):
        raise Forbidden("只有本次抽查的抽查人可以在抽查期间记录结果")
    log = await ctx.session.get(WorkLog, item.log_id)
    assert log is not None
    refuse_own_records(ctx.principal, log.cadre_id, "核实")
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise BadInput("满意度为 1–5", field="satisfaction")
    if not reached and (confirmed is not None or satisfaction is not None):
        raise BadInput("未联系上时不能填写核实结果和满意度", field="confirmed")
    if reached and confirmed is None:
        raise BadInput("联系上时须填写是否核实", field="confirmed")
    item.reached, item.confirmed, item.satisfaction = reached, confirmed, satisfaction
    item.notes = clean_text(notes, "备注", max_len=1000, required=False)
    item.recorded_at, item.recorded_by = datetime.now(UTC), ctx.principal.user_id
    await ctx.session.flush()
    if reached and confirmed is False:
        await _raise_flags(ctx, [(item.log_id, FlagKind.SPOT_CHECK_FAILED, "抽查未能核实")])
    await ctx.audit(
        "spotcheck.record",
        "SpotCheckItem",
        item.id,
        check.org_path,
        after={"reached": reached, "confirmed": confirmed, "satisfaction": satisfaction},
    )
    return item


async def close_check(ctx: Ctx, check_id: int) -> SpotCheck:
    """End a check: its checker's rights and the field grant of its numbers end; the checked
    orgs read their findings. The drawer, or an approver above the checked org."""
    check = await ctx.load(SpotCheck, check_id, Act.VIEW, Obj.WORK, for_update=True)
    if check.created_by != ctx.principal.user_id:
        parent = check.org_path.rpartition(".")[0]
        if not parent:
            raise Forbidden("只有抽取人或上级可以结束抽查")
        ctx.authorize(Act.APPROVE, Obj.WORK, parent)
    if check.closed_at is not None:
        raise Conflict("该抽查已结束")
    check.closed_at = datetime.now(UTC)
    await ctx.session.execute(
        sa.update(FieldGrant)
        .where(FieldGrant.spot_check_id == check.id, FieldGrant.revoked_at.is_(None))
        .values(revoked_at=check.closed_at)
    )
    await ctx.session.flush()
    await ctx.audit(
        "spotcheck.close", "SpotCheck", check.id, check.org_path, after={"closed": True}
    )
    return check


async def get_check(ctx: Ctx, check_id: int) -> SpotCheck:
    return await ctx.load(SpotCheck, check_id, Act.VIEW, Obj.WORK)


def _works(ctx: Ctx, check: SpotCheck) -> bool:
    return is_live_checker(ctx.principal, check.checker_id, check.closed_at, check.ends_at)


def am_checker(ctx: Ctx, check: SpotCheck) -> bool:
    return _works(ctx, check)


async def list_checks(
    ctx: Ctx,
    *,
    under: int | None = None,
    method: SpotCheckMethod | None = None,
    assigned_to_me: bool = False,
    first: int | None,
    after: str | None,
) -> Page[SpotCheck]:
    """The spot checks the caller may read: drawn by them or above the checked orgs, worked
    by them (a commissioned account holds no grant), or over and about their orgs."""
    stmt = sa.select(SpotCheck).where(ctx.readable(SpotCheck))
    stmt = await orgs.within(ctx, stmt, SpotCheck.org_path, under)
    if method is not None:
        stmt = stmt.where(SpotCheck.method == method)
    if assigned_to_me:
        stmt = stmt.where(SpotCheck.id.in_(ctx.principal.checks))
    return await ctx.page(stmt, SpotCheck.id, first, after)


async def items(
    ctx: Ctx, check_id: int, first: int | None, after: str | None
) -> Page[SpotCheckItem]:
    """The findings of a check the caller may read (all of them, or their own org's)."""
    stmt = sa.select(SpotCheckItem).where(
        SpotCheckItem.check_id == check_id, ctx.readable(SpotCheckItem)
    )
    return await ctx.page(stmt, SpotCheckItem.id, first, after)


async def pass_rate(ctx: Ctx, check_id: int) -> float | None:
    """Reached and confirmed / reached, over the findings the caller may read."""
    reached, confirmed = (
        await ctx.session.execute(
            sa.select(
                sa.func.count().filter(SpotCheckItem.reached.is_(True)),
                sa.func.count().filter(
                    SpotCheckItem.reached.is_(True), SpotCheckItem.confirmed.is_(True)
                ),
            ).where(SpotCheckItem.check_id == check_id, ctx.readable(SpotCheckItem))
        )
    ).one()
    return round(confirmed / reached, 4) if reached else None


async def sample_youth_name(ctx: Ctx, item: SpotCheckItem) -> str | None:
    """The name of the youth a sampled contact log names (whom the checker asks for)."""
    found = await ctx.loader(_sample_youth).load(item.log_id)
    return found[1] if found else None


async def sample_mobile(ctx: Ctx, item: SpotCheckItem) -> str | None:
    """The number of a sampled log's youth: whole for the check's checker (the field grant
    tied to the check; every whole read is logged), masked for everyone else."""
    found = await ctx.loader(_sample_youth).load(item.log_id)
    if found is None:
        return None
    youth_id, _, mobile = found
    if may_call_sample(ctx.principal, item.check_id) and ctx.principal.user_id is not None:
        ctx.personal_reads.append((youth_id, ctx.principal.user_id, "mobile", ctx.request_id))
        return mobile
    return mask_mobile(mobile)


async def _sample_youth(ctx: Ctx, log_ids: Sequence[int]) -> list[tuple[int, str, str] | None]:
    """Batched: the youth of each sampled log (the caller reached the item already)."""
    rows = await ctx.session.execute(
        sa.select(WorkLog.id, Youth.id, Youth.name, Youth.mobile)
        .join(Youth, Youth.id == WorkLog.youth_id)
        .where(WorkLog.id.in_(list(log_ids)))
    )
    found = {log_id: (y, name, mobile) for log_id, y, name, mobile in rows}
    return [found.get(i) for i in log_ids]
