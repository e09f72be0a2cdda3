"""Two instances of the service on one database count one limit, whether the counters are
in PostgreSQL (the default) or in Redis (REDIS_URL)."""

from __future__ import annotations

import contextlib
import secrets
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import create_app
from tests.conftest import RunningApp, settings_for_tests

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(7).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.asynccontextmanager
async def _two_instances(
    database_url: str, **settings: object
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """Two app objects (each its own pool and limits storage), one client address: a
    documentation range address made unique per test, so no window of another run counts."""
    address = f"198.51.100.{secrets.randbelow(250) + 1}-{secrets.token_hex(4)}"
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for _ in range(2):
            app = await stack.enter_async_context(
                RunningApp(create_app(settings_for_tests(**settings), database_url=database_url))
            )
            transport = httpx.ASGITransport(app=app.app, client=(address, 4000))
            clients.append(
                await stack.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url="http://testserver")
                )
            )
        yield clients


async def _statuses(clients: list[httpx.AsyncClient], n: int) -> list[int]:
    """`n` requests, alternating between the instances."""
    out = []
    for i in range(n):
        r = await clients[i % 2].post("/graphql", json={"query": "{ __typename }"})
        out.append(r.status_code)
    return out


@pytest.mark.parametrize("storage", ["postgresql", "redis"])
async def test_two_instances_share_one_limit(database_url, storage) -> None:
    settings: dict[str, object] = {"rate_limit_per_minute": 3}
    if storage == "redis":
        if not _redis_answers():
            pytest.skip("no Redis answers on 127.0.0.1:6379: the Redis storage is not tested")
        settings["redis_url"] = REDIS_URL
    async with _two_instances(database_url, **settings) as clients:
        statuses = await _statuses(clients, 5)
        refused = await clients[0].post("/graphql", json={"query": "{ __typename }"})
    # Per instance, each would have let 3 through (6 in all); shared, 3 pass.
    assert statuses == [200, 200, 200, 429, 429]
    body = refused.json()
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
