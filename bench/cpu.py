"""CPU of this process per request, for the shapes of `make bench-peer`.

The peer bench counts requests per second on a shared machine, where others' work takes
its share of the core. This counts what one request costs this server's own process:
`time.process_time()` over N requests sent straight into the ASGI app (no sockets, no
client: only the app's own work), after a warm-up. PostgreSQL runs in its own processes
and is not counted, so the figure is the Python side of a request, and does not move with
the machine's load. Runs each shape with the planned path (schema/planned.py) on and off, or
another setting's (BENCH_CPU_SWITCH=lean_http: app/main.py GraphQLView.lean);
BENCH_CPU_ONLY=<part of a shape's name> runs only those shapes.

Database and principals: those of bench/peer.py (BENCH_SCALE, default 0.1, under
var/bench, built on first use). BENCH_CPU_ROUNDS (default 3) rounds, alternating on and
off, of BENCH_CPU_REQUESTS (default 200) requests per shape; the least of the rounds is
shown (others' work on a shared core can only add to a round, through caches and
frequency, never take away).
Run: `.venv/bin/python -m bench.cpu`. BENCH_CPU_PROFILE=<part of a shape's name> profiles
that shape instead (cProfile over the requests, planned path on; the top functions by own time
and by cumulative time), to find where its CPU goes; BENCH_CPU_PROFILE_FILE=<path> also keeps
the profile for pstats (who calls what).
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import time
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from app.main import create_app
from app.settings import Settings
from bench import peer

REQUESTS = int(os.environ.get("BENCH_CPU_REQUESTS", "200"))
ROUNDS = int(os.environ.get("BENCH_CPU_ROUNDS", "3"))
PROFILE = os.environ.get("BENCH_CPU_PROFILE")
# The setting turned on and off, round by round (planned, lean_http …).
SWITCH = os.environ.get("BENCH_CPU_SWITCH", "planned")
ONLY = os.environ.get("BENCH_CPU_ONLY")  # the shapes whose name contains it
console = Console()


async def call(app: Any, body: bytes, token: str) -> dict[str, Any]:
    """One POST /graphql through the ASGI app, as uvicorn would hand it over."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 9),
        "server": ("127.0.0.1", 80),
    }
    sent = False
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # the body was read: the client stays connected
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return orjson.loads(b"".join(chunks))


async def measure(app: Any, body: dict, token: str) -> tuple[float, dict]:
    """Milliseconds of this process's CPU per request, and the last answer."""
    raw = orjson.dumps(body)
    answer: dict = {}
    for _ in range(20):  # warm-up: documents parsed, plans made, pools filled
        answer = await call(app, raw, token)
    start = time.process_time()
    for _ in range(REQUESTS):
        answer = await call(app, raw, token)
    return (time.process_time() - start) * 1000 / REQUESTS, answer


async def profile(app: Any, body: dict, token: str) -> None:
    """cProfile over REQUESTS requests of one shape, after the warm-up of `measure`."""
    raw = orjson.dumps(body)
    for _ in range(20):
        await call(app, raw, token)
    profiler = cProfile.Profile(time.process_time)  # CPU, not the waits on PostgreSQL
    profiler.enable()
    for _ in range(REQUESTS):
        await call(app, raw, token)
    profiler.disable()
    console.print(await call(app, raw, token))  # what was profiled answers so
    for order in ("tottime", "cumulative"):
        pstats.Stats(profiler).sort_stats(order).print_stats(40)
    if out := os.environ.get("BENCH_CPU_PROFILE_FILE"):
        profiler.dump_stats(out)  # for pstats' callers and callees


async def main() -> None:
    url, _ = await peer.prepare_database()
    settings = Settings(
        environment="development",
        jwt_secret=peer.SECRET,
        access_token_minutes=600,
        rate_limit_per_minute=0,
        expensive_per_minute=0,
    )
    world = await peer.principals(url, settings)
    app = create_app(settings, database_url=url)
    table = Table(
        title=f"CPU of this process per request, ms (least of {ROUNDS} means of {REQUESTS})"
    )
    for column in ("shape", f"{SWITCH} on", f"{SWITCH} off", "off / on"):
        table.add_column(column)
    async with app.router.lifespan_context(app):
        for shape in peer.shapes(world):
            if PROFILE is not None:
                if PROFILE in shape.name:
                    token, body = shape.requests("ours", world)[0]
                    await profile(app, body, token)
                continue
            if ONLY is not None and ONLY not in shape.name:
                continue
            figures = [float("inf"), float("inf")]
            answers: list[dict] = [{}, {}]
            for _ in range(ROUNDS):
                for i, on in enumerate((True, False)):
                    setattr(settings, SWITCH, on)
                    token, body = shape.requests("ours", world)[0]
                    ms, answers[i] = await measure(app, body, token)
                    if answers[i].get("errors"):
                        raise RuntimeError(f"{shape.name}: {answers[i]['errors']}")
                    figures[i] = min(figures[i], ms)
            if answers[0] != answers[1] and not shape.write:  # a write answers a new id
                raise RuntimeError(f"{shape.name}: {SWITCH} on and off answered differently")
            on, off = figures
            table.add_row(shape.name, f"{on:.2f}", f"{off:.2f}", f"{off / on:.2f}")
    console.print(table)
    console.print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    asyncio.run(main())
