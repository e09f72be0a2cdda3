"""Policy changes reach every running instance at once: PostgreSQL LISTEN/NOTIFY.

A change writes `pg_notify` in its own transaction, so instances hear of it only once it
is committed. Grants are read per request and need no message; role templates are cached
in the PolicyStore and reloaded on each message (and after every reconnect). The message
is for speed only: each request reads the policy version with its principal and reloads a
stale cache first (PolicyListener.ensure_version), so correctness never waits for it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authz.policy_store import PolicyStore

log = logging.getLogger(__name__)

CHANNEL = "youthlink_policy"


async def notify_policy_changed(session: AsyncSession, what: str) -> None:
    await session.execute(sa.select(sa.func.pg_notify(CHANNEL, what)))


def asyncpg_dsn(engine: AsyncEngine) -> str:
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class PgListener:
    """One dedicated connection LISTENing on `channel`, reconnecting with backoff; after
    each (re)connect `on_connect` runs, so nothing missed while away goes unnoticed."""

    def __init__(
        self,
        engine: AsyncEngine,
        channel: str,
        on_message: Callable[[str], None],
        on_connect: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.engine, self.channel = engine, channel
        self.on_message, self.on_connect = on_message, on_connect
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"listen-{self.channel}")
        await asyncio.wait_for(self.ready.wait(), timeout=10)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        delay = 0.5
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(asyncpg_dsn(self.engine))
                await conn.add_listener(
                    self.channel, lambda _c, _p, _ch, payload: self.on_message(payload)
                )
                if self.on_connect is not None:
                    await self.on_connect()
                self.ready.set()
                delay = 0.5
                while not conn.is_closed():
                    await asyncio.sleep(1)
                    await conn.execute("SELECT 1")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning(
                    "listener on %s lost its connection; retrying in %.1fs", self.channel, delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
            finally:
                if conn is not None and not conn.is_closed():
                    with contextlib.suppress(Exception):
                        await conn.close()


class PolicyListener:
    def __init__(self, engine: AsyncEngine, store: PolicyStore) -> None:
        self.engine, self.store = engine, store
        self._reload_lock = asyncio.Lock()
        self._listener = PgListener(engine, CHANNEL, self._on_notify, on_connect=self.reload)

    async def reload(self) -> None:
        async with self._reload_lock, self.engine.connect() as conn:
            await self.store.load(conn)

    async def ensure_version(self, version: int | None) -> None:
        """Reload unless the cached templates carry `version` (read with the principal): a
        change is in force on the next request here even before its NOTIFY arrives. Any
        difference reloads, so a database restored from an older backup is followed too."""
        if version is None or self.store.version == version:
            return
        async with self._reload_lock:
            if self.store.version == version:
                return  # another request reloaded it meanwhile
            async with self.engine.connect() as conn:
                await self.store.load(conn)

    def holding_reloads(self) -> asyncio.Lock:
        """Held, no reload runs: for whoever rewrites the policy tables wholesale (a reload
        reads two of them in one transaction and would deadlock against a TRUNCATE)."""
        return self._reload_lock

    async def start(self) -> None:
        await self.reload()
        await self._listener.start()

    async def stop(self) -> None:
        await self._listener.stop()

    def _on_notify(self, _payload: str) -> None:
        asyncio.get_running_loop().create_task(self.reload())
