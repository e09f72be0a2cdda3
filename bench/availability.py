"""/healthz while the largest upload and the largest query allowed run on one server (issue
10 §8): how long the health check takes then, against idle. A real uvicorn process on a
loopback port over the bench database. Before, the upload's parse held the event loop (8 s
for an upload of empty rows, 26–31 s for the alias bomb): one probe waited that long.

These are figures, not a test: on a shared machine they swing with its load, so the suite
proves only the order of events (tests/hardening/test_availability.py holds a parse open
and /healthz must answer first). Run: `python -m bench.availability`."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import sqlalchemy as sa
from graphql import parse, validate

from app.main import create_app
from app.migrate import upgrade
from app.settings import ROOT, Settings
from bench.common import database_url
from models import AuthSession, Org, OrgLevel
from resolvers.tokens import issue_access
from schema import build_schema, limits
from tests.hardening.test_uploads import xlsx_with_sheet
from tests.helpers import Tree, add_user

CITIES, COUNTIES = 100, 99  # 10,000 orgs: each city's subtree fills a page of 100
# Cost 1 + 100 × (1 + 11 + 100) = 11,201 plus 1 + 100 × (1 + 1 + 78) = 8,001: 19,202, just
# under the limit of 20,000 (tests/hardening/test_query_cost.py holds the model).
MAXIMAL_QUERY = """{
  orgs(first: 100) { nodes { name subtree(first: 100) { nodes { id name code } } } }
  again: orgs(first: 100) { nodes { code children(first: 78) { nodes { id name } } } }
}"""
MAXIMAL_COST = 19_202


async def big_tree(services) -> Org:  # type: ignore[no-untyped-def]
    """A province, 100 cities under it and 99 counties under each (two statements)."""
    p = await Tree(services).add("P", None, OrgLevel.PROVINCE, name="省")
    async with services.engine.begin() as conn:
        await conn.execute(
            sa.text("""
            WITH c AS (SELECT nextval('orgs_id_seq') AS id, g FROM generate_series(1, :n) g)
            INSERT INTO orgs (id, parent_id, path, code, name, level, kind, is_leading_organ,
                              is_active, city_id)
            SELECT id, :p, text2ltree(:path || '.' || id), 'CITY' || g, '市' || g, 'CITY',
                   'REGIONAL', true, true, id FROM c"""),
            {"n": CITIES, "p": p.id, "path": p.path},
        )
        await conn.execute(
            sa.text("""
            WITH k AS (SELECT nextval('orgs_id_seq') AS id, c.id AS parent, c.path, c.code, g
                       FROM orgs c, generate_series(1, :n) g WHERE c.code LIKE 'CITY%')
            INSERT INTO orgs (id, parent_id, path, code, name, level, kind, is_leading_organ,
                              is_active, city_id)
            SELECT id, parent, path || text2ltree(id::text), code || '-' || g, '县' || g,
                   'COUNTY', 'REGIONAL', true, true, parent FROM k"""),
            {"n": COUNTIES},
        )
    return p


def maximal_upload(rows: int) -> str:
    """`rows` real rows (the row cap), each with 20 columns of 1,000 characters (the cell
    cap): about 40 MB of XML to parse, under the 50 MB unpacked cap, a few hundred kB."""
    pad = "w" * 1_000
    cells = "".join(f'<c t="inlineStr"><is><t>{pad}</t></is></c>' for _ in range(20))
    body = "".join(
        f'<row r="{i}"><c t="inlineStr"><is><t>青年{i}</t></is></c>'
        f'<c t="inlineStr"><is><t>136{i:08d}</t></is></c>{cells}</row>'
        for i in range(2, rows + 2)
    )
    return base64.b64encode(xlsx_with_sheet(body)).decode()


@asynccontextmanager
async def uvicorn_server(database_url: str, secret: str) -> AsyncIterator[str]:
    """`uvicorn --factory app.main:create_app` in its own process, on a socket bound here
    (so the port is known before it starts)."""
    sock = socket.socket()
    # uvicorn takes a passed socket for a Unix one and leaves Nagle on (40 ms stalls on
    # every small answer); accepted connections inherit this from the listening socket.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "test",
        "JWT_SECRET": secret,
        "RATE_LIMIT_PER_MINUTE": "0",
        "EXPENSIVE_PER_MINUTE": "0",
    }
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app"),
        *("--fd", str(sock.fileno()), "--log-level", "warning"),
        cwd=ROOT,
        env=env,
        pass_fds=[sock.fileno()],
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            while True:  # started when it answers (the socket queues connections meanwhile)
                assert proc.returncode is None, "uvicorn exited"
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        await proc.wait()
        sock.close()


def cost_of(query: str, services) -> int:  # type: ignore[no-untyped-def]
    """The query's cost in the model the server uses (refused by a limit of 0, it tells)."""
    s = services.settings
    rule = limits.cost_rule(0, limits.CostModel(s.page_size_default, s.page_size_max))
    (error,) = validate(build_schema()._schema, parse(query), [rule])
    return int(error.extensions["cost"])


async def probe(client: httpx.AsyncClient) -> float:
    start = time.perf_counter()
    r = await client.get("/healthz")
    assert r.json() == {"status": "ok"}
    return time.perf_counter() - start


async def token_for(services, user_id: int) -> str:  # type: ignore[no-untyped-def]
    sid = uuid.uuid4()
    async with services.sessionmaker() as s:
        s.add(AuthSession(id=sid, user_id=user_id, client="WEB"))
        await s.commit()
    return issue_access(services.settings, user_id, sid)[0]


async def measure(url: str, services) -> None:  # type: ignore[no-untyped-def]
    province = await big_tree(services)
    admin = await add_user(services, "prov", org=province, roles=("province_admin",))
    async with services.sessionmaker() as session:
        county = await session.scalar(sa.select(Org).where(Org.code == "CITY1-1"))
    cadre = await add_user(services, "c1", org=county, roles=("cadre",))
    settings = services.settings
    assert cost_of(MAXIMAL_QUERY, services) == MAXIMAL_COST <= settings.graphql_max_cost
    upload = maximal_upload(settings.import_max_rows)
    query_token = await token_for(services, admin.id)
    upload_token = await token_for(services, cadre.id)

    async with (
        uvicorn_server(url, settings.jwt_secret) as base,
        httpx.AsyncClient(base_url=base, timeout=None) as client,
    ):

        async def gql(query: str, variables: dict, token: str) -> dict:  # type: ignore[type-arg]
            r = await client.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"authorization": f"Bearer {token}"},
            )
            return r.json()

        idle = [await probe(client) for _ in range(20)]
        began = time.perf_counter()
        importing = asyncio.create_task(
            gql(
                'mutation($c: String!) { importYouth(input: {filename: "a.xlsx", '
                "contentBase64: $c}) { written invited } }",
                {"c": upload},
                upload_token,
            )
        )
        querying = asyncio.create_task(gql(MAXIMAL_QUERY, {}, query_token))
        finished: list[float] = []
        for task in (importing, querying):
            task.add_done_callback(lambda _: finished.append(time.perf_counter()))
        during: list[float] = []  # probes answered while both were still in flight
        longest = 0.0
        while not (importing.done() and querying.done()):
            latency = await probe(client)
            longest = max(longest, latency)
            if not importing.done() and not querying.done():
                during.append(latency)
        imported, queried = importing.result(), querying.result()
        both = min(finished) - began  # how long both were in flight

    assert imported == {"data": {"importYouth": {"written": True, "invited": 2000}}}, imported
    assert "errors" not in queried, queried["errors"]
    pages = [o["subtree"]["nodes"] for o in queried["data"]["orgs"]["nodes"]]
    assert len(pages) == 100 and sum(len(p) for p in pages) >= 100 * COUNTIES  # ~10k orgs
    # Health answered again and again while both were running. Before, the parse held the
    # loop for the whole upload: one probe waited as long as the upload took.
    print(
        f"\n/healthz idle: median {statistics.median(idle) * 1000:.1f} ms; while both ran "
        f"({both:.1f} s): {len(during)} probes, median {statistics.median(during) * 1000:.1f} ms, "
        f"max {max(during) * 1000:.1f} ms; longest probe overall {longest * 1000:.1f} ms"
    )


async def main() -> None:
    url = database_url("youthlink_bench_availability")
    await asyncio.to_thread(upgrade, url)
    settings = Settings(environment="test", rate_limit_per_minute=0, database_url=None)
    app = create_app(settings.ready_to_serve(), database_url=url)
    async with app.router.lifespan_context(app):
        await measure(url, app.state.services)


if __name__ == "__main__":
    asyncio.run(main())
