"""One home for each figure (resolvers/figures.py): the dashboard, a bulletin's line, a
quarterly report's figures and the assessment's inputs agree for the same org and period,
and each figure equals the same figure computed here, in Python, from raw rows."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from models import CadreKind, ClientKind
from resolvers import rollups
from tests.helpers import (
    FROM_CONSOLE,
    FROM_PHONE_PAGES,
    accept_invitations,
    add_user,
    gid,
    league_today,
)
from tests.work.conftest import World, make_cadre

FIVE = ["PRACTICAL_DEED", "LEAGUE_LESSON", "HEART_TALK", "VOLUNTEER", "CULTURE_SPORTS"]

DASH = """query($o: ID!, $f: Date, $t: Date) { dashboard(orgId: $o, dateFrom: $f, dateTo: $t) {
  cadres activeCadres youthInContact youthInvited logs
  logsByKind { key count } logsByChannel { key count }
  mobileUse { cadresSignedIn cadresOnMobile logs logsFromMobile }
  industryMix { cadreId youth industries mix { key count } }
  fiveOnesByChild { org { id } cadres done }
  learnAndDoByChild { org { id } cadres done }
  weekly { weekStart logs contacts activities } } }"""


async def _busy_world(world: World) -> dict[str, Any]:
    """Work of several cadres: a complete and an incomplete 五个一, a deleted log, a pending
    invitation, a youth on two lists, work from a phone, a leading organ's own activity,
    一学一做 chosen and recorded by one cadre, only chosen by another."""
    api, tree = world.api, world.tree
    for kind in FIVE:
        await world.activity(kind)
    await world.contact(world.youth_ids[0], channel="PHONE")
    await world.contact(world.youth_ids[1], channel="WECHAT")
    gone = await world.contact(world.youth_ids[2], channel="QQ")
    delete = 'mutation($id: ID!) { deleteWorkLog(id: $id, reason: "记错了") { id } }'
    assert (await api.gql(delete, {"id": gone}, token=world.token)).data
    second, t2, y2 = await make_cadre(api, tree, "second", "A2", 2, 500, kind=CadreKind.PART_TIME)
    phone = await api.token_for(second.id, client=ClientKind.MOBILE)
    await world.contact(y2[0], channel="QQ", token=phone, headers=FROM_PHONE_PAGES)
    await world.activity("VOLUNTEER", token=phone, headers=FROM_PHONE_PAGES)
    invite = 'mutation($m: String!) { addYouthToMyList(name: "小伙伴", mobile: $m) { id } }'
    assert (await api.gql(invite, {"m": "13300000000"}, token=t2)).data  # the worker's too
    await accept_invitations(api.services, second)
    assert (await api.gql(invite, {"m": "13300000600"}, token=t2)).data  # not yet accepted
    organ, t3, _ = await make_cadre(api, tree, "organ", "A", 0, 900)
    await world.activity("ORGAN_OPEN_DAY", token=t3)
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    province = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    year = league_today(api.services).year
    async with api.services.engine.begin() as conn:
        for username, recorded in (("worker", True), ("second", False)):
            cid = await conn.scalar(
                sa.text(
                    "SELECT c.id FROM cadres c JOIN users u ON u.id = c.user_id WHERE u.username = :u"
                ),
                {"u": username},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO learn_and_do_choices (cadre_id, year, guided_org_id, joined_branch_id, "
                    "org_id, org_path, city_id) SELECT :c, :y, :b, :b, org_id, org_path, city_id "
                    "FROM cadres WHERE id = :c"
                ),
                {"c": cid, "y": year, "b": tree["A1x"].id},
            )
            if recorded:
                await conn.execute(
                    sa.text(
                        "INSERT INTO learn_and_do_records (cadre_id, year, kind, occurred_on, org_id, "
                        "org_path, city_id) SELECT :c, :y, 'STUDY', :d, org_id, org_path, city_id "
                        "FROM cadres WHERE id = :c"
                    ),
                    {"c": cid, "y": year, "d": date(year, 1, 1)},
                )
    return {
        "city": await api.token_for(city.id),
        "province": await api.token_for(province.id),
        "organ": organ,
    }


async def _dashboard(api, token: str, org_id: int, start: date, end: date) -> dict[str, Any]:
    r = await api.gql(
        DASH,
        {"o": gid("Org", org_id), "f": start.isoformat(), "t": end.isoformat()},
        token=token,
    )
    return r.data["dashboard"]


def _by_child(rows: list[dict[str, Any]], org_id: int) -> tuple[int, int]:
    row = next(r for r in rows if r["org"]["id"] == gid("Org", org_id))
    return row["cadres"], row["done"]


# ------------------------------------------------------------------ (a) one rule, one answer


async def test_dashboard_bulletin_report_and_assessment_agree(world) -> None:
    api, tree = world.api, world.tree
    who = await _busy_world(world)
    # Move all the work into the previous quarter: reports are sent at or after its end.
    tz = ZoneInfo(api.services.settings.timezone)
    today = league_today(api.services)
    y, q = (today.year, (today.month - 1) // 3) if today.month > 3 else (today.year - 1, 4)
    first = date(y, 3 * q - 2, 1)
    last = date(y + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    shift = datetime.combine(last, time(12), tz) - datetime.now(UTC)
    async with api.services.engine.begin() as conn:
        for table, column in (("work_logs", "occurred_at"), ("auth_sessions", "created_at")):
            await conn.execute(
                sa.text(f"UPDATE {table} SET {column} = {column} + :s"), {"s": shift}
            )
        for table in ("learn_and_do_choices", "learn_and_do_records"):
            await conn.execute(sa.text(f"UPDATE {table} SET year = :y"), {"y": y})
    a, p = tree["A"].id, tree["P"].id

    dash = await _dashboard(api, who["city"], a, first, last)
    from_p = await _dashboard(api, who["province"], p, first, last)
    bulletin = await api.gql(
        """mutation($o: ID!, $y: Int!, $q: Int!) { generateBulletin(orgId: $o, year: $y, quarter: $q) {
          rows { org { id } cadres activeCadres youthInContact fiveOnesDone fiveOnesRate } } }""",
        {"o": gid("Org", p), "y": y, "q": q},
        token=who["province"],
    )
    line = next(
        r for r in bulletin.data["generateBulletin"]["rows"] if r["org"]["id"] == gid("Org", a)
    )
    report = await api.gql(
        """mutation($o: ID!, $y: Int!, $q: Int!) { submitReport(orgId: $o, year: $y, quarter: $q,
          practices: "做法", experience: "经验", problems: "问题", nextSteps: "安排") {
          versions { nodes { figures { cadres activeCadres youthInContact logs fiveOnesDone
          fiveOnesCadres } } } } }""",
        {"o": gid("Org", a), "y": y, "q": q},
        token=who["city"],
    )
    figures = report.data["submitReport"]["versions"]["nodes"][-1]["figures"]

    cadres, done = _by_child(from_p["fiveOnesByChild"], a)
    assert dash["cadres"] == line["cadres"] == figures["cadres"] == cadres == 4
    assert dash["activeCadres"] == line["activeCadres"] == figures["activeCadres"] == 3
    assert dash["youthInContact"] == line["youthInContact"] == figures["youthInContact"] == 5
    assert dash["logs"] == figures["logs"] == 10
    assert line["fiveOnesDone"] == figures["fiveOnesDone"] == done == 1
    assert figures["fiveOnesCadres"] == cadres
    assert line["fiveOnesRate"] == round(done / cadres, 4)

    # The assessment of the half-year holding that quarter, over the province's cities.
    half = "MID_YEAR" if q <= 2 else "YEAR_END"
    opened = await api.gql(
        "mutation($o: ID!, $y: Int!, $h: RoundHalf!) { openAssessment(orgId: $o, year: $y, half: $h) { id } }",
        {"o": gid("Org", p), "y": y, "h": half},
        token=who["province"],
    )
    round_id = opened.data["openAssessment"]["id"]
    start, end = date(y, 1, 1), date(y, 6, 30) if half == "MID_YEAR" else date(y, 12, 31)
    inputs = (await _assessment_inputs(api, who["province"], round_id))[a]
    dash = await _dashboard(api, who["city"], a, start, end)
    from_p = await _dashboard(api, who["province"], p, start, end)
    assert inputs.cadres == dash["cadres"]
    assert inputs.active_cadres == dash["activeCadres"]
    assert inputs.youth_in_contact == dash["youthInContact"]
    assert inputs.activities == sum(c["count"] for c in dash["logsByKind"] if c["key"] != "CONTACT")
    assert inputs.cadres_on_mobile == dash["mobileUse"]["cadresOnMobile"] == 1
    five, learn = inputs.five_ones, inputs.learn_and_do
    assert (five.subjects, five.done) == _by_child(from_p["fiveOnesByChild"], a)
    assert (learn.subjects, learn.done) == _by_child(from_p["learnAndDoByChild"], a) == (4, 1)
    computed = await api.gql(
        "mutation($id: ID!) { computeAssessment(id: $id) { id } }",
        {"id": round_id},
        token=who["province"],
    )
    assert computed.data


async def _assessment_inputs(api, token: str, round_gid: str) -> dict[int, Any]:
    """The inputs the assessment scores from, read by the resolver under the caller's own
    principal (there is no API field for them: the API gives the scores)."""
    from authz import load_principal
    from models import AssessmentRound
    from resolvers import assessment
    from resolvers.base import Ctx
    from resolvers.tokens import read_access
    from tests.helpers import pk_of

    services = api.services
    claims = read_access(services.settings, token)
    async with services.sessionmaker() as s:
        principal = await load_principal(s, claims.user_id, claims.session_id)
        ctx = Ctx(opened=s, principal=principal, policy=services.policy, settings=services.settings)
        r = await s.get(AssessmentRound, pk_of(round_gid))
        assert r is not None
        return await assessment.inputs(ctx, r)


# ------------------------------------------------------- (b) each figure from the raw rows


class Raw:
    """The rows, fetched with plain SQL, and every figure computed from them in Python."""

    def __init__(self, rows: dict[str, list[Any]], tz: ZoneInfo) -> None:
        self.r, self.tz = rows, tz

    @staticmethod
    def under(path: str, root: str) -> bool:
        return path == root or path.startswith(root + ".")

    def window(self, start: date, end: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(start, time(), self.tz),
            datetime.combine(end + timedelta(days=1), time(), self.tz),
        )

    def cadres(self, root: str) -> list[Any]:
        return [c for c in self.r["cadres"] if c.is_active and self.under(c.org_path, root)]

    def logs(self, root: str, start: date, end: date) -> list[Any]:
        lo, hi = self.window(start, end)
        return [
            w
            for w in self.r["work_logs"]
            if w.deleted_at is None and lo <= w.occurred_at < hi and self.under(w.org_path, root)
        ]

    def youth(self, root: str, status: str) -> int:
        return len(
            {
                c.youth_id
                for c in self.r["contacts"]
                if c.status == status and self.under(c.org_path, root)
            }
        )

    def period_of(self, months: int, on: date) -> tuple[datetime, datetime]:
        first = (on.month - 1) // months * months + 1
        start = date(on.year, first, 1)
        n = first - 1 + months
        stop = date(on.year + n // 12, n % 12 + 1, 1)
        return datetime.combine(start, time(), self.tz), datetime.combine(stop, time(), self.tz)

    def complete(self, subject: str, logs: list[Any], on: date) -> bool:
        rule = next(q for q in self.r["quota_rules"] if q.subject == subject)
        lo, hi = self.period_of(rule.period_months, on)
        counted = [
            w
            for w in logs
            if w.kind == "ACTIVITY"
            and w.deleted_at is None
            and w.activity_kind in rule.kinds
            and lo <= w.occurred_at < hi
        ]
        kinds = {w.activity_kind for w in counted}
        return len(counted) >= rule.min_count and (not rule.one_of_each or set(rule.kinds) <= kinds)

    def five_ones(self, root: str, on: date) -> tuple[int, int]:
        cadres = self.cadres(root)
        done = sum(
            self.complete(c.kind, [w for w in self.r["work_logs"] if w.cadre_id == c.id], on)
            for c in cadres
        )
        return len(cadres), done

    def organ_five_ones(self, root: str, on: date) -> tuple[int, int]:
        organs = [
            o
            for o in self.r["orgs"]
            if o.is_leading_organ
            and o.is_active
            and o.level in ("CITY", "COUNTY")
            and self.under(o.path, root)
        ]
        done = sum(
            self.complete("LEADING_ORGAN", [w for w in self.r["work_logs"] if w.org_id == o.id], on)
            for o in organs
        )
        return len(organs), done

    def learn_and_do(self, root: str, year: int) -> tuple[int, int]:
        chose = {d.cadre_id for d in self.r["learn_and_do_choices"] if d.year == year}
        recorded = {e.cadre_id for e in self.r["learn_and_do_records"] if e.year == year}
        cadres = self.cadres(root)
        return len(cadres), sum(c.id in chose and c.id in recorded for c in cadres)


async def _raw(api) -> Raw:
    rows: dict[str, list[Any]] = {}
    async with api.services.engine.connect() as conn:
        for table in (
            "orgs",
            "cadres",
            "work_logs",
            "contacts",
            "youth",
            "auth_sessions",
            "quota_rules",
            "learn_and_do_choices",
            "learn_and_do_records",
        ):
            rows[table] = list((await conn.execute(sa.text(f"SELECT * FROM {table}"))).all())
    return Raw(rows, ZoneInfo(api.services.settings.timezone))


def _assert_dashboard_is_raw(
    d: dict[str, Any], raw: Raw, path: str, start: date, end: date
) -> None:
    """Every figure of dashboard `d` (of the org at `path`) against the raw rows."""
    logs = raw.logs(path, start, end)
    assert d["cadres"] == len(raw.cadres(path))
    assert d["activeCadres"] == len({w.cadre_id for w in logs})
    assert d["logs"] == len(logs)
    assert d["youthInContact"] == raw.youth(path, "ACTIVE")
    assert d["youthInvited"] == raw.youth(path, "INVITED")
    assert {c["key"]: c["count"] for c in d["logsByKind"]} == Counter(
        w.activity_kind or "CONTACT" for w in logs
    )
    assert {c["key"]: c["count"] for c in d["logsByChannel"]} == Counter(
        w.channel for w in logs if w.channel
    )
    lo, hi = raw.window(start, end)
    active_users = {c.user_id for c in raw.cadres(path)}
    sessions = [
        s for s in raw.r["auth_sessions"] if s.user_id in active_users and lo <= s.created_at < hi
    ]
    assert d["mobileUse"] == {
        "cadresSignedIn": len({s.user_id for s in sessions}),
        "cadresOnMobile": len({w.cadre_id for w in logs if w.client == "MOBILE"}),
        "logs": len(logs),
        "logsFromMobile": sum(w.client == "MOBILE" for w in logs),
    }
    industry = {y.id: y.industry or "未填写" for y in raw.r["youth"]}
    mix: dict[int, Counter[str]] = {}
    for c in raw.r["contacts"]:
        if c.status == "ACTIVE" and raw.under(c.org_path, path):
            mix.setdefault(c.cadre_id, Counter())[industry[c.youth_id]] += 1
    assert {r["cadreId"]: {m["key"]: m["count"] for m in r["mix"]} for r in d["industryMix"]} == {
        gid("Cadre", k): dict(v) for k, v in mix.items()
    }
    weeks: dict[date, Counter[str]] = {}
    for w in logs:
        local = w.occurred_at.astimezone(raw.tz).date()
        weeks.setdefault(local - timedelta(days=local.weekday()), Counter())[w.kind] += 1
    assert d["weekly"] == [
        {
            "weekStart": k.isoformat(),
            "logs": v.total(),
            "contacts": v["CONTACT"],
            "activities": v["ACTIVITY"],
        }
        for k, v in sorted(weeks.items())
    ]
    parent = next(o.id for o in raw.r["orgs"] if o.path == path)
    children = sorted(
        (o for o in raw.r["orgs"] if o.is_active and o.parent_id == parent), key=lambda o: o.id
    )
    assert [r["org"]["id"] for r in d["fiveOnesByChild"]] == [gid("Org", o.id) for o in children]
    for o in children:
        assert _by_child(d["fiveOnesByChild"], o.id) == raw.five_ones(o.path, end)
        assert _by_child(d["learnAndDoByChild"], o.id) == raw.learn_and_do(o.path, end.year)


async def test_each_figure_equals_the_raw_rows(world) -> None:
    api, tree = world.api, world.tree
    who = await _busy_world(world)
    raw = await _raw(api)
    today = league_today(api.services)
    start, end = today - timedelta(days=27), today
    a = tree["A"]
    d = await _dashboard(api, who["city"], a.id, start, end)
    _assert_dashboard_is_raw(d, raw, a.path, start, end)
    # The world is busy enough for each figure to tell something.
    assert (d["cadres"], d["activeCadres"], d["logs"]) == (4, 3, 10)
    assert (d["youthInContact"], d["youthInvited"]) == (5, 1)  # one youth on two lists
    assert d["mobileUse"]["cadresOnMobile"] == 1 and d["mobileUse"]["logsFromMobile"] == 2
    assert len(d["industryMix"]) == 2 and len(d["weekly"]) >= 1
    assert _by_child(d["fiveOnesByChild"], tree["A1"].id) == (1, 1)  # one of each kind
    assert _by_child(d["fiveOnesByChild"], tree["A2"].id) == (1, 0)
    assert _by_child(d["learnAndDoByChild"], tree["A1"].id) == (1, 1)

    # The assessment's inputs for each city, the leading organs' 五个一 included.
    year = today.year
    half = "MID_YEAR" if today.month <= 6 else "YEAR_END"
    opened = await api.gql(
        "mutation($o: ID!, $y: Int!, $h: RoundHalf!) { openAssessment(orgId: $o, year: $y, half: $h) { id } }",
        {"o": gid("Org", tree["P"].id), "y": year, "h": half},
        token=who["province"],
    )
    inputs = await _assessment_inputs(api, who["province"], opened.data["openAssessment"]["id"])
    on = date(year, 6, 30) if half == "MID_YEAR" else date(year, 12, 31)
    for city in ("A", "B"):
        org = tree[city]
        x = inputs[org.id]
        h_logs = raw.logs(org.path, date(year, 1, 1), on)
        assert x.cadres == len(raw.cadres(org.path))
        assert x.active_cadres == len({w.cadre_id for w in h_logs})
        assert x.activities == sum(w.kind == "ACTIVITY" for w in h_logs)
        assert x.youth_in_contact == raw.youth(org.path, "ACTIVE")
        assert (x.five_ones.subjects, x.five_ones.done) == raw.five_ones(org.path, on)
        assert (x.organs.subjects, x.organs.done) == raw.organ_five_ones(org.path, on)
        assert (x.learn_and_do.subjects, x.learn_and_do.done) == raw.learn_and_do(org.path, year)
    assert inputs[tree["A"].id].organs.subjects == 3  # the city and its two counties


async def test_figures_stay_exact_through_deletions_link_changes_and_moves(world) -> None:
    """Figures read indexes by city (resolvers/figures.py): after a log is deleted, a link
    ends, and a county with all its work moves to another city (paths and city change),
    every dashboard still equals the raw rows."""
    api, tree = world.api, world.tree
    who = await _busy_world(world)
    async with api.services.engine.connect() as conn:
        link = await conn.scalar(
            sa.text(
                "SELECT ct.id FROM contacts ct JOIN cadres c ON c.id = ct.cadre_id "
                "JOIN users u ON u.id = c.user_id WHERE u.username = 'worker' "
                "AND ct.status = 'ACTIVE' ORDER BY ct.id LIMIT 1"
            )
        )
    ended = await api.gql(
        "mutation($id: ID!) { removeContact(id: $id) { id } }",
        {"id": gid("Contact", link)},
        token=world.token,
    )
    assert ended.data
    # An edit moving a log to another day and channel (the rollup's key changes).
    edited = await world.contact(world.youth_ids[1], channel="PHONE")
    edit = """mutation($id: ID!, $t: DateTime!) { updateWorkLog(input: {
        id: $id, channel: WECHAT, occurredAt: $t }) { id } }"""
    when = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    assert (await api.gql(edit, {"id": edited, "t": when}, token=world.token)).data
    # A youth's industry edited: their links move in the industry mix.
    industry = 'mutation($id: ID!) { updateYouth(input: {id: $id, industry: "金融"}) { id } }'
    assert (await api.gql(industry, {"id": world.youth_ids[1]}, token=who["province"])).data
    move = "mutation($id: ID!, $to: ID!) { moveOrg(id: $id, newParentId: $to) { id } }"
    moved = await api.gql(
        move,
        {"id": gid("Org", tree["A1"].id), "to": gid("Org", tree["B"].id)},
        token=who["province"],
    )
    assert moved.data
    raw = await _raw(api)
    today = league_today(api.services)
    start, end = today - timedelta(days=27), today
    paths = {o.id: o.path for o in raw.r["orgs"]}
    for key in ("P", "A", "B", "A1"):
        org_id = tree[key].id
        d = await _dashboard(api, who["province"], org_id, start, end)
        _assert_dashboard_is_raw(d, raw, paths[org_id], start, end)
    b = await _dashboard(api, who["province"], tree["B"].id, start, end)
    assert b["logs"] == 8 and b["activeCadres"] == 1  # the worker's work went with 甲一县
    assert _by_child(b["fiveOnesByChild"], tree["A1"].id) == (1, 1)
    assert "金融" in {m["key"] for r in b["industryMix"] for m in r["mix"]}
    a = await _dashboard(api, who["province"], tree["A"].id, start, end)
    assert a["logs"] == 3 and a["youthInContact"] == 3
    async with api.services.sessionmaker() as s:
        assert await rollups.differences(s) == []  # the rollup equals its recount


async def test_rollup_check_finds_and_repairs_a_bypassed_write(world) -> None:
    """The log figures read the rollup kept by triggers (models/rollups.py). A write that
    bypassed them (triggers disabled, as a raw bulk load could) is found by the operator's
    check (`youthlink check-rollups`) and mended by its --repair; the figures are then the
    raw rows' again."""
    api, tree = world.api, world.tree
    who = await _busy_world(world)
    async with api.services.sessionmaker() as s:
        assert await rollups.differences(s) == []
        await s.execute(sa.text("SET LOCAL session_replication_role = replica"))
        await s.execute(
            sa.text(
                "UPDATE work_logs SET deleted_at = now() WHERE id = "
                "(SELECT min(id) FROM work_logs WHERE deleted_at IS NULL)"
            )
        )
        await s.commit()
    async with api.services.sessionmaker() as s:
        found = await rollups.differences(s)
        assert "kept only" in {d.side for d in found}  # the deleted log still counted there
        assert await rollups.rebuild(s) > 0
        await s.commit()
    async with api.services.sessionmaker() as s:
        assert await rollups.differences(s) == []
    raw = await _raw(api)
    today = league_today(api.services)
    start, end = today - timedelta(days=27), today
    d = await _dashboard(api, who["city"], tree["A"].id, start, end)
    _assert_dashboard_is_raw(d, raw, tree["A"].path, start, end)
    assert d["logs"] == 9


# ------------------------------------------------------------------ (c) per cadre, and the phone


async def test_phone_use_is_the_front_end_the_server_recorded_not_the_login(world) -> None:
    """A cadre who signed in as MOBILE but wrote from the console did not use the phone; one
    who signed in from the web and wrote from the phone pages did (WorkLog.client)."""
    api, tree = world.api, world.tree
    who = await _busy_world(world)
    flagged, _, y3 = await make_cadre(api, tree, "flagged", "A2", 1, 300)
    claims_phone = await api.token_for(flagged.id, client=ClientKind.MOBILE)
    await world.contact(y3[0], token=claims_phone, headers=FROM_CONSOLE)
    await world.contact(world.youth_ids[0], headers=FROM_PHONE_PAGES)  # a web login
    today = league_today(api.services)
    start = today - timedelta(days=27)
    d = await _dashboard(api, who["city"], tree["A"].id, start, today)
    raw = await _raw(api)
    _assert_dashboard_is_raw(d, raw, tree["A"].path, start, today)
    phone_users = {s.user_id for s in raw.r["auth_sessions"] if s.client == "MOBILE"}
    assert flagged.id in phone_users  # the login claimed the phone …
    mobile = d["mobileUse"]
    assert (mobile["cadresOnMobile"], mobile["logsFromMobile"]) == (2, 3)  # … the logs did not


async def test_per_cadre_figures_equal_the_raw_rows(world) -> None:
    """`Figures.cadre_work`, what the assessment's cadre items and eligibility read, for
    each cadre of a city against the same figures computed here from the raw rows."""
    from resolvers.figures import Figures, Period

    api, tree = world.api, world.tree
    await _busy_world(world)
    raw = await _raw(api)
    today = league_today(api.services)
    period = Period(date(today.year, 1, 1), today)
    async with api.services.sessionmaker() as s:
        figures = Figures(s, api.services.settings.timezone)
        got = {c.cadre_id: c for c in await figures.cadre_work([tree["A"].id], period)}
    lo, hi = raw.window(period.start, period.end)
    organs = {o.id for o in raw.r["orgs"] if o.is_leading_organ}
    chose = {d.cadre_id for d in raw.r["learn_and_do_choices"] if d.year == today.year}
    recorded = {e.cadre_id for e in raw.r["learn_and_do_records"] if e.year == today.year}
    cadres = raw.cadres(tree["A"].path)
    assert set(got) == {c.id for c in cadres} and len(cadres) == 4
    for c in cadres:
        mine = [w for w in raw.logs(tree["A"].path, period.start, period.end) if w.cadre_id == c.id]
        local = [w.occurred_at.astimezone(raw.tz) for w in mine]
        phone = [w.occurred_at.astimezone(raw.tz) for w in mine if w.client == "MOBILE"]
        x = got[c.id]
        assert x.assessed == tree["A"].id
        assert x.key == (c.kind == "FULL_TIME" or c.org_id in organs)
        assert x.months_used == len({(t.year, t.month) for t in local})
        assert x.months_on_mobile == len({(t.year, t.month) for t in phone})
        assert set(x.quarters_worked) == {(t.month - 1) // 3 + 1 for t in local}
        assert x.activities == sum(w.kind == "ACTIVITY" for w in mine)
        assert x.youth_in_contact == len(
            {k.youth_id for k in raw.r["contacts"] if k.cadre_id == c.id and k.status == "ACTIVE"}
        )
        assert x.chose_learn_and_do == (c.id in chose)
        assert x.recorded_learn_and_do == (c.id in recorded)
        assert x.campaign_kinds == () and x.upheld_flags == 0
        assert all(lo <= w.occurred_at < hi for w in mine)
    # The world tells each figure something: work on the phone and not, youth, 一学一做.
    assert sorted(x.months_on_mobile for x in got.values()) == [0, 0, 0, 1]
    assert sorted(x.youth_in_contact for x in got.values()) == [0, 0, 3, 3]
    assert sum(x.recorded_learn_and_do for x in got.values()) == 1


async def test_ratings_per_cadre_equal_the_raw_rows(world) -> None:
    """评价 by cadre (`ratings_by_cadre`) and the distribution of scores
    (`rating_distribution`) against the ratings counted here."""
    from models import Rating
    from resolvers.figures import rating_distribution, ratings_by_cadre

    api, tree = world.api, world.tree
    await _busy_world(world)
    scores = [("worker", 5), ("worker", 2), ("worker", 4), ("second", 3), ("organ", 1)]
    async with api.services.engine.begin() as conn:
        youth = (await conn.scalars(sa.text("SELECT id FROM youth ORDER BY id"))).all()
        for k, (username, score) in enumerate(scores):
            await conn.execute(
                sa.text(
                    "INSERT INTO ratings (youth_id, cadre_id, period, score, org_id, org_path, "
                    "city_id) SELECT :y, c.id, '2026-Q4', :s, c.org_id, c.org_path, c.city_id "
                    "FROM cadres c JOIN users u ON u.id = c.user_id WHERE u.username = :u"
                ),
                {"y": youth[k], "s": score, "u": username},
            )
    raw = await _raw(api)
    async with api.services.engine.connect() as conn:
        ratings = (await conn.execute(sa.text("SELECT * FROM ratings"))).all()
        names = dict((await conn.execute(sa.text("SELECT id, name FROM cadres"))).all())
    under_a = [r for r in ratings if raw.under(r.org_path, tree["A"].path)]
    assert len(under_a) == 5  # the city organ's cadre is in 甲市 too
    async with api.services.sessionmaker() as s:
        where = [Rating.org_path.descendant_of(tree["A"].path)]
        by_cadre = (await s.execute(ratings_by_cadre(where))).all()
        dist = dict((await s.execute(rating_distribution(where))).all())
    expected: dict[int, list[int]] = {}
    for r in under_a:
        expected.setdefault(r.cadre_id, []).append(r.score)
    rows = sorted(((sum(v) / len(v), k) for k, v in expected.items()), key=lambda t: (t[0], t[1]))
    assert [(i, n, c, float(a)) for i, n, c, a in by_cadre] == [
        (k, names[k], len(expected[k]), avg) for avg, k in rows
    ]
    assert dist == Counter(r.score for r in under_a)


async def test_rows_and_rollups_give_the_same_figures(world) -> None:
    """The figures read the rollups only when the league's days are the rollups'
    (Asia/Shanghai); in another zone they read the rows. Asia/Chongqing has the same days
    (UTC+8 since 1991), so both readings must agree exactly: every log figure, and each
    cadre's and organ's 五个一 progress."""
    from resolvers.figures import Figures, Period, cadre_progress_sql, organ_progress_sql

    api, tree = world.api, world.tree
    await _busy_world(world)
    today = league_today(api.services)
    period = Period(today - timedelta(days=27), today)
    ids = [tree[k].id for k in ("P", "A", "A1", "A2", "B")]
    async with api.services.sessionmaker() as s:
        days = await Figures(s, "Asia/Shanghai").logs(ids, period)
        rows = await Figures(s, "Asia/Chongqing").logs(ids, period)
        assert days == rows and days[tree["A"].id].logs == 10
        progress: list[Any] = []
        for zone in ("Asia/Shanghai", "Asia/Chongqing"):
            await s.execute(sa.text(f"SET LOCAL TimeZone = '{zone}'"))
            progress.append(
                [
                    (await s.execute(sa.text(f"{sql} ORDER BY 1"), {"on": today})).all()
                    for sql in (cadre_progress_sql("true"), organ_progress_sql("true"))
                ]
            )
        assert progress[0] == progress[1]
        assert any(p.complete for p in progress[0][0]) and any(p.done for p in progress[0][1])
