"""CPU time per request of this server, in process: the peer bench's shapes (bench/peer.py)
sent N times through the real ASGI app (middleware, view, schema, database), timed with
time.process_time, so that the figure holds on a loaded machine where req/s does not.

The database is bench/peer.py's (built on first use). Prints milliseconds of this process's
CPU per request for each shape; PROFILE=<shape number> prints a cProfile of that shape
instead. Run: `.venv/bin/python -m bench.percall` (BENCH_PERCALL_N requests, default 500).
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import time

import orjson

from app.main import create_app
from app.settings import Settings
from bench.peer import SECRET, World, prepare_database, principals, shapes

N = int(os.environ.get("BENCH_PERCALL_N", "500"))


async def call(app: object, body: bytes, token: str) -> tuple[int, bytes]:
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
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    status, chunks = 0, []

    async def receive() -> dict:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)  # type: ignore[operator]
    return status, b"".join(chunks)


async def measure(url: str, world: World) -> None:
    settings = Settings(
        environment="development",
        jwt_secret=SECRET,
        access_token_minutes=600,
        rate_limit_per_minute=0,
        expensive_per_minute=0,
        database_url=None,
    )
    app = create_app(settings, database_url=url)
    only = os.environ.get("PROFILE")
    async with app.router.lifespan_context(app):
        for number, shape in enumerate(shapes(world), 1):
            if only and str(number) != only:
                continue
            token = world.writer_token if shape.write else world.reader_token
            body = orjson.dumps(shape.ours)
            for _ in range(20):  # warm: documents parsed, statements prepared, pool filled
                status, out = await call(app, body, token)
            if status != 200 or b'"errors"' in out:
                raise RuntimeError(f"{shape.name}: {status} {out[:400]!r}")
            profile = cProfile.Profile(time.process_time) if only else None
            wall, cpu = time.perf_counter(), time.process_time()
            if profile:
                profile.enable()
            for _ in range(N):
                await call(app, body, token)
            if profile:
                profile.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(
                f"{number}. {shape.name[:50]:50} {cpu / N * 1000:7.3f} ms CPU/request"
                f"  ({wall / N * 1000:.3f} ms wall)",
                flush=True,
            )
            if profile:
                stats = pstats.Stats(profile).strip_dirs()
                stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(60)


def main() -> None:
    url, _ = asyncio.run(prepare_database())
    settings = Settings(environment="development", jwt_secret=SECRET, access_token_minutes=600)
    world = asyncio.run(principals(url, settings))
    import uvloop

    uvloop.run(measure(url, world))


if __name__ == "__main__":
    main()
