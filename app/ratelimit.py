"""Rate limits shared by every instance, through the `limits` library: fixed windows kept in
PostgreSQL by default (table `rate_limit_counters`, one UPSERT per hit), in Redis when
REDIS_URL is set. Behind a load balancer of N instances a client gets the limit once, not N×."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import sqlalchemy as sa
from limits import RateLimitItemPerSecond
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string
from sqlalchemy.ext.asyncio import AsyncEngine

from app.settings import Settings

log = logging.getLogger("youthlink.ratelimit")

# One statement per hit, atomic under concurrent hits from any instance: a window that has
# run out starts again at `amount`.
_INCR = sa.text("""
    INSERT INTO rate_limit_counters AS c (key, hits, expires_at)
    VALUES (:key, :amount, now() + make_interval(secs => :expiry))
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN c.expires_at <= now() THEN excluded.hits ELSE c.hits + excluded.hits END,
        expires_at = CASE WHEN c.expires_at <= now() THEN excluded.expires_at ELSE c.expires_at END
    RETURNING hits""")
_GET = sa.text("SELECT hits FROM rate_limit_counters WHERE key = :key AND expires_at > now()")
_EXPIRY = sa.text(
    "SELECT extract(epoch FROM expires_at) FROM rate_limit_counters"
    " WHERE key = :key AND expires_at > now()"
)


class PostgresStorage(Storage):
    """`limits`' async storage on our own database (limits ships none for PostgreSQL).
    Fixed windows only: what FixedWindowRateLimiter needs."""

    STORAGE_SCHEME = ["async+youthlink+postgresql"]  # noqa: RUF012 (the base class's type)

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, *, engine: AsyncEngine
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.engine = engine

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return (sa.exc.SQLAlchemyError, OSError)

    async def _one(self, stmt: sa.TextClause, **params: Any) -> Any:
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt, params)).scalar_one_or_none()

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return int(await self._one(_INCR, key=key, amount=amount, expiry=float(expiry)))

    async def get(self, key: str) -> int:
        return int(await self._one(_GET, key=key) or 0)

    async def get_expiry(self, key: str) -> float:
        found = await self._one(_EXPIRY, key=key)
        return float(found) if found is not None else time.time()

    async def check(self) -> bool:
        return bool(await self._one(sa.text("SELECT true")))

    async def reset(self) -> int | None:
        async with self.engine.begin() as conn:
            return (await conn.execute(sa.text("DELETE FROM rate_limit_counters"))).rowcount

    async def clear(self, key: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.text("DELETE FROM rate_limit_counters WHERE key = :key"), {"key": key}
            )


class Limits:
    """Every rate limit of the service: `hit(key, limit, seconds)`."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.window = FixedWindowRateLimiter(storage)

    async def hit(self, key: str, limit: int, seconds: int = 60) -> int | None:
        """Count a hit; None if within `limit` per `seconds`, else the seconds until one is
        allowed. A storage that fails lets the request through (logged): an outage of the
        counters must not become an outage of the service."""
        if limit <= 0:
            return None
        item = RateLimitItemPerSecond(limit, seconds)
        try:
            if await self.window.hit(item, key):
                return None
            reset, _ = await self.window.get_window_stats(item, key)
        except self.storage.base_exceptions as exc:
            log.warning("rate limit storage failed; request let through: %s", exc)
            return None
        return max(1, math.ceil(reset - time.time()))

    async def exceeded(self, key: str, limit: int, seconds: int) -> int | None:
        """Without counting: None if another hit would be within the limit, else the seconds
        until one is."""
        if limit <= 0:
            return None
        item = RateLimitItemPerSecond(limit, seconds)
        try:
            if await self.window.test(item, key):
                return None
            reset, _ = await self.window.get_window_stats(item, key)
        except self.storage.base_exceptions as exc:
            log.warning("rate limit storage failed; request let through: %s", exc)
            return None
        return max(1, math.ceil(reset - time.time()))

    async def close(self) -> None:
        """Redis connections are the storage's own; the PostgreSQL one uses the app's pool."""
        client = getattr(getattr(self.storage, "bridge", None), "storage", None)
        closer = getattr(client, "aclose", None)
        if closer is not None:
            await closer()


def make_limits(settings: Settings, engine: AsyncEngine) -> Limits:
    if settings.redis_url:
        url = settings.redis_url
        storage = storage_from_string(
            url if url.startswith("async+") else f"async+{url}", implementation="redispy"
        )
        assert isinstance(storage, Storage)
        return Limits(storage)
    return Limits(PostgresStorage(engine=engine))
