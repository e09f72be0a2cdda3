"""This server beside its peer, PostGraphile 5 with row-level security, on one database.

Both serve the same principal the same rows: the peer as the role `peer_visitor` under the
policies of bench/peer.sql (the subtree rule of authz/, planner-friendly), this server
through authz/. Each server is one process pinned to core 0; wrk loads it from core 1 with
8 connections; runs alternate between the two, shape by shape, BENCH_PEER_ROUNDS times
(default 3) of BENCH_PEER_SECONDS (default 10). Prints req/s, p50 and p99 per shape (the
median over rounds) and the ratio; then one run of each shape against `serve --workers N`
(N = the cores, not pinned: wrk shares core 1 with it). Writes the table to
bench/results/peer.md.

The database is the one bench/work.py builds, at BENCH_SCALE (default 0.1 here), under
var/bench (or BENCH_DATABASE_URL's server), built on first use and kept (BENCH_REBUILD=1
builds it anew). BENCH_PEER_ONLY=<part of a shape's name> runs those shapes only and prints
their table without writing it. Node 22 and PostGraphile 5 are installed from the npm registry under
var/peer on first use. A benchmark, not a test: numbers depend on the machine and its load.
Run: `make bench-peer`.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from app.settings import ROOT, Settings
from bench.common import database_url

console = Console()
PEER = ROOT / "var" / "peer"
NODE = PEER / "node_modules" / ".bin" / "node"
PACKAGES = {"node": "22", "postgraphile": "^5.1.5", "pg": "^8.13.0"}
SECRET = "bench-peer-secret-0123456789abcdef0123456789"
ROUNDS = int(os.environ.get("BENCH_PEER_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_PEER_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_PEER_CONNECTIONS", "8"))
ONLY = os.environ.get("BENCH_PEER_ONLY", "")  # a part of a shape's name: those shapes only
WRITERS = CONNECTIONS  # cadres writing in turn, as many as connections
RESULTS = ROOT / "bench" / "results" / "peer.md"


def install_peer() -> None:
    """Node 22 and PostGraphile 5 under var/peer, from the npm registry (first use only)."""
    PEER.mkdir(parents=True, exist_ok=True)
    wanted = {"private": True, "dependencies": PACKAGES}
    manifest = PEER / "package.json"
    if not NODE.exists() or json.loads(manifest.read_text() or "{}") != wanted:
        manifest.write_text(json.dumps(wanted, indent=2))
        console.print("installing Node 22 and PostGraphile 5 under var/peer …")
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
                str(PEER),
            ],
            check=True,
        )
    shutil.copy(ROOT / "bench" / "peer_server.cjs", PEER / "server.cjs")


async def prepare_database() -> tuple[str, float]:
    """The bench database (built by bench/work.py when missing) with the peer's policies."""
    scale = float(os.environ.get("BENCH_SCALE", "0.1"))
    url = database_url("youthlink_bench_peer", fresh=False)
    dsn = _libpq(url)
    try:
        conn = await asyncpg.connect(dsn)
    except asyncpg.InvalidCatalogNameError:
        built = False
    else:
        try:
            built = await conn.fetchval("SELECT to_regclass('public.youth') IS NOT NULL")
            if built:
                built = await conn.fetchval("SELECT EXISTS (SELECT FROM youth)")
        finally:
            await conn.close()
    from app.migrate import upgrade

    if not built or os.environ.get("BENCH_REBUILD") == "1":
        from bench import work

        url = database_url("youthlink_bench_peer", fresh=True)
        await asyncio.to_thread(upgrade, url)
        work.SCALE = scale
        await work.build(url)
    else:
        await asyncio.to_thread(upgrade, url)  # a database built before newer migrations
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute((ROOT / "bench" / "peer.sql").read_text())
        youth = await conn.fetchval("SELECT count(*) FROM youth")
    finally:
        await conn.close()
    return url, youth / 1_000_000


@dataclass
class World:
    city: int
    county: int
    youth_id: int  # an ACTIVE contact of the writer
    reader_token: str  # a city_admin at the city
    writer_token: str  # a cadre in the city
    # WRITERS cadres of the city, each with a youth of their own list: (youth id, token)
    writers: list[tuple[int, str]] = field(default_factory=list)


async def principals(url: str, settings: Settings) -> World:
    """A city admin (reads) and one of the city's cadres (the write), with live sessions."""
    from resolvers.tokens import issue_access

    conn = await asyncpg.connect(_libpq(url))
    try:
        city, city_path = await conn.fetchrow(
            "SELECT id, path::text FROM orgs WHERE level = 'CITY' ORDER BY id LIMIT 1"
        )
        county = await conn.fetchval(
            "SELECT id FROM orgs WHERE parent_id = $1 ORDER BY id LIMIT 1", city
        )
        reader = await conn.fetchval(
            """INSERT INTO users (username, display_name) VALUES ('bench_city_admin', '市级管理员')
               ON CONFLICT (username) DO UPDATE SET display_name = EXCLUDED.display_name
               RETURNING id"""
        )
        await conn.execute(
            """INSERT INTO grants (user_id, role, org_id, org_path, city_id)
               SELECT $1, 'city_admin', id, path, city_id FROM orgs WHERE id = $2
               AND NOT EXISTS (SELECT FROM grants WHERE user_id = $1 AND revoked_at IS NULL)""",
            reader,
            city,
        )
        writer, youth_id = await conn.fetchrow(
            """SELECT c.user_id, ct.youth_id FROM contacts ct JOIN cadres c ON c.id = ct.cadre_id
               WHERE ct.status = 'ACTIVE' AND c.org_path <@ $1::ltree AND c.org_id <> $2
               ORDER BY ct.id LIMIT 1""",
            city_path,
            city,
        )
        # Other cadres of the city, one youth each: the write as a city's cadres make it,
        # each on their own (one cadre's writes queue on their day's rollup row and points).
        pairs = await conn.fetch(
            """SELECT DISTINCT ON (c.id) c.user_id, ct.youth_id
                 FROM contacts ct JOIN cadres c ON c.id = ct.cadre_id
                WHERE ct.status = 'ACTIVE' AND c.org_path <@ $1::ltree AND c.user_id <> $2
                ORDER BY c.id, ct.id LIMIT $3""",
            city_path,
            writer,
            WRITERS,
        )

        async def token_for(user: int) -> str:
            sid = uuid.uuid4()
            await conn.execute(
                "INSERT INTO auth_sessions (id, user_id, client) VALUES ($1, $2, 'WEB')", sid, user
            )
            return issue_access(settings, user, sid)[0]

        tokens = [await token_for(user) for user in (reader, writer)]
        writers = [(youth, await token_for(user)) for user, youth in pairs]
    finally:
        await conn.close()
    return World(city, county, youth_id, *tokens, writers=writers)


def _gid(kind: str, pk: int) -> str:
    import base64

    return base64.urlsafe_b64encode(f"{kind}:{pk}".encode()).decode()


@dataclass
class Shape:
    name: str
    ours: dict
    peer: dict
    write: bool = False
    # Requests sent in turn instead of `ours`/`peer` with one token: (token, ours, peer).
    turns: list[tuple[str, dict, dict]] = field(default_factory=list)

    def requests(self, side: str, world: World) -> list[tuple[str, dict]]:
        """What wrk sends to `side` ("ours" or "peer"), as (token, body) in turn."""
        if self.turns:
            return [(t, ours if side == "ours" else peer) for t, ours, peer in self.turns]
        token = world.writer_token if self.write else world.reader_token
        return [(token, self.ours if side == "ours" else self.peer)]


def shapes(w: World) -> list[Shape]:
    city, county = _gid("Org", w.city), _gid("Org", w.county)
    when = "2026-05-04T10:00:00+08:00"
    typename = {"query": "{ __typename }"}
    return [
        Shape("{__typename} with a token (the fixed cost)", typename, typename),
        Shape(
            "50 youth of a city, each with its org's name",
            {
                "query": "query($o: ID!) { youths(under: $o, first: 50) { nodes { id name industry org { name } } } }",
                "variables": {"o": city},
            },
            {
                "query": "query($o: BigInt!) { peerYouthUnder(under: $o, first: 50) { nodes { id name industry orgByOrgId { name } } } }",
                "variables": {"o": str(w.city)},
            },
        ),
        Shape(
            "50 work logs of a city, each with its cadre's name",
            {
                "query": "query($o: ID!) { workLogs(under: $o, first: 50) { nodes { id kind content occurredAt cadre { name } } } }",
                "variables": {"o": city},
            },
            {
                "query": "query($o: BigInt!) { peerWorkLogsUnder(under: $o, first: 50) { nodes { id kind content occurredAt cadreByCadreId { name } } } }",
                "variables": {"o": str(w.city)},
            },
        ),
        Shape(
            "one org with its parent and 10 children",
            {
                "query": "query($o: ID!) { org(id: $o) { name parent { name } children(first: 10) { nodes { name } } } }",
                "variables": {"o": county},
            },
            {
                "query": "query($o: BigInt!) { orgByRowId(rowId: $o) { name orgByParentId { name } orgsByParentId(first: 10, orderBy: PRIMARY_KEY_ASC) { nodes { name } } } }",
                "variables": {"o": str(w.county)},
            },
        ),
        Shape(
            "a city's counties, each with its headline dashboard",
            {
                "query": "query($o: ID!) { org(id: $o) { children(first: 20) { nodes { name dashboard { cadres activeCadres youthInContact logs } } } } }",
                "variables": {"o": city},
            },
            {
                "query": "query($o: BigInt!) { orgByRowId(rowId: $o) { orgsByParentId(first: 20, orderBy: PRIMARY_KEY_ASC) { nodes { name headline { cadres activeCadres youthInContact logs } } } } }",
                "variables": {"o": str(w.city)},
            },
        ),
        Shape(
            "write: log a contact, one cadre 8 at once",
            *_log_contact(w.youth_id, when),
            write=True,
        ),
        Shape(
            f"write: log a contact, {len(w.writers)} cadres in turn",
            *_log_contact(w.writers[0][0], when),
            write=True,
            turns=[(token, *_log_contact(youth, when)) for youth, token in w.writers],
        ),
    ]


def _log_contact(youth_id: int, when: str) -> tuple[dict, dict]:
    ours = {
        "query": 'mutation($y: ID!, $t: DateTime!) { logContact(input: {youthId: $y, channel: PHONE, content: "电话了解近况", occurredAt: $t}) { id } }',
        "variables": {"y": _gid("Youth", youth_id), "t": when},
    }
    peer = {
        "query": 'mutation($y: BigInt!, $t: Datetime!) { peerLogContact(input: {youthId: $y, channel: "PHONE", content: "电话了解近况", occurredAt: $t}) { result { id } } }',
        "variables": {"y": str(youth_id), "t": when},
    }
    return ours, peer


def _libpq(url: str) -> str:
    return (
        sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(cmd: list[str], env: dict[str, str], ready: str, log: Path, cores: str = "0"):
    """A server process pinned to `cores`, up once `ready` answers (bounded wait)."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["taskset", "-c", cores, *cmd], env={**os.environ, **env}, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited: see {log}")
            try:
                httpx.post(ready, json={"query": "{__typename}"}, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{cmd[0]} did not answer in 120 s: see {log}") from None
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def answer(url: str, body: dict, token: str) -> dict:
    r = httpx.post(url, json=body, headers={"authorization": f"Bearer {token}"}, timeout=60)
    data = r.json()
    if r.status_code != 200 or data.get("errors"):
        raise RuntimeError(f"{url}: {r.status_code} {json.dumps(data, ensure_ascii=False)[:500]}")
    return data["data"]


def names(data: object) -> list[str]:
    """Every name and figure in an answer, in order: both servers must say the same."""
    out: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("name", "cadres", "activeCadres", "youthInContact", "logs", "industry"):
                out.append(f"{key}={value}")
            else:
                out += names(value)
    elif isinstance(data, list):
        for item in data:
            out += names(item)
    return out


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    failed: int


def wrk(url: str, turns: list[tuple[str, dict]], script: Path) -> Run:
    """wrk's run of the requests (token, body), sent in turn (one of them: always it)."""
    requests = ",\n".join(
        f'  {{auth = "Bearer {token}", body = [==[{json.dumps(body, ensure_ascii=False)}]==]}}'
        for token, body in turns
    )
    script.write_text(
        f"local requests = {{\n{requests}\n}}\nlocal i = 0\n"
        "request = function()\n"
        "  i = i % #requests + 1\n"
        "  local r = requests[i]\n"
        '  return wrk.format("POST", nil, {["Content-Type"] = "application/json",'
        ' ["Authorization"] = r.auth}, r.body)\n'
        "end\n"
    )
    cmd = [
        "taskset",
        "-c",
        "1",
        "wrk",
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{SECONDS}s",
        "--timeout",
        "30s",
    ]
    cmd.append("--latency")
    out = subprocess.run(
        [*cmd, "-s", str(script), url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    failed += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Run(rps, _latency(out, "50"), _latency(out, "99"), failed)


def _latency(out: str, pct: str) -> float:
    value, unit = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)", out, re.M).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def main() -> None:
    if not shutil.which("wrk") or not shutil.which("taskset"):
        sys.exit("needs wrk and taskset: apt-get install -y wrk util-linux")
    install_peer()
    load_at_start = os.getloadavg()
    url, scale = asyncio.run(prepare_database())
    settings = Settings(environment="development", jwt_secret=SECRET, access_token_minutes=600)
    world = asyncio.run(principals(url, settings))
    db = sa.engine.make_url(url)
    peer_db = db.set(drivername="postgresql", username="peer_visitor", password="peer")
    ours_port, peer_port = _free_port(), _free_port()
    ours_url = f"http://127.0.0.1:{ours_port}/graphql"
    peer_url = f"http://127.0.0.1:{peer_port}/graphql"
    ours_env = {
        "DATABASE_URL": db.render_as_string(hide_password=False),
        "JWT_SECRET": SECRET,
        "RATE_LIMIT_PER_MINUTE": "0",
        "EXPENSIVE_PER_MINUTE": "0",
    }
    peer_env = {
        "PEER_DATABASE_URL": peer_db.render_as_string(hide_password=False),
        "PEER_JWT_SECRET": SECRET,
        "PEER_PORT": str(peer_port),
        "GRAPHILE_ENV": "production",
    }
    youthlink = str(Path(sys.executable).with_name("youthlink"))
    ours_cmd = [youthlink, "serve", "--host", "127.0.0.1", "--port", str(ours_port)]
    workers = os.cpu_count() or 1
    peer_cmd = [str(NODE), str(PEER / "server.cjs")]
    logs = ROOT / "var" / "peer"
    results: dict[tuple[str, str], list[Run]] = {}
    todo = [shape for shape in shapes(world) if ONLY in shape.name]
    with (
        server([*ours_cmd, "--workers", "1"], ours_env, ours_url, logs / "ours.log"),
        server(peer_cmd, peer_env, peer_url, logs / "peer.log"),
    ):
        for shape in todo:  # the same answers first, then the load
            (token, mine), (_, theirs) = (
                shape.requests("ours", world)[0],
                shape.requests("peer", world)[0],
            )
            a, b = answer(ours_url, mine, token), answer(peer_url, theirs, token)
            if "errors" in a or "errors" in b:
                raise RuntimeError(f"{shape.name}: an error\n{a}\n{b}")
            if not shape.write and names(a) != names(b):
                raise RuntimeError(f"{shape.name}: the servers disagree\n{a}\n{b}")
        for round_ in range(ROUNDS):
            for shape in todo:
                for side, target in (("ours", ours_url), ("peer", peer_url)):
                    run = wrk(target, shape.requests(side, world), logs / f"{side}.lua")
                    results.setdefault((shape.name, side), []).append(run)
                    console.print(
                        f"round {round_ + 1} {side:4} {run.rps:8.0f} req/s  p50 {run.p50_ms:7.1f} ms"
                        f"  p99 {run.p99_ms:7.1f} ms  failed {run.failed}  {shape.name[:24]}",
                        soft_wrap=True,
                    )
    # Then this server as deployed: `serve --workers N` over every core (wrk shares core 1).
    every = f"0-{workers - 1}"
    with server(
        [*ours_cmd, "--workers", str(workers)], ours_env, ours_url, logs / "ours.log", every
    ):
        for shape in todo:
            run = wrk(ours_url, shape.requests("ours", world), logs / "ours.lua")
            results[(shape.name, "workers")] = [run]
            console.print(f"{workers} workers {run.rps:8.0f} req/s  {shape.name[:24]}")
    report(todo, results, scale, workers, (load_at_start, os.getloadavg()))


def _load(load: tuple[float, float, float]) -> str:
    return "/".join(f"{x:.1f}" for x in load)


def report(
    todo: list[Shape],
    results: dict[tuple[str, str], list[Run]],
    scale: float,
    workers: int,
    load: tuple[tuple[float, float, float], tuple[float, float, float]],
) -> None:
    def med(runs: list[Run], attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs)

    title = (
        f"make bench-peer, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {scale:g}M youth "
        f"(BENCH_SCALE {scale:g}), median of {ROUNDS} interleaved {SECONDS}-s runs, "
        f"wrk -c{CONNECTIONS} on core 1, each server one process on core 0; last column: "
        f"this server as `serve --workers {workers}` on every core, one run; load average "
        f"(1/5/15 min) {_load(load[0])} at the start, {_load(load[1])} at the end on "
        f"{os.cpu_count()} cores (a shared machine: others' work ran alongside)"
    )
    table = Table(title=title)
    header = ["shape", "ours req/s", "ours p50", "ours p99", "peer req/s", "peer p50", "peer p99"]
    header.append(f"ours, {workers} workers, req/s (p99)")
    for col in [*header, "ratio"]:
        table.add_column(col, justify="left" if col == "shape" else "right")
    lines = [f"# {title}", "", "| " + " | ".join([*header, "ratio"]) + " |"]
    lines.append("| --- " * (len(header) + 1) + "|")
    for shape in todo:
        ours, peer = results[(shape.name, "ours")], results[(shape.name, "peer")]
        many = results[(shape.name, "workers")]
        failed = sum(r.failed for r in ours + peer)
        row = [
            shape.name + (f" ({failed} failed)" if failed else ""),
            f"{med(ours, 'rps'):,.0f}",
            f"{med(ours, 'p50_ms'):.1f} ms",
            f"{med(ours, 'p99_ms'):.1f} ms",
            f"{med(peer, 'rps'):,.0f}",
            f"{med(peer, 'p50_ms'):.1f} ms",
            f"{med(peer, 'p99_ms'):.1f} ms",
            f"{med(many, 'rps'):,.0f} ({med(many, 'p99_ms'):.1f} ms)",
            f"{med(ours, 'rps') / med(peer, 'rps'):.2f}" if med(peer, "rps") else "n/a",
        ]
        table.add_row(*row)
        lines.append("| " + " | ".join(row) + " |")
    console.print(table)
    if ONLY:
        return  # a few shapes: bench/results/peer.md keeps the whole table
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    console.print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
