"""Fan-out of live events to this instance's subscribers, fed by PostgreSQL LISTEN."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from authz.sync import PgListener
from resolvers.events import CHANNEL


class EventHub:
    def __init__(self, engine: AsyncEngine) -> None:
        self._queues: set[asyncio.Queue[dict[str, Any]]] = set()
        self._listener = PgListener(engine, CHANNEL, self._dispatch)

    async def start(self) -> None:
        await self._listener.start()

    async def stop(self) -> None:
        await self._listener.stop()

    @property
    def subscribers(self) -> int:
        """Live subscriptions on this instance (what a test waits for before producing)."""
        return len(self._queues)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def _dispatch(self, payload: str) -> None:
        try:
            event = json.loads(payload)
        except ValueError:
            return
        for queue in list(self._queues):
            if queue.full():  # a subscriber that stopped reading loses its oldest events
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)
