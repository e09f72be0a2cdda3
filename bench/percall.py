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
from bench.cpu import call  # one ASGI request, shared with bench/cpu.py
from bench.peer import SECRET, World, prepare_database, principals, shapes

N = int(os.environ.get("BENCH_PERCALL_N", "500"))


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
                answer = await call(app, body, token)
            if answer.get("errors"):
                raise RuntimeError(f"{shape.name}: {answer['errors']}")
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
