"""Reads from a streaming replica (DATABASE_REPLICA_URL), writes and fresh reads from the primary.

Which operation goes where:
- A query (dashboards, rankings, lists, lookups, exports) runs on the replica, unless it
  selects a field that declares it writes in its own session (schema/writes.py, the same
  declaration that keeps it off the read-only session). What a query writes on the side (a
  download link, a logged read) goes through `ctx.independent()`, which is always the
  primary. An undeclared write fails on the replica with SQLSTATE 25006 and is run again on
  the primary, logged as an error (schema/extensions.py): a safety net, not a route.
- A mutation or a subscription runs on the primary.
- Read your own writes: after a caller's mutation the primary's WAL position is kept for
  that caller (and sent back in the `X-Write-LSN` header, which a client of another
  instance may echo); their next queries go to the primary until the replica has replayed
  past it.
- A replica that cannot be reached is skipped: the query runs on the primary.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

import orjson
import sqlalchemy as sa
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from schema import WRITING_QUERY_FIELDS
from schema.writes import reads_only

log = logging.getLogger("youthlink.replica")

READS = Counter(
    "youthlink_reads_total",
    "Query operations by the server that answered them (replica, or primary and why)",
    ["target"],
)
LSN_HEADER = "x-write-lsn"


class ReadRouting:
    """The replica's sessions, the operation kind of each document text, and the WAL
    position each recent writer must see."""

    def __init__(
        self,
        replica: async_sessionmaker[AsyncSession],
        max_tokens: int,
        writing: frozenset[str] = WRITING_QUERY_FIELDS,
    ) -> None:
        self.replica = replica
        self.writing = writing  # query fields that declare they write (schema/writes.py)
        self.max_tokens = max_tokens
        # (kind, whether the replica may answer it) by (document text, operation name)
        self.kinds: OrderedDict[tuple[str, str | None], tuple[OperationType | None, bool]] = (
            OrderedDict()
        )
        self.written: OrderedDict[int, str] = OrderedDict()  # user id → primary LSN after the write

    async def session_for(self, request: Any, user_id: int | None) -> AsyncSession | None:
        """A replica session when the request is a query the replica may answer; None: the
        primary's."""
        if not await self._reads_only(request):
            return None
        session = self.replica()
        try:
            wanted = self._wanted_lsn(request, user_id)
            if wanted is not None and not await _replayed(session, wanted):
                READS.labels("primary-behind").inc()
                await session.close()
                return None
        except Exception:
            log.warning("the replica did not answer; reading from the primary", exc_info=True)
            READS.labels("primary-unreachable").inc()
            await _close_quietly(session)
            return None
        READS.labels("replica").inc()
        return session

    def wrote(self, user_id: int, lsn: str) -> None:
        self.written[user_id] = lsn
        self.written.move_to_end(user_id)
        if len(self.written) > 100_000:  # the oldest writers are long replayed
            self.written.popitem(last=False)

    def _wanted_lsn(self, request: Any, user_id: int | None) -> str | None:
        header = request.headers.get(LSN_HEADER)
        kept = self.written.get(user_id) if user_id is not None else None
        if header and kept:
            return max(header, kept, key=_lsn_value)
        return header or kept

    async def _reads_only(self, request: Any) -> bool:
        """Whether the request asks for a query that writes nothing; False when it cannot be
        told cheaply (the primary answers those, and reports any error as usual)."""
        if request.scope.get("type") != "http":
            return False
        try:
            if request.method == "GET":
                text, name = (
                    request.query_params.get("query"),
                    request.query_params.get("operationName"),
                )
            else:
                if "json" not in request.headers.get("content-type", ""):
                    return False
                data = orjson.loads(await request.body())  # Starlette keeps the body for later
                if not isinstance(data, dict):
                    return False
                text, name = data.get("query"), data.get("operationName")
        except (orjson.JSONDecodeError, UnicodeDecodeError):
            return False
        if not isinstance(text, str) or not (name is None or isinstance(name, str)):
            return False  # a persisted query by hash alone: the primary (rare after the first)
        return self._of(text, name)[1]

    def kind_of(self, text: str, name: str | None) -> OperationType | None:
        return self._of(text, name)[0]

    def _of(self, text: str, name: str | None) -> tuple[OperationType | None, bool]:
        key = (text, name)
        if key in self.kinds:
            self.kinds.move_to_end(key)
            return self.kinds[key]
        try:
            document = parse(text, max_tokens=self.max_tokens)
        except GraphQLError:
            found: tuple[OperationType | None, bool] = (None, False)
        else:
            ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            chosen = [o for o in ops if name is None or (o.name and o.name.value == name)]
            kind = chosen[0].operation if len(chosen) == 1 else None
            found = (kind, kind is not None and reads_only(document, name, self.writing))
        self.kinds[key] = found
        if len(self.kinds) > 512:
            self.kinds.popitem(last=False)
        return found


def _lsn_value(lsn: str) -> int:
    high, _, low = lsn.partition("/")
    try:
        return (int(high, 16) << 32) + int(low, 16)
    except ValueError:
        return 0


async def _replayed(session: AsyncSession, lsn: str) -> bool:
    if not _lsn_value(lsn):
        return True  # not a position at all: nothing to wait for
    return bool(
        await session.scalar(
            sa.text("SELECT pg_last_wal_replay_lsn() >= CAST(CAST(:lsn AS text) AS pg_lsn)"),
            {"lsn": lsn},
        )
    )


async def primary_lsn(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
    """Where the primary's WAL is now: past every commit acknowledged before."""
    async with sessionmaker() as session:
        return str(await session.scalar(sa.text("SELECT pg_current_wal_insert_lsn()::text")))


async def _close_quietly(session: AsyncSession) -> None:
    try:
        await session.close()
    except Exception:
        log.debug("closing a replica session", exc_info=True)
