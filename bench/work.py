"""Cadres' work at provincial scale: dashboards, rankings and lists, end to end over HTTP
against the same SQL run directly.

Scale 1 (BENCH_SCALE, default 1): ~30k orgs, ~30k cadres, 1M youth (each on one cadre's
list), 5M work logs over 180 days, a points ledger. Generated in SQL, in minutes. Above 1 the
country grows by cities, each the size of scale 1's (scale 4: 52 cities, ~120k orgs, 4M youth,
20M logs), so the first city's figures are the same at every scale: what a city's dashboard
costs at scale 4 ÷ scale 1 is what the rest of the country costs it (docs/scale.md). Below 1
the cities shrink (the soak's world). The hot tables are partitioned by city; the load goes
into each city's partition with the secondary indexes dropped and built once after it
(BENCH_BUILD_ONLY=1 builds and stops; each step is printed with its time, to follow a long
build).

For each query: the median end-to-end time of the GraphQL request (the ASGI app called in
process as uvicorn calls it: the server's whole work, without an HTTP client's), the
median time of the very statements that request ran (the principal's own excepted),
executed directly through asyncpg, and their ratio. The floor row, `{__typename}` with the
same token, is what any request costs before its own work. Run: `make bench-work` (embedded PostgreSQL under var/bench, or
BENCH_DATABASE_URL).

Scale 4 ÷ scale 1 (issue 17 §6): with BENCH_COMPARE=<scale-1 url>,<scale-4 url> (both built
already, e.g. with BENCH_BUILD_ONLY=1) nothing is built; the first city's queries run against
both databases, one app each, taking turns request by request (s1, s4, s4, s1 …, BENCH_RUNS
each), so the machine's load falls on both alike; it prints each query's medians at both
scales and s4 ÷ s1, end to end and for the same SQL run directly (bench/results/scale.md).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from functools import partial

import asyncpg
import httpx
import orjson
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy import event
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette

from app.embedded import to_async_url
from app.main import create_app
from app.migrate import upgrade
from app.partitions import split_cities
from app.settings import Settings
from authz.sync import asyncpg_dsn
from bench.common import database_url, insert_tree, tree_rows
from bench.cpu import call
from models import AuthSession, Org, OrgLevel
from resolvers.tokens import issue_access

console = Console()
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


GENERATE = [
    # One cadre per org (kinds rotate), each with the `cadre` grant at their org; cadre i is
    # org i's (the youth's and logs' arithmetic below counts on ids 1..:cadres).
    """INSERT INTO users (username, display_name, password_hash)
       SELECT 'w' || id, '团干部' || id, NULL FROM orgs ORDER BY id""",
    """INSERT INTO cadres (user_id, name, kind, position, is_leading_organ_cadre, org_id, org_path, city_id)
       SELECT u.id, u.display_name, (ARRAY['FULL_TIME','SECONDED','PART_TIME'])[1 + o.id % 3], '',
              o.is_leading_organ, o.id, o.path, o.city_id
       FROM users u JOIN orgs o ON 'w' || o.id = u.username ORDER BY o.id""",
    """INSERT INTO grants (user_id, role, org_id, org_path, city_id)
       SELECT user_id, 'cadre', org_id, org_path, city_id FROM cadres""",
    # Every row's shape (industry, status, day, kind, channel …) comes from its index within
    # its city, `l = k * :stride + (org id - city id)` for a cadre's k-th row: the same for a
    # city at every scale, so a city at scale 4 is the city at scale 1 (not a denser one, as
    # when the shape came from the row's number in the country). :stride is scale 1's number
    # of cadres, so each city has scale 1's mix.
    # Youth: :youth of them, :youth_per_cadre on each cadre's list; id k * :cadres + cadre.
    """INSERT INTO youth (id, name, mobile, industry, org_id, org_path, city_id)
       SELECT 1 + g, '青年' || (1 + g), (13000000000 + g)::text,
              (ARRAY['制造业','农业','教育','信息技术','金融','医疗卫生','建筑业','交通运输','在校学生','新就业形态'])[1 + (l * 7) % 10],
              c.org_id, c.org_path, c.city_id
       FROM generate_series(0, :youth - 1) g
       JOIN cadres c ON c.id = 1 + g % :cadres
       CROSS JOIN LATERAL (SELECT (g / :cadres) * :stride + CAST(c.org_id - c.city_id AS int) AS l) x""",
    """SELECT setval(pg_get_serial_sequence('youth', 'id'), (SELECT max(id) FROM youth))""",
    """INSERT INTO contacts (cadre_id, youth_id, status, invited_at, accepted_at, org_id, org_path, city_id)
       SELECT c.id, y.id, CASE WHEN (l + 1) % 10 = 0 THEN 'INVITED' ELSE 'ACTIVE' END, now() - interval '200 days',
              CASE WHEN (l + 1) % 10 = 0 THEN NULL ELSE now() - interval '190 days' END, c.org_id, c.org_path, c.city_id
       FROM youth y JOIN cadres c ON c.id = 1 + (y.id - 1) % :cadres
       CROSS JOIN LATERAL (SELECT ((y.id - 1) / :cadres) * :stride + CAST(c.org_id - c.city_id AS int) AS l) x""",
    # Logs: :logs_per_cadre each over 180 days, in the country's order (k-th of every cadre,
    # then the next); 70% contacts with one of the cadre's first 30 youth, 30% activities.
    """INSERT INTO work_logs (cadre_id, kind, youth_id, channel, activity_kind, place, content, occurred_at,
                              participant_count, client, org_id, org_path, city_id, created_at, updated_at)
       SELECT c.id,
              CASE WHEN l % 10 < 7 THEN 'CONTACT' ELSE 'ACTIVITY' END,
              CASE WHEN l % 10 < 7 THEN c.id + ((l / 7) % 30) * :cadres END,
              CASE WHEN l % 10 < 7 THEN (ARRAY['FACE_TO_FACE','PHONE','WECHAT','QQ','WEIBO','OTHER'])[1 + l % 6] END,
              CASE WHEN l % 10 >= 7 THEN (ARRAY['PRACTICAL_DEED','LEAGUE_LESSON','HEART_TALK','VOLUNTEER','CULTURE_SPORTS','ORGAN_OPEN_DAY','FACE_TO_FACE','SHARING','SELF_DESIGNED'])[1 + l % 9] END,
              '', '与小伙伴交流学习就业情况第' || l || '次',
              now() - make_interval(days => l % 180, mins => l % 1440),
              CASE WHEN l % 10 < 7 THEN 1 ELSE 3 END,
              CASE WHEN l % 3 = 0 THEN 'MOBILE' ELSE 'WEB' END,
              c.org_id, c.org_path, c.city_id, now(), now()
       FROM generate_series(0, :logs - 1) g
       JOIN cadres c ON c.id = 1 + g % :cadres
       CROSS JOIN LATERAL (SELECT (g / :cadres) * :stride + CAST(c.org_id - c.city_id AS int) AS l) x""",
    # The ledger: each log earned its points on the day it happened.
    """INSERT INTO point_entries (cadre_id, source, source_id, points, day, org_id, org_path, city_id)
       SELECT cadre_id, CASE kind WHEN 'CONTACT' THEN 'CONTACT_LOG' ELSE 'ACTIVITY_LOG' END, id,
              CASE kind WHEN 'CONTACT' THEN 1 ELSE 5 END, (occurred_at AT TIME ZONE 'Asia/Shanghai')::date,
              org_id, org_path, city_id
       FROM work_logs""",
]


# Tables loaded in bulk: their secondary indexes are dropped for the load and built after it
# (one sorted build instead of millions of inserts into each; the GIN and GiST ones most).
BULK = ("youth", "contacts", "work_logs", "point_entries")
SECONDARY = """
SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = ANY(CAST(:tables AS regclass[])) AND NOT i.indisunique
"""


def grassroots() -> int:
    """Grassroots orgs per county: scale 1's 22 above 1 (the country grows by cities)."""
    return 22 if SCALE >= 1 else max(1, round(22 * SCALE))


def tree() -> list[dict]:
    return tree_rows(grassroots(), cities=round(13 * SCALE) if SCALE >= 1 else 13)


async def build(url: str) -> None:
    engine = create_async_engine(url)
    rows = tree()
    # Per cadre as scale 1 has them (1M youth, 5M logs over its 31,604 cadres): 32 and 158;
    # the stride is the cadres of a province of 13 such cities (31,604 above scale 1).
    cadres, stride = len(rows), len(tree_rows(grassroots()))
    youth = max(30, round(1_000_000 * SCALE / cadres)) * cadres
    logs = round(5_000_000 * SCALE / cadres) * cadres
    params = {"youth": youth, "logs": logs, "cadres": cadres, "stride": stride}
    started = time.perf_counter()

    def done(t: float, what: str) -> None:
        console.print(
            f"  {time.perf_counter() - t:7.1f}s  {what}  (at {time.strftime('%H:%M:%S')})"
        )

    async with engine.begin() as conn:
        await insert_tree(conn, rows)
        made = await split_cities(conn)  # each city its own partitions, empty yet
        indexes = (await conn.execute(sa.text(SECONDARY), {"tables": list(BULK)})).all()
        for name, _ in indexes:
            await conn.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
    console.print(f"  {len(made)} partitions, {len(indexes)} indexes dropped for the load")
    for sql in GENERATE:
        async with engine.begin() as conn:
            t = time.perf_counter()
            await conn.execute(sa.text("SET LOCAL synchronous_commit = off"))
            await conn.execute(sa.text(sql), params)
            words = sql.split()
            done(t, f"{words[0]} {words[2] if len(words) > 2 else ''}")
    for name, definition in indexes:
        async with engine.begin() as conn:
            t = time.perf_counter()
            await conn.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
            # A partitioned table's index reads `ON ONLY`: made so it would cover no partition.
            await conn.execute(sa.text(definition.replace(" ON ONLY ", " ON ")))
            done(t, f"index {name}")
    async with engine.begin() as conn:
        t = time.perf_counter()
        await conn.execute(sa.text("ANALYZE"))
        done(t, "ANALYZE")
    await engine.dispose()
    console.print(
        f"built {len(rows):,} orgs, {youth:,} youth, {logs:,} logs in {time.perf_counter() - started:.0f}s"
    )


class Recorder:
    """The statements (and parameters) one request runs, to replay them directly."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine, self.statements = engine.sync_engine, []

    def __enter__(self) -> Recorder:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        self.statements.append((statement, tuple(parameters or ())))


QUERIES = {
    # The console's dashboard page (web/console/pages/dashboard.js): every figure at once.
    "dashboard: city, console page, every figure": """query($o: ID!) {
        org(id: $o) { id name ancestors { id name } }
        dashboard(orgId: $o) { dateFrom dateTo cadres activeCadres youthInContact youthInvited logs
        logsByKind { key count } logsByChannel { key count }
        mobileUse { cadresSignedIn cadresOnMobile logs logsFromMobile }
        industryMix { cadreId name youth industries mix { key count } }
        fiveOnesByChild { cadres done rate org { id name } }
        learnAndDoByChild { cadres done rate org { id name } }
        weekly { weekStart logs contacts activities } } }""",
    "dashboard: city, 4 weeks, all figures": """query($o: ID!) { dashboard(orgId: $o) { cadres activeCadres
        youthInContact youthInvited logs logsByKind { key count } logsByChannel { key count }
        mobileUse { cadresSignedIn logsFromMobile } fiveOnesByChild { cadres done } learnAndDoByChild { done }
        weekly { logs } } }""",
    "dashboard: city, headline figures": """query($o: ID!) { dashboard(orgId: $o) { cadres activeCadres youthInContact logs } }""",
    "dashboard: city, industry mix per cadre": """query($o: ID!) { dashboard(orgId: $o) { industryMix { name youth industries } } }""",
    "dashboard: city's counties, nested": """query($o: ID!) { org(id: $o) { children(first: 20) { nodes { name
        dashboard { activeCadres logs logsByKind { key count } } } } } }""",
    "ranking: cadres of a city, top 50": """query($o: ID!) { cadreRanking(orgId: $o, first: 50) { totalCount nodes { rank name points } } }""",
    "ranking: counties of a city": """query($o: ID!) { orgRanking(orgId: $o) { nodes { rank points cadres pointsPerCadre } } }""",
    # The city's own cadre (cadre i is org i's: the city's id at every scale), their 五个一
    # as their own page shows it (resolvers/quotas.py, each cadre looked up on their own).
    "cadre's own page: 五个一 progress": f"""query($o: ID!) {{ org(id: $o) {{ id }}
        cadre(id: "{base64.urlsafe_b64encode(b"Cadre:2").decode()}") {{ name
        quotaProgress {{ periodStart done required complete kindsDone kindsMissing }} }} }}""",
    # What every request costs before its own work: the principal, parsing (cached), HTTP.
    "floor: {__typename} with the same token": """{ __typename }""",
    "list: work logs of a city, 50": """query($o: ID!) { workLogs(under: $o, first: 50) { nodes { id kind content occurredAt } } }""",
    "list: work logs, text search, 20": """query($o: ID!) { workLogs(under: $o, first: 20, search: "第12345次") { nodes { id content } } }""",
    "list: youth of a city, 50": """query($o: ID!) { youths(under: $o, first: 50) { nodes { id name mobile industry } } }""",
}


@dataclass
class Target:
    """One database served by its own in-process app, signed in as a province admin, with
    its first city (id 2 at every scale) to query and a direct connection to replay on."""

    app: Starlette
    client: httpx.AsyncClient
    headers: dict[str, str]
    city: int
    raw: asyncpg.Connection
    token: str


@contextlib.asynccontextmanager
async def serving(url: str) -> AsyncIterator[Target]:
    settings = Settings(
        environment="test",
        rate_limit_per_minute=0,
        expensive_per_minute=0,  # measured again and again: the limit is not what is measured
        database_url=None,
        db_statement_timeout_ms=120_000,
    ).ready_to_serve()
    app = create_app(settings, database_url=url)
    services = app.state.services
    async with app.router.lifespan_context(app):
        async with services.sessionmaker() as s:
            city = await s.scalar(
                sa.select(Org.id).where(Org.level == OrgLevel.CITY).order_by(Org.id).limit(1)
            )
            user_id = await s.scalar(sa.text("SELECT id FROM users ORDER BY id LIMIT 1"))
            await s.execute(
                sa.text(
                    "INSERT INTO grants (user_id, role, org_id, org_path, city_id) "
                    "SELECT :u, 'province_admin', id, path, city_id FROM orgs WHERE parent_id IS NULL "
                    "ON CONFLICT DO NOTHING"  # a measured-again database has it already
                ),
                {"u": user_id},
            )
            sid = uuid.uuid4()
            s.add(AuthSession(id=sid, user_id=user_id, client="WEB"))
            await s.commit()
        token, _ = issue_access(settings, user_id, sid)
        raw = await asyncpg.connect(asyncpg_dsn(services.engine))
        await raw.execute(f"SET timezone = '{settings.timezone}'")
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://b", timeout=300
            ) as client:
                yield Target(app, client, {"authorization": f"Bearer {token}"}, city, raw, token)
        finally:
            await raw.close()


async def prepare(t: Target, query: str) -> tuple[dict, list]:
    """The request's body, after a first (warming) run; and the statements it runs."""
    body = {"query": query, "variables": {"o": _gid(t.city)} if "$o" in query else {}}
    first = (await t.client.post("/graphql", json=body, headers=t.headers)).json()
    assert "errors" not in first, first
    with Recorder(t.app.state.services.engine) as rec:
        await t.client.post("/graphql", json=body, headers=t.headers)
    return body, rec.statements


async def http_time(t: Target, body: dict) -> float:
    """One request handed to the ASGI app as uvicorn hands it over (bench/cpu.py `call`):
    the server's whole work and its waits on PostgreSQL, without a client's (httpx's ASGI
    transport cost 0.2-0.4 ms a request here, and tried to import trio each time)."""
    raw = orjson.dumps(body)
    started = time.perf_counter()
    await call(t.app, raw, t.token)
    return time.perf_counter() - started


async def direct_time(t: Target, statements: list) -> float:
    started = time.perf_counter()
    for statement, params in statements:
        await t.raw.fetch(statement, *params)
    return time.perf_counter() - started


def selected() -> dict[str, str]:
    only = os.environ.get("BENCH_ONLY", "")  # e.g. "dashboard": those rows only
    return {name: q for name, q in QUERIES.items() if only in name}


async def measure(url: str) -> None:
    table = Table(title=f"cadres' work at scale {SCALE} (median of {RUNS})")
    for col in ("query", "HTTP end to end", "same SQL direct", "ratio", "statements"):
        table.add_column(col, justify="left" if col == "query" else "right")
    async with serving(url) as t:
        for name, query in selected().items():
            body, statements = await prepare(t, query)
            h = statistics.median([await http_time(t, body) for _ in range(RUNS)])
            if not statements:  # the floor: nothing but the principal's own statement
                table.add_row(name, f"{h * 1e3:,.2f} ms", "—", "—", "0")
                continue
            d = statistics.median([await direct_time(t, statements) for _ in range(RUNS)])
            table.add_row(
                name,
                f"{h * 1e3:,.2f} ms",
                f"{d * 1e3:,.2f} ms",
                f"{h / d:.2f}×",
                str(len(statements)),
            )
    console.print(table)


async def interleaved(
    one: Callable[[], Awaitable[float]], other: Callable[[], Awaitable[float]]
) -> tuple[float, float]:
    """The medians of RUNS timings of each, taken in turn; who goes first alternates, so
    that neither is always the one after the other (ABBA …)."""
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(RUNS):
        for side in (0, 1) if i % 2 == 0 else (1, 0):
            times[side].append(await (one, other)[side]())
    return statistics.median(times[0]), statistics.median(times[1])


async def compare(small: str, large: str) -> None:
    """The first city's queries against two databases (scale 1 and scale 4), one request to
    each in turn (s1, s4, s4, s1 …) so that the machine's load weighs on both alike: the
    median of each and large ÷ small, end to end and for the same SQL run directly."""
    table = Table(title=f"the first city at two scales, interleaved (median of {RUNS} each)")
    for col in ("query", "HTTP s1", "HTTP s4", "s4 ÷ s1", "SQL s1", "SQL s4", "s4 ÷ s1"):
        table.add_column(col, justify="left" if col == "query" else "right")
    async with serving(to_async_url(small)) as a, serving(to_async_url(large)) as b:
        assert a.city == b.city, (a.city, b.city)
        for name, query in selected().items():
            (body_a, sql_a), (body_b, sql_b) = await prepare(a, query), await prepare(b, query)
            ha, hb = await interleaved(partial(http_time, a, body_a), partial(http_time, b, body_b))
            da, db = await interleaved(
                partial(direct_time, a, sql_a), partial(direct_time, b, sql_b)
            )
            table.add_row(
                name,
                f"{ha * 1e3:,.1f} ms",
                f"{hb * 1e3:,.1f} ms",
                f"{hb / ha:.2f}",
                f"{da * 1e3:,.1f} ms",
                f"{db * 1e3:,.1f} ms",
                f"{db / da:.2f}",
            )
            console.print(
                f"  {name}: HTTP {hb / ha:.2f}, SQL {db / da:.2f}  (at {time.strftime('%H:%M:%S')})"
            )
    console.print(table)
    console.print(f"load average at the end: {os.getloadavg()}")


def _gid(pk: int) -> str:
    return base64.urlsafe_b64encode(f"Org:{pk}".encode()).decode()


async def main() -> None:
    if pair := os.environ.get("BENCH_COMPARE"):  # "s1url,s4url": both built already
        small, large = pair.split(",")
        await compare(small, large)
        return
    reuse = os.environ.get("BENCH_REUSE") == "1"  # measure again without rebuilding
    url = database_url(os.environ.get("BENCH_DB", "youthlink_bench_work"), fresh=not reuse)
    if not reuse:
        await asyncio.to_thread(upgrade, url)
        await build(url)
    if os.environ.get("BENCH_BUILD_ONLY") != "1":
        await measure(url)


if __name__ == "__main__":
    asyncio.run(main())
