"""Database engine and sessions. One session per request; only the GraphQL operation commits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.embedded import start_embedded, to_async_url
from app.settings import Settings


def resolve_database_url(settings: Settings) -> str:
    if settings.database_url:
        return to_async_url(settings.database_url)
    return start_embedded(settings.data_dir)


def make_engine(url: str, settings: Settings) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout_seconds,
        # Error messages never carry statement parameters (mobile numbers, codes) into logs.
        hide_parameters=True,
        connect_args={
            "server_settings": {
                "statement_timeout": str(settings.db_statement_timeout_ms),
                "application_name": "youthlink",
                # Periods, days and weeks are the League's: China Standard Time.
                "timezone": settings.timezone,
            }
        },
    )
    ping_when_idle(engine, settings.db_ping_idle_seconds)
    return engine


def ping_when_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only when it sat idle in the pool for longer than
    `idle_seconds`; a dead one is replaced (the pool retries the checkout), as pool_pre_ping
    would, without a round trip on each request of a busy server."""
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        record.info["returned"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned = record.info.get("returned")
        if returned is None or time.monotonic() - returned <= idle_seconds:
            return  # new, or used a moment ago
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise DisconnectionError("a pooled connection did not answer its ping") from exc


T = TypeVar("T")


class DriverStatement:
    """A statement run on the session's own asyncpg connection, prepared once per connection
    (asyncpg's statement cache, by its text): for the few statements of every request, where
    SQLAlchemy's execution layers cost several times what the statement itself does. On the
    session's connection: inside its transaction once one has begun, else before it (the
    dialect sends BEGIN with its first statement; a READ COMMITTED statement reads its own
    snapshot either way). A connection that broke midway is invalidated, as SQLAlchemy
    would do, so the pool does not hand it out again. Reads only."""

    def __init__(self, sql: str) -> None:
        self.sql = sql

    async def fetchrow(self, session: AsyncSession, *args: Any) -> Any:
        conn = await session.connection()
        driver = (await conn.get_raw_connection()).driver_connection
        try:
            return await driver.fetchrow(self.sql, *args)  # type: ignore[union-attr]
        except BaseException as exc:
            if _left_unusable(exc, driver):
                await conn.invalidate()
            raise


def _left_unusable(exc: BaseException, driver: Any) -> bool:
    """Whether the connection may not serve another statement. SQLAlchemy decides this for
    its own statements; this one bypasses it. Only an error the server reported on a live
    session leaves it usable: a statement cancelled or broken midway in the client (its
    protocol still "in progress") or a connection the server is closing (class 08, 57:
    shutdown during a restart) would fail the next request that checked it out ("another
    operation is in progress", seen when PostgreSQL restarted under load)."""
    if driver is None or driver.is_closed():
        return True
    if isinstance(exc, asyncpg.PostgresError):
        return (exc.sqlstate or "")[:2] in ("08", "57")
    return True


class SessionEnded(RuntimeError):
    """A statement after the request's session was ended (work left over from a refused field)."""


class RequestSession(AsyncSession):
    """A request's session, whose statements finish even when their caller is cancelled.

    When a non-null field fails, graphql-core cancels the sibling fields still in flight;
    they share this session, and a statement cancelled midway left the connection broken
    and checked out (the next requests answered SERVICE_UNAVAILABLE). Each statement runs
    shielded, and the session ends only after the statements in flight have finished."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_flight: set[asyncio.Future[Any]] = set()
        self._ended = False

    async def _finish(self, work: Coroutine[Any, Any, T]) -> T:
        if self._ended:  # field work graphql-core settles after the response: not on our session
            work.close()
            raise SessionEnded
        task = asyncio.ensure_future(work)
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        return await asyncio.shield(task)

    async def _settle(self) -> None:
        while self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return await self._finish(super().execute(*args, **kwargs))

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return await self._finish(super().scalar(*args, **kwargs))

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        return await self._finish(super().scalars(*args, **kwargs))

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return await self._finish(super().get(*args, **kwargs))

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        await self._finish(super().flush(*args, **kwargs))

    async def commit(self) -> None:
        await self._settle()
        await super().commit()

    async def rollback(self) -> None:
        await self._settle()
        await super().rollback()

    async def close(self) -> None:
        await self._settle()
        await super().close()

    async def end(self) -> None:
        """Close for good: the request is over, nothing more may check out a connection."""
        self._ended = True
        await self.close()


class ReadOnlyViolation(RuntimeError):
    """A write on a query's session (a bug: queries never write)."""


class ReadSession(RequestSession):
    """A query's session, on an AUTOCOMMIT connection: no transaction, so neither a BEGIN
    nor a ROLLBACK round trip; each statement sees the data committed when it starts. It
    refuses to write: a query's writes used to be rolled back, here they would stay."""

    async def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(statement, "is_dml", False):
            raise ReadOnlyViolation("a query's session does not write")
        return await super().execute(statement, *args, **kwargs)

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        if self.new or self.dirty or self.deleted:
            raise ReadOnlyViolation("a query's session does not write")
        await super().flush(*args, **kwargs)


def make_sessionmaker(
    engine: AsyncEngine, *, read_only: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Request sessions; `read_only`: for operations that only query (see ReadSession), on
    the same pool."""
    if read_only:
        return async_sessionmaker(
            engine.execution_options(isolation_level="AUTOCOMMIT"),
            class_=ReadSession,
            expire_on_commit=False,
            autoflush=False,
        )
    return async_sessionmaker(
        engine, class_=RequestSession, expire_on_commit=False, autoflush=False
    )
