"""`/healthz` keeps answering while the largest upload and the largest query allowed run on
the same server (issue 10 §8): the server's one event loop is what the upload and the query
used to block (8 s for an upload of empty rows, 26–31 s for the alias bomb).

Proved by the order of events, never by a clock (a loaded machine makes any time bound
either flaky or too loose to catch anything): the test holds an upload's parse open and
/healthz must answer before it lets the parse go on. The latencies of the probes are
printed for whoever looks; they are measurements, not assertions."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import statistics
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import sqlalchemy as sa
from graphql import parse, validate

from app.settings import ROOT
from models import Org, OrgLevel
from resolvers import contacts
from resolvers.contacts import read_upload
from schema import build_schema, limits
from tests.hardening.test_uploads import IMPORT, cadre_token, xlsx_with_sheet
from tests.helpers import DEADLINE, Tree, add_user

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


async def test_health_answers_while_the_largest_upload_and_query_run(api, database_url) -> None:
    province = await big_tree(api.services)
    admin = await add_user(api.services, "prov", org=province, roles=("province_admin",))
    async with api.services.sessionmaker() as session:
        county = await session.scalar(sa.select(Org).where(Org.code == "CITY1-1"))
    cadre = await add_user(api.services, "c1", org=county, roles=("cadre",))
    settings = api.services.settings
    assert cost_of(MAXIMAL_QUERY, api.services) == MAXIMAL_COST <= settings.graphql_max_cost
    upload = maximal_upload(settings.import_max_rows)
    query_token = await api.token_for(admin.id)
    upload_token = await api.token_for(cadre.id)

    async with (
        uvicorn_server(database_url, settings.jwt_secret) as base,
        httpx.AsyncClient(base_url=base, timeout=120) as client,
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
    assert len(during) >= 3, (during, both)  # answers came while both were in flight


async def test_health_answers_while_an_upload_is_being_parsed(api, monkeypatch) -> None:
    """The parse is held open here (the real parse, entered and then paused on an event):
    /healthz answers meanwhile, which it could not if the parse held the event loop. Were
    the parse on the loop, the pause would stall the loop, the health check would wait
    behind it, and `held` below would end by its deadline, not by the answer."""
    parsing, answered = threading.Event(), threading.Event()
    outcome: dict[str, bool] = {}

    def held_parse(*args):  # type: ignore[no-untyped-def]
        parsing.set()
        outcome["answered_first"] = answered.wait(DEADLINE)
        return read_upload(*args)

    monkeypatch.setattr(contacts, "read_upload", held_parse)
    t = await cadre_token(api)
    content = base64.b64encode(
        xlsx_with_sheet(
            '<row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>13600000001</t></is></c></row>'
        )
    ).decode()
    importing = asyncio.create_task(api.gql(IMPORT, {"f": "a.xlsx", "c": content}, token=t))
    assert await asyncio.to_thread(parsing.wait, DEADLINE), "the parse never started"
    health = await api.client.get("/healthz")  # while the parse is held
    answered.set()
    assert health.json() == {"status": "ok"}
    imported = await asyncio.wait_for(importing, DEADLINE)
    assert outcome == {"answered_first": True}
    assert imported.data == {"importYouth": {"written": True, "invited": 1}}, imported.body


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
