"""Database engine and sessions. One session per request; only the GraphQL operation commits."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import asyncpg
import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import url as sa_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
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
        connect_args={"server_settings": server_settings(settings)},
    )
    ping_when_idle(engine, settings.db_ping_idle_seconds)
    return engine


def server_settings(settings: Settings) -> dict[str, str]:
    return {
        "statement_timeout": str(settings.db_statement_timeout_ms),
        "application_name": "youthlink",
        # Periods, days and weeks are the League's: China Standard Time.
        "timezone": settings.timezone,
    }


# When a connection of the service last found its server gone (a restart, a failover):
# time.monotonic(), 0 before any. Set by the principal's pool, which every request meets first.
_last_outage = 0.0


def outage_seen() -> None:
    """The server was found gone: every pooled connection of the engines that went back to
    its pool before now is pinged before its next use (`ping_when_idle`). The principal is
    read on a pool of its own, so the engine's connections may not meet the restart until a
    write is handed a dead one (DATABASE_UNAVAILABLE on the first write after a restart)."""
    global _last_outage
    _last_outage = time.monotonic()


def ping_when_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only when it sat idle in the pool for longer than
    `idle_seconds`, or went back before a restart was seen (`outage_seen`); a dead one is
    replaced (the pool retries the checkout), as pool_pre_ping would, without a round trip on
    each request of a busy server."""
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        record.info["returned"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned = record.info.get("returned")
        if returned is None:
            return  # new
        if returned > _last_outage and time.monotonic() - returned <= idle_seconds:
            return  # used a moment ago, and no restart seen since
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
    snapshot either way), one statement at a time with the dialect's own. Reads only."""

    def __init__(self, sql: str) -> None:
        self.sql = sql

    async def fetchrow(self, on: AsyncSession | DriverPool, *args: Any) -> Any:
        """The first row, on the service's DriverPool or on a session's own connection."""
        if isinstance(on, DriverPool):
            return await on.fetchrow(self.sql, *args)
        return await _run_on(on, self.sql, args, begin=False, every=False)

    async def fetch(self, session: AsyncSession, *args: Any) -> list[Any]:
        """Every row, on a session's own connection."""
        rows: list[Any] = await _run_on(session, self.sql, args, begin=False, every=True)
        return rows


class DriverWrite:
    """A write statement run on a request session's own asyncpg connection, in the session's
    transaction (begun here, as the dialect would, when no statement has begun it yet; the
    session commits or rolls it back as any other): for the few writes of the hot paths,
    where SQLAlchemy's execution layers cost more CPU than the statement. Written with named
    parameters (`:name`, as sa.text), sent with positional ones; a dict of values per call.
    Its errors are the driver's (asyncpg's, with their SQLSTATE, as the error codes read
    them)."""

    def __init__(self, sql: str) -> None:
        names: list[str] = []

        def position(m: re.Match[str]) -> str:
            if m.group(1) not in names:
                names.append(m.group(1))
            return f"${names.index(m.group(1)) + 1}"

        self.sql = re.sub(r"(?<![:\w]):(\w+)", position, sql)
        self.names = tuple(names)

    async def fetchrow(self, session: AsyncSession, values: dict[str, Any]) -> Any:
        if isinstance(session, ReadSession):
            raise ReadOnlyViolation("a query's session does not write")
        args = tuple(values[n] for n in self.names)
        return await _run_on(session, self.sql, args, begin=True, every=False)


async def _run_on(
    session: AsyncSession, sql: str, args: tuple[Any, ...], *, begin: bool, every: bool
) -> Any:
    """The first row of `sql` (with `every`, all its rows) on the session's own asyncpg
    connection. A request's session runs it as its own statements (RequestSession._finish):
    its connection provisioned once among sibling fields, the statement finished even when
    its field is cancelled, nothing run once the session has ended."""
    if isinstance(session, ReadSession) and (fixed := session.fixed_pool()) is not None:
        sql, args = _told(session.get_bind(), None, sql, args)
        pooled = fixed.fetch(sql, *args) if every else fixed.fetchrow(sql, *args)
        return await session._finish(pooled, connect=False)
    work = _on_connection(session, sql, args, begin=begin, every=every)
    if isinstance(session, RequestSession):
        return await session._finish(work)
    return await work


def _told(listened: Any, conn: Any, sql: str, args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """The statement and parameters after the engine's statement listeners (before_cursor_
    execute: statement counts, bench/work.py's recorder), which see a driver statement as
    they see the dialect's; `listened` is the connection or engine whose listeners apply."""
    if listened._has_events or getattr(listened, "engine", listened)._has_events:
        for listener in listened.dispatch.before_cursor_execute:
            sql, listed = listener(conn, None, sql, args, None, False)
            args = tuple(listed)
    return sql, args


async def _on_connection(
    session: AsyncSession, sql: str, args: tuple[Any, ...], *, begin: bool, every: bool
) -> Any:
    """One statement at a time with the dialect's own (its mutex: sibling fields share the
    connection); with `begin`, in the session's transaction, begun here as the dialect would
    when no statement has begun it yet. The engine's statement listeners
    (before_cursor_execute: statement counts, bench/work.py's recorder) see it as they see
    the dialect's. A connection broken midway is invalidated, as SQLAlchemy would do."""
    conn = await session.connection()
    adapted: Any = (await conn.get_raw_connection()).dbapi_connection
    driver = adapted.driver_connection
    sync = conn.sync_connection
    if sync is not None:
        sql, args = _told(sync, sync, sql, args)
    try:
        async with adapted._execute_mutex:
            if begin and adapted._transaction is None:
                await adapted._start_transaction()
            if every:
                return await driver.fetch(sql, *args)
            return await driver.fetchrow(sql, *args)
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


class DriverPool:
    """A pool of asyncpg connections of the service's own for the one statement every
    request runs (the principal, authz/principal.py) and a query's driver reads (look-ahead,
    records: ReadSession.fixed_pool): no SQLAlchemy session, connection wrapper or greenlet
    on the fixed path, so an operation that reads nothing else never checks out a session at
    all (resolvers/base.py opens it on first use). The engine's server settings. A
    connection the server closed (a restart) is replaced and the read, which changes
    nothing, is tried once more on a fresh one."""

    def __init__(self, url: str, settings: Settings) -> None:
        self.url = sa_url.make_url(url).set(drivername="postgresql")
        self.settings = settings
        self.pool: Connections | None = None

    async def start(self) -> None:
        s = self.settings
        dsn = self.url.render_as_string(hide_password=False)

        async def connect() -> asyncpg.Connection:
            conn = await asyncpg.connect(dsn, server_settings=server_settings(s))
            try:
                await _json_as_sqlalchemy_does(conn)
            except BaseException:
                conn.terminate()
                raise
            return conn

        self.pool = Connections(connect, max_size=max(2, s.db_pool_size), idle_seconds=60)

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
            self.pool = None

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        return await self._read(sql, args, every=False)

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        rows: list[Any] = await self._read(sql, args, every=True)
        return rows

    async def _read(self, sql: str, args: tuple[Any, ...], *, every: bool) -> Any:
        assert self.pool is not None, "DriverPool.start() first"
        try:
            return await self._once(self.pool, sql, args, every)
        except _ServerGone:
            # The free connections are as old as the one that found the server gone: a
            # fresh one, not the next of them, for the second try.
            self.pool.discard_free()
        try:
            return await self._once(self.pool, sql, args, every)  # a restart closed it: again
        except _ServerGone as gone:
            assert gone.__cause__ is not None
            raise gone.__cause__ from None  # still away

    async def _once(self, pool: Connections, sql: str, args: tuple[Any, ...], every: bool) -> Any:
        try:
            conn = await pool.acquire(self.settings.db_pool_timeout_seconds)
        except TimeoutError as exc:  # as the engine's pool says it: DATABASE_BUSY, not away
            raise PoolTimeout("no free connection for the principal's statement") from exc
        except (*_REPLACEABLE, OSError) as exc:  # no connection to be had: the server is away
            outage_seen()
            raise _ServerGone from exc
        try:
            return await (conn.fetch(sql, *args) if every else conn.fetchrow(sql, *args))
        except BaseException as exc:
            if isinstance(exc, _BROKEN_BY_RESTART) or conn.is_closed():
                # The server closed it (a restart: the socket closed while it sat in the
                # pool, or the goodbye came now; or, the goodbye read while the connection
                # sat in the pool, asyncpg's protocol left "in progress": InternalClientError,
                # seen in a soak across a restart).
                conn.terminate()  # the pool drops it
                outage_seen()
                raise _ServerGone from exc
            # A statement broken midway leaves the protocol "in progress": during a restart
            # the server's goodbye (57P01) arrives before the socket closes, and the retry
            # would be handed the same connection (INTERNAL_SERVER_ERROR in the suite's
            # restart test). Ended here; the pool then drops it.
            if _left_unusable(exc, conn):
                conn.terminate()
            raise
        finally:
            pool.put(conn)


class Connections:
    """The DriverPool's connections: at most `max_size`, opened on first use, the most
    recently used handed out first, closed after `idle_seconds` unused. asyncpg's own pool
    did the same with a task for each acquire (its timeout) and each release (shielded) and
    a timer per connection: together a quarter of the CPU of a request that reads nothing
    else (bench/cpu.py). Here a free connection is taken and put back without a task, a
    timer or a wait: the statement's round trip is the only one. Only when none is free
    does `acquire` wait, for at most `patience` seconds (TimeoutError: DATABASE_BUSY)."""

    def __init__(
        self,
        connect: Callable[[], Awaitable[asyncpg.Connection]],
        *,
        max_size: int,
        idle_seconds: float,
    ) -> None:
        self._connect, self._max, self._idle_seconds = connect, max_size, idle_seconds
        self._free: list[tuple[asyncpg.Connection, float]] = []  # the last put back: last
        self._count = 0  # connections open or opening, in use or free
        # Who waits for a connection: handed one as it is put back, or None when a slot
        # opened (a broken connection was dropped): then they open one.
        self._waiters: collections.deque[asyncio.Future[asyncpg.Connection | None]] = (
            collections.deque()
        )
        self._reaper: asyncio.TimerHandle | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self._closed = False

    def get_max_size(self) -> int:
        return self._max

    async def acquire(self, patience: float | None = None) -> asyncpg.Connection:
        if self._closed:
            raise asyncpg.InterfaceError("the pool is closed")
        while self._free:
            conn = self._free.pop()[0]
            if not conn.is_closed():
                return conn
            self._count -= 1  # the server closed it while it was free
        if self._count < self._max:
            return await self._open(patience)
        return await self._wait(patience)

    def discard_free(self) -> None:
        """End every free connection (the server restarted under them): the next acquire
        opens a fresh one."""
        free, self._free = self._free, []
        self._count -= len(free)
        for conn, _ in free:
            conn.terminate()
            self._hand_over(None)

    async def release(self, conn: asyncpg.Connection) -> None:
        self.put(conn)

    def put(self, conn: asyncpg.Connection) -> None:
        if conn.is_closed() or self._closed:
            if not conn.is_closed():
                conn.terminate()
            self._count -= 1
            self._hand_over(None)
            return
        if self._hand_over(conn):
            return
        loop = asyncio.get_running_loop()
        self._free.append((conn, loop.time()))
        if self._reaper is None:
            self._reaper = loop.call_later(self._idle_seconds, self._reap)

    async def close(self) -> None:
        """Close the free connections; those in use are ended as they come back."""
        self._closed = True
        if self._reaper is not None:
            self._reaper.cancel()
            self._reaper = None
        free, self._free = self._free, []
        self._count -= len(free)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(asyncpg.InterfaceError("the pool is closed"))
        await asyncio.gather(*(_close(conn) for conn, _ in free), *self._closing)

    def _hand_over(self, conn: asyncpg.Connection | None) -> bool:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return True
        return False

    async def _open(self, patience: float | None) -> asyncpg.Connection:
        self._count += 1
        try:
            async with asyncio.timeout(patience):
                return await self._connect()
        except BaseException:
            self._count -= 1
            self._hand_over(None)  # the slot is free again: a waiter may try
            raise

    async def _wait(self, patience: float | None) -> asyncpg.Connection:
        loop = asyncio.get_running_loop()
        deadline = None if patience is None else loop.time() + patience
        while True:
            waiter: asyncio.Future[asyncpg.Connection | None] = loop.create_future()
            self._waiters.append(waiter)
            try:
                async with asyncio.timeout_at(deadline):
                    conn = await waiter
            except BaseException:
                if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                    handed = waiter.result()  # handed over as the time ran out
                    if handed is not None:
                        self.put(handed)
                    else:
                        self._hand_over(None)
                raise
            finally:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            if conn is not None:
                return conn
            if self._count < self._max:  # a slot, not a connection: open one
                remaining = None if deadline is None else max(deadline - loop.time(), 0.001)
                return await self._open(remaining)

    def _reap(self) -> None:
        """Close the connections free for longer than idle_seconds (the oldest come first)."""
        self._reaper = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._free and now - self._free[0][1] >= self._idle_seconds:
            conn = self._free.pop(0)[0]
            self._count -= 1
            task = loop.create_task(_close(conn))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        if self._free:
            wait = self._idle_seconds - (now - self._free[0][1])
            self._reaper = loop.call_later(wait, self._reap)


async def _close(conn: asyncpg.Connection) -> None:
    try:
        await conn.close(timeout=5)
    except Exception:
        conn.terminate()


# Failures of a pooled connection (not of the statement) that a fresh connection avoids.
class _ServerGone(Exception):
    """The principal's connection found its server gone; the cause is the driver's error."""


_REPLACEABLE = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.AdminShutdownError,
    asyncpg.CannotConnectNowError,
    ConnectionResetError,
)


_BROKEN_BY_RESTART = (*_REPLACEABLE, asyncpg.exceptions.InternalClientError)


async def _json_as_sqlalchemy_does(conn: asyncpg.Connection) -> None:
    """json and jsonb as on the engine's connections (SQLAlchemy's asyncpg dialect, its
    setup_asyncpg_json_codec and setup_asyncpg_jsonb_codec): decoded when read, and sent as
    the JSON text SQLAlchemy's bind processors made of a value (records' statements)."""
    await conn.set_type_codec(
        "json", schema="pg_catalog", encoder=str.encode, decoder=_json_read, format="binary"
    )
    await conn.set_type_codec(
        "jsonb", schema="pg_catalog", encoder=_jsonb_sent, decoder=_jsonb_read, format="binary"
    )


def _json_read(value: bytes) -> Any:
    return orjson.loads(value)


def _jsonb_sent(text: str) -> bytes:
    return b"\x01" + text.encode()  # jsonb's binary form: a version byte, then the text


def _jsonb_read(value: bytes) -> Any:
    return orjson.loads(value[1:])


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
        # Sibling fields start their statements together; the first ones of a session would
        # each provision its connection (SQLAlchemy refuses that: "concurrent operations are
        # not permitted"). One provisions, the others wait; the driver then serialises them.
        self._provisioning = asyncio.Lock()
        self._connected = False
        self._planned_in: Any = None  # the transaction planned for values (plan_for_values)

    async def _connected_then(self, work: Coroutine[Any, Any, T]) -> T:
        if not self._connected:
            try:
                async with self._provisioning:
                    if not self._connected:
                        await super().connection()
                        self._connected = True
            except BaseException:
                work.close()  # never started: nothing of it ran
                raise
        return await work

    async def _finish(self, work: Coroutine[Any, Any, T], *, connect: bool = True) -> T:
        """`work` run to its end whatever happens to its caller; `connect`: on the session's
        connection (provisioned first), else elsewhere (ReadSession.fixed_pool)."""
        if self._ended:  # field work graphql-core settles after the response: not on our session
            work.close()
            raise SessionEnded
        task = asyncio.ensure_future(self._connected_then(work) if connect else work)
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
        self._connected = False  # the connection goes back with the transaction
        await super().commit()

    async def rollback(self) -> None:
        await self._settle()
        self._connected = False
        await super().rollback()

    async def plan_for_values(self) -> None:
        """From here on, PostgreSQL plans each statement for its own values, not the generic
        plan it keeps for a statement prepared five times (Ctx.plan_for_values says why):
        local to the transaction, which ends with the request's."""
        if self._planned_in is not None and self._planned_in in (
            _UNDER_WAY,
            self.get_transaction(),
        ):
            return  # done in this transaction, or being done: sibling figures ask together
        self._planned_in = _UNDER_WAY
        try:
            await self.execute(PLAN_FOR_VALUES_HERE)
        finally:
            self._planned_in = self.get_transaction()

    async def close(self) -> None:
        await self._settle()
        self._connected = False
        await super().close()

    async def end(self) -> None:
        """Close for good: the request is over, nothing more may check out a connection."""
        self._ended = True
        await self.close()


_UNDER_WAY = object()
PLAN_FOR_VALUES_HERE = sa.text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)")
_PLAN_FOR_VALUES = sa.text("SET plan_cache_mode = force_custom_plan")
_PLAN_CACHED = sa.text("RESET plan_cache_mode")


class ReadOnlyViolation(RuntimeError):
    """A write on a query's session (a bug: queries never write)."""


class ReadSession(RequestSession):
    """A query's session, on an AUTOCOMMIT connection: no transaction, so neither a BEGIN
    nor a ROLLBACK round trip; each statement sees the data committed when it starts. It
    refuses to write: a query's writes used to be rolled back, here they would stay."""

    _planning_for_values = False

    def __init__(self, *args: Any, fixed: DriverPool | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed = fixed

    def fixed_pool(self) -> DriverPool | None:
        """Where a driver statement of the query runs while the session has no connection of
        its own: the service's pool (DriverPool), which hands one out without SQLAlchemy's
        checkout and return (a third of the CPU of `org(id)` with its look-ahead, cProfile).
        The same data either way: with no transaction, each statement reads what is
        committed when it starts. Once the session has a connection (an ORM statement, plans
        for values set on it), its statements stay there."""
        fixed = self.fixed
        if fixed is None or fixed.pool is None or self._connected or self._planning_for_values:
            return None
        return fixed

    async def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(statement, "is_dml", False):
            raise ReadOnlyViolation("a query's session does not write")
        return await super().execute(statement, *args, **kwargs)

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        if self.new or self.dirty or self.deleted:
            raise ReadOnlyViolation("a query's session does not write")
        await super().flush(*args, **kwargs)

    async def plan_for_values(self) -> None:
        """No transaction to be local to: the connection is set until the session closes,
        which sets it back before the pool hands the connection to another request (whose
        lists keep their cached plans)."""
        if not self._planning_for_values:
            self._planning_for_values = True
            await self.execute(_PLAN_FOR_VALUES)

    async def close(self) -> None:
        if self._planning_for_values:
            self._planning_for_values = False
            await self._settle()
            try:  # past `end`: straight on the session, not through `_finish`
                await AsyncSession.execute(self, _PLAN_CACHED)
            except Exception:
                with contextlib.suppress(Exception):
                    await (await AsyncSession.connection(self)).invalidate()
        await super().close()


def make_sessionmaker(
    engine: AsyncEngine, *, read_only: bool = False, fixed: DriverPool | None = None
) -> async_sessionmaker[AsyncSession]:
    """Request sessions; `read_only`: for operations that only query (see ReadSession), on
    the same pool, their driver statements on `fixed` until they need a connection."""
    if read_only:
        return async_sessionmaker(
            engine.execution_options(isolation_level="AUTOCOMMIT"),
            class_=ReadSession,
            expire_on_commit=False,
            autoflush=False,
            fixed=fixed,
        )
    return async_sessionmaker(
        engine, class_=RequestSession, expire_on_commit=False, autoflush=False
    )
