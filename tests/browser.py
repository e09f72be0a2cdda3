"""Browser tests' support (a pytest plugin, registered in tests/conftest.py): the real app in a
real uvicorn server on a free loopback port against the test database, and Debian's Chromium
driven by Playwright. Shared by the console's tests and the phone pages' tests.

- `chromium`: one browser for the whole session (never downloaded: /usr/bin/chromium, or
  the one named by CHROMIUM). Without it, or without the `playwright` package, every test
  that needs it is skipped, and the session's summary says so plainly.
- `live`: one server per test module. The module starts from a reset database (the default
  policy), seeds what it needs through tests/helpers.py with `live.services`, and talks to
  the server over loopback HTTP with `live.gql(...)` or a page at `live.url`.

Tests in one module share the server and its data: each test seeds what it needs under
names of its own. The per-test `clean` fixture (tests/conftest.py) leaves these modules alone.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from app.main import create_app
from tests.helpers import DEADLINE, PASSWORD, Result

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots for docs/ are rewritten only when asked (UPDATE_SCREENSHOTS=1 make test), so
# that an ordinary run leaves the checkout clean; otherwise they land under var/.
_ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = (
    _ROOT / "docs" / "img"
    if os.environ.get("UPDATE_SCREENSHOTS")
    else _ROOT / "var" / "screenshots"
)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def why_no_browser() -> str | None:
    """None when the browser tests can run, else the plain reason they are skipped."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "browser tests skipped: the `playwright` package is not installed (make install)"
    if chromium_path() is None:
        return (
            "browser tests skipped: no Chromium at /usr/bin/chromium "
            "(apt-get install chromium, or set CHROMIUM=/path/to/chromium)"
        )
    return None


_SKIPPED: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SKIPPED:
        terminalreporter.write_line(_SKIPPED[0], yellow=True, bold=True)


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Any]:
    reason = why_no_browser()
    if reason:
        if not _SKIPPED:
            _SKIPPED.append(reason)
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield browser
        await browser.close()


class LiveServer:
    """create_app() served by uvicorn in a thread of its own (its own event loop and engine),
    on a socket bound before the thread starts: a request made at once waits in the backlog
    until the app has started, so nothing polls or sleeps."""

    def __init__(self, database_url: str, settings: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.app = create_app(settings, database_url=database_url)
        config = uvicorn.Config(
            self.app,
            lifespan="on",
            log_level="warning",
            ws="websockets-sansio",
            # Longer than the test client's keep-alive (httpx: 5 s), so the client drops an
            # idle connection first. With both at 5 s a request sent as the server's timer
            # fired met a closed socket (httpx.ReadError, 2 runs of 4 in a browser test
            # whose login came ~5 s after the previous request).
            timeout_keep_alive=30,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=lambda: asyncio.run(self.server.serve(sockets=[self.sock])),
            name="live-server",
            daemon=True,
        )

    def start(self) -> None:
        self.thread.start()
        r = httpx.get(f"{self.url}/readyz", timeout=DEADLINE)  # answered once the lifespan started
        assert r.status_code == 200, r.text

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join()
        self.sock.close()


@dataclass
class Live:
    url: str
    services: Any  # the test session's services (same database): for tests/helpers.py seeders
    client: httpx.AsyncClient
    hub: Any = None  # the live server's own event hub: a test waits for a page's subscription
    tokens: dict[str, str] = field(default_factory=dict)

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> Result:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        r = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        return Result(r.status_code, r.json())

    async def login(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        """Tokens from the real login mutation (as the console gets them)."""
        r = await self.gql(
            "mutation($u: String!, $p: String!) { login(username: $u, password: $p) "
            "{ accessToken refreshToken } }",
            {"u": username, "p": password},
        )
        return r.data["login"]

    async def page(
        self,
        browser: Any,
        *,
        as_user: str | None = None,
        password: str = PASSWORD,
        storage_key: str = "youthlink.session",
        **context: Any,
    ) -> Any:
        """A fresh browser context's page (1280×800 unless `context` says otherwise).
        `as_user` starts it logged in: tokens from the real login mutation, put once (not
        again after a logout) in localStorage under `storage_key`, where the console keeps
        its session, so a test need not go through the login form."""
        options = {"locale": "zh-CN", "viewport": {"width": 1280, "height": 800}, **context}
        ctx = await browser.new_context(base_url=self.url, **options)
        ctx.set_default_timeout(DEADLINE * 1000)  # waits for what the page shows: a bound only
        if as_user:
            tokens = await self.login(as_user, password)
            session = json.dumps(
                {"access": tokens["accessToken"], "refresh": tokens["refreshToken"]}
            )
            await ctx.add_init_script(
                "if (!sessionStorage.getItem('test.seeded')) {"
                f" localStorage.setItem({json.dumps(storage_key)}, {json.dumps(session)});"
                " sessionStorage.setItem('test.seeded', '1'); }"
            )
        page = await ctx.new_page()
        page.js_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        return page


@pytest.fixture(scope="module")
async def live(running: Any, database_url: str) -> AsyncIterator[Live]:
    """One real server per module, on a database reset to the default policy."""
    from tests.conftest import reset_database, settings_for_tests

    await reset_database(running.services)
    server = LiveServer(database_url, settings_for_tests())
    await asyncio.to_thread(server.start)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=DEADLINE) as client:
            yield Live(server.url, running.services, client, server.app.state.services.hub)
    finally:
        await asyncio.to_thread(server.stop)
